//! Health, readiness, the OpenAPI document, `/docs`, and behaviour while the database is down.

use std::time::{Duration, Instant};

use crate::support::*;
use sro_api::config::Config;

#[actix_web::test]
async fn healthz_and_readyz_answer_when_all_is_well() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz", "").await;
    assert_eq!((health.status, health.body["status"].as_str()), (200, Some("ok")));
    let ready = app.get("/readyz", "").await;
    assert_eq!((ready.status, ready.body["status"].as_str()), (200, Some("ready")));
}

#[actix_web::test]
async fn the_served_openapi_document_is_the_committed_one_and_the_generated_one() {
    let generated = sro_api::openapi::render();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(path, &generated).expect("write openapi/openapi.json");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json differs from the generated document; run `UPDATE_OPENAPI=1 cargo test --test api the_served_openapi` and commit it (then build again: the server serves the committed file)"
    );
    let app = TestApp::spawn().await;
    let served = app.get("/openapi.json", "").await;
    assert_eq!(served.status, 200);
    assert!(served.text == committed, "the server serves the committed document");
    assert_eq!(served.body["openapi"], "3.1.0");
}

#[test]
fn every_v1_operation_documents_its_errors_and_every_route_is_in_the_document() {
    let doc = serde_json::to_value(sro_api::openapi::document()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for expected in [
        "/oauth/token",
        "/healthz",
        "/readyz",
        "/.well-known/jwks.json",
        "/v1/me",
        "/v1/clients",
        "/v1/clients/{id}",
        "/v1/clients/{id}/disable",
        "/v1/clients/{id}/enable",
        "/v1/boards",
        "/v1/boards/{id}",
        "/v1/schools",
        "/v1/schools/{id}",
        "/v1/schools/import",
        "/v1/schools/by-ministry-number/{number}",
        "/v1/schools/{id}/sro",
        "/v1/officers",
        "/v1/officers/{id}",
        "/v1/officers/{id}/schools",
        "/v1/assignments",
        "/v1/assignments/{id}",
    ] {
        assert!(paths.contains_key(expected), "{expected} missing from the document");
    }
    for (path, item) in paths.iter().filter(|(p, _)| p.starts_with("/v1/")) {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            for status in ["401", "403", "503"] {
                assert!(responses.contains_key(status), "{method} {path} lacks {status}");
            }
            if op.get("requestBody").is_some() {
                assert!(
                    responses.contains_key("422") && responses.contains_key("415"),
                    "{method} {path} lacks 415/422"
                );
            }
            if path.contains("{id}") {
                assert!(responses.contains_key("404"), "{method} {path} lacks 404");
            }
        }
    }
}

#[actix_web::test]
async fn the_docs_page_is_served_without_internet() {
    let app = TestApp::spawn().await;
    let redirect = app.get("/docs", "").await;
    assert_eq!(redirect.status, 301);
    let page = app.get("/docs/", "").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("swagger-ui"));
    assert!(!page.text.contains("https://"), "no external assets");
    let init = app.get("/docs/swagger-initializer.js", "").await;
    assert!(init.text.contains("/openapi.json"), "{}", init.text);
    assert_eq!(app.get("/docs/swagger-ui-bundle.js", "").await.status, 200);
}

#[actix_web::test]
async fn a_database_that_is_down_gives_503_with_retry_after_within_two_seconds() {
    let app = TestApp::spawn_with(|c| c.database_url = TestDb::unreachable_url()).await;
    let token = app.issue(&admin_caller());
    let started = Instant::now();
    let res = app.get("/v1/schools", &token).await;
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    res.assert_problem(503, "unavailable");
    assert_eq!(res.header("retry-after").as_deref(), Some("1"));
    let started = Instant::now();
    let ready = app.get("/readyz", "").await;
    assert_eq!(ready.status, 503);
    assert!(ready.header("retry-after").is_some());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(app.get("/healthz", "").await.status, 200, "the process is up");
}

#[actix_web::test]
async fn the_service_starts_while_the_database_is_missing_and_serves_once_it_exists() {
    let db = TestDb::create();
    // A database that does not exist yet: a sibling file in a directory not yet made, or a
    // PostgreSQL database not yet created.
    let (late_url, make_it): (String, Box<dyn FnOnce()>) = match db::pg_admin_url() {
        Some(admin) => {
            let name = format!("sro_tlate_{}", std::process::id());
            let url = db::with_database(&admin, &name);
            let create = move || {
                use diesel::connection::SimpleConnection;
                use diesel::Connection;
                let mut conn = diesel::pg::PgConnection::establish(&admin).unwrap();
                conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).unwrap();
                conn.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
            };
            (url, Box::new(create))
        }
        None => {
            let dir = std::env::temp_dir().join(format!("sro-late-{}", uuid::Uuid::now_v7()));
            let url = format!("sqlite://{}", dir.join("late.db").display());
            (url, Box::new(move || std::fs::create_dir_all(&dir).unwrap()))
        }
    };
    let config = Config { database_url: late_url.clone(), jwt_signing_key: None, ..Config::default() };
    let app = TestApp::on(TestDb::borrowed(&late_url), config).await;
    assert_eq!(app.get("/readyz", "").await.status, 503);
    app.get("/v1/boards", "x").await.assert_problem(503, "unavailable");
    make_it();
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.get("/readyz", "").await.status != 200 {
        assert!(Instant::now() < deadline, "never became ready");
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(app.state.keys().is_ok(), "the generated key was loaded once the database came");
    if let Some(admin) = db::pg_admin_url() {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        drop(app);
        let name = late_url.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
        let mut conn = diesel::pg::PgConnection::establish(&admin).unwrap();
        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).unwrap();
    }
    drop(db);
}

#[actix_web::test]
#[ignore = "PostgreSQL only: run with --include-ignored and TEST_DATABASE_URL"]
async fn connections_killed_under_the_pool_give_503_not_500_and_the_next_request_recovers() {
    let admin_url =
        db::pg_admin_url().expect("TEST_DATABASE_URL=postgres://… for this test (SQLite has no server to lose)");
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    assert_eq!(app.get("/v1/schools", &admin).await.status, 200);
    let school = format!("/v1/schools/{}", app.school(&admin, "900002", OCDSB).await["id"].as_str().unwrap());
    assert_eq!(app.get(&school, &admin).await.status, 200, "the pipelined connection is open");
    let name = app.state.config.database_url.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    {
        use diesel::Connection;
        let mut conn = diesel::pg::PgConnection::establish(&admin_url).unwrap();
        use diesel::RunQueryDsl;
        let killed: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
            "(SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid())"
        )))
        .get_result(&mut conn)
        .unwrap();
        assert!(killed >= 1, "the app's connections were found and ended");
    }
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(app.get("/v1/schools", &admin).await.status);
        statuses.push(app.get(&school, &admin).await.status);
    }
    assert!(statuses.iter().all(|s| *s == 200 || *s == 503), "{statuses:?}");
    assert_eq!(statuses[statuses.len() - 2..], [200, 200], "broken connections are dropped: {statuses:?}");
}

/// Catches: a metric missing, a label carrying an id or a query string (personal data in a
/// monitoring system), or requests not counted by route template.
#[actix_web::test]
async fn metrics_count_requests_by_route_template_with_no_id_or_query_in_them() {
    use crate::support::world::World;
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    assert_eq!(app.get("/v1/persons?x=1", &w.admin).await.status, 400);
    assert_eq!(app.get(&format!("/v1/persons/{}", w.person_a), &w.admin).await.status, 200);
    assert_eq!(app.get("/v1/persons?family_name=Lavoie", &w.admin).await.status, 200);
    assert_eq!(app.get("/v1/me", "not-a-token").await.status, 401);
    let res = app.get("/metrics", "").await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"));
    let text = &res.text;
    for needle in [
        "sro_http_requests_total{method=\"GET\",route=\"/v1/persons/{id}\",status=\"200\"}",
        "sro_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/persons\",le=\"0.001\"}",
        "sro_db_pool_max_connections 4",
        "sro_db_pool_connections ",
        "sro_db_pool_idle_connections ",
        "sro_db_pool_wait_seconds_count ",
        "sro_db_pool_timeouts_total ",
        "sro_token_verifications_total{outcome=\"accepted\"}",
        "sro_token_verifications_total{outcome=\"refused\"}",
        "sro_audit_events_total ",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    for leak in [w.person_a.as_str(), "Lavoie", "family_name", "x=1"] {
        assert!(!text.contains(leak), "{leak} in the metrics");
    }
}
