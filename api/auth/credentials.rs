//! Checking a client's id and secret for `/oauth/token`. The endpoint needs no token, so anyone
//! can call it: the client row is read with a pooled connection that is released before the
//! slow Argon2 hash runs, off the executor and under a semaphore sized to the cores, so a burst
//! of token requests can exhaust neither the pool nor the memory (7 MiB per hash).

use std::time::Duration;

use crate::domain::access::Caller;
use crate::domain::client::AuthFailure;
use crate::domain::secret;
use crate::error::{AppError, AppResult};
use crate::http::blocking;
use crate::service;
use crate::state::AppState;

/// How long a token request waits for a hashing slot before 503.
pub const HASH_WAIT: Duration = Duration::from_secs(10);

/// Slots for concurrent hashing: one per core.
pub fn hashing_slots() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

/// Checks the credentials and narrows the scopes to `scope` (if given).
pub async fn authenticate(
    state: &AppState,
    client_id: String,
    client_secret: String,
    scope: Option<String>,
) -> AppResult<Result<Caller, AuthFailure>> {
    let found = blocking::run(&state.pool, move |conn| service::clients::for_token(conn, &client_id)).await?;
    let permit = tokio::time::timeout(HASH_WAIT, state.hashing.clone().acquire_owned())
        .await
        .map_err(|_| AppError::Unavailable("no hashing slot for a token request in time".into()))?
        .map_err(|_| AppError::Internal("hashing semaphore closed".into()))?;
    let client = actix_web::web::block(move || {
        let _permit = permit;
        match found {
            Some(found) if secret::verify(&client_secret, &found.secret_hash) => Some(found.client),
            Some(_) => None,
            None => {
                // Spend the time a real check would, so unknown ids are not told by timing.
                secret::verify_dummy(&client_secret);
                None
            }
        }
    })
    .await?;
    Ok(match client {
        Some(client) if client.active => client.grant(scope.as_deref()),
        _ => Err(AuthFailure::InvalidClient),
    })
}
