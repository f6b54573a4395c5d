//! `/v1/referrals`: every call is audited; agencies get their projection.

use actix_web::{get, patch, post, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::{Role, Scope};
use crate::domain::page::Page;
use crate::domain::query::ListParams;
use crate::domain::referral::{NewReferral, ReferralQuery, ReferralView, StatusChange};
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::{path_id, Body, Precondition, RawQuery};
use crate::http::respond;
use crate::openapi::{ChangeProblems, CreateProblems, ListProblems, ReadProblems, StatusProblems};
use crate::service;
use crate::state::AppState;

/// The police side: the roles that make and change referrals.
const POLICE: &[Role] = &[Role::Admin, Role::Officer];

/// List referrals
///
/// All for the unit; an officer's own; those addressed to an agency, as `ReferralForAgency`
/// (the youth's details, never the incident; `incident_id` is not available to agencies: 400).
#[utoipa::path(
    tag = "referrals",
    params(ReferralQuery, ListParams),
    responses((status = 200, description = "One page of referrals", body = Page<ReferralView>), ListProblems),
    security(("oauth2" = ["referrals:read"]))
)]
#[get("")]
pub async fn list_referrals(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::ReferralsRead)?;
    let (q, window) = query.parse(|raw| ReferralQuery::parse(raw, ctx.visibility))?;
    let page = blocking::run(&state.pool, move |conn| service::referrals::list(conn, &ctx, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// Refer a youth to an agency
///
/// The police side only (an agency is 403). The referral starts `submitted`. Consent
/// `not_required` is only for `child_protection`; otherwise `consent.obtained_on` is required.
#[utoipa::path(
    tag = "referrals",
    request_body = NewReferral,
    responses(
        (status = 201, description = "Created", body = ReferralView, headers(("Location" = String), ("ETag" = String))),
        CreateProblems
    ),
    security(("oauth2" = ["referrals:write"]))
)]
#[post("")]
pub async fn create_referral(
    who: Principal,
    query: RawQuery,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context_for(Scope::ReferralsWrite, POLICE)?;
    query.none()?;
    let body = body.json_object()?;
    let referral = blocking::run(&state.pool, move |conn| service::referrals::create(conn, &ctx, &body)).await?;
    Ok(respond::created(&referral, format!("/v1/referrals/{}", referral.id()), referral.version()))
}

/// Get a referral
#[utoipa::path(
    tag = "referrals",
    params(("id" = uuid::Uuid, Path, description = "Referral id")),
    responses((status = 200, description = "The referral", body = ReferralView, headers(("ETag" = String))), ReadProblems),
    security(("oauth2" = ["referrals:read"]))
)]
#[get("/{id}")]
pub async fn get_referral(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::ReferralsRead)?;
    query.none()?;
    let id = path_id(&id)?;
    let referral = blocking::run(&state.pool, move |conn| service::referrals::get(conn, &ctx, id)).await?;
    Ok(respond::ok_versioned(&referral, referral.version()))
}

/// Change a referral
///
/// JSON merge patch by the police side (an agency is 403): reason, urgency, category, consent,
/// incident. The youth and the agency cannot change; a completed, declined or withdrawn
/// referral is frozen (409).
#[utoipa::path(
    tag = "referrals",
    params(("id" = uuid::Uuid, Path, description = "Referral id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")),
    request_body(content = crate::openapi::ReferralPatch, description = "Any subset of the fields", content_type = "application/merge-patch+json"),
    responses((status = 200, description = "The changed referral", body = ReferralView, headers(("ETag" = String))), ChangeProblems),
    security(("oauth2" = ["referrals:write"]))
)]
#[patch("/{id}")]
pub async fn patch_referral(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context_for(Scope::ReferralsWrite, POLICE)?;
    query.none()?;
    let changes = body.json_object()?;
    let id = path_id(&id)?;
    let referral =
        blocking::run(&state.pool, move |conn| service::referrals::patch(conn, &ctx, id, &changes, pre.0)).await?;
    Ok(respond::ok_versioned(&referral, referral.version()))
}

/// Move a referral's status
///
/// The agency addressed: submitted → acknowledged → accepted | declined (note required);
/// accepted → in_progress → completed. The police side (the referring officer, or the unit):
/// any status but completed, declined or withdrawn → withdrawn, with a note; once the agency
/// has acknowledged a `child_protection` referral only the unit may withdraw it. The unit may
/// also make the agency's moves. Any other move is 409 `invalid_transition`.
#[utoipa::path(
    tag = "referrals",
    params(("id" = uuid::Uuid, Path, description = "Referral id"), ("If-Match" = Option<String>, Header, description = "The version the move is based on")),
    request_body = StatusChange,
    responses((status = 200, description = "The referral after the move", body = ReferralView, headers(("ETag" = String))), StatusProblems),
    security(("oauth2" = ["referrals:write"]))
)]
#[post("/{id}/status")]
pub async fn move_referral(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::ReferralsWrite)?;
    query.none()?;
    let change = body.json_object()?;
    let id = path_id(&id)?;
    let referral =
        blocking::run(&state.pool, move |conn| service::referrals::move_status(conn, &ctx, id, &change, pre.0)).await?;
    Ok(respond::ok_versioned(&referral, referral.version()))
}
