//! Referrals (API.md §4, §6): consent, the status machine and who may make which move, the
//! history, the child-protection rule, the agency's projection and nested merge patches.

use serde_json::json;
use uuid::Uuid;

use crate::support::world::{referral_body, World};
use crate::support::{ids, TestApp};

async fn referral(app: &TestApp, w: &World, category: &str) -> String {
    let mut body = referral_body(&w.person_a, &w.agency_x_id);
    body["category"] = json!(category);
    if category == "child_protection" {
        body["urgency"] = json!("urgent");
    }
    let res = app.post("/v1/referrals", &w.officer_a, &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().to_owned()
}

async fn client_id(app: &TestApp, token: &str) -> String {
    app.get("/v1/me", token).await.body["client_id"].as_str().unwrap().to_owned()
}

/// Catches: the agency's path refused, a step skipped, or the history not recording who made
/// each move.
#[actix_rt::test]
async fn the_agency_takes_a_referral_to_completion_and_the_history_names_each_client() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = referral(&app, &w, "youth_services").await;
    let path = format!("/v1/referrals/{id}/status");
    let res = app.post(&path, &w.agency_x, &json!({"status": "accepted"})).await;
    assert_eq!(res.body["code"], "invalid_transition", "acknowledge first: {}", res.text);
    for to in ["acknowledged", "accepted", "in_progress", "completed"] {
        let res = app.post(&path, &w.agency_x, &json!({"status": to})).await;
        assert_eq!(res.status, 200, "{to}: {}", res.text);
        assert_eq!(res.body["status"], to);
    }
    let officer = client_id(&app, &w.officer_a).await;
    let agency = client_id(&app, &w.agency_x).await;
    let got = app.get(&format!("/v1/referrals/{id}"), &w.officer_a).await;
    let history: Vec<(String, String)> = got.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["status"].as_str().unwrap().to_owned(), h["by"].as_str().unwrap().to_owned()))
        .collect();
    let expected: Vec<(String, String)> = [
        ("submitted", &officer),
        ("acknowledged", &agency),
        ("accepted", &agency),
        ("in_progress", &agency),
        ("completed", &agency),
    ]
    .iter()
    .map(|(s, c)| (s.to_string(), c.to_string()))
    .collect();
    assert_eq!(history, expected);
    let res = app.post(&path, &w.officer_a, &json!({"status": "withdrawn", "note": "Too late."})).await;
    assert_eq!(res.body["code"], "invalid_transition", "a completed referral stays completed");
}

/// Catches: a decline or withdrawal without the reason the agency or family will ask for.
#[actix_rt::test]
async fn declining_and_withdrawing_need_a_note_which_the_history_keeps() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = referral(&app, &w, "youth_services").await;
    let path = format!("/v1/referrals/{id}/status");
    assert_eq!(app.post(&path, &w.agency_x, &json!({"status": "acknowledged"})).await.status, 200);
    let res = app.post(&path, &w.agency_x, &json!({"status": "declined"})).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["note"]);
    let res = app.post(&path, &w.agency_x, &json!({"status": "declined", "note": "No places until March."})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["history"][2]["note"], "No places until March.");
    let other = referral(&app, &w, "youth_services").await;
    let res = app.post(&format!("/v1/referrals/{other}/status"), &w.officer_a, &json!({"status": "withdrawn"})).await;
    assert_eq!(res.error_fields(), ["note"]);
}

/// Catches: the police taking back a duty to report once the agency has it.
#[actix_rt::test]
async fn an_acknowledged_child_protection_referral_is_withdrawn_only_by_the_unit() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = referral(&app, &w, "child_protection").await;
    let path = format!("/v1/referrals/{id}/status");
    assert_eq!(app.post(&path, &w.agency_x, &json!({"status": "acknowledged"})).await.status, 200);
    let res = app.post(&path, &w.officer_a, &json!({"status": "withdrawn", "note": "Resolved at home."})).await;
    res.assert_problem(409, "conflict");
    assert_eq!(res.body["code"], "invalid_transition");
    let res = app.post(&path, &w.admin, &json!({"status": "withdrawn", "note": "Made in error: wrong youth."})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    // Before acknowledgement the referring officer may still withdraw one.
    let early = referral(&app, &w, "child_protection").await;
    let res = app
        .post(
            &format!("/v1/referrals/{early}/status"),
            &w.officer_a,
            &json!({"status": "withdrawn", "note": "Duplicate."}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

/// Catches: consent rules missed or reported without their nested path.
#[actix_rt::test]
async fn consent_rules_are_named_by_their_nested_paths() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut body = referral_body(&w.person_a, &w.agency_x_id);
    body["consent"] = json!({"given_by": "not_required"});
    let res = app.post("/v1/referrals", &w.officer_a, &body).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["consent.given_by"]);
    body["category"] = json!("child_protection");
    body["urgency"] = json!("urgent");
    assert_eq!(app.post("/v1/referrals", &w.officer_a, &body).await.status, 201);
    body["category"] = json!("mental_health");
    body["consent"] = json!({"given_by": "youth", "obtained_on": "2999-01-01", "signed": true});
    assert_eq!(
        app.post("/v1/referrals", &w.officer_a, &body).await.error_fields(),
        ["consent.obtained_on", "consent.signed"]
    );
}

/// Catches: a merge patch that replaces a nested object instead of merging it, or nested
/// errors dropped before the record is looked up (422 must come before 404).
#[actix_rt::test]
async fn a_patch_merges_consent_member_by_member_and_checks_it_before_the_lookup() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = referral(&app, &w, "youth_services").await;
    let res = app.patch(&format!("/v1/referrals/{id}"), &w.officer_a, &json!({"consent": {"given_by": "youth"}})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["consent"], json!({"given_by": "youth", "obtained_on": "2026-11-20"}));
    let res = app
        .patch(&format!("/v1/referrals/{}", Uuid::now_v7()), &w.officer_a, &json!({"consent": {"given_by": "parent"}}))
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["consent.given_by"]);
    let res = app.patch(&format!("/v1/referrals/{id}"), &w.officer_a, &json!({"agency_id": w.agency_y_id})).await;
    assert_eq!(res.error_fields(), ["agency_id"], "the agency cannot change");
}

/// Catches: an agency shown the incident, or not shown the youth it must contact, or allowed
/// to ask by incident.
#[actix_rt::test]
async fn an_agency_sees_the_youth_it_must_contact_and_never_the_incident() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let res = app.get(&format!("/v1/referrals/{}", w.referral_a), &w.agency_x).await;
    assert_eq!(res.status, 200);
    assert!(res.body.get("incident_id").is_none(), "{}", res.text);
    assert_eq!(res.body["youth"]["given_name"], "Amélie");
    assert_eq!(res.body["youth"]["guardian_phone"], "613-555-0199");
    let officer = app.get(&format!("/v1/referrals/{}", w.referral_a), &w.officer_a).await;
    assert_eq!(officer.body["incident_id"], w.incident_a.as_str());
    let res = app.get(&format!("/v1/referrals?incident_id={}", w.incident_a), &w.agency_x).await;
    assert_eq!((res.status, res.error_fields()), (400, vec!["incident_id".to_owned()]));
    let res = app.post("/v1/referrals", &w.agency_x, &referral_body(&w.person_a, &w.agency_x_id)).await;
    res.assert_problem(403, "forbidden");
}

/// Catches: a referral filter ignored.
#[actix_rt::test]
async fn every_referral_filter_narrows() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let urgent = referral(&app, &w, "mental_health").await;
    let res = app.patch(&format!("/v1/referrals/{urgent}"), &w.officer_a, &json!({"urgency": "urgent"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        app.post(&format!("/v1/referrals/{urgent}/status"), &w.agency_x, &json!({"status": "acknowledged"}))
            .await
            .status,
        200
    );
    let cases = [
        (format!("agency_id={}", w.agency_y_id), vec![w.referral_b.clone()]),
        (format!("person_id={}", w.person_a), vec![w.referral_a.clone(), urgent.clone()]),
        (format!("officer_id={}", w.officer_b_id), vec![w.referral_b.clone()]),
        (format!("incident_id={}", w.incident_a), vec![w.referral_a.clone()]),
        ("status=acknowledged".into(), vec![urgent.clone()]),
        ("category=mental_health".into(), vec![urgent.clone()]),
        ("urgency=urgent".into(), vec![urgent.clone()]),
        ("created_from=2000-01-01T00:00:00Z".into(), vec![w.referral_a.clone(), w.referral_b.clone(), urgent.clone()]),
        ("created_to=2000-01-01T00:00:00Z".into(), vec![]),
    ];
    for (query, expected) in cases {
        let res = app.get(&format!("/v1/referrals?{query}"), &w.admin).await;
        assert_eq!(res.status, 200, "{query}: {}", res.text);
        assert_eq!(ids(&res.body), expected, "{query}");
    }
}

/// Catches a child-protection referral accepted as `routine` (CYFSA s. 125, API.md §7), on
/// create or by a later PATCH, or the rule leaking onto other categories.
#[actix_rt::test]
async fn a_child_protection_referral_is_at_least_urgent() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut body = referral_body(&w.person_a, &w.agency_x_id);
    body["category"] = json!("child_protection");
    let res = app.post("/v1/referrals", &w.officer_a, &body).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["urgency"]);
    for urgency in ["urgent", "immediate"] {
        body["urgency"] = json!(urgency);
        assert_eq!(app.post("/v1/referrals", &w.officer_a, &body).await.status, 201, "{urgency}");
    }
    let id = referral(&app, &w, "child_protection").await;
    let res = app.patch(&format!("/v1/referrals/{id}"), &w.officer_a, &json!({"urgency": "routine"})).await;
    assert_eq!(res.error_fields(), ["urgency"], "{}", res.text);
    let other = referral(&app, &w, "youth_services").await;
    let res =
        app.patch(&format!("/v1/referrals/{other}"), &w.officer_a, &json!({"category": "child_protection"})).await;
    assert_eq!(res.error_fields(), ["urgency"], "moving a routine referral to child_protection");
}
