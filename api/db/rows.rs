//! Row types: what the tables hold. Never serialised to callers; services map them to wire types.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    agencies, assignments, audit_events, audit_persons, boards, changes, clients, disclosures, incident_persons,
    incidents, officers, outcomes, persons, presentations, referral_history, referrals, retention_runs, schools,
    service_requests, signing_keys, webhook_attempts, webhook_notices, webhooks,
};
use crate::error::AppError;

/// A `boards` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = boards)]
pub struct BoardRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub name_fr: String,
    pub language: String,
    pub kind: String,
    pub ministry_number: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A `schools` row.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = schools, treat_none_as_null = true)]
pub struct SchoolRow {
    pub id: String,
    pub board_id: Option<String>,
    pub ministry_number: String,
    pub name: String,
    pub name_folded: String,
    pub level: String,
    pub language: Option<String>,
    pub kind: String,
    pub street: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// An `officers` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = officers, treat_none_as_null = true)]
pub struct OfficerRow {
    pub id: String,
    pub badge_number: String,
    pub first_name: String,
    pub last_name: String,
    pub name_folded: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// An `assignments` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = assignments, treat_none_as_null = true)]
pub struct AssignmentRow {
    pub id: String,
    pub school_id: String,
    pub officer_id: String,
    pub role: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A `clients` row (with the secret's hash: never leaves the service layer).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = clients)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub board_id: Option<String>,
    pub agency_id: Option<String>,
    pub officer_id: Option<String>,
    pub scopes: String,
    pub secret_hash: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A `signing_keys` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signing_keys)]
pub struct SigningKeyRow {
    pub name: String,
    pub private_pem: String,
    pub created_at: NaiveDateTime,
}

/// An `agencies` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = agencies, treat_none_as_null = true)]
pub struct AgencyRow {
    pub id: String,
    pub name: String,
    pub name_fr: Option<String>,
    pub name_folded: String,
    pub kind: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A `persons` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = persons, treat_none_as_null = true)]
pub struct PersonRow {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub family_folded: String,
    pub date_of_birth: Option<NaiveDate>,
    pub school_id: Option<String>,
    pub guardian_name: Option<String>,
    pub guardian_phone: Option<String>,
    pub language: Option<String>,
    pub created_by_officer: Option<String>,
    pub created_on: NaiveDate,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub sealed_at: Option<NaiveDateTime>,
    pub hold_reason: Option<String>,
    pub hold_placed_at: Option<NaiveDateTime>,
}

/// An `incidents` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = incidents, treat_none_as_null = true)]
pub struct IncidentRow {
    pub id: String,
    pub occurrence_number: Option<String>,
    pub school_id: String,
    pub officer_id: Option<String>,
    pub occurred_at: NaiveDateTime,
    pub occurred_on: NaiveDate,
    pub reported_at: NaiveDateTime,
    pub location: String,
    pub during_school_hours: bool,
    pub category: String,
    pub safe_schools_reportable: bool,
    pub summary: String,
    pub status: String,
    pub resolution: Option<String>,
    pub diversion_agency_id: Option<String>,
    pub created_by_officer: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// An `incident_persons` row: one person involved in an incident.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = incident_persons)]
pub struct InvolvedRow {
    pub incident_id: String,
    pub person_id: String,
    pub role: String,
    pub position: i32,
}

/// A `referrals` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = referrals, treat_none_as_null = true)]
pub struct ReferralRow {
    pub id: String,
    pub person_id: Option<String>,
    pub agency_id: String,
    pub incident_id: Option<String>,
    pub officer_id: Option<String>,
    pub category: String,
    pub urgency: String,
    pub reason: String,
    pub consent_given_by: String,
    pub consent_obtained_on: Option<NaiveDate>,
    pub status: String,
    pub created_by_officer: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub sealed_at: Option<NaiveDateTime>,
}

/// A `referral_history` row: one status a referral took.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referral_history)]
pub struct ReferralStepRow {
    pub id: String,
    pub referral_id: String,
    pub status: String,
    pub at: NaiveDateTime,
    pub by_client: String,
    pub note: Option<String>,
}

/// A `service_requests` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = service_requests, treat_none_as_null = true)]
pub struct ServiceRequestRow {
    pub id: String,
    pub school_id: String,
    pub kind: String,
    pub details: String,
    pub requested_by_name: String,
    pub requested_by_role: String,
    pub officer_id: Option<String>,
    pub status: String,
    pub outcome: Option<String>,
    pub created_on: NaiveDate,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A `presentations` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = presentations, treat_none_as_null = true)]
pub struct PresentationRow {
    pub id: String,
    pub school_id: String,
    pub officer_id: String,
    pub delivered_on: NaiveDate,
    pub topic: String,
    pub grades: String,
    pub audience_size: Option<i32>,
    pub language: String,
    pub service_request_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// An `outcomes` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = outcomes, treat_none_as_null = true)]
pub struct OutcomeRow {
    pub id: String,
    pub incident_id: String,
    pub person_id: String,
    pub measure: String,
    pub decided_on: NaiveDate,
    pub youth_consent_obtained_on: Option<NaiveDate>,
    pub court_disposition: Option<String>,
    pub disposition_on: Option<NaiveDate>,
    pub sentence_completed_on: Option<NaiveDate>,
    pub access_period_ends_on: Option<NaiveDate>,
    pub access_period_rule: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A `retention_runs` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = retention_runs)]
pub struct RetentionRunRow {
    pub id: String,
    pub started_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub dry_run: bool,
    pub sealed: i32,
    pub destroyed: i32,
    pub held: i32,
    pub errors: i32,
}

impl crate::domain::page::Keyed for RetentionRunRow {
    fn key(&self) -> (NaiveDateTime, String) {
        (self.started_at, self.id.clone())
    }
}

/// A `disclosures` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = disclosures, treat_none_as_null = true)]
pub struct DisclosureRow {
    pub id: String,
    pub person_id: String,
    pub school_id: String,
    pub recipient_name: String,
    pub recipient_role: String,
    pub purpose: String,
    pub information: String,
    pub disclosed_on: NaiveDate,
    pub destroy_by: NaiveDate,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub destroyed_at: Option<NaiveDateTime>,
    pub expired_at: Option<NaiveDateTime>,
    pub created_by_officer: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// An `audit_events` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: String,
    pub at: NaiveDateTime,
    pub client_id: String,
    pub role: String,
    pub action: String,
    pub resource: String,
    pub resource_id: Option<String>,
    pub request_id: String,
    pub status: i32,
    pub person_ids: String,
}

/// An `audit_persons` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_persons)]
pub struct AuditPersonRow {
    pub person_id: String,
    pub event_id: String,
}

/// A `changes` row: one entry of the change feed.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = changes)]
pub struct ChangeRow {
    pub seq: i64,
    pub resource: String,
    pub record_id: String,
    pub op: String,
    pub version: i32,
    pub at: NaiveDateTime,
    pub audience: String,
    pub audience_before: String,
}

impl crate::domain::page::Keyed for AuditRow {
    fn key(&self) -> (NaiveDateTime, String) {
        (self.at, self.id.clone())
    }
}

/// A `webhooks` row (no `Debug`: it holds the secrets).
#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: String,
    pub client_id: String,
    pub url: String,
    pub resources: Option<String>,
    pub description: Option<String>,
    pub active: bool,
    pub failing_since: Option<NaiveDateTime>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<NaiveDateTime>,
    pub feed_after: i64,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub lease_until: Option<NaiveDateTime>,
    pub leased_by: Option<String>,
    pub claimed_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A `webhook_notices` row: one queued notice.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_notices)]
pub struct WebhookNoticeRow {
    pub id: String,
    pub webhook_id: String,
    pub seq: i64,
    pub resource: String,
    pub resource_id: String,
    pub op: String,
    pub at: NaiveDateTime,
    pub queued_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
    pub abandoned_at: Option<NaiveDateTime>,
}

/// A `webhook_attempts` row: one POST tried.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct WebhookAttemptRow {
    pub id: String,
    pub webhook_id: String,
    pub notice_id: String,
    pub seq: i64,
    pub op: String,
    pub attempt: i32,
    pub created_at: NaiveDateTime,
    pub duration_ms: i32,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub outcome: String,
    pub next_retry_at: Option<NaiveDateTime>,
}

macro_rules! keyed {
    ($($row:ty),+) => {
        $(impl crate::domain::page::Keyed for $row {
            fn key(&self) -> (NaiveDateTime, String) {
                (self.created_at, self.id.clone())
            }
        })+
    };
}
keyed!(
    WebhookRow,
    WebhookAttemptRow,
    BoardRow,
    SchoolRow,
    OfficerRow,
    AssignmentRow,
    ClientRow,
    AgencyRow,
    PersonRow,
    IncidentRow,
    ReferralRow,
    ServiceRequestRow,
    PresentationRow,
    OutcomeRow,
    DisclosureRow
);

/// Reads a stored id; a bad one is a defect, not the caller's fault.
pub fn uuid(text: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(text).map_err(|_| AppError::Internal(format!("stored id `{text}` is not a UUID")))
}

/// Reads an optional stored id.
pub fn opt_uuid(text: Option<&str>) -> Result<Option<uuid::Uuid>, AppError> {
    text.map(uuid).transpose()
}

/// Reads a stored enum value.
pub fn enum_value<T: std::str::FromStr>(text: &str) -> Result<T, AppError> {
    text.parse().map_err(|_| AppError::Internal(format!("stored value `{text}` is not valid")))
}

/// Reads the row of a pipelined read (`db::reader`) by position, the order of the fields
/// (Diesel's `as_select()` selects them in that order).
pub trait FromPgRow: Sized {
    /// How many columns the row type spans.
    const COLUMNS: usize;
    /// The row starting at column `at`.
    fn from_pg(row: &tokio_postgres::Row, at: usize) -> Result<Self, AppError>;
}

/// Column `at` of a pipelined row, as `T`.
fn column<'a, T: tokio_postgres::types::FromSql<'a>>(row: &'a tokio_postgres::Row, at: usize) -> Result<T, AppError> {
    row.try_get(at).map_err(|err| AppError::Internal(format!("reading a pipelined row: {err}")))
}

impl FromPgRow for SchoolRow {
    const COLUMNS: usize = 16;
    fn from_pg(row: &tokio_postgres::Row, at: usize) -> Result<Self, AppError> {
        Ok(SchoolRow {
            id: column(row, at)?,
            board_id: column(row, at + 1)?,
            ministry_number: column(row, at + 2)?,
            name: column(row, at + 3)?,
            name_folded: column(row, at + 4)?,
            level: column(row, at + 5)?,
            language: column(row, at + 6)?,
            kind: column(row, at + 7)?,
            street: column(row, at + 8)?,
            city: column(row, at + 9)?,
            postal_code: column(row, at + 10)?,
            phone: column(row, at + 11)?,
            active: column(row, at + 12)?,
            created_at: column(row, at + 13)?,
            updated_at: column(row, at + 14)?,
            version: column(row, at + 15)?,
        })
    }
}

impl FromPgRow for OfficerRow {
    const COLUMNS: usize = 11;
    fn from_pg(row: &tokio_postgres::Row, at: usize) -> Result<Self, AppError> {
        Ok(OfficerRow {
            id: column(row, at)?,
            badge_number: column(row, at + 1)?,
            first_name: column(row, at + 2)?,
            last_name: column(row, at + 3)?,
            name_folded: column(row, at + 4)?,
            email: column(row, at + 5)?,
            phone: column(row, at + 6)?,
            active: column(row, at + 7)?,
            created_at: column(row, at + 8)?,
            updated_at: column(row, at + 9)?,
            version: column(row, at + 10)?,
        })
    }
}

/// A left-joined row type: absent when its first column (the key) is null.
pub fn opt_from_pg<T: FromPgRow>(row: &tokio_postgres::Row, at: usize) -> Result<Option<T>, AppError> {
    let key: Option<String> = column(row, at)?;
    key.map(|_| T::from_pg(row, at)).transpose()
}
