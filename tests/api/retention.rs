//! Retention of youth records (API.md §7): `retain_until`, legal holds, sealing the day after,
//! destruction `RETENTION_GRACE_DAYS` later, the runs, and one pass at a time across instances.
//! The pass is called with a moved clock (the injected `Context::now`), never with sleeps.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::{json, Value};

use crate::support::world::World;
use crate::support::{ids, Resp, TestApp};
use sro_api::config::RetentionSettings;
use sro_api::domain::context::Context;
use sro_api::service::retention::{self, Report};

/// Runs one pass as of noon (Ottawa) on `day`.
fn pass_on(app: &TestApp, day: &str, dry_run: bool) -> Report {
    let mut ctx = Context::system("retention-test");
    ctx.now = format!("{day}T17:00:00Z").parse::<DateTime<Utc>>().unwrap();
    let mut conn = app.state.pool.get().unwrap();
    retention::pass(&mut conn, &ctx, RetentionSettings::default(), dry_run).unwrap()
}

const GIVEN: &str = "Zéphyrin";
const FAMILY: &str = "Quenneville";
const BORN: &str = "2010-02-28";
const GUARDIAN: &str = "Odile Brisebois";
const PHONE: &str = "613-555-0142";

/// Everything about one youth, written through the API: a person with a guardian, an incident
/// naming them in its summary, a warning, a referral whose reason and history note name them,
/// a service request that names them, a disclosure to their school, and an idempotent create
/// whose replay holds them.
struct Youth {
    person: String,
    witness: String,
    incident: String,
    outcome: String,
    referral: String,
    disclosure: String,
}

async fn youth(app: &TestApp, w: &World) -> Youth {
    let body = json!({"given_name": GIVEN, "family_name": FAMILY, "date_of_birth": BORN, "school_id": w.school_a,
                      "guardian_name": GUARDIAN, "guardian_phone": PHONE, "language": "fr"});
    let req = actix_web::test::TestRequest::post()
        .uri("/v1/persons")
        .insert_header(("authorization", format!("Bearer {}", w.admin)))
        .insert_header(("idempotency-key", "retention-youth-1"))
        .set_json(&body);
    let res = app.send(req).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let person = res.body["id"].as_str().unwrap().to_owned();
    let witness = json!({"given_name": "Alex", "family_name": "Tremblay", "school_id": w.school_a});
    let witness = created(app.post("/v1/persons", &w.admin, &witness).await);
    let incident = json!({"school_id": w.school_a, "occurred_at": "2026-11-20T15:30:00Z", "location": "school_property",
        "during_school_hours": true, "category": "mischief",
        "summary": format!("{GIVEN} {FAMILY} damaged a locker; {GUARDIAN} was called."),
        "involved": [{"person_id": person, "role": "subject"}, {"person_id": witness, "role": "witness"}]});
    let incident = created(app.post("/v1/incidents", &w.officer_a, &incident).await);
    let outcome = json!({"person_id": person, "measure": "warning", "decided_on": "2026-11-21"});
    let outcome = created(app.post(&format!("/v1/incidents/{incident}/outcomes"), &w.officer_a, &outcome).await);
    let referral = json!({"person_id": person, "agency_id": w.agency_x_id, "officer_id": w.officer_a_id,
        "category": "youth_services", "urgency": "routine", "reason": format!("{GIVEN} asked for mentoring."),
        "consent": {"given_by": "guardian", "obtained_on": "2026-11-20"}});
    let referral = created(app.post("/v1/referrals", &w.officer_a, &referral).await);
    let done = app
        .post(
            &format!("/v1/referrals/{referral}/status"),
            &w.officer_a,
            &json!({"status": "withdrawn", "note": format!("{FAMILY} moved away.")}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let request = json!({"school_id": w.school_a, "kind": "consultation", "details": format!("Parents of {GIVEN} {FAMILY} ask for a meeting."),
                         "requested_by": {"name": "Sandra Kowalski", "role": "Vice-principal"}});
    created(app.post("/v1/service-requests", &w.board_a, &request).await);
    let disclosure = json!({"person_id": person, "school_id": w.school_a, "recipient_name": "Josée Bérubé",
        "recipient_role": "Principal", "purpose": "safety", "disclosed_on": crate::support::day(-1), "destroy_by": crate::support::day(60),
        "information": format!("{GIVEN} {FAMILY} must have no contact with the complainant.")});
    let disclosure = created(app.post("/v1/disclosures", &w.officer_a, &disclosure).await);
    let resolve = json!({"status": "resolved", "resolution": "verbal_caution"});
    assert_eq!(app.patch(&format!("/v1/incidents/{incident}"), &w.officer_a, &resolve).await.status, 200);
    Youth { person, witness, incident, outcome, referral, disclosure }
}

fn created(res: Resp) -> String {
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().to_owned()
}

/// The admin's incident counts by category and referral counts by status.
async fn stats(app: &TestApp, admin: &str) -> (Value, Value) {
    let a = app.get("/v1/stats/incidents?group_by=category", admin).await.body;
    let b = app.get("/v1/stats/referrals?group_by=status", admin).await.body;
    (a, b)
}

/// The feed as `op resource id` lines.
async fn feed(app: &TestApp, token: &str) -> Vec<String> {
    let res = app.get("/v1/changes?limit=500", token).await;
    let entries = res.body["data"].as_array().unwrap().iter();
    entries
        .map(|e| {
            format!("{} {} {}", e["op"].as_str().unwrap(), e["resource"].as_str().unwrap(), e["id"].as_str().unwrap())
        })
        .collect()
}

/// Every text or date column of every table, as `table.column`.
fn text_columns(conn: &mut sro_api::db::DbConn, postgres: bool) -> Vec<String> {
    let sql = if postgres {
        "(SELECT string_agg(table_name || '.' || column_name, ' ') FROM information_schema.columns \
          WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'date'))"
    } else {
        "(SELECT group_concat(m.name || '.' || p.name, ' ') FROM sqlite_master m, pragma_table_info(m.name) p \
          WHERE m.type = 'table' AND p.type IN ('TEXT', 'DATE'))"
    };
    let all: String = diesel::select(diesel::dsl::sql::<Text>(sql)).get_result(conn).unwrap();
    all.split(' ').map(str::to_owned).collect()
}

/// The `table.column`s holding `needle` anywhere (case-insensitive for ASCII letters).
fn holding(conn: &mut sro_api::db::DbConn, columns: &[String], needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for tc in columns {
        let (table, column) = tc.split_once('.').unwrap();
        let sql = format!(
            "(SELECT COUNT(*) FROM {table} WHERE lower(CAST({column} AS TEXT)) LIKE lower('%{}%'))",
            needle.replace('\'', "''")
        );
        let n: i64 = diesel::select(diesel::dsl::sql::<BigInt>(&sql)).get_result(conn).unwrap();
        if n > 0 {
            found.push(format!("{tc} ({n})"));
        }
    }
    found
}

/// Catches: `retain_until` wrong or shown to an officer; sealing on the last day kept instead
/// of the day after; a sealed youth still visible to an officer or agency in any form (the
/// person, the incident's `involved`, the outcome, the referral, a filter); no `access_lost`;
/// destruction before the grace period; any trace of the youth's names, date of birth or
/// guardian left anywhere in the database after destruction; statistics changed; the access log
/// lost with the person.
#[actix_rt::test]
async fn a_youth_is_sealed_the_day_after_retain_until_and_destroyed_after_the_grace_period() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let y = youth(&app, &w).await;
    let person_path = format!("/v1/persons/{}", y.person);
    let res = app.get(&person_path, &w.admin).await;
    assert_eq!(res.body["retain_until"], "2028-11-21", "the warning's period: {}", res.text);
    assert_eq!((res.body["legal_hold"].clone(), res.body["sealed_at"].clone()), (Value::Null, Value::Null));
    let officer_view = app.get(&person_path, &w.officer_a).await;
    assert!(officer_view.body.get("retain_until").is_none(), "admin only: {}", officer_view.text);

    let disclosure = format!("/v1/disclosures/{}", y.disclosure);
    assert_eq!(app.get(&disclosure, &w.board_a).await.status, 200);
    assert!(pass_on(&app, "2028-11-21", false).sealed.is_empty(), "retain_until is the last day kept");
    assert_eq!(app.get(&person_path, &w.officer_a).await.status, 200);
    let report = pass_on(&app, "2028-11-22", false);
    assert_eq!(report.sealed, [uuid::Uuid::parse_str(&y.person).unwrap()], "{report:?}");
    assert_eq!(report.run.as_ref().unwrap().sealed, 1);

    // Sealed: the unit still sees everything; no one else sees a trace.
    let admin_view = app.get(&person_path, &w.admin).await;
    assert!(admin_view.body["sealed_at"].is_string(), "{}", admin_view.text);
    app.get(&person_path, &w.officer_a).await.assert_problem(404, "not-found");
    assert!(!ids(&app.get("/v1/persons?limit=500", &w.officer_a).await.body).contains(&y.person));
    let incident = app.get(&format!("/v1/incidents/{}", y.incident), &w.officer_a).await;
    assert_eq!(incident.body["involved"], json!([{"person_id": y.witness, "role": "witness"}]), "{}", incident.text);
    let admin_incident = app.get(&format!("/v1/incidents/{}", y.incident), &w.admin).await;
    assert_eq!(admin_incident.body["involved"].as_array().unwrap().len(), 2);
    let by_person = format!("/v1/incidents?person_id={}", y.person);
    assert!(ids(&app.get(&by_person, &w.officer_a).await.body).is_empty(), "not even as a filter");
    assert_eq!(ids(&app.get(&by_person, &w.admin).await.body), [y.incident.as_str()]);
    let outcome = format!("/v1/incidents/{}/outcomes/{}", y.incident, y.outcome);
    app.get(&outcome, &w.officer_a).await.assert_problem(404, "not-found");
    assert_eq!(app.get(&outcome, &w.admin).await.status, 200);
    for token in [&w.agency_x, &w.officer_a] {
        app.get(&format!("/v1/referrals/{}", y.referral), token).await.assert_problem(404, "not-found");
    }
    // A PATCH by the officer keeps the sealed person it cannot see, even one of `involved`.
    let res = app
        .patch(&format!("/v1/incidents/{}", y.incident), &w.officer_a, &json!({"safe_schools_reportable": true}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let involved = json!({"involved": [{"person_id": y.witness, "role": "victim"}]});
    let res = app.patch(&format!("/v1/incidents/{}", y.incident), &w.officer_a, &involved).await;
    assert_eq!(res.status, 200, "the sealed subject's outcome must not block the officer: {}", res.text);
    // Writing about a sealed person is answered as for a stranger, never 409 or 201.
    let again = json!({"person_id": y.person, "measure": "warning", "decided_on": "2026-11-21"});
    let res = app.post(&format!("/v1/incidents/{}/outcomes", y.incident), &w.officer_a, &again).await;
    assert_eq!(res.error_fields(), ["person_id"], "{}", res.text);
    // A referral the unit makes for a sealed person stays the unit's.
    let late = json!({"person_id": y.person, "agency_id": w.agency_x_id, "officer_id": w.officer_a_id,
        "category": "youth_services", "urgency": "routine", "reason": "Late.",
        "consent": {"given_by": "guardian", "obtained_on": "2026-11-20"}});
    let late = created(app.post("/v1/referrals", &w.admin, &late).await);
    app.get(&format!("/v1/referrals/{late}"), &w.agency_x).await.assert_problem(404, "not-found");
    assert!(!ids(&app.get("/v1/referrals?limit=500", &w.agency_x).await.body).contains(&late));
    // An open referral keeps the record from destruction (retain_until is null again) until it
    // is closed.
    assert_eq!(app.get(&person_path, &w.admin).await.body["retain_until"], Value::Null);
    let withdraw = json!({"status": "withdrawn", "note": "Made in error."});
    assert_eq!(app.post(&format!("/v1/referrals/{late}/status"), &w.admin, &withdraw).await.status, 200);
    assert_eq!(
        app.get(&format!("/v1/incidents/{}", y.incident), &w.admin).await.body["involved"].as_array().unwrap().len(),
        2
    );
    let officer_feed = feed(&app, &w.officer_a).await;
    for lost in [format!("access_lost persons {}", y.person), format!("access_lost outcomes {}", y.outcome)] {
        assert!(officer_feed.contains(&lost), "{lost} in {officer_feed:?}");
    }
    assert!(feed(&app, &w.agency_x).await.contains(&format!("access_lost referrals {}", y.referral)));
    for token in [&w.board_a, &w.officer_a] {
        app.get(&disclosure, token).await.assert_problem(404, "not-found");
        assert!(feed(&app, token).await.contains(&format!("access_lost disclosures {}", y.disclosure)));
    }
    assert_eq!(app.get(&disclosure, &w.admin).await.status, 200);

    assert!(pass_on(&app, "2028-11-22", false).sealed.is_empty(), "a second pass the same day does nothing");
    assert!(pass_on(&app, "2028-12-21", false).destroyed.is_empty(), "29 days after sealing");
    let stats_before = stats(&app, &w.admin).await;
    let report = pass_on(&app, "2028-12-22", false);
    assert_eq!(report.destroyed.len(), 1, "{report:?}");
    assert_eq!((report.errors, report.run.unwrap().destroyed), (0, 1));

    // Destroyed: the person, their involvement and outcome are gone; the rest de-identified.
    app.get(&person_path, &w.admin).await.assert_problem(404, "not-found");
    app.get(&outcome, &w.admin).await.assert_problem(404, "not-found");
    app.get(&disclosure, &w.admin).await.assert_problem(404, "not-found");
    let referral = app.get(&format!("/v1/referrals/{}", y.referral), &w.admin).await;
    assert_eq!(
        (referral.body["person_id"].clone(), referral.body["reason"].clone()),
        (Value::Null, json!("")),
        "{}",
        referral.text
    );
    assert_eq!(referral.body["status"], "withdrawn");
    let postgres = app.state.config.database_url.starts_with("postgres");
    let mut conn = app.state.pool.get().unwrap();
    let columns = text_columns(&mut conn, postgres);
    assert!(columns.len() > 50, "{columns:?}");
    for needle in [GIVEN, FAMILY, BORN, "Brisebois", PHONE, "Odile"] {
        assert_eq!(holding(&mut conn, &columns, needle), Vec::<String>::new(), "`{needle}` is still stored");
    }
    drop(conn);
    assert_eq!(stats(&app, &w.admin).await, stats_before, "statistics are unchanged");
    let log = app.get(&format!("/v1/persons/{}/access-log?limit=500", y.person), &w.admin).await;
    assert!(log.body["data"].as_array().unwrap().len() >= 5, "the access log outlives the person: {}", log.text);
}

/// Catches a hold that does not stop sealing, a hold open to other roles, and a hold that, once
/// lifted, still keeps the record.
#[actix_rt::test]
async fn a_legal_hold_keeps_the_record_until_it_is_lifted() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let y = youth(&app, &w).await;
    let hold = format!("/v1/persons/{}/hold", y.person);
    let reason = json!({"reason": "Access request AR-2028-117 in progress."});
    app.post(&hold, &w.officer_a, &reason).await.assert_problem(403, "forbidden");
    app.post(&hold, &w.admin, &json!({})).await.assert_problem(422, "validation");
    let res = app.post(&hold, &w.admin, &reason).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["legal_hold"]["reason"], reason["reason"]);
    let report = pass_on(&app, "2028-11-22", false);
    assert!(report.sealed.is_empty(), "{report:?}");
    assert_eq!(report.held.len(), 1);
    assert_eq!(app.get(&format!("/v1/persons/{}", y.person), &w.officer_a).await.status, 200);
    let res = app.delete(&hold, &w.admin).await;
    assert_eq!((res.status, res.body["legal_hold"].clone()), (200, Value::Null), "{}", res.text);
    assert_eq!(pass_on(&app, "2028-11-22", false).sealed.len(), 1);
}

/// Catches `retain_until` given while anything keeps the youth (a pending charge, an open
/// incident as subject, an open referral), and the no-measure rule for a witness.
#[actix_rt::test]
async fn retain_until_waits_for_pending_charges_open_incidents_and_open_referrals() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let retain = |person: String| {
        let (app, admin) = (&app, w.admin.clone());
        async move { app.get(&format!("/v1/persons/{person}"), &admin).await.body["retain_until"].clone() }
    };
    // World: person A is the subject of open incident A and has an open referral.
    assert_eq!(retain(w.person_a.clone()).await, Value::Null);
    let y = youth(&app, &w).await;
    let charge = json!({"measure": "charge"});
    let res = app.patch(&format!("/v1/incidents/{}/outcomes/{}", y.incident, y.outcome), &w.admin, &charge).await;
    // The incident is resolved, not closed: outcomes can still change.
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(retain(y.person.clone()).await, Value::Null, "a pending charge");
    let stayed = json!({"court_disposition": "stayed", "disposition_on": "2026-12-01"});
    app.patch(&format!("/v1/incidents/{}/outcomes/{}", y.incident, y.outcome), &w.admin, &stayed).await;
    assert_eq!(retain(y.person.clone()).await, "2027-12-01");
    // A witness with no outcome: RETENTION_NO_MEASURE_DAYS after the incident was resolved.
    let witness = app.get(&format!("/v1/persons/{}", w.person_b), &w.admin).await;
    assert_eq!(witness.body["retain_until"], Value::Null, "subject of open incident B");
}

/// Catches a dry run that changes anything, runs not recorded or not newest first, and the
/// runs open to other roles.
#[actix_rt::test]
async fn a_dry_run_changes_nothing_and_every_pass_is_recorded() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let y = youth(&app, &w).await;
    let dry = pass_on(&app, "2028-11-22", true);
    assert_eq!(dry.sealed.len(), 1);
    assert_eq!(app.get(&format!("/v1/persons/{}", y.person), &w.officer_a).await.status, 200, "nothing sealed");
    assert_eq!(pass_on(&app, "2028-11-22", false).sealed.len(), 1);
    let runs = app.get("/v1/retention/runs", &w.admin).await;
    assert_eq!(runs.status, 200, "{}", runs.text);
    let data = runs.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!((data[0]["dry_run"].clone(), data[0]["sealed"].clone()), (json!(false), json!(1)));
    assert_eq!((data[1]["dry_run"].clone(), data[1]["sealed"].clone()), (json!(true), json!(1)));
    assert!(data[0]["finished_at"].is_string());
    assert!(!runs.text.contains(&y.person), "counts only");
    for token in [&w.officer_a, &w.board_a, &w.agency_x, &w.dashboard] {
        app.get("/v1/retention/runs", token).await.assert_problem(403, "forbidden");
    }
}

/// Catches two instances running the daily pass at once (PostgreSQL advisory lock): while one
/// holds the lock the other skips; two started together seal each person once.
#[actix_rt::test]
#[ignore = "PostgreSQL only: run with --include-ignored and TEST_DATABASE_URL"]
async fn only_one_instance_runs_the_pass_at_a_time() {
    assert!(crate::support::db::pg_admin_url().is_some(), "needs TEST_DATABASE_URL");
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    for _ in 0..3 {
        youth_again(&app, &w).await;
    }
    let url = app.state.config.database_url.clone();
    let mut other = diesel::pg::PgConnection::establish(&url).unwrap();
    let lock = format!("SELECT pg_advisory_lock({})", retention::PASS_LOCK);
    diesel::connection::SimpleConnection::batch_execute(&mut other, &lock).unwrap();
    let mut ctx = Context::system("instance-2");
    ctx.now = "2028-11-22T17:00:00Z".parse().unwrap();
    let mut conn = app.state.pool.get().unwrap();
    let skipped = retention::pass_exclusive(&mut conn, &ctx, RetentionSettings::default(), false).unwrap();
    assert!(skipped.is_none(), "another instance holds the lock");
    diesel::connection::SimpleConnection::batch_execute(&mut other, "SELECT pg_advisory_unlock_all()").unwrap();
    drop(conn);
    let runs: Vec<_> = (0..2)
        .map(|n| {
            let pool = app.state.pool.clone();
            let ctx = Context { request_id: format!("instance-{n}"), ..ctx.clone() };
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                retention::pass_exclusive(&mut conn, &ctx, RetentionSettings::default(), false).unwrap()
            })
        })
        .collect();
    let reports: Vec<Option<Report>> = runs.into_iter().map(|t| t.join().unwrap()).collect();
    let sealed: usize = reports.iter().flatten().map(|r| r.sealed.len()).sum();
    assert_eq!(sealed, 3, "each person sealed once: {reports:?}");
}

/// Another youth like [`youth`] (names are not unique; only the pass's counts matter here).
async fn youth_again(app: &TestApp, w: &World) {
    let body = json!({"given_name": "Noah", "family_name": "Martin", "school_id": w.school_a});
    let person = created(app.post("/v1/persons", &w.admin, &body).await);
    let incident = json!({"school_id": w.school_a, "occurred_at": "2026-11-20T15:30:00Z", "location": "school_property",
        "during_school_hours": true, "category": "mischief", "summary": "A locker was damaged.",
        "involved": [{"person_id": person, "role": "subject"}]});
    let incident = created(app.post("/v1/incidents", &w.admin, &incident).await);
    let outcome = json!({"person_id": person, "measure": "warning", "decided_on": "2026-11-21"});
    created(app.post(&format!("/v1/incidents/{incident}/outcomes"), &w.admin, &outcome).await);
    let resolve = json!({"status": "resolved", "resolution": "verbal_caution"});
    assert_eq!(app.patch(&format!("/v1/incidents/{incident}"), &w.admin, &resolve).await.status, 200);
}
