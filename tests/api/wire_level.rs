//! Tests over a real socket: request ids on the wire, several instances on one database, and
//! graceful shutdown.

use crate::support::wire::request;
use crate::support::*;
use sro_api::config::Config;
use sro_api::domain::access::Role;

fn start(url: &str, key: Option<String>) -> (std::net::SocketAddr, actix_web::dev::ServerHandle) {
    let config = Config { database_url: url.to_owned(), jwt_signing_key: key, db_pool_size: 2, ..Config::default() };
    let (state, _) = sro_api::server::prepare(config).expect("prepare");
    let bound = sro_api::server::bind(state, "127.0.0.1:0").expect("bind");
    let handle = bound.server.handle();
    actix_web::rt::spawn(bound.server);
    (bound.addr, handle)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    actix_web::web::block(f).await.expect("block")
}

#[actix_web::test]
async fn a_token_from_one_instance_is_accepted_by_another_on_the_same_database() {
    let db = TestDb::create();
    // No configured key: both instances must agree on the one kept in the database.
    let (a, handle_a) = start(&db.url, None);
    let (b, handle_b) = start(&db.url, None);
    let seed =
        TestApp::on(TestDb::borrowed(&db.url), Config { database_url: db.url.clone(), ..Config::default() }).await;
    let (id, secret) = seed.credentials(Role::Board, Some(OCDSB), None).await;
    let token = blocking(move || {
        let form = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
        request(a, "POST", "/oauth/token", &[("Content-Type", "application/x-www-form-urlencoded")], &form).unwrap()
    })
    .await;
    assert_eq!(token.status, 200, "{}", token.body);
    let bearer = format!("Bearer {}", token.json()["access_token"].as_str().unwrap());
    let res = blocking(move || {
        request(b, "GET", "/v1/schools", &[("Authorization", &bearer), ("X-Request-Id", "wire-1")], "").unwrap()
    })
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("x-request-id"), Some("wire-1"));
    handle_a.stop(true).await;
    handle_b.stop(true).await;
}

#[actix_web::test]
async fn a_graceful_stop_finishes_and_refuses_new_connections() {
    let db = TestDb::create();
    let (addr, handle) = start(&db.url, Some(test_signing_key()));
    let res = blocking(move || request(addr, "GET", "/healthz", &[], "").unwrap()).await;
    assert_eq!(res.status, 200);
    assert!(res.header("x-request-id").is_some());
    handle.stop(true).await;
    let after = blocking(move || request(addr, "GET", "/healthz", &[], "")).await;
    assert!(after.is_err() || after.unwrap().status == 0);
}

#[actix_web::test]
async fn a_request_in_flight_when_shutdown_begins_still_completes() {
    let db = TestDb::create();
    let (addr, handle) = start(&db.url, Some(test_signing_key()));
    let bearer = format!("Bearer {}", offline_admin_token());
    // The largest import allowed: long enough to be in flight when the stop is asked for.
    let rows: Vec<serde_json::Value> =
        (0..5000).map(|n| school_body(&format!("{:06}", 100_000 + n), Some(OCDSB), "public")).collect();
    let body = serde_json::to_string(&rows).unwrap();
    let client = std::thread::spawn(move || {
        let res = request(
            addr,
            "POST",
            "/v1/schools/import",
            &[("Authorization", &bearer), ("Content-Type", "application/json")],
            &body,
        );
        (res, std::time::Instant::now())
    });
    actix_web::rt::time::sleep(std::time::Duration::from_millis(150)).await;
    let stop_asked = std::time::Instant::now();
    handle.stop(true).await;
    let (res, answered) = blocking(move || client.join().unwrap()).await;
    let res = res.expect("an answer, not a dropped connection");
    assert!(answered > stop_asked, "the request was still in flight when the stop began");
    assert_eq!(res.status, 200, "{}", &res.body[..res.body.len().min(300)]);
    assert_eq!(res.json()["data"].as_array().unwrap().len(), 5000, "the whole import was written");
}

#[actix_web::test]
async fn a_body_that_never_finishes_gets_408_and_the_connection_closes() {
    use std::io::{Read, Write};
    let db = TestDb::create();
    let config = Config {
        database_url: db.url.clone(),
        jwt_signing_key: Some(test_signing_key()),
        body_timeout_seconds: 1,
        ..Config::default()
    };
    let (state, _) = sro_api::server::prepare(config).expect("prepare");
    let bound = sro_api::server::bind(state, "127.0.0.1:0").expect("bind");
    let (addr, handle) = (bound.addr, bound.server.handle());
    actix_web::rt::spawn(bound.server);
    let token = offline_admin_token();
    let (status, elapsed, closed) = blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
        let started = std::time::Instant::now();
        let head = format!(
            "POST /v1/officers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"a\":"
        );
        stream.write_all(head.as_bytes()).unwrap();
        let mut raw = Vec::new();
        // read_to_end returns only when the server closes the connection.
        let _ = stream.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let status: u16 = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, started.elapsed(), text.contains("request-timeout"))
    })
    .await;
    assert_eq!(status, 408);
    assert!(closed, "problem+json body");
    assert!(elapsed < std::time::Duration::from_secs(10), "answered after {elapsed:?}, and the socket was closed");
    handle.stop(true).await;
}
