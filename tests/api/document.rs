//! The OpenAPI document says what the code does: every enum lists the wire values the code
//! accepts and sends, and every constraint the validators enforce is in the schema.

use std::collections::BTreeMap;

use serde_json::Value;
use sro_api::domain::{access, agency, assignment, audit, board, incident, referral, school, service_request, stats};
use sro_api::error::ConflictCode;

fn document() -> Value {
    serde_json::to_value(sro_api::openapi::document()).unwrap()
}

/// The wire values of `T`, and a check that each parses back to a value.
fn wire<T: Copy + std::fmt::Display + std::str::FromStr>(all: &[T]) -> Vec<String> {
    all.iter()
        .map(|v| {
            assert!(v.to_string().parse::<T>().is_ok(), "{v} parses back");
            v.to_string()
        })
        .collect()
}

#[test]
fn every_schema_enum_lists_exactly_the_wire_values_the_code_accepts() {
    let mut code: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    code.insert("Language", wire(school::Language::ALL));
    code.insert("Level", wire(school::Level::ALL));
    code.insert("SchoolKind", wire(school::SchoolKind::ALL));
    code.insert("Outcome", wire(school::Outcome::ALL));
    code.insert("BoardKind", wire(board::BoardKind::ALL));
    code.insert("Role", wire(access::Role::ALL));
    code.insert("Scope", wire(access::Scope::ALL));
    code.insert("AssignmentRole", wire(assignment::AssignmentRole::ALL));
    code.insert("AgencyKind", wire(agency::AgencyKind::ALL));
    code.insert("IncidentLocation", wire(incident::IncidentLocation::ALL));
    code.insert("IncidentCategory", wire(incident::IncidentCategory::ALL));
    code.insert("IncidentStatus", wire(incident::IncidentStatus::ALL));
    code.insert("Resolution", wire(incident::Resolution::ALL));
    code.insert("InvolvementRole", wire(incident::InvolvementRole::ALL));
    code.insert("ReferralCategory", wire(referral::ReferralCategory::ALL));
    code.insert("Urgency", wire(referral::Urgency::ALL));
    code.insert("ConsentGiver", wire(referral::ConsentGiver::ALL));
    code.insert("ReferralStatus", wire(referral::ReferralStatus::ALL));
    code.insert("RequestKind", wire(service_request::RequestKind::ALL));
    code.insert("RequestStatus", wire(service_request::RequestStatus::ALL));
    code.insert("Measure", wire(sro_api::domain::outcome::Measure::ALL));
    code.insert("CourtDisposition", wire(sro_api::domain::outcome::CourtDisposition::ALL));
    code.insert("DisclosurePurpose", wire(sro_api::domain::disclosure::DisclosurePurpose::ALL));
    code.insert("AuditAction", wire(audit::AuditAction::ALL));
    code.insert("AuditResource", wire(audit::AuditResource::ALL));
    code.insert("ChangeOp", wire(sro_api::domain::change::ChangeOp::ALL));
    code.insert("FeedResource", wire(sro_api::domain::webhook::FeedResource::ALL));
    code.insert("DeliveryOutcome", wire(sro_api::domain::webhook::DeliveryOutcome::ALL));
    code.insert("IncidentGrouping", wire(stats::IncidentGrouping::ALL));
    code.insert("ReferralGrouping", wire(stats::ReferralGrouping::ALL));
    code.insert("CoverageGrouping", wire(stats::CoverageGrouping::ALL));
    let conflicts = [
        ConflictCode::Duplicate,
        ConflictCode::OverlappingAssignment,
        ConflictCode::InvalidTransition,
        ConflictCode::StillReferenced,
        ConflictCode::IdempotencyInProgress,
    ];
    code.insert(
        "ConflictCode",
        conflicts.iter().map(|c| serde_json::to_value(c).unwrap().as_str().unwrap().to_owned()).collect(),
    );
    let doc = document();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut seen = Vec::new();
    for (name, schema) in schemas {
        let Some(values) = schema.get("enum").and_then(Value::as_array) else { continue };
        let values: Vec<String> = values.iter().map(|v| v.as_str().unwrap().to_owned()).collect();
        let expected = code.get(name.as_str()).unwrap_or_else(|| panic!("enum {name} is not checked by this test"));
        assert_eq!(&values, expected, "enum {name}");
        seen.push(name.as_str());
    }
    assert_eq!(seen.len(), code.len(), "every enum of the code is in the document: {seen:?}");
    // No inline enum anywhere else (a property or parameter spelling its own values).
    let text = doc.to_string();
    assert_eq!(text.matches("\"enum\"").count(), code.len(), "enums appear only as named schemas");
}

/// Every `pattern` in the document, with where it is.
fn patterns(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "pattern" {
                    out.push((at.to_owned(), v.as_str().unwrap().to_owned()));
                } else {
                    patterns(v, &format!("{at}/{k}"), out);
                }
            }
        }
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| patterns(v, &format!("{at}/{i}"), out)),
        _ => {}
    }
}

#[test]
fn every_pattern_in_the_document_is_one_the_validators_use() {
    use sro_api::domain::pattern;
    let mut found = Vec::new();
    patterns(&document(), "", &mut found);
    assert!(found.len() > 20, "patterns are stated: {}", found.len());
    for (at, p) in found {
        assert!(
            pattern::ALL.contains(&p.as_str()) || p == "^[A-Za-z0-9_-]+$",
            "{at}: {p} is not a validator's pattern"
        );
    }
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    for (schema, field, expected) in [
        ("NewSchool", "ministry_number", pattern::SCHOOL_NUMBER),
        ("NewSchool", "postal_code", pattern::POSTAL_CODE),
        ("NewSchool", "name", pattern::TEXT),
        ("NewSchool", "street", pattern::OPTIONAL_TEXT),
        ("NewOfficer", "badge_number", pattern::BADGE),
        ("NewOfficer", "email", pattern::EMAIL),
        ("BoardPatch", "ministry_number", pattern::BOARD_NUMBER),
        ("NewClient", "name", pattern::TEXT),
    ] {
        assert_eq!(schemas[schema]["properties"][field]["pattern"], expected, "{schema}.{field}");
    }
}

type Parse = fn(&serde_json::Map<String, Value>) -> Result<(), Vec<sro_api::domain::validate::FieldError>>;

#[test]
fn every_length_limit_in_a_body_schema_is_the_validators_limit() {
    use serde_json::json;
    use sro_api::domain::{board::BoardChanges, client::NewClient, officer::NewOfficer, school::NewSchool};
    let cases: Vec<(&str, Parse, Value)> = vec![
        ("NewSchool", |m| NewSchool::parse(m, "").map(|_| ()), crate::support::school_body("123456", None, "private")),
        (
            "NewOfficer",
            |m| NewOfficer::parse(m).map(|_| ()),
            json!({"badge_number": "1", "first_name": "A", "last_name": "B"}),
        ),
        (
            "BoardPatch",
            |m| BoardChanges::parse(m).map(|_| ()),
            json!({"name": "A", "name_fr": "B", "ministry_number": "B66184"}),
        ),
        ("NewClient", |m| NewClient::parse(m).map(|_| ()), json!({"name": "A", "role": "admin"})),
        (
            "NewDisclosure",
            |m| sro_api::domain::disclosure::NewDisclosure::parse(m, sro_api::domain::time::today()).map(|_| ()),
            json!({"person_id": "018f0000-0000-7000-8000-00000000000a", "school_id": "018f0000-0000-7000-8000-00000000000b",
                   "recipient_name": "A", "recipient_role": "B", "purpose": "safety", "information": "C",
                   "disclosed_on": "2026-01-01", "destroy_by": "2026-06-01"}),
        ),
    ];
    let doc = document();
    let mut checked = 0;
    for (schema, parse, base) in cases {
        let mut base = base;
        base.as_object_mut().unwrap().remove("board_id");
        assert!(parse(base.as_object().unwrap()).is_ok(), "{schema}: the base body is valid");
        let properties = doc["components"]["schemas"][schema]["properties"].as_object().unwrap();
        for (field, rules) in properties {
            let Some(max) = rules["maxLength"].as_u64().map(|n| n as usize) else { continue };
            let value = |n: usize| {
                if rules["pattern"] == sro_api::domain::pattern::EMAIL {
                    format!("{}@a.ca", "x".repeat(n - 5))
                } else {
                    "x".repeat(n)
                }
            };
            let with = |text: String| {
                let mut body = base.as_object().unwrap().clone();
                body.insert(field.clone(), Value::String(text));
                parse(&body)
            };
            assert!(with(value(max)).is_ok(), "{schema}.{field}: {max} characters are accepted");
            let errors = with(value(max + 1)).unwrap_err();
            assert_eq!(errors[0].field, *field, "{schema}.{field}: {} characters are refused", max + 1);
            if rules["minLength"] == 1 {
                assert!(with(String::new()).is_err(), "{schema}.{field}: empty is refused");
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} limits checked");
}

/// Catches a vocabulary forgotten (an enum of the document with no vocabulary), a stale one (a
/// vocabulary the document no longer has), values that differ from the document's, a missing
/// label in either language, or the endpoint refusing a valid token of any role.
#[actix_rt::test]
async fn the_vocabularies_are_exactly_the_documents_enums_with_both_labels() {
    use crate::support::TestApp;
    use sro_api::domain::access::Role;
    let doc = document();
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if let Some(values) = schema["enum"].as_array() {
            let values = values.iter().map(|v| v.as_str().unwrap().to_owned()).collect();
            expected.insert(sro_api::domain::vocabulary::snake_case(name), values);
        }
    }
    assert!(expected.len() >= 30, "{expected:?}");
    let app = TestApp::spawn().await;
    for role in [Role::Admin, Role::Board, Role::Agency, Role::Dashboard] {
        let board = (role == Role::Board).then_some(crate::support::OCDSB);
        let token = match board {
            Some(b) => app.board(b).await,
            None if role == Role::Agency => app.agency_token(app.new_agency(&format!("{role:?}"), "other").await).await,
            None => app.token_for(role, None, None, None).await,
        };
        let res = app.get("/v1/vocabularies", &token).await;
        assert_eq!(res.status, 200, "{role:?}: {}", res.text);
        let mut got: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for vocabulary in res.body["data"].as_array().unwrap() {
            let name = vocabulary["name"].as_str().unwrap().to_owned();
            let mut values = Vec::new();
            for term in vocabulary["values"].as_array().unwrap() {
                let value = term["value"].as_str().unwrap().to_owned();
                for label in ["label_en", "label_fr"] {
                    let text = term[label].as_str().unwrap();
                    assert!(!text.is_empty() && text != value, "{name}.{value} has no {label}");
                }
                values.push(value);
            }
            got.insert(name, values);
        }
        assert_eq!(got, expected);
    }
    assert_eq!(app.get("/v1/vocabularies", "not-a-token").await.status, 401);
    let bad = app.get("/v1/vocabularies?lang=fr", &app.admin().await).await;
    bad.assert_problem(400, "bad-request");
}
