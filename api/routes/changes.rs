//! `/v1/changes`: the change feed, filtered to what the caller may see when it reads.

use actix_web::{get, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::change::{ChangesHead, ChangesPage, ChangesQuery};
use crate::domain::page::DEFAULT_LIMIT;
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::RawQuery;
use crate::http::respond;
use crate::openapi::FeedProblems;
use crate::service;
use crate::state::AppState;

/// Read the change feed
///
/// Every create, update and delete the caller may see, in commit order. Poll with the last
/// `next_after`: no change is missed and none is seen twice, however many writers commit at
/// once. A record that leaves the caller's view shows once as `access_lost`. Entries older than
/// `CHANGES_RETENTION_DAYS` are pruned; an `after` before them is 410 `resync-required`.
#[utoipa::path(
    tag = "changes",
    params(ChangesQuery),
    responses((status = 200, description = "One page of the feed", body = ChangesPage), FeedProblems),
    security(("oauth2" = ["changes:read"]))
)]
#[get("")]
pub async fn list_changes(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::ChangesRead)?;
    let q = query.parse(ChangesQuery::parse)?;
    let (after, limit) = (q.after.unwrap_or(0), q.limit.unwrap_or(DEFAULT_LIMIT));
    let page = blocking::run(&state.pool, move |conn| service::changes::page(conn, &ctx, after, limit)).await?;
    Ok(respond::ok(&page))
}

/// The feed's head
///
/// The last number handed out. A client that reloads everything takes this first, then polls
/// the feed with `after` set to it.
#[utoipa::path(
    tag = "changes",
    responses((status = 200, description = "The current position", body = ChangesHead)),
    security(("oauth2" = ["changes:read"]))
)]
#[get("/head")]
pub async fn changes_head(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    who.context(Scope::ChangesRead)?;
    query.none()?;
    let seq = blocking::run(&state.pool, service::changes::head).await?;
    Ok(respond::ok(&ChangesHead { seq }))
}
