//! Start-up (migrations, keys), binding (port 0 allowed) and graceful shutdown.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use crate::app::{self, OpenApiText};
use crate::auth::keys::{pem_or_path, KeyRing};
use crate::config::{redact_url, Config};
use crate::db::pool::{self, Manager};
use crate::db::{migrate, Backend};
use crate::http::methods::KnownRoutes;
use crate::state::AppState;

/// How long before the end of the grace period the shutdown report counts unfinished requests.
const SNAPSHOT_EARLY: Duration = Duration::from_millis(100);

/// How long to wait between start-up attempts while the database is down.
const RETRY_EVERY: Duration = Duration::from_secs(2);

/// Reads `JWT_PREVIOUS_KEYS` entries (PEM text or paths); each must be a P-256 public key.
fn previous_keys(config: &Config) -> Result<Vec<String>, String> {
    let pems: Vec<String> = config
        .jwt_previous_keys
        .iter()
        .map(|v| pem_or_path(v).map_err(|e| format!("JWT_PREVIOUS_KEYS: {e}")))
        .collect::<Result<_, _>>()?;
    crate::auth::keys::check_public_keys(&pems)?;
    Ok(pems)
}

/// The key ring from `JWT_SIGNING_KEY`, if configured; `JWT_PREVIOUS_KEYS` is checked either
/// way, so a bad key stops the process at start instead of leaving it answering 503.
pub fn configured_keys(config: &Config) -> Result<Option<KeyRing>, String> {
    let previous = previous_keys(config)?;
    match &config.jwt_signing_key {
        None => Ok(None),
        Some(value) => {
            let pem = pem_or_path(value).map_err(|e| format!("JWT_SIGNING_KEY: {e}"))?;
            KeyRing::new(&pem, &previous).map(Some)
        }
    }
}

/// Applies migrations and loads the generated signing key if none is configured; marks ready.
pub fn bootstrap(state: &AppState, backend: &Backend) -> Result<(), String> {
    let mut conn = Manager::new(backend.clone()).open().map_err(|e| e.to_string())?;
    let applied = migrate::run_pending(&mut conn)?;
    if !applied.is_empty() {
        log::info!("applied migrations: {}", applied.join(", "));
    }
    if state.keys.get().is_none() {
        let pem = crate::service::signing_key::load_or_create(&mut conn, crate::auth::keys::generate_private_pem)?;
        let ring = KeyRing::new(&pem, &previous_keys(&state.config)?)?;
        let _ = state.keys.set(Arc::new(ring));
        log::warn!(
            "no JWT_SIGNING_KEY set: using the key kept in the database (fine for development; set one in production)"
        );
    }
    state.set_ready();
    Ok(())
}

/// Builds the state for `config` and runs start-up once; if the database is down, start-up is
/// retried in the background while the service answers 503.
pub fn prepare(config: Config) -> Result<(AppState, Backend), String> {
    let backend = Backend::from_url(&config.database_url)?;
    let pool = pool::build(&backend, config.db_pool_size);
    let keys = configured_keys(&config)?;
    let state = AppState::new(pool, config);
    if let Some(ring) = keys {
        let _ = state.keys.set(Arc::new(ring));
    }
    if let Err(err) = bootstrap(&state, &backend) {
        log::warn!("database not ready ({err}); retrying every {}s", RETRY_EVERY.as_secs());
        let (state, backend) = (state.clone(), backend.clone());
        std::thread::spawn(move || {
            while let Err(err) = bootstrap(&state, &backend) {
                log::debug!("start-up retry failed: {err}");
                std::thread::sleep(RETRY_EVERY);
            }
            log::info!("database ready");
        });
    }
    Ok((state, backend))
}

/// A bound, not yet running server.
pub struct Bound {
    /// The address it listens on (the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// The server future; resolves when it has shut down.
    pub server: actix_web::dev::Server,
}

/// Binds the HTTP server for `state` on `bind_addr`.
pub fn bind(state: AppState, bind_addr: &str) -> Result<Bound, String> {
    let listener = TcpListener::bind(bind_addr).map_err(|e| format!("cannot listen on {bind_addr}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let grace = state.config.shutdown_grace_seconds;
    // Database work runs on each worker's blocking threads and always needs a pooled connection:
    // more threads than connections only wait in the pool, each with its own stack and malloc
    // arena (memory), so a worker gets as many as the pool has connections.
    let blocking_threads = (state.config.db_pool_size as usize).max(2);
    let openapi = OpenApiText::committed();
    let known = KnownRoutes::from_json(openapi.0)?;
    // One HTTP worker per two cores unless set: the database work runs on the blocking threads
    // and PostgreSQL's own processes, so one event loop keeps two cores busy, and its requests
    // share one pipelined read connection (issue 11's sweep, bench/README.md).
    let workers = match state.config.http_workers {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get().div_ceil(2)),
        n => n,
    };
    let server = actix_web::HttpServer::new(move || app::build(state.clone(), openapi, known.clone()))
        .workers(workers)
        .worker_max_blocking_threads(blocking_threads)
        .listen(listener)
        .map_err(|e| e.to_string())?
        // In-flight requests get this long to finish once stopped; `serve` handles the signals
        // itself (so it can report what the grace period cut off).
        .shutdown_timeout(grace)
        .disable_signals()
        .run();
    Ok(Bound { addr, server })
}

/// How often the housekeeping pass runs.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(3600);

/// Prunes change-feed entries older than `CHANGES_RETENTION_DAYS` and idempotency keys older than
/// 24 hours, webhook deliveries older than 30 days, and announces expired disclosures, now and
/// every hour, on a thread of its own.
/// Every instance runs it: each step is idempotent (an expiry is marked once, checked again in
/// its transaction), so instances running it at once only repeat each other's work.
fn start_housekeeping(state: AppState) {
    std::thread::spawn(move || loop {
        match housekeeping(&state) {
            Ok((entries, keys)) if entries + keys > 0 => {
                log::info!("housekeeping: pruned {entries} feed entries and {keys} idempotency keys")
            }
            Ok(_) => {}
            Err(err) => log::warn!("housekeeping failed (retried in an hour): {err}"),
        }
        std::thread::sleep(HOUSEKEEPING_EVERY);
    });
}

/// Runs the retention pass (API.md §7) every day at `PURGE_AT` (city time), on a thread of its
/// own; with several instances the PostgreSQL advisory lock lets one run it and the others skip.
fn start_daily_purge(state: AppState) {
    let Some(at) = state.config.purge_at else {
        log::info!("the daily retention pass is off (PURGE_AT=off)");
        return;
    };
    std::thread::spawn(move || loop {
        let next = crate::domain::time::next_local(chrono::Utc::now(), at);
        let wait = (next - chrono::Utc::now()).to_std().unwrap_or(Duration::from_secs(60));
        std::thread::sleep(wait);
        // A connection of its own, without the request timeouts of the pool (like the CLI's):
        // a destruction may take longer than a request may.
        let outcome = crate::db::Backend::from_url(&state.config.database_url)
            .and_then(|backend| crate::db::pool::Manager::new(backend).open().map_err(|e| e.to_string()))
            .map_err(crate::error::AppError::Unavailable)
            .and_then(|mut conn| {
                let ctx = crate::domain::context::Context::system("retention-pass");
                crate::service::retention::pass_exclusive(&mut conn, &ctx, state.config.retention(), false)
            });
        match outcome {
            Ok(Some(report)) => log::info!(
                "retention pass: {} sealed, {} destroyed, {} held, {} errors",
                report.sealed.len(),
                report.destroyed.len(),
                report.held.len(),
                report.errors
            ),
            Ok(None) => log::info!("retention pass: another instance is running it"),
            // Tried again tomorrow; `sro-api purge` runs it by hand.
            Err(err) => log::warn!("retention pass failed: {err}"),
        }
    });
}

/// One housekeeping pass: (feed entries pruned, idempotency keys purged); also announces the
/// disclosures whose `destroy_by` has passed (`service::disclosures::expire`).
pub fn housekeeping(state: &AppState) -> Result<(usize, usize), crate::error::AppError> {
    let mut conn = state.pool.get().map_err(|e| crate::error::AppError::Unavailable(e.to_string()))?;
    let now = crate::domain::time::now();
    let entries =
        crate::service::changes::prune(&mut conn, now - chrono::Duration::days(state.config.changes_retention_days))?;
    let keys = crate::service::idempotency::purge(
        &mut conn,
        now - chrono::Duration::hours(crate::domain::idempotency::KEEP_HOURS),
    )?;
    let deliveries =
        crate::service::webhooks::prune(&mut conn, now - chrono::Duration::days(crate::domain::webhook::KEEP_DAYS))?;
    if deliveries > 0 {
        log::info!("housekeeping: pruned {deliveries} webhook notices and attempts older than 30 days");
    }
    // No write happens when a disclosure's destroy_by passes; this pass tells the boards' feeds.
    let expired =
        crate::service::disclosures::expire(&mut conn, &crate::domain::context::Context::system("housekeeping"))?;
    if expired > 0 {
        log::info!("housekeeping: {expired} disclosure(s) past destroy_by left their board's view");
    }
    Ok((entries, keys))
}

/// `sro-api serve`: runs until SIGINT or SIGTERM, then drains in-flight requests for
/// `SHUTDOWN_GRACE_SECONDS`; an error (non-zero exit) if the grace period cut any off.
pub async fn serve(config: Config) -> Result<(), String> {
    log::info!("database {}", redact_url(&config.database_url));
    let bind_addr = config.bind_addr.clone();
    let grace = Duration::from_secs(config.shutdown_grace_seconds);
    let (state, _) = prepare(config)?;
    let in_flight = state.in_flight.clone();
    start_housekeeping(state.clone());
    start_daily_purge(state.clone());
    crate::push::worker::start(state.clone())?;
    let bound = bind(state, &bind_addr)?;
    // Installed before the address is announced, so a signal sent at once stops the server
    // gracefully instead of killing the process.
    let stop = stop_signal()?;
    let handle = bound.server.handle();
    log::info!("listening on http://{}", bound.addr);
    // On the signal: a graceful stop, and a note of what is still running just before the grace
    // period ends, which the server then abandons (dropping it).
    let watcher = actix_web::rt::spawn(async move {
        stop.await;
        log::info!("stopping: in-flight requests have {}s to finish", grace.as_secs());
        actix_web::rt::spawn(async move { handle.stop(true).await });
        actix_web::rt::time::sleep(grace.saturating_sub(SNAPSHOT_EARLY)).await;
        in_flight.load(std::sync::atomic::Ordering::SeqCst)
    });
    bound.server.await.map_err(|e| e.to_string())?;
    // Finished only if the grace period ran out; a drained server stops before that.
    let abandoned = match tokio::time::timeout(SNAPSHOT_EARLY * 2, watcher).await {
        Ok(Ok(count)) => count,
        _ => 0,
    };
    if abandoned > 0 {
        log::error!("shutdown abandoned {abandoned} request(s) still running after the grace period");
        return Err(format!("shutdown abandoned {abandoned} request(s) after {}s", grace.as_secs()));
    }
    log::info!("stopped; every request was answered");
    Ok(())
}

/// A future that resolves on SIGINT or SIGTERM; the handlers are installed when this returns.
fn stop_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).map_err(|e| format!("cannot handle SIGTERM: {e}"))?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| format!("cannot handle SIGINT: {e}"))?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}
