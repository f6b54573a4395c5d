//! The process's Prometheus metrics (`GET /metrics`): requests and their latency by route
//! template, the database pool, token verifications and audit events. Process-wide counters,
//! so any layer may count without carrying a handle; labels are route templates and fixed
//! words only, never an id, a query or a name.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
};

/// Every metric of the service.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_wait: Histogram,
    pool_timeouts: IntCounter,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
    tokens: IntCounterVec,
    audit_events: IntCounter,
}

/// Latency buckets, in seconds: 1 ms to the 1.9 s request deadline and beyond.
const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.9, 5.0];

fn build() -> Result<Metrics, prometheus::Error> {
    let registry = Registry::new();
    let requests = IntCounterVec::new(
        Opts::new("sro_http_requests_total", "Requests answered, by method, route template and status."),
        &["method", "route", "status"],
    )?;
    let latency = HistogramVec::new(
        HistogramOpts::new("sro_http_request_duration_seconds", "Time to answer, by method and route template.")
            .buckets(LATENCY_BUCKETS.to_vec()),
        &["method", "route"],
    )?;
    let pool_wait = Histogram::with_opts(
        HistogramOpts::new("sro_db_pool_wait_seconds", "Time a request waited for a pooled database connection.")
            .buckets(LATENCY_BUCKETS.to_vec()),
    )?;
    let pool_timeouts =
        IntCounter::new("sro_db_pool_timeouts_total", "Requests that got no database connection in time (503).")?;
    let pool_connections = IntGauge::new("sro_db_pool_connections", "Open pooled connections (in use and idle).")?;
    let pool_idle = IntGauge::new("sro_db_pool_idle_connections", "Idle pooled connections.")?;
    let pool_max = IntGauge::new("sro_db_pool_max_connections", "The pool's size (DB_POOL_SIZE).")?;
    let tokens = IntCounterVec::new(
        Opts::new("sro_token_verifications_total", "Bearer tokens checked, by outcome (accepted, refused)."),
        &["outcome"],
    )?;
    let audit_events =
        IntCounter::new("sro_audit_events_total", "Audit events written (reads and writes of personal records).")?;
    registry.register(Box::new(requests.clone()))?;
    registry.register(Box::new(latency.clone()))?;
    registry.register(Box::new(pool_wait.clone()))?;
    registry.register(Box::new(pool_timeouts.clone()))?;
    registry.register(Box::new(pool_connections.clone()))?;
    registry.register(Box::new(pool_idle.clone()))?;
    registry.register(Box::new(pool_max.clone()))?;
    registry.register(Box::new(tokens.clone()))?;
    registry.register(Box::new(audit_events.clone()))?;
    Ok(Metrics {
        registry,
        requests,
        latency,
        pool_wait,
        pool_timeouts,
        pool_connections,
        pool_idle,
        pool_max,
        tokens,
        audit_events,
    })
}

static METRICS: LazyLock<Option<Metrics>> = LazyLock::new(|| match build() {
    Ok(m) => Some(m),
    Err(e) => {
        // Only a programming error (a duplicate name) gets here; the service runs without metrics.
        log::error!("metrics are unavailable: {e}");
        None
    }
});

fn with(f: impl FnOnce(&Metrics)) {
    if let Some(m) = METRICS.as_ref() {
        f(m);
    }
}

/// The methods counted by name; any other (a fuzzer's `PROPFIND`) is `OTHER`, so labels stay few.
fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}

/// Counts one answered request.
pub fn request(method: &str, route: &str, status: u16, took: Duration) {
    with(|m| {
        let method = method_label(method);
        // Three digits on the stack: a status label costs no allocation.
        let digits = [b'0' + (status / 100 % 10) as u8, b'0' + (status / 10 % 10) as u8, b'0' + (status % 10) as u8];
        let status = std::str::from_utf8(&digits).unwrap_or("000");
        m.requests.with_label_values(&[method, route, status]).inc();
        m.latency.with_label_values(&[method, route]).observe(took.as_secs_f64());
    });
}

/// Records how long a request waited for a pooled connection, and whether it got one.
pub fn pool_checkout(waited: Duration, got_one: bool) {
    with(|m| {
        m.pool_wait.observe(waited.as_secs_f64());
        if !got_one {
            m.pool_timeouts.inc();
        }
    });
}

/// How a bearer token was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOutcome {
    /// Its signature and claims were verified.
    Accepted,
    /// It failed verification.
    Refused,
    /// It was verified earlier on this instance and has not expired (no signature check).
    Cached,
}

/// Counts one bearer token checked.
pub fn token_checked(outcome: TokenOutcome) {
    let label = match outcome {
        TokenOutcome::Accepted => "accepted",
        TokenOutcome::Refused => "refused",
        TokenOutcome::Cached => "cached",
    };
    with(|m| m.tokens.with_label_values(&[label]).inc());
}

/// Counts one audit event written.
pub fn audit_event_written() {
    with(|m| m.audit_events.inc());
}

/// The Prometheus text exposition, with the pool's current state (`connections`, `idle`, `max`).
pub fn render(pool: (u32, u32, u32)) -> String {
    let mut out = Vec::new();
    with(|m| {
        m.pool_connections.set(i64::from(pool.0));
        m.pool_idle.set(i64::from(pool.1));
        m.pool_max.set(i64::from(pool.2));
        if let Err(e) = prometheus::TextEncoder::new().encode(&m.registry.gather(), &mut out) {
            log::error!("metrics could not be encoded: {e}");
        }
    });
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(method_label("PROPFIND"), "OTHER");
        assert_eq!(method_label("PATCH"), "PATCH");
    }
}
