//! The webhook worker: every instance runs one. Each round it claims a few subscriptions with
//! work (`service::webhooks::claim`), fans out their new feed entries into the queue, and sends
//! each one's due notices in `seq` order, one at a time, stopping at the first failure (the
//! rest wait behind it, so the order holds across retries).

use std::time::Duration;

use chrono::NaiveDateTime;

use super::sender::Sender;
use crate::db::rows::WebhookRow;
use crate::domain::webhook::{signature, DeliveryOutcome};
use crate::error::AppError;
use crate::http::blocking;
use crate::service::webhooks::{self, AttemptResult};
use crate::state::AppState;

/// Subscriptions claimed per round.
const CLAIM: i64 = 8;
/// Notices sent per subscription per round, so one busy subscription does not hold its lease
/// for long.
const NOTICES_PER_ROUND: usize = 10;
/// How often the worker looks for work when it found none.
pub const POLL_EVERY: Duration = Duration::from_secs(1);

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Subscriptions claimed.
    pub claimed: usize,
    /// Notices queued by fan-out.
    pub queued: usize,
    /// POSTs answered 2xx.
    pub delivered: usize,
    /// POSTs that failed (retried later, or given up).
    pub failed: usize,
}

/// One instance's webhook worker.
#[derive(Clone)]
pub struct Worker {
    state: AppState,
    sender: Sender,
    instance: String,
}

impl Worker {
    /// A worker for this instance (its own name, for the leases).
    pub fn new(state: AppState) -> Result<Worker, String> {
        let config = &state.config;
        let sender = Sender::new(Duration::from_secs(config.webhook_timeout_seconds), config.webhook_allow_insecure)?;
        Ok(Worker { state, sender, instance: format!("{}-{}", std::process::id(), crate::domain::new_id()) })
    }

    /// How long a claim lasts: enough for a round's POSTs at their timeout.
    fn lease(&self) -> chrono::Duration {
        let per_post = self.state.config.webhook_timeout_seconds as i64 + 5;
        chrono::Duration::seconds(per_post * (NOTICES_PER_ROUND as i64 + 1))
    }

    /// One round at `now` (the clock is a parameter so that tests can step over the backoff).
    pub async fn round(&self, now: NaiveDateTime) -> Result<Round, AppError> {
        let (instance, until) = (self.instance.clone(), now + self.lease());
        let claimed =
            blocking::run(&self.state.pool, move |conn| webhooks::claim(conn, &instance, now, until, CLAIM)).await?;
        let mut round = Round { claimed: claimed.len(), ..Round::default() };
        let results = futures_util::future::join_all(claimed.into_iter().map(|hook| self.serve(hook, now))).await;
        for result in results {
            match result {
                Ok(one) => {
                    round.queued += one.queued;
                    round.delivered += one.delivered;
                    round.failed += one.failed;
                }
                Err(err) => log::warn!("webhook round: {err}"),
            }
        }
        Ok(round)
    }

    /// Fans out and sends one claimed subscription's notices, then releases it.
    async fn serve(&self, hook: WebhookRow, now: NaiveDateTime) -> Result<Round, AppError> {
        let outcome = self.serve_claimed(&hook, now).await;
        let (id, instance) = (hook.id.clone(), self.instance.clone());
        blocking::run(&self.state.pool, move |conn| webhooks::release(conn, &id, &instance)).await?;
        outcome
    }

    async fn serve_claimed(&self, hook: &WebhookRow, now: NaiveDateTime) -> Result<Round, AppError> {
        let pool = &self.state.pool;
        let mut round = Round::default();
        let (h, instance) = (hook.clone(), self.instance.clone());
        round.queued = blocking::run(pool, move |conn| webhooks::fan_out(conn, &h, &instance, now)).await?;
        for _ in 0..NOTICES_PER_ROUND {
            let id = hook.id.clone();
            let Some(notice) = blocking::run(pool, move |conn| webhooks::due_notice(conn, &id, now)).await? else {
                break;
            };
            let (h, n) = (hook.clone(), notice.clone());
            let Some(body) = blocking::run(pool, move |conn| webhooks::notice_now(conn, &h, &n, now)).await? else {
                break;
            };
            let bytes = serde_json::to_vec(&body).map_err(|e| AppError::Internal(e.to_string()))?;
            let secrets = webhooks::signing_secrets(hook, now);
            let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
            // `t` is the wall clock: receivers compare it with theirs.
            let signed = signature(&secrets, chrono::Utc::now().timestamp(), &bytes);
            let answer = self.sender.post(&hook.url, &notice.id, &signed, bytes).await;
            let result = AttemptResult {
                started: now,
                duration_ms: i32::try_from(answer.elapsed.as_millis()).unwrap_or(i32::MAX),
                status: answer.status,
                error: answer.error,
                op: body.op,
            };
            let delivered = result.delivered();
            let (h, n, instance) = (hook.clone(), notice.clone(), self.instance.clone());
            let outcome =
                blocking::run(pool, move |conn| webhooks::record(conn, &h, &n, &result, &instance, now)).await?;
            if delivered {
                round.delivered += 1;
            } else {
                round.failed += 1;
            }
            if outcome != Some(DeliveryOutcome::Delivered) {
                break;
            }
        }
        Ok(round)
    }
}

/// Runs the worker on a thread of its own until the process ends: a round, then a pause of
/// [`POLL_EVERY`] unless the round had work (then at once).
pub fn start(state: AppState) -> Result<(), String> {
    if state.config.webhook_allow_insecure {
        log::warn!(
            "WEBHOOK_ALLOW_INSECURE=true: webhook URLs may be http:// and point to loopback or private \
             addresses; for development and tests only"
        );
    }
    let worker = Worker::new(state)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("the webhook worker's runtime: {e}"))?;
    std::thread::Builder::new()
        .name("webhooks".into())
        .spawn(move || {
            runtime.block_on(async move {
                loop {
                    let busy = match worker.round(crate::domain::time::now()).await {
                        Ok(round) => round.claimed > 0 && (round.delivered > 0 || round.queued > 0),
                        Err(err) => {
                            log::warn!("webhook worker: {err}");
                            false
                        }
                    };
                    if !busy {
                        tokio::time::sleep(POLL_EVERY).await;
                    }
                }
            })
        })
        .map_err(|e| format!("the webhook worker's thread: {e}"))?;
    Ok(())
}
