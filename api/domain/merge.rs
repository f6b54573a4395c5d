//! JSON Merge Patch (RFC 7396), applied to a record's input form before it is validated again.

use serde_json::{Map, Value};

/// Merges `patch` into `base`, recursively: an object in the patch merges into the object it
/// names, anything else replaces it. A `null` inside a nested object removes that member, as
/// RFC 7396 says; a top-level `null` is kept as an explicit null so the validator can refuse it
/// for a field that cannot be empty (for optional fields null and absent mean the same).
pub fn merge_patch(base: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        match (base.get_mut(key), value) {
            (Some(Value::Object(target)), Value::Object(changes)) => merge_nested(target, changes),
            (_, Value::Object(changes)) => {
                let mut fresh = Map::new();
                merge_nested(&mut fresh, changes);
                base.insert(key.clone(), Value::Object(fresh));
            }
            (_, other) => {
                base.insert(key.clone(), other.clone());
            }
        }
    }
}

fn merge_nested(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        match value {
            Value::Null => {
                target.remove(key);
            }
            Value::Object(changes) => {
                let slot = target.entry(key.clone()).or_insert_with(|| Value::Object(Map::new()));
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                }
                if let Value::Object(inner) = slot {
                    merge_nested(inner, changes);
                }
            }
            other => {
                target.insert(key.clone(), other.clone());
            }
        }
    }
}

/// The top-level member a field path starts with: `consent` for `consent.given_by`,
/// `involved` for `involved[2].role`.
pub fn top_member(path: &str) -> &str {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    &path[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn merged(base: Value, patch: Value) -> Value {
        let mut base = base.as_object().unwrap().clone();
        merge_patch(&mut base, patch.as_object().unwrap());
        Value::Object(base)
    }

    #[test]
    fn nested_objects_merge_member_by_member() {
        let base = json!({"reason": "r", "consent": {"given_by": "youth", "obtained_on": "2026-11-02"}});
        let out = merged(base, json!({"consent": {"given_by": "guardian"}}));
        assert_eq!(out, json!({"reason": "r", "consent": {"given_by": "guardian", "obtained_on": "2026-11-02"}}));
    }

    #[test]
    fn a_nested_null_removes_and_a_top_level_null_is_kept_for_the_validator() {
        let base = json!({"a": 1, "consent": {"given_by": "youth", "obtained_on": "2026-11-02"}});
        let out = merged(base, json!({"a": null, "consent": {"obtained_on": null}}));
        assert_eq!(out, json!({"a": null, "consent": {"given_by": "youth"}}));
    }

    #[test]
    fn arrays_and_scalars_replace_and_objects_replace_scalars() {
        let base = json!({"grades": [1, 2], "consent": "x"});
        let out = merged(base, json!({"grades": [3], "consent": {"given_by": "youth", "x": null}}));
        assert_eq!(out, json!({"grades": [3], "consent": {"given_by": "youth"}}));
    }

    #[test]
    fn the_top_member_of_a_path() {
        assert_eq!(top_member("consent.given_by"), "consent");
        assert_eq!(top_member("involved[2].role"), "involved");
        assert_eq!(top_member("name"), "name");
    }
}
