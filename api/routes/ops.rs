//! `/healthz`, `/readyz`, `/metrics` and `/.well-known/jwks.json`.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::keys::Jwks;
use crate::db::migrate;
use crate::error::{AppError, AppResult};
use crate::http::blocking;
use crate::state::AppState;

/// A health answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok`, `ready` or `unavailable`.
    pub status: String,
}

/// Liveness
///
/// The process is up (no database check).
#[utoipa::path(tag = "operations", responses((status = 200, description = "Up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// Metrics
///
/// Prometheus text format (0.0.4): `sro_http_requests_total{method,route,status}`,
/// `sro_http_request_duration_seconds{method,route}`, `sro_db_pool_connections`,
/// `sro_db_pool_idle_connections`, `sro_db_pool_max_connections`, `sro_db_pool_wait_seconds`,
/// `sro_db_pool_timeouts_total`, `sro_token_verifications_total{outcome}`,
/// `sro_audit_events_total`. Labels are route templates and fixed words: no id, query or name.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The metrics", body = String, content_type = "text/plain; version=0.0.4"))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.state();
    let text = crate::metrics::render((pool.connections, pool.idle_connections, state.pool.max_size()));
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(text)
}

/// Readiness
///
/// The database is reachable and migrated, and the signing keys are loaded; 503 (within about
/// a second, with `Retry-After`) if not.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Not ready", body = Health, headers(("Retry-After" = String)))
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let check = blocking::run(&state.pool, |conn| migrate::is_current(conn).map_err(AppError::Unavailable)).await;
    match check {
        Ok(true) if state.is_ready() => HttpResponse::Ok().json(Health { status: "ready".into() }),
        _ => HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, "1"))
            .json(Health { status: "unavailable".into() }),
    }
}

/// Public signing keys
///
/// The ES256 keys tokens are signed with (current first, then those still accepted during a
/// rotation); `kid` is each key's RFC 7638 thumbprint.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "JSON Web Key Set", body = Jwks), (status = 503, response = crate::openapi::ServiceUnavailable))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let keys = state.keys()?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "public, max-age=300")).json(keys.jwks()))
}
