//! Migration parity between the backends, and an up-down-up round trip.

use diesel::prelude::*;

use crate::support::*;
use sro_api::db::migrate;
use sro_api::db::pool::Manager;
use sro_api::db::{Backend, DbConn};

fn names(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    for name in &names {
        for file in ["up.sql", "down.sql"] {
            assert!(dir.join(name).join(file).exists(), "{backend}/{name}/{file} missing");
        }
    }
    names
}

#[test]
fn both_backends_have_the_same_migrations() {
    assert_eq!(names("sqlite"), names("postgres"));
}

#[derive(QueryableByName, PartialEq, Debug)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

fn columns(conn: &mut DbConn) -> Vec<String> {
    let sql = match conn {
        DbConn::Sqlite(_) => "SELECT m.name || '.' || p.name AS name FROM sqlite_master m, pragma_table_info(m.name) p \
                              WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations' ORDER BY 1",
        DbConn::Postgres(_) => "SELECT table_name || '.' || column_name AS name FROM information_schema.columns \
                                WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' ORDER BY 1",
    };
    diesel::sql_query(sql).load::<Column>(conn).unwrap().into_iter().map(|c| c.name).collect()
}

#[test]
fn migrations_round_trip_up_down_up_to_the_same_schema() {
    let db = TestDb::create();
    let mut conn = Manager::new(Backend::from_url(&db.url).unwrap()).open().unwrap();
    migrate::run_pending(&mut conn).unwrap();
    let before = columns(&mut conn);
    assert!(before.contains(&"schools.name_folded".to_string()));
    migrate::revert_all(&mut conn).unwrap();
    assert!(columns(&mut conn).is_empty());
    migrate::run_pending(&mut conn).unwrap();
    assert_eq!(columns(&mut conn), before);
    assert!(migrate::is_current(&mut conn).unwrap());
}

#[test]
fn foreign_keys_are_enforced() {
    let db = TestDb::create();
    let mut conn = Manager::new(Backend::from_url(&db.url).unwrap()).open().unwrap();
    migrate::run_pending(&mut conn).unwrap();
    let result = diesel::sql_query(
        "INSERT INTO schools (id, board_id, ministry_number, name, name_folded, level, kind, active, created_at, updated_at, version) \
         VALUES ('x', 'no-such-board', '999999', 'x', 'x', 'elementary', 'public', true, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)",
    )
    .execute(&mut conn);
    assert!(result.is_err(), "a school of a board that does not exist was accepted");
}

#[test]
#[ignore = "PostgreSQL only: run with --include-ignored and TEST_DATABASE_URL"]
fn postgres_connections_can_use_tls_through_sslmode() {
    let admin = crate::support::db::pg_admin_url().expect("TEST_DATABASE_URL=postgres://… for this test");
    let separator = if admin.contains('?') { '&' } else { '?' };
    let url = format!("{admin}{separator}sslmode=require");
    let mut conn = Manager::new(Backend::from_url(&url).unwrap()).open().expect("TLS connection (sslmode=require)");
    #[derive(QueryableByName)]
    struct Ssl {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ssl: bool,
    }
    let row: Ssl =
        diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").get_result(&mut conn).unwrap();
    assert!(row.ssl, "the bundled libpq negotiated TLS");
}
