//! The role × resource × verb matrix (API.md §3, §6 "403 or 404"): every kind of caller against
//! every case-record resource and every verb, with the exact status, and for lists exactly which
//! of the seeded records come back. Every answer to a board or the dashboard is also scanned for
//! any person's name, id or field.
//!
//! Bugs it catches: a list showing what a get refuses (a missing policy filter), a role reaching
//! an endpoint it can never use (a scope granted too widely, statistics counted by a role
//! without `stats:read` or a board counting referrals), a 403 where existence must not
//! leak (404), an officer seeing another school's records, an agency seeing another agency's
//! referrals, a board seeing a youth's identity, a move made by the wrong side.

use std::collections::HashMap;

use serde_json::json;

use crate::support::world::{incident_body, referral_body, request_body, talk_body, World, NAMES};
use crate::support::{Resp, TestApp};

/// The columns: who calls.
const CALLERS: [&str; 8] = [
    "admin",
    "officer of the school",
    "officer of another school",
    "board of the school",
    "other board",
    "agency addressed",
    "other agency",
    "dashboard",
];

/// One line of the table. A cell is a status code, or for a list the labels of the seeded
/// records the 200 page must hold, exactly (`A`/`B`: the records at school A/B, or agencies
/// X/Y; `-`: none).
struct Row {
    resource: &'static str,
    verb: &'static str,
    expect: [&'static str; 8],
}

const fn row(resource: &'static str, verb: &'static str, expect: [&'static str; 8]) -> Row {
    Row { resource, verb, expect }
}

#[rustfmt::skip]
const TABLE: &[Row] = &[
    //                                        admin   off.A   off.B   board.A board.B agencyX agencyY dash
    row("persons",          "list",          ["A B",  "A",    "B",    "403",  "403",  "403",  "403",  "403"]),
    row("persons",          "get",           ["200",  "200",  "404",  "403",  "403",  "403",  "403",  "403"]),
    row("persons",          "update",        ["200",  "200",  "404",  "403",  "403",  "403",  "403",  "403"]),
    row("persons",          "create",        ["201",  "201",  "201",  "403",  "403",  "403",  "403",  "403"]),
    row("persons",          "delete",        ["405",  "405",  "405",  "405",  "405",  "405",  "405",  "405"]),
    row("incidents",        "list",          ["A B",  "A",    "B",    "A",    "B",    "403",  "403",  "403"]),
    row("incidents",        "get",           ["200",  "200",  "404",  "200",  "404",  "403",  "403",  "403"]),
    row("incidents",        "update",        ["200",  "200",  "404",  "403",  "403",  "403",  "403",  "403"]),
    row("incidents",        "create",        ["201",  "201",  "422",  "403",  "403",  "403",  "403",  "403"]),
    row("incidents",        "status",        ["200",  "200",  "404",  "403",  "403",  "403",  "403",  "403"]),
    row("incidents",        "delete",        ["405",  "405",  "405",  "405",  "405",  "405",  "405",  "405"]),
    row("agencies",         "list",          ["X Y",  "X Y",  "X Y",  "X Y",  "X Y",  "X Y",  "X Y",  "X Y"]),
    row("agencies",         "get",           ["200",  "200",  "200",  "200",  "200",  "200",  "200",  "200"]),
    row("agencies",         "update",        ["200",  "403",  "403",  "403",  "403",  "403",  "403",  "403"]),
    row("agencies",         "create",        ["201",  "403",  "403",  "403",  "403",  "403",  "403",  "403"]),
    row("agencies",         "delete",        ["204",  "403",  "403",  "403",  "403",  "403",  "403",  "403"]),
    row("referrals",        "list",          ["A B",  "A",    "B",    "403",  "403",  "A",    "B",    "403"]),
    row("referrals",        "get",           ["200",  "200",  "404",  "403",  "403",  "200",  "404",  "403"]),
    row("referrals",        "update",        ["200",  "200",  "404",  "403",  "403",  "403",  "403",  "403"]),
    row("referrals",        "create",        ["201",  "201",  "422",  "403",  "403",  "403",  "403",  "403"]),
    row("referrals",        "acknowledge",   ["200",  "409",  "404",  "403",  "403",  "200",  "404",  "403"]),
    row("referrals",        "withdraw",      ["200",  "200",  "404",  "403",  "403",  "409",  "404",  "403"]),
    row("referrals",        "delete",        ["405",  "405",  "405",  "405",  "405",  "405",  "405",  "405"]),
    row("service-requests", "list",          ["A B",  "A",    "B",    "A",    "B",    "403",  "403",  "403"]),
    row("service-requests", "get",           ["200",  "200",  "404",  "200",  "404",  "403",  "403",  "403"]),
    row("service-requests", "update",        ["200",  "200",  "404",  "200",  "404",  "403",  "403",  "403"]),
    row("service-requests", "create",        ["201",  "403",  "403",  "201",  "422",  "403",  "403",  "403"]),
    row("service-requests", "status",        ["200",  "200",  "404",  "200",  "404",  "403",  "403",  "403"]),
    row("service-requests", "delete",        ["405",  "405",  "405",  "405",  "405",  "405",  "405",  "405"]),
    row("presentations",    "list",          ["A B",  "A",    "B",    "403",  "403",  "403",  "403",  "403"]),
    row("presentations",    "get",           ["200",  "200",  "404",  "403",  "403",  "403",  "403",  "403"]),
    row("presentations",    "update",        ["200",  "200",  "404",  "403",  "403",  "403",  "403",  "403"]),
    row("presentations",    "create",        ["201",  "201",  "422",  "403",  "403",  "403",  "403",  "403"]),
    row("presentations",    "delete",        ["204",  "204",  "404",  "403",  "403",  "403",  "403",  "403"]),
    row("outcomes",         "list",          ["A B",  "A",    "B",    "403",  "403",  "403",  "403",  "403"]),
    row("outcomes",         "get",           ["200",  "200",  "404",  "403",  "403",  "403",  "403",  "403"]),
    row("outcomes",         "update",        ["200",  "200",  "404",  "403",  "403",  "403",  "403",  "403"]),
    row("outcomes",         "create",        ["201",  "201",  "404",  "403",  "403",  "403",  "403",  "403"]),
    row("access-log",       "read",          ["200",  "403",  "403",  "403",  "403",  "403",  "403",  "403"]),
    row("disclosures",      "list",          ["A B",  "A",    "B",    "A",    "B",    "403",  "403",  "403"]),
    row("persons/disclosures", "list",       ["A",    "A",    "404",  "403",  "403",  "403",  "403",  "403"]),
    row("disclosures",      "get",           ["200",  "200",  "404",  "200",  "404",  "403",  "403",  "403"]),
    row("disclosures",      "create",        ["201",  "201",  "422",  "403",  "403",  "403",  "403",  "403"]),
    row("disclosures",      "acknowledge",   ["200",  "403",  "403",  "200",  "404",  "403",  "403",  "403"]),
    row("disclosures",      "destroyed",     ["200",  "403",  "403",  "200",  "404",  "403",  "403",  "403"]),
    row("audit-events",     "list",          ["200",  "403",  "403",  "403",  "403",  "403",  "403",  "403"]),
    row("stats/incidents",  "count",         ["200",  "403",  "403",  "200",  "200",  "403",  "403",  "200"]),
    row("stats/referrals",  "count",         ["200",  "403",  "403",  "403",  "403",  "403",  "403",  "200"]),
    row("stats/coverage",   "count",         ["200",  "403",  "403",  "200",  "200",  "403",  "403",  "200"]),
    row("changes",          "count",         ["200",  "200",  "200",  "200",  "200",  "200",  "200",  "403"]),
    row("changes/head",     "count",         ["200",  "200",  "200",  "200",  "200",  "200",  "200",  "403"]),
    row("webhooks",         "count",         ["200",  "403",  "403",  "403",  "403",  "403",  "403",  "403"]),
    row("webhooks",         "get",           ["200",  "403",  "403",  "403",  "403",  "403",  "403",  "403"]),
    row("webhooks",         "create",        ["201",  "403",  "403",  "403",  "403",  "403",  "403",  "403"]),
    row("webhooks",         "update",        ["200",  "403",  "403",  "403",  "403",  "403",  "403",  "403"]),
    row("webhooks",         "rotate-secret", ["200",  "403",  "403",  "403",  "403",  "403",  "403",  "403"]),
    row("webhooks",         "deliveries",    ["200",  "403",  "403",  "403",  "403",  "403",  "403",  "403"]),
    row("webhooks",         "delete",        ["204",  "403",  "403",  "403",  "403",  "403",  "403",  "403"]),
];

fn created(res: Resp) -> String {
    assert_eq!(res.status, 201, "set-up: {}", res.text);
    res.body["id"].as_str().expect("id").to_owned()
}

/// Makes the call of one cell; records a cell needs fresh (a status move, a deletion) are made
/// by the unit first.
async fn call(app: &TestApp, w: &World, resource: &str, verb: &str, token: &str) -> Resp {
    let path = format!("/v1/{resource}");
    let (a, x) = (&w.school_a, &w.agency_x_id);
    match (resource, verb) {
        ("persons/disclosures", "list") => app.get(&format!("/v1/persons/{}/disclosures", w.person_a), token).await,
        (_, "list") | (_, "count") => app.get(&path, token).await,
        ("persons", "get") => app.get(&format!("{path}/{}", w.person_a), token).await,
        ("persons", "update") => {
            app.patch(&format!("{path}/{}", w.person_a), token, &json!({"guardian_phone": "613-555-0111"})).await
        }
        ("persons", "create") => {
            app.post(&path, token, &json!({"given_name": "Noah", "family_name": "Martin", "school_id": a})).await
        }
        ("incidents", "get") => app.get(&format!("{path}/{}", w.incident_a), token).await,
        ("incidents", "update") => {
            app.patch(&format!("{path}/{}", w.incident_a), token, &json!({"safe_schools_reportable": true})).await
        }
        ("incidents", "create") => app.post(&path, token, &incident_body(a, &w.person_a)).await,
        ("incidents", "status") => {
            let fresh = created(app.post(&path, &w.admin, &incident_body(a, &w.person_a)).await);
            app.patch(&format!("{path}/{fresh}"), token, &json!({"status": "under_investigation"})).await
        }
        ("agencies", "get") => app.get(&format!("{path}/{x}"), token).await,
        ("agencies", "update") => app.patch(&format!("{path}/{x}"), token, &json!({"phone": "613-747-7800"})).await,
        ("agencies", "create") => {
            app.post(&path, token, &json!({"name": "Youth Services Bureau", "kind": "youth_services"})).await
        }
        ("agencies", "delete") => {
            let fresh = created(app.post(&path, &w.admin, &json!({"name": "Closed program", "kind": "other"})).await);
            app.delete(&format!("{path}/{fresh}"), token).await
        }
        ("referrals", "get") => app.get(&format!("{path}/{}", w.referral_a), token).await,
        ("referrals", "update") => {
            app.patch(&format!("{path}/{}", w.referral_a), token, &json!({"urgency": "urgent"})).await
        }
        ("referrals", "create") => app.post(&path, token, &referral_body(&w.person_a, x)).await,
        ("referrals", "acknowledge") | ("referrals", "withdraw") => {
            let mut body = referral_body(&w.person_a, x);
            body["officer_id"] = json!(w.officer_a_id);
            let fresh = created(app.post(&path, &w.admin, &body).await);
            let to = if verb == "withdraw" { "withdrawn" } else { "acknowledged" };
            app.post(&format!("{path}/{fresh}/status"), token, &json!({"status": to, "note": "Matrix."})).await
        }
        ("service-requests", "get") => app.get(&format!("{path}/{}", w.request_a), token).await,
        ("service-requests", "update") => {
            app.patch(&format!("{path}/{}", w.request_a), token, &json!({"details": "Advice on a hold-and-secure."}))
                .await
        }
        ("service-requests", "create") => app.post(&path, token, &request_body(a)).await,
        ("service-requests", "status") => {
            let fresh = created(app.post(&path, &w.admin, &request_body(a)).await);
            app.patch(&format!("{path}/{fresh}"), token, &json!({"status": "scheduled"})).await
        }
        ("presentations", "get") => app.get(&format!("{path}/{}", w.talk_a), token).await,
        ("presentations", "update") => {
            app.patch(&format!("{path}/{}", w.talk_a), token, &json!({"audience_size": 75})).await
        }
        ("presentations", "create") => app.post(&path, token, &talk_body(a, &w.officer_a_id)).await,
        ("presentations", "delete") => {
            let fresh = created(app.post(&path, &w.admin, &talk_body(a, &w.officer_a_id)).await);
            app.delete(&format!("{path}/{fresh}"), token).await
        }
        ("access-log", "read") => app.get(&format!("/v1/persons/{}/access-log", w.person_a), token).await,
        ("outcomes", "get") => {
            app.get(&format!("/v1/incidents/{}/outcomes/{}", w.incident_a, w.outcome_a), token).await
        }
        ("outcomes", "update") => {
            let at = format!("/v1/incidents/{}/outcomes/{}", w.incident_a, w.outcome_a);
            app.patch(&at, token, &json!({"decided_on": "2026-11-22"})).await
        }
        ("outcomes", "create") => {
            let fresh = created(app.post("/v1/incidents", &w.admin, &incident_body(a, &w.person_a)).await);
            let body = json!({"person_id": w.person_a, "measure": "police_caution", "decided_on": "2026-11-21"});
            app.post(&format!("/v1/incidents/{fresh}/outcomes"), token, &body).await
        }
        ("disclosures", "get") => {
            let fresh = created(app.post(&path, &w.admin, &disclosure_body(&w.person_a, a)).await);
            app.get(&format!("{path}/{fresh}"), token).await
        }
        ("disclosures", "create") => app.post(&path, token, &disclosure_body(&w.person_a, a)).await,
        ("disclosures", "acknowledge") | ("disclosures", "destroyed") => {
            let fresh = created(app.post(&path, &w.admin, &disclosure_body(&w.person_a, a)).await);
            app.post(&format!("{path}/{fresh}/{verb}"), token, &json!({})).await
        }
        ("webhooks", _) => {
            // A public address literal: no name to resolve, nothing to send during the test.
            let body = json!({"client_id": client_of(app, &w.agency_x).await, "url": "https://93.184.216.34/hook"});
            if verb == "create" {
                return app.post(&path, token, &body).await;
            }
            let fresh = created(app.post(&path, &w.admin, &body).await);
            match verb {
                "get" => app.get(&format!("{path}/{fresh}"), token).await,
                "update" => app.patch(&format!("{path}/{fresh}"), token, &json!({"active": false})).await,
                "deliveries" => app.get(&format!("{path}/{fresh}/deliveries"), token).await,
                "rotate-secret" => app.post(&format!("{path}/{fresh}/rotate-secret"), token, &json!({})).await,
                _ => app.delete(&format!("{path}/{fresh}"), token).await,
            }
        }
        (_, "delete") => app.delete(&format!("{path}/{}", w.person_a), token).await,
        other => panic!("no call for {other:?}"),
    }
}

/// The client id behind a token.
async fn client_of(app: &TestApp, token: &str) -> String {
    app.get("/v1/me", token).await.body["client_id"].as_str().expect("client_id").to_owned()
}

/// A disclosure of `person` to `school`, made yesterday, to be destroyed within a month.
fn disclosure_body(person: &str, school: &str) -> serde_json::Value {
    json!({"person_id": person, "school_id": school, "recipient_name": "Josée Bérubé", "recipient_role": "Principal",
           "purpose": "safety", "information": "Bail condition: no contact with a named student.",
           "disclosed_on": crate::support::day(-1), "destroy_by": crate::support::day(30)})
}

/// Every key that carries a person's identity, and the youth's names and ids.
fn person_traces(body: &str, w: &World) -> Vec<String> {
    let mut found = Vec::new();
    for key in [
        "\"involved\"",
        "\"person_id\"",
        "\"given_name\"",
        "\"family_name\"",
        "\"date_of_birth\"",
        "\"guardian_name\"",
        "\"guardian_phone\"",
        "\"youth\"",
        "\"summary\"",
    ] {
        if body.contains(key) {
            found.push(key.to_owned());
        }
    }
    for text in NAMES.iter().copied().chain([w.person_a.as_str(), w.person_b.as_str()]) {
        if body.contains(text) {
            found.push(text.to_owned());
        }
    }
    found
}

#[actix_rt::test]
async fn every_role_resource_and_verb_gets_exactly_its_answer() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    // Disclosures are seeded here rather than in the world, so the other tests' audit trails
    // and feeds stay as they were.
    let disclosure_a = created(app.post("/v1/disclosures", &w.admin, &disclosure_body(&w.person_a, &w.school_a)).await);
    let disclosure_b = created(app.post("/v1/disclosures", &w.admin, &disclosure_body(&w.person_b, &w.school_b)).await);
    let tokens = [&w.admin, &w.officer_a, &w.officer_b, &w.board_a, &w.board_b, &w.agency_x, &w.agency_y, &w.dashboard];
    let labels: HashMap<&str, &str> = [
        (w.person_a.as_str(), "A"),
        (w.person_b.as_str(), "B"),
        (w.incident_a.as_str(), "A"),
        (w.incident_b.as_str(), "B"),
        (w.referral_a.as_str(), "A"),
        (w.referral_b.as_str(), "B"),
        (w.request_a.as_str(), "A"),
        (w.request_b.as_str(), "B"),
        (w.talk_a.as_str(), "A"),
        (w.talk_b.as_str(), "B"),
        (w.outcome_a.as_str(), "A"),
        (w.outcome_b.as_str(), "B"),
        (disclosure_a.as_str(), "A"),
        (disclosure_b.as_str(), "B"),
        (w.agency_x_id.as_str(), "X"),
        (w.agency_y_id.as_str(), "Y"),
    ]
    .into_iter()
    .collect();
    let mut cells = 0;
    let mut wrong = Vec::new();
    for line in TABLE {
        for (column, token) in tokens.iter().enumerate() {
            let expected = line.expect[column];
            let res = call(&app, &w, line.resource, line.verb, token).await;
            cells += 1;
            let got = match expected.parse::<u16>() {
                Ok(_) => res.status.to_string(),
                Err(_) if res.status != 200 => res.status.to_string(),
                Err(_) => {
                    let mut seen: Vec<&str> = res.body["data"]
                        .as_array()
                        .expect("a page")
                        .iter()
                        .map(|r| labels.get(r["id"].as_str().unwrap_or_default()).copied().unwrap_or("?"))
                        .collect();
                    seen.sort_unstable();
                    if seen.is_empty() {
                        "-".to_owned()
                    } else {
                        seen.join(" ")
                    }
                }
            };
            if got != expected {
                wrong.push(format!(
                    "{} {} as {}: expected {expected}, got {got} ({})",
                    line.resource,
                    line.verb,
                    CALLERS[column],
                    res.text.chars().take(160).collect::<String>()
                ));
            }
            if matches!(column, 3 | 4 | 7) {
                let mut traces = person_traces(&res.text, &w);
                // A disclosure is the one record a board sees a youth's name in (§7): the board
                // of its school may see that youth, and no other.
                if line.resource == "disclosures" && column != 7 {
                    let own = if column == 3 {
                        [NAMES[0], NAMES[1], w.person_a.as_str()]
                    } else {
                        [NAMES[2], NAMES[3], w.person_b.as_str()]
                    };
                    traces.retain(|t| !t.starts_with('"') && !own.contains(&t.as_str()));
                }
                if !traces.is_empty() {
                    wrong.push(format!(
                        "{} {} as {}: the answer carries {traces:?}",
                        line.resource, line.verb, CALLERS[column]
                    ));
                }
            }
        }
    }
    println!(
        "role x resource x verb matrix: {cells} cells ({} callers x {} resource-verb lines)",
        CALLERS.len(),
        TABLE.len()
    );
    assert!(wrong.is_empty(), "{} of {cells} cells wrong:\n{}", wrong.len(), wrong.join("\n"));
}
