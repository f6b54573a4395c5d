//! Every enum of the API, from the code's own lists (the test compares them with the OpenAPI
//! document's enums, so none is forgotten).

use crate::domain::vocabulary::{Vocabularies, Vocabulary};
use crate::domain::{
    access, agency, assignment, audit, board, change, disclosure, incident, outcome, referral, school, service_request,
    stats, webhook,
};
use crate::error::ConflictCode;

fn wire<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
    all.iter().map(ToString::to_string).collect()
}

/// Every vocabulary, by name.
pub fn all() -> Vocabularies {
    let conflicts = [
        ConflictCode::Duplicate,
        ConflictCode::OverlappingAssignment,
        ConflictCode::InvalidTransition,
        ConflictCode::StillReferenced,
        ConflictCode::IdempotencyInProgress,
    ];
    let conflict_values: Vec<String> = conflicts
        .iter()
        .filter_map(|c| serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_owned)))
        .collect();
    let lists: Vec<(&str, Vec<String>)> = vec![
        ("agency_kind", wire(agency::AgencyKind::ALL)),
        ("assignment_role", wire(assignment::AssignmentRole::ALL)),
        ("audit_action", wire(audit::AuditAction::ALL)),
        ("audit_resource", wire(audit::AuditResource::ALL)),
        ("board_kind", wire(board::BoardKind::ALL)),
        ("change_op", wire(change::ChangeOp::ALL)),
        ("conflict_code", conflict_values),
        ("consent_giver", wire(referral::ConsentGiver::ALL)),
        ("court_disposition", wire(outcome::CourtDisposition::ALL)),
        ("coverage_grouping", wire(stats::CoverageGrouping::ALL)),
        ("delivery_outcome", wire(webhook::DeliveryOutcome::ALL)),
        ("disclosure_purpose", wire(disclosure::DisclosurePurpose::ALL)),
        ("feed_resource", wire(webhook::FeedResource::ALL)),
        ("incident_category", wire(incident::IncidentCategory::ALL)),
        ("incident_grouping", wire(stats::IncidentGrouping::ALL)),
        ("incident_location", wire(incident::IncidentLocation::ALL)),
        ("incident_status", wire(incident::IncidentStatus::ALL)),
        ("involvement_role", wire(incident::InvolvementRole::ALL)),
        ("language", wire(school::Language::ALL)),
        ("level", wire(school::Level::ALL)),
        ("measure", wire(outcome::Measure::ALL)),
        ("outcome", wire(school::Outcome::ALL)),
        ("referral_category", wire(referral::ReferralCategory::ALL)),
        ("referral_grouping", wire(stats::ReferralGrouping::ALL)),
        ("referral_status", wire(referral::ReferralStatus::ALL)),
        ("request_kind", wire(service_request::RequestKind::ALL)),
        ("request_status", wire(service_request::RequestStatus::ALL)),
        ("resolution", wire(incident::Resolution::ALL)),
        ("role", wire(access::Role::ALL)),
        ("school_kind", wire(school::SchoolKind::ALL)),
        ("scope", wire(access::Scope::ALL)),
        ("urgency", wire(referral::Urgency::ALL)),
    ];
    Vocabularies { data: lists.iter().map(|(name, values)| Vocabulary::of(name, values)).collect() }
}
