//! Webhooks (API.md §8): subscriptions, signed thin notices, retries, order, restarts, several
//! instances, rotation, notices withheld when access is lost, and the SSRF rules. A receiver runs
//! on 127.0.0.1 in the test (so the apps here set `WEBHOOK_ALLOW_INSECURE`, except where the
//! rules themselves are tested); worker rounds are run by hand with a chosen clock, so that a
//! backoff of minutes or days is stepped over rather than waited for.

use std::collections::HashSet;
use std::time::Duration;

use chrono::NaiveDateTime;
use serde_json::{json, Value};

use crate::support::receiver::{Receiver, Reply};
use crate::support::world::{incident_body, referral_body, World};
use crate::support::TestApp;
use sro_api::push::worker::{Round, Worker};
use sro_api::state::AppState;

async fn insecure_app() -> TestApp {
    TestApp::spawn_with(|c| c.webhook_allow_insecure = true).await
}

/// Another instance on the same database (its own pool, its own worker name), as after a restart
/// or beside the first behind a load balancer.
async fn instance(app: &TestApp, tweak: impl FnOnce(&mut sro_api::config::Config) + Send + 'static) -> AppState {
    let mut config = (*app.state.config).clone();
    tweak(&mut config);
    actix_web::web::block(move || sro_api::server::prepare(config)).await.unwrap().unwrap().0
}

fn now() -> NaiveDateTime {
    sro_api::domain::time::now()
}

async fn client_id(app: &TestApp, token: &str) -> String {
    app.get("/v1/me", token).await.body["client_id"].as_str().unwrap().to_owned()
}

/// Subscribes the client of `token` to `url`; returns (id, secret).
async fn subscribe(app: &TestApp, admin: &str, token: &str, url: &str, resources: Option<&[&str]>) -> (String, String) {
    let mut body = json!({"client_id": client_id(app, token).await, "url": url, "description": "test receiver"});
    if let Some(r) = resources {
        body["resources"] = json!(r);
    }
    let res = app.post("/v1/webhooks", admin, &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    (res.body["id"].as_str().unwrap().to_owned(), res.body["secret"].as_str().unwrap().to_owned())
}

async fn round(worker: &Worker, at: NaiveDateTime) -> Round {
    worker.round(at).await.unwrap()
}

/// Runs rounds at `at` until one finds nothing to do.
async fn drain(worker: &Worker, at: NaiveDateTime) {
    for _ in 0..20 {
        let r = round(worker, at).await;
        if r.claimed == 0 {
            return;
        }
    }
    panic!("the queue did not drain");
}

fn ops(received: &[crate::support::receiver::Received]) -> Vec<(i64, String, String)> {
    received
        .iter()
        .map(|r| {
            let b = r.json();
            (
                b["seq"].as_i64().unwrap(),
                b["resource"].as_str().unwrap().to_owned(),
                b["op"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Catches an unsigned or wrongly signed POST, a missing `Sro-Webhook-Id`, personal data in a
/// notice, a notice for a record the client cannot see, or a subscription that is not filtered
/// by `resources`.
#[actix_web::test]
async fn an_agency_learns_of_its_referral_through_a_signed_thin_notice() {
    let app = insecure_app().await;
    let w = World::build(&app).await;
    let hook = Receiver::start();
    let (_, secret) = subscribe(&app, &w.admin, &w.agency_x, &hook.url, Some(&["referrals"])).await;
    let worker = Worker::new(app.state.clone()).unwrap();
    // One referral to agency X, one to agency Y, and an incident (not a referral): X hears of one.
    let mut to_x = referral_body(&w.person_a, &w.agency_x_id);
    to_x["officer_id"] = json!(w.officer_a_id);
    let created = app.post("/v1/referrals", &w.admin, &to_x).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let mut to_y = referral_body(&w.person_b, &w.agency_y_id);
    to_y["officer_id"] = json!(w.officer_b_id);
    assert_eq!(app.post("/v1/referrals", &w.admin, &to_y).await.status, 201);
    assert_eq!(app.post("/v1/incidents", &w.admin, &incident_body(&w.school_a, &w.person_a)).await.status, 201);
    drain(&worker, now()).await;

    let got = hook.received();
    assert_eq!(got.len(), 1, "{:?}", ops(&got));
    let notice = &got[0];
    let body = notice.json();
    assert_eq!(body["type"], "change");
    assert_eq!(body["resource"], "referrals");
    assert_eq!(body["resource_id"], created.body["id"]);
    assert_eq!(body["op"], "created");
    let keys: HashSet<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, HashSet::from(["id", "type", "seq", "resource", "resource_id", "op", "at"]), "thin");
    for name in crate::support::world::NAMES {
        assert!(!String::from_utf8_lossy(&notice.body).contains(name), "no personal data");
    }
    assert_eq!(notice.header("content-type"), Some("application/json"));
    assert_eq!(notice.header("sro-webhook-id"), body["id"].as_str());
    assert!(notice.signed_with(&secret), "{:?}", notice.header("sro-signature"));
    assert!(!notice.signed_with("whsec_someone_else"));
    let t: i64 = notice.header("sro-signature").unwrap().split(',').next().unwrap()[2..].parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - t).abs() < 60, "t is the wall clock");
    // The feed gives the same entry at the same seq: the receiver can resume from it.
    let feed = app.get(&format!("/v1/changes?after={}", body["seq"].as_i64().unwrap() - 1), &w.agency_x).await;
    assert_eq!(feed.body["data"][0]["id"], body["resource_id"]);

    // A disabled client is told nothing; enabled again, it hears of what its feed now shows.
    let agency_client = client_id(&app, &w.agency_x).await;
    assert_eq!(app.post(&format!("/v1/clients/{agency_client}/disable"), &w.admin, &json!({})).await.status, 200);
    assert_eq!(app.post("/v1/referrals", &w.admin, &to_x).await.status, 201);
    drain(&worker, now()).await;
    assert_eq!(hook.received().len(), 1, "nothing while disabled");
    assert_eq!(app.post(&format!("/v1/clients/{agency_client}/enable"), &w.admin, &json!({})).await.status, 200);
    drain(&worker, now()).await;
    assert_eq!(hook.received().len(), 2);
}

/// Catches a failed notice that is not retried, retried before its backoff, or overtaken by
/// the next one (order per subscription), a timeout taken for success, and a delivery log
/// that does not show attempts, status codes and the next retry.
#[actix_web::test]
async fn failures_and_timeouts_are_retried_with_backoff_in_seq_order() {
    let app = TestApp::spawn_with(|c| {
        c.webhook_allow_insecure = true;
        c.webhook_timeout_seconds = 1;
    })
    .await;
    let w = World::build(&app).await;
    let hook = Receiver::start();
    let (id, _) = subscribe(&app, &w.admin, &w.admin, &hook.url, Some(&["agencies"])).await;
    let worker = Worker::new(app.state.clone()).unwrap();
    for name in ["One", "Two", "Three"] {
        assert_eq!(app.post("/v1/agencies", &w.admin, &json!({"name": name, "kind": "other"})).await.status, 201);
    }
    hook.script(&[Reply::Status(500), Reply::Slow(Duration::from_millis(2500), 200), Reply::Redirect]);
    let t0 = now();
    let r = round(&worker, t0).await;
    assert_eq!((r.queued, r.delivered, r.failed), (3, 0, 1), "the first fails; the others wait behind it");
    assert_eq!(round(&worker, t0 + chrono::Duration::seconds(59)).await.claimed, 0, "not before the backoff");
    let r = round(&worker, t0 + chrono::Duration::seconds(61)).await;
    assert_eq!((r.delivered, r.failed), (0, 1), "a timeout is a failure");
    // The timeout took a second of the round: its retry is 2 minutes after that.
    assert_eq!(round(&worker, t0 + chrono::Duration::seconds(61 + 119)).await.claimed, 0, "not before the backoff");
    let r = round(&worker, t0 + chrono::Duration::seconds(190)).await;
    assert_eq!((r.delivered, r.failed), (0, 1), "a redirect is not followed");
    drain(&worker, t0 + chrono::Duration::seconds(190 + 250)).await;

    let got = ops(&hook.received());
    let seqs: Vec<i64> = got.iter().map(|g| g.0).collect();
    assert_eq!(seqs.len(), 6, "3 failures, then 3 deliveries: {got:?}");
    assert!(seqs[..4].iter().all(|s| *s == seqs[0]), "the first notice until it went through: {seqs:?}");
    assert!(seqs[3] < seqs[4] && seqs[4] < seqs[5], "then the others, in order: {seqs:?}");
    let ids: HashSet<String> =
        hook.received()[..4].iter().map(|r| r.header("sro-webhook-id").unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 1, "the same Sro-Webhook-Id on every retry");

    let log = app.get(&format!("/v1/webhooks/{id}/deliveries"), &w.admin).await;
    assert_eq!(log.status, 200, "{}", log.text);
    let entries = log.body["data"].as_array().unwrap();
    assert_eq!(entries.len(), 6);
    let oldest: Vec<&Value> = entries.iter().rev().collect();
    assert_eq!(oldest[0]["status_code"], 500);
    assert_eq!(oldest[0]["outcome"], "retrying");
    assert_eq!(oldest[0]["attempt"], 1);
    assert!(oldest[0]["next_retry_at"].is_string());
    assert_eq!(oldest[1]["status_code"], Value::Null);
    assert_eq!(oldest[1]["error"], "timeout");
    assert_eq!(oldest[2]["status_code"], 307);
    assert_eq!(oldest[3]["outcome"], "delivered");
    assert_eq!(oldest[3]["attempt"], 4);
    assert_eq!(oldest[3]["next_retry_at"], Value::Null);
}

/// Catches a queue held in memory (lost on restart), and two instances sending one notice
/// twice or out of order.
#[actix_web::test]
async fn the_queue_survives_a_restart_and_two_instances_send_each_notice_once() {
    let app = insecure_app().await;
    let w = World::build(&app).await;
    let hook = Receiver::start();
    subscribe(&app, &w.admin, &w.admin, &hook.url, Some(&["agencies"])).await;
    let first = Worker::new(app.state.clone()).unwrap();
    assert_eq!(app.post("/v1/agencies", &w.admin, &json!({"name": "Before", "kind": "other"})).await.status, 201);
    hook.script(&[Reply::Status(503)]);
    let t0 = now();
    assert_eq!(round(&first, t0).await.failed, 1);
    drop(first);

    // "Restarted": a new instance, mid-backoff, finds the notice in the database.
    let restarted = Worker::new(instance(&app, |_| {}).await).unwrap();
    assert_eq!(round(&restarted, t0 + chrono::Duration::seconds(30)).await.claimed, 0, "still backing off");
    assert_eq!(round(&restarted, t0 + chrono::Duration::seconds(61)).await.delivered, 1);

    // Two instances side by side: 30 changes, both working at once.
    let other = Worker::new(instance(&app, |_| {}).await).unwrap();
    for i in 0..30 {
        let res = app.post("/v1/agencies", &w.admin, &json!({"name": format!("Agency {i}"), "kind": "other"})).await;
        assert_eq!(res.status, 201);
    }
    let later = t0 + chrono::Duration::seconds(120);
    // 4 instances (the pool holds 4 connections) claiming at the same instant: one gets it.
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
    let claims: Vec<_> = (0..4)
        .map(|i| {
            let (pool, barrier) = (app.state.pool.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                barrier.wait();
                let until = later + chrono::Duration::seconds(1);
                sro_api::service::webhooks::claim(&mut conn, &format!("racer-{i}"), later, until, 8).unwrap().len()
            })
        })
        .collect();
    let won: usize = claims.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(won, 1, "one claim of one subscription");
    // The racers' lease runs out a second later; the instances work after it.
    let later = later + chrono::Duration::seconds(2);
    for _ in 0..10 {
        let (a, b) = tokio::join!(restarted.round(later), other.round(later));
        if a.unwrap().claimed + b.unwrap().claimed == 0 {
            break;
        }
    }
    let got = hook.received();
    let ids: Vec<String> = got.iter().map(|r| r.header("sro-webhook-id").unwrap().to_owned()).collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(got.len(), 2 + 30, "503, then the first notice, then 30 notices, none twice");
    assert_eq!(unique.len(), 31);
    let seqs: Vec<i64> = ops(&got).iter().map(|o| o.0).collect();
    assert!(seqs[1..].windows(2).all(|p| p[0] < p[1]), "in seq order across instances: {seqs:?}");
}

/// Catches a rotation that stops the old secret at once (receivers not yet switched would
/// refuse), or keeps it past 24 hours; and a secret shown again after creation.
#[actix_web::test]
async fn a_rotated_secret_signs_beside_the_old_one_for_24_hours() {
    let app = insecure_app().await;
    let w = World::build(&app).await;
    let hook = Receiver::start();
    let (id, old) = subscribe(&app, &w.admin, &w.admin, &hook.url, Some(&["agencies"])).await;
    let got = app.get(&format!("/v1/webhooks/{id}"), &w.admin).await;
    assert_eq!(got.status, 200);
    assert!(got.body.get("secret").is_none() && !got.text.contains(&old), "shown once");
    let rotated = app.post(&format!("/v1/webhooks/{id}/rotate-secret"), &w.admin, &json!({})).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(rotated.body["previous_secret_valid_until"].is_string());
    let worker = Worker::new(app.state.clone()).unwrap();
    assert_eq!(app.post("/v1/agencies", &w.admin, &json!({"name": "A", "kind": "other"})).await.status, 201);
    drain(&worker, now()).await;
    assert_eq!(app.post("/v1/agencies", &w.admin, &json!({"name": "B", "kind": "other"})).await.status, 201);
    drain(&worker, now() + chrono::Duration::hours(25)).await;
    let got = hook.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].signatures(), 2);
    assert!(got[0].signed_with(&new) && got[0].signed_with(&old), "both during the overlap");
    assert_eq!(got[1].signatures(), 1);
    assert!(got[1].signed_with(&new) && !got[1].signed_with(&old), "the old one no longer after 24 h");
}

/// Catches a notice sent as it was queued after the client lost sight of the record: the
/// delivery-time judgement must turn it into `access_lost` (never `created`/`updated`).
#[actix_web::test]
async fn a_notice_is_withheld_as_access_lost_when_the_client_lost_sight_of_the_record() {
    let app = insecure_app().await;
    let w = World::build(&app).await;
    let hook = Receiver::start();
    subscribe(&app, &w.admin, &w.officer_a, &hook.url, Some(&["incidents"])).await;
    let worker = Worker::new(app.state.clone()).unwrap();
    let body = incident_body(&w.school_a, &w.person_a);
    let created = app.post("/v1/incidents", &w.admin, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let incident = created.body["id"].as_str().unwrap().to_owned();
    hook.script(&[Reply::Status(500)]);
    let t0 = now();
    assert_eq!(round(&worker, t0).await.failed, 1);
    assert_eq!(hook.received()[0].json()["op"], "created", "while officer A saw it");
    // Corrected to school B (officer B's): officer A no longer sees it.
    let moved = app
        .patch_if(
            &format!("/v1/incidents/{incident}"),
            &w.admin,
            "\"1\"",
            &json!({"school_id": w.school_b, "involved": []}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    drain(&worker, t0 + chrono::Duration::seconds(61)).await;
    let got = hook.received();
    let later: Vec<Value> = got[1..].iter().map(|r| r.json()).collect();
    assert!(!later.is_empty());
    for notice in &later {
        assert_eq!(notice["resource_id"], incident.as_str());
        assert_eq!(notice["op"], "access_lost", "{later:?}");
    }
    assert_eq!(app.get(&format!("/v1/incidents/{incident}"), &w.officer_a).await.status, 404);
}

/// Catches retries that never end (a dead receiver fills the queue forever) and a subscription
/// that cannot be switched back on after `failing`.
#[actix_web::test]
async fn after_three_days_of_failures_the_subscription_is_failing_until_switched_on() {
    let app = insecure_app().await;
    let w = World::build(&app).await;
    let hook = Receiver::start();
    let (id, _) = subscribe(&app, &w.admin, &w.admin, &hook.url, Some(&["agencies"])).await;
    let worker = Worker::new(app.state.clone()).unwrap();
    assert_eq!(app.post("/v1/agencies", &w.admin, &json!({"name": "A", "kind": "other"})).await.status, 201);
    hook.script(&[Reply::Status(500); 40]);
    let t0 = now();
    let mut at = t0;
    let mut attempts = 0;
    while at < t0 + chrono::Duration::hours(80) {
        attempts += round(&worker, at).await.failed;
        at += chrono::Duration::minutes(30);
    }
    assert!((15..=25).contains(&attempts), "about 1, 2, 4 ... minutes, then every 6 hours: {attempts}");
    let hook_now = app.get(&format!("/v1/webhooks/{id}"), &w.admin).await;
    assert_eq!(hook_now.body["failing"], true, "{}", hook_now.text);
    assert!(hook_now.body["failing_since"].is_string());
    let log = app.get(&format!("/v1/webhooks/{id}/deliveries?limit=1"), &w.admin).await;
    assert_eq!(log.body["data"][0]["outcome"], "abandoned");
    hook.clear_script();
    // Nothing more is sent while failing.
    let before = hook.received().len();
    assert_eq!(app.post("/v1/agencies", &w.admin, &json!({"name": "B", "kind": "other"})).await.status, 201);
    drain(&worker, at).await;
    assert_eq!(hook.received().len(), before);
    // Changing the filter is no way out of failing; only switching it on is.
    let etag = hook_now.header("etag").unwrap();
    let res = app
        .patch_if(&format!("/v1/webhooks/{id}"), &w.admin, &etag, &json!({"resources": ["agencies", "schools"]}))
        .await;
    assert_eq!((res.status, res.body["failing"].clone()), (200, json!(true)), "{}", res.text);
    // Switched on again: from the feed's head (B is not sent), then new changes are.
    let etag = res.header("etag").unwrap();
    let on = app.patch_if(&format!("/v1/webhooks/{id}"), &w.admin, &etag, &json!({"active": true})).await;
    assert_eq!(on.status, 200, "{}", on.text);
    assert_eq!(on.body["failing"], false);
    assert_eq!(app.post("/v1/agencies", &w.admin, &json!({"name": "C", "kind": "other"})).await.status, 201);
    drain(&worker, at).await;
    let got = hook.received();
    assert_eq!(got.len(), before + 1);
    assert_eq!(got.last().unwrap().json()["op"], "created");
}

/// Catches the SSRF rules missing at creation, at PATCH, or at delivery (a URL stored while
/// development mode was on, then sent by an instance without it).
#[actix_web::test]
async fn urls_must_be_https_and_never_reach_inside_the_network() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let client = client_id(&app, &w.agency_x).await;
    for url in [
        "http://cas.example.org/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.0.0.8/hook",
        "https://192.168.0.2/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://user:pw@cas.example.org/hook",
        "javascript:alert(1)",
    ] {
        let res = app.post("/v1/webhooks", &w.admin, &json!({"client_id": client, "url": url})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["url"], "{url}: {}", res.text);
    }
    let ok =
        app.post("/v1/webhooks", &w.admin, &json!({"client_id": client, "url": "https://cas.example.org/hook"})).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    let id = ok.body["id"].as_str().unwrap();
    let etag = ok.header("etag").unwrap();
    let res = app.patch_if(&format!("/v1/webhooks/{id}"), &w.admin, &etag, &json!({"url": "https://10.1.1.1/"})).await;
    assert_eq!(res.status, 422, "{}", res.text);

    // Stored under WEBHOOK_ALLOW_INSECURE as an https name that resolves to loopback, then sent by
    // an instance without it: the sender's resolver refuses the address, nothing is sent.
    let dev = insecure_app().await;
    let wd = World::build(&dev).await;
    let hook = Receiver::start();
    let sneaky = hook.url.replace("http://127.0.0.1", "https://localhost");
    let (id, _) = subscribe(&dev, &wd.admin, &wd.admin, &sneaky, Some(&["agencies"])).await;
    assert_eq!(dev.post("/v1/agencies", &wd.admin, &json!({"name": "A", "kind": "other"})).await.status, 201);
    let strict = Worker::new(instance(&dev, |c| c.webhook_allow_insecure = false).await).unwrap();
    assert_eq!(round(&strict, now()).await.failed, 1);
    assert!(hook.received().is_empty(), "nothing reached the loopback receiver");
    let log = dev.get(&format!("/v1/webhooks/{id}/deliveries"), &wd.admin).await;
    assert_eq!(log.body["data"][0]["error"], "address not allowed", "{}", log.text);
    assert_eq!(log.body["data"][0]["status_code"], Value::Null);
}

/// Catches a subscription API open to non-admins, one that accepts a client that does not
/// exist or a dashboard (which sees nothing), unknown resources or fields, stale `If-Match`,
/// and deletion that leaves the record answering.
#[actix_web::test]
async fn subscriptions_are_managed_by_the_unit_with_the_usual_rules() {
    let app = insecure_app().await;
    let w = World::build(&app).await;
    let client = client_id(&app, &w.agency_x).await;
    let body = json!({"client_id": client, "url": "https://cas.example.org/hook", "resources": ["referrals"]});
    for token in [&w.officer_a, &w.board_a, &w.agency_x, &w.dashboard] {
        assert_eq!(app.post("/v1/webhooks", token, &body).await.status, 403);
        assert_eq!(app.get("/v1/webhooks", token).await.status, 403);
    }
    assert_eq!(app.post("/v1/webhooks", "", &body).await.status, 401);
    let nobody = json!({"client_id": "018f0000-0000-7000-8000-00000000dead", "url": "https://cas.example.org/hook"});
    let res = app.post("/v1/webhooks", &w.admin, &nobody).await;
    assert_eq!((res.status, res.error_fields()), (422, vec!["client_id".to_owned()]), "{}", res.text);
    let dashboard = json!({"client_id": client_id(&app, &w.dashboard).await, "url": "https://cas.example.org/hook"});
    assert_eq!(app.post("/v1/webhooks", &w.admin, &dashboard).await.status, 422);
    let bad = json!({"client_id": client, "url": "https://cas.example.org/hook", "resources": ["referrals", "secrets", "referrals"], "colour": "red"});
    let res = app.post("/v1/webhooks", &w.admin, &bad).await;
    assert_eq!(res.status, 422, "{}", res.text);
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["colour", "resources[1]", "resources[2]"]);
    assert_eq!(
        app.post("/v1/webhooks", &w.admin, &json!({"client_id": client, "url": "https://x.example/", "resources": []}))
            .await
            .status,
        422
    );

    let created = app.post("/v1/webhooks", &w.admin, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.header("location").unwrap(), format!("/v1/webhooks/{id}"));
    assert!(created.body["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(created.body["resources"], json!(["referrals"]));
    assert_eq!(created.body["active"], true);
    assert_eq!(created.header("cache-control").as_deref(), Some("no-store"), "a secret is never cached");
    let res = app.patch_if(&format!("/v1/webhooks/{id}"), &w.admin, "\"1\"", &json!({"active": null})).await;
    assert_eq!((res.status, res.error_fields()), (422, vec!["active".to_owned()]), "null is not a switch");
    let list = app.get(&format!("/v1/webhooks?client_id={client}"), &w.admin).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
    assert!(!list.text.contains("whsec_"), "never the secret in a list");
    let other = client_id(&app, &w.agency_y).await;
    assert_eq!(app.get(&format!("/v1/webhooks?client_id={other}"), &w.admin).await.body["data"], json!([]));

    let res = app.patch_if(&format!("/v1/webhooks/{id}"), &w.admin, "\"9\"", &json!({"active": false})).await;
    res.assert_problem(412, "precondition-failed");
    let res = app.patch_if(&format!("/v1/webhooks/{id}"), &w.admin, "\"9\"", &json!({"url": 3, "active": 1})).await;
    assert_eq!(res.status, 422, "what the body alone shows comes before the stale version: {}", res.text);
    let res = app.patch_if(&format!("/v1/webhooks/{id}"), &w.admin, "\"1\"", &json!({"client_id": other})).await;
    assert_eq!((res.status, res.error_fields()), (422, vec!["client_id".to_owned()]));
    let res = app
        .patch_if(&format!("/v1/webhooks/{id}"), &w.admin, "\"1\"", &json!({"active": false, "resources": null}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        (res.body["active"].clone(), res.body["resources"].clone(), res.body["version"].clone()),
        (json!(false), Value::Null, json!(2))
    );
    assert_eq!(app.get(&format!("/v1/webhooks/{id}/deliveries"), &w.admin).await.body["data"], json!([]));
    assert_eq!(app.get(&format!("/v1/webhooks/{id}/deliveries"), &w.officer_a).await.status, 403);
    let gone = app.delete(&format!("/v1/webhooks/{id}"), &w.admin).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    app.get(&format!("/v1/webhooks/{id}"), &w.admin).await.assert_problem(404, "not-found");
    app.get(&format!("/v1/webhooks/{id}/deliveries"), &w.admin).await.assert_problem(404, "not-found");
    assert_eq!(app.post(&format!("/v1/webhooks/{id}/rotate-secret"), &w.admin, &json!({})).await.status, 404);
}
