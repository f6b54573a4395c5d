//! HTTP routes: extract, authorise, call a service inside `db::run`, answer. No rules here.

pub mod agencies;
pub mod assignments;
pub mod audit;
pub mod boards;
pub mod changes;
pub mod clients;
pub mod disclosures;
pub mod incidents;
pub mod oauth;
pub mod officers;
pub mod ops;
pub mod outcomes;
pub mod persons;
pub mod presentations;
pub mod referrals;
pub mod retention;
pub mod schools;
pub mod service_requests;
pub mod stats;
pub mod vocabularies;
pub mod webhooks;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// The one route table: the server mounts it and the OpenAPI document is built from it.
///
/// Under `/v1` each family of paths is a scope of its own (`/v1/schools`, `/v1/incidents`, ...)
/// and a handler's path is relative to it (`#[get("/{id}")]` in `routes::schools` is
/// `/v1/schools/{id}`). actix matches a scope by a plain prefix and then tries only that
/// family's patterns, where one flat list made every request try the patterns of all the
/// families registered before its own, a regular expression each (bench/README.md, step 16).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(oauth::issue_token)
        .service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(ops::jwks)
        .service(
            scope::scope("/v1")
                .service(scope::scope("/me").service(oauth::get_me))
                .service(
                    scope::scope("/clients")
                        .service(clients::create_client)
                        .service(clients::list_clients)
                        .service(clients::get_client)
                        .service(clients::disable_client)
                        .service(clients::enable_client),
                )
                .service(
                    scope::scope("/webhooks")
                        .service(webhooks::create_webhook)
                        .service(webhooks::list_webhooks)
                        .service(webhooks::get_webhook)
                        .service(webhooks::patch_webhook)
                        .service(webhooks::delete_webhook)
                        .service(webhooks::rotate_webhook_secret)
                        .service(webhooks::list_webhook_deliveries),
                )
                .service(
                    scope::scope("/boards")
                        .service(boards::list_boards)
                        .service(boards::get_board)
                        .service(boards::patch_board),
                )
                .service(
                    scope::scope("/schools")
                        .service(schools::list_schools)
                        .service(schools::create_school)
                        .service(schools::import_schools)
                        .service(schools::get_school_by_number)
                        .service(schools::put_school_by_number)
                        .service(schools::get_school)
                        .service(schools::patch_school)
                        .service(schools::delete_school)
                        .service(schools::hand_over_school),
                )
                .service(
                    scope::scope("/officers")
                        .service(officers::list_officers)
                        .service(officers::create_officer)
                        .service(officers::get_officer)
                        .service(officers::patch_officer)
                        .service(officers::delete_officer)
                        .service(officers::list_officer_schools),
                )
                .service(
                    scope::scope("/assignments")
                        .service(assignments::list_assignments)
                        .service(assignments::create_assignment)
                        .service(assignments::get_assignment)
                        .service(assignments::patch_assignment)
                        .service(assignments::delete_assignment),
                )
                .service(
                    scope::scope("/agencies")
                        .service(agencies::list_agencies)
                        .service(agencies::create_agency)
                        .service(agencies::get_agency)
                        .service(agencies::patch_agency)
                        .service(agencies::delete_agency),
                )
                .service(
                    scope::scope("/persons")
                        .service(persons::list_persons)
                        .service(persons::create_person)
                        .service(persons::get_person)
                        .service(persons::patch_person)
                        .service(persons::place_hold)
                        .service(persons::lift_hold)
                        .service(disclosures::list_person_disclosures)
                        .service(audit::person_access_log),
                )
                .service(scope::scope("/retention").service(retention::list_retention_runs))
                .service(
                    scope::scope("/incidents")
                        .service(incidents::list_incidents)
                        .service(incidents::create_incident)
                        .service(incidents::get_incident)
                        .service(incidents::patch_incident)
                        .service(outcomes::list_incident_outcomes)
                        .service(outcomes::create_outcome)
                        .service(outcomes::get_outcome)
                        .service(outcomes::patch_outcome),
                )
                .service(scope::scope("/outcomes").service(outcomes::list_outcomes))
                .service(
                    scope::scope("/disclosures")
                        .service(disclosures::list_disclosures)
                        .service(disclosures::create_disclosure)
                        .service(disclosures::get_disclosure)
                        .service(disclosures::acknowledge_disclosure)
                        .service(disclosures::confirm_disclosure_destroyed),
                )
                .service(
                    scope::scope("/referrals")
                        .service(referrals::list_referrals)
                        .service(referrals::create_referral)
                        .service(referrals::get_referral)
                        .service(referrals::patch_referral)
                        .service(referrals::move_referral),
                )
                .service(
                    scope::scope("/service-requests")
                        .service(service_requests::list_service_requests)
                        .service(service_requests::create_service_request)
                        .service(service_requests::get_service_request)
                        .service(service_requests::patch_service_request),
                )
                .service(
                    scope::scope("/presentations")
                        .service(presentations::list_presentations)
                        .service(presentations::create_presentation)
                        .service(presentations::get_presentation)
                        .service(presentations::patch_presentation)
                        .service(presentations::delete_presentation),
                )
                .service(
                    scope::scope("/stats")
                        .service(stats::incident_stats)
                        .service(stats::referral_stats)
                        .service(stats::coverage_stats),
                )
                .service(scope::scope("/audit-events").service(audit::list_audit_events))
                .service(scope::scope("/changes").service(changes::list_changes).service(changes::changes_head))
                .service(scope::scope("/vocabularies").service(vocabularies::list_vocabularies)),
        );
}
