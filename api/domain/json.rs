//! Strict JSON reading: like `serde_json::from_slice` into a `Value`, but a key given twice in
//! one object is an error naming it (serde_json would silently keep the last one).

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why a body is not acceptable JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON at all: where the parser gave up.
    Syntax { line: usize, column: usize },
    /// A key repeated in one object, by its path (`rows[2].name`).
    DuplicateKey(String),
}

/// Parses JSON text, refusing duplicate keys at any depth.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, JsonError> {
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = Strict { path: String::new(), duplicate: &duplicate }.deserialize(&mut de).and_then(|v| {
        de.end()?;
        Ok(v)
    });
    parsed.map_err(|e| match duplicate.into_inner() {
        Some(path) => JsonError::DuplicateKey(path),
        None => JsonError::Syntax { line: e.line(), column: e.column() },
    })
}

struct Strict<'a> {
    path: String,
    duplicate: &'a RefCell<Option<String>>,
}

impl Strict<'_> {
    fn child(&self, path: String) -> Strict<'_> {
        Strict { path, duplicate: self.duplicate }
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("not a finite number"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self.child(format!("{}[{}]", self.path, out.len())))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() { key.clone() } else { format!("{}.{key}", self.path) };
            if out.contains_key(&key) {
                *self.duplicate.borrow_mut() = Some(path);
                return Err(A::Error::custom("duplicate key"));
            }
            let value = map.next_value_seed(self.child(path))?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_named_by_path_at_any_depth() {
        assert_eq!(parse_strict(br#"{"a": 1, "a": 2}"#), Err(JsonError::DuplicateKey("a".into())));
        assert_eq!(
            parse_strict(br#"[{"x": 1}, {"b": {"c": 1, "c": 1}}]"#),
            Err(JsonError::DuplicateKey("[1].b.c".into()))
        );
        assert_eq!(parse_strict(br#"{"a": [1, 2.5, "x", null, true], "b": {}}"#).unwrap()["a"][1], 2.5);
    }

    #[test]
    fn syntax_errors_and_trailing_text_are_syntax_errors() {
        assert!(matches!(parse_strict(b"{\"a\": "), Err(JsonError::Syntax { .. })));
        assert!(matches!(parse_strict(b"{} x"), Err(JsonError::Syntax { .. })));
    }
}
