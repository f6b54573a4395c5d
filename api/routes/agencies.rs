//! `/v1/agencies`.

use actix_web::{delete, get, patch, post, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::agency::{Agency, AgencyQuery, NewAgency};
use crate::domain::page::Page;
use crate::domain::query::ListParams;
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::{path_id, Body, Precondition, RawQuery};
use crate::http::respond;
use crate::openapi::{ChangeProblems, CreateProblems, DeleteProblems, ListProblems, ReadProblems};
use crate::service;
use crate::state::AppState;

/// List agencies
#[utoipa::path(
    tag = "agencies",
    params(AgencyQuery, ListParams),
    responses((status = 200, description = "One page of agencies", body = Page<Agency>), ListProblems),
    security(("oauth2" = ["agencies:read"]))
)]
#[get("")]
pub async fn list_agencies(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    who.require(Scope::AgenciesRead)?;
    let (q, window) = query.parse(AgencyQuery::parse)?;
    let page = blocking::run(&state.pool, move |conn| service::agencies::list(conn, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// Create an agency
#[utoipa::path(
    tag = "agencies",
    request_body = NewAgency,
    responses(
        (status = 201, description = "Created", body = Agency, headers(("Location" = String), ("ETag" = String))),
        CreateProblems
    ),
    security(("oauth2" = ["agencies:write"]))
)]
#[post("")]
pub async fn create_agency(
    who: Principal,
    query: RawQuery,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::AgenciesWrite)?;
    query.none()?;
    let body = body.json_object()?;
    let agency = blocking::run(&state.pool, move |conn| service::agencies::create(conn, &ctx, &body)).await?;
    Ok(respond::created(&agency, format!("/v1/agencies/{}", agency.id), agency.version))
}

/// Get an agency
#[utoipa::path(
    tag = "agencies",
    params(("id" = uuid::Uuid, Path, description = "Agency id")),
    responses((status = 200, description = "The agency", body = Agency, headers(("ETag" = String))), ReadProblems),
    security(("oauth2" = ["agencies:read"]))
)]
#[get("/{id}")]
pub async fn get_agency(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    who.require(Scope::AgenciesRead)?;
    query.none()?;
    let id = path_id(&id)?;
    let agency = blocking::run(&state.pool, move |conn| service::agencies::get(conn, id)).await?;
    Ok(respond::ok_versioned(&agency, agency.version))
}

/// Change an agency
///
/// JSON merge patch; stop referrals to it with `active: false`.
#[utoipa::path(
    tag = "agencies",
    params(("id" = uuid::Uuid, Path, description = "Agency id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")),
    request_body(content = crate::openapi::AgencyPatch, description = "Any subset of the fields", content_type = "application/merge-patch+json"),
    responses((status = 200, description = "The changed agency", body = Agency, headers(("ETag" = String))), ChangeProblems),
    security(("oauth2" = ["agencies:write"]))
)]
#[patch("/{id}")]
pub async fn patch_agency(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::AgenciesWrite)?;
    query.none()?;
    let changes = body.json_object()?;
    let id = path_id(&id)?;
    let agency =
        blocking::run(&state.pool, move |conn| service::agencies::patch(conn, &ctx, id, &changes, pre.0)).await?;
    Ok(respond::ok_versioned(&agency, agency.version))
}

/// Delete an agency
///
/// 409 `still_referenced` once a referral, incident or API client names it.
#[utoipa::path(
    tag = "agencies",
    params(("id" = uuid::Uuid, Path, description = "Agency id"), ("If-Match" = Option<String>, Header, description = "The version the deletion is based on")),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("oauth2" = ["agencies:write"]))
)]
#[delete("/{id}")]
pub async fn delete_agency(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::AgenciesWrite)?;
    query.none()?;
    let id = path_id(&id)?;
    blocking::run(&state.pool, move |conn| service::agencies::delete(conn, &ctx, id, pre.0)).await?;
    Ok(respond::no_content())
}
