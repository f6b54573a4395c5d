//! Pipelined reads on PostgreSQL: one asynchronous connection per HTTP worker, shared by every
//! request that worker is answering, for the hottest single-statement reads (issue 11).
//!
//! The pool (`db::pool`) lends a connection to one request at a time on a blocking thread, so
//! each read pays a thread hop both ways and PostgreSQL wakes once per statement. Here requests
//! running at once on a worker send their statements down one connection back to back
//! (tokio-postgres pipelines them), PostgreSQL finds the next one already waiting, and nothing
//! leaves the worker's thread. The statements are the ones the pool path would send (derived
//! from the same Diesel query, see `service::schools`), prepared once per connection.
//!
//! Only plain reads come here: writes, transactions and anything audited keep the pool, and
//! SQLite always does. The connection has no TLS, so it is used only where libpq would not
//! encrypt either (`sslmode=disable`, or a Unix socket); any other `DATABASE_URL`, or one with
//! settings tokio-postgres does not know, leaves the reader off and those reads on the pool.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::config::SslMode;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Row, Statement};

use super::deadline::REQUEST as DEADLINE;
use super::pool::PG_SESSION_LIMITS;
use super::Backend;
use crate::error::AppError;

/// How to open the reader's connections, shared by every worker; `None` when reads use the pool.
#[derive(Clone, Default)]
pub struct ReaderConfig(Option<Arc<tokio_postgres::Config>>);

impl ReaderConfig {
    /// Whether reads come to the reader rather than the pool.
    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// The settings for `backend`, or off (SQLite, TLS asked for, or settings it cannot honour).
    pub fn for_backend(backend: &Backend) -> Self {
        match backend {
            Backend::Sqlite(_) => ReaderConfig(None),
            Backend::Postgres(url) => match pg_config(url) {
                Ok(config) => ReaderConfig(Some(Arc::new(config))),
                Err(why) => {
                    log::info!("pipelined reads off, every read uses the pool: {why}");
                    ReaderConfig(None)
                }
            },
        }
    }
}

/// The URL as tokio-postgres reads it, with the libpq defaults of `db::pool`. The reader has
/// no TLS, so it is on only where libpq would not encrypt either: `sslmode=disable`, or a Unix
/// socket. With libpq's default (`prefer`) the pool encrypts whenever the server offers TLS, and
/// the reader must not send the same records in the clear.
fn pg_config(url: &str) -> Result<tokio_postgres::Config, String> {
    let mut config = tokio_postgres::Config::from_str(url).map_err(|e| format!("DATABASE_URL: {e}"))?;
    let hosts = config.get_hosts();
    if hosts.is_empty() {
        return Err("DATABASE_URL names no host (libpq's default socket is not read here)".into());
    }
    let unix_only = hosts.iter().all(|h| !matches!(h, tokio_postgres::config::Host::Tcp(_)));
    if config.get_ssl_mode() != SslMode::Disable && !unix_only {
        return Err("the pipelined reader has no TLS; set sslmode=disable where the network is trusted".into());
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(2));
    }
    // Set, not defaulted: libpq reads tcp_user_timeout in milliseconds, tokio-postgres in
    // seconds, so a value meant for the pool would be a thousand times too long here.
    config
        .tcp_user_timeout(Duration::from_secs(10))
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(10))
        .keepalives_interval(Duration::from_secs(5))
        .keepalives_retries(3);
    Ok(config)
}

/// One worker's connection and the statements prepared on it.
struct Conn {
    client: Client,
    /// Keyed by the address of the statement's text: every statement comes from a `static`, and
    /// hashing the text itself (a kilobyte or two) would cost more than the lookup saves.
    statements: RefCell<HashMap<(usize, usize), Statement>>,
}

/// A worker's reader: created per HTTP worker (`app::build`), so it never crosses threads.
pub struct Reader {
    config: ReaderConfig,
    conn: RefCell<Option<Rc<Conn>>>,
    connecting: tokio::sync::Mutex<()>,
}

impl Reader {
    /// A reader for one worker; it connects on first use.
    pub fn new(config: ReaderConfig) -> Self {
        Reader { config, conn: RefCell::new(None), connecting: tokio::sync::Mutex::new(()) }
    }

    /// Whether reads may come here (PostgreSQL without TLS); otherwise they use the pool.
    pub fn is_on(&self) -> bool {
        self.config.is_on()
    }

    /// Runs `sql` (prepared once per connection) and returns its row, if any, within the
    /// request deadline: a database that does not answer in time, or cannot be reached, gives
    /// 503, and a connection that failed or stalled is dropped so the next request opens a new
    /// one.
    pub async fn query_opt(&self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>, AppError> {
        let Some(config) = self.config.0.as_deref() else {
            return Err(AppError::Internal("pipelined read asked of a reader that is off".into()));
        };
        let until = tokio::time::Instant::now() + DEADLINE;
        let late = || AppError::Unavailable(format!("database work took longer than {DEADLINE:?}"));
        let conn = match tokio::time::timeout_at(until, self.connection(config)).await {
            Ok(Ok(conn)) => conn,
            // Refused, unreachable, or turned away at login: the database is not there for us.
            Ok(Err(err)) => return Err(AppError::Unavailable(err.to_string())),
            Err(_) => return Err(late()),
        };
        match tokio::time::timeout_at(until, Self::run(&conn, sql, params)).await {
            Ok(Ok(row)) => Ok(row),
            Ok(Err(err)) => {
                let gone = err.is_closed() || conn.client.is_closed();
                if gone {
                    self.forget(&conn);
                }
                Err(to_app_error(&err, gone))
            }
            Err(_) => {
                self.forget(&conn);
                Err(late())
            }
        }
    }

    async fn run(
        conn: &Conn,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, tokio_postgres::Error> {
        let key = (sql.as_ptr() as usize, sql.len());
        let cached = conn.statements.borrow().get(&key).cloned();
        let statement = match cached {
            Some(statement) => statement,
            None => {
                let statement = conn.client.prepare(sql).await?;
                conn.statements.borrow_mut().insert(key, statement.clone());
                statement
            }
        };
        conn.client.query_opt(&statement, params).await
    }

    /// Drops `conn` from the slot if it is still the current one (a request that failed on an
    /// older connection must not drop the one that replaced it).
    fn forget(&self, conn: &Rc<Conn>) {
        let mut slot = self.conn.borrow_mut();
        if slot.as_ref().is_some_and(|current| Rc::ptr_eq(current, conn)) {
            *slot = None;
        }
    }

    /// The open connection, opening one (once, however many requests ask at the same time).
    async fn connection(&self, config: &tokio_postgres::Config) -> Result<Rc<Conn>, tokio_postgres::Error> {
        if let Some(conn) = self.open_conn() {
            return Ok(conn);
        }
        let _only_one = self.connecting.lock().await;
        if let Some(conn) = self.open_conn() {
            return Ok(conn);
        }
        let (client, connection) = config.connect(NoTls).await?;
        // Driven on this worker's own thread; it ends when the client is dropped or the server
        // goes away (the next request then reconnects).
        tokio::task::spawn_local(async move {
            if let Err(err) = connection.await {
                log::warn!("pipelined read connection ended: {err}");
            }
        });
        client.batch_execute(PG_SESSION_LIMITS).await?;
        let conn = Rc::new(Conn { client, statements: RefCell::new(HashMap::new()) });
        *self.conn.borrow_mut() = Some(conn.clone());
        Ok(conn)
    }

    fn open_conn(&self) -> Option<Rc<Conn>> {
        self.conn.borrow().as_ref().filter(|conn| !conn.client.is_closed()).cloned()
    }
}

/// A driver error as the API reports it: the database busy, slow or gone (`gone`: the
/// connection closed) is 503, as on the pool path (`From<diesel::result::Error>`); anything
/// else, a statement or a value the server refused, is a defect (500).
fn to_app_error(err: &tokio_postgres::Error, gone: bool) -> AppError {
    let unavailable = gone
        || err.code().is_some_and(|code| {
            *code == SqlState::QUERY_CANCELED
                || *code == SqlState::LOCK_NOT_AVAILABLE
                || *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CRASH_SHUTDOWN
                || *code == SqlState::CANNOT_CONNECT_NOW
                || *code == SqlState::TOO_MANY_CONNECTIONS
                || code.code().starts_with("08")
        });
    if unavailable {
        AppError::Unavailable(err.to_string())
    } else {
        AppError::Internal(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_is_on_only_where_libpq_would_not_encrypt_either() {
        let on = |url: &str| ReaderConfig::for_backend(&Backend::Postgres(url.into())).is_on();
        assert!(on("postgres://u@127.0.0.1:5432/db?sslmode=disable"));
        assert!(on("postgres://u@127.0.0.1:5432/db?sslmode=disable&connect_timeout=5"));
        assert!(on("postgres://u@%2Fvar%2Frun%2Fpostgresql/db"));
        // libpq's default (prefer) encrypts when the server offers TLS: the pool keeps these.
        assert!(!on("postgres://u@127.0.0.1:5432/db"));
        assert!(!on("postgres://u@127.0.0.1:5432/db?sslmode=prefer"));
        assert!(!on("postgres://u@127.0.0.1:5432/db?sslmode=require"));
        assert!(!on("postgres://u@127.0.0.1:5432/db?sslmode=disable&sslrootcert=/etc/ca.pem"));
        assert!(!on("postgres:///db?sslmode=disable"), "libpq's default socket is not read");
        assert!(!ReaderConfig::for_backend(&Backend::Sqlite("x.db".into())).is_on());
    }

    #[test]
    fn timeouts_are_set_in_the_units_tokio_postgres_reads() {
        let config = pg_config("postgres://u@h/db?sslmode=disable").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.get_connect_timeout(), Some(&Duration::from_secs(2)));
        assert_eq!(config.get_tcp_user_timeout(), Some(&Duration::from_secs(10)));
        let config = pg_config("postgres://u@h/db?sslmode=disable&connect_timeout=9&tcp_user_timeout=10000")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.get_connect_timeout(), Some(&Duration::from_secs(9)));
        assert_eq!(
            config.get_tcp_user_timeout(),
            Some(&Duration::from_secs(10)),
            "a libpq value in ms is not taken as seconds"
        );
    }
}
