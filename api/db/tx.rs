//! Write transactions that behave the same on both backends.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::Connection;

use super::DbConn;

type Manager = <DbConn as Connection>::TransactionManager;

/// Runs `work` in one write transaction: committed if it returns Ok, rolled back otherwise.
///
/// On SQLite it begins with `BEGIN IMMEDIATE`: a deferred transaction that reads first and is
/// overtaken by another writer fails at once with "database is locked", whatever the busy
/// timeout, while an immediate one waits its turn.
pub fn write_tx<T, E, F>(conn: &mut DbConn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(inner) => AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?,
        DbConn::Postgres(_) => Manager::begin_transaction(conn)?,
    }
    match work(conn) {
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
