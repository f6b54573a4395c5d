//! Agencies that take referrals (the Children's Aid Society, youth services): reference data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::query::{Params, Window};
use super::validate::{parse_bool, parse_email, FieldError, Fields};
use crate::string_enum;

string_enum! {
    /// What an agency does.
    AgencyKind {
        ChildProtection => "child_protection",
        YouthServices => "youth_services",
        DiversionProgram => "diversion_program",
        MentalHealth => "mental_health",
        Other => "other",
    }
}

/// An agency youth can be referred to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Agency {
    /// Server-generated id.
    pub id: Uuid,
    /// Name.
    #[schema(example = "Children's Aid Society of Ottawa")]
    pub name: String,
    /// French name, if it has one.
    pub name_fr: Option<String>,
    /// What it does.
    pub kind: AgencyKind,
    /// Intake phone.
    pub phone: Option<String>,
    /// Intake email.
    pub email: Option<String>,
    /// False once it no longer takes referrals.
    pub active: bool,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

/// The body of `POST /v1/agencies`; also the base a PATCH merges into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgency {
    /// Name.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub name: String,
    /// French name.
    #[schema(max_length = 200, pattern = "^[^\\u0000]*$")]
    pub name_fr: Option<String>,
    /// What it does.
    pub kind: AgencyKind,
    /// Intake phone.
    #[schema(max_length = 40, pattern = "^[^\\u0000]*$")]
    pub phone: Option<String>,
    /// Intake email.
    #[schema(max_length = 254, pattern = "^[^\\u0000- @\\u007f]+@[^\\u0000- @.\\u007f]+(\\.[^\\u0000- @.\\u007f]+)+$")]
    pub email: Option<String>,
    /// Defaults to true.
    #[serde(default = "default_true")]
    pub active: bool,
}

fn default_true() -> bool {
    true
}

impl NewAgency {
    /// Reads an agency from a JSON object, naming every bad field.
    pub fn parse(map: &Map<String, Value>) -> Result<NewAgency, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let agency = NewAgency {
            name: f.req_str("name", 200),
            name_fr: f.opt_str("name_fr", 200),
            kind: f.req_enum("kind"),
            phone: f.opt_str("phone", 40),
            email: f.opt_with("email", parse_email),
            active: f.opt_bool("active").unwrap_or(true),
        };
        f.finish()?;
        Ok(agency)
    }

    /// The folded text `q` searches: both names.
    pub fn search_text(&self) -> String {
        super::text::fold(&format!("{} {}", self.name, self.name_fr.as_deref().unwrap_or_default()))
    }
}

impl From<&Agency> for NewAgency {
    fn from(a: &Agency) -> Self {
        NewAgency {
            name: a.name.clone(),
            name_fr: a.name_fr.clone(),
            kind: a.kind,
            phone: a.phone.clone(),
            email: a.email.clone(),
            active: a.active,
        }
    }
}

/// Filters of `GET /v1/agencies`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyQuery {
    /// Only agencies of this kind.
    pub kind: Option<AgencyKind>,
    /// `true`: agencies taking referrals; `false`: the others.
    pub active: Option<bool>,
    /// Case- and accent-insensitive search in both names.
    pub q: Option<String>,
}

impl AgencyQuery {
    /// Reads the filters and the list window from a raw query string.
    pub fn parse(raw: &str) -> Result<(AgencyQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = AgencyQuery { kind: p.opt_enum("kind"), active: p.opt("active", parse_bool), q: p.raw("q") };
        Ok((query, p.finish()?))
    }
}
