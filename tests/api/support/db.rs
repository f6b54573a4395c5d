//! One database per test: a temporary SQLite file, or a PostgreSQL database cloned from a
//! template migrated once per test process (`TEST_DATABASE_URL=postgres://…`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::Connection;

use sro_api::db::migrate;
use sro_api::db::pool::Manager;
use sro_api::db::Backend;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The server URL tests create their databases on, if PostgreSQL is selected.
pub fn pg_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"))
}

/// Replaces the database name of a PostgreSQL URL. The test server is local, so a URL that
/// names no `sslmode` gets `sslmode=disable`, as a deployment on a trusted network would set
/// it: the pipelined reader (`db::reader`) is then on, and the tests go through it.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) if q.contains("sslmode=") => (b, format!("?{q}")),
        Some((b, q)) => (b, format!("?{q}&sslmode=disable")),
        None => (url, "?sslmode=disable".to_owned()),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    format!("{prefix}/{name}{query}")
}

/// A test's own database; removed when dropped.
pub struct TestDb {
    /// Its `DATABASE_URL`.
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let admin = pg_admin_url().expect("postgres");
        let mut conn = PgConnection::establish(&admin).expect("connect to TEST_DATABASE_URL");
        sweep(&mut conn);
        let name = format!("sro_tpl_{}", std::process::id());
        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).expect("drop old template");
        conn.batch_execute(&format!("CREATE DATABASE {name}")).expect("create template");
        let mut tpl = Manager::new(Backend::Postgres(with_database(&admin, &name))).open().expect("open template");
        migrate::run_pending(&mut tpl).expect("migrate template");
        drop(tpl);
        name
    })
}

/// Drops databases left by test processes that no longer run.
fn sweep(conn: &mut PgConnection) {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let names: Vec<Name> = diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'sro\\_t%'")
        .load(conn)
        .unwrap_or_default();
    for Name { datname } in names {
        let pid = datname.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| !std::path::Path::new(&format!("/proc/{p}")).exists()) {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"));
        }
    }
}

impl TestDb {
    /// A fresh, migrated database of the selected backend.
    pub fn create() -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        match pg_admin_url() {
            Some(admin) => {
                let tpl = template();
                let name = format!("sro_t_{}_{n}", std::process::id());
                // CREATE DATABASE … TEMPLATE fails if another session copies the template at the
                // same moment; serialise the copies within this process.
                static LOCK: Mutex<()> = Mutex::new(());
                let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
                let mut conn = PgConnection::establish(&admin).expect("connect");
                conn.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {tpl}")).expect("create test database");
                TestDb { url: with_database(&admin, &name), pg_name: Some(name), _dir: None }
            }
            None => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}", dir.path().join(format!("t{n}.db")).display());
                TestDb { url, pg_name: None, _dir: Some(dir) }
            }
        }
    }

    /// Another handle on an existing database, which it does not drop.
    pub fn borrowed(url: &str) -> TestDb {
        TestDb { url: url.to_owned(), pg_name: None, _dir: None }
    }

    /// A URL of the same backend that cannot be reached.
    pub fn unreachable_url() -> String {
        match pg_admin_url() {
            Some(_) => "postgres://postgres@127.0.0.1:1/nothing?connect_timeout=2".into(),
            None => "sqlite:///nonexistent-dir/for/sure/x.db".into(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let (Some(name), Some(admin)) = (&self.pg_name, pg_admin_url()) {
            if let Ok(mut conn) = PgConnection::establish(&admin) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}
