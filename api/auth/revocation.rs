//! Disabled clients: each instance refreshes the list from the database at least every 30 s,
//! so a disabled client's tokens are refused by every instance within 60 s (API.md §6).

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::db::Pool;
use crate::error::AppError;
use crate::http::blocking;

/// How old the cached list may get before a request refreshes it.
pub const REFRESH_EVERY: Duration = Duration::from_secs(30);

/// The cached set of disabled client ids.
pub struct Revocations {
    every: Duration,
    inner: Mutex<Option<(Instant, HashSet<Uuid>)>>,
}

impl Default for Revocations {
    fn default() -> Self {
        Self::with_interval(REFRESH_EVERY)
    }
}

impl Revocations {
    /// A cache refreshed at least every `every`.
    pub fn with_interval(every: Duration) -> Self {
        Revocations { every, inner: Mutex::new(None) }
    }

    fn cached(&self, client: Uuid) -> Option<bool> {
        let guard = self.inner.lock().ok()?;
        let (at, set) = guard.as_ref()?;
        (at.elapsed() < self.every).then(|| set.contains(&client))
    }

    /// True when `client` is disabled; refreshes the list when it is stale.
    pub async fn is_disabled(&self, pool: &Pool, client: Uuid) -> Result<bool, AppError> {
        if let Some(answer) = self.cached(client) {
            return Ok(answer);
        }
        let set = blocking::run(pool, crate::service::clients::disabled_ids).await?;
        let answer = set.contains(&client);
        if let Ok(mut guard) = self.inner.lock() {
            *guard = Some((Instant::now(), set));
        }
        Ok(answer)
    }

    /// Records a client enabled by this instance at once.
    pub fn remove(&self, client: Uuid) {
        if let Ok(mut guard) = self.inner.lock() {
            if let Some((_, set)) = guard.as_mut() {
                set.remove(&client);
            }
        }
    }

    /// Records a client disabled by this instance at once.
    pub fn add(&self, client: Uuid) {
        if let Ok(mut guard) = self.inner.lock() {
            if let Some((_, set)) = guard.as_mut() {
                set.insert(client);
            }
        }
    }
}
