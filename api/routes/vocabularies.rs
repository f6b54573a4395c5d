//! `/v1/vocabularies`: every enum of the API with English and French labels (API.md §8).

use actix_web::{get, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::vocabulary::Vocabularies;
use crate::error::AppResult;
use crate::http::body::RawQuery;
use crate::http::respond;
use crate::service;

/// List the vocabularies
///
/// Every enum of the API (`incident_category`, `measure`, `scope`, ...), each value with its
/// English and French label, so a form shows the same words as the service. Any valid token.
#[utoipa::path(
    tag = "vocabularies",
    responses((status = 200, description = "Every vocabulary", body = Vocabularies), crate::openapi::ListProblems),
    security(("oauth2" = []))
)]
#[get("")]
pub async fn list_vocabularies(
    _who: Principal,
    query: RawQuery,
    _state: web::Data<crate::state::AppState>,
) -> AppResult<HttpResponse> {
    query.none()?;
    Ok(respond::ok(&service::vocabularies::all()))
}
