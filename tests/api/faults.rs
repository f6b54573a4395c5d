//! A busy or failing database: races of 64 writers, deadlock-prone moves, transactions run
//! again, a burst of token requests, and (PostgreSQL only, `--include-ignored`) a network that
//! stalls or is cut, a lock held elsewhere and a slow statement. API.md §6: 503 within 2 s,
//! never a hang, never a 500, and no write committed after its caller was told 503.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::Connection;
use serde_json::{json, Value};

use crate::support::proxy::Proxy;
use crate::support::*;
use sro_api::config::Config;
use sro_api::error::AppError;

/// Generous bound for "within 2 s" on a busy 2-core machine; a hang takes far longer.
const ANSWER_BOUND: Duration = Duration::from_millis(2500);

fn pg_only() -> String {
    db::pg_admin_url()
        .expect("a PostgreSQL-only test: run it with TEST_DATABASE_URL=postgres://… and --include-ignored")
}

#[actix_web::test]
async fn sixty_four_simultaneous_puts_of_one_new_school_all_succeed_and_one_creates() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for round in 0..8 {
        let number = format!("77000{round}");
        let body = school_body(&number, Some(OCDSB), "public");
        let path = format!("/v1/schools/by-ministry-number/{number}");
        let answers = futures_util::future::join_all((0..64).map(|_| app.put(&path, &admin, &body))).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        assert!(statuses.iter().all(|s| *s == 200 || *s == 201), "round {round}: {statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "round {round}: {statuses:?}");
        let ids: std::collections::HashSet<&str> = answers.iter().map(|r| r.body["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 1, "one school");
    }
}

#[actix_web::test]
async fn identical_imports_racing_each_other_all_succeed() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let rows: Vec<Value> =
        (0..40).map(|n| school_body(&format!("{:06}", 880_000 + n), Some(OCDSB), "public")).collect();
    let body = json!(rows);
    let answers = futures_util::future::join_all((0..8).map(|_| app.post("/v1/schools/import", &admin, &body))).await;
    for res in &answers {
        assert_eq!(res.status, 200, "{}", &res.text[..res.text.len().min(300)]);
    }
    let listed = app.get("/v1/schools?limit=500", &admin).await;
    assert_eq!(ids(&listed.body).len(), 40, "each school once");
}

#[actix_web::test]
async fn assignments_moved_between_two_schools_in_opposite_directions_never_fail() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let a = app.school(&admin, "610001", OCDSB).await;
    let b = app.school(&admin, "610002", OCDSB).await;
    let officer = app.officer(&admin, "61").await;
    let new = |school: &Value| json!({"school_id": school["id"], "officer_id": officer["id"], "role": "backup", "starts_on": "2026-09-01"});
    // Three assignments start at each school; every round moves all of them across at once.
    let mut at_a = Vec::new();
    let mut at_b = Vec::new();
    for _ in 0..3 {
        at_a.push(format!(
            "/v1/assignments/{}",
            app.post("/v1/assignments", &admin, &new(&a)).await.body["id"].as_str().unwrap()
        ));
        at_b.push(format!(
            "/v1/assignments/{}",
            app.post("/v1/assignments", &admin, &new(&b)).await.body["id"].as_str().unwrap()
        ));
    }
    let (to_b, to_a) = (json!({"school_id": b["id"]}), json!({"school_id": a["id"]}));
    let mut slowest = Duration::ZERO;
    for round in 0..20 {
        let started = Instant::now();
        let moves =
            at_a.iter().map(|p| app.patch(p, &admin, &to_b)).chain(at_b.iter().map(|p| app.patch(p, &admin, &to_a)));
        let answers = futures_util::future::join_all(moves).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        assert!(statuses.iter().all(|s| *s == 200), "round {round}: {statuses:?}");
        slowest = slowest.max(started.elapsed());
        std::mem::swap(&mut at_a, &mut at_b);
    }
    // PostgreSQL detects a deadlock only after deadlock_timeout (1 s): moves that locked the two
    // schools in opposite orders would take that long even when the retry then succeeds.
    assert!(slowest < Duration::from_secs(1), "slowest round {slowest:?}: the moves waited on each other");
}

#[actix_web::test]
async fn a_transaction_that_loses_a_race_runs_again_and_gives_503_once_retries_are_spent() {
    let app = TestApp::spawn().await;
    let (runs, result) = sro_api::http::blocking::run(&app.state.pool, |conn| {
        let mut runs = 0;
        let result = sro_api::db::write_tx(conn, |_| {
            runs += 1;
            if runs == 1 {
                Err(AppError::Contention("deadlock detected".into()))
            } else {
                Ok(runs)
            }
        });
        Ok((runs, result))
    })
    .await
    .unwrap();
    assert_eq!((runs, result.unwrap()), (2, 2), "run again after a lost race");
    let (runs, result) = sro_api::http::blocking::run(&app.state.pool, |conn| {
        let mut runs = 0;
        let result: Result<(), AppError> = sro_api::db::write_tx(conn, |_| {
            runs += 1;
            Err(AppError::Contention("could not serialize access".into()))
        });
        Ok((runs, result))
    })
    .await
    .unwrap();
    assert_eq!(runs, sro_api::db::tx::ATTEMPTS);
    assert_eq!(result.unwrap_err().status(), 503);
    let mapped: AppError = diesel::result::Error::DatabaseError(
        diesel::result::DatabaseErrorKind::Unknown,
        Box::new("deadlock detected".to_string()),
    )
    .into();
    assert!(matches!(mapped, AppError::Contention(_)), "40P01 is a lost race, not a 500");
}

#[actix_web::test]
async fn a_burst_of_token_requests_leaves_ordinary_reads_unaffected() {
    let app = TestApp::spawn_with(|c| c.db_pool_size = 2).await;
    let admin = app.admin().await;
    let (id, secret) = app.credentials(sro_api::domain::access::Role::Dashboard, None, None).await;
    let form = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
    let token = |_| {
        let req = actix_web::test::TestRequest::post()
            .uri("/oauth/token")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(form.clone());
        app.send(req)
    };
    let tokens = futures_util::future::join_all((0..80).map(token));
    let reads = async {
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(app.get("/v1/boards", &admin).await.status);
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        statuses
    };
    let (tokens, reads) = futures_util::future::join(tokens, reads).await;
    assert!(reads.iter().all(|s| *s == 200), "reads during the burst: {reads:?}");
    let statuses: Vec<u16> = tokens.iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s == 200), "every token request answered: {statuses:?}");
}

/// Waits (at most 15 s) for the service to answer again once the network is back, on the pool
/// (`/v1/officers`) and on the pipelined read connection (`school`, a school's path).
async fn recovers(app: &TestApp, token: &str, school: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while app.get("/v1/officers", token).await.status != 200 || app.get(school, token).await.status != 200 {
        assert!(Instant::now() < deadline, "the service recovers once the network does");
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The app on its own database, reached through a proxy.
async fn behind_proxy() -> (TestApp, Proxy, String) {
    let admin_url = pg_only();
    let db = TestDb::create();
    let upstream = admin_url.split('@').nth(1).and_then(|rest| rest.split('/').next()).unwrap().to_owned();
    let proxy = Proxy::start(upstream.parse().unwrap());
    let proxied = db.url.replace(&upstream, &proxy.addr.to_string());
    let direct = db.url.clone();
    let config = Config {
        database_url: proxied,
        jwt_signing_key: Some(test_signing_key()),
        db_pool_size: 4,
        ..Config::default()
    };
    (TestApp::on(db, config).await, proxy, direct)
}

#[actix_web::test]
#[ignore = "PostgreSQL only: run with --include-ignored and TEST_DATABASE_URL"]
async fn a_stalled_database_gives_503_within_two_seconds_and_commits_nothing_late() {
    let (app, proxy, direct) = behind_proxy().await;
    let admin = app.admin().await;
    let officer = app.officer(&admin, "4521").await;
    let path = format!("/v1/officers/{}", officer["id"].as_str().unwrap());
    let school = format!("/v1/schools/{}", app.school(&admin, "900001", OCDSB).await["id"].as_str().unwrap());
    for _ in 0..4 {
        assert_eq!(app.get("/v1/officers", &admin).await.status, 200);
        assert_eq!(app.get(&school, &admin).await.status, 200);
    }
    proxy.stall();
    let started = Instant::now();
    // The write and the list on the pool, the school on the pipelined read connection.
    let (write, read, pipelined) = futures_util::future::join3(
        app.patch(&path, &admin, &json!({"phone": "613-555-0999"})),
        app.get("/v1/officers", &admin),
        app.get(&school, &admin),
    )
    .await;
    let elapsed = started.elapsed();
    write.assert_problem(503, "unavailable");
    read.assert_problem(503, "unavailable");
    pipelined.assert_problem(503, "unavailable");
    assert!(pipelined.header("retry-after").is_some());
    assert!(write.header("retry-after").is_some());
    assert!(elapsed < ANSWER_BOUND, "answered after {elapsed:?}");
    // The held statements go through late; the write must not commit behind the 503.
    actix_web::rt::time::sleep(Duration::from_secs(3)).await;
    proxy.resume();
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    let phone = actix_web::web::block(move || {
        use diesel::prelude::*;
        let mut conn = diesel::pg::PgConnection::establish(&direct).unwrap();
        sro_api::db::schema::officers::table
            .select(sro_api::db::schema::officers::phone)
            .first::<Option<String>>(&mut conn)
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(phone.as_deref(), Some("613-555-0100"), "the abandoned write was rolled back");
    recovers(&app, &admin, &school).await;
}

#[actix_web::test]
#[ignore = "PostgreSQL only: run with --include-ignored and TEST_DATABASE_URL"]
async fn a_cut_database_gives_503_quickly_and_the_service_recovers() {
    let (app, proxy, _) = behind_proxy().await;
    let admin = app.admin().await;
    let school = format!("/v1/schools/{}", app.school(&admin, "900001", OCDSB).await["id"].as_str().unwrap());
    assert_eq!(app.get("/v1/officers", &admin).await.status, 200);
    assert_eq!(app.get(&school, &admin).await.status, 200);
    proxy.cut();
    let started = Instant::now();
    app.get("/v1/officers", &admin).await.assert_problem(503, "unavailable");
    app.get(&school, &admin).await.assert_problem(503, "unavailable");
    app.post("/v1/officers", &admin, &json!({"badge_number": "9", "first_name": "A", "last_name": "B"}))
        .await
        .assert_problem(503, "unavailable");
    assert!(started.elapsed() < 3 * ANSWER_BOUND, "three answers after {:?}", started.elapsed());
    proxy.resume();
    recovers(&app, &admin, &school).await;
}

#[actix_web::test]
#[ignore = "PostgreSQL only: run with --include-ignored and TEST_DATABASE_URL"]
async fn a_row_or_table_locked_elsewhere_gives_503_within_two_seconds() {
    pg_only();
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let officer = app.officer(&admin, "4521").await;
    let id = officer["id"].as_str().unwrap().to_owned();
    let url = app.state.config.database_url.clone();
    let mut holder = diesel::pg::PgConnection::establish(&url).unwrap();
    holder.batch_execute(&format!("BEGIN; SELECT 1 FROM officers WHERE id = '{id}' FOR UPDATE;")).unwrap();
    let started = Instant::now();
    app.patch(&format!("/v1/officers/{id}"), &admin, &json!({"phone": "1"})).await.assert_problem(503, "unavailable");
    assert!(started.elapsed() < ANSWER_BOUND, "row lock: answered after {:?}", started.elapsed());
    holder.batch_execute("ROLLBACK; BEGIN; LOCK TABLE officers IN ACCESS EXCLUSIVE MODE;").unwrap();
    let started = Instant::now();
    app.get("/v1/officers", &admin).await.assert_problem(503, "unavailable");
    assert!(started.elapsed() < ANSWER_BOUND, "table lock: answered after {:?}", started.elapsed());
    holder.batch_execute("ROLLBACK").unwrap();
    assert_eq!(app.patch(&format!("/v1/officers/{id}"), &admin, &json!({"phone": "1"})).await.status, 200);
}

#[actix_web::test]
#[ignore = "PostgreSQL only: run with --include-ignored and TEST_DATABASE_URL"]
async fn a_slow_statement_or_an_idle_transaction_is_ended_by_the_server() {
    pg_only();
    let app = TestApp::spawn().await;
    let pool = app.state.pool.clone();
    let (slow, idle) = actix_web::web::block(move || {
        let mut conn = pool.get().unwrap();
        let started = Instant::now();
        let err: AppError =
            diesel::RunQueryDsl::execute(diesel::sql_query("SELECT pg_sleep(5)"), &mut *conn).unwrap_err().into();
        let slow = (err.status(), started.elapsed());
        drop(conn);
        let mut conn = pool.get().unwrap();
        conn.batch_execute("BEGIN; SELECT 1;").unwrap();
        std::thread::sleep(Duration::from_millis(2500));
        let err: AppError = conn.batch_execute("SELECT 1").unwrap_err().into();
        (slow, err.status())
    })
    .await
    .unwrap();
    assert_eq!(slow.0, 503);
    assert!(slow.1 < Duration::from_secs(2), "statement_timeout ended it after {:?}", slow.1);
    assert_eq!(idle, 503, "idle_in_transaction_session_timeout ended the session");
}

#[actix_web::test]
#[ignore = "PostgreSQL only: run with --include-ignored and TEST_DATABASE_URL"]
async fn an_assignment_move_locks_the_two_schools_in_id_order() {
    pg_only();
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let one = app.school(&admin, "620001", OCDSB).await;
    let two = app.school(&admin, "620002", OCDSB).await;
    let (low, high) = if one["id"].as_str() < two["id"].as_str() { (one, two) } else { (two, one) };
    let officer = app.officer(&admin, "62").await;
    // An assignment moving from the higher id to the lower: touched in path order, the higher
    // school would be locked first; in id order, the lower one is.
    let body =
        json!({"school_id": high["id"], "officer_id": officer["id"], "role": "backup", "starts_on": "2026-09-01"});
    let moving = app.post("/v1/assignments", &admin, &body).await.body;
    let url = app.state.config.database_url.clone();
    let (low_id, high_id) = (low["id"].as_str().unwrap().to_owned(), high["id"].as_str().unwrap().to_owned());
    let mut holder = diesel::pg::PgConnection::establish(&url).unwrap();
    holder.batch_execute(&format!("BEGIN; SELECT 1 FROM schools WHERE id = '{high_id}' FOR UPDATE;")).unwrap();
    let probe = actix_web::rt::spawn(async move {
        actix_web::rt::time::sleep(Duration::from_millis(400)).await;
        actix_web::web::block(move || {
            let mut conn = diesel::pg::PgConnection::establish(&url).unwrap();
            conn.batch_execute(&format!("BEGIN; SELECT 1 FROM schools WHERE id = '{low_id}' FOR UPDATE NOWAIT;"))
                .is_err()
        })
        .await
        .unwrap()
    });
    let path = format!("/v1/assignments/{}", moving["id"].as_str().unwrap());
    let res = app.patch(&path, &admin, &json!({"school_id": low["id"]})).await;
    let low_was_locked = probe.await.unwrap();
    holder.batch_execute("ROLLBACK").unwrap();
    assert_eq!(res.status, 503, "the move waited on the held school, then gave up: {}", res.text);
    assert!(low_was_locked, "while waiting for the higher id, the move already held the lower one");
}

/// Catches a lost update: on PostgreSQL (READ COMMITTED) two PATCHes that both read version N
/// and both pass `If-Match: "N"` would both write; the version-conditioned update makes the
/// loser run again, see N+1 and answer 412. Also: concurrent referral moves from one state
/// produce exactly one move in the history.
#[actix_web::test]
async fn racing_changes_with_one_if_match_let_exactly_one_win() {
    use crate::support::world::World;
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    for round in 0..40 {
        let path = format!("/v1/incidents/{}", w.incident_a);
        let version = app.get(&path, &w.admin).await.body["version"].as_i64().unwrap();
        let etag = format!("\"{version}\"");
        let answers = futures_util::future::join_all((0..16).map(|i| {
            let body = serde_json::json!({"summary": format!("Writer {i} of round {round}.")});
            let (path, etag, token) = (path.clone(), etag.clone(), w.admin.clone());
            let app = &app;
            async move { app.patch_if(&path, &token, &etag, &body).await }
        }))
        .await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "round {round}: {statuses:?}");
        assert!(statuses.iter().all(|s| *s == 200 || *s == 412), "round {round}: {statuses:?}");
        let winner = answers.iter().find(|r| r.status == 200).unwrap();
        let stored = app.get(&path, &w.admin).await;
        assert_eq!(stored.body["summary"], winner.body["summary"], "the winner's write is the one kept");
        assert_eq!(stored.body["version"], version + 1);
    }
    let mut body = crate::support::world::referral_body(&w.person_a, &w.agency_x_id);
    body["officer_id"] = serde_json::json!(w.officer_a_id);
    let referral = app.post("/v1/referrals", &w.admin, &body).await.body["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/referrals/{referral}/status");
    let acknowledge = serde_json::json!({"status": "acknowledged"});
    let answers = futures_util::future::join_all((0..16).map(|_| app.post(&path, &w.agency_x, &acknowledge))).await;
    let ok = answers.iter().filter(|r| r.status == 200).count();
    assert_eq!(ok, 1, "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(answers.iter().all(|r| r.status == 200 || r.body["code"] == "invalid_transition"));
    let history =
        app.get(&format!("/v1/referrals/{referral}"), &w.admin).await.body["history"].as_array().unwrap().len();
    assert_eq!(history, 2, "submitted, then one acknowledgement");
}
