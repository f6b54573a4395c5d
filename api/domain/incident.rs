//! Incidents: calls for service at or around a school, who they involve, and the moves of
//! their status (API.md §4, §6).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::audit::Carries;
use super::context::Visibility;
use super::query::{Params, Window};
use super::time::parse_timestamp;
use super::validate::{parse_uuid, FieldError, Fields};
use crate::string_enum;

string_enum! {
    /// Where it happened.
    IncidentLocation {
        SchoolProperty => "school_property",
        TravelToSchool => "travel_to_school",
        TravelFromSchool => "travel_from_school",
        SchoolEvent => "school_event",
        Other => "other",
    }
}

string_enum! {
    /// What kind of incident.
    IncidentCategory {
        Assault => "assault",
        Threat => "threat",
        Weapon => "weapon",
        DrugsAlcohol => "drugs_alcohol",
        Theft => "theft",
        Mischief => "mischief",
        Bullying => "bullying",
        Cyber => "cyber",
        SexualOffence => "sexual_offence",
        Trespass => "trespass",
        MentalHealth => "mental_health",
        Other => "other",
    }
}

string_enum! {
    /// Where an incident stands; it only moves forward.
    IncidentStatus {
        Open => "open",
        UnderInvestigation => "under_investigation",
        Resolved => "resolved",
        Closed => "closed",
    }
}

string_enum! {
    /// How an incident was resolved.
    Resolution {
        VerbalCaution => "verbal_caution",
        Counselling => "counselling",
        Mediation => "mediation",
        Diversion => "diversion",
        Charge => "charge",
        NoFurtherAction => "no_further_action",
        Referred => "referred",
    }
}

string_enum! {
    /// How a person is involved in an incident.
    InvolvementRole {
        Subject => "subject",
        Victim => "victim",
        Witness => "witness",
        Complainant => "complainant",
        Guardian => "guardian",
    }
}

impl IncidentStatus {
    /// The moves of §6: open → under_investigation, open → resolved, under_investigation →
    /// resolved, resolved → closed. Staying put is not a move.
    pub fn may_move_to(self, to: IncidentStatus) -> bool {
        use IncidentStatus::*;
        matches!(
            (self, to),
            (Open, UnderInvestigation) | (Open, Resolved) | (UnderInvestigation, Resolved) | (Resolved, Closed)
        )
    }

    /// True once an outcome is recorded (`resolution` required).
    pub fn is_resolved(self) -> bool {
        matches!(self, IncidentStatus::Resolved | IncidentStatus::Closed)
    }
}

/// One person involved in an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Involved {
    /// The person.
    pub person_id: Uuid,
    /// How they are involved.
    pub role: InvolvementRole,
}

/// An incident, as the unit and officers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Incident {
    /// Server-generated id.
    pub id: Uuid,
    /// The police records system's number, unique when given.
    pub occurrence_number: Option<String>,
    /// Where it was reported from.
    pub school_id: Uuid,
    /// The officer handling it.
    pub officer_id: Option<Uuid>,
    /// When it happened (UTC); never in the future.
    pub occurred_at: DateTime<Utc>,
    /// When it was reported (UTC).
    pub reported_at: DateTime<Utc>,
    /// Where it happened.
    pub location: IncidentLocation,
    /// True when it happened during school hours.
    pub during_school_hours: bool,
    /// What kind of incident.
    pub category: IncidentCategory,
    /// True when the school must report it under the Safe Schools rules.
    pub safe_schools_reportable: bool,
    /// What happened (at most 4,000 characters).
    pub summary: String,
    /// Where it stands.
    pub status: IncidentStatus,
    /// How it was resolved; set once resolved.
    pub resolution: Option<Resolution>,
    /// The diversion program, when the resolution is `diversion`.
    pub diversion_agency_id: Option<Uuid>,
    /// Who it involves, in the order given.
    pub involved: Vec<Involved>,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

/// An incident as a school board sees it: no person's identity anywhere. There is no
/// `involved`, and no `summary` either, since free text written about youth names them (no
/// other member).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentWithoutPersons {
    /// Server-generated id.
    pub id: Uuid,
    /// The police records system's number.
    pub occurrence_number: Option<String>,
    /// Where it was reported from.
    pub school_id: Uuid,
    /// The officer handling it.
    pub officer_id: Option<Uuid>,
    /// When it happened (UTC).
    pub occurred_at: DateTime<Utc>,
    /// When it was reported (UTC).
    pub reported_at: DateTime<Utc>,
    /// Where it happened.
    pub location: IncidentLocation,
    /// True when it happened during school hours.
    pub during_school_hours: bool,
    /// What kind of incident.
    pub category: IncidentCategory,
    /// True when the school must report it under the Safe Schools rules.
    pub safe_schools_reportable: bool,
    /// Where it stands.
    pub status: IncidentStatus,
    /// How it was resolved.
    pub resolution: Option<Resolution>,
    /// The diversion program, when the resolution is `diversion`.
    pub diversion_agency_id: Option<Uuid>,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

/// An incident in the projection the caller's role gets: the full record for the unit and
/// officers, [`IncidentWithoutPersons`] for school boards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum IncidentView {
    /// The unit and officers.
    Full(Incident),
    /// School boards.
    WithoutPersons(IncidentWithoutPersons),
}

impl IncidentView {
    /// The projection `visibility` allows of `incident`.
    pub fn project(incident: Incident, visibility: Visibility) -> IncidentView {
        if !visibility.hides_persons() {
            return IncidentView::Full(incident);
        }
        IncidentView::WithoutPersons(IncidentWithoutPersons {
            id: incident.id,
            occurrence_number: incident.occurrence_number,
            school_id: incident.school_id,
            officer_id: incident.officer_id,
            occurred_at: incident.occurred_at,
            reported_at: incident.reported_at,
            location: incident.location,
            during_school_hours: incident.during_school_hours,
            category: incident.category,
            safe_schools_reportable: incident.safe_schools_reportable,
            status: incident.status,
            resolution: incident.resolution,
            diversion_agency_id: incident.diversion_agency_id,
            created_at: incident.created_at,
            updated_at: incident.updated_at,
            version: incident.version,
        })
    }

    /// The record's version.
    pub fn version(&self) -> i32 {
        match self {
            IncidentView::Full(i) => i.version,
            IncidentView::WithoutPersons(i) => i.version,
        }
    }

    /// The record's id.
    pub fn id(&self) -> Uuid {
        match self {
            IncidentView::Full(i) => i.id,
            IncidentView::WithoutPersons(i) => i.id,
        }
    }
}

impl Carries for IncidentView {
    fn record_id(&self) -> Option<Uuid> {
        Some(self.id())
    }

    fn person_ids(&self) -> Vec<Uuid> {
        match self {
            IncidentView::Full(i) => i.involved.iter().map(|p| p.person_id).collect(),
            IncidentView::WithoutPersons(_) => Vec::new(),
        }
    }
}

/// The largest number of persons one incident may name.
pub const MAX_INVOLVED: usize = 100;

/// The body of `POST /v1/incidents`. A new incident is `open`; its status moves by PATCH.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    /// The police records system's number; unique.
    #[schema(max_length = 40, pattern = "^[^\\u0000]*$")]
    pub occurrence_number: Option<String>,
    /// The school.
    pub school_id: Uuid,
    /// The officer handling it (an officer client: itself by default).
    pub officer_id: Option<Uuid>,
    /// When it happened; not in the future.
    pub occurred_at: DateTime<Utc>,
    /// When it was reported (default: now); not before `occurred_at`, not in the future.
    pub reported_at: Option<DateTime<Utc>>,
    /// Where it happened.
    pub location: IncidentLocation,
    /// Default false.
    #[serde(default)]
    pub during_school_hours: bool,
    /// What kind of incident.
    pub category: IncidentCategory,
    /// Default false.
    #[serde(default)]
    pub safe_schools_reportable: bool,
    /// What happened.
    #[schema(
        min_length = 1,
        max_length = 4000,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub summary: String,
    /// Who it involves; each person once.
    #[schema(max_items = 100)]
    #[serde(default)]
    pub involved: Vec<Involved>,
}

/// Every field a PATCH may change: those of [`NewIncident`] and the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentChanges {
    /// The police records system's number; unique.
    #[schema(max_length = 40, pattern = "^[^\\u0000]*$")]
    pub occurrence_number: Option<String>,
    /// The school.
    pub school_id: Uuid,
    /// The officer handling it.
    pub officer_id: Option<Uuid>,
    /// When it happened; not in the future.
    pub occurred_at: DateTime<Utc>,
    /// When it was reported; not before `occurred_at`, not in the future.
    pub reported_at: Option<DateTime<Utc>>,
    /// Where it happened.
    pub location: IncidentLocation,
    /// True when it happened during school hours.
    pub during_school_hours: bool,
    /// What kind of incident.
    pub category: IncidentCategory,
    /// True when reportable under the Safe Schools rules.
    pub safe_schools_reportable: bool,
    /// What happened.
    #[schema(
        min_length = 1,
        max_length = 4000,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub summary: String,
    /// Who it involves (the whole list: a merge patch replaces lists).
    #[schema(max_items = 100)]
    pub involved: Vec<Involved>,
    /// The new status: one of the moves of §6.
    pub status: IncidentStatus,
    /// Required once resolved; only then.
    pub resolution: Option<Resolution>,
    /// Required when the resolution is `diversion`; only then.
    pub diversion_agency_id: Option<Uuid>,
}

fn parse_past_instant(now: NaiveDateTime) -> impl Fn(&str) -> Result<NaiveDateTime, super::i18n::Msg> {
    move |s| {
        let at = parse_timestamp(s)?;
        if at > now {
            return Err(crate::msg!("not_in_future"));
        }
        Ok(at)
    }
}

fn involved(f: &mut Fields, items: Option<&Vec<Value>>) -> Vec<Involved> {
    let mut out: Vec<Involved> = Vec::new();
    for (i, item) in items.into_iter().flatten().enumerate() {
        let prefix = f.nested("involved", Some(i));
        let Value::Object(map) = item else {
            f.absorb(Err(vec![FieldError::new(prefix.trim_end_matches('.'), crate::msg!("must_be_object"))]));
            continue;
        };
        let mut inner = Fields::new(map, prefix.clone());
        let person_id = inner.req_uuid("person_id");
        let role: InvolvementRole = inner.req_enum("role");
        let clean = inner.all_clean();
        f.absorb(inner.finish());
        if clean {
            if out.iter().any(|p| p.person_id == person_id) {
                f.absorb(Err(vec![FieldError::new(format!("{prefix}person_id"), crate::msg!("named_twice"))]));
            }
            out.push(Involved { person_id, role });
        }
    }
    out
}

/// What both bodies share, read field by field.
struct Common {
    occurrence_number: Option<String>,
    school_id: Uuid,
    officer_id: Option<Uuid>,
    occurred_at: NaiveDateTime,
    reported_at: Option<NaiveDateTime>,
    location: IncidentLocation,
    category: IncidentCategory,
    summary: String,
}

fn common(f: &mut Fields, now: NaiveDateTime) -> Common {
    let c = Common {
        occurrence_number: f.opt_str("occurrence_number", 40),
        school_id: f.req_uuid("school_id"),
        officer_id: f.opt_uuid("officer_id"),
        occurred_at: f.req_with("occurred_at", parse_past_instant(now)),
        reported_at: f.opt_with("reported_at", parse_past_instant(now)),
        location: f.req_enum("location"),
        category: f.req_enum("category"),
        summary: f.req_str("summary", 4000),
    };
    if let Some(reported) = c.reported_at {
        if f.clean("occurred_at") && reported < c.occurred_at {
            f.error("reported_at", crate::msg!("not_before_field", field = "occurred_at"));
        }
    }
    c
}

/// A checked incident body, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentInput {
    /// The police number.
    pub occurrence_number: Option<String>,
    /// The school.
    pub school_id: Uuid,
    /// The officer handling it.
    pub officer_id: Option<Uuid>,
    /// When it happened (UTC).
    pub occurred_at: NaiveDateTime,
    /// When it was reported (UTC); None on create means now.
    pub reported_at: Option<NaiveDateTime>,
    /// Where.
    pub location: IncidentLocation,
    /// During school hours.
    pub during_school_hours: bool,
    /// What kind.
    pub category: IncidentCategory,
    /// Reportable.
    pub safe_schools_reportable: bool,
    /// What happened.
    pub summary: String,
    /// Who.
    pub involved: Vec<Involved>,
    /// Status (open on create).
    pub status: IncidentStatus,
    /// Outcome.
    pub resolution: Option<Resolution>,
    /// Diversion program.
    pub diversion_agency_id: Option<Uuid>,
}

impl IncidentInput {
    /// Reads `POST /v1/incidents`; `now` judges "in the future".
    pub fn parse_new(map: &Map<String, Value>, now: NaiveDateTime) -> Result<IncidentInput, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let c = common(&mut f, now);
        let during = f.opt_bool("during_school_hours").unwrap_or(false);
        let reportable = f.opt_bool("safe_schools_reportable").unwrap_or(false);
        let items = f.opt_array("involved", MAX_INVOLVED);
        let involved = involved(&mut f, items);
        f.finish()?;
        Ok(IncidentInput {
            occurrence_number: c.occurrence_number,
            school_id: c.school_id,
            officer_id: c.officer_id,
            occurred_at: c.occurred_at,
            reported_at: c.reported_at,
            location: c.location,
            during_school_hours: during,
            category: c.category,
            safe_schools_reportable: reportable,
            summary: c.summary,
            involved,
            status: IncidentStatus::Open,
            resolution: None,
            diversion_agency_id: None,
        })
    }

    /// Reads a whole [`IncidentChanges`] (a stored incident with a merge patch applied).
    pub fn parse_changes(map: &Map<String, Value>, now: NaiveDateTime) -> Result<IncidentInput, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let c = common(&mut f, now);
        let during = f.opt_bool("during_school_hours").unwrap_or(false);
        let reportable = f.opt_bool("safe_schools_reportable").unwrap_or(false);
        let items = f.opt_array("involved", MAX_INVOLVED);
        let involved = involved(&mut f, items);
        let status: IncidentStatus = f.req_enum("status");
        let resolution: Option<Resolution> = f.opt_enum("resolution");
        let diversion_agency_id = f.opt_uuid("diversion_agency_id");
        if f.clean("status") && f.clean("resolution") {
            match (status.is_resolved(), resolution) {
                (true, None) => f.error("resolution", crate::msg!("resolution_required_when_resolved")),
                (false, Some(_)) => f.error("resolution", crate::msg!("resolution_only_when_resolved")),
                _ => {}
            }
        }
        if f.clean("resolution") && f.clean("diversion_agency_id") {
            match (resolution == Some(Resolution::Diversion), diversion_agency_id) {
                (true, None) => f.error("diversion_agency_id", crate::msg!("agency_required_for_diversion")),
                (false, Some(_)) => f.error("diversion_agency_id", crate::msg!("agency_only_for_diversion")),
                _ => {}
            }
        }
        f.finish()?;
        Ok(IncidentInput {
            occurrence_number: c.occurrence_number,
            school_id: c.school_id,
            officer_id: c.officer_id,
            occurred_at: c.occurred_at,
            reported_at: c.reported_at,
            location: c.location,
            during_school_hours: during,
            category: c.category,
            safe_schools_reportable: reportable,
            summary: c.summary,
            involved,
            status,
            resolution,
            diversion_agency_id,
        })
    }
}

impl From<&Incident> for IncidentChanges {
    fn from(i: &Incident) -> Self {
        IncidentChanges {
            occurrence_number: i.occurrence_number.clone(),
            school_id: i.school_id,
            officer_id: i.officer_id,
            occurred_at: i.occurred_at,
            reported_at: Some(i.reported_at),
            location: i.location,
            during_school_hours: i.during_school_hours,
            category: i.category,
            safe_schools_reportable: i.safe_schools_reportable,
            summary: i.summary.clone(),
            involved: i.involved.clone(),
            status: i.status,
            resolution: i.resolution,
            diversion_agency_id: i.diversion_agency_id,
        }
    }
}

/// Filters of `GET /v1/incidents`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentQuery {
    /// Only this school's incidents.
    pub school_id: Option<Uuid>,
    /// Only incidents at this board's schools.
    pub board_id: Option<Uuid>,
    /// Only incidents this officer handles.
    pub officer_id: Option<Uuid>,
    /// Only incidents in this status.
    pub status: Option<IncidentStatus>,
    /// Only this category.
    pub category: Option<IncidentCategory>,
    /// Only this resolution.
    pub resolution: Option<Resolution>,
    /// Only this location.
    pub location: Option<IncidentLocation>,
    /// Only incidents involving this person (not for school boards: 400).
    pub person_id: Option<Uuid>,
    /// Occurred at or after this instant.
    pub occurred_from: Option<DateTime<Utc>>,
    /// Occurred before this instant.
    pub occurred_to: Option<DateTime<Utc>>,
}

impl IncidentQuery {
    /// Reads the filters and the list window; a filter the caller's role may not use (a board
    /// asking by `person_id`) is an error naming it.
    pub fn parse(raw: &str, visibility: Visibility) -> Result<(IncidentQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let person_id = p.opt("person_id", parse_uuid);
        if person_id.is_some() && visibility.hides_persons() {
            p.error("person_id", crate::msg!("person_filter_hidden_from_role"));
        }
        let query = IncidentQuery {
            school_id: p.opt("school_id", parse_uuid),
            board_id: p.opt("board_id", parse_uuid),
            officer_id: p.opt("officer_id", parse_uuid),
            status: p.opt_enum("status"),
            category: p.opt_enum("category"),
            resolution: p.opt_enum("resolution"),
            location: p.opt_enum("location"),
            person_id,
            occurred_from: p.opt("occurred_from", parse_timestamp).map(super::time::to_utc),
            occurred_to: p.opt("occurred_to", parse_timestamp).map(super::time::to_utc),
        };
        Ok((query, p.finish()?))
    }
}

/// The city-local day of an instant: an incident's "day" for the officer rule.
pub fn day_of(at: NaiveDateTime) -> NaiveDate {
    super::time::today_at(super::time::to_utc(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> NaiveDateTime {
        parse_timestamp("2026-11-30T12:00:00Z").unwrap()
    }

    fn base() -> Value {
        json!({"school_id": "018f0000-0000-7000-8000-000000000001", "occurred_at": "2026-11-30T10:00:00Z",
               "location": "school_property", "category": "bullying", "summary": "Something happened."})
    }

    #[test]
    fn the_four_moves_and_no_other() {
        use IncidentStatus::*;
        let mut allowed = Vec::new();
        for from in IncidentStatus::ALL {
            for to in IncidentStatus::ALL {
                if from.may_move_to(*to) {
                    allowed.push((from.as_str(), to.as_str()));
                }
            }
        }
        assert_eq!(
            allowed,
            [
                (Open.as_str(), UnderInvestigation.as_str()),
                (Open.as_str(), Resolved.as_str()),
                (UnderInvestigation.as_str(), Resolved.as_str()),
                (Resolved.as_str(), Closed.as_str())
            ]
        );
    }

    #[test]
    fn nested_involved_errors_carry_their_paths() {
        let mut body = base();
        body["involved"] = json!([
            {"person_id": "018f0000-0000-7000-8000-00000000000a", "role": "subject"},
            {"person_id": "018f0000-0000-7000-8000-00000000000a", "role": "victim"},
            {"person_id": "018f0000-0000-7000-8000-00000000000b", "role": "bystander", "x": 1}
        ]);
        let errors = IncidentInput::parse_new(body.as_object().unwrap(), now()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["involved[1].person_id", "involved[2].role", "involved[2].x"]);
    }

    #[test]
    fn the_future_and_a_report_before_the_event_are_refused() {
        let mut body = base();
        body["occurred_at"] = json!("2026-11-30T12:00:01Z");
        let errors = IncidentInput::parse_new(body.as_object().unwrap(), now()).unwrap_err();
        assert_eq!(errors[0].field, "occurred_at");
        let mut body = base();
        body["reported_at"] = json!("2026-11-30T09:00:00Z");
        let errors = IncidentInput::parse_new(body.as_object().unwrap(), now()).unwrap_err();
        assert_eq!(errors[0].field, "reported_at");
    }

    #[test]
    fn resolution_goes_with_resolved_and_diversion_with_its_agency() {
        let mut body = base();
        body["during_school_hours"] = json!(true);
        body["safe_schools_reportable"] = json!(false);
        body["involved"] = json!([]);
        body["status"] = json!("resolved");
        let fields = |b: &Value| -> Vec<String> {
            match IncidentInput::parse_changes(b.as_object().unwrap(), now()) {
                Ok(_) => Vec::new(),
                Err(errors) => errors.into_iter().map(|e| e.field).collect(),
            }
        };
        assert_eq!(fields(&body), ["resolution"]);
        body["resolution"] = json!("diversion");
        assert_eq!(fields(&body), ["diversion_agency_id"]);
        body["diversion_agency_id"] = json!("018f0000-0000-7000-8000-00000000000c");
        assert!(fields(&body).is_empty());
        body["status"] = json!("open");
        assert_eq!(fields(&body), ["resolution"]);
    }
}
