//! The r2d2 pool of [`DbConn`] and [`run`], the one way request paths reach the database.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

use super::{Backend, DbConn};

/// The shared pool.
pub type Pool = r2d2::Pool<Manager>;

/// How long a request waits for a connection before answering 503.
pub const CHECKOUT_TIMEOUT: Duration = Duration::from_millis(1000);

/// SQLite's wait for a lock held by another writer; kept below the 503 deadline.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 1500;

/// Opens connections of the configured backend, keeping the driver's own error message.
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
}

/// A connection failure, with the driver's message.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The server or file could not be opened.
    #[error("{0}")]
    Connection(#[from] diesel::ConnectionError),
    /// A setup statement failed.
    #[error("{0}")]
    Query(#[from] diesel::result::Error),
}

impl Manager {
    /// A manager for `backend`.
    pub fn new(backend: Backend) -> Self {
        Manager { backend }
    }

    /// Opens one connection (also used by the CLI and migrations).
    pub fn open(&self) -> Result<DbConn, ConnectError> {
        match &self.backend {
            Backend::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
                ))?;
                Ok(DbConn::Sqlite(conn))
            }
            Backend::Postgres(url) => Ok(DbConn::Postgres(PgConnection::establish(url)?)),
        }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConn, ConnectError> {
        self.open()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1").map_err(ConnectError::from)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// Builds the pool without connecting, so the service starts while the database is down.
pub fn build(backend: &Backend, max_size: u32) -> Pool {
    r2d2::Pool::builder()
        .max_size(max_size.max(1))
        .min_idle(Some(0))
        .connection_timeout(CHECKOUT_TIMEOUT)
        // A checkout-time ping would cost a round trip per request; a dead connection
        // surfaces as a query error (503) and is then discarded by `has_broken`.
        .test_on_check_out(false)
        .error_handler(Box::new(r2d2::LoggingErrorHandler))
        .build_unchecked(Manager::new(backend.clone()))
}
