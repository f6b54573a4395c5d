//! `/v1/incidents`: every call is audited; boards get the projection without persons.

use actix_web::{get, patch, post, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::incident::{IncidentQuery, IncidentView, NewIncident};
use crate::domain::page::Page;
use crate::domain::query::ListParams;
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::{path_id, Body, Precondition, RawQuery};
use crate::http::respond;
use crate::openapi::{ChangeProblems, CreateProblems, ListProblems, ReadProblems};
use crate::service;
use crate::state::AppState;

/// List incidents
///
/// The incidents the caller may see: all for the unit; for an officer, those at schools it was
/// assigned to on the incident's day (or is today) and those it handles or recorded; for a
/// school board, those at its schools as `IncidentWithoutPersons`. `person_id` is not
/// available to boards (400).
#[utoipa::path(
    tag = "incidents",
    params(IncidentQuery, ListParams),
    responses((status = 200, description = "One page of incidents", body = Page<IncidentView>), ListProblems),
    security(("oauth2" = ["incidents:read"]))
)]
#[get("")]
pub async fn list_incidents(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::IncidentsRead)?;
    let (q, window) = query.parse(|raw| IncidentQuery::parse(raw, ctx.visibility))?;
    let page = blocking::run(&state.pool, move |conn| service::incidents::list(conn, &ctx, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// Record an incident
///
/// A new incident is `open`. An officer records incidents at schools it is assigned to (on the
/// incident's day or today) and handles them itself unless it names another officer.
#[utoipa::path(
    tag = "incidents",
    request_body = NewIncident,
    responses(
        (status = 201, description = "Created", body = IncidentView, headers(("Location" = String), ("ETag" = String))),
        CreateProblems
    ),
    security(("oauth2" = ["incidents:write"]))
)]
#[post("")]
pub async fn create_incident(
    who: Principal,
    query: RawQuery,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::IncidentsWrite)?;
    query.none()?;
    let body = body.json_object()?;
    let incident = blocking::run(&state.pool, move |conn| service::incidents::create(conn, &ctx, &body)).await?;
    Ok(respond::created(&incident, format!("/v1/incidents/{}", incident.id()), incident.version()))
}

/// Get an incident
#[utoipa::path(
    tag = "incidents",
    params(("id" = uuid::Uuid, Path, description = "Incident id")),
    responses((status = 200, description = "The incident", body = IncidentView, headers(("ETag" = String))), ReadProblems),
    security(("oauth2" = ["incidents:read"]))
)]
#[get("/{id}")]
pub async fn get_incident(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::IncidentsRead)?;
    query.none()?;
    let id = path_id(&id)?;
    let incident = blocking::run(&state.pool, move |conn| service::incidents::get(conn, &ctx, id)).await?;
    Ok(respond::ok_versioned(&incident, incident.version()))
}

/// Change an incident or move its status
///
/// JSON merge patch. `status` moves open → under_investigation, open → resolved,
/// under_investigation → resolved, resolved → closed; any other move is 409
/// `invalid_transition`. Resolving needs `resolution` (and `diversion_agency_id` for
/// `diversion`). A closed incident cannot be changed (409).
#[utoipa::path(
    tag = "incidents",
    params(("id" = uuid::Uuid, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")),
    request_body(content = crate::openapi::IncidentPatch, description = "Any subset of the fields", content_type = "application/merge-patch+json"),
    responses((status = 200, description = "The changed incident", body = IncidentView, headers(("ETag" = String))), ChangeProblems),
    security(("oauth2" = ["incidents:write"]))
)]
#[patch("/{id}")]
pub async fn patch_incident(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::IncidentsWrite)?;
    query.none()?;
    let changes = body.json_object()?;
    let id = path_id(&id)?;
    let incident =
        blocking::run(&state.pool, move |conn| service::incidents::patch(conn, &ctx, id, &changes, pre.0)).await?;
    Ok(respond::ok_versioned(&incident, incident.version()))
}
