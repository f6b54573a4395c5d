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

/// Server-side bounds on every pooled PostgreSQL connection, all below the request deadline
/// (`http::blocking::DEADLINE`, 1.9 s): a statement that runs too long, a lock held elsewhere,
/// or a transaction whose client went quiet (its COMMIT stuck in a stalled network) is ended by
/// the server and rolled back, so no write commits after its caller was told 503.
pub const PG_SESSION_LIMITS: &str = "SET statement_timeout = '1500ms'; SET lock_timeout = '1000ms'; \
     SET idle_in_transaction_session_timeout = '1500ms';";

/// libpq settings added to a PostgreSQL URL unless it names them: a connect timeout (libpq's
/// smallest, 2 s), and TCP keepalives and a user timeout so a dead peer is noticed.
const PG_URL_DEFAULTS: &[(&str, &str)] = &[
    ("connect_timeout", "2"),
    ("keepalives", "1"),
    ("keepalives_idle", "10"),
    ("keepalives_interval", "5"),
    ("keepalives_count", "3"),
    ("tcp_user_timeout", "10000"),
];

/// `url` with the libpq defaults above added where it does not set them.
pub fn with_pg_defaults(url: &str) -> String {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let given: Vec<&str> = query.split('&').filter_map(|p| p.split('=').next()).collect();
    let mut out = url.to_owned();
    for (key, value) in PG_URL_DEFAULTS {
        if !given.contains(key) {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&format!("{key}={value}"));
        }
    }
    out
}

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
            Backend::Postgres(url) => Ok(DbConn::Postgres(PgConnection::establish(&with_pg_defaults(url))?)),
        }
    }

    /// Opens a connection for request work: on PostgreSQL with [`PG_SESSION_LIMITS`]. Migrations
    /// and the CLI use [`Manager::open`], with no limits (they may wait for a lock or run long).
    pub fn open_bounded(&self) -> Result<DbConn, ConnectError> {
        let mut conn = self.open()?;
        if let DbConn::Postgres(pg) = &mut conn {
            pg.batch_execute(PG_SESSION_LIMITS)?;
        }
        Ok(conn)
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConn, ConnectError> {
        self.open_bounded()
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

#[cfg(test)]
mod tests {
    use super::with_pg_defaults;

    #[test]
    fn libpq_defaults_are_added_unless_the_url_sets_them() {
        let url = with_pg_defaults("postgres://u@h/db");
        assert!(url.starts_with("postgres://u@h/db?connect_timeout=2&keepalives=1"), "{url}");
        let url = with_pg_defaults("postgres://u@h/db?sslmode=require&connect_timeout=9");
        assert!(url.contains("connect_timeout=9") && !url.contains("connect_timeout=2"), "{url}");
        assert!(url.contains("sslmode=require") && url.contains("&keepalives=1"), "{url}");
    }
}
