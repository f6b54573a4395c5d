//! `/v1/disclosures` and `/v1/persons/{id}/disclosures`: disclosures to schools (API.md §7,
//! YCJA s. 125(6)–(7)); every call is audited with the person.

use actix_web::{get, post, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::{Role, Scope};
use crate::domain::disclosure::{Disclosure, DisclosureQuery, NewDisclosure};
use crate::domain::page::Page;
use crate::domain::query::{ListParams, Params};
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::{path_id, Body, Precondition, RawQuery};
use crate::http::respond;
use crate::openapi::{ConfirmProblems, CreateProblems, ListProblems, NestedListProblems, ReadProblems};
use crate::service;
use crate::service::disclosures::Confirmation;
use crate::state::AppState;

/// The roles that read disclosures (agencies and dashboards never hold the scope; listed so a
/// role given it by mistake still gets 403).
const READERS: &[Role] = &[Role::Admin, Role::Officer, Role::Board];
/// The roles that confirm receipt and destruction: the school's board, and the unit to correct
/// a record. An officer discloses; it does not confirm for the school.
const CONFIRMERS: &[Role] = &[Role::Admin, Role::Board];

/// List disclosures
///
/// All for the unit; for an officer, those it made and those to schools it was assigned to on
/// the day or is today; for a board, those to its schools until confirmed destroyed or
/// `destroy_by` has passed. Each carries the young person's name and the recipient's duties.
#[utoipa::path(
    tag = "disclosures",
    params(DisclosureQuery, ListParams),
    responses((status = 200, description = "One page of disclosures", body = Page<Disclosure>), ListProblems),
    security(("oauth2" = ["disclosures:read"]))
)]
#[get("")]
pub async fn list_disclosures(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let ctx = who.context_for(Scope::DisclosuresRead, READERS)?;
    let (q, window) = query.parse(DisclosureQuery::parse)?;
    let page = blocking::run(&state.pool, move |conn| service::disclosures::list(conn, &ctx, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// Record a disclosure
///
/// What an officer told a school about a young person (YCJA s. 125(6)): an officer for the
/// schools it is assigned to on `disclosed_on` or today, or the unit. `destroy_by` is after
/// `disclosed_on` and at most one year later; the person must be one the caller sees.
#[utoipa::path(
    tag = "disclosures",
    request_body = NewDisclosure,
    responses(
        (status = 201, description = "Created", body = Disclosure, headers(("Location" = String), ("ETag" = String))),
        CreateProblems
    ),
    security(("oauth2" = ["disclosures:write"]))
)]
#[post("")]
pub async fn create_disclosure(
    who: Principal,
    query: RawQuery,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context_for(Scope::DisclosuresWrite, &[Role::Admin, Role::Officer])?;
    query.none()?;
    let body = body.json_object()?;
    let disclosure = blocking::run(&state.pool, move |conn| service::disclosures::create(conn, &ctx, &body)).await?;
    Ok(respond::created(&disclosure, format!("/v1/disclosures/{}", disclosure.id), disclosure.version))
}

/// Get a disclosure
#[utoipa::path(
    tag = "disclosures",
    params(("id" = uuid::Uuid, Path, description = "Disclosure id")),
    responses((status = 200, description = "The disclosure", body = Disclosure, headers(("ETag" = String))), ReadProblems),
    security(("oauth2" = ["disclosures:read"]))
)]
#[get("/{id}")]
pub async fn get_disclosure(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context_for(Scope::DisclosuresRead, READERS)?;
    query.none()?;
    let id = path_id(&id)?;
    let disclosure = blocking::run(&state.pool, move |conn| service::disclosures::get(conn, &ctx, id)).await?;
    Ok(respond::ok_versioned(&disclosure, disclosure.version))
}

async fn confirm(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    state: web::Data<AppState>,
    what: Confirmation,
) -> AppResult<HttpResponse> {
    let ctx = who.context_for(Scope::DisclosuresRead, CONFIRMERS)?;
    query.none()?;
    let id = path_id(&id)?;
    let disclosure =
        blocking::run(&state.pool, move |conn| service::disclosures::confirm(conn, &ctx, id, what, pre.0)).await?;
    Ok(respond::ok_versioned(&disclosure, disclosure.version))
}

/// Acknowledge a disclosure
///
/// The school's board (with `disclosures:read`) or the unit confirms receipt: sets
/// `acknowledged_at`. A repeat keeps the first time.
#[utoipa::path(
    tag = "disclosures",
    params(("id" = uuid::Uuid, Path, description = "Disclosure id"), ("If-Match" = Option<String>, Header, description = "The version the confirmation is based on")),
    responses((status = 200, description = "The disclosure", body = Disclosure, headers(("ETag" = String))), ConfirmProblems),
    security(("oauth2" = ["disclosures:read"]))
)]
#[post("/{id}/acknowledge")]
pub async fn acknowledge_disclosure(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    confirm(who, query, id, pre, state, Confirmation::Acknowledged).await
}

/// Confirm a disclosure destroyed
///
/// The school's board (with `disclosures:read`) or the unit confirms the school destroyed the
/// information (YCJA s. 125(7)(c)): sets `destroyed_at`. From then on the board gets 404 and an
/// `access_lost` feed entry. A repeat by the unit keeps the first time.
#[utoipa::path(
    tag = "disclosures",
    params(("id" = uuid::Uuid, Path, description = "Disclosure id"), ("If-Match" = Option<String>, Header, description = "The version the confirmation is based on")),
    responses((status = 200, description = "The disclosure", body = Disclosure, headers(("ETag" = String))), ConfirmProblems),
    security(("oauth2" = ["disclosures:read"]))
)]
#[post("/{id}/destroyed")]
pub async fn confirm_disclosure_destroyed(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    confirm(who, query, id, pre, state, Confirmation::Destroyed).await
}

/// List a person's disclosures
///
/// For the unit and officers (a board never sees a person, only the disclosures to its
/// schools): the person's disclosures the caller may see; 404 when it may not see the person.
#[utoipa::path(
    tag = "disclosures",
    params(("id" = uuid::Uuid, Path, description = "Person id"), ListParams),
    responses((status = 200, description = "One page of the person's disclosures", body = Page<Disclosure>), NestedListProblems),
    security(("oauth2" = ["disclosures:read"]))
)]
#[get("/{id}/disclosures")]
pub async fn list_person_disclosures(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context_for(Scope::DisclosuresRead, &[Role::Admin, Role::Officer])?;
    let ((), window) = query.parse(|raw| {
        let p = Params::new(raw)?;
        Ok(((), p.finish()?))
    })?;
    let person = path_id(&id)?;
    let page =
        blocking::run(&state.pool, move |conn| service::disclosures::list_for_person(conn, &ctx, person, &window))
            .await?;
    Ok(respond::ok(&page))
}
