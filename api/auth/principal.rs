//! The `Principal` extractor: a verified bearer token, or 401.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::token;
use super::verified::TokenKey;
use crate::domain::access::{Caller, Role, Scope};
use crate::domain::context::Context;
use crate::error::AppError;
use crate::state::AppState;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    /// Who is calling.
    pub caller: Caller,
    /// When the token expires (seconds since the epoch).
    pub expires_at: i64,
}

impl Principal {
    /// The caller, if the token carries `scope`; else 403.
    pub fn require(&self, scope: Scope) -> Result<&Caller, AppError> {
        if self.caller.has(scope) {
            Ok(&self.caller)
        } else {
            Err(AppError::Forbidden(crate::msg!("needs_scope", scope = scope)))
        }
    }
}

impl Principal {
    /// The request context, if the token carries `scope`; else 403.
    pub fn context(&self, scope: Scope) -> Result<Context, AppError> {
        self.require(scope)?;
        let request_id = crate::http::request_id::current().unwrap_or_default();
        Ok(Context::new(self.caller.clone(), request_id))
    }

    /// Like [`Principal::context`], and 403 for a role that can never use the endpoint even
    /// with the scope (an officer creating a service request, an agency creating a referral).
    pub fn context_for(&self, scope: Scope, roles: &[Role]) -> Result<Context, AppError> {
        let ctx = self.context(scope)?;
        if roles.contains(&ctx.caller.role) {
            Ok(ctx)
        } else {
            Err(AppError::Forbidden(crate::msg!("role_cannot_use_endpoint", role = ctx.caller.role)))
        }
    }
}

/// A bearer token as the cache found it.
enum Seen {
    /// Verified on this instance before and not expired: its caller and expiry.
    Known((Caller, i64)),
    /// Not in the cache: its key and the token itself, to be verified.
    Unknown(TokenKey, String),
}

fn invalid() -> AppError {
    AppError::Unauthorized(crate::msg!("token_invalid"))
}

impl FromRequest for Principal {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Already verified (and counted against the rate limit) by the idempotency middleware.
        if let Some(known) = req.extensions().get::<Principal>().cloned() {
            return Box::pin(async move { Ok(known) });
        }
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim);
        // Hashed and looked up here, while the header can be borrowed: a token seen before is
        // never copied, and only an unknown one is taken along to be verified.
        let now = chrono::Utc::now().timestamp();
        let seen = match (&state, bearer) {
            (Some(state), Some(token)) => {
                let key = TokenKey::of(token);
                Some(match state.verified.get(&key, now) {
                    Some(known) => Seen::Known(known),
                    None => Seen::Unknown(key, token.to_owned()),
                })
            }
            _ => None,
        };
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal("state missing".into()))?;
            let (caller, expires_at) = match seen.ok_or_else(invalid)? {
                Seen::Known(known) => {
                    crate::metrics::token_checked(crate::metrics::TokenOutcome::Cached);
                    known
                }
                Seen::Unknown(key, token) => {
                    let keys = state.keys()?;
                    let verified = token::verify(&keys, &state.token_settings(), &token);
                    crate::metrics::token_checked(if verified.is_ok() {
                        crate::metrics::TokenOutcome::Accepted
                    } else {
                        crate::metrics::TokenOutcome::Refused
                    });
                    let (caller, expires_at) = verified.map_err(|reason| {
                        log::debug!("token refused: {reason}");
                        invalid()
                    })?;
                    state.verified.put(key, caller.clone(), expires_at, now);
                    (caller, expires_at)
                }
            };
            if state.revocations.is_disabled(&state.pool, caller.client_id).await? {
                return Err(invalid());
            }
            if let Some(limiter) = &state.rate_limiter {
                limiter
                    .check(caller.client_id)
                    .map_err(|r| AppError::RateLimited { retry_after: r.retry_after, limit: r.limit })?;
            }
            Ok(Principal { caller, expires_at })
        })
    }
}
