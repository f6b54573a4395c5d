//! Persons, agencies, service requests and presentations (API.md §4, §6): their own rules and
//! filters. Each test names the bug it catches.

use serde_json::json;
use uuid::Uuid;

use crate::support::world::{request_body, talk_body, World};
use crate::support::{ids, TestApp, OCDSB};
use sro_api::domain::access::Role;

/// Catches: a family-name search that is case- or accent-sensitive, or a substring match
/// (the filter is exact), or a date of birth in the future.
#[actix_rt::test]
async fn persons_are_found_by_family_name_ignoring_case_and_accents_and_by_birth_date() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let cases = [
        ("family_name=lavoie", vec![w.person_a.clone()]),
        ("family_name=LAVO%C3%8FE", vec![w.person_a.clone()]),
        ("family_name=Lav", vec![]),
        ("date_of_birth=2011-04-02", vec![w.person_a.clone(), w.person_b.clone()]),
    ];
    for (query, expected) in cases {
        let res = app.get(&format!("/v1/persons?{query}"), &w.admin).await;
        assert_eq!(res.status, 200, "{query}: {}", res.text);
        assert_eq!(ids(&res.body), expected, "{query}");
    }
    let res = app.get(&format!("/v1/persons?school_id={}", w.school_b), &w.admin).await;
    assert_eq!(ids(&res.body), vec![w.person_b.clone()]);
    let res = app
        .post(
            "/v1/persons",
            &w.officer_a,
            &json!({"given_name": "A", "family_name": "B", "date_of_birth": "2999-01-01"}),
        )
        .await;
    assert_eq!((res.status, res.error_fields()), (422, vec!["date_of_birth".to_owned()]));
    let res = app
        .post("/v1/persons", &w.officer_a, &json!({"given_name": "A", "family_name": "B", "school_id": Uuid::now_v7()}))
        .await;
    assert_eq!((res.status, res.error_fields()), (422, vec!["school_id".to_owned()]));
}

/// Catches: an officer losing sight of a person it recorded at another school, or of a youth
/// named on an incident it handles.
#[actix_rt::test]
async fn an_officer_sees_persons_it_recorded_and_those_on_its_incidents() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let res = app
        .post("/v1/persons", &w.officer_a, &json!({"given_name": "Zoé", "family_name": "Roy", "school_id": w.school_b}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let recorded = res.body["id"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&format!("/v1/persons/{recorded}"), &w.officer_a).await.status, 200);
    // Person B (school B) is named on an incident at school A: officer A sees them through it.
    assert_eq!(app.get(&format!("/v1/persons/{}", w.person_b), &w.officer_a).await.status, 404);
    let res = app
        .patch(&format!("/v1/incidents/{}", w.incident_a), &w.admin, &json!({"involved": [{"person_id": w.person_a, "role": "subject"}, {"person_id": w.person_b, "role": "witness"}]}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(app.get(&format!("/v1/persons/{}", w.person_b), &w.officer_a).await.status, 200);
}

/// Catches: an agency deleted while referrals name it, or an agency client bound to an agency
/// that does not exist.
#[actix_rt::test]
async fn an_agency_named_by_a_referral_cannot_be_deleted_and_clients_bind_to_real_agencies() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let res = app.delete(&format!("/v1/agencies/{}", w.agency_x_id), &w.admin).await;
    res.assert_problem(409, "conflict");
    assert_eq!(res.body["code"], "still_referenced");
    let res = app
        .post("/v1/clients", &w.admin, &json!({"name": "Ghost", "role": "agency", "agency_id": Uuid::now_v7()}))
        .await;
    assert_eq!((res.status, res.error_fields()), (422, vec!["agency_id".to_owned()]));
    let res = app.get("/v1/agencies?kind=child_protection", &w.dashboard).await;
    assert_eq!(ids(&res.body), vec![w.agency_x_id.clone()]);
    let res = app.get("/v1/agencies?q=MA%C3%8FSON", &w.dashboard).await;
    assert_eq!(ids(&res.body), vec![w.agency_y_id.clone()], "case- and accent-insensitive search: {}", res.text);
    let res = app.patch(&format!("/v1/agencies/{}", w.agency_y_id), &w.admin, &json!({"active": false})).await;
    assert_eq!(res.status, 200);
    let res = app
        .post("/v1/referrals", &w.officer_a, &crate::support::world::referral_body(&w.person_a, &w.agency_y_id))
        .await;
    assert_eq!(
        (res.status, res.error_fields()),
        (422, vec!["agency_id".to_owned()]),
        "an inactive agency takes no referral"
    );
}

/// Catches: a request not routed to the school's current primary SRO, or one with no SRO
/// missing from the unit's `unassigned=true` queue.
#[actix_rt::test]
async fn a_request_goes_to_the_schools_current_primary_or_waits_unassigned() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let res = app.post("/v1/service-requests", &w.board_a, &request_body(&w.school_a)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["officer_id"], w.officer_a_id.as_str());
    assert_eq!(res.body["status"], "open");
    assert_eq!(res.body["requested_by"], json!({"name": "Sandra Kowalski", "role": "Vice-principal"}));
    let lonely = app.school(&w.admin, "900009", OCDSB).await["id"].as_str().unwrap().to_owned();
    let res = app.post("/v1/service-requests", &w.board_a, &request_body(&lonely)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert!(res.body["officer_id"].is_null());
    let waiting = res.body["id"].as_str().unwrap().to_owned();
    assert_eq!(ids(&app.get("/v1/service-requests?unassigned=true", &w.admin).await.body), vec![waiting.clone()]);
    // Only the unit assigns it.
    let res =
        app.patch(&format!("/v1/service-requests/{waiting}"), &w.board_a, &json!({"officer_id": w.officer_a_id})).await;
    assert_eq!((res.status, res.error_fields()), (422, vec!["officer_id".to_owned()]));
    let res =
        app.patch(&format!("/v1/service-requests/{waiting}"), &w.admin, &json!({"officer_id": w.officer_a_id})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(ids(&app.get("/v1/service-requests?unassigned=true", &w.admin).await.body).is_empty());
    // The requested_by errors carry their nested path.
    let mut body = request_body(&w.school_a);
    body["requested_by"] = json!({"name": " "});
    let res = app.post("/v1/service-requests", &w.board_a, &body).await;
    assert_eq!(res.error_fields(), ["requested_by.name", "requested_by.role"]);
}

/// Catches: a completed or cancelled request reopened, or a move outside the request's
/// statuses accepted.
#[actix_rt::test]
async fn a_request_moves_through_its_statuses_and_then_stays_put() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let path = format!("/v1/service-requests/{}", w.request_a);
    for to in ["scheduled", "open", "scheduled"] {
        assert_eq!(app.patch(&path, &w.officer_a, &json!({"status": to})).await.status, 200, "{to}");
    }
    let res =
        app.patch(&path, &w.officer_a, &json!({"status": "completed", "outcome": "Met the family on 2 Dec."})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app.patch(&path, &w.board_a, &json!({"status": "cancelled"})).await;
    assert_eq!(res.body["code"], "invalid_transition", "{}", res.text);
    let res = app.get(&format!("/v1/service-requests?status=completed&officer_id={}", w.officer_a_id), &w.admin).await;
    assert_eq!(ids(&res.body), vec![w.request_a.clone()]);
    let res = app.get(&format!("/v1/service-requests?kind=parent_contact&school_id={}", w.school_a), &w.admin).await;
    assert!(ids(&res.body).is_empty());
}

/// Catches: grades outside 0–12, repeated, or empty accepted; an officer recording another
/// officer's talk; a presentation filter ignored.
#[actix_rt::test]
async fn presentation_grades_are_integers_0_to_12_and_an_officer_records_its_own() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut body = talk_body(&w.school_a, &w.officer_a_id);
    body["grades"] = json!([0, 13, 0, "9", 1.5]);
    let res = app.post("/v1/presentations", &w.officer_a, &body).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["grades[1]", "grades[2]", "grades[3]", "grades[4]"]);
    body["grades"] = json!([]);
    assert_eq!(app.post("/v1/presentations", &w.officer_a, &body).await.error_fields(), ["grades"]);
    body["grades"] = json!([12, 0, 11]);
    let res = app.post("/v1/presentations", &w.officer_a, &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["grades"], json!([0, 11, 12]));
    let third = res.body["id"].as_str().unwrap().to_owned();
    let res = app.post("/v1/presentations", &w.officer_a, &talk_body(&w.school_a, &w.officer_b_id)).await;
    assert_eq!((res.status, res.error_fields()), (422, vec!["officer_id".to_owned()]));
    let res = app
        .patch(
            &format!("/v1/presentations/{third}"),
            &w.officer_a,
            &json!({"language": "fr", "delivered_on": "2026-11-02"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let cases = [
        (format!("school_id={}", w.school_b), vec![w.talk_b.clone()]),
        (format!("officer_id={}", w.officer_a_id), vec![w.talk_a.clone(), third.clone()]),
        ("language=fr".into(), vec![third.clone()]),
        ("delivered_from=2026-11-20".into(), vec![w.talk_a.clone(), w.talk_b.clone()]),
        ("delivered_to=2026-11-20".into(), vec![third.clone()]),
    ];
    for (query, expected) in cases {
        let res = app.get(&format!("/v1/presentations?{query}"), &w.admin).await;
        assert_eq!(ids(&res.body), expected, "{query}: {}", res.text);
    }
}

/// Catches: a client of a role with no binding-free visibility (an officer whose binding is
/// lost) seeing case records: the policy fails closed.
#[actix_rt::test]
async fn a_client_without_its_binding_sees_no_case_record() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let caller = sro_api::domain::access::Caller {
        client_id: Uuid::now_v7(),
        role: Role::Officer,
        board_id: None,
        officer_id: None,
        agency_id: None,
        scopes: Role::Officer.allowed_scopes().into(),
    };
    // Signed by the service, for a client that exists nowhere: the signature is what counts here.
    let token = app.issue(&caller);
    for path in ["/v1/persons", "/v1/incidents", "/v1/referrals", "/v1/service-requests", "/v1/presentations"] {
        let res = app.get(path, &token).await;
        assert_eq!(res.status, 200, "{path}: {}", res.text);
        assert!(ids(&res.body).is_empty(), "{path}");
    }
    assert_eq!(app.get(&format!("/v1/incidents/{}", w.incident_a), &token).await.status, 404);
}
