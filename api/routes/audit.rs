//! `/v1/audit-events` (admin): read-only; nothing changes the audit log.

use actix_web::{get, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::audit::{AuditEvent, AuditQuery};
use crate::domain::page::Page;
use crate::domain::query::ListParams;
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::RawQuery;
use crate::http::respond;
use crate::openapi::ListProblems;
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
#[get("/audit-events")]
pub async fn list_audit_events(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    who.require(Scope::AuditRead)?;
    let (q, window) = query.parse(AuditQuery::parse)?;
    let page = blocking::run(&state.pool, move |conn| service::audit::list(conn, &q, &window)).await?;
    Ok(respond::ok(&page))
}
