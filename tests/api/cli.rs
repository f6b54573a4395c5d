//! The `sro-api` binary's subcommands: exit status, stdout and messages.

use std::process::Command;

use crate::support::*;

fn sro_api(db: &TestDb) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sro-api"));
    cmd.env("DATABASE_URL", &db.url).env("RUST_LOG", "warn");
    cmd
}

#[test]
fn clients_create_prints_the_id_and_secret_once_as_json() {
    let db = TestDb::create();
    let out = sro_api(&db)
        .args(["clients", "create", "--name", "OCDSB SIS", "--role", "board", "--board", "ocdsb"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["board_id"], OCDSB);
    assert!(json["client_id"].is_string() && json["client_secret"].as_str().unwrap().len() >= 40);
    let narrowed = sro_api(&db)
        .args(["clients", "create", "--name", "dash", "--role", "dashboard", "--scopes", "stats:read"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&narrowed.stdout).unwrap();
    assert_eq!(json["scopes"], serde_json::json!(["stats:read"]));
}

#[test]
fn clients_create_refuses_bad_roles_bindings_and_scopes_with_a_message() {
    let db = TestDb::create();
    for (args, says) in [
        (vec!["--role", "root"], "--role"),
        (vec!["--role", "board"], "board_id"),
        (vec!["--role", "board", "--board", "XYZ"], "--board"),
        (vec!["--role", "board", "--board", "OCSB", "--scopes", "persons:read"], "scopes"),
        (vec!["--role", "admin", "--scopes", "nope"], "--scopes"),
    ] {
        let out = sro_api(&db).args(["clients", "create", "--name", "x"]).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty(), "no secret printed on failure");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn import_schools_is_all_or_nothing_and_names_bad_rows() {
    let db = TestDb::create();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "ministry_number,name,level,kind,board\n100001,A,elementary,public,OCDSB\n12,B,elementary,public,OCDSB\n",
    )
    .unwrap();
    let out = sro_api(&db).args(["import", "schools"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rows[1].ministry_number"));
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "ministry_number,name,level,kind,board\n100001,A,elementary,public,OCDSB\n").unwrap();
    let out = sro_api(&db).args(["import", "schools"]).arg(&good).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 created"));
    let missing = sro_api(&db).args(["import", "schools", "/no/such/file.csv"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
}

/// Catches a purge command that is missing, changes data on a dry run, prints no record of the
/// run, or starts on a broken access-period table or a bad PURGE_AT.
#[test]
fn purge_runs_one_pass_and_a_dry_run_is_recorded_too() {
    let db = TestDb::create();
    let out = sro_api(&db).args(["purge", "--dry-run"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["run"]["dry_run"], true);
    assert_eq!((report["sealed"].clone(), report["errors"].clone()), (serde_json::json!([]), serde_json::json!(0)));
    let out = sro_api(&db).arg("purge").output().unwrap();
    assert!(out.status.success());
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["run"]["dry_run"], false);
    let out = sro_api(&db).arg("purge").env("PURGE_AT", "25:99").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PURGE_AT"));
    let out = sro_api(&db).arg("purge").env("ACCESS_PERIODS_FILE", "/nonexistent/periods.csv").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ACCESS_PERIODS_FILE"));
}

#[test]
fn migrate_and_openapi_work_and_a_bad_database_url_is_refused_clearly() {
    let db = TestDb::create();
    assert!(sro_api(&db).arg("migrate").status().unwrap().success());
    let doc = sro_api(&db).arg("openapi").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&doc.stdout), sro_api::openapi::render());
    let out =
        Command::new(env!("CARGO_BIN_EXE_sro-api")).arg("migrate").env("DATABASE_URL", "mysql://x").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL"));
}

#[test]
fn serve_stops_at_start_naming_the_variable_when_a_previous_key_is_bad() {
    let db = TestDb::create();
    let private = sro_api::auth::keys::generate_private_pem().unwrap();
    for (bad, with_signing_key) in [(private.as_str(), false), ("/no/such/key.pem", true), ("not a key", false)] {
        let mut cmd = sro_api(&db);
        cmd.args(["serve"]).env("BIND_ADDR", "127.0.0.1:0").env("JWT_PREVIOUS_KEYS", bad);
        if with_signing_key {
            cmd.env("JWT_SIGNING_KEY", test_signing_key());
        }
        let mut child = cmd.stderr(std::process::Stdio::piped()).spawn().unwrap();
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > std::time::Duration::from_secs(20) {
                child.kill().unwrap();
                panic!("serve kept running with JWT_PREVIOUS_KEYS={bad:?}");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(!status.success());
        assert!(stderr.contains("JWT_PREVIOUS_KEYS"), "{stderr}");
        assert!(!stderr.contains("PRIVATE KEY"), "the key itself is never printed: {stderr}");
    }
}

/// Starts `sro-api serve` on a random port; returns the child, its address and its log lines.
pub(crate) fn serve_process(
    db: &TestDb,
    grace: &str,
) -> (std::process::Child, std::net::SocketAddr, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead;
    let mut child = sro_api(db)
        .args(["serve"])
        .env("BIND_ADDR", "127.0.0.1:0")
        .env("JWT_SIGNING_KEY", test_signing_key())
        .env("SHUTDOWN_GRACE_SECONDS", grace)
        .env("RUST_LOG", "info")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let addr = loop {
        let line = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("serve logs where it listens");
        if let Some(at) = line.split("listening on http://").nth(1) {
            break at.trim().parse().unwrap();
        }
    };
    (child, addr, rx)
}

pub(crate) fn terminate_and_wait(child: &mut std::process::Child) -> std::process::ExitStatus {
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill(); // never leave a server holding the test's output pipes
            panic!("serve did not stop on SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn serve_exits_non_zero_naming_the_count_when_shutdown_abandons_requests() {
    use std::io::Write;
    let db = TestDb::create();
    // Nothing in flight: a clean stop is exit 0.
    let (mut child, _, _) = serve_process(&db, "1");
    assert!(terminate_and_wait(&mut child).success());
    // A request whose body never finishes is still running when the 1 s grace period ends.
    let (mut child, addr, logs) = serve_process(&db, "1");
    let token = offline_admin_token();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /v1/officers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"a\":"
    );
    stream.write_all(head.as_bytes()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let status = terminate_and_wait(&mut child);
    assert!(!status.success(), "an abandoned request is a failed shutdown");
    let text: Vec<String> = logs.try_iter().collect();
    assert!(text.iter().any(|l| l.contains("abandoned 1 request")), "{text:?}");
}
