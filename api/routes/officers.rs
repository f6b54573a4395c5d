//! `/v1/officers`.

use actix_web::{delete, get, patch, post, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::officer::{NewOfficer, Officer, OfficerQuery, OfficerSchoolsQuery};
use crate::domain::page::Page;
use crate::domain::query::ListParams;
use crate::domain::school::School;
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::{path_id, Body, Precondition, RawQuery};
use crate::http::respond;
use crate::openapi::{
    BadRequest, ChangeProblems, CreateProblems, DeleteProblems, ListProblems, NotFound, ReadProblems,
};
use crate::service;
use crate::state::AppState;

/// List officers
#[utoipa::path(
    tag = "officers",
    params(OfficerQuery, ListParams),
    responses((status = 200, description = "One page of officers", body = Page<Officer>), ListProblems),
    security(("oauth2" = ["officers:read"]))
)]
#[get("")]
pub async fn list_officers(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    who.require(Scope::OfficersRead)?;
    let (q, window) = query.parse(OfficerQuery::parse)?;
    let page = blocking::run(&state.pool, move |conn| service::officers::list(conn, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// Create an officer
#[utoipa::path(
    tag = "officers",
    request_body = NewOfficer,
    responses(
        (status = 201, description = "Created", body = Officer, headers(("Location" = String), ("ETag" = String))),
        CreateProblems
    ),
    security(("oauth2" = ["officers:write"]))
)]
#[post("")]
pub async fn create_officer(
    who: Principal,
    query: RawQuery,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::OfficersWrite)?;
    query.none()?;
    let body = body.json_object()?;
    let officer = blocking::run(&state.pool, move |conn| service::officers::create(conn, &ctx, &body)).await?;
    Ok(respond::created(&officer, format!("/v1/officers/{}", officer.id), officer.version))
}

/// Get an officer
#[utoipa::path(
    tag = "officers",
    params(("id" = uuid::Uuid, Path, description = "Officer id")),
    responses(
        (status = 200, description = "The officer", body = Officer, headers(("ETag" = String))),
        ReadProblems
    ),
    security(("oauth2" = ["officers:read"]))
)]
#[get("/{id}")]
pub async fn get_officer(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    who.require(Scope::OfficersRead)?;
    query.none()?;
    let id = path_id(&id)?;
    let officer = blocking::run(&state.pool, move |conn| service::officers::get(conn, id)).await?;
    Ok(respond::ok_versioned(&officer, officer.version))
}

/// Change an officer
///
/// JSON merge patch; retire an officer with `active: false`.
#[utoipa::path(
    tag = "officers",
    params(("id" = uuid::Uuid, Path, description = "Officer id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")),
    request_body(content = crate::openapi::OfficerPatch, description = "Any subset of the fields", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed officer", body = Officer, headers(("ETag" = String))),
        ChangeProblems
    ),
    security(("oauth2" = ["officers:write"]))
)]
#[patch("/{id}")]
pub async fn patch_officer(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::OfficersWrite)?;
    query.none()?;
    let changes = body.json_object()?;
    let id = path_id(&id)?;
    let officer =
        blocking::run(&state.pool, move |conn| service::officers::patch(conn, &ctx, id, &changes, pre.0)).await?;
    Ok(respond::ok_versioned(&officer, officer.version))
}

/// Delete an officer
///
/// 409 `still_referenced` once anything names the officer; retire with `active: false` instead.
#[utoipa::path(
    tag = "officers",
    params(("id" = uuid::Uuid, Path, description = "Officer id"), ("If-Match" = Option<String>, Header, description = "The version the deletion is based on")),
    responses(
        (status = 204, description = "Deleted"), DeleteProblems),
    security(("oauth2" = ["officers:write"]))
)]
#[delete("/{id}")]
pub async fn delete_officer(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::OfficersWrite)?;
    query.none()?;
    let id = path_id(&id)?;
    blocking::run(&state.pool, move |conn| service::officers::delete(conn, &ctx, id, pre.0)).await?;
    Ok(respond::no_content())
}

/// An officer's current schools
///
/// Schools where the officer holds an assignment in force today (America/Toronto), primary or
/// backup; `role` narrows them. A board client sees only its own board's schools.
#[utoipa::path(
    tag = "officers",
    params(("id" = uuid::Uuid, Path, description = "Officer id"), OfficerSchoolsQuery, ListParams),
    responses(
        (status = 200, description = "One page of schools", body = Page<School>),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound)
    ),
    security(("oauth2" = ["officers:read", "schools:read"]))
)]
#[get("/{id}/schools")]
pub async fn list_officer_schools(
    who: Principal,
    id: web::Path<String>,
    query: RawQuery,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    who.require(Scope::OfficersRead)?;
    let ctx = who.context(Scope::SchoolsRead)?;
    let (q, window) = query.parse(OfficerSchoolsQuery::parse)?;
    let id = path_id(&id)?;
    let page = blocking::run(&state.pool, move |conn| service::officers::schools(conn, &ctx, id, &q, &window)).await?;
    Ok(respond::ok(&page))
}
