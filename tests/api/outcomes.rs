//! Outcomes (API.md §7): YCJA measures for the subjects of incidents, their consent and age
//! rules, and the access period computed from the s. 119(2) table.

use serde_json::{json, Value};

use crate::support::world::{incident_body, World};
use crate::support::{ids, TestApp};

fn outcomes_of(incident: &str) -> String {
    format!("/v1/incidents/{incident}/outcomes")
}

fn warning(person: &str) -> Value {
    json!({"person_id": person, "measure": "warning", "decided_on": "2026-11-21"})
}

/// A person at school A born on `born` (or of unknown age), the subject of a new incident there
/// (20 November 2026); answers (person, incident).
async fn subject(app: &TestApp, w: &World, born: Option<&str>) -> (String, String) {
    let mut body = json!({"given_name": "Sam", "family_name": "Tremblay", "school_id": w.school_a});
    if let Some(day) = born {
        body["date_of_birth"] = json!(day);
    }
    let res = app.post("/v1/persons", &w.admin, &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let person = res.body["id"].as_str().unwrap().to_owned();
    let res = app.post("/v1/incidents", &w.admin, &incident_body(&w.school_a, &person)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    (person, res.body["id"].as_str().unwrap().to_owned())
}

/// Catches a period not computed (or computed from the wrong row or date), a Location that
/// does not lead back to the record, and a list under the incident or across incidents that
/// misses it.
#[actix_rt::test]
async fn an_officer_records_a_measure_and_the_access_period_comes_from_the_table() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let (person, incident) = subject(&app, &w, Some("2011-04-02")).await;
    let res = app.post(&outcomes_of(&incident), &w.officer_a, &warning(&person)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["access_period_ends_on"], "2028-11-21");
    assert_eq!(res.body["access_period_rule"], "warning: 2 years from decided_on");
    let id = res.body["id"].as_str().unwrap().to_owned();
    let location = res.header("location").unwrap();
    assert_eq!(location, format!("{}/{id}", outcomes_of(&incident)));
    let got = app.get(&location, &w.officer_a).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(ids(&app.get(&outcomes_of(&incident), &w.officer_a).await.body), [id.as_str()]);
    let by_person = app.get(&format!("/v1/outcomes?person_id={person}"), &w.admin).await;
    assert_eq!(ids(&by_person.body), [id.as_str()]);
    let ending =
        |from: &str, to: &str| format!("/v1/outcomes?access_period_ends_from={from}&access_period_ends_to={to}");
    let (a, b) = (w.outcome_a.as_str(), w.outcome_b.as_str());
    assert_eq!(ids(&app.get(&ending("2028-11-21", "2028-11-22"), &w.admin).await.body), [a, b, &id]);
    assert!(ids(&app.get(&ending("2028-11-22", "2029-01-01"), &w.admin).await.body).is_empty());
    assert!(ids(&app.get("/v1/outcomes?measure=charge", &w.admin).await.body).is_empty());
    assert_eq!(ids(&app.get("/v1/outcomes?measure=warning", &w.officer_a).await.body), [w.outcome_a.as_str(), &id]);
}

/// Catches an outcome for a witness or a stranger to the incident, two outcomes for one
/// subject, a referral or sanction without the youth's consent (ss. 6(1), 10(2)), and a
/// disposition on a measure that is not a charge.
#[actix_rt::test]
async fn only_a_subject_gets_an_outcome_once_and_consent_and_dispositions_are_checked() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let (person, incident) = subject(&app, &w, Some("2011-04-02")).await;
    let path = outcomes_of(&incident);
    let res = app.post(&path, &w.officer_a, &warning(&w.person_b)).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["person_id"], "not on this incident");
    let witness = app
        .patch(
            &format!("/v1/incidents/{incident}"),
            &w.admin,
            &json!({"involved": [{"person_id": person, "role": "subject"}, {"person_id": w.person_b, "role": "witness"}]}),
        )
        .await;
    assert_eq!(witness.status, 200, "{}", witness.text);
    assert_eq!(app.post(&path, &w.admin, &warning(&w.person_b)).await.error_fields(), ["person_id"], "a witness");
    for measure in ["referral", "extrajudicial_sanction"] {
        let body = json!({"person_id": person, "measure": measure, "decided_on": "2026-11-21"});
        assert_eq!(app.post(&path, &w.officer_a, &body).await.error_fields(), ["youth_consent_obtained_on"]);
    }
    let body = json!({"person_id": person, "measure": "warning", "decided_on": "2026-11-21",
                      "court_disposition": "stayed", "disposition_on": "2026-11-22"});
    assert_eq!(app.post(&path, &w.officer_a, &body).await.error_fields(), ["court_disposition"]);
    let body = json!({"person_id": person, "measure": "extrajudicial_sanction", "decided_on": "2026-11-21",
                      "youth_consent_obtained_on": "2026-11-25"});
    let res = app.post(&path, &w.officer_a, &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["access_period_ends_on"], "2028-11-25", "s. 119(2)(a): from the consent");
    app.post(&path, &w.officer_a, &warning(&person)).await.assert_problem(409, "conflict");
}

/// Catches the age rules of §7 skipped: a youth-justice measure for a child under 12, a YCJA
/// period for an adult, or a person of unknown age not treated as a young person.
#[actix_rt::test]
async fn a_child_under_12_gets_no_youth_justice_measure_and_an_adult_no_ycja_period() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    // 12 on 21 November 2026: the incident's day (20 November) is the day before.
    let (child, incident) = subject(&app, &w, Some("2014-11-21")).await;
    for measure in ["warning", "police_caution", "charge"] {
        let body = json!({"person_id": child, "measure": measure, "decided_on": "2026-11-21"});
        let res = app.post(&outcomes_of(&incident), &w.officer_a, &body).await;
        assert_eq!(res.error_fields(), ["measure"], "{measure}: {}", res.text);
    }
    let body = json!({"person_id": child, "measure": "referral", "decided_on": "2026-11-21",
                      "youth_consent_obtained_on": "2026-11-21"});
    assert_eq!(app.post(&outcomes_of(&incident), &w.officer_a, &body).await.status, 201);

    let (twelve, incident) = subject(&app, &w, Some("2014-11-20")).await;
    assert_eq!(app.post(&outcomes_of(&incident), &w.officer_a, &warning(&twelve)).await.status, 201, "12 that day");

    let (adult, incident) = subject(&app, &w, Some("2008-11-20")).await;
    let res = app.post(&outcomes_of(&incident), &w.officer_a, &warning(&adult)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["access_period_ends_on"], Value::Null);
    assert!(res.body["access_period_rule"].as_str().unwrap().starts_with("adult:"), "{}", res.text);

    let (seventeen, incident) = subject(&app, &w, Some("2008-11-21")).await;
    let res = app.post(&outcomes_of(&incident), &w.officer_a, &warning(&seventeen)).await;
    assert_eq!(res.body["access_period_ends_on"], "2028-11-21", "17 the day before the 18th birthday");

    let (unknown, incident) = subject(&app, &w, None).await;
    let res = app.post(&outcomes_of(&incident), &w.officer_a, &warning(&unknown)).await;
    assert_eq!(res.body["access_period_ends_on"], "2028-11-21", "no date of birth: a young person");
}

/// Catches a pending charge given a period, a disposition's period not computed again on
/// PATCH, a conviction's period counted before the sentence is completed, and a stale
/// If-Match accepted.
#[actix_rt::test]
async fn a_charge_is_kept_while_pending_then_counted_from_the_court_dates() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let (person, incident) = subject(&app, &w, Some("2011-04-02")).await;
    let body = json!({"person_id": person, "measure": "charge", "decided_on": "2026-11-21"});
    let res = app.post(&outcomes_of(&incident), &w.officer_a, &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["access_period_ends_on"], Value::Null);
    assert_eq!(res.body["access_period_rule"], "charge: none, kept while the charge is pending");
    let path = res.header("location").unwrap();
    let stayed = json!({"court_disposition": "stayed", "disposition_on": "2026-11-30"});
    let res = app.patch_if(&path, &w.officer_a, "\"1\"", &stayed).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["access_period_ends_on"], "2027-11-30");
    assert_eq!(res.body["access_period_rule"], "charge+stayed: 1 year from disposition_on");
    app.patch_if(&path, &w.officer_a, "\"1\"", &json!({"court_disposition": "withdrawn"}))
        .await
        .assert_problem(412, "precondition-failed");
    let res = app.patch(&path, &w.officer_a, &json!({"court_disposition": "summary_conviction"})).await;
    assert_eq!(res.body["access_period_ends_on"], Value::Null, "until the sentence is completed: {}", res.text);
    let res = app.patch(&path, &w.officer_a, &json!({"sentence_completed_on": "2026-12-01"})).await;
    assert_eq!(res.body["access_period_ends_on"], "2029-12-01", "{}", res.text);
    let res = app.patch(&path, &w.officer_a, &json!({"person_id": w.person_b})).await;
    assert_eq!(res.error_fields(), ["person_id"], "the person is fixed");
    let res = app.patch(&path, &w.officer_a, &json!({"measure": "warning"})).await;
    assert_eq!(res.error_fields(), ["court_disposition"], "{}", res.text);
}

/// Catches outcomes shown beyond police use (s. 119(4)): to a board, an agency, the dashboard,
/// or an officer who does not see the incident; and a feed entry that tells a board one exists.
#[actix_rt::test]
async fn outcomes_are_for_police_use_only() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let path = format!("{}/{}", outcomes_of(&w.incident_a), w.outcome_a);
    for token in [&w.board_a, &w.agency_x, &w.dashboard] {
        app.get(&path, token).await.assert_problem(403, "forbidden");
        assert_eq!(app.get("/v1/outcomes", token).await.status, 403);
        assert_eq!(app.post(&outcomes_of(&w.incident_a), token, &warning(&w.person_a)).await.status, 403);
    }
    app.get(&path, &w.officer_b).await.assert_problem(404, "not-found");
    app.get(&outcomes_of(&w.incident_a), &w.officer_b).await.assert_problem(404, "not-found");
    assert_eq!(ids(&app.get("/v1/outcomes", &w.officer_b).await.body), [w.outcome_b.as_str()]);
    let wrong_incident = path.replace(&w.incident_a, &w.incident_b);
    app.get(&wrong_incident, &w.admin).await.assert_problem(404, "not-found");
    let entry = format!("outcomes {}", w.outcome_a);
    assert!(feed_entries(&app, &w.officer_a).await.contains(&entry));
    assert!(!feed_entries(&app, &w.officer_b).await.contains(&entry));
    assert!(!feed_entries(&app, &w.board_a).await.iter().any(|e| e.starts_with("outcomes ")));
}

/// The feed as `resource id` lines.
async fn feed_entries(app: &TestApp, token: &str) -> Vec<String> {
    let res = app.get("/v1/changes?limit=500", token).await;
    let entries = res.body["data"].as_array().unwrap().iter();
    entries.map(|e| format!("{} {}", e["resource"].as_str().unwrap(), e["id"].as_str().unwrap())).collect()
}

/// Catches an outcome left on a person no longer a subject, and outcomes changed after the
/// incident is closed.
#[actix_rt::test]
async fn a_subject_with_an_outcome_stays_one_and_a_closed_incident_freezes_its_outcomes() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let path = format!("{}/{}", outcomes_of(&w.incident_a), w.outcome_a);
    let incident = format!("/v1/incidents/{}", w.incident_a);
    let res =
        app.patch(&incident, &w.admin, &json!({"involved": [{"person_id": w.person_a, "role": "witness"}]})).await;
    assert_eq!(res.error_fields(), ["involved[0].role"], "{}", res.text);
    let res = app.patch(&incident, &w.admin, &json!({"involved": []})).await;
    assert_eq!(res.error_fields(), ["involved"], "{}", res.text);
    for status in [json!({"status": "resolved", "resolution": "verbal_caution"}), json!({"status": "closed"})] {
        assert_eq!(app.patch(&incident, &w.admin, &status).await.status, 200);
    }
    app.patch(&path, &w.admin, &json!({"decided_on": "2026-11-22"})).await.assert_problem(409, "conflict");
    let body = json!({"person_id": w.person_a, "measure": "charge", "decided_on": "2026-11-21"});
    app.post(&outcomes_of(&w.incident_a), &w.admin, &body).await.assert_problem(409, "conflict");
    assert_eq!(app.get(&path, &w.officer_a).await.status, 200, "still readable");
}

/// Catches outcome reads and writes missing from the audit log, or without the person whose
/// information they carried (the §7 access log reads these).
#[actix_rt::test]
async fn every_outcome_read_and_write_is_audited_with_its_person() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let (person, incident) = subject(&app, &w, None).await;
    let res = app.post(&outcomes_of(&incident), &w.officer_a, &warning(&person)).await;
    let id = res.body["id"].as_str().unwrap().to_owned();
    app.get(&res.header("location").unwrap(), &w.officer_a).await;
    app.get(&format!("/v1/outcomes?person_id={person}"), &w.admin).await;
    let events = app.get("/v1/audit-events?resource=outcomes&limit=100", &w.admin).await;
    let events: Vec<Value> = events.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["person_ids"] == json!([person]))
        .cloned()
        .collect();
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "read", "list"]);
    assert_eq!(events[1]["resource_id"], json!(id));
    let all = app.get("/v1/outcomes", &w.admin).await;
    let last = app.get("/v1/audit-events?resource=outcomes&action=list&limit=100", &w.admin).await;
    let last = last.body["data"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["person_ids"].as_array().unwrap().len(), 3, "every person of the page: {}", all.text);
}
