//! What every request handler shares: the pool, the settings, the keys and readiness.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use crate::auth::keys::KeyRing;
use crate::auth::revocation::Revocations;
use crate::auth::token::TokenSettings;
use crate::config::Config;
use crate::db::Pool;
use crate::error::AppError;

/// Shared state of one process; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub pool: Pool,
    /// Settings.
    pub config: Arc<Config>,
    /// Signing and verification keys; set once the database could be read at start.
    pub keys: Arc<OnceLock<Arc<KeyRing>>>,
    /// Disabled clients, refreshed from the database.
    pub revocations: Arc<Revocations>,
    /// True once migrations are applied and keys loaded.
    pub ready: Arc<AtomicBool>,
    /// Slots for verifying client secrets (Argon2), one per core.
    pub hashing: Arc<tokio::sync::Semaphore>,
    /// Requests being answered now (for the shutdown report).
    pub in_flight: Arc<AtomicUsize>,
    /// Per-client request limits, when `RATE_LIMIT_PER_MINUTE` is set.
    pub rate_limiter: Option<Arc<crate::http::rate_limit::RateLimiter>>,
    /// Tokens already verified on this instance (skips the signature check on their next use).
    pub verified: Arc<crate::auth::verified::Verified>,
    /// How each HTTP worker opens its pipelined read connection (PostgreSQL; off on SQLite).
    pub reads: crate::db::reader::ReaderConfig,
}

impl AppState {
    /// New state; not ready until [`crate::server::bootstrap`] has run.
    pub fn new(pool: Pool, config: Config) -> Self {
        let reads = crate::db::Backend::from_url(&config.database_url)
            .map(|backend| crate::db::reader::ReaderConfig::for_backend(&backend))
            .unwrap_or_default();
        let rate_limiter =
            config.rate_limit_per_minute.map(|limit| Arc::new(crate::http::rate_limit::RateLimiter::per_minute(limit)));
        AppState {
            pool,
            config: Arc::new(config),
            keys: Arc::new(OnceLock::new()),
            revocations: Arc::new(Revocations::default()),
            ready: Arc::new(AtomicBool::new(false)),
            hashing: Arc::new(tokio::sync::Semaphore::new(crate::auth::credentials::hashing_slots())),
            in_flight: Arc::new(AtomicUsize::new(0)),
            rate_limiter,
            verified: Arc::new(crate::auth::verified::Verified::default()),
            reads,
        }
    }

    /// The key ring, or 503 while start-up has not reached the database yet.
    pub fn keys(&self) -> Result<Arc<KeyRing>, AppError> {
        self.keys.get().cloned().ok_or_else(|| AppError::Unavailable("signing keys not loaded yet".into()))
    }

    /// Issuer, audience and lifetime of tokens.
    pub fn token_settings(&self) -> TokenSettings {
        TokenSettings {
            issuer: self.config.jwt_issuer.clone(),
            audience: self.config.jwt_audience.clone(),
            ttl_seconds: self.config.token_ttl_seconds,
        }
    }

    /// True once start-up work is done.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Marks start-up work done.
    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }
}
