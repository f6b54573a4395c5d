//! HTTP routes: extract, authorise, call a service inside `db::run`, answer. No rules here.

pub mod assignments;
pub mod boards;
pub mod clients;
pub mod oauth;
pub mod officers;
pub mod ops;
pub mod schools;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// The one route table: the server mounts it and the OpenAPI document is built from it.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(oauth::issue_token).service(ops::healthz).service(ops::readyz).service(ops::jwks).service(
        scope::scope("/v1")
            .service(oauth::get_me)
            .service(clients::create_client)
            .service(clients::list_clients)
            .service(clients::get_client)
            .service(clients::disable_client)
            .service(clients::enable_client)
            .service(boards::list_boards)
            .service(boards::get_board)
            .service(boards::patch_board)
            .service(schools::list_schools)
            .service(schools::create_school)
            .service(schools::import_schools)
            .service(schools::get_school_by_number)
            .service(schools::put_school_by_number)
            .service(schools::get_school)
            .service(schools::patch_school)
            .service(schools::delete_school)
            .service(schools::hand_over_school)
            .service(officers::list_officers)
            .service(officers::create_officer)
            .service(officers::get_officer)
            .service(officers::patch_officer)
            .service(officers::delete_officer)
            .service(officers::list_officer_schools)
            .service(assignments::list_assignments)
            .service(assignments::create_assignment)
            .service(assignments::get_assignment)
            .service(assignments::patch_assignment)
            .service(assignments::delete_assignment),
    );
}
