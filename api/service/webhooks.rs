//! Webhook subscriptions and their queue (API.md §8).
//!
//! How a notice travels, and why it is sent once by one instance and in order:
//! 1. A sender (`push::worker`, on every instance) *claims* a subscription for a short lease:
//!    on PostgreSQL `FOR UPDATE SKIP LOCKED` picks rows no other instance is claiming, and the
//!    conditional lease update decides on both backends. Only the lease holder touches the
//!    subscription's queue, so notices leave in `seq` order and each is sent by one instance.
//! 2. The holder *fans out*: the change-feed entries after `feed_after`, exactly as
//!    `service::changes::page` shows them to the subscribed client, filtered by `resources`,
//!    become rows of `webhook_notices` (the queue, which survives a restart).
//! 3. It sends the head of the queue; the op is judged again at that moment (a record the client
//!    no longer sees becomes `access_lost`), then [`record`] notes the attempt, and either moves
//!    to the next notice or schedules the retry (`domain::webhook::next_retry`), or gives up
//!    after 3 days and marks the subscription `failing`.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use uuid::Uuid;

use super::{check_version, one_row};
use crate::db::rows::{self, ClientRow, WebhookAttemptRow, WebhookNoticeRow, WebhookRow};
use crate::db::schema::{clients, webhook_attempts, webhook_notices, webhooks};
use crate::db::{write_tx, DbConn};
use crate::domain::access::{parse_scopes, Caller, Role, Scope};
use crate::domain::change::ChangeOp;
use crate::domain::context::Context;
use crate::domain::new_id;
use crate::domain::page::{paginate, Page};
use crate::domain::query::{IfMatch, Window};
use crate::domain::time;
use crate::domain::validate::FieldError;
use crate::domain::webhook::{
    self, Delivery, DeliveryOutcome, FeedResource, Notice, Webhook, WebhookInput, WebhookQuery, WebhookWithSecret,
};
use crate::error::{AppError, AppResult};
use crate::service::changes;

/// The subscription's notices still to send (neither delivered nor given up), oldest first.
macro_rules! waiting {
    ($webhook_id:expr) => {
        webhook_notices::table
            .filter(webhook_notices::webhook_id.eq($webhook_id))
            .filter(webhook_notices::delivered_at.is_null())
            .filter(webhook_notices::abandoned_at.is_null())
    };
}

/// Change-feed entries read per fan-out.
const FAN_OUT_BATCH: i64 = 500;

/// The wire form of a subscription row.
pub fn to_wire(row: &WebhookRow) -> AppResult<Webhook> {
    let resources = stored_resources(row)?;
    Ok(Webhook {
        id: rows::uuid(&row.id)?,
        client_id: rows::uuid(&row.client_id)?,
        url: row.url.clone(),
        resources,
        description: row.description.clone(),
        active: row.active,
        failing: row.failing_since.is_some(),
        failing_since: row.failing_since.map(time::to_utc),
        previous_secret_valid_until: row.previous_secret_until.map(time::to_utc),
        created_at: time::to_utc(row.created_at),
        updated_at: time::to_utc(row.updated_at),
        version: row.version,
    })
}

/// The stored `resources` filter (`None`: every resource).
fn stored_resources(row: &WebhookRow) -> AppResult<Option<Vec<FeedResource>>> {
    row.resources
        .as_deref()
        .map(serde_json::from_str::<Vec<FeedResource>>)
        .transpose()
        .map_err(|_| AppError::Internal(format!("webhook {}: stored resources are not valid", row.id)))
}

fn resources_text(resources: &Option<Vec<FeedResource>>) -> Option<String> {
    resources.as_ref().map(|list| {
        let names: Vec<&str> = list.iter().map(|r| r.as_str()).collect();
        serde_json::Value::from(names).to_string()
    })
}

fn find(conn: &mut DbConn, id: Uuid) -> AppResult<WebhookRow> {
    webhooks::table
        .find(id.to_string())
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The row, locked until the transaction ends on PostgreSQL (SQLite's write transaction holds
/// the whole database): the admin's changes and the lease holder's queue work never interleave.
fn lock(conn: &mut DbConn, id: &str) -> AppResult<WebhookRow> {
    let query = || webhooks::table.find(id.to_owned());
    let row = match conn {
        DbConn::Postgres(pg) => query().select(WebhookRow::as_select()).for_update().first(pg).optional()?,
        DbConn::Sqlite(_) => query().select(WebhookRow::as_select()).first(conn).optional()?,
    };
    row.ok_or(AppError::NotFound)
}

/// `POST /v1/webhooks`: the subscription and its secret, shown this once. Notices follow the
/// changes committed after it.
pub fn create(conn: &mut DbConn, ctx: &Context, client: Uuid, input: &WebhookInput) -> AppResult<WebhookWithSecret> {
    write_tx(conn, |conn| {
        let subscriber: Option<ClientRow> =
            clients::table.find(client.to_string()).select(ClientRow::as_select()).first(conn).optional()?;
        match subscriber {
            None => return Err(AppError::field("client_id", crate::msg!("no_such_client"))),
            Some(c) if c.role == Role::Dashboard.as_str() => {
                return Err(AppError::field("client_id", crate::msg!("webhook_dashboard_client")))
            }
            // Notices are its change feed's entries: a client that may not read the feed gets none.
            Some(c) if !reads_feed(&c) => {
                return Err(AppError::field("client_id", crate::msg!("webhook_client_without_feed")))
            }
            Some(_) => {}
        }
        let at = ctx.stamp();
        let row = WebhookRow {
            id: new_id().to_string(),
            client_id: client.to_string(),
            url: input.url.clone(),
            resources: resources_text(&input.resources),
            description: input.description.clone(),
            active: input.active,
            failing_since: None,
            secret: webhook::new_secret(),
            previous_secret: None,
            previous_secret_until: None,
            feed_after: changes::head(conn)?,
            next_attempt_at: None,
            lease_until: None,
            leased_by: None,
            claimed_at: at,
            created_at: at,
            updated_at: at,
            version: 1,
        };
        diesel::insert_into(webhooks::table).values(&row).execute(conn)?;
        Ok(WebhookWithSecret { webhook: to_wire(&row)?, secret: row.secret.clone() })
    })
}

/// One page of subscriptions, oldest first.
pub fn list(conn: &mut DbConn, filter: &WebhookQuery, window: &Window) -> AppResult<Page<Webhook>> {
    let mut query = webhooks::table.select(WebhookRow::as_select()).into_boxed();
    if let Some(client) = filter.client_id {
        query = query.filter(webhooks::client_id.eq(client.to_string()));
    }
    let found: Vec<WebhookRow> = super::keyset!(query, webhooks, window).load(conn)?;
    paginate(found, window, |row| to_wire(&row))
}

/// One subscription.
pub fn get(conn: &mut DbConn, id: Uuid) -> AppResult<Webhook> {
    to_wire(&find(conn, id)?)
}

/// `PATCH /v1/webhooks/{id}` with the fields already merged and checked. Switching it off drops
/// what is queued; switching it on (`switch_on`: the patch says `active: true`), also out of
/// `failing`, starts from the feed's head. Only the admin's columns are written: the queue's
/// (`feed_after`, `next_attempt_at`, the lease) belong to the lease holder, except on those two
/// switches, made under the row's lock.
pub fn patch(
    conn: &mut DbConn,
    ctx: &Context,
    id: Uuid,
    merge: impl Fn(&Webhook) -> Result<WebhookInput, Vec<FieldError>>,
    switch_on: bool,
    if_match: Option<IfMatch>,
) -> AppResult<Webhook> {
    write_tx(conn, |conn| {
        let existing = lock(conn, &id.to_string())?;
        check_version(if_match.as_ref(), existing.version)?;
        let input = merge(&to_wire(&existing)?).map_err(AppError::Validation)?;
        let mut row = existing.clone();
        row.url = input.url.clone();
        row.resources = resources_text(&input.resources);
        row.active = input.active;
        row.updated_at = ctx.stamp();
        row.version = existing.version + 1;
        let resumed = switch_on && (!existing.active || existing.failing_since.is_some());
        let stopped = !input.active && existing.active;
        let touched = diesel::update(webhooks::table.find(&existing.id).filter(webhooks::version.eq(existing.version)))
            .set((
                webhooks::url.eq(&row.url),
                webhooks::resources.eq(&row.resources),
                webhooks::active.eq(row.active),
                webhooks::updated_at.eq(row.updated_at),
                webhooks::version.eq(row.version),
            ))
            .execute(conn)?;
        one_row(touched)?;
        if stopped || resumed {
            abandon_queue(conn, &existing.id, ctx.stamp())?;
            row.next_attempt_at = None;
            row.failing_since = None;
            if resumed {
                row.feed_after = changes::head(conn)?;
            }
            diesel::update(webhooks::table.find(&existing.id))
                .set((
                    webhooks::next_attempt_at.eq(row.next_attempt_at),
                    webhooks::failing_since.eq(row.failing_since),
                    webhooks::feed_after.eq(row.feed_after),
                ))
                .execute(conn)?;
        }
        to_wire(&row)
    })
}

/// `DELETE /v1/webhooks/{id}`: the subscription, its queue and its delivery log.
pub fn delete(conn: &mut DbConn, id: Uuid, if_match: Option<IfMatch>) -> AppResult<()> {
    write_tx(conn, |conn| {
        let existing = find(conn, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        // Explicitly, not only by ON DELETE CASCADE: SQLite enforces it only with foreign keys on.
        diesel::delete(webhook_attempts::table.filter(webhook_attempts::webhook_id.eq(&existing.id))).execute(conn)?;
        diesel::delete(webhook_notices::table.filter(webhook_notices::webhook_id.eq(&existing.id))).execute(conn)?;
        let gone = diesel::delete(webhooks::table.find(&existing.id).filter(webhooks::version.eq(existing.version)))
            .execute(conn)?;
        one_row(gone)
    })
}

/// `POST /v1/webhooks/{id}/rotate-secret`: a new secret, shown this once; the old one also signs
/// for 24 hours (a second `v1`), so receivers can switch without losing a notice. A second
/// rotation within those hours ends the oldest secret at once (a leaked secret is rotated away
/// twice, not kept).
pub fn rotate_secret(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<WebhookWithSecret> {
    write_tx(conn, |conn| {
        let existing = lock(conn, &id.to_string())?;
        let mut row = existing.clone();
        row.previous_secret = Some(existing.secret.clone());
        row.previous_secret_until = Some(ctx.stamp() + Duration::hours(webhook::ROTATION_OVERLAP_HOURS));
        row.secret = webhook::new_secret();
        row.updated_at = ctx.stamp();
        row.version = existing.version + 1;
        let touched = diesel::update(webhooks::table.find(&existing.id).filter(webhooks::version.eq(existing.version)))
            .set((
                webhooks::secret.eq(&row.secret),
                webhooks::previous_secret.eq(&row.previous_secret),
                webhooks::previous_secret_until.eq(row.previous_secret_until),
                webhooks::updated_at.eq(row.updated_at),
                webhooks::version.eq(row.version),
            ))
            .execute(conn)?;
        one_row(touched)?;
        Ok(WebhookWithSecret { webhook: to_wire(&row)?, secret: row.secret.clone() })
    })
}

/// `GET /v1/webhooks/{id}/deliveries`: the attempts of the last 30 days, newest first.
pub fn deliveries(conn: &mut DbConn, id: Uuid, now: NaiveDateTime, window: &Window) -> AppResult<Page<Delivery>> {
    find(conn, id)?;
    let mut query = webhook_attempts::table
        .filter(webhook_attempts::webhook_id.eq(id.to_string()))
        .filter(webhook_attempts::created_at.ge(now - Duration::days(webhook::KEEP_DAYS)))
        .select(WebhookAttemptRow::as_select())
        .into_boxed();
    if let Some(c) = &window.after {
        // Newest first: continue below the cursor (`created_at <= c` first, an index bound).
        query = query.filter(webhook_attempts::created_at.le(c.created_at)).filter(
            webhook_attempts::created_at
                .lt(c.created_at)
                .or(webhook_attempts::created_at.eq(c.created_at).and(webhook_attempts::id.lt(c.id.clone()))),
        );
    }
    let found: Vec<WebhookAttemptRow> = query
        .order((webhook_attempts::created_at.desc(), webhook_attempts::id.desc()))
        .limit(window.limit + 1)
        .load(conn)?;
    paginate(found, window, |row| {
        Ok::<_, AppError>(Delivery {
            id: rows::uuid(&row.id)?,
            notice_id: rows::uuid(&row.notice_id)?,
            seq: row.seq,
            op: rows::enum_value(&row.op)?,
            attempt: row.attempt,
            attempted_at: time::to_utc(row.created_at),
            duration_ms: row.duration_ms,
            status_code: row.status_code,
            error: row.error,
            outcome: rows::enum_value(&row.outcome)?,
            next_retry_at: row.next_retry_at.map(time::to_utc),
        })
    })
}

fn abandon_queue(conn: &mut DbConn, webhook_id: &str, now: NaiveDateTime) -> AppResult<usize> {
    Ok(diesel::update(waiting!(webhook_id)).set(webhook_notices::abandoned_at.eq(now)).execute(conn)?)
}

// ---- The sender's side (`push::worker`) ----

/// Claims up to `limit` subscriptions with work to do (a notice due, or feed entries not yet
/// fanned out) for `instance` until `lease_until`, those claimed longest ago first (so none
/// starves). Another instance's live lease is respected.
pub fn claim(
    conn: &mut DbConn,
    instance: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> AppResult<Vec<WebhookRow>> {
    let due = |head: i64| {
        webhooks::table
            .filter(webhooks::active.eq(true))
            .filter(webhooks::failing_since.is_null())
            .filter(webhooks::client_id.eq_any(clients::table.filter(clients::active.eq(true)).select(clients::id)))
            .filter(webhooks::lease_until.is_null().or(webhooks::lease_until.lt(now)))
            .filter(webhooks::next_attempt_at.le(now).or(webhooks::feed_after.lt(head)))
            .order((webhooks::claimed_at.asc(), webhooks::id.asc()))
            .limit(limit)
            .select(webhooks::id)
    };
    // A read first: most rounds find nothing, and on SQLite a write transaction would take the
    // writer lock every second for nothing.
    if due(changes::head(conn)?).load::<String>(conn)?.is_empty() {
        return Ok(Vec::new());
    }
    write_tx(conn, |conn| {
        let head = changes::head(conn)?;
        let ids: Vec<String> = match conn {
            // Rows another instance is claiming right now are skipped, not waited for.
            DbConn::Postgres(pg) => due(head).for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(_) => due(head).load(conn)?,
        };
        let mut claimed = Vec::new();
        for id in ids {
            // The conditional update is what decides (SQLite has no row locks; its write
            // transaction is serialised anyway).
            let won = diesel::update(
                webhooks::table.find(&id).filter(webhooks::lease_until.is_null().or(webhooks::lease_until.lt(now))),
            )
            .set((
                webhooks::lease_until.eq(lease_until),
                webhooks::leased_by.eq(instance),
                webhooks::claimed_at.eq(now),
            ))
            .execute(conn)?;
            if won == 1 {
                claimed.push(webhooks::table.find(&id).select(WebhookRow::as_select()).first(conn)?);
            }
        }
        Ok(claimed)
    })
}

/// Gives the subscription back (only if `instance` still holds it).
pub fn release(conn: &mut DbConn, webhook_id: &str, instance: &str) -> AppResult<()> {
    diesel::update(webhooks::table.find(webhook_id).filter(webhooks::leased_by.eq(instance)))
        .set((webhooks::lease_until.eq(None::<NaiveDateTime>), webhooks::leased_by.eq(None::<String>)))
        .execute(conn)?;
    Ok(())
}

/// True when the client may read the change feed (`changes:read`).
fn reads_feed(client: &ClientRow) -> bool {
    parse_scopes(&client.scopes).is_ok_and(|scopes| scopes.contains(&Scope::ChangesRead))
}

/// The context of the subscribed client, as if it called with every scope it holds: what its
/// change feed would show it. `None` when the client is gone or disabled.
pub fn subscriber_context(conn: &mut DbConn, client_id: &str, now: NaiveDateTime) -> AppResult<Option<Context>> {
    let row: Option<ClientRow> =
        clients::table.find(client_id).select(ClientRow::as_select()).first(conn).optional()?;
    let Some(row) = row.filter(|r| r.active && reads_feed(r)) else { return Ok(None) };
    let caller = Caller {
        client_id: rows::uuid(&row.id)?,
        role: rows::enum_value(&row.role)?,
        board_id: rows::opt_uuid(row.board_id.as_deref())?,
        officer_id: rows::opt_uuid(row.officer_id.as_deref())?,
        agency_id: rows::opt_uuid(row.agency_id.as_deref())?,
        scopes: parse_scopes(&row.scopes).map_err(AppError::Internal)?.into(),
    };
    let mut ctx = Context::new(caller, "webhook");
    ctx.now = time::to_utc(now);
    Ok(Some(ctx))
}

/// Turns the feed entries after the subscription's `feed_after` that its client may see (and
/// its `resources` asks for) into queued notices. Returns how many were queued. The feed is read
/// outside the transaction (on SQLite a write transaction holds the writer lock); the notices are
/// written under the row's lock, and only if `instance` still holds the lease and nobody moved
/// `feed_after` meanwhile.
pub fn fan_out(conn: &mut DbConn, webhook_id: &str, instance: &str, now: NaiveDateTime) -> AppResult<usize> {
    let current: WebhookRow = webhooks::table.find(webhook_id).select(WebhookRow::as_select()).first(conn)?;
    if current.leased_by.as_deref() != Some(instance) || !current.active || current.failing_since.is_some() {
        return Ok(0);
    }
    let Some(ctx) = subscriber_context(conn, &current.client_id, now)? else { return Ok(0) };
    let wanted = stored_resources(&current)?;
    let page = match changes::page(conn, &ctx, current.feed_after, FAN_OUT_BATCH) {
        Ok(page) => page,
        // The entries it still had to send were pruned: it can only catch up from the feed.
        Err(AppError::ResyncRequired { .. }) => {
            write_tx(conn, |conn| mark_failing(conn, &current.id, now))?;
            return Ok(0);
        }
        Err(err) => return Err(err),
    };
    let notices: Vec<WebhookNoticeRow> = page
        .data
        .iter()
        .filter(|e| wanted.as_ref().is_none_or(|w| w.iter().any(|r| r.as_str() == e.resource)))
        .map(|e| WebhookNoticeRow {
            id: new_id().to_string(),
            webhook_id: current.id.clone(),
            seq: e.seq,
            resource: e.resource.clone(),
            resource_id: e.id.clone(),
            op: e.op.as_str().to_owned(),
            at: e.at.naive_utc(),
            queued_at: now,
            attempts: 0,
            next_attempt_at: now,
            delivered_at: None,
            abandoned_at: None,
        })
        .collect();
    write_tx(conn, |conn| {
        let locked = lock(conn, &current.id)?;
        let unchanged = locked.leased_by.as_deref() == Some(instance)
            && locked.feed_after == current.feed_after
            && locked.resources == current.resources
            && locked.active
            && locked.failing_since.is_none();
        if !unchanged {
            return Ok(0);
        }
        for notice in &notices {
            diesel::insert_into(webhook_notices::table).values(notice).execute(conn)?;
        }
        let next_attempt = match (locked.next_attempt_at, notices.is_empty()) {
            (Some(at), _) => Some(at),
            (None, false) => Some(now),
            (None, true) => None,
        };
        diesel::update(webhooks::table.find(&locked.id))
            .set((webhooks::feed_after.eq(page.next_after), webhooks::next_attempt_at.eq(next_attempt)))
            .execute(conn)?;
        Ok(notices.len())
    })
}

/// The oldest undelivered notice of the subscription, if it is due at `now`.
pub fn due_notice(conn: &mut DbConn, webhook_id: &str, now: NaiveDateTime) -> AppResult<Option<WebhookNoticeRow>> {
    let head: Option<WebhookNoticeRow> = waiting!(webhook_id)
        .order(webhook_notices::seq.asc())
        .select(WebhookNoticeRow::as_select())
        .first(conn)
        .optional()?;
    Ok(head.filter(|n| n.next_attempt_at <= now))
}

/// What to POST now, from the subscription as it is now (its URL and secrets may have changed
/// since the claim): the notice, where, and the secrets that sign it. A `created` or `updated` of
/// a record the client no longer sees becomes `access_lost` (never the record). `None` when the
/// subscription was switched off, is failing or left this instance, or its client is gone,
/// disabled or may no longer read the feed.
pub fn notice_now(
    conn: &mut DbConn,
    webhook_id: &str,
    notice: &WebhookNoticeRow,
    instance: &str,
    now: NaiveDateTime,
) -> AppResult<Option<Outgoing>> {
    let hook: WebhookRow = webhooks::table.find(webhook_id).select(WebhookRow::as_select()).first(conn)?;
    if hook.leased_by.as_deref() != Some(instance) || !hook.active || hook.failing_since.is_some() {
        return Ok(None);
    }
    let Some(ctx) = subscriber_context(conn, &hook.client_id, now)? else { return Ok(None) };
    let mut op: ChangeOp = rows::enum_value(&notice.op)?;
    if matches!(op, ChangeOp::Created | ChangeOp::Updated)
        && !changes::visible(conn, &ctx, &notice.resource, &notice.resource_id)?
    {
        op = ChangeOp::AccessLost;
    }
    Ok(Some(Outgoing {
        notice: Notice {
            id: rows::uuid(&notice.id)?,
            type_: "change".into(),
            seq: notice.seq,
            resource: notice.resource.clone(),
            resource_id: notice.resource_id.clone(),
            op,
            at: time::to_utc(notice.at),
        },
        secrets: signing_secrets(&hook, now),
        url: hook.url,
    }))
}

/// One notice ready to go.
pub struct Outgoing {
    /// The body.
    pub notice: Notice,
    /// Where.
    pub url: String,
    /// The secrets that sign it (the current one first).
    pub secrets: Vec<String>,
}

/// The secrets that sign at `now`: the current one, and the previous one during its 24 hours.
fn signing_secrets(hook: &WebhookRow, now: NaiveDateTime) -> Vec<String> {
    let mut secrets = vec![hook.secret.clone()];
    if let (Some(previous), Some(until)) = (&hook.previous_secret, hook.previous_secret_until) {
        if now < until {
            secrets.push(previous.clone());
        }
    }
    secrets
}

/// What one POST gave.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptResult {
    /// When it started.
    pub started: NaiveDateTime,
    /// How long it took.
    pub duration_ms: i32,
    /// The status code, if an answer came.
    pub status: Option<u16>,
    /// Why no answer came (or why it was not sent).
    pub error: Option<String>,
    /// The op sent.
    pub op: ChangeOp,
}

impl AttemptResult {
    /// True for a 2xx answer.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Notes an attempt: the notice is delivered, scheduled again, or given up (and the subscription
/// marked `failing`, its queue dropped). Returns the outcome. Nothing is written when `instance`
/// no longer holds the lease (another instance took over and will send it again: at least once).
pub fn record(
    conn: &mut DbConn,
    webhook_id: &str,
    notice: &WebhookNoticeRow,
    result: &AttemptResult,
    instance: &str,
    now: NaiveDateTime,
) -> AppResult<Option<DeliveryOutcome>> {
    write_tx(conn, |conn| {
        if lock(conn, webhook_id)?.leased_by.as_deref() != Some(instance) {
            return Ok(None);
        }
        let attempt = notice.attempts + 1;
        let (outcome, retry_at) = if result.delivered() {
            diesel::update(webhook_notices::table.find(&notice.id))
                .set((webhook_notices::attempts.eq(attempt), webhook_notices::delivered_at.eq(now)))
                .execute(conn)?;
            (DeliveryOutcome::Delivered, None)
        } else {
            match webhook::next_retry(notice.queued_at, now, attempt) {
                Some(at) => {
                    diesel::update(webhook_notices::table.find(&notice.id))
                        .set((webhook_notices::attempts.eq(attempt), webhook_notices::next_attempt_at.eq(at)))
                        .execute(conn)?;
                    (DeliveryOutcome::Retrying, Some(at))
                }
                None => {
                    diesel::update(webhook_notices::table.find(&notice.id))
                        .set(webhook_notices::attempts.eq(attempt))
                        .execute(conn)?;
                    mark_failing(conn, webhook_id, now)?;
                    (DeliveryOutcome::Abandoned, None)
                }
            }
        };
        diesel::insert_into(webhook_attempts::table)
            .values(&WebhookAttemptRow {
                id: new_id().to_string(),
                webhook_id: webhook_id.to_owned(),
                notice_id: notice.id.clone(),
                seq: notice.seq,
                op: result.op.as_str().to_owned(),
                attempt,
                created_at: result.started,
                duration_ms: result.duration_ms,
                status_code: result.status.map(i32::from),
                error: result.error.as_deref().map(|e| e.chars().take(200).collect()),
                outcome: outcome.as_str().to_owned(),
                next_retry_at: retry_at,
            })
            .execute(conn)?;
        if outcome != DeliveryOutcome::Abandoned {
            let next: Option<NaiveDateTime> = waiting!(webhook_id)
                .order(webhook_notices::seq.asc())
                .select(webhook_notices::next_attempt_at)
                .first(conn)
                .optional()?;
            diesel::update(webhooks::table.find(webhook_id)).set(webhooks::next_attempt_at.eq(next)).execute(conn)?;
        }
        Ok(Some(outcome))
    })
}

fn mark_failing(conn: &mut DbConn, webhook_id: &str, now: NaiveDateTime) -> AppResult<()> {
    abandon_queue(conn, webhook_id, now)?;
    diesel::update(webhooks::table.find(webhook_id))
        .set((webhooks::failing_since.eq(now), webhooks::next_attempt_at.eq(None::<NaiveDateTime>)))
        .execute(conn)?;
    log::warn!("webhook {webhook_id}: a notice went undelivered for 3 days; marked failing");
    Ok(())
}

/// Removes attempts and finished notices older than `cutoff` (30 days); returns how many rows.
pub fn prune(conn: &mut DbConn, cutoff: NaiveDateTime) -> AppResult<usize> {
    write_tx(conn, |conn| {
        let attempts =
            diesel::delete(webhook_attempts::table.filter(webhook_attempts::created_at.lt(cutoff))).execute(conn)?;
        let notices = diesel::delete(
            webhook_notices::table
                .filter(webhook_notices::queued_at.lt(cutoff))
                .filter(webhook_notices::delivered_at.is_not_null().or(webhook_notices::abandoned_at.is_not_null())),
        )
        .execute(conn)?;
        Ok(attempts + notices)
    })
}
