//! `/v1/incidents/{id}/outcomes` and `/v1/outcomes`: YCJA measures (API.md §7); police use only.

use actix_web::{get, patch, post, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::outcome::{IncidentOutcome, NewIncidentOutcome, OutcomeQuery};
use crate::domain::page::Page;
use crate::domain::query::ListParams;
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::{path_id, Body, Precondition, RawQuery};
use crate::http::respond;
use crate::openapi::{ActionProblems, ChangeProblems, ListProblems, NestedListProblems, ReadProblems};
use crate::service;
use crate::state::AppState;

/// List an incident's outcomes
#[utoipa::path(
    tag = "outcomes",
    params(("id" = uuid::Uuid, Path, description = "Incident id"), ListParams),
    responses((status = 200, description = "One page of the incident's outcomes", body = Page<IncidentOutcome>), NestedListProblems),
    security(("oauth2" = ["outcomes:read"]))
)]
#[get("/{id}/outcomes")]
pub async fn list_incident_outcomes(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::OutcomesRead)?;
    let window = query.parse(|raw| {
        let mut p = crate::domain::query::Params::new(raw)?;
        p.bind("@incident_id", &id);
        p.finish()
    })?;
    let incident = path_id(&id)?;
    let page =
        blocking::run(&state.pool, move |conn| service::outcomes::list_for_incident(conn, &ctx, incident, &window))
            .await?;
    Ok(respond::ok(&page))
}

/// Record an outcome
///
/// The YCJA measure taken for one of the incident's subjects; `access_period_ends_on` is
/// computed from the s. 119(2) table. `referral` and `extrajudicial_sanction` need the youth's
/// consent; a child under 12 on the incident's day gets only `no_further_action` or `referral`.
#[utoipa::path(
    tag = "outcomes",
    params(("id" = uuid::Uuid, Path, description = "Incident id")),
    request_body = NewIncidentOutcome,
    responses(
        (status = 201, description = "Created", body = IncidentOutcome, headers(("Location" = String), ("ETag" = String))),
        ActionProblems
    ),
    security(("oauth2" = ["outcomes:write"]))
)]
#[post("/{id}/outcomes")]
pub async fn create_outcome(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::OutcomesWrite)?;
    query.none()?;
    let body = body.json_object()?;
    let incident = path_id(&id)?;
    let periods = state.config.access_periods.clone();
    let outcome =
        blocking::run(&state.pool, move |conn| service::outcomes::create(conn, &ctx, incident, &body, &periods))
            .await?;
    let location = format!("/v1/incidents/{}/outcomes/{}", outcome.incident_id, outcome.id);
    Ok(respond::created(&outcome, location, outcome.version))
}

/// Get an outcome
#[utoipa::path(
    tag = "outcomes",
    params(("id" = uuid::Uuid, Path, description = "Incident id"), ("outcome_id" = uuid::Uuid, Path, description = "IncidentOutcome id")),
    responses((status = 200, description = "The outcome", body = IncidentOutcome, headers(("ETag" = String))), ReadProblems),
    security(("oauth2" = ["outcomes:read"]))
)]
#[get("/{id}/outcomes/{outcome_id}")]
pub async fn get_outcome(
    who: Principal,
    query: RawQuery,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::OutcomesRead)?;
    query.none()?;
    let (incident, id) = (path_id(&path.0)?, path_id(&path.1)?);
    let outcome = blocking::run(&state.pool, move |conn| service::outcomes::get(conn, &ctx, incident, id)).await?;
    Ok(respond::ok_versioned(&outcome, outcome.version))
}

/// Change an outcome
///
/// While the incident is not closed. The person cannot change; the access period is computed
/// again.
#[utoipa::path(
    tag = "outcomes",
    params(
        ("id" = uuid::Uuid, Path, description = "Incident id"),
        ("outcome_id" = uuid::Uuid, Path, description = "IncidentOutcome id"),
        ("If-Match" = Option<String>, Header, description = "The version the change is based on")
    ),
    request_body(content = crate::openapi::OutcomePatch, description = "Any subset of the fields", content_type = "application/merge-patch+json"),
    responses((status = 200, description = "The changed outcome", body = IncidentOutcome, headers(("ETag" = String))), ChangeProblems),
    security(("oauth2" = ["outcomes:write"]))
)]
#[patch("/{id}/outcomes/{outcome_id}")]
pub async fn patch_outcome(
    who: Principal,
    query: RawQuery,
    path: web::Path<(String, String)>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::OutcomesWrite)?;
    query.none()?;
    let changes = body.json_object()?;
    let (incident, id) = (path_id(&path.0)?, path_id(&path.1)?);
    let periods = state.config.access_periods.clone();
    let outcome = blocking::run(&state.pool, move |conn| {
        service::outcomes::patch(conn, &ctx, incident, id, &changes, pre.0, &periods)
    })
    .await?;
    Ok(respond::ok_versioned(&outcome, outcome.version))
}

/// List outcomes
///
/// Across incidents: all for the unit, those of the incidents it sees for an officer. Filter by
/// person, measure, or when the access period ends (the retention review's list).
#[utoipa::path(
    tag = "outcomes",
    params(OutcomeQuery, ListParams),
    responses((status = 200, description = "One page of outcomes", body = Page<IncidentOutcome>), ListProblems),
    security(("oauth2" = ["outcomes:read"]))
)]
#[get("")]
pub async fn list_outcomes(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::OutcomesRead)?;
    let (q, window) = query.parse(OutcomeQuery::parse)?;
    let page = blocking::run(&state.pool, move |conn| service::outcomes::list(conn, &ctx, &q, &window)).await?;
    Ok(respond::ok(&page))
}
