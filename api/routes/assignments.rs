//! `/v1/assignments`.

use actix_web::{delete, get, patch, post, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::assignment::{Assignment, AssignmentQuery, NewAssignment};
use crate::domain::page::Page;
use crate::domain::query::ListParams;
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::{path_id, Body, Precondition, RawQuery};
use crate::http::respond;
use crate::openapi::{ChangeProblems, CreateProblems, ListProblems, NotFound, PreconditionFailed, ReadProblems};
use crate::service;
use crate::state::AppState;

/// List assignments
///
/// A board client sees its own board's schools' assignments only.
#[utoipa::path(
    tag = "assignments",
    params(AssignmentQuery, ListParams),
    responses((status = 200, description = "One page of assignments", body = Page<Assignment>), ListProblems),
    security(("oauth2" = ["assignments:read"]))
)]
#[get("")]
pub async fn list_assignments(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::AssignmentsRead)?;
    let (q, window) = query.parse(AssignmentQuery::parse)?;
    let page = blocking::run(&state.pool, move |conn| service::assignments::list(conn, &ctx, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// Create an assignment
///
/// A school has at most one primary assignment on any day: an overlap is 409
/// `overlapping_assignment`. Bumps the school's `version`.
#[utoipa::path(
    tag = "assignments",
    request_body = NewAssignment,
    responses(
        (status = 201, description = "Created", body = Assignment, headers(("Location" = String), ("ETag" = String))),
        CreateProblems
    ),
    security(("oauth2" = ["assignments:write"]))
)]
#[post("")]
pub async fn create_assignment(
    who: Principal,
    query: RawQuery,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::AssignmentsWrite)?;
    query.none()?;
    let body = body.json_object()?;
    let a = blocking::run(&state.pool, move |conn| service::assignments::create(conn, &ctx, &body)).await?;
    Ok(respond::created(&a, format!("/v1/assignments/{}", a.id), a.version))
}

/// Get an assignment
#[utoipa::path(
    tag = "assignments",
    params(("id" = uuid::Uuid, Path, description = "Assignment id")),
    responses(
        (status = 200, description = "The assignment", body = Assignment, headers(("ETag" = String))),
        ReadProblems
    ),
    security(("oauth2" = ["assignments:read"]))
)]
#[get("/{id}")]
pub async fn get_assignment(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::AssignmentsRead)?;
    query.none()?;
    let id = path_id(&id)?;
    let a = blocking::run(&state.pool, move |conn| service::assignments::get(conn, &ctx, id)).await?;
    Ok(respond::ok_versioned(&a, a.version))
}

/// Change an assignment
///
/// JSON merge patch; end an assignment by setting `ends_on` (inclusive).
#[utoipa::path(
    tag = "assignments",
    params(("id" = uuid::Uuid, Path, description = "Assignment id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")),
    request_body(content = crate::openapi::AssignmentPatch, description = "Any subset of the fields", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed assignment", body = Assignment, headers(("ETag" = String))),
        ChangeProblems
    ),
    security(("oauth2" = ["assignments:write"]))
)]
#[patch("/{id}")]
pub async fn patch_assignment(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::AssignmentsWrite)?;
    query.none()?;
    let changes = body.json_object()?;
    let id = path_id(&id)?;
    let a =
        blocking::run(&state.pool, move |conn| service::assignments::patch(conn, &ctx, id, &changes, pre.0)).await?;
    Ok(respond::ok_versioned(&a, a.version))
}

/// Delete an assignment
#[utoipa::path(
    tag = "assignments",
    params(("id" = uuid::Uuid, Path, description = "Assignment id"), ("If-Match" = Option<String>, Header, description = "The version the deletion is based on")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed)
    ),
    security(("oauth2" = ["assignments:write"]))
)]
#[delete("/{id}")]
pub async fn delete_assignment(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::AssignmentsWrite)?;
    query.none()?;
    let id = path_id(&id)?;
    blocking::run(&state.pool, move |conn| service::assignments::delete(conn, &ctx, id, pre.0)).await?;
    Ok(respond::no_content())
}
