//! Incidents (API.md §4, §6): the moves of the status, the outcome rules, the frozen closed
//! incident, uniqueness, preconditions, every filter, the officer's day rule and the board's
//! projection. Each test names the bug it catches.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::world::{incident_body, World};
use crate::support::{ids, TestApp, OCDSB};
use sro_api::domain::access::Role;

async fn fresh(app: &TestApp, w: &World) -> String {
    let res = app.post("/v1/incidents", &w.admin, &incident_body(&w.school_a, &w.person_a)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().to_owned()
}

/// Catches: a move outside the four of §6 accepted, or an allowed one refused.
#[actix_rt::test]
async fn the_status_moves_only_along_the_four_moves_of_section_6() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let statuses = ["open", "under_investigation", "resolved", "closed"];
    let allowed = [
        ("open", "under_investigation"),
        ("open", "resolved"),
        ("under_investigation", "resolved"),
        ("resolved", "closed"),
    ];
    // The shortest path from open to each status.
    let path_to = |s: &str| -> Vec<&str> {
        match s {
            "open" => vec![],
            "under_investigation" => vec!["under_investigation"],
            "resolved" => vec!["resolved"],
            _ => vec!["resolved", "closed"],
        }
    };
    for from in statuses {
        for to in statuses {
            if from == to || from == "closed" {
                continue;
            }
            let id = fresh(&app, &w).await;
            for step in path_to(from) {
                let res = app.patch(&format!("/v1/incidents/{id}"), &w.admin, &json!({"status": step, "resolution": if step == "under_investigation" { Value::Null } else { json!("mediation") }})).await;
                assert_eq!(res.status, 200, "{from}: {}", res.text);
            }
            let resolution = if to == "resolved" || to == "closed" { json!("counselling") } else { Value::Null };
            let res = app
                .patch(&format!("/v1/incidents/{id}"), &w.admin, &json!({"status": to, "resolution": resolution}))
                .await;
            if allowed.contains(&(from, to)) {
                assert_eq!(res.status, 200, "{from} -> {to}: {}", res.text);
                assert_eq!(res.body["status"], to);
            } else {
                res.assert_problem(409, "conflict");
                assert_eq!(res.body["code"], "invalid_transition", "{from} -> {to}");
            }
        }
    }
}

/// Catches: resolving without a resolution, a diversion without its program, or a resolution
/// on an open incident stored.
#[actix_rt::test]
async fn a_resolution_is_required_once_resolved_and_a_diversion_names_its_program() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = fresh(&app, &w).await;
    let path = format!("/v1/incidents/{id}");
    let res = app.patch(&path, &w.admin, &json!({"status": "resolved"})).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["resolution"]);
    let res = app.patch(&path, &w.admin, &json!({"status": "resolved", "resolution": "diversion"})).await;
    assert_eq!(res.error_fields(), ["diversion_agency_id"]);
    let res = app
        .patch(
            &path,
            &w.admin,
            &json!({"status": "resolved", "resolution": "diversion", "diversion_agency_id": Uuid::now_v7()}),
        )
        .await;
    assert_eq!((res.status, res.error_fields()), (422, vec!["diversion_agency_id".to_owned()]), "an unknown program");
    let res = app.patch(&path, &w.admin, &json!({"resolution": "charge"})).await;
    assert_eq!((res.status, res.error_fields()), (422, vec!["resolution".to_owned()]), "only once resolved");
    let res = app
        .patch(
            &path,
            &w.admin,
            &json!({"status": "resolved", "resolution": "diversion", "diversion_agency_id": w.agency_y_id}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["diversion_agency_id"], w.agency_y_id.as_str());
}

/// Catches: a closed incident changed after the fact.
#[actix_rt::test]
async fn a_closed_incident_is_frozen() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = fresh(&app, &w).await;
    let path = format!("/v1/incidents/{id}");
    assert_eq!(app.patch(&path, &w.admin, &json!({"status": "resolved", "resolution": "mediation"})).await.status, 200);
    assert_eq!(app.patch(&path, &w.admin, &json!({"status": "closed"})).await.status, 200);
    for change in [json!({"summary": "Rewritten."}), json!({"status": "closed"}), json!({})] {
        let res = app.patch(&path, &w.officer_a, &change).await;
        res.assert_problem(409, "conflict");
        assert_eq!(res.body["code"], "invalid_transition");
    }
}

/// Catches: future or impossible times stored, nested errors reported without their path, and
/// an unknown or invisible person accepted.
#[actix_rt::test]
async fn bad_times_and_bad_involvement_are_named_field_by_field() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut body = incident_body(&w.school_a, &w.person_a);
    body["occurred_at"] = json!("2999-01-01T00:00:00Z");
    body["involved"] =
        json!([{"person_id": w.person_a, "role": "subject"}, {"person_id": w.person_a, "role": "bystander"}]);
    let res = app.post("/v1/incidents", &w.admin, &body).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["occurred_at", "involved[1].role"]);
    let mut body = incident_body(&w.school_a, &w.person_a);
    body["reported_at"] = json!("2026-11-19T00:00:00Z");
    assert_eq!(app.post("/v1/incidents", &w.admin, &body).await.error_fields(), ["reported_at"]);
    // Stored data: a person that does not exist, and one the officer may not see.
    let body = incident_body(&w.school_a, &Uuid::now_v7().to_string());
    assert_eq!(app.post("/v1/incidents", &w.admin, &body).await.error_fields(), ["involved[0].person_id"]);
    let body = incident_body(&w.school_a, &w.person_b);
    assert_eq!(app.post("/v1/incidents", &w.officer_a, &body).await.error_fields(), ["involved[0].person_id"]);
}

/// Catches: two incidents with one police occurrence number.
#[actix_rt::test]
async fn an_occurrence_number_is_unique() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut body = incident_body(&w.school_a, &w.person_a);
    body["occurrence_number"] = json!("OPS-2026-104233");
    assert_eq!(app.post("/v1/incidents", &w.admin, &body).await.status, 201);
    let res = app.post("/v1/incidents", &w.officer_a, &body).await;
    res.assert_problem(409, "conflict");
    assert_eq!(res.body["code"], "duplicate");
    let res = app
        .patch(&format!("/v1/incidents/{}", w.incident_a), &w.admin, &json!({"occurrence_number": "OPS-2026-104233"}))
        .await;
    assert_eq!(res.body["code"], "duplicate");
}

/// Catches: a stale If-Match overwriting, or a 412 leaking that another school's incident
/// exists.
#[actix_rt::test]
async fn a_stale_if_match_is_412_and_on_an_invisible_incident_404() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let path = format!("/v1/incidents/{}", w.incident_a);
    let got = app.get(&path, &w.officer_a).await;
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(app.patch_if(&path, &w.officer_a, "\"1\"", &json!({"summary": "First."})).await.status, 200);
    app.patch_if(&path, &w.admin, "\"1\"", &json!({"summary": "Second."}))
        .await
        .assert_problem(412, "precondition-failed");
    app.patch_if(&path, &w.officer_b, "\"1\"", &json!({"summary": "Third."})).await.assert_problem(404, "not-found");
    assert_eq!(app.get(&path, &w.admin).await.body["summary"], "First.");
}

/// Catches: an officer losing the records of a school it served, or seeing records of a school
/// from after it left (the record's day rule), or a newly assigned officer not seeing its
/// school's history.
#[actix_rt::test]
async fn an_officer_sees_a_schools_incidents_of_the_days_it_served_there_and_all_once_it_serves_now() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let school_c = app.school(&w.admin, "900003", OCDSB).await["id"].as_str().unwrap().to_owned();
    let former = app.officer(&w.admin, "7003").await["id"].as_str().unwrap().to_owned();
    let res = app
        .post("/v1/assignments", &w.admin, &json!({"school_id": school_c, "officer_id": former, "role": "backup", "starts_on": "2026-01-01", "ends_on": "2026-06-30"}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let token = app.token_for(Role::Officer, None, Some(Uuid::parse_str(&former).unwrap()), None).await;
    let at = |when: &str| {
        let mut body = incident_body(&school_c, &w.person_a);
        body["occurred_at"] = json!(when);
        body["involved"] = json!([]);
        body
    };
    let during =
        app.post("/v1/incidents", &w.admin, &at("2026-03-02T14:00:00Z")).await.body["id"].as_str().unwrap().to_owned();
    // 1 July 02:00 UTC is still 30 June in Ottawa: the last day of the assignment.
    let last_day =
        app.post("/v1/incidents", &w.admin, &at("2026-07-01T02:00:00Z")).await.body["id"].as_str().unwrap().to_owned();
    let after =
        app.post("/v1/incidents", &w.admin, &at("2026-07-01T05:00:00Z")).await.body["id"].as_str().unwrap().to_owned();
    let listed = ids(&app.get(&format!("/v1/incidents?school_id={school_c}"), &token).await.body);
    assert_eq!(listed, [during.clone(), last_day.clone()]);
    assert_eq!(app.get(&format!("/v1/incidents/{after}"), &token).await.status, 404);
    // Assigned today: it sees the school's history too.
    let res = app
        .post("/v1/assignments", &w.admin, &json!({"school_id": school_c, "officer_id": former, "role": "primary", "starts_on": crate::support::day(0)}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let listed = ids(&app.get(&format!("/v1/incidents?school_id={school_c}"), &token).await.body);
    assert_eq!(listed, [during, last_day, after]);
}

/// Catches: a filter ignored (a mistyped one returning everything) or one the board may not
/// use accepted.
#[actix_rt::test]
async fn every_filter_narrows_and_a_board_may_not_ask_by_person() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let resolved = fresh(&app, &w).await;
    let res = app.patch(&format!("/v1/incidents/{resolved}"), &w.admin, &json!({"status": "resolved", "resolution": "mediation", "category": "threat", "location": "travel_to_school", "officer_id": w.officer_a_id, "occurred_at": "2026-11-01T12:00:00Z", "involved": []})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let cases = [
        (format!("school_id={}", w.school_b), vec![w.incident_b.clone()]),
        (format!("board_id={OCDSB}"), vec![w.incident_a.clone(), resolved.clone()]),
        (format!("officer_id={}", w.officer_a_id), vec![resolved.clone()]),
        ("status=resolved".into(), vec![resolved.clone()]),
        ("status=open".into(), vec![w.incident_a.clone(), w.incident_b.clone()]),
        ("category=threat".into(), vec![resolved.clone()]),
        ("resolution=mediation".into(), vec![resolved.clone()]),
        ("location=travel_to_school".into(), vec![resolved.clone()]),
        (format!("person_id={}", w.person_b), vec![w.incident_b.clone()]),
        ("occurred_from=2026-11-10T00:00:00Z".into(), vec![w.incident_a.clone(), w.incident_b.clone()]),
        ("occurred_to=2026-11-10T00:00:00Z".into(), vec![resolved.clone()]),
    ];
    for (query, expected) in cases {
        let res = app.get(&format!("/v1/incidents?{query}"), &w.admin).await;
        assert_eq!(res.status, 200, "{query}: {}", res.text);
        assert_eq!(ids(&res.body), expected, "{query}");
    }
    let res = app.get(&format!("/v1/incidents?person_id={}", w.person_a), &w.board_a).await;
    res.assert_problem(400, "bad-request");
    assert_eq!(res.error_fields(), ["person_id"]);
    let res = app.get("/v1/incidents?status=pending&colour=red", &w.admin).await;
    assert_eq!(res.error_fields(), ["status", "colour"]);
}

/// Catches: a page lost or repeated when paging by cursor, or `updated_from` ignored.
#[actix_rt::test]
async fn incidents_page_by_cursor_and_filter_by_updated_from() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let third = fresh(&app, &w).await;
    let mut seen = Vec::new();
    let mut url = "/v1/incidents?limit=1".to_owned();
    loop {
        let page = app.get(&url, &w.admin).await;
        assert_eq!(page.status, 200, "{}", page.text);
        seen.extend(ids(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => url = format!("/v1/incidents?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, [w.incident_a.clone(), w.incident_b.clone(), third.clone()]);
    let since = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    assert_eq!(
        app.patch(&format!("/v1/incidents/{}", w.incident_b), &w.admin, &json!({"summary": "Updated."})).await.status,
        200
    );
    assert_eq!(
        ids(&app.get(&format!("/v1/incidents?updated_from={since}"), &w.admin).await.body),
        vec![w.incident_b.clone()]
    );
}

/// Catches: a board's projection carrying persons or the free-text summary, or a board's
/// create reaching the service.
#[actix_rt::test]
async fn a_board_sees_its_schools_incidents_without_anyone_in_them() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let res = app.get(&format!("/v1/incidents/{}", w.incident_a), &w.board_a).await;
    assert_eq!(res.status, 200);
    let keys: Vec<&str> = res.body.as_object().unwrap().keys().map(String::as_str).collect();
    assert!(!keys.contains(&"involved") && !keys.contains(&"summary"), "{keys:?}");
    assert_eq!(res.body["category"], "bullying");
    let full = app.get(&format!("/v1/incidents/{}", w.incident_a), &w.officer_a).await;
    assert_eq!(full.body["involved"][0]["person_id"], w.person_a.as_str());
    let res = app.post("/v1/incidents", &w.board_a, &incident_body(&w.school_a, &w.person_a)).await;
    res.assert_problem(403, "forbidden");
}

/// Catches: an officer recording an incident at a school it does not serve, or the handling
/// officer not defaulting to the caller.
#[actix_rt::test]
async fn an_officer_records_incidents_at_its_schools_and_handles_them_itself() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let res = app.post("/v1/incidents", &w.officer_a, &incident_body(&w.school_a, &w.person_a)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["officer_id"], w.officer_a_id.as_str());
    assert_eq!(res.body["status"], "open");
    assert!(res.header("location").unwrap().ends_with(res.body["id"].as_str().unwrap()));
    let mut body = incident_body(&w.school_b, &w.person_a);
    body["involved"] = json!([]);
    let res = app.post("/v1/incidents", &w.officer_a, &body).await;
    assert_eq!((res.status, res.error_fields()), (422, vec!["school_id".to_owned()]));
}
