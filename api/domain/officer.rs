//! Officers: wire types and input parsing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::query::{Params, Window};
use super::validate::{parse_bool, parse_email, FieldError, Fields};

/// A police officer in the SRO program (the public directory entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Officer {
    /// Server-generated id.
    pub id: Uuid,
    /// Badge number, unique.
    #[schema(example = "4521")]
    pub badge_number: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Work email.
    pub email: Option<String>,
    /// Work phone.
    pub phone: Option<String>,
    /// False once retired from the program.
    pub active: bool,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

/// The body of `POST /v1/officers`; also the base a PATCH merges into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOfficer {
    /// 1 to 20 letters, digits or hyphens; unique.
    #[schema(example = "4521", pattern = "^[A-Za-z0-9-]{1,20}$")]
    pub badge_number: String,
    /// Given name.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub first_name: String,
    /// Family name.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub last_name: String,
    /// Work email.
    #[schema(max_length = 254, pattern = "^[^\\u0000- @\\u007f]+@[^\\u0000- @.\\u007f]+(\\.[^\\u0000- @.\\u007f]+)+$")]
    pub email: Option<String>,
    /// Work phone.
    #[schema(max_length = 40, pattern = "^[^\\u0000]*$")]
    pub phone: Option<String>,
    /// Defaults to true; false retires the officer.
    #[serde(default = "default_true")]
    pub active: bool,
}

fn default_true() -> bool {
    true
}

fn parse_badge(s: &str) -> Result<String, super::i18n::Msg> {
    if super::pattern::matches(super::pattern::BADGE, s) {
        Ok(s.to_owned())
    } else {
        Err(crate::msg!("badge_number_form"))
    }
}

impl NewOfficer {
    /// Reads an officer from a JSON object, naming every bad field.
    pub fn parse(map: &Map<String, Value>) -> Result<NewOfficer, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let officer = NewOfficer {
            badge_number: f.req_with("badge_number", parse_badge),
            first_name: f.req_str("first_name", 100),
            last_name: f.req_str("last_name", 100),
            email: f.opt_with("email", parse_email),
            phone: f.opt_str("phone", 40),
            active: f.opt_bool("active").unwrap_or(true),
        };
        f.finish()?;
        Ok(officer)
    }

    /// The folded text `q` searches: names and badge number.
    pub fn search_text(&self) -> String {
        super::text::fold(&format!("{} {} {}", self.first_name, self.last_name, self.badge_number))
    }
}

impl From<&Officer> for NewOfficer {
    fn from(o: &Officer) -> Self {
        NewOfficer {
            badge_number: o.badge_number.clone(),
            first_name: o.first_name.clone(),
            last_name: o.last_name.clone(),
            email: o.email.clone(),
            phone: o.phone.clone(),
            active: o.active,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bad_badge_and_email_are_both_named() {
        let body = json!({"badge_number": "a b", "first_name": "A", "last_name": "B", "email": "nope"});
        let errors = NewOfficer::parse(body.as_object().unwrap()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["badge_number", "email"]);
    }
}

/// Filters of `GET /v1/officers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfficerQuery {
    /// `true`: serving officers only; `false`: retired ones only.
    pub active: Option<bool>,
    /// Case- and accent-insensitive search in names and badge number.
    pub q: Option<String>,
}

impl OfficerQuery {
    /// Reads the filters and the list window from a raw query string.
    pub fn parse(raw: &str) -> Result<(OfficerQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = OfficerQuery { active: p.opt("active", parse_bool), q: p.raw("q") };
        Ok((query, p.finish()?))
    }
}

/// Filters of `GET /v1/officers/{id}/schools`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfficerSchoolsQuery {
    /// Only assignments of this role (default: primary and backup).
    pub role: Option<super::assignment::AssignmentRole>,
}

impl OfficerSchoolsQuery {
    /// Reads the filters and the list window from a raw query string.
    pub fn parse(raw: &str) -> Result<(OfficerSchoolsQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = OfficerSchoolsQuery { role: p.opt_enum("role") };
        Ok((query, p.finish()?))
    }
}
