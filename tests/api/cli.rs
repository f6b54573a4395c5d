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
