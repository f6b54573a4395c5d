//! Persistence: the connection enum over SQLite and PostgreSQL, the pool, transactions,
//! migrations and the Diesel schema. Nothing here knows about HTTP.

pub mod deadline;
pub mod migrate;
pub mod pool;
pub mod reader;
pub mod rows;
pub mod schema;
pub mod tx;

use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;

pub use pool::Pool;
pub use tx::write_tx;

/// The backend type of [`DbConn`] (for boxed queries).
pub type Db = <DbConn as diesel::Connection>::Backend;

/// One connection to whichever backend `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// An embedded SQLite file (the default).
    Sqlite(SqliteConnection),
    /// A PostgreSQL server (production).
    Postgres(PgConnection),
}

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite://path`, `sqlite:path` or a bare file path ending in `.db`.
    Sqlite(String),
    /// `postgres://…` or `postgresql://…`.
    Postgres(String),
}

impl Backend {
    /// Picks the backend by URL scheme; anything else is refused with a clear message.
    pub fn from_url(url: &str) -> Result<Backend, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Backend::Postgres(url.to_owned()));
        }
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if path.is_empty() || path == ":memory:" {
                return Err("DATABASE_URL: an SQLite URL needs a file path (sqlite://sro.db)".into());
            }
            return Ok(Backend::Sqlite(path.to_owned()));
        }
        Err(format!(
            "DATABASE_URL must start with sqlite:// or postgres:// (got `{}`)",
            url.split(':').next().unwrap_or_default()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::Backend;

    #[test]
    fn the_backend_is_chosen_by_scheme() {
        assert_eq!(Backend::from_url("sqlite://sro.db"), Ok(Backend::Sqlite("sro.db".into())));
        assert!(matches!(Backend::from_url("postgres://u@h/db"), Ok(Backend::Postgres(_))));
        assert!(Backend::from_url("mysql://x").is_err());
        assert!(Backend::from_url("sro.db").is_err());
        assert!(Backend::from_url("sqlite://:memory:").is_err());
    }
}
