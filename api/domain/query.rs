//! Query-string reading: known parameters only, every bad one named, and the list window
//! (`limit`, `cursor`, `updated_from`) every list shares.

use std::collections::HashSet;

use chrono::NaiveDateTime;

use super::i18n::Msg;
use super::page::{Cursor, DEFAULT_LIMIT, MAX_LIMIT};
use super::time::parse_timestamp;
use super::validate::FieldError;
use crate::msg;

/// Where a list page starts and how long it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Records per page, 1 to 500.
    pub limit: i64,
    /// Continue after this record.
    pub after: Option<Cursor>,
    /// Only records updated at or after this instant.
    pub updated_from: Option<NaiveDateTime>,
    /// Fingerprint of the filters, stamped into the next cursor.
    pub fingerprint: String,
}

/// The parameters of one query string, read one by one.
pub struct Params {
    pairs: Vec<(String, String)>,
    taken: HashSet<&'static str>,
    errors: Vec<FieldError>,
}

impl Params {
    /// Splits a raw query string. A bad percent-escape (`%zz`) or one that does not decode to
    /// UTF-8 is an error naming its parameter (or `query` when the name itself is bad).
    pub fn new(raw: &str) -> Result<Params, Vec<FieldError>> {
        let mut pairs = Vec::new();
        let mut errors = Vec::new();
        for part in raw.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            match (percent_decode(key), percent_decode(value)) {
                (Some(k), Some(v)) => pairs.push((k, v)),
                (Some(k), None) => errors.push(FieldError::new(k, msg!("bad_percent_encoding"))),
                (None, _) => errors.push(FieldError::new("query", msg!("bad_query_string"))),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Params { pairs, taken: HashSet::new(), errors })
    }

    /// Every parameter name sent, in order (decoded).
    pub fn keys(&self) -> Vec<String> {
        self.pairs.iter().map(|(k, _)| k.clone()).collect()
    }

    /// The raw value of `key`, if given once.
    pub fn raw(&mut self, key: &'static str) -> Option<String> {
        self.taken.insert(key);
        let mut values = self.pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone());
        let first = values.next();
        if values.next().is_some() {
            self.errors.push(FieldError::new(key, msg!("at_most_once")));
            return None;
        }
        if first.as_deref().is_some_and(|v| v.contains('\0')) {
            self.errors.push(FieldError::new(key, msg!("no_nul")));
            return None;
        }
        first
    }

    /// An optional text parameter of at most `max` characters.
    pub fn text(&mut self, key: &'static str, max: usize) -> Option<String> {
        self.opt(key, |s| {
            if s.chars().count() > max {
                Err(msg!("at_most_characters", max = max))
            } else {
                Ok(s.to_owned())
            }
        })
    }

    /// An optional parameter parsed by `parse`; a bad value is recorded.
    pub fn opt<T>(&mut self, key: &'static str, parse: impl Fn(&str) -> Result<T, Msg>) -> Option<T> {
        let value = self.raw(key)?;
        match parse(&value) {
            Ok(v) => Some(v),
            Err(message) => {
                self.errors.push(FieldError::new(key, message));
                None
            }
        }
    }

    /// An optional enum parameter.
    pub fn opt_enum<T: std::str::FromStr<Err = Msg>>(&mut self, key: &'static str) -> Option<T> {
        self.opt(key, T::from_str)
    }

    /// Binds the cursor to a value of the path (a list under one record): a cursor made for one
    /// record's list does not continue another's. `key` is not a query parameter (`@` marks it).
    pub fn bind(&mut self, key: &'static str, value: &str) {
        self.taken.insert(key);
        self.pairs.push((key.to_owned(), value.to_owned()));
    }

    /// Records an error on `key`.
    pub fn error(&mut self, key: &str, message: Msg) {
        self.errors.push(FieldError::new(key, message));
    }

    /// Reads `limit`, `cursor` and `updated_from`, then checks that nothing unknown was sent.
    pub fn finish(mut self) -> Result<Window, Vec<FieldError>> {
        let limit = self
            .opt("limit", |s| match s.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) && s.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
                _ => Err(msg!("whole_number_between", min = 1, max = MAX_LIMIT)),
            })
            .unwrap_or(DEFAULT_LIMIT);
        let updated_from = self.opt("updated_from", parse_timestamp);
        let cursor_text = self.raw("cursor");
        let fingerprint = self.fingerprint();
        let after = cursor_text.and_then(|text| match Cursor::decode(&text, &fingerprint) {
            Ok(c) => Some(c),
            Err(message) => {
                self.errors.push(FieldError::new("cursor", message));
                None
            }
        });
        self.refuse_unknown();
        if self.errors.is_empty() {
            Ok(Window { limit, after, updated_from, fingerprint })
        } else {
            Err(self.errors)
        }
    }

    /// For an endpoint that is not a list (no `limit`, `cursor` or `updated_from`): checks that
    /// nothing unknown was sent, and answers every error recorded.
    pub fn finish_plain(mut self) -> Result<(), Vec<FieldError>> {
        self.refuse_unknown();
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }

    /// Records an error for every parameter sent that nothing read.
    fn refuse_unknown(&mut self) {
        let mut unknown: Vec<String> =
            self.pairs.iter().filter(|(k, _)| !self.taken.contains(k.as_str())).map(|(k, _)| k.clone()).collect();
        unknown.dedup();
        for key in unknown {
            self.errors.push(FieldError::new(key, msg!("unknown_query_parameter")));
        }
    }

    /// The filters as one canonical string (without `cursor` and `limit`).
    fn fingerprint(&self) -> String {
        let mut filters: Vec<String> =
            self.pairs.iter().filter(|(k, _)| k != "cursor" && k != "limit").map(|(k, v)| format!("{k}={v}")).collect();
        filters.sort();
        let text = filters.join("&");
        // Short and opaque; a collision would only let a cursor continue a lookalike query.
        let digest = <sha2::Sha256 as sha2::Digest>::digest(text.as_bytes());
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }
}

/// Decodes one `application/x-www-form-urlencoded` component strictly: `+` is a space, `%`
/// must be followed by two hex digits, and the bytes must be UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(b) = input.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [input.next()?, input.next()?];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).ok()
}

/// What an `If-Match` header asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: any current version.
    Any,
    /// `"<version>"` tags; an empty list (only weak or foreign tags) never matches.
    Versions(Vec<i32>),
}

impl IfMatch {
    /// Reads the header value: `"3"`, `3`, `"1", "3"` or `*`; a list matches if any entry does.
    /// A weak tag (`W/"3"`) never matches: `If-Match` uses strong comparison (RFC 9110 §13.1.1).
    pub fn parse(header: &str) -> IfMatch {
        let mut versions = Vec::new();
        for part in header.split(',') {
            let part = part.trim();
            if part.starts_with("W/") {
                continue;
            }
            let tag = part.trim_matches('"');
            if tag == "*" {
                return IfMatch::Any;
            }
            if let Ok(v) = tag.parse::<i32>() {
                versions.push(v);
            }
        }
        IfMatch::Versions(versions)
    }

    /// A header that names nothing this service issued: never matches.
    pub fn never() -> IfMatch {
        IfMatch::Versions(Vec::new())
    }

    /// True when the stored `version` satisfies the precondition.
    pub fn matches(&self, version: i32) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Versions(versions) => versions.contains(&version),
        }
    }
}

/// Checks an optional precondition against the stored version.
pub fn precondition_holds(if_match: Option<&IfMatch>, version: i32) -> bool {
    if_match.is_none_or(|m| m.matches(version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_bad_parameters_are_all_named() {
        let mut p = Params::new("level=college&limit=0&colour=red").unwrap();
        let _ = p.opt("level", |s| if s == "elementary" { Ok(()) } else { Err(msg!("required")) });
        let errors = p.finish().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["level", "limit", "colour"]);
    }

    #[test]
    fn bad_escapes_signs_and_non_utf8_are_refused() {
        assert_eq!(Params::new("q=%zz").err().unwrap()[0].field, "q");
        assert_eq!(Params::new("q=%ff").err().unwrap()[0].field, "q");
        assert_eq!(Params::new("q=%4").err().unwrap()[0].field, "q");
        let mut p = Params::new("q=%C3%A9cole+x").unwrap();
        assert_eq!(p.raw("q").as_deref(), Some("école x"));
        assert_eq!(Params::new("limit=+5").unwrap().finish().unwrap_err()[0].field, "limit");
    }

    #[test]
    fn if_match_accepts_quoted_weak_and_star() {
        assert!(IfMatch::parse("\"3\"").matches(3));
        assert!(!IfMatch::parse("W/\"3\"").matches(3), "weak tags never match");
        assert!(IfMatch::parse("W/\"3\", \"3\"").matches(3));
        assert!(IfMatch::parse("\"1\", \"3\"").matches(1), "any tag of a list");
        assert!(!IfMatch::parse("\"2\"").matches(3));
        assert!(IfMatch::parse("*").matches(9));
        assert!(!IfMatch::parse("xyz").matches(1));
    }
}

/// The paging parameters every list accepts (documentation of [`Window`]).
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Records per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500, default = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; valid only with the same filters.
    pub cursor: Option<String>,
    /// Only records updated at or after this instant (RFC 3339), for incremental sync.
    pub updated_from: Option<chrono::DateTime<chrono::Utc>>,
}
