//! `Idempotency-Key` on POST (API.md §2, §6): replay, refusal of a different body, scoping to the
//! client, in-progress, purge, and simultaneous requests creating one record.

use actix_web::test::TestRequest;
use serde_json::{json, Value};

use crate::support::world::World;
use crate::support::*;
use sro_api::service::idempotency::{self as store, Claim};

async fn post_keyed(app: &TestApp, path: &str, token: &str, key: &str, body: &Value) -> Resp {
    let req = TestRequest::post()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("idempotency-key", key))
        .set_json(body);
    app.send(req).await
}

fn person(school: &str, given: &str) -> Value {
    json!({"given_name": given, "family_name": "Okafor", "date_of_birth": "2011-04-02", "school_id": school})
}

async fn persons_named(app: &TestApp, admin: &str, given: &str) -> usize {
    let res = app.get("/v1/persons?limit=500", admin).await;
    res.body["data"].as_array().unwrap().iter().filter(|p| p["given_name"] == given).count()
}

/// Catches a retry that creates a second record, a replay that differs from the first answer
/// (status, body, Location, ETag), and a replay without `Idempotent-Replayed`.
#[actix_web::test]
async fn a_retry_with_the_same_key_and_body_gets_the_first_answer_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let body = person(&w.school_a, "Chidi");
    let first = post_keyed(&app, "/v1/persons", &w.admin, "sis-upload-0001", &body).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = post_keyed(&app, "/v1/persons", &w.admin, "sis-upload-0001", &body).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(again.header("content-type"), first.header("content-type"));
    assert!(again.header("x-request-id").is_some());
    assert_eq!(persons_named(&app, &w.admin, "Chidi").await, 1);
    // Without a key, the same body is a new record (keys are opt-in).
    assert_eq!(app.post("/v1/persons", &w.admin, &body).await.status, 201);
    assert_eq!(persons_named(&app, &w.admin, "Chidi").await, 2);
}

/// Catches a key that silently answers a different request with the first one's answer (a
/// second youth's record lost), including the same body sent to another path.
#[actix_web::test]
async fn the_same_key_with_a_different_request_is_422_naming_the_header() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let first = post_keyed(&app, "/v1/persons", &w.admin, "k-1", &person(&w.school_a, "Ada")).await;
    assert_eq!(first.status, 201);
    let other = post_keyed(&app, "/v1/persons", &w.admin, "k-1", &person(&w.school_a, "Bea")).await;
    other.assert_problem(422, "validation");
    assert_eq!(other.error_fields(), ["Idempotency-Key"]);
    let elsewhere = post_keyed(&app, "/v1/agencies", &w.admin, "k-1", &person(&w.school_a, "Ada")).await;
    elsewhere.assert_problem(422, "validation");
    assert_eq!(persons_named(&app, &w.admin, "Bea").await, 0, "nothing written");
}

/// Catches keys shared between clients: one client's key must never replay another client's
/// answer (which would leak a record across the access policy).
#[actix_web::test]
async fn keys_belong_to_one_client() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let body = person(&w.school_a, "Cyd");
    let admin = post_keyed(&app, "/v1/persons", &w.admin, "shared-key", &body).await;
    assert_eq!(admin.status, 201);
    let officer = post_keyed(&app, "/v1/persons", &w.officer_a, "shared-key", &body).await;
    assert_eq!(officer.status, 201, "{}", officer.text);
    assert_eq!(officer.header("idempotent-replayed"), None);
    assert_ne!(officer.body["id"], admin.body["id"]);
}

/// Catches a refusal that is not kept (a retry of a bad request must get the same 422, not run
/// again), and an answer kept for a failure that says nothing final (a 401 must not pin a key).
#[actix_web::test]
async fn refusals_are_replayed_but_an_unauthenticated_attempt_does_not_use_the_key() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let bad = json!({"given_name": "", "family_name": "X"});
    let first = post_keyed(&app, "/v1/persons", &w.admin, "bad-1", &bad).await;
    first.assert_problem(422, "validation");
    let again = post_keyed(&app, "/v1/persons", &w.admin, "bad-1", &bad).await;
    assert_eq!(again.status, 422);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body["errors"], first.body["errors"]);

    let body = person(&w.school_a, "Dov");
    post_keyed(&app, "/v1/persons", "not-a-token", "auth-1", &body).await.assert_problem(401, "unauthorized");
    let real = post_keyed(&app, "/v1/persons", &w.admin, "auth-1", &body).await;
    assert_eq!(real.status, 201, "{}", real.text);
    assert_eq!(real.header("idempotent-replayed"), None);
}

/// Catches a key header that is stored whatever it holds (line breaks, 10 kB).
#[actix_web::test]
async fn a_bad_key_is_400_naming_the_header() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for key in ["has space".to_owned(), "k".repeat(256), "clé".to_owned()] {
        let res = post_keyed(&app, "/v1/agencies", &admin, &key, &json!({"name": "A", "kind": "other"})).await;
        res.assert_problem(400, "bad-request");
        assert_eq!(res.error_fields(), ["Idempotency-Key"], "{key}");
    }
}

/// Catches a second request that runs while the first still holds the key (two records), and a
/// 409 without the documented code or `Retry-After`.
#[actix_web::test]
async fn a_request_while_the_first_is_running_is_409_idempotency_in_progress() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let me = app.get("/v1/me", &w.admin).await.body["client_id"].as_str().unwrap().to_owned();
    let body = person(&w.school_a, "Eli");
    let bytes = serde_json::to_vec(&body).unwrap();
    let fingerprint = sro_api::domain::idempotency::fingerprint("POST", "/v1/persons", "", "application/json", &bytes);
    // The first request has claimed the key and not answered yet.
    let mut conn = app.state.pool.get().unwrap();
    let now = sro_api::domain::time::now();
    assert_eq!(store::claim(&mut conn, &me, "slow-1", &fingerprint, now).unwrap(), Claim::Proceed);
    drop(conn);
    let res = post_keyed(&app, "/v1/persons", &w.admin, "slow-1", &body).await;
    res.assert_problem(409, "conflict");
    assert_eq!(res.body["code"], "idempotency_in_progress");
    assert!(res.header("retry-after").is_some());
    assert_eq!(persons_named(&app, &w.admin, "Eli").await, 0);
}

/// Catches keys kept forever (a key reused the next day replays yesterday's answer) and a purge
/// that removes keys still inside their 24 hours.
#[actix_web::test]
async fn keys_are_purged_after_24_hours_and_the_key_can_then_be_used_again() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let body = person(&w.school_a, "Fay");
    assert_eq!(post_keyed(&app, "/v1/persons", &w.admin, "daily", &body).await.status, 201);
    let (_, purged) = sro_api::server::housekeeping(&app.state).unwrap();
    assert_eq!(purged, 0, "still within 24 hours");
    let replay = post_keyed(&app, "/v1/persons", &w.admin, "daily", &body).await;
    assert_eq!(replay.header("idempotent-replayed").as_deref(), Some("true"));

    let mut conn = app.state.pool.get().unwrap();
    // The pass cuts at "now − 24 h": a cutoff just before the key was made keeps it, and the
    // pass run 24 hours and a second later removes it.
    let made = sro_api::domain::time::now();
    let purged = store::purge(&mut conn, made - chrono::Duration::seconds(5)).unwrap();
    assert_eq!(purged, 0, "a key younger than the cutoff stays");
    let purged = store::purge(&mut conn, made + chrono::Duration::seconds(1)).unwrap();
    assert!(purged >= 1);
    drop(conn);
    let fresh = post_keyed(&app, "/v1/persons", &w.admin, "daily", &body).await;
    assert_eq!(fresh.status, 201);
    assert_eq!(fresh.header("idempotent-replayed"), None, "a new use of the key");
    assert_eq!(persons_named(&app, &w.admin, "Fay").await, 2);
}

/// Catches a race between simultaneous requests with one key (two inserts both "first"): over
/// HTTP, eight at once make one record and every other answer is the replay or a 409.
#[actix_web::test]
async fn eight_simultaneous_requests_with_one_key_create_one_record() {
    let app = TestApp::spawn_with(|c| c.db_pool_size = 10).await;
    let w = World::build(&app).await;
    for round in 0..5 {
        let body = person(&w.school_a, &format!("Gus{round}"));
        let key = format!("burst-{round}");
        let answers =
            futures_util::future::join_all((0..8).map(|_| post_keyed(&app, "/v1/persons", &w.admin, &key, &body)))
                .await;
        let created: Vec<&Resp> =
            answers.iter().filter(|r| r.status == 201 && r.header("idempotent-replayed").is_none()).collect();
        assert_eq!(created.len(), 1, "round {round}: {:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
        for other in answers.iter().filter(|r| r.header("idempotent-replayed").is_some() || r.status != 201) {
            match other.status {
                201 => assert_eq!(other.body, created[0].body),
                409 => assert_eq!(other.body["code"], "idempotency_in_progress"),
                s => panic!("round {round}: unexpected {s}: {}", other.text),
            }
        }
        assert_eq!(persons_named(&app, &w.admin, &format!("Gus{round}")).await, 1);
    }
}

/// The same race below HTTP, with eight threads on their own connections claiming one key at
/// the same instant: exactly one may proceed on either backend (PostgreSQL's unique index and
/// SQLite's writer lock).
#[actix_web::test]
async fn eight_threads_claiming_one_key_at_once_let_exactly_one_proceed() {
    let app = TestApp::spawn_with(|c| c.db_pool_size = 10).await;
    for round in 0..10 {
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let pool = app.state.pool.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    barrier.wait();
                    store::claim(&mut conn, "client-1", &format!("race-{round}"), "fp", sro_api::domain::time::now())
                })
            })
            .collect();
        let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let proceeded = results.iter().filter(|r| matches!(r, Ok(Claim::Proceed))).count();
        assert_eq!(proceeded, 1, "round {round}: {results:?}");
        for r in results.iter().filter(|r| !matches!(r, Ok(Claim::Proceed))) {
            match r {
                Err(sro_api::error::AppError::Conflict { code, .. }) => {
                    assert_eq!(*code, sro_api::error::ConflictCode::IdempotencyInProgress)
                }
                // SQLite's writer lock waited too long: a 503, and nothing claimed.
                Err(sro_api::error::AppError::Unavailable(_)) => {}
                other => panic!("round {round}: {other:?}"),
            }
        }
    }
}
