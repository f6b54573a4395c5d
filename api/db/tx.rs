//! Write transactions that behave the same on both backends, run again when they lose a race,
//! and never committed after the request's deadline.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::Connection;

use super::{deadline, DbConn};
use crate::error::AppError;

type Manager = <DbConn as Connection>::TransactionManager;

/// How many times a transaction that lost a race (deadlock, serialization failure) is run
/// before the caller gets 503.
pub const ATTEMPTS: u32 = 3;

/// Runs `work` in one write transaction: committed if it returns Ok, rolled back otherwise.
/// A transaction that fails with [`AppError::Contention`] (PostgreSQL 40001 or 40P01) is rolled
/// back and run again, up to [`ATTEMPTS`] times, so `work` must only touch the database. When
/// the request's deadline ([`deadline`]) is about to pass, it is rolled back instead of
/// committed: its caller is being told 503.
///
/// On SQLite it begins with `BEGIN IMMEDIATE`: a deferred transaction that reads first and is
/// overtaken by another writer fails at once with "database is locked", whatever the busy
/// timeout, while an immediate one waits its turn.
pub fn write_tx<T, F>(conn: &mut DbConn, mut work: F) -> Result<T, AppError>
where
    F: FnMut(&mut DbConn) -> Result<T, AppError>,
{
    let mut attempt = 1;
    loop {
        match once(conn, &mut work) {
            Err(AppError::Contention(cause)) if attempt < ATTEMPTS => {
                log::debug!("transaction lost a race ({cause}); attempt {} of {ATTEMPTS}", attempt + 1);
                // A short, growing pause lets the winner finish.
                std::thread::sleep(Duration::from_millis(5 * u64::from(attempt * attempt)));
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn once<T, F>(conn: &mut DbConn, work: &mut F) -> Result<T, AppError>
where
    F: FnMut(&mut DbConn) -> Result<T, AppError>,
{
    if deadline::too_late(deadline::COMMIT_MARGIN) {
        return Err(too_late());
    }
    match conn {
        DbConn::Sqlite(inner) => AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?,
        DbConn::Postgres(_) => Manager::begin_transaction(conn)?,
    }
    match work(conn) {
        Ok(_) if deadline::too_late(deadline::COMMIT_MARGIN) => {
            // The caller has been (or is about to be) told 503: do not commit behind its back.
            Manager::rollback_transaction(conn)?;
            Err(too_late())
        }
        Ok(value) => {
            if let Err(err) = Manager::commit_transaction(conn) {
                let _ = Manager::rollback_transaction(conn);
                return Err(err.into());
            }
            Ok(value)
        }
        Err(err) => {
            Manager::rollback_transaction(conn)?;
            Err(err)
        }
    }
}

fn too_late() -> AppError {
    AppError::Unavailable("the request's deadline passed before the transaction could commit".into())
}
