//! `sro-api demo` and the README walkthrough on its data: a CAS client acknowledges and accepts
//! a referral; a board client sees its schools' incidents without anyone's name.

use std::process::Command;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

fn demo(db: &TestDb) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sro-api"))
        .arg("demo")
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// Catches: a demo that fails on a fresh database, loads nothing of a kind, loads twice into a
/// filled database, or leaves the walkthrough with nothing to show.
#[actix_rt::test]
async fn the_demo_loads_a_living_city_once_and_the_walkthrough_works_on_it() {
    let db = TestDb::create();
    let out = demo(&db);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["schools"], 398);
    for kind in
        ["officers", "agencies", "persons", "incidents", "referrals", "service_requests", "presentations", "outcomes"]
    {
        assert!(summary[kind].as_u64().unwrap() > 0, "{kind}: {summary}");
    }
    let again = demo(&db);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds records"));

    let app = TestApp::spawn_on(db).await;
    let admin = app.admin().await;
    // Every school has a primary SRO.
    let res = app.get("/v1/schools?unassigned=true", &admin).await;
    assert_eq!(ids(&res.body).len(), 0, "{}", res.text);
    // French-speaking youth at the French boards' schools, English-speaking ones elsewhere.
    let mut french_schools = Vec::new();
    for board in [CECCE, CEPEO] {
        french_schools.extend(ids(&app.get(&format!("/v1/schools?limit=500&board_id={board}"), &admin).await.body));
    }
    let persons = app.get("/v1/persons?limit=500", &admin).await;
    let (mut french, mut english) = (0, 0);
    for p in persons.body["data"].as_array().unwrap() {
        let at_french = french_schools.iter().any(|s| p["school_id"] == s.as_str());
        assert_eq!(p["language"] == "fr", at_french, "{p}");
        if at_french {
            french += 1
        } else {
            english += 1
        }
    }
    assert!(french > 0 && english > 0, "{french} French, {english} English");

    // The walkthrough: the Children's Aid Society acknowledges and accepts this morning's referral.
    let cas = Uuid::parse_str(summary["childrens_aid_society_id"].as_str().unwrap()).unwrap();
    let token = app.agency_token(cas).await;
    let waiting = app.get("/v1/referrals?status=submitted", &token).await;
    let referral = waiting.body["data"][0].clone();
    assert_eq!(referral["category"], "child_protection", "{}", waiting.text);
    assert!(referral.get("incident_id").is_none() && referral["youth"]["family_name"].is_string());
    let path = format!("/v1/referrals/{}/status", referral["id"].as_str().unwrap());
    assert_eq!(app.post(&path, &token, &json!({"status": "acknowledged"})).await.status, 200);
    let accepted = app.post(&path, &token, &json!({"status": "accepted", "note": "Worker assigned."})).await;
    assert_eq!(accepted.body["status"], "accepted", "{}", accepted.text);

    // A board sees its schools' incidents, and nobody in them.
    let board = app.board(OCDSB).await;
    let res = app.get("/v1/incidents?limit=100", &board).await;
    assert!(!ids(&res.body).is_empty());
    for key in ["involved", "summary", "person_id", "given_name", "family_name"] {
        assert!(!res.text.contains(&format!("\"{key}\"")), "{key} in {}", res.text);
    }
}
