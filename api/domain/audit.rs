//! The audit log of personal information (API.md §3, §4 Audit): wire type, filters, and the
//! trait that says whose information a response carried.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::query::{Params, Window};
use super::validate::{parse_uuid, FieldError};
use crate::string_enum;

string_enum! {
    /// What an audited request did.
    AuditAction {
        /// A list page was read.
        List => "list",
        /// One record was read.
        Read => "read",
        /// A record was created.
        Create => "create",
        /// A record was changed.
        Update => "update",
        /// A record's status was moved.
        Status => "status",
        /// A record was deleted.
        Delete => "delete",
    }
}

string_enum! {
    /// Which kind of personal record an audit event is about.
    AuditResource {
        /// Persons.
        Persons => "persons",
        /// Incidents.
        Incidents => "incidents",
        /// Referrals.
        Referrals => "referrals",
        /// YCJA outcomes of incidents (API.md §7).
        Outcomes => "outcomes",
        /// Disclosures to schools (YCJA s. 125(6)).
        Disclosures => "disclosures",
    }
}

impl AuditAction {
    /// The status a successful request of this kind answers.
    pub fn success_status(self) -> u16 {
        match self {
            AuditAction::Create => 201,
            AuditAction::Delete => 204,
            _ => 200,
        }
    }
}

/// One audit event: who did what to which personal record, and whose information it carried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    /// Event id.
    pub id: Uuid,
    /// When it happened (UTC).
    pub at: DateTime<Utc>,
    /// The client that made the request.
    pub client_id: Uuid,
    /// The client's role at the time.
    pub role: super::access::Role,
    /// What the request did.
    pub action: AuditAction,
    /// The kind of record.
    pub resource: AuditResource,
    /// The record (null for a list).
    pub resource_id: Option<Uuid>,
    /// The request's `X-Request-Id`.
    pub request_id: String,
    /// The HTTP status the request was answered with.
    pub status: u16,
    /// Every person whose information the response carried.
    pub person_ids: Vec<Uuid>,
}

/// One line of a person's access log (`GET /v1/persons/{id}/access-log`): a request whose
/// answer carried the person's information, and who made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccessLogEntry {
    /// The audit event's id.
    pub id: Uuid,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// The client that made the request.
    pub client_id: Uuid,
    /// Its name (null if the client record is gone).
    pub client_name: Option<String>,
    /// Its role at the time.
    pub role: super::access::Role,
    /// What the request did.
    pub action: AuditAction,
    /// The kind of record it was about.
    pub resource: AuditResource,
    /// The record (null for a list).
    pub resource_id: Option<Uuid>,
    /// The request's `X-Request-Id`.
    pub request_id: String,
    /// The status it was answered with.
    pub status: u16,
}

/// What a response carried: its record's id and the persons whose information is in it.
pub trait Carries {
    /// The id of the one record answered, if it is one record.
    fn record_id(&self) -> Option<Uuid> {
        None
    }

    /// The persons whose information the answer carries (none by default).
    fn person_ids(&self) -> Vec<Uuid> {
        Vec::new()
    }
}

impl Carries for () {}

impl<T: Carries> Carries for super::page::Page<T> {
    fn person_ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self.data.iter().flat_map(Carries::person_ids).collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// Filters of `GET /v1/audit-events`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this client's requests.
    pub client_id: Option<Uuid>,
    /// Only this action.
    pub action: Option<AuditAction>,
    /// Only this kind of record.
    pub resource: Option<AuditResource>,
    /// Only this record.
    pub resource_id: Option<Uuid>,
    /// Only this request.
    #[param(max_length = 128)]
    pub request_id: Option<String>,
    /// At or after this instant.
    pub at_from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub at_to: Option<DateTime<Utc>>,
}

/// The instants of [`AuditQuery`], as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Period {
    /// Inclusive start.
    pub from: Option<NaiveDateTime>,
    /// Exclusive end.
    pub to: Option<NaiveDateTime>,
}

/// Reads the window of `GET /v1/persons/{id}/access-log` (no filters); its cursors continue
/// only the log of `person`.
pub fn parse_access_log(raw: &str, person: &str) -> Result<Window, Vec<FieldError>> {
    let mut p = Params::new(raw)?;
    p.bind("@person_id", person);
    p.finish()
}

impl AuditQuery {
    /// Reads the filters and the list window from a raw query string.
    pub fn parse(raw: &str) -> Result<(AuditQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = AuditQuery {
            client_id: p.opt("client_id", parse_uuid),
            action: p.opt_enum("action"),
            resource: p.opt_enum("resource"),
            resource_id: p.opt("resource_id", parse_uuid),
            request_id: p.text("request_id", 128),
            at_from: p.opt("at_from", super::time::parse_timestamp).map(super::time::to_utc),
            at_to: p.opt("at_to", super::time::parse_timestamp).map(super::time::to_utc),
        };
        Ok((query, p.finish()?))
    }

    /// The period as stored timestamps.
    pub fn period(&self) -> Period {
        Period { from: self.at_from.map(|t| t.naive_utc()), to: self.at_to.map(|t| t.naive_utc()) }
    }
}
