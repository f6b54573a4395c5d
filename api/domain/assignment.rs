//! SRO assignments: wire types, input parsing and the day rules.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::query::{Params, Window};
use super::time::parse_date;
use super::validate::{parse_bool, parse_uuid, FieldError, Fields};
use crate::string_enum;

string_enum! {
    /// A school's main police contact, or a backup.
    AssignmentRole { Primary => "primary", Backup => "backup" }
}

/// An officer assigned to a school for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Assignment {
    /// Server-generated id.
    pub id: Uuid,
    /// The school.
    pub school_id: Uuid,
    /// The officer.
    pub officer_id: Uuid,
    /// Primary or backup; a school has at most one primary on any day.
    pub role: AssignmentRole,
    /// First day in force (America/Toronto).
    pub starts_on: NaiveDate,
    /// Last day in force, inclusive; null while open.
    pub ends_on: Option<NaiveDate>,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

/// The body of `POST /v1/assignments`; also the base a PATCH merges into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssignment {
    /// The school.
    pub school_id: Uuid,
    /// The officer (must be active).
    pub officer_id: Uuid,
    /// Primary or backup.
    pub role: AssignmentRole,
    /// First day in force.
    pub starts_on: NaiveDate,
    /// Last day in force, inclusive; null or absent for open-ended.
    pub ends_on: Option<NaiveDate>,
}

impl NewAssignment {
    /// Reads an assignment from a JSON object, naming every bad field.
    pub fn parse(map: &Map<String, Value>) -> Result<NewAssignment, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let a = NewAssignment {
            school_id: f.req_uuid("school_id"),
            officer_id: f.req_uuid("officer_id"),
            role: f.req_enum("role"),
            starts_on: f.req_with("starts_on", parse_date),
            ends_on: f.opt_with("ends_on", parse_date),
        };
        if f.clean("starts_on") && a.ends_on.is_some_and(|end| end < a.starts_on) {
            f.error("ends_on", crate::msg!("not_before_field", field = "starts_on"));
        }
        f.finish()?;
        Ok(a)
    }

    /// This record as a JSON object, the base a merge patch applies to.
    pub fn to_map(&self) -> Map<String, Value> {
        super::validate::to_object(self)
    }
}

impl From<&Assignment> for NewAssignment {
    fn from(a: &Assignment) -> Self {
        NewAssignment {
            school_id: a.school_id,
            officer_id: a.officer_id,
            role: a.role,
            starts_on: a.starts_on,
            ends_on: a.ends_on,
        }
    }
}

/// The body of `POST /v1/schools/{id}/sro`: hand the school to a new primary SRO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Handover {
    /// The new primary officer.
    pub officer_id: Uuid,
    /// First day of the new assignment; the current one ends the day before.
    pub starts_on: NaiveDate,
}

impl Handover {
    /// Reads a handover, naming every bad field.
    pub fn parse(map: &Map<String, Value>) -> Result<Handover, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let h = Handover { officer_id: f.req_uuid("officer_id"), starts_on: f.req_with("starts_on", parse_date) };
        f.finish()?;
        Ok(h)
    }
}

/// Filters of `GET /v1/assignments`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// Only this school's assignments.
    pub school_id: Option<Uuid>,
    /// Only this officer's assignments.
    pub officer_id: Option<Uuid>,
    /// Only this role.
    pub role: Option<AssignmentRole>,
    /// Only assignments in force on this day (`YYYY-MM-DD`, America/Toronto).
    pub on: Option<NaiveDate>,
    /// `true`: in force today; `false`: not in force today.
    pub current: Option<bool>,
}

impl AssignmentQuery {
    /// Reads the filters and the list window from a raw query string.
    pub fn parse(raw: &str) -> Result<(AssignmentQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = AssignmentQuery {
            school_id: p.opt("school_id", parse_uuid),
            officer_id: p.opt("officer_id", parse_uuid),
            role: p.opt_enum("role"),
            on: p.opt("on", parse_date),
            current: p.opt("current", parse_bool),
        };
        Ok((query, p.finish()?))
    }
}

/// True when two inclusive day ranges (None = open end) share a day.
pub fn periods_overlap(
    a_start: NaiveDate,
    a_end: Option<NaiveDate>,
    b_start: NaiveDate,
    b_end: Option<NaiveDate>,
) -> bool {
    let a_before_b = a_end.is_some_and(|end| end < b_start);
    let b_before_a = b_end.is_some_and(|end| end < a_start);
    !a_before_b && !b_before_a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn ends_on_is_inclusive() {
        assert!(periods_overlap(d("2026-01-01"), Some(d("2026-06-30")), d("2026-06-30"), None));
        assert!(!periods_overlap(d("2026-01-01"), Some(d("2026-06-29")), d("2026-06-30"), None));
        assert!(periods_overlap(d("2026-01-01"), None, d("2025-01-01"), None));
    }
}
