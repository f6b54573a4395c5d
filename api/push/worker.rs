//! The webhook worker: every instance runs one. Each round it claims a few subscriptions with
//! work (`service::webhooks::claim`), fans out their new feed entries into the queue, and sends
//! each one's due notices in `seq` order, one at a time, stopping at the first failure (the
//! rest wait behind it, so the order holds across retries).

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use super::sender::Sender;
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
/// How long one fan-out may take (up to 5,000 feed entries read through the policy).
const FAN_OUT_DEADLINE: Duration = Duration::from_secs(30);
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

    /// One round at `now` (the clock is a parameter so that tests can step over the backoff;
    /// the time spent in the round is added to it for each attempt).
    pub async fn round(&self, now: NaiveDateTime) -> Result<Round, AppError> {
        let (instance, until) = (self.instance.clone(), now + self.lease());
        let claimed =
            blocking::run(&self.state.pool, move |conn| webhooks::claim(conn, &instance, now, until, CLAIM)).await?;
        let mut round = Round { claimed: claimed.len(), ..Round::default() };
        let started = Instant::now();
        let results =
            futures_util::future::join_all(claimed.into_iter().map(|hook| self.serve(hook.id, now, started))).await;
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
    async fn serve(&self, webhook_id: String, now: NaiveDateTime, started: Instant) -> Result<Round, AppError> {
        let outcome = self.serve_claimed(&webhook_id, now, started).await;
        let instance = self.instance.clone();
        blocking::run(&self.state.pool, move |conn| webhooks::release(conn, &webhook_id, &instance)).await?;
        outcome
    }

    async fn serve_claimed(&self, webhook_id: &str, now: NaiveDateTime, started: Instant) -> Result<Round, AppError> {
        let pool = &self.state.pool;
        let clock = |started: Instant| now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
        let mut round = Round::default();
        // Queued and judged due at the round's time; each attempt's own time (for its log entry
        // and its backoff) is the round's time plus what the round has taken so far.
        let (id, instance, at) = (webhook_id.to_owned(), self.instance.clone(), now);
        // A failed fan-out (a slow database) must not hold back what is already queued.
        match blocking::run_within(pool, FAN_OUT_DEADLINE, move |conn| webhooks::fan_out(conn, &id, &instance, at))
            .await
        {
            Ok(queued) => round.queued = queued,
            Err(err) => log::warn!("webhook {webhook_id}: queuing new notices failed (retried next round): {err}"),
        }
        for _ in 0..NOTICES_PER_ROUND {
            let id = webhook_id.to_owned();
            let Some(notice) = blocking::run(pool, move |conn| webhooks::due_notice(conn, &id, now)).await? else {
                break;
            };
            let (id, n, instance, at) = (webhook_id.to_owned(), notice.clone(), self.instance.clone(), clock(started));
            let Some(out) = blocking::run(pool, move |conn| webhooks::notice_now(conn, &id, &n, &instance, at)).await?
            else {
                break;
            };
            let bytes = serde_json::to_vec(&out.notice).map_err(|e| AppError::Internal(e.to_string()))?;
            let secrets: Vec<&str> = out.secrets.iter().map(String::as_str).collect();
            // `t` is the wall clock: receivers compare it with theirs.
            let signed = signature(&secrets, chrono::Utc::now().timestamp(), &bytes);
            let answer = self.sender.post(&out.url, &notice.id, &signed, bytes).await;
            let result = AttemptResult {
                started: at,
                duration_ms: i32::try_from(answer.elapsed.as_millis()).unwrap_or(i32::MAX),
                status: answer.status,
                error: answer.error,
                op: out.notice.op,
            };
            let delivered = result.delivered();
            let (id, n, instance, after) =
                (webhook_id.to_owned(), notice.clone(), self.instance.clone(), clock(started));
            let outcome =
                blocking::run(pool, move |conn| webhooks::record(conn, &id, &n, &result, &instance, after)).await?;
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
                    // Each round is a task of its own: a panic in one is reported and the next
                    // round goes on, instead of delivery stopping silently on this instance.
                    let w = worker.clone();
                    let outcome = tokio::spawn(async move { w.round(crate::domain::time::now()).await }).await;
                    let busy = match outcome {
                        Ok(Ok(round)) => round.claimed > 0 && (round.delivered > 0 || round.queued > 0),
                        Ok(Err(err)) => {
                            log::warn!("webhook worker: {err}");
                            false
                        }
                        Err(panicked) => {
                            log::error!("webhook worker: a round failed ({panicked}); going on");
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
