//! Embedded migrations, one set per backend, applied under an advisory lock on PostgreSQL.

use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConn;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Arbitrary constant naming the migration lock among PostgreSQL advisory locks.
const MIGRATION_LOCK: i64 = 0x0053_524f_5f4d_4947;

/// Applies pending migrations and returns the names of those applied.
pub fn run_pending(conn: &mut DbConn) -> Result<Vec<String>, String> {
    match conn {
        DbConn::Sqlite(c) => {
            // WAL lets readers proceed while one writer commits; it persists in the file.
            c.batch_execute("PRAGMA journal_mode = WAL;").map_err(|e| e.to_string())?;
            apply(c, SQLITE)
        }
        DbConn::Postgres(c) => {
            // Replicas starting together wait here instead of racing each other.
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).map_err(|e| e.to_string())?;
            let result = apply(c, POSTGRES);
            let unlock = c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
            let applied = result?;
            unlock.map_err(|e| e.to_string())?;
            Ok(applied)
        }
    }
}

/// True when no migration is pending.
pub fn is_current(conn: &mut DbConn) -> Result<bool, String> {
    let pending = match conn {
        DbConn::Sqlite(c) => c.pending_migrations(SQLITE).map(|p| p.len()),
        DbConn::Postgres(c) => c.pending_migrations(POSTGRES).map(|p| p.len()),
    };
    pending.map(|n| n == 0).map_err(|e| e.to_string())
}

/// Reverts every migration (used by the round-trip test).
pub fn revert_all(conn: &mut DbConn) -> Result<(), String> {
    match conn {
        DbConn::Sqlite(c) => c.revert_all_migrations(SQLITE).map(|_| ()),
        DbConn::Postgres(c) => c.revert_all_migrations(POSTGRES).map(|_| ()),
    }
    .map_err(|e| e.to_string())
}

fn apply<C>(conn: &mut C, migrations: EmbeddedMigrations) -> Result<Vec<String>, String>
where
    C: MigrationHarness<C::Backend> + diesel::Connection,
{
    conn.run_pending_migrations(migrations)
        .map(|versions| versions.iter().map(|v| v.to_string()).collect())
        .map_err(|e| e.to_string())
}
