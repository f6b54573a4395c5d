//! `/v1/service-requests`.

use actix_web::{get, patch, post, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::{Role, Scope};
use crate::domain::page::Page;
use crate::domain::query::ListParams;
use crate::domain::service_request::{NewServiceRequest, ServiceRequest, ServiceRequestQuery};
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::{path_id, Body, Precondition, RawQuery};
use crate::http::respond;
use crate::openapi::{ChangeProblems, CreateProblems, ListProblems, ReadProblems};
use crate::service;
use crate::state::AppState;

/// List service requests
///
/// All for the unit (`unassigned=true`: those waiting for an SRO); a board's schools'; for an
/// officer, those assigned to it and those of schools it was assigned to when they were made
/// (or is today).
#[utoipa::path(
    tag = "service-requests",
    params(ServiceRequestQuery, ListParams),
    responses((status = 200, description = "One page of requests", body = Page<ServiceRequest>), ListProblems),
    security(("oauth2" = ["requests:read"]))
)]
#[get("")]
pub async fn list_service_requests(
    who: Principal,
    query: RawQuery,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::RequestsRead)?;
    let (q, window) = query.parse(ServiceRequestQuery::parse)?;
    let page = blocking::run(&state.pool, move |conn| service::service_requests::list(conn, &ctx, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// Make a service request
///
/// A school board for its schools, or the unit (an officer is 403). It goes to the school's
/// current primary SRO, or to nobody (`officer_id: null`) when the school has none.
#[utoipa::path(
    tag = "service-requests",
    request_body = NewServiceRequest,
    responses(
        (status = 201, description = "Created", body = ServiceRequest, headers(("Location" = String), ("ETag" = String))),
        CreateProblems
    ),
    security(("oauth2" = ["requests:write"]))
)]
#[post("")]
pub async fn create_service_request(
    who: Principal,
    query: RawQuery,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context_for(Scope::RequestsWrite, &[Role::Admin, Role::Board])?;
    query.none()?;
    let body = body.json_object()?;
    let request = blocking::run(&state.pool, move |conn| service::service_requests::create(conn, &ctx, &body)).await?;
    Ok(respond::created(&request, format!("/v1/service-requests/{}", request.id), request.version))
}

/// Get a service request
#[utoipa::path(
    tag = "service-requests",
    params(("id" = uuid::Uuid, Path, description = "Request id")),
    responses((status = 200, description = "The request", body = ServiceRequest, headers(("ETag" = String))), ReadProblems),
    security(("oauth2" = ["requests:read"]))
)]
#[get("/{id}")]
pub async fn get_service_request(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::RequestsRead)?;
    query.none()?;
    let id = path_id(&id)?;
    let request = blocking::run(&state.pool, move |conn| service::service_requests::get(conn, &ctx, id)).await?;
    Ok(respond::ok_versioned(&request, request.version))
}

/// Change a service request
///
/// JSON merge patch: details, status (open → scheduled | completed | cancelled; scheduled →
/// open | completed | cancelled) and outcome; only the unit changes `officer_id` (422
/// otherwise). A completed or cancelled request is frozen (409).
#[utoipa::path(
    tag = "service-requests",
    params(("id" = uuid::Uuid, Path, description = "Request id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")),
    request_body(content = crate::openapi::ServiceRequestPatch, description = "Any subset of the fields", content_type = "application/merge-patch+json"),
    responses((status = 200, description = "The changed request", body = ServiceRequest, headers(("ETag" = String))), ChangeProblems),
    security(("oauth2" = ["requests:write"]))
)]
#[patch("/{id}")]
pub async fn patch_service_request(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::RequestsWrite)?;
    query.none()?;
    let changes = body.json_object()?;
    let id = path_id(&id)?;
    let request =
        blocking::run(&state.pool, move |conn| service::service_requests::patch(conn, &ctx, id, &changes, pre.0))
            .await?;
    Ok(respond::ok_versioned(&request, request.version))
}
