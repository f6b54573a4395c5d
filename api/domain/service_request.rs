//! Service requests: what a school asks of its SRO (a parent contact, a presentation, advice).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::query::{Params, Window};
use super::time::parse_timestamp;
use super::validate::{parse_bool, parse_uuid, FieldError, Fields};
use crate::string_enum;

string_enum! {
    /// What the school asks for.
    RequestKind {
        ParentContact => "parent_contact",
        Presentation => "presentation",
        Consultation => "consultation",
        IncidentReport => "incident_report",
    }
}

string_enum! {
    /// Where a request stands.
    RequestStatus { Open => "open", Scheduled => "scheduled", Completed => "completed", Cancelled => "cancelled" }
}

impl RequestStatus {
    /// open → scheduled | completed | cancelled; scheduled → open | completed | cancelled.
    /// Completed and cancelled requests are final.
    pub fn may_move_to(self, to: RequestStatus) -> bool {
        use RequestStatus::*;
        matches!((self, to), (Open, Scheduled | Completed | Cancelled) | (Scheduled, Open | Completed | Cancelled))
    }

    /// True once nothing more can change.
    pub fn is_final(self) -> bool {
        matches!(self, RequestStatus::Completed | RequestStatus::Cancelled)
    }
}

/// Who at the school asked: free text, as the school writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestedBy {
    /// Their name.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub name: String,
    /// Their role at the school ("Directrice adjointe", "Guidance counsellor").
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub role: String,
}

/// A school's request to its SRO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ServiceRequest {
    /// Server-generated id.
    pub id: Uuid,
    /// The school asking.
    pub school_id: Uuid,
    /// What it asks for.
    pub kind: RequestKind,
    /// The request.
    pub details: String,
    /// Who asked.
    pub requested_by: RequestedBy,
    /// The SRO it went to: the school's current primary when created; null when it had none.
    pub officer_id: Option<Uuid>,
    /// Where it stands.
    pub status: RequestStatus,
    /// What was done.
    pub outcome: Option<String>,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

/// The body of `POST /v1/service-requests`. The SRO is assigned by the service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewServiceRequest {
    /// The school asking.
    pub school_id: Uuid,
    /// What it asks for.
    pub kind: RequestKind,
    /// The request.
    #[schema(
        min_length = 1,
        max_length = 4000,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub details: String,
    /// Who asked.
    pub requested_by: RequestedBy,
}

/// Every field a PATCH may change (`officer_id` only by the unit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequestChanges {
    /// What it asks for.
    pub kind: RequestKind,
    /// The request.
    #[schema(
        min_length = 1,
        max_length = 4000,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub details: String,
    /// Who asked.
    pub requested_by: RequestedBy,
    /// The SRO handling it (changed by the unit only).
    pub officer_id: Option<Uuid>,
    /// Where it stands: open → scheduled | completed | cancelled; scheduled → open |
    /// completed | cancelled.
    pub status: RequestStatus,
    /// What was done.
    #[schema(max_length = 4000, pattern = "^[^\\u0000]*$")]
    pub outcome: Option<String>,
}

fn requested_by(f: &mut Fields) -> RequestedBy {
    let mut who = RequestedBy { name: String::new(), role: String::new() };
    if let Some(map) = f.req_object("requested_by") {
        let mut r = Fields::new(map, f.nested("requested_by", None));
        who.name = r.req_str("name", 200);
        who.role = r.req_str("role", 100);
        f.absorb(r.finish());
    }
    who
}

impl NewServiceRequest {
    /// Reads a new request, naming every bad field (`requested_by.name`).
    pub fn parse(map: &Map<String, Value>) -> Result<NewServiceRequest, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let school_id = f.req_uuid("school_id");
        let kind = f.req_enum("kind");
        let details = f.req_str("details", 4000);
        let requested_by = requested_by(&mut f);
        f.finish()?;
        Ok(NewServiceRequest { school_id, kind, details, requested_by })
    }
}

impl ServiceRequestChanges {
    /// Reads a whole set of changes (a stored request with a merge patch applied).
    pub fn parse(map: &Map<String, Value>) -> Result<ServiceRequestChanges, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let kind = f.req_enum("kind");
        let details = f.req_str("details", 4000);
        let requested_by = requested_by(&mut f);
        let officer_id = f.opt_uuid("officer_id");
        let status = f.req_enum("status");
        let outcome = f.opt_str("outcome", 4000);
        f.finish()?;
        Ok(ServiceRequestChanges { kind, details, requested_by, officer_id, status, outcome })
    }
}

impl From<&ServiceRequest> for ServiceRequestChanges {
    fn from(r: &ServiceRequest) -> Self {
        ServiceRequestChanges {
            kind: r.kind,
            details: r.details.clone(),
            requested_by: r.requested_by.clone(),
            officer_id: r.officer_id,
            status: r.status,
            outcome: r.outcome.clone(),
        }
    }
}

/// Filters of `GET /v1/service-requests`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceRequestQuery {
    /// Only this school's requests.
    pub school_id: Option<Uuid>,
    /// Only requests assigned to this officer.
    pub officer_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<RequestKind>,
    /// Only this status.
    pub status: Option<RequestStatus>,
    /// `true`: only requests with no SRO (the school had no primary when it asked).
    pub unassigned: Option<bool>,
    /// Created at or after this instant.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before this instant.
    pub created_to: Option<DateTime<Utc>>,
}

impl ServiceRequestQuery {
    /// Reads the filters and the list window from a raw query string.
    pub fn parse(raw: &str) -> Result<(ServiceRequestQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = ServiceRequestQuery {
            school_id: p.opt("school_id", parse_uuid),
            officer_id: p.opt("officer_id", parse_uuid),
            kind: p.opt_enum("kind"),
            status: p.opt_enum("status"),
            unassigned: p.opt("unassigned", parse_bool),
            created_from: p.opt("created_from", parse_timestamp).map(super::time::to_utc),
            created_to: p.opt("created_to", parse_timestamp).map(super::time::to_utc),
        };
        Ok((query, p.finish()?))
    }
}
