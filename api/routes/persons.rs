//! `/v1/persons`: personal information; every call is audited.

use actix_web::{delete, get, patch, post, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::page::Page;
use crate::domain::person::{NewPerson, Person, PersonQuery};
use crate::domain::query::ListParams;
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::{path_id, Body, Precondition, RawQuery};
use crate::http::respond;
use crate::openapi::{ActionProblems, ChangeProblems, CreateProblems, ListProblems, ReadProblems};
use crate::service;
use crate::state::AppState;

/// List persons
///
/// The persons the caller may see: all for the unit; for an officer, those at its schools,
/// those it recorded, those on incidents it sees and those of its referrals.
#[utoipa::path(
    tag = "persons",
    params(PersonQuery, ListParams),
    responses((status = 200, description = "One page of persons", body = Page<Person>), ListProblems),
    security(("oauth2" = ["persons:read"]))
)]
#[get("")]
pub async fn list_persons(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::PersonsRead)?;
    let (q, window) = query.parse(|raw| PersonQuery::parse(raw, ctx.visibility))?;
    let settings = state.config.retention();
    let page =
        blocking::run(&state.pool, move |conn| service::persons::list(conn, &ctx, settings, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// Record a person
#[utoipa::path(
    tag = "persons",
    request_body = NewPerson,
    responses(
        (status = 201, description = "Created", body = Person, headers(("Location" = String), ("ETag" = String))),
        CreateProblems
    ),
    security(("oauth2" = ["persons:write"]))
)]
#[post("")]
pub async fn create_person(
    who: Principal,
    query: RawQuery,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::PersonsWrite)?;
    query.none()?;
    let body = body.json_object()?;
    let settings = state.config.retention();
    let person = blocking::run(&state.pool, move |conn| service::persons::create(conn, &ctx, settings, &body)).await?;
    Ok(respond::created(&person, format!("/v1/persons/{}", person.id), person.version))
}

/// Get a person
#[utoipa::path(
    tag = "persons",
    params(("id" = uuid::Uuid, Path, description = "Person id")),
    responses((status = 200, description = "The person", body = Person, headers(("ETag" = String))), ReadProblems),
    security(("oauth2" = ["persons:read"]))
)]
#[get("/{id}")]
pub async fn get_person(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::PersonsRead)?;
    query.none()?;
    let id = path_id(&id)?;
    let settings = state.config.retention();
    let person = blocking::run(&state.pool, move |conn| service::persons::get(conn, &ctx, settings, id)).await?;
    Ok(respond::ok_versioned(&person, person.version))
}

/// Change a person
#[utoipa::path(
    tag = "persons",
    params(("id" = uuid::Uuid, Path, description = "Person id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")),
    request_body(content = crate::openapi::PersonPatch, description = "Any subset of the fields", content_type = "application/merge-patch+json"),
    responses((status = 200, description = "The changed person", body = Person, headers(("ETag" = String))), ChangeProblems),
    security(("oauth2" = ["persons:write"]))
)]
#[patch("/{id}")]
pub async fn patch_person(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::PersonsWrite)?;
    query.none()?;
    let changes = body.json_object()?;
    let id = path_id(&id)?;
    let settings = state.config.retention();
    let person =
        blocking::run(&state.pool, move |conn| service::persons::patch(conn, &ctx, settings, id, &changes, pre.0))
            .await?;
    Ok(respond::ok_versioned(&person, person.version))
}

/// Place a legal hold
///
/// Keeps the person past `retain_until` (neither sealed nor destroyed) until the hold is
/// lifted: an access request or litigation in progress (API.md §7). The unit only.
#[utoipa::path(
    tag = "persons",
    params(("id" = uuid::Uuid, Path, description = "Person id")),
    request_body = crate::openapi::HoldBody,
    responses((status = 200, description = "The person, with `legal_hold`", body = Person, headers(("ETag" = String))), ActionProblems),
    security(("oauth2" = ["retention:admin"]))
)]
#[post("/{id}/hold")]
pub async fn place_hold(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::RetentionAdmin)?;
    query.none()?;
    let body = body.json_object()?;
    let id = path_id(&id)?;
    let settings = state.config.retention();
    let person =
        blocking::run(&state.pool, move |conn| service::retention::set_hold(conn, &ctx, settings, id, Some(&body)))
            .await?;
    Ok(respond::ok_versioned(&person, person.version))
}

/// Lift a legal hold
#[utoipa::path(
    tag = "persons",
    params(("id" = uuid::Uuid, Path, description = "Person id")),
    responses((status = 200, description = "The person, without a hold", body = Person, headers(("ETag" = String))), ReadProblems),
    security(("oauth2" = ["retention:admin"]))
)]
#[delete("/{id}/hold")]
pub async fn lift_hold(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::RetentionAdmin)?;
    query.none()?;
    let id = path_id(&id)?;
    let settings = state.config.retention();
    let person =
        blocking::run(&state.pool, move |conn| service::retention::set_hold(conn, &ctx, settings, id, None)).await?;
    Ok(respond::ok_versioned(&person, person.version))
}
