//! `/v1/retention/runs` (admin): the record of each retention pass (API.md §7), counts only.

use actix_web::{get, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::page::Page;
use crate::domain::query::{ListParams, Params};
use crate::domain::retention::RetentionRun;
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::RawQuery;
use crate::http::respond;
use crate::openapi::ListProblems;
use crate::service;
use crate::state::AppState;

/// List retention runs
///
/// Every pass of `sro-api purge` and of the daily pass at `PURGE_AT`, newest first: how many
/// persons were sealed, destroyed, kept by a legal hold, or failed (tried again next time).
#[utoipa::path(
    tag = "retention",
    params(ListParams),
    responses((status = 200, description = "One page of retention runs", body = Page<RetentionRun>), ListProblems),
    security(("oauth2" = ["retention:admin"]))
)]
#[get("/runs")]
pub async fn list_retention_runs(
    who: Principal,
    query: RawQuery,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    who.require(Scope::RetentionAdmin)?;
    let window = query.parse(|raw| Params::new(raw)?.finish())?;
    let page = blocking::run(&state.pool, move |conn| service::retention::runs(conn, &window)).await?;
    Ok(respond::ok(&page))
}
