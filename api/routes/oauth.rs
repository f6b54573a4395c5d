//! `POST /oauth/token` (OAuth 2.0 client credentials, RFC 6749 §4.4) and `GET /v1/me`.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::principal::Principal;
use crate::domain::access::{scopes_to_string, Role, Scope};
use crate::domain::client::AuthFailure;
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::{Body, RawQuery, JSON_LIMIT};
use crate::service;
use crate::state::AppState;

/// The form of a token request (`application/x-www-form-urlencoded`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Always `client_credentials`.
    pub grant_type: String,
    /// The client id, unless sent by HTTP Basic.
    pub client_id: Option<String>,
    /// The client secret, unless sent by HTTP Basic.
    pub client_secret: Option<String>,
    /// Space-separated scopes to narrow the token to (default: all the client holds).
    pub scope: Option<String>,
}

/// A successful token answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// The JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    /// The scopes granted, space-separated.
    pub scope: String,
}

/// An RFC 6749 §5.2 error.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenError {
    /// `invalid_request`, `invalid_client`, `unsupported_grant_type` or `invalid_scope`.
    pub error: String,
    /// What went wrong, for a human.
    pub error_description: String,
}

fn token_error(status: u16, error: &str, description: &str) -> HttpResponse {
    let mut res = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default());
    res.insert_header((header::CACHE_CONTROL, "no-store")).insert_header((header::PRAGMA, "no-cache"));
    // RFC 6749 §5.2 allows only ASCII in `error_description`: these stay English whatever
    // `Accept-Language` asks, and say so.
    res.insert_header((header::CONTENT_LANGUAGE, "en"));
    if status == 401 {
        res.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"sro-api\""));
    }
    res.json(TokenError { error: error.into(), error_description: description.into() })
}

/// Reads `Authorization: Basic` credentials (form-urlencoded parts, RFC 6749 §2.3.1).
fn basic_credentials(req: &HttpRequest) -> Option<Option<(String, String)>> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decode = || -> Option<(String, String)> {
        let text = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
        let (id, secret) = text.split_once(':')?;
        let unescape = |s: &str| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}")).ok()?.pop().map(|(_, v)| v)
        };
        Some((unescape(id)?, unescape(secret)?))
    };
    Some(decode())
}

/// Get an access token
///
/// OAuth 2.0 client credentials grant. Client id and secret by HTTP Basic or in the form body;
/// optional `scope` to narrow the token. Errors follow RFC 6749 §5.2.
#[utoipa::path(
    tag = "auth",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A token (`Cache-Control: no-store`)", body = TokenResponse),
        (status = 400, description = "`invalid_request`, `unsupported_grant_type` or `invalid_scope`", body = TokenError),
        (status = 401, description = "`invalid_client`", body = TokenError),
        (status = 503, response = crate::openapi::ServiceUnavailable)
    )
)]
#[post("/oauth/token")]
pub async fn issue_token(req: HttpRequest, body: Body, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    if body.media_type() != Some("application/x-www-form-urlencoded") {
        return Ok(token_error(400, "invalid_request", "The body must be application/x-www-form-urlencoded."));
    }
    let Ok(bytes) = body.bytes(JSON_LIMIT) else {
        return Ok(token_error(400, "invalid_request", "The body is too large."));
    };
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes) else {
        return Ok(token_error(400, "invalid_request", "The form could not be read."));
    };
    let field = |name: &str| -> Result<Option<String>, ()> {
        let mut values = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone());
        let first = values.next();
        if values.next().is_some() {
            Err(())
        } else {
            Ok(first)
        }
    };
    let (Ok(grant), Ok(form_id), Ok(form_secret), Ok(scope)) =
        (field("grant_type"), field("client_id"), field("client_secret"), field("scope"))
    else {
        return Ok(token_error(400, "invalid_request", "A parameter was repeated."));
    };
    let (client_id, client_secret) = match (basic_credentials(&req), form_id, form_secret) {
        (Some(Some(creds)), None, None) => creds,
        (Some(Some(_)), _, _) => {
            return Ok(token_error(400, "invalid_request", "Send the client credentials one way only."))
        }
        (Some(None), _, _) => {
            return Ok(token_error(401, "invalid_client", "The Basic credentials could not be read."))
        }
        (None, Some(id), Some(secret)) => (id, secret),
        (None, _, _) => return Ok(token_error(401, "invalid_client", "Client credentials are required.")),
    };
    match grant.as_deref() {
        Some("client_credentials") => {}
        Some(_) => return Ok(token_error(400, "unsupported_grant_type", "Only client_credentials is supported.")),
        None => return Ok(token_error(400, "invalid_request", "grant_type is required.")),
    }
    let outcome = crate::auth::credentials::authenticate(&state, client_id, client_secret, scope).await?;
    let caller = match outcome {
        Ok(caller) => caller,
        Err(AuthFailure::InvalidClient) => {
            return Ok(token_error(401, "invalid_client", "Unknown client, wrong secret or disabled client."))
        }
        Err(AuthFailure::InvalidScope) => {
            return Ok(token_error(400, "invalid_scope", "A requested scope is unknown or not granted to this client."))
        }
    };
    let keys = state.keys()?;
    let settings = state.token_settings();
    let (access_token, _) =
        crate::auth::token::issue(&keys, &settings, &caller).map_err(crate::error::AppError::Internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: settings.ttl_seconds,
            scope: scopes_to_string(&caller.scopes),
        }))
}

/// Who the caller is.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    /// The client id (`sub`).
    pub client_id: Uuid,
    /// The client's name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// The board it is bound to, for a `board` client.
    pub board_id: Option<Uuid>,
    /// The officer it is bound to, for an `officer` client.
    pub officer_id: Option<Uuid>,
    /// The agency it is bound to, for an `agency` client.
    pub agency_id: Option<Uuid>,
    /// The scopes of this token.
    pub scopes: Vec<Scope>,
    /// When this token expires (UTC).
    pub expires_at: DateTime<Utc>,
}

/// Who am I
///
/// The caller's client id, name, role, binding, scopes and token expiry: for debugging an
/// integration's set-up. Any valid token.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "The caller", body = Me)),
    security(("oauth2" = []))
)]
#[get("")]
pub async fn get_me(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    query.none()?;
    let id = who.caller.client_id;
    let client = blocking::run(&state.pool, move |conn| service::clients::get(conn, id)).await?;
    let caller = who.caller;
    Ok(HttpResponse::Ok().json(Me {
        client_id: caller.client_id,
        name: client.name,
        role: caller.role,
        board_id: caller.board_id,
        officer_id: caller.officer_id,
        agency_id: caller.agency_id,
        scopes: caller.scopes.to_vec(),
        expires_at: DateTime::from_timestamp(who.expires_at, 0).unwrap_or_default(),
    }))
}
