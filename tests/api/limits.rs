//! Rate limits (API.md §2, §6 `RATE_LIMIT_PER_MINUTE`): per client, 429 problem+json with
//! `Retry-After` and `RateLimit-*`, other clients unaffected, off by default.

use crate::support::*;

/// Catches: a limit not applied, applied to every client at once (one noisy SIS locking out the
/// CAS), or a 429 without the headers a client needs to back off.
#[actix_web::test]
async fn a_client_over_its_limit_gets_429_with_when_to_retry_and_others_go_on() {
    let app = TestApp::spawn_with(|c| c.rate_limit_per_minute = Some(5)).await;
    let noisy = app.admin().await;
    let quiet = app.board(OCDSB).await;
    for n in 0..5 {
        assert_eq!(app.get("/v1/me", &noisy).await.status, 200, "request {n}");
    }
    let res = app.get("/v1/boards", &noisy).await;
    res.assert_problem(429, "rate-limited");
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=12).contains(&retry), "five a minute: one every 12 s, got {retry}");
    assert_eq!(res.header("ratelimit-limit").as_deref(), Some("5"));
    assert_eq!(res.header("ratelimit-remaining").as_deref(), Some("0"));
    assert_eq!(res.header("ratelimit-reset"), res.header("retry-after"));
    assert_eq!(app.get("/v1/me", &quiet).await.status, 200, "another client has its own budget");
}

/// Catches: a limit on by default, throttling an integrator nobody configured for.
#[actix_web::test]
async fn without_a_configured_limit_nothing_is_throttled() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for _ in 0..200 {
        assert_eq!(app.get("/v1/me", &admin).await.status, 200);
    }
}
