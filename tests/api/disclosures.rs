//! Disclosures to schools (API.md §7, YCJA s. 125(6)–(7)): who may make one, the destroy_by
//! rules, the board of the school as the one reader outside the police, its confirmations, the
//! loss of access once destroyed or past destroy_by (404 and `access_lost`), and the audit of
//! every read with the person.

use actix_web::test::TestRequest;
use serde_json::{json, Value};

use crate::support::world::{World, NAMES};
use sro_api::domain::access::{Caller, Role, Scope};
use sro_api::domain::context::Context;
use sro_api::service::disclosures::expire;

use crate::support::{day, ids, today, Resp, TestApp, OCDSB};

/// A valid disclosure of `person` to `school`, made yesterday, to be destroyed within 30 days.
fn body(person: &str, school: &str) -> Value {
    json!({
        "person_id": person,
        "school_id": school,
        "recipient_name": "Josée Bérubé",
        "recipient_role": "Principal",
        "purpose": "safety",
        "information": "Under a youth justice court order: no contact with the complainant, a student of this school.",
        "disclosed_on": day(-1),
        "destroy_by": day(30)
    })
}

async fn made(app: &TestApp, token: &str, body: &Value) -> String {
    let res = app.post("/v1/disclosures", token, body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().to_owned()
}

/// The ops `token`'s change feed shows for record `id`, from the start.
async fn feed_ops(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let res = app.get("/v1/changes?after=0&limit=500", token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["id"] == id)
        .map(|e| e["op"].as_str().unwrap().to_owned())
        .collect()
}

/// POST with an `If-Match` header and no body.
async fn post_if(app: &TestApp, path: &str, token: &str, etag: &str) -> Resp {
    let req = TestRequest::post()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("if-match", etag));
    app.send(req).await
}

/// Catches a disclosure refused to the officer of the school or accepted from an officer for a
/// school it is not assigned to (or about a youth it may not see), a Location that does not lead
/// back, and an answer without the person's name or the s. 125(7) duties.
#[actix_rt::test]
async fn an_officer_discloses_to_its_own_school_only() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let res = app.post("/v1/disclosures", &w.officer_a, &body(&w.person_a, &w.school_a)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.body["person"]["id"], w.person_a.as_str());
    assert_eq!(res.body["person"]["given_name"], NAMES[0]);
    assert_eq!(res.body["person"]["family_name"], NAMES[1]);
    assert_eq!(res.body["person"]["date_of_birth"], "2011-04-02");
    assert_eq!(res.body["purpose"], "safety");
    assert_eq!(res.body["duties"].as_array().unwrap().len(), 3, "{}", res.text);
    assert!(res.body["acknowledged_at"].is_null() && res.body["destroyed_at"].is_null());
    let location = res.header("location").unwrap();
    assert_eq!(location, format!("/v1/disclosures/{}", res.body["id"].as_str().unwrap()));
    assert_eq!(app.get(&location, &w.officer_a).await.body, res.body);

    let other_school = app.post("/v1/disclosures", &w.officer_a, &body(&w.person_a, &w.school_b)).await;
    other_school.assert_problem(422, "validation");
    assert_eq!(other_school.error_fields(), ["school_id"]);
    let stranger = app.post("/v1/disclosures", &w.officer_b, &body(&w.person_a, &w.school_a)).await;
    stranger.assert_problem(422, "validation");
    assert_eq!(stranger.error_fields(), ["person_id", "school_id"]);
    assert_eq!(app.post("/v1/disclosures", &w.board_a, &body(&w.person_a, &w.school_a)).await.status, 403);
    assert_eq!(app.post("/v1/disclosures", &w.admin, &body(&w.person_b, &w.school_b)).await.status, 201);
}

/// Catches a destroy_by on or before disclosed_on, or more than a year after it, accepted (or
/// refused without naming destroy_by), a disclosure dated in the future, information over 2,000
/// characters, and bad fields reported one at a time.
#[actix_rt::test]
async fn destroy_by_is_after_the_disclosure_and_at_most_a_year_later() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let with = |changes: Value| {
        let mut b = body(&w.person_a, &w.school_a);
        for (k, v) in changes.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let disclosed = today() - chrono::Duration::days(10);
    let a_year_on = disclosed.checked_add_months(chrono::Months::new(12)).unwrap();
    let text = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let too_late = text(a_year_on + chrono::Duration::days(1));
    for (disclosed_on, destroy_by) in [(day(-1), day(-1)), (day(-1), day(-2)), (text(disclosed), too_late)] {
        let res = app
            .post(
                "/v1/disclosures",
                &w.officer_a,
                &with(json!({"disclosed_on": disclosed_on, "destroy_by": destroy_by})),
            )
            .await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), ["destroy_by"], "{disclosed_on} .. {destroy_by}");
    }
    let a_year = app
        .post(
            "/v1/disclosures",
            &w.officer_a,
            &with(json!({"disclosed_on": text(disclosed), "destroy_by": text(a_year_on)})),
        )
        .await;
    assert_eq!(a_year.status, 201, "one year to the day is allowed: {}", a_year.text);
    let res = app
        .post(
            "/v1/disclosures",
            &w.officer_a,
            &with(json!({"disclosed_on": day(1), "destroy_by": day(20), "information": "x".repeat(2001),
                         "purpose": "curiosity", "extra": true})),
        )
        .await;
    res.assert_problem(422, "validation");
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["disclosed_on", "extra", "information", "purpose"]);
    let longest = app.post("/v1/disclosures", &w.officer_a, &with(json!({"information": "é".repeat(2000)}))).await;
    assert_eq!(longest.status, 201, "2,000 characters (not bytes): {}", longest.text);
}

/// Catches a board that cannot read its school's disclosure (or reads it without the youth's
/// name or the duties), a board reading another board's, and an agency or dashboard reaching
/// the endpoints at all.
#[actix_rt::test]
async fn the_board_of_the_school_reads_it_and_no_one_else_outside_the_police_does() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = made(&app, &w.officer_a, &body(&w.person_a, &w.school_a)).await;
    let path = format!("/v1/disclosures/{id}");
    let got = app.get(&path, &w.board_a).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.body["person"]["given_name"], NAMES[0]);
    assert_eq!(got.body["person"]["family_name"], NAMES[1]);
    let duties: Vec<&str> = got.body["duties"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    assert!(duties.iter().any(|d| d.contains("separate")), "{duties:?}");
    assert!(duties.iter().any(|d| d.contains("access")), "{duties:?}");
    assert!(duties.iter().any(|d| d.contains("Destroy")), "{duties:?}");
    assert_eq!(ids(&app.get("/v1/disclosures", &w.board_a).await.body), [id.as_str()]);

    app.get(&path, &w.board_b).await.assert_problem(404, "not-found");
    let other = app.get("/v1/disclosures", &w.board_b).await;
    assert_eq!(other.status, 200);
    assert!(ids(&other.body).is_empty(), "{}", other.text);
    assert!(!other.text.contains(NAMES[0]));
    assert_eq!(app.get(&path, &w.officer_b).await.status, 404);
    for token in [&w.agency_x, &w.agency_y, &w.dashboard] {
        app.get(&path, token).await.assert_problem(403, "forbidden");
        app.get("/v1/disclosures", token).await.assert_problem(403, "forbidden");
        assert_eq!(app.post(&format!("{path}/acknowledge"), token, &json!({})).await.status, 403);
    }
    assert_eq!(app.post(&format!("{path}/acknowledge"), &w.officer_a, &json!({})).await.status, 403);
    assert_eq!(app.post(&format!("{path}/destroyed"), &w.board_b, &json!({})).await.status, 404);
}

/// Catches an acknowledgement that is not recorded or is overwritten by a repeat, a stale
/// If-Match accepted, a board that keeps reading (or listing) a disclosure it confirmed
/// destroyed, and a destruction its change feed does not report as `access_lost`.
#[actix_rt::test]
async fn the_board_acknowledges_then_confirms_destruction_and_loses_the_record() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = made(&app, &w.officer_a, &body(&w.person_a, &w.school_a)).await;
    let path = format!("/v1/disclosures/{id}");
    post_if(&app, &format!("{path}/acknowledge"), &w.board_a, "\"7\"").await.assert_problem(412, "precondition-failed");
    let first = post_if(&app, &format!("{path}/acknowledge"), &w.board_a, "\"1\"").await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert!(first.body["acknowledged_at"].is_string());
    assert_eq!(first.body["version"], 2);
    let again = app.post(&format!("{path}/acknowledge"), &w.board_a, &json!({})).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["acknowledged_at"], first.body["acknowledged_at"], "the first time is kept");
    assert_eq!(again.body["version"], 2, "a repeat changes nothing");
    assert_eq!(feed_ops(&app, &w.board_a, &id).await, ["created", "updated"]);

    let destroyed = app.post(&format!("{path}/destroyed"), &w.board_a, &json!({})).await;
    assert_eq!(destroyed.status, 200, "{}", destroyed.text);
    assert!(destroyed.body["destroyed_at"].is_string());
    app.get(&path, &w.board_a).await.assert_problem(404, "not-found");
    assert!(ids(&app.get("/v1/disclosures", &w.board_a).await.body).is_empty());
    assert_eq!(app.post(&format!("{path}/destroyed"), &w.board_a, &json!({})).await.status, 404);
    assert_eq!(app.post(&format!("{path}/acknowledge"), &w.board_a, &json!({})).await.status, 404);
    assert_eq!(feed_ops(&app, &w.board_a, &id).await, ["access_lost"], "nothing else once lost");
    assert!(feed_ops(&app, &w.board_b, &id).await.is_empty());
    // The police keep their record of having disclosed.
    let kept = app.get(&path, &w.officer_a).await;
    assert_eq!(kept.status, 200);
    assert_eq!(kept.body["destroyed_at"], destroyed.body["destroyed_at"]);
    assert_eq!(feed_ops(&app, &w.officer_a, &id).await, ["created", "updated", "updated"]);
    assert_eq!(app.post(&format!("{path}/destroyed"), &w.admin, &json!({})).await.body["version"], 3);
}

/// Catches a board that still reads a disclosure past its destroy_by (the school may no longer
/// keep it), and an expiry pass that does not tell the board's feed (`access_lost`), tells it
/// twice, or announces one the board never saw.
#[actix_rt::test]
async fn past_destroy_by_the_board_gets_404_and_the_expiry_pass_reports_access_lost() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut late = body(&w.person_a, &w.school_a);
    late["disclosed_on"] = json!(day(-40));
    late["destroy_by"] = json!(day(-1));
    let past = made(&app, &w.officer_a, &late).await;
    app.get(&format!("/v1/disclosures/{past}"), &w.board_a).await.assert_problem(404, "not-found");
    assert!(ids(&app.get("/v1/disclosures", &w.board_a).await.body).is_empty());
    assert_eq!(app.get(&format!("/v1/disclosures/{past}"), &w.admin).await.status, 200);

    let mut last_day = body(&w.person_a, &w.school_a);
    last_day["destroy_by"] = json!(day(0));
    let today = made(&app, &w.officer_a, &last_day).await;
    assert_eq!(app.get(&format!("/v1/disclosures/{today}"), &w.board_a).await.status, 200, "kept through destroy_by");

    let mut conn = app.state.pool.get().unwrap();
    let now = Context::system("test");
    assert_eq!(expire(&mut conn, &now).expect("expiry pass"), 0, "nothing has passed yet (and `past` never counts)");
    let mut tomorrow = Context::system("test");
    tomorrow.now += chrono::Duration::days(1);
    assert_eq!(expire(&mut conn, &tomorrow).expect("expiry pass"), 1);
    assert_eq!(expire(&mut conn, &tomorrow).expect("expiry pass"), 0, "once");
    // The board as it will be tomorrow: 404, and its feed says the record left its view.
    let board = Caller {
        client_id: uuid::Uuid::now_v7(),
        role: Role::Board,
        board_id: Some(uuid::Uuid::parse_str(OCDSB).unwrap()),
        officer_id: None,
        agency_id: None,
        scopes: vec![Scope::DisclosuresRead, Scope::ChangesRead].into(),
    };
    let mut board_tomorrow = Context::new(board, "test");
    board_tomorrow.now = tomorrow.now;
    let id = uuid::Uuid::parse_str(&today).unwrap();
    let gone = sro_api::service::disclosures::get(&mut conn, &board_tomorrow, id);
    assert!(matches!(gone, Err(sro_api::error::AppError::NotFound)), "{gone:?}");
    let feed = sro_api::service::changes::page(&mut conn, &board_tomorrow, 0, 500).expect("feed");
    let ops = |id: &str| -> Vec<String> { feed.data.iter().filter(|e| e.id == id).map(|e| e.op.to_string()).collect() };
    assert_eq!(ops(&today), ["access_lost"]);
    assert!(ops(&past).is_empty(), "never seen, never lost");
    drop(conn);
    assert_eq!(feed_ops(&app, &w.officer_a, &today).await, ["created", "updated"]);
}

/// Catches a disclosure read (by a board above all) that leaves no audit event, or one that does
/// not name the young person, so the person's access log would miss who read their record.
#[actix_rt::test]
async fn every_read_and_write_is_audited_with_the_person() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = made(&app, &w.officer_a, &body(&w.person_a, &w.school_a)).await;
    assert_eq!(app.get(&format!("/v1/disclosures/{id}"), &w.board_a).await.status, 200);
    assert_eq!(app.get("/v1/disclosures", &w.board_a).await.status, 200);
    assert_eq!(app.post(&format!("/v1/disclosures/{id}/acknowledge"), &w.board_a, &json!({})).await.status, 200);
    let events = app.get("/v1/audit-events?resource=disclosures&limit=500", &w.admin).await;
    assert_eq!(events.status, 200, "{}", events.text);
    let seen: Vec<(String, String, Value)> = events.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["role"].as_str().unwrap().to_owned(), e["action"].as_str().unwrap().to_owned(), e["person_ids"].clone())
        })
        .collect();
    let person = json!([w.person_a]);
    for (role, action) in [("officer", "create"), ("board", "read"), ("board", "list"), ("board", "status")] {
        assert!(
            seen.iter().any(|(r, a, p)| r == role && a == action && *p == person),
            "{role} {action} carrying the person: {seen:?}"
        );
    }
    let read = events.body["data"].as_array().unwrap().iter().find(|e| e["action"] == "read").unwrap();
    assert_eq!(read["resource_id"], id.as_str());
}

/// Catches filters that are ignored, paging that skips or repeats, and a person's list that
/// shows disclosures the caller may not see or answers for a person it may not see.
#[actix_rt::test]
async fn lists_filter_page_and_sit_under_the_person() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let a1 = made(&app, &w.officer_a, &body(&w.person_a, &w.school_a)).await;
    let mut rehab = body(&w.person_a, &w.school_a);
    rehab["purpose"] = json!("rehabilitation");
    let a2 = made(&app, &w.admin, &rehab).await;
    let b1 = made(&app, &w.admin, &body(&w.person_b, &w.school_b)).await;
    let list = |q: &str| format!("/v1/disclosures?{q}");
    assert_eq!(ids(&app.get(&list(""), &w.admin).await.body), [a1.as_str(), a2.as_str(), b1.as_str()]);
    assert_eq!(ids(&app.get(&list(&format!("school_id={}", w.school_b)), &w.admin).await.body), [b1.as_str()]);
    assert_eq!(
        ids(&app.get(&list(&format!("person_id={}", w.person_a)), &w.admin).await.body),
        [a1.as_str(), a2.as_str()]
    );
    assert_eq!(ids(&app.get(&list("purpose=rehabilitation"), &w.admin).await.body), [a2.as_str()]);
    assert_eq!(ids(&app.get(&list(""), &w.officer_a).await.body), [a1.as_str(), a2.as_str()]);
    app.get(&list("purpose=curiosity"), &w.admin).await.assert_problem(400, "bad-request");
    let first = app.get(&list("limit=2"), &w.admin).await;
    assert_eq!(ids(&first.body), [a1.as_str(), a2.as_str()]);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = app.get(&list(&format!("limit=2&cursor={cursor}")), &w.admin).await;
    assert_eq!(ids(&second.body), [b1.as_str()]);
    assert!(second.body["next_cursor"].is_null());

    let under = format!("/v1/persons/{}/disclosures", w.person_a);
    assert_eq!(ids(&app.get(&under, &w.admin).await.body), [a1.as_str(), a2.as_str()]);
    assert_eq!(ids(&app.get(&under, &w.officer_a).await.body), [a1.as_str(), a2.as_str()]);
    app.get(&under, &w.officer_b).await.assert_problem(404, "not-found");
    app.get(&under, &w.board_a).await.assert_problem(403, "forbidden");
}
