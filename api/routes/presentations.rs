//! `/v1/presentations`.

use actix_web::{delete, get, patch, post, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::page::Page;
use crate::domain::presentation::{NewPresentation, Presentation, PresentationQuery};
use crate::domain::query::ListParams;
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::{path_id, Body, Precondition, RawQuery};
use crate::http::respond;
use crate::openapi::{ChangeProblems, CreateProblems, DeleteProblems, ListProblems, ReadProblems};
use crate::service;
use crate::state::AppState;

/// List presentations
#[utoipa::path(
    tag = "presentations",
    params(PresentationQuery, ListParams),
    responses((status = 200, description = "One page of presentations", body = Page<Presentation>), ListProblems),
    security(("oauth2" = ["presentations:read"]))
)]
#[get("")]
pub async fn list_presentations(
    who: Principal,
    query: RawQuery,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::PresentationsRead)?;
    let (q, window) = query.parse(PresentationQuery::parse)?;
    let page = blocking::run(&state.pool, move |conn| service::presentations::list(conn, &ctx, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// Record a presentation
///
/// An officer records its own talks at schools it was assigned to on `delivered_on` (or is
/// today); the unit names the officer.
#[utoipa::path(
    tag = "presentations",
    request_body = NewPresentation,
    responses(
        (status = 201, description = "Created", body = Presentation, headers(("Location" = String), ("ETag" = String))),
        CreateProblems
    ),
    security(("oauth2" = ["presentations:write"]))
)]
#[post("")]
pub async fn create_presentation(
    who: Principal,
    query: RawQuery,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::PresentationsWrite)?;
    query.none()?;
    let body = body.json_object()?;
    let talk = blocking::run(&state.pool, move |conn| service::presentations::create(conn, &ctx, &body)).await?;
    Ok(respond::created(&talk, format!("/v1/presentations/{}", talk.id), talk.version))
}

/// Get a presentation
#[utoipa::path(
    tag = "presentations",
    params(("id" = uuid::Uuid, Path, description = "Presentation id")),
    responses((status = 200, description = "The presentation", body = Presentation, headers(("ETag" = String))), ReadProblems),
    security(("oauth2" = ["presentations:read"]))
)]
#[get("/{id}")]
pub async fn get_presentation(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::PresentationsRead)?;
    query.none()?;
    let id = path_id(&id)?;
    let talk = blocking::run(&state.pool, move |conn| service::presentations::get(conn, &ctx, id)).await?;
    Ok(respond::ok_versioned(&talk, talk.version))
}

/// Change a presentation
#[utoipa::path(
    tag = "presentations",
    params(("id" = uuid::Uuid, Path, description = "Presentation id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")),
    request_body(content = crate::openapi::PresentationPatch, description = "Any subset of the fields", content_type = "application/merge-patch+json"),
    responses((status = 200, description = "The changed presentation", body = Presentation, headers(("ETag" = String))), ChangeProblems),
    security(("oauth2" = ["presentations:write"]))
)]
#[patch("/{id}")]
pub async fn patch_presentation(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::PresentationsWrite)?;
    query.none()?;
    let changes = body.json_object()?;
    let id = path_id(&id)?;
    let talk =
        blocking::run(&state.pool, move |conn| service::presentations::patch(conn, &ctx, id, &changes, pre.0)).await?;
    Ok(respond::ok_versioned(&talk, talk.version))
}

/// Delete a presentation recorded by mistake
#[utoipa::path(
    tag = "presentations",
    params(("id" = uuid::Uuid, Path, description = "Presentation id"), ("If-Match" = Option<String>, Header, description = "The version the deletion is based on")),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("oauth2" = ["presentations:write"]))
)]
#[delete("/{id}")]
pub async fn delete_presentation(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::PresentationsWrite)?;
    query.none()?;
    let id = path_id(&id)?;
    blocking::run(&state.pool, move |conn| service::presentations::delete(conn, &ctx, id, pre.0)).await?;
    Ok(respond::no_content())
}
