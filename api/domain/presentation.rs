//! Presentations: law and safety talks an SRO gave at a school.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::query::{Params, Window};
use super::school::Language;
use super::time::parse_date;
use super::validate::{parse_uuid, FieldError, Fields};

/// The highest grade (0 is kindergarten).
pub const MAX_GRADE: i64 = 12;

/// A talk given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Presentation {
    /// Server-generated id.
    pub id: Uuid,
    /// Where.
    pub school_id: Uuid,
    /// Who gave it.
    pub officer_id: Uuid,
    /// When (not in the future).
    pub delivered_on: NaiveDate,
    /// What about.
    pub topic: String,
    /// The grades in the audience, 0 (kindergarten) to 12, ascending.
    pub grades: Vec<u8>,
    /// How many attended.
    pub audience_size: Option<i32>,
    /// The language it was given in.
    pub language: Language,
    /// The service request it answered, if any.
    pub service_request_id: Option<Uuid>,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

/// The body of `POST /v1/presentations`; also the base a PATCH merges into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPresentation {
    /// Where.
    pub school_id: Uuid,
    /// Who gave it (an officer client: itself by default; the unit must name one).
    pub officer_id: Option<Uuid>,
    /// When; not in the future.
    pub delivered_on: NaiveDate,
    /// What about.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub topic: String,
    /// The grades in the audience: integers 0 (kindergarten) to 12, each once.
    #[schema(min_items = 1, max_items = 13, inline)]
    pub grades: Vec<Grade>,
    /// How many attended.
    #[schema(minimum = 0, maximum = 100000)]
    pub audience_size: Option<i32>,
    /// The language it was given in.
    pub language: Language,
    /// The service request it answered.
    pub service_request_id: Option<Uuid>,
}

/// A school grade: 0 (kindergarten) to 12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[schema(minimum = 0, maximum = 12)]
pub struct Grade(pub u8);

/// A checked presentation body.
#[derive(Debug, Clone, PartialEq)]
pub struct PresentationInput {
    /// Where.
    pub school_id: Uuid,
    /// Who.
    pub officer_id: Option<Uuid>,
    /// When.
    pub delivered_on: NaiveDate,
    /// What about.
    pub topic: String,
    /// Grades, ascending.
    pub grades: Vec<u8>,
    /// How many.
    pub audience_size: Option<i32>,
    /// Language.
    pub language: Language,
    /// The request it answered.
    pub service_request_id: Option<Uuid>,
}

impl PresentationInput {
    /// Reads a presentation body, naming every bad field (`grades[2]`); `today` is the city's date.
    pub fn parse(map: &Map<String, Value>, today: NaiveDate) -> Result<PresentationInput, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let school_id = f.req_uuid("school_id");
        let officer_id = f.opt_uuid("officer_id");
        let delivered_on = f.req_with("delivered_on", |s| {
            let day = parse_date(s)?;
            if day > today {
                return Err(crate::msg!("not_in_future"));
            }
            Ok(day)
        });
        let topic = f.req_str("topic", 200);
        let mut grades = Vec::new();
        match f.opt_array("grades", 13) {
            None => {
                if f.clean("grades") {
                    f.error("grades", crate::msg!("required"));
                }
            }
            Some(items) if items.is_empty() => f.error("grades", crate::msg!("at_least_one_grade")),
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    match item.as_u64() {
                        Some(g) if g <= MAX_GRADE as u64 => {
                            let g = g as u8;
                            if grades.contains(&g) {
                                f.error(&format!("grades[{i}]"), crate::msg!("named_twice"));
                            } else {
                                grades.push(g);
                            }
                        }
                        _ => f.error(
                            &format!("grades[{i}]"),
                            crate::msg!("whole_number_between", min = 0, max = MAX_GRADE),
                        ),
                    }
                }
                grades.sort_unstable();
            }
        }
        let audience_size = f.opt_int("audience_size", 0, 100_000).map(|n| n as i32);
        let language = f.req_enum("language");
        let service_request_id = f.opt_uuid("service_request_id");
        f.finish()?;
        Ok(PresentationInput {
            school_id,
            officer_id,
            delivered_on,
            topic,
            grades,
            audience_size,
            language,
            service_request_id,
        })
    }
}

impl From<&Presentation> for NewPresentation {
    fn from(p: &Presentation) -> Self {
        NewPresentation {
            school_id: p.school_id,
            officer_id: Some(p.officer_id),
            delivered_on: p.delivered_on,
            topic: p.topic.clone(),
            grades: p.grades.iter().map(|g| Grade(*g)).collect(),
            audience_size: p.audience_size,
            language: p.language,
            service_request_id: p.service_request_id,
        }
    }
}

/// Filters of `GET /v1/presentations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PresentationQuery {
    /// Only this school's.
    pub school_id: Option<Uuid>,
    /// Only this officer's.
    pub officer_id: Option<Uuid>,
    /// Only those given in this language.
    pub language: Option<Language>,
    /// Delivered on or after this day.
    pub delivered_from: Option<NaiveDate>,
    /// Delivered before this day.
    pub delivered_to: Option<NaiveDate>,
}

impl PresentationQuery {
    /// Reads the filters and the list window from a raw query string.
    pub fn parse(raw: &str) -> Result<(PresentationQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = PresentationQuery {
            school_id: p.opt("school_id", parse_uuid),
            officer_id: p.opt("officer_id", parse_uuid),
            language: p.opt_enum("language"),
            delivered_from: p.opt("delivered_from", parse_date),
            delivered_to: p.opt("delivered_to", parse_date),
        };
        Ok((query, p.finish()?))
    }
}
