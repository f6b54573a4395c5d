//! Field-by-field reading of JSON objects, so that every bad field is named at once.

use std::collections::HashSet;
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Map, Value};

use super::i18n::Msg;
use crate::msg;

/// One bad field or parameter, named by its JSON path without the leading `$.`; its message is
/// a catalogue id, written in the caller's language with the problem body
/// (`error::ProblemField` is the wire form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON path of the field: `postal_code`, `rows[7].postal_code`, `consent.given_by`.
    pub field: String,
    /// What is wrong with it.
    pub message: Msg,
}

impl FieldError {
    /// A new field error.
    pub fn new(field: impl Into<String>, message: Msg) -> Self {
        FieldError { field: field.into(), message }
    }
}

/// Reads the fields of one JSON object, collecting every error and noting unknown keys.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
    taken: HashSet<&'static str>,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    /// Reads `map`; error paths start with `prefix` (`""` or `"rows[3]."`).
    pub fn new(map: &'a Map<String, Value>, prefix: impl Into<String>) -> Self {
        Fields { map, prefix: prefix.into(), taken: HashSet::new(), errors: Vec::new() }
    }

    /// Records an error on `key`.
    pub fn error(&mut self, key: &str, message: Msg) {
        let field = format!("{}{key}", self.prefix);
        self.errors.push(FieldError::new(field, message));
    }

    fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.taken.insert(key);
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// True when no error has been recorded for `key` (so cross-field rules can use it).
    pub fn clean(&self, key: &str) -> bool {
        let field = format!("{}{key}", self.prefix);
        !self.errors.iter().any(|e| e.field == field)
    }

    /// A required string of 1 to `max` characters (not only blanks); empty after an error.
    pub fn req_str(&mut self, key: &'static str, max: usize) -> String {
        match self.opt_str(key, max) {
            Some(s) => s,
            None => {
                if self.clean(key) {
                    self.error(key, msg!("required"));
                }
                String::new()
            }
        }
    }

    /// An optional string: `None` when absent, null, empty or bad.
    pub fn opt_str(&mut self, key: &'static str, max: usize) -> Option<String> {
        match self.get(key) {
            None => None,
            Some(Value::String(s)) if s.contains('\0') => {
                self.error(key, msg!("no_nul"));
                None
            }
            Some(Value::String(s)) if super::pattern::is_blank(s) => None,
            Some(Value::String(s)) if s.chars().count() > max => {
                self.error(key, msg!("at_most_characters", max = max));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.error(key, msg!("must_be_string"));
                None
            }
        }
    }

    /// A required value parsed from a string by `parse`; the default after an error.
    pub fn req_with<T: Default>(&mut self, key: &'static str, parse: impl Fn(&str) -> Result<T, Msg>) -> T {
        match self.opt_with(key, parse) {
            Some(v) => v,
            None => {
                if self.clean(key) {
                    self.error(key, msg!("required"));
                }
                T::default()
            }
        }
    }

    /// An optional value parsed from a string by `parse`; `None` when absent or bad.
    pub fn opt_with<T>(&mut self, key: &'static str, parse: impl Fn(&str) -> Result<T, Msg>) -> Option<T> {
        match self.get(key) {
            None => None,
            Some(Value::String(s)) if s.contains('\0') => {
                self.error(key, msg!("no_nul"));
                None
            }
            Some(Value::String(s)) => match parse(s) {
                Ok(v) => Some(v),
                Err(message) => {
                    self.error(key, message);
                    None
                }
            },
            Some(_) => {
                self.error(key, msg!("must_be_string"));
                None
            }
        }
    }

    /// A required enum value.
    pub fn req_enum<T: FromStr<Err = Msg> + Default>(&mut self, key: &'static str) -> T {
        self.req_with(key, T::from_str)
    }

    /// An optional enum value.
    pub fn opt_enum<T: FromStr<Err = Msg>>(&mut self, key: &'static str) -> Option<T> {
        self.opt_with(key, T::from_str)
    }

    /// A required UUID (nil after an error).
    pub fn req_uuid(&mut self, key: &'static str) -> uuid::Uuid {
        self.req_with(key, parse_uuid)
    }

    /// An optional UUID.
    pub fn opt_uuid(&mut self, key: &'static str) -> Option<uuid::Uuid> {
        self.opt_with(key, parse_uuid)
    }

    /// An optional boolean; an explicit null is refused (no boolean field is nullable).
    pub fn opt_bool(&mut self, key: &'static str) -> Option<bool> {
        if self.map.get(key).is_some_and(Value::is_null) {
            self.taken.insert(key);
            self.error(key, msg!("must_be_boolean"));
            return None;
        }
        match self.get(key) {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.error(key, msg!("must_be_boolean"));
                None
            }
        }
    }

    /// An optional list of strings.
    pub fn opt_str_list(&mut self, key: &'static str) -> Option<Vec<String>> {
        match self.get(key) {
            None => None,
            Some(Value::Array(items)) => {
                let strings: Option<Vec<String>> = items.iter().map(|v| v.as_str().map(str::to_owned)).collect();
                if strings.is_none() {
                    self.error(key, msg!("must_be_string_list"));
                }
                strings
            }
            Some(_) => {
                self.error(key, msg!("must_be_string_list"));
                None
            }
        }
    }

    /// An optional whole number from `min` to `max`.
    pub fn opt_int(&mut self, key: &'static str, min: i64, max: i64) -> Option<i64> {
        match self.get(key) {
            None => None,
            Some(Value::Number(n)) => match n.as_i64() {
                Some(v) if (min..=max).contains(&v) => Some(v),
                _ => {
                    self.error(key, msg!("whole_number_between", min = min, max = max));
                    None
                }
            },
            Some(_) => {
                self.error(key, msg!("whole_number_between", min = min, max = max));
                None
            }
        }
    }

    /// A required boolean.
    pub fn req_bool(&mut self, key: &'static str) -> bool {
        let value = self.opt_bool(key);
        if value.is_none() && self.clean(key) {
            self.error(key, msg!("required"));
        }
        value.unwrap_or_default()
    }

    /// An optional JSON object (a nested record such as `consent`).
    pub fn opt_object(&mut self, key: &'static str) -> Option<&'a Map<String, Value>> {
        match self.get(key) {
            None => None,
            Some(Value::Object(map)) => Some(map),
            Some(_) => {
                self.error(key, msg!("must_be_object"));
                None
            }
        }
    }

    /// A required JSON object.
    pub fn req_object(&mut self, key: &'static str) -> Option<&'a Map<String, Value>> {
        let value = self.opt_object(key);
        if value.is_none() && self.clean(key) {
            self.error(key, msg!("required"));
        }
        value
    }

    /// An optional JSON array of at most `max` items.
    pub fn opt_array(&mut self, key: &'static str, max: usize) -> Option<&'a Vec<Value>> {
        match self.get(key) {
            None => None,
            Some(Value::Array(items)) if items.len() > max => {
                self.error(key, msg!("at_most_items", max = max));
                None
            }
            Some(Value::Array(items)) => Some(items),
            Some(_) => {
                self.error(key, msg!("must_be_list"));
                None
            }
        }
    }

    /// The path prefix of a member nested in `key` (`consent.`) or of an item (`involved[2].`).
    pub fn nested(&self, key: &str, index: Option<usize>) -> String {
        match index {
            Some(i) => format!("{}{key}[{i}].", self.prefix),
            None => format!("{}{key}.", self.prefix),
        }
    }

    /// Adds the errors of a nested reading (its paths already carry their prefix).
    pub fn absorb(&mut self, result: Result<(), Vec<FieldError>>) {
        if let Err(errors) = result {
            self.errors.extend(errors);
        }
    }

    /// True when no error at all has been recorded so far.
    pub fn all_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// Ends reading: every key not read is an unknown field.
    pub fn finish(mut self) -> Result<(), Vec<FieldError>> {
        let unknown: Vec<String> = self.map.keys().filter(|k| !self.taken.contains(k.as_str())).cloned().collect();
        for key in unknown {
            let field = format!("{}{key}", self.prefix);
            self.errors.push(FieldError::new(field, msg!("unknown_field")));
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

/// A value as a JSON object (the base a merge patch applies to); empty if it is not one.
pub fn to_object<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Parses a UUID or says so.
pub fn parse_uuid(s: &str) -> Result<uuid::Uuid, Msg> {
    // Only the hyphenated form the API writes; braces, `urn:uuid:` and bare hex are not ids here.
    if s.len() != 36 {
        return Err(msg!("must_be_uuid"));
    }
    uuid::Uuid::parse_str(s).map_err(|_| msg!("must_be_uuid"))
}

/// Parses a work email address (officers, agencies): at most 254 characters, `pattern::EMAIL`.
pub fn parse_email(s: &str) -> Result<String, Msg> {
    if s.chars().count() <= 254 && super::pattern::matches(super::pattern::EMAIL, s) {
        Ok(s.to_owned())
    } else {
        Err(msg!("must_be_email"))
    }
}

/// Parses a boolean query value.
pub fn parse_bool(s: &str) -> Result<bool, Msg> {
    match s {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(msg!("must_be_boolean")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_bad_field_is_named_at_once() {
        let body = json!({"name": 3, "level": "college", "extra": 1});
        let map = body.as_object().unwrap();
        let mut f = Fields::new(map, "rows[2].");
        f.req_str("name", 10);
        f.req_with("level", |s| if s == "elementary" { Ok(1) } else { Err(msg!("required")) });
        f.req_str("kind", 10);
        let errors = f.finish().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["rows[2].name", "rows[2].level", "rows[2].kind", "rows[2].extra"]);
    }
}
