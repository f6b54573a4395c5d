//! Database work off the async executor: a pooled connection inside `web::block`, under a
//! deadline, so that a stalled database gives 503 within 2 s instead of a hang (API.md §6).

use std::time::Duration;

use crate::db::{deadline, DbConn, Pool};
use crate::error::AppError;

/// How long a request's database work may take, checkout included, before the caller gets 503.
/// The server-side timeouts set on every PostgreSQL connection (`db::pool`) are shorter, so a
/// slow statement or a held lock is normally cancelled by the server first (and rolled back);
/// this bound is for a network that stalls with the sockets still open.
pub const DEADLINE: Duration = deadline::REQUEST;

/// The deadline of an import (up to 5,000 upserts in one transaction); each of its statements
/// is still bounded by the server-side timeouts.
pub const IMPORT_DEADLINE: Duration = Duration::from_secs(120);

/// Runs blocking database work with a connection from the pool, within [`DEADLINE`].
pub async fn run<T, F>(pool: &Pool, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    run_within(pool, DEADLINE, work).await
}

/// Like [`run`] with its own deadline (the import of 5,000 rows takes longer than a request).
pub async fn run_within<T, F>(pool: &Pool, deadline: Duration, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let until = std::time::Instant::now() + deadline;
    // Checkout blocks, so it happens inside the blocking closure too.
    let task = actix_web::web::block(move || {
        deadline::within(until, || {
            let asked = std::time::Instant::now();
            let checkout = pool.get();
            crate::metrics::pool_checkout(asked.elapsed(), checkout.is_ok());
            let mut conn = checkout?;
            work(&mut conn)
        })
    });
    match tokio::time::timeout(deadline, task).await {
        Ok(result) => result?,
        // The thread goes on until the driver returns; the server-side timeouts end its
        // transaction, so an abandoned write is rolled back rather than committed later.
        Err(_) => Err(AppError::Unavailable(format!("database work took longer than {deadline:?}"))),
    }
}
