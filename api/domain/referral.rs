//! Referrals of a youth to an agency: consent, the status machine of §4 and §6 and who may
//! make which move, and what an agency is shown.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::audit::Carries;
use super::context::Visibility;
use super::query::{Params, Window};
use super::school::Language;
use super::time::{parse_date, parse_timestamp};
use super::validate::{parse_uuid, FieldError, Fields};
use crate::string_enum;

string_enum! {
    /// What the referral is for.
    ReferralCategory {
        ChildProtection => "child_protection",
        YouthServices => "youth_services",
        Diversion => "diversion",
        MentalHealth => "mental_health",
        FamilySupport => "family_support",
        Other => "other",
    }
}

string_enum! {
    /// How soon the agency should act.
    Urgency { Routine => "routine", Urgent => "urgent", Immediate => "immediate" }
}

string_enum! {
    /// Who consented to the referral.
    ConsentGiver {
        Youth => "youth",
        Guardian => "guardian",
        /// Only for `child_protection`: the duty to report needs no consent.
        NotRequired => "not_required",
    }
}

string_enum! {
    /// Where a referral stands.
    ReferralStatus {
        Submitted => "submitted",
        Acknowledged => "acknowledged",
        Accepted => "accepted",
        Declined => "declined",
        InProgress => "in_progress",
        Completed => "completed",
        Withdrawn => "withdrawn",
    }
}

/// Which side of a referral a caller acts for, for its moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The unit: both sides' moves, and withdrawal of a child-protection referral.
    Admin,
    /// The referring officer: withdrawal.
    Police,
    /// The agency addressed: acknowledge, accept, decline, start, complete.
    Agency,
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveRefused {
    /// Not a move of §4 for this side (409 `invalid_transition`).
    Invalid(super::i18n::Msg),
}

impl ReferralStatus {
    /// True once nothing more can happen to the referral.
    pub fn is_final(self) -> bool {
        matches!(self, ReferralStatus::Completed | ReferralStatus::Declined | ReferralStatus::Withdrawn)
    }

    /// The agency's moves: submitted → acknowledged → accepted | declined; accepted →
    /// in_progress → completed.
    fn agency_move(self, to: ReferralStatus) -> bool {
        use ReferralStatus::*;
        matches!(
            (self, to),
            (Submitted, Acknowledged)
                | (Acknowledged, Accepted)
                | (Acknowledged, Declined)
                | (Accepted, InProgress)
                | (InProgress, Completed)
        )
    }

    /// Whether `side` may move a referral of `category` from `self` to `to` (§6).
    pub fn check_move(self, to: ReferralStatus, side: Side, category: ReferralCategory) -> Result<(), MoveRefused> {
        let refuse = |why: super::i18n::Msg| Err(MoveRefused::Invalid(why));
        if to == ReferralStatus::Withdrawn {
            if self.is_final() {
                return refuse(crate::msg!("referral_final_cannot_withdraw"));
            }
            return match side {
                Side::Agency => refuse(crate::msg!("referral_only_police_withdraws")),
                // The duty to report cannot be taken back once the agency has it.
                Side::Police if category == ReferralCategory::ChildProtection && self != ReferralStatus::Submitted => {
                    refuse(crate::msg!("referral_child_protection_withdrawn_by_unit"))
                }
                Side::Police | Side::Admin => Ok(()),
            };
        }
        if !self.agency_move(to) {
            return refuse(crate::msg!("referral_cannot_move", from = self, to = to));
        }
        match side {
            Side::Agency | Side::Admin => Ok(()),
            Side::Police => refuse(crate::msg!("referral_only_agency_moves_forward")),
        }
    }
}

/// Consent to a referral.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// Who consented; `not_required` only for `child_protection`.
    pub given_by: ConsentGiver,
    /// When consent was obtained; required unless `not_required`, not in the future.
    pub obtained_on: Option<NaiveDate>,
}

/// One status a referral took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReferralStep {
    /// The status it moved to.
    pub status: ReferralStatus,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// The client that made the move.
    pub by: Uuid,
    /// Why (required to decline or withdraw).
    pub note: Option<String>,
}

/// The youth a referral is about, with the details the agency needs to act.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Youth {
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Date of birth, if known.
    pub date_of_birth: Option<NaiveDate>,
    /// A parent or guardian to contact.
    pub guardian_name: Option<String>,
    /// The guardian's phone.
    pub guardian_phone: Option<String>,
    /// The language to address the youth and family in.
    pub language: Option<Language>,
}

/// A referral, as the unit and the referring officer see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Referral {
    /// Server-generated id.
    pub id: Uuid,
    /// The youth referred.
    pub person_id: Option<Uuid>,
    /// The youth's details.
    pub youth: Option<Youth>,
    /// The agency referred to.
    pub agency_id: Uuid,
    /// The incident it arose from, if any (always present, so this projection and
    /// `ReferralForAgency` never match the same body).
    #[schema(required = true)]
    pub incident_id: Option<Uuid>,
    /// The referring officer.
    pub officer_id: Option<Uuid>,
    /// What it is for.
    pub category: ReferralCategory,
    /// How soon the agency should act.
    pub urgency: Urgency,
    /// Why the youth is referred.
    pub reason: String,
    /// Consent.
    pub consent: Consent,
    /// Where it stands.
    pub status: ReferralStatus,
    /// Every status it took, oldest first, with the client that moved it.
    pub history: Vec<ReferralStep>,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

/// A referral as the agency addressed sees it: the youth's details it needs to act, never the
/// incident it arose from (no other member).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralForAgency {
    /// Server-generated id.
    pub id: Uuid,
    /// The youth referred.
    pub person_id: Option<Uuid>,
    /// The youth's details.
    pub youth: Option<Youth>,
    /// The agency referred to (the caller).
    pub agency_id: Uuid,
    /// The referring officer.
    pub officer_id: Option<Uuid>,
    /// What it is for.
    pub category: ReferralCategory,
    /// How soon to act.
    pub urgency: Urgency,
    /// Why the youth is referred.
    pub reason: String,
    /// Consent.
    pub consent: Consent,
    /// Where it stands.
    pub status: ReferralStatus,
    /// Every status it took, oldest first.
    pub history: Vec<ReferralStep>,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

/// A referral in the projection the caller's role gets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ReferralView {
    /// The unit and the referring officer.
    Full(Referral),
    /// The agency addressed.
    ForAgency(ReferralForAgency),
}

impl ReferralView {
    /// The projection `visibility` allows of `referral`.
    pub fn project(r: Referral, visibility: Visibility) -> ReferralView {
        if !matches!(visibility, Visibility::Agency(_)) {
            return ReferralView::Full(r);
        }
        ReferralView::ForAgency(ReferralForAgency {
            id: r.id,
            person_id: r.person_id,
            youth: r.youth,
            agency_id: r.agency_id,
            officer_id: r.officer_id,
            category: r.category,
            urgency: r.urgency,
            reason: r.reason,
            consent: r.consent,
            status: r.status,
            history: r.history,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        })
    }

    /// The record's version.
    pub fn version(&self) -> i32 {
        match self {
            ReferralView::Full(r) => r.version,
            ReferralView::ForAgency(r) => r.version,
        }
    }

    /// The record's id.
    pub fn id(&self) -> Uuid {
        match self {
            ReferralView::Full(r) => r.id,
            ReferralView::ForAgency(r) => r.id,
        }
    }
}

impl Carries for ReferralView {
    fn record_id(&self) -> Option<Uuid> {
        Some(self.id())
    }

    fn person_ids(&self) -> Vec<Uuid> {
        let person = match self {
            ReferralView::Full(r) => r.person_id,
            ReferralView::ForAgency(r) => r.person_id,
        };
        person.into_iter().collect()
    }
}

/// The body of `POST /v1/referrals`; also the base a PATCH merges into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReferral {
    /// The youth referred (cannot change once made).
    pub person_id: Uuid,
    /// The agency referred to (cannot change once made).
    pub agency_id: Uuid,
    /// The incident it arose from.
    pub incident_id: Option<Uuid>,
    /// The referring officer (an officer client: itself).
    pub officer_id: Option<Uuid>,
    /// What it is for.
    pub category: ReferralCategory,
    /// How soon the agency should act.
    pub urgency: Urgency,
    /// Why the youth is referred.
    #[schema(
        min_length = 1,
        max_length = 4000,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub reason: String,
    /// Consent.
    pub consent: Consent,
}

impl NewReferral {
    /// Reads a referral body, naming every bad field (nested ones as `consent.given_by`);
    /// `today` is the city's date.
    pub fn parse(map: &Map<String, Value>, today: NaiveDate) -> Result<NewReferral, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let person_id = f.req_uuid("person_id");
        let agency_id = f.req_uuid("agency_id");
        let incident_id = f.opt_uuid("incident_id");
        let officer_id = f.opt_uuid("officer_id");
        let category: ReferralCategory = f.req_enum("category");
        let category_clean = f.clean("category");
        let urgency: Urgency = f.req_enum("urgency");
        // CYFSA 2017 s. 125: a child in need of protection is reported forthwith (§7).
        if category_clean
            && category == ReferralCategory::ChildProtection
            && f.clean("urgency")
            && urgency == Urgency::Routine
        {
            f.error("urgency", crate::msg!("child_protection_at_least_urgent"));
        }
        let reason = f.req_str("reason", 4000);
        let consent_map = f.req_object("consent");
        let mut consent = Consent { given_by: ConsentGiver::Youth, obtained_on: None };
        if let Some(map) = consent_map {
            let mut c = Fields::new(map, f.nested("consent", None));
            consent.given_by = c.req_enum("given_by");
            consent.obtained_on = c.opt_with("obtained_on", |s| {
                let day = parse_date(s)?;
                if day > today {
                    return Err(crate::msg!("not_in_future"));
                }
                Ok(day)
            });
            if c.clean("given_by") && c.clean("obtained_on") {
                if consent.given_by == ConsentGiver::NotRequired {
                    if category_clean && category != ReferralCategory::ChildProtection {
                        c.error("given_by", crate::msg!("not_required_only_child_protection"));
                    }
                } else if consent.obtained_on.is_none() {
                    c.error("obtained_on", crate::msg!("required_when_consent_given"));
                }
            }
            f.absorb(c.finish());
        }
        f.finish()?;
        Ok(NewReferral { person_id, agency_id, incident_id, officer_id, category, urgency, reason, consent })
    }
}

impl From<&Referral> for NewReferral {
    fn from(r: &Referral) -> Self {
        NewReferral {
            person_id: r.person_id.unwrap_or_default(),
            agency_id: r.agency_id,
            incident_id: r.incident_id,
            officer_id: r.officer_id,
            category: r.category,
            urgency: r.urgency,
            reason: r.reason.clone(),
            consent: r.consent.clone(),
        }
    }
}

/// The body of `POST /v1/referrals/{id}/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The status to move to.
    pub status: ReferralStatus,
    /// Why; required to decline or withdraw.
    #[schema(max_length = 2000, pattern = "^[^\\u0000]*$")]
    pub note: Option<String>,
}

impl StatusChange {
    /// Reads a status change; a decline or withdrawal without a note is refused here.
    pub fn parse(map: &Map<String, Value>) -> Result<StatusChange, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let status: ReferralStatus = f.req_enum("status");
        let note = f.opt_str("note", 2000);
        if f.clean("status")
            && f.clean("note")
            && matches!(status, ReferralStatus::Declined | ReferralStatus::Withdrawn)
            && note.is_none()
        {
            f.error("note", crate::msg!("note_required_for_status", status = status));
        }
        f.finish()?;
        Ok(StatusChange { status, note })
    }
}

/// Filters of `GET /v1/referrals`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    /// Only referrals to this agency.
    pub agency_id: Option<Uuid>,
    /// Only referrals of this person.
    pub person_id: Option<Uuid>,
    /// Only this officer's referrals.
    pub officer_id: Option<Uuid>,
    /// Only referrals arising from this incident (not for agencies: 400).
    pub incident_id: Option<Uuid>,
    /// Only referrals in this status.
    pub status: Option<ReferralStatus>,
    /// Only this category.
    pub category: Option<ReferralCategory>,
    /// Only this urgency.
    pub urgency: Option<Urgency>,
    /// Created at or after this instant.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before this instant.
    pub created_to: Option<DateTime<Utc>>,
}

impl ReferralQuery {
    /// Reads the filters and the list window; an agency may not filter by incident (it never
    /// sees incidents).
    pub fn parse(raw: &str, visibility: Visibility) -> Result<(ReferralQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let incident_id = p.opt("incident_id", parse_uuid);
        if incident_id.is_some() && matches!(visibility, Visibility::Agency(_)) {
            p.error("incident_id", crate::msg!("incident_filter_not_for_agencies"));
        }
        let query = ReferralQuery {
            agency_id: p.opt("agency_id", parse_uuid),
            person_id: p.opt("person_id", parse_uuid),
            officer_id: p.opt("officer_id", parse_uuid),
            incident_id,
            status: p.opt_enum("status"),
            category: p.opt_enum("category"),
            urgency: p.opt_enum("urgency"),
            created_from: p.opt("created_from", parse_timestamp).map(super::time::to_utc),
            created_to: p.opt("created_to", parse_timestamp).map(super::time::to_utc),
        };
        Ok((query, p.finish()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use ReferralStatus::*;

    fn today() -> NaiveDate {
        parse_date("2026-11-30").unwrap()
    }

    #[test]
    fn the_agency_moves_forward_and_the_police_withdraw() {
        let cat = ReferralCategory::YouthServices;
        assert!(Submitted.check_move(Acknowledged, Side::Agency, cat).is_ok());
        assert!(Acknowledged.check_move(Declined, Side::Agency, cat).is_ok());
        assert!(InProgress.check_move(Completed, Side::Admin, cat).is_ok());
        assert!(Submitted.check_move(Accepted, Side::Agency, cat).is_err(), "no skipping acknowledgement");
        assert!(Submitted.check_move(Acknowledged, Side::Police, cat).is_err(), "the police do not acknowledge");
        assert!(Accepted.check_move(Withdrawn, Side::Police, cat).is_ok());
        assert!(Accepted.check_move(Withdrawn, Side::Agency, cat).is_err(), "an agency declines, never withdraws");
        assert!(Completed.check_move(Withdrawn, Side::Admin, cat).is_err());
        assert!(Declined.check_move(Withdrawn, Side::Police, cat).is_err());
    }

    #[test]
    fn a_child_protection_referral_acknowledged_is_withdrawn_only_by_the_unit() {
        let cp = ReferralCategory::ChildProtection;
        assert!(Submitted.check_move(Withdrawn, Side::Police, cp).is_ok());
        assert!(Acknowledged.check_move(Withdrawn, Side::Police, cp).is_err());
        assert!(InProgress.check_move(Withdrawn, Side::Police, cp).is_err());
        assert!(Acknowledged.check_move(Withdrawn, Side::Admin, cp).is_ok());
    }

    #[test]
    fn consent_rules_name_their_nested_fields() {
        let body = |category: &str, consent: Value| {
            json!({"person_id": "018f0000-0000-7000-8000-00000000000a", "agency_id": "018f0000-0000-7000-8000-00000000000b",
                   "category": category, "urgency": "urgent", "reason": "r", "consent": consent})
        };
        let fields = |b: Value| -> Vec<String> {
            match NewReferral::parse(b.as_object().unwrap(), today()) {
                Ok(_) => Vec::new(),
                Err(errors) => errors.into_iter().map(|e| e.field).collect(),
            }
        };
        assert_eq!(fields(body("youth_services", json!({"given_by": "not_required"}))), ["consent.given_by"]);
        assert!(fields(body("child_protection", json!({"given_by": "not_required"}))).is_empty());
        assert_eq!(fields(body("youth_services", json!({"given_by": "youth"}))), ["consent.obtained_on"]);
        assert_eq!(
            fields(body("youth_services", json!({"given_by": "guardian", "obtained_on": "2026-12-01", "by": 1}))),
            ["consent.obtained_on", "consent.by"]
        );
        assert_eq!(fields(body("youth_services", json!("yes"))), ["consent"]);
    }

    #[test]
    fn declining_or_withdrawing_needs_a_note() {
        let errors = StatusChange::parse(json!({"status": "declined"}).as_object().unwrap()).unwrap_err();
        assert_eq!(errors[0].field, "note");
        assert!(StatusChange::parse(json!({"status": "accepted"}).as_object().unwrap()).is_ok());
    }
}
