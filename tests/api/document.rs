//! The OpenAPI document says what the code does: every enum lists the wire values the code
//! accepts and sends, and every constraint the validators enforce is in the schema.

use std::collections::BTreeMap;

use serde_json::Value;
use sro_api::domain::{access, assignment, board, school};
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
