//! Per-client rate limits (`RATE_LIMIT_PER_MINUTE`): a token bucket per client, in this
//! process. With several instances the limit applies per instance (a client spread over three
//! replicas may make three times as many requests); a shared store is not configured.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

/// Buckets not touched for this long are dropped (they would be full again anyway).
const IDLE: Duration = Duration::from_secs(120);

/// What a refused request is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// Whole seconds until one more request is allowed (at least 1).
    pub retry_after: u64,
    /// The limit per minute.
    pub limit: u32,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets, one per client: `limit` requests at once, refilled at `limit` per minute.
pub struct RateLimiter {
    limit: u32,
    buckets: Mutex<HashMap<Uuid, Bucket>>,
}

impl RateLimiter {
    /// A limiter allowing `limit` requests per client per minute.
    pub fn per_minute(limit: u32) -> RateLimiter {
        RateLimiter { limit: limit.max(1), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `client`'s bucket, or says how long to wait.
    pub fn check(&self, client: Uuid) -> Result<(), Refusal> {
        self.check_at(client, Instant::now())
    }

    fn check_at(&self, client: Uuid, now: Instant) -> Result<(), Refusal> {
        let capacity = f64::from(self.limit);
        let per_second = capacity / 60.0;
        // A poisoned lock only means another request panicked mid-update: the counts are still
        // usable.
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > 10_000 {
            buckets.retain(|_, b| now.saturating_duration_since(b.at) < IDLE);
        }
        let bucket = buckets.entry(client).or_insert(Bucket { tokens: capacity, at: now });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - bucket.tokens) / per_second).ceil().max(1.0);
            Err(Refusal { retry_after: wait as u64, limit: self.limit })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_limit_at_once_then_one_per_refill_and_others_are_unaffected() {
        let limiter = RateLimiter::per_minute(6);
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let t0 = Instant::now();
        for _ in 0..6 {
            assert!(limiter.check_at(a, t0).is_ok());
        }
        // Six a minute: one every ten seconds.
        assert_eq!(limiter.check_at(a, t0), Err(Refusal { retry_after: 10, limit: 6 }));
        assert!(limiter.check_at(b, t0).is_ok(), "another client has its own bucket");
        assert_eq!(limiter.check_at(a, t0 + Duration::from_secs(4)).unwrap_err().retry_after, 6);
        assert!(limiter.check_at(a, t0 + Duration::from_secs(10)).is_ok());
        assert!(limiter.check_at(a, t0 + Duration::from_secs(10)).is_err());
    }
}
