//! `/v1/stats/*`: counts, never records (not audited). The dashboard's small counts are
//! suppressed (`SUPPRESSION_MIN_COUNT`).

use actix_web::{get, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::{Role, Scope};
use crate::domain::stats::{
    Coverage, CoverageQuery, IncidentStats, IncidentStatsQuery, ReferralStats, ReferralStatsQuery,
};
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::RawQuery;
use crate::http::lang::AcceptLanguage;
use crate::http::respond;
use crate::openapi::ListProblems;
use crate::service;
use crate::state::AppState;

/// Incident statistics
///
/// The incidents the caller may see (a board: its schools'; the dashboard: all), counted by
/// `group_by` over the period `from` (inclusive) to `to` (exclusive) of `occurred_at`. Groups
/// with no incident are left out; `data` is ordered by `key`. For the `dashboard` role a count
/// from 1 to `SUPPRESSION_MIN_COUNT` − 1 (default 5) is null with `suppressed: true`; if that
/// leaves one suppressed group, the smallest other group is suppressed too; `total` is null
/// (`total_suppressed: true`) when it would reveal a suppressed count. A role that never sees
/// incidents (agency) is 403.
#[utoipa::path(
    tag = "stats",
    params(IncidentStatsQuery, ("Accept-Language" = Option<String>, Header, description = "`fr` or `fr-CA` for French labels")),
    responses((status = 200, description = "Incident counts by group", body = IncidentStats, headers(("Content-Language" = String, description = "`en` or `fr`"))), ListProblems),
    security(("oauth2" = ["stats:read"]))
)]
#[get("/incidents")]
pub async fn incident_stats(
    who: Principal,
    query: RawQuery,
    lang: AcceptLanguage,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let mut ctx = who.context_for(Scope::StatsRead, &[Role::Admin, Role::Dashboard, Role::Board, Role::Officer])?;
    ctx.lang = lang.0;
    let q = query.parse(IncidentStatsQuery::parse)?;
    let min_count = state.config.suppression_min_count;
    let answer = blocking::run(&state.pool, move |conn| service::stats::incidents(conn, &ctx, &q, min_count)).await?;
    Ok(respond::ok_in(&answer, lang.0))
}

/// Referral statistics
///
/// The referrals the caller may see (the dashboard: all), counted by `group_by` over the
/// period `from` (inclusive) to `to` (exclusive) of `created_at`, each group with the median
/// hours from creation to the first acknowledgement. Suppression as for incidents (a suppressed
/// group's median is null too). A school board, which never sees referrals, is 403.
#[utoipa::path(
    tag = "stats",
    params(ReferralStatsQuery, ("Accept-Language" = Option<String>, Header, description = "`fr` or `fr-CA` for French labels")),
    responses((status = 200, description = "Referral counts by group", body = ReferralStats, headers(("Content-Language" = String, description = "`en` or `fr`"))), ListProblems),
    security(("oauth2" = ["stats:read"]))
)]
#[get("/referrals")]
pub async fn referral_stats(
    who: Principal,
    query: RawQuery,
    lang: AcceptLanguage,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let mut ctx = who.context_for(Scope::StatsRead, &[Role::Admin, Role::Dashboard, Role::Officer, Role::Agency])?;
    ctx.lang = lang.0;
    let q = query.parse(ReferralStatsQuery::parse)?;
    let min_count = state.config.suppression_min_count;
    let answer = blocking::run(&state.pool, move |conn| service::stats::referrals(conn, &ctx, &q, min_count)).await?;
    Ok(respond::ok_in(&answer, lang.0))
}

/// SRO coverage
///
/// Today's coverage of the open schools the caller sees (a board: its own), by board (private
/// schools form the group `private`): schools, schools with a primary SRO in force today
/// (Ottawa time), the officers who are those SROs and schools per officer; the whole-city (or
/// whole-board) figures are at the top level, with the active officers of the directory.
/// Schools and officers are not persons: nothing is suppressed.
#[utoipa::path(
    tag = "stats",
    params(CoverageQuery, ("Accept-Language" = Option<String>, Header, description = "`fr` or `fr-CA` for French labels")),
    responses((status = 200, description = "Schools and their SROs by board", body = Coverage, headers(("Content-Language" = String, description = "`en` or `fr`"))), ListProblems),
    security(("oauth2" = ["stats:read"]))
)]
#[get("/coverage")]
pub async fn coverage_stats(
    who: Principal,
    query: RawQuery,
    lang: AcceptLanguage,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let mut ctx = who.context(Scope::StatsRead)?;
    ctx.lang = lang.0;
    let q = query.parse(CoverageQuery::parse)?;
    let answer = blocking::run(&state.pool, move |conn| service::stats::coverage(conn, &ctx, &q)).await?;
    Ok(respond::ok_in(&answer, lang.0))
}
