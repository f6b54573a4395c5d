//! The audit log (API.md §3, §4 Audit): every read and write of persons, incidents and
//! referrals, lists included, with the request id, the client, and whose information the answer
//! carried; refused requests too; and nothing can change it, not even SQL.

use actix_web::test::TestRequest;
use diesel::connection::SimpleConnection;
use serde_json::{json, Value};

use crate::support::world::{incident_body, World};
use crate::support::{Resp, TestApp};

async fn with_id(app: &TestApp, req: TestRequest, token: &str, request_id: &str) -> Resp {
    app.send(
        req.insert_header(("authorization", format!("Bearer {token}"))).insert_header(("x-request-id", request_id)),
    )
    .await
}

async fn events_of(app: &TestApp, admin: &str, request_id: &str) -> Vec<Value> {
    let res = app.get(&format!("/v1/audit-events?request_id={request_id}"), admin).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["data"].as_array().unwrap().clone()
}

/// Catches: a read, list or write of personal information that leaves no trace, an event
/// without the request id (the task-local that reads None off the executor), or one that does
/// not say whose information it carried.
#[actix_rt::test]
async fn every_read_list_and_write_is_audited_with_its_request_id_and_the_persons_it_carried() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let me = app.get("/v1/me", &w.officer_a).await.body["client_id"].as_str().unwrap().to_owned();
    // (request, action, resource, resource id, status, persons carried)
    type Case<'a> = (TestRequest, &'a str, &'a str, Option<&'a str>, u16, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        (TestRequest::get().uri("/v1/persons"), "list", "persons", None, 200, vec![&w.person_a]),
        (
            TestRequest::get().uri(&format!("/v1/persons/{}", w.person_a)),
            "read",
            "persons",
            Some(&w.person_a),
            200,
            vec![&w.person_a],
        ),
        (
            TestRequest::patch().uri(&format!("/v1/persons/{}", w.person_a)).set_json(json!({"language": "en"})),
            "update",
            "persons",
            Some(&w.person_a),
            200,
            vec![&w.person_a],
        ),
        (TestRequest::get().uri("/v1/incidents"), "list", "incidents", None, 200, vec![&w.person_a]),
        (
            TestRequest::get().uri(&format!("/v1/incidents/{}", w.incident_a)),
            "read",
            "incidents",
            Some(&w.incident_a),
            200,
            vec![&w.person_a],
        ),
        (
            TestRequest::post().uri("/v1/incidents").set_json(incident_body(&w.school_a, &w.person_a)),
            "create",
            "incidents",
            None,
            201,
            vec![&w.person_a],
        ),
        (
            TestRequest::get().uri(&format!("/v1/referrals/{}", w.referral_a)),
            "read",
            "referrals",
            Some(&w.referral_a),
            200,
            vec![&w.person_a],
        ),
        (
            TestRequest::post()
                .uri(&format!("/v1/referrals/{}/status", w.referral_a))
                .set_json(json!({"status": "withdrawn", "note": "Family moved."})),
            "status",
            "referrals",
            Some(&w.referral_a),
            200,
            vec![&w.person_a],
        ),
        // Refused because of the caller: audited too, with the answer's status and no person.
        (
            TestRequest::get().uri(&format!("/v1/incidents/{}", w.incident_b)),
            "read",
            "incidents",
            Some(&w.incident_b),
            404,
            vec![],
        ),
        (
            TestRequest::patch().uri(&format!("/v1/persons/{}", w.person_b)).set_json(json!({"language": "en"})),
            "update",
            "persons",
            Some(&w.person_b),
            404,
            vec![],
        ),
    ];
    for (i, (req, action, resource, id, status, persons)) in cases.into_iter().enumerate() {
        let request_id = format!("audit-test-{i}");
        let res = with_id(&app, req, &w.officer_a, &request_id).await;
        assert_eq!(res.status, status, "{action} {resource}: {}", res.text);
        let events = events_of(&app, &w.admin, &request_id).await;
        assert_eq!(events.len(), 1, "{action} {resource}: one event: {events:?}");
        let e = &events[0];
        assert_eq!((e["action"].as_str(), e["resource"].as_str()), (Some(action), Some(resource)));
        assert_eq!(e["client_id"], me.as_str());
        assert_eq!(e["role"], "officer");
        assert_eq!(e["status"], status);
        match id {
            Some(id) => assert_eq!(e["resource_id"], id),
            None if action == "create" => assert_eq!(e["resource_id"], res.body["id"]),
            None => assert!(e["resource_id"].is_null()),
        }
        let carried: Vec<&str> = e["person_ids"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        assert_eq!(carried, persons, "{action} {resource}");
    }
    // Directory reads are not personal information: no event.
    let res = with_id(&app, TestRequest::get().uri("/v1/schools"), &w.officer_a, "audit-test-schools").await;
    assert_eq!(res.status, 200);
    assert!(events_of(&app, &w.admin, "audit-test-schools").await.is_empty());
}

/// Catches: an audit event written for a write that was rolled back (its status would claim a
/// success that never happened) or lost with the rollback of a refused write.
#[actix_rt::test]
async fn a_refused_write_leaves_its_refusal_and_nothing_else() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut body = incident_body(&w.school_b, &w.person_a);
    body["involved"] = json!([]);
    let res =
        with_id(&app, TestRequest::post().uri("/v1/incidents").set_json(body), &w.officer_a, "refused-create").await;
    assert_eq!(res.status, 422);
    let events = events_of(&app, &w.admin, "refused-create").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["status"], 422);
    assert!(events[0]["resource_id"].is_null());
}

/// Catches: an audit event that can be edited or erased, by the API or by SQL on the database.
#[actix_rt::test]
async fn the_database_refuses_to_change_or_delete_an_audit_event() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    assert_eq!(app.get(&format!("/v1/persons/{}", w.person_a), &w.admin).await.status, 200);
    assert_eq!(app.get("/v1/persons", &w.admin).await.status, 200);
    // The person index (what the access log of §7 reads) holds one row per person per event.
    let events = app.get("/v1/audit-events?limit=500", &w.admin).await;
    let carried: usize =
        events.body["data"].as_array().unwrap().iter().map(|e| e["person_ids"].as_array().unwrap().len()).sum();
    let pool = app.state.pool.clone();
    let indexed = actix_web::web::block(move || {
        use diesel::{QueryDsl, RunQueryDsl};
        let mut conn = pool.get().expect("connection");
        sro_api::db::schema::audit_persons::table.count().get_result::<i64>(&mut *conn)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(indexed as usize, carried);
    assert!(carried >= 4, "{carried}");
    let pool = app.state.pool.clone();
    let outcomes = actix_web::web::block(move || {
        let mut conn = pool.get().expect("connection");
        [
            "UPDATE audit_events SET status = 200",
            "DELETE FROM audit_events",
            "UPDATE audit_persons SET person_id = 'x'",
            "DELETE FROM audit_persons",
        ]
        .map(|sql| conn.batch_execute(sql).map_err(|e| e.to_string()))
    })
    .await
    .unwrap();
    for outcome in outcomes {
        let err = outcome.expect_err("the statement must be refused");
        assert!(err.contains("append-only"), "{err}");
    }
    let res = app.get("/v1/audit-events", &w.admin).await;
    assert!(!res.body["data"].as_array().unwrap().is_empty());
    assert_eq!(app.delete("/v1/audit-events", &w.admin).await.status, 405);
}

/// Catches: an audit filter ignored, or the log shown to anyone but the unit.
#[actix_rt::test]
async fn the_audit_log_filters_and_is_for_the_unit_only() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    assert_eq!(app.get(&format!("/v1/incidents/{}", w.incident_a), &w.board_a).await.status, 200);
    let board = app.get("/v1/me", &w.board_a).await.body["client_id"].as_str().unwrap().to_owned();
    let res = app.get(&format!("/v1/audit-events?client_id={board}"), &w.admin).await;
    let events = res.body["data"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{}", res.text);
    assert_eq!(events[0]["person_ids"], json!([]), "the board's projection carried no person");
    for (query, at_least) in [
        ("action=create&resource=referrals".to_owned(), 2),
        (format!("resource_id={}", w.incident_a), 1),
        ("at_from=2000-01-01T00:00:00Z".to_owned(), 7),
        ("at_to=2000-01-01T00:00:00Z".to_owned(), 0),
    ] {
        let res = app.get(&format!("/v1/audit-events?{query}"), &w.admin).await;
        let n = res.body["data"].as_array().unwrap().len();
        assert!(if at_least == 0 { n == 0 } else { n >= at_least }, "{query}: {n}");
    }
    assert_eq!(
        app.get("/v1/audit-events?action=create&resource=referrals", &w.admin).await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    for token in [&w.officer_a, &w.board_a, &w.agency_x, &w.dashboard] {
        app.get("/v1/audit-events", token).await.assert_problem(403, "forbidden");
    }
}

/// One access-log line as `resource action role`.
fn line(entry: &Value) -> String {
    format!(
        "{} {} {}",
        entry["resource"].as_str().unwrap(),
        entry["action"].as_str().unwrap(),
        entry["role"].as_str().unwrap()
    )
}

/// Catches an access log (§7, MFIPPA access requests) that misses a way a child's information
/// left the service (a list page, an incident or referral embedding them, an agency's read, a
/// disclosure and the board's read of it),
/// shows another person's reads, is not newest first, lacks the client's name, is open to
/// other roles, or needs the person to still exist.
#[actix_rt::test]
async fn a_persons_access_log_shows_every_answer_that_carried_them_newest_first() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let log = |person: &str| format!("/v1/persons/{person}/access-log?limit=500");
    let before = app.get(&log(&w.person_a), &w.admin).await.body["data"].as_array().unwrap().len();
    assert!(before > 0, "the world's own writes carried the person");
    assert_eq!(app.get(&format!("/v1/persons/{}", w.person_a), &w.officer_a).await.status, 200);
    assert_eq!(app.get(&format!("/v1/incidents/{}", w.incident_a), &w.officer_a).await.status, 200);
    assert_eq!(app.get(&format!("/v1/referrals/{}", w.referral_a), &w.agency_x).await.status, 200);
    assert_eq!(app.get("/v1/persons", &w.admin).await.status, 200);
    assert_eq!(app.get(&format!("/v1/incidents/{}", w.incident_b), &w.officer_b).await.status, 200);
    let res = app.get(&log(&w.person_a), &w.admin).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let data = res.body["data"].as_array().unwrap();
    assert_eq!(data.len(), before + 4, "the read of incident B did not carry person A: {}", res.text);
    let newest: Vec<String> = data.iter().take(4).map(line).collect();
    assert_eq!(
        newest,
        ["persons list admin", "referrals read agency", "incidents read officer", "persons read officer"]
    );
    let officer_client = app.get("/v1/me", &w.officer_a).await.body["client_id"].clone();
    assert_eq!(data[2]["client_id"], officer_client);
    assert!(data.iter().all(|e| e["client_name"].as_str().is_some_and(|n| !n.is_empty())), "{}", res.text);
    let times: Vec<&str> = data.iter().map(|e| e["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|t| t[0] >= t[1]), "newest first: {times:?}");

    let b = app.get(&log(&w.person_b), &w.admin).await;
    assert!(b.body["data"].as_array().unwrap().iter().any(|e| line(e) == "incidents read officer"));
    assert!(!b.body["data"].as_array().unwrap().iter().any(|e| line(e) == "referrals read agency"));

    let first = app.get(&format!("/v1/persons/{}/access-log?limit=2", w.person_a), &w.admin).await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = app.get(&format!("/v1/persons/{}/access-log?limit=2&cursor={cursor}", w.person_a), &w.admin).await;
    assert_eq!(second.body["data"][0]["id"], data[2]["id"], "the next page continues below the cursor");
    app.get(&format!("/v1/persons/{}/access-log?cursor={cursor}", w.person_b), &w.admin)
        .await
        .assert_problem(400, "bad-request");
    // A disclosure to the school (YCJA s. 125(6)), and the board reading it.
    let disclosure = json!({"person_id": w.person_a, "school_id": w.school_a, "recipient_name": "Josée Bérubé",
        "recipient_role": "Principal", "purpose": "safety", "information": "No contact with the complainant.",
        "disclosed_on": crate::support::day(-1), "destroy_by": crate::support::day(30)});
    let made = app.post("/v1/disclosures", &w.officer_a, &disclosure).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let read = app.get(&format!("/v1/disclosures/{}", made.body["id"].as_str().unwrap()), &w.board_a).await;
    assert_eq!(read.status, 200);
    let res = app.get(&log(&w.person_a), &w.admin).await;
    let newest: Vec<String> = res.body["data"].as_array().unwrap().iter().take(2).map(line).collect();
    assert_eq!(newest, ["disclosures read board", "disclosures create officer"]);
    let nobody = app.get(&log("01a23b20-0000-7000-8000-000000000000"), &w.admin).await;
    assert_eq!((nobody.status, nobody.body["data"].clone()), (200, json!([])), "from the id alone");
    for token in [&w.officer_a, &w.board_a, &w.agency_x, &w.dashboard] {
        app.get(&log(&w.person_a), token).await.assert_problem(403, "forbidden");
    }
}
