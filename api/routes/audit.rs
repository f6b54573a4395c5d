//! `/v1/audit-events` and `/v1/persons/{id}/access-log` (admin): read-only; nothing changes
//! the audit log.

use actix_web::{get, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::audit::{AccessLogEntry, AuditEvent, AuditQuery};
use crate::domain::page::Page;
use crate::domain::query::ListParams;
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::{path_id, RawQuery};
use crate::http::respond;
use crate::openapi::{ListProblems, NestedListProblems};
use crate::service;
use crate::state::AppState;

/// List audit events
///
/// Every read and write of persons, incidents and referrals, oldest first, with the persons
/// whose information each answer carried. Refused requests the caller caused (404, 409, 412,
/// 422) are here too.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery, ListParams),
    responses((status = 200, description = "One page of audit events", body = Page<AuditEvent>), ListProblems),
    security(("oauth2" = ["audit:read"]))
)]
#[get("")]
pub async fn list_audit_events(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    who.require(Scope::AuditRead)?;
    let (q, window) = query.parse(AuditQuery::parse)?;
    let page = blocking::run(&state.pool, move |conn| service::audit::list(conn, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// A person's access log
///
/// Who looked at a child's record (MFIPPA access requests, API.md §7): every audited request
/// whose answer carried this person's information (a list page, an incident, referral,
/// outcome or disclosure naming them), newest first, with the client's name and role. It
/// answers from the id alone, also after the person is destroyed; an id never audited has an
/// empty log.
#[utoipa::path(
    tag = "audit",
    params(("id" = uuid::Uuid, Path, description = "Person id"), ListParams),
    responses((status = 200, description = "One page of the person's access log", body = Page<AccessLogEntry>), NestedListProblems),
    security(("oauth2" = ["audit:read"]))
)]
#[get("/{id}/access-log")]
pub async fn person_access_log(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    who.require(Scope::AuditRead)?;
    let window = query.parse(|raw| crate::domain::audit::parse_access_log(raw, &id))?;
    let person = path_id(&id)?;
    let page = blocking::run(&state.pool, move |conn| service::audit::access_log(conn, person, &window)).await?;
    Ok(respond::ok(&page))
}
