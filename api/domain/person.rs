//! Persons: the youth (and parents or guardians) records are about. Personal information:
//! every read and write is audited, and boards and dashboards never see one.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::audit::Carries;
use super::context::Visibility;
use super::query::{Params, Window};
use super::school::Language;
use super::time::parse_date;
use super::validate::{parse_uuid, FieldError, Fields};

/// A person records are about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Person {
    /// Server-generated id.
    pub id: Uuid,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Date of birth, if known.
    pub date_of_birth: Option<NaiveDate>,
    /// The school the person attends, if any.
    pub school_id: Option<Uuid>,
    /// A parent or guardian to contact.
    pub guardian_name: Option<String>,
    /// The guardian's phone.
    pub guardian_phone: Option<String>,
    /// The language to address the person and family in.
    pub language: Option<Language>,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
    /// The unit only: the last day the record is kept (API.md §7), null while it cannot end yet
    /// (a pending charge, an open incident or referral). Sealed the day after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<NaiveDate>)]
    pub retain_until: Option<Option<NaiveDate>>,
    /// The unit only: the legal hold keeping the record past `retain_until`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<super::retention::LegalHold>)]
    pub legal_hold: Option<Option<super::retention::LegalHold>>,
    /// The unit only: when the record was sealed (no other role sees a sealed person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub sealed_at: Option<Option<DateTime<Utc>>>,
}

impl Carries for Person {
    fn record_id(&self) -> Option<Uuid> {
        Some(self.id)
    }

    fn person_ids(&self) -> Vec<Uuid> {
        vec![self.id]
    }
}

/// The body of `POST /v1/persons`; also the base a PATCH merges into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    /// Given name.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub given_name: String,
    /// Family name.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub family_name: String,
    /// Date of birth; not in the future.
    pub date_of_birth: Option<NaiveDate>,
    /// The school the person attends.
    pub school_id: Option<Uuid>,
    /// A parent or guardian to contact.
    #[schema(max_length = 200, pattern = "^[^\\u0000]*$")]
    pub guardian_name: Option<String>,
    /// The guardian's phone.
    #[schema(max_length = 40, pattern = "^[^\\u0000]*$")]
    pub guardian_phone: Option<String>,
    /// The language to address the person and family in.
    pub language: Option<Language>,
}

impl NewPerson {
    /// Reads a person from a JSON object, naming every bad field; `today` is the city's date.
    pub fn parse(map: &Map<String, Value>, today: NaiveDate) -> Result<NewPerson, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let person = NewPerson {
            given_name: f.req_str("given_name", 100),
            family_name: f.req_str("family_name", 100),
            date_of_birth: f.opt_with("date_of_birth", |s| {
                let day = parse_date(s)?;
                if day > today {
                    return Err(crate::msg!("not_in_future"));
                }
                Ok(day)
            }),
            school_id: f.opt_uuid("school_id"),
            guardian_name: f.opt_str("guardian_name", 200),
            guardian_phone: f.opt_str("guardian_phone", 40),
            language: f.opt_enum("language"),
        };
        f.finish()?;
        Ok(person)
    }
}

impl From<&Person> for NewPerson {
    fn from(p: &Person) -> Self {
        NewPerson {
            given_name: p.given_name.clone(),
            family_name: p.family_name.clone(),
            date_of_birth: p.date_of_birth,
            school_id: p.school_id,
            guardian_name: p.guardian_name.clone(),
            guardian_phone: p.guardian_phone.clone(),
            language: p.language,
        }
    }
}

/// Filters of `GET /v1/persons`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// Family name, case- and accent-insensitive, exact.
    #[param(max_length = 100)]
    pub family_name: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<NaiveDate>,
    /// The person's school.
    pub school_id: Option<Uuid>,
}

impl PersonQuery {
    /// Reads the filters and the list window from a raw query string.
    pub fn parse(raw: &str, _: Visibility) -> Result<(PersonQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = PersonQuery {
            family_name: p.text("family_name", 100),
            date_of_birth: p.opt("date_of_birth", parse_date),
            school_id: p.opt("school_id", parse_uuid),
        };
        Ok((query, p.finish()?))
    }
}
