//! Schools: wire types, input parsing and the rules that need no stored data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::assignment::AssignmentRole;
use super::postal;
use super::query::{Params, Window};
use super::validate::parse_bool;
use super::validate::{FieldError, Fields};
use crate::string_enum;

string_enum! {
    /// Grades a school teaches.
    Level { Elementary => "elementary", Secondary => "secondary", Combined => "combined" }
}

string_enum! {
    /// Language of instruction.
    Language { En => "en", Fr => "fr" }
}

string_enum! {
    /// Public, Catholic or private.
    SchoolKind { Public => "public", Catholic => "catholic", Private => "private" }
}

/// A school's current primary SRO, embedded in the school.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SchoolSro {
    /// The officer's id.
    pub officer_id: Uuid,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Badge number.
    pub badge_number: String,
    /// Work phone.
    pub phone: Option<String>,
    /// Work email.
    pub email: Option<String>,
}

/// A school as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct School {
    /// Server-generated id.
    pub id: Uuid,
    /// The board, or null for a private school.
    pub board_id: Option<Uuid>,
    /// The Ministry of Education's six-digit school number (BSID), unique.
    #[schema(example = "000566")]
    pub ministry_number: String,
    /// Name, as given.
    pub name: String,
    /// Grades taught.
    pub level: Level,
    /// Language of instruction; null when unknown.
    pub language: Option<Language>,
    /// Public, Catholic or private; a board's school has the board's kind.
    pub kind: SchoolKind,
    /// Street address.
    pub street: Option<String>,
    /// City or community.
    pub city: Option<String>,
    /// Canadian postal code, `K1A 0B1` form.
    #[schema(example = "K2S 1G8")]
    pub postal_code: Option<String>,
    /// Main phone number.
    pub phone: Option<String>,
    /// False once the school is closed.
    pub active: bool,
    /// The current primary SRO (in force today, America/Toronto), or null. A change of the
    /// officer, or of the school's assignments, bumps the school's `version`. An assignment that
    /// begins or ends on a later day changes `sro` on that day with no write (so `version` stays);
    /// `updated_from` finds such a school from that day on.
    pub sro: Option<SchoolSro>,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`; bumped by every change, including SRO assignment changes.
    pub version: i32,
}

/// The body of `POST /v1/schools` and `PUT /v1/schools/by-ministry-number/{number}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSchool {
    /// The board; required unless `kind` is `private`, and must be null for a private school.
    /// A board client may leave it out: its own board is used.
    pub board_id: Option<Uuid>,
    /// Six digits, as a string. On PUT it may be left out, and must equal the path's if given.
    #[schema(example = "000566", pattern = "^[0-9]{6}$")]
    pub ministry_number: String,
    /// Name, 1 to 200 characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub name: String,
    /// Grades taught.
    pub level: Level,
    /// Language of instruction, or null when unknown.
    pub language: Option<Language>,
    /// Must be the board's kind for a board's school.
    pub kind: SchoolKind,
    /// Street address.
    #[schema(max_length = 200, pattern = "^[^\\u0000]*$")]
    pub street: Option<String>,
    /// City or community.
    #[schema(max_length = 100, pattern = "^[^\\u0000]*$")]
    pub city: Option<String>,
    /// Any case, with or without a space or hyphen; stored as `K1A 0B1`.
    #[schema(
        example = "k2s1g8",
        pattern = "^[ABCEGHJ-NPRSTVXYabceghj-nprstvxy][0-9][ABCEGHJ-NPRSTV-Zabceghj-nprstv-z][ -]?[0-9][ABCEGHJ-NPRSTV-Zabceghj-nprstv-z][0-9]$"
    )]
    pub postal_code: Option<String>,
    /// Main phone number.
    #[schema(max_length = 40, pattern = "^[^\\u0000]*$")]
    pub phone: Option<String>,
    /// Defaults to true.
    #[serde(default = "default_true")]
    #[schema(default = true)]
    pub active: bool,
}

fn default_true() -> bool {
    true
}

/// Checks a Ministry school number: exactly six digits.
pub fn parse_ministry_number(s: &str) -> Result<String, super::i18n::Msg> {
    if super::pattern::matches(super::pattern::SCHOOL_NUMBER, s) {
        Ok(s.to_owned())
    } else {
        Err(crate::msg!("six_digits"))
    }
}

impl NewSchool {
    /// Reads a school from a JSON object, naming every bad field (paths start with `prefix`).
    pub fn parse(map: &Map<String, Value>, prefix: &str) -> Result<NewSchool, Vec<FieldError>> {
        let mut f = Fields::new(map, prefix);
        let board_id = f.opt_uuid("board_id");
        let school = NewSchool {
            board_id,
            ministry_number: f.req_with("ministry_number", parse_ministry_number),
            name: f.req_str("name", 200),
            level: f.req_enum("level"),
            language: f.opt_enum("language"),
            kind: f.req_enum("kind"),
            street: f.opt_str("street", 200),
            city: f.opt_str("city", 100),
            postal_code: f.opt_with("postal_code", postal::normalise),
            phone: f.opt_str("phone", 40),
            active: f.opt_bool("active").unwrap_or(true),
        };
        if f.clean("kind") && f.clean("board_id") {
            match (school.kind, school.board_id) {
                (SchoolKind::Private, Some(_)) => f.error("board_id", crate::msg!("null_for_private_school")),
                (SchoolKind::Public | SchoolKind::Catholic, None) => {
                    f.error("board_id", crate::msg!("required_unless_private"))
                }
                _ => {}
            }
        }
        f.finish()?;
        Ok(school)
    }

    /// This record as a JSON object, the base a merge patch applies to.
    pub fn to_map(&self) -> Map<String, Value> {
        super::validate::to_object(self)
    }
}

impl From<&School> for NewSchool {
    fn from(s: &School) -> Self {
        NewSchool {
            board_id: s.board_id,
            ministry_number: s.ministry_number.clone(),
            name: s.name.clone(),
            level: s.level,
            language: s.language,
            kind: s.kind,
            street: s.street.clone(),
            city: s.city.clone(),
            postal_code: s.postal_code.clone(),
            phone: s.phone.clone(),
            active: s.active,
        }
    }
}

/// Filters of `GET /v1/schools`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SchoolQuery {
    /// Only this board's schools.
    pub board_id: Option<Uuid>,
    /// Only this level.
    pub level: Option<Level>,
    /// Only this language.
    pub language: Option<Language>,
    /// Only this kind.
    pub kind: Option<SchoolKind>,
    /// `true`: open schools only; `false`: closed ones only. Unfiltered lists include both.
    pub active: Option<bool>,
    /// Only schools this officer is assigned to today (primary or backup).
    pub officer_id: Option<Uuid>,
    /// With `officer_id`: only its assignments of this role. Alone: schools with an assignment of
    /// this role in force today (`role=backup`: schools that have a backup SRO).
    pub role: Option<AssignmentRole>,
    /// `true`: active schools with no current primary SRO; `false`: schools that have one.
    pub unassigned: Option<bool>,
    /// Case- and accent-insensitive search in the name.
    pub q: Option<String>,
}

impl SchoolQuery {
    /// Reads the filters and the list window from a raw query string.
    pub fn parse(raw: &str) -> Result<(SchoolQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = SchoolQuery {
            board_id: p.opt("board_id", super::validate::parse_uuid),
            level: p.opt_enum("level"),
            language: p.opt_enum("language"),
            kind: p.opt_enum("kind"),
            active: p.opt("active", parse_bool),
            officer_id: p.opt("officer_id", super::validate::parse_uuid),
            role: p.opt_enum("role"),
            unassigned: p.opt("unassigned", parse_bool),
            q: p.raw("q"),
        };
        let window = p.finish()?;
        Ok((query, window))
    }
}

crate::string_enum! {
    /// What an upsert by ministry number did.
    Outcome {
        /// A new school was created (201 on PUT).
        Created => "created",
        /// The school changed; its version was bumped.
        Updated => "updated",
        /// Nothing changed; the version was left alone.
        Unchanged => "unchanged",
    }
}

pub use super::merge::merge_patch;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<NewSchool, Vec<FieldError>> {
        NewSchool::parse(v.as_object().unwrap(), "")
    }

    #[test]
    fn a_private_school_needs_no_board_and_postal_codes_are_normalised() {
        let school = parse(json!({"ministry_number": "123456", "name": "École Test", "level": "combined",
            "kind": "private", "postal_code": "k1a-0b1"}))
        .unwrap();
        assert_eq!(school.postal_code.as_deref(), Some("K1A 0B1"));
        assert!(school.active);
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = parse(json!({"ministry_number": "12345", "name": "", "level": "college",
            "kind": "public", "postal_code": "ZZZ", "colour": "red"}))
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["ministry_number", "name", "level", "postal_code", "board_id", "colour"]);
    }

    #[test]
    fn a_private_school_with_a_board_is_refused() {
        let errors = parse(json!({"ministry_number": "123456", "name": "X", "level": "combined",
            "kind": "private", "board_id": "018f0000-0000-7000-8000-000000000001"}))
        .unwrap_err();
        assert_eq!(errors[0].field, "board_id");
    }
}
