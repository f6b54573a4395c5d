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
    let openapi = OpenApiText::render();
    let known = KnownRoutes::from_document(&crate::openapi::document());
    let server = actix_web::HttpServer::new(move || app::build(state.clone(), openapi.clone(), known.clone()))
        .listen(listener)
        .map_err(|e| e.to_string())?
        // In-flight requests get this long to finish after SIGTERM/SIGINT.
        .shutdown_timeout(grace)
        .run();
    Ok(Bound { addr, server })
}

/// `sro-api serve`: runs until SIGINT or SIGTERM, then drains in-flight requests.
pub async fn serve(config: Config) -> Result<(), String> {
    log::info!("database {}", redact_url(&config.database_url));
    let bind_addr = config.bind_addr.clone();
    let (state, _) = prepare(config)?;
    let bound = bind(state, &bind_addr)?;
    log::info!("listening on http://{}", bound.addr);
    bound.server.await.map_err(|e| e.to_string())
}
