//! The idempotency keys' store: claim a key before the request runs, keep its answer after.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::idempotency_keys as keys;
use crate::db::{write_tx, DbConn};
use crate::domain::idempotency::{KEEP_HOURS, STALE_SECONDS};
use crate::error::{AppError, AppResult, ConflictCode};
use crate::service::retry_duplicates;

/// A kept answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Its status.
    pub status: u16,
    /// Its `Location`.
    pub location: Option<String>,
    /// Its `ETag`.
    pub etag: Option<String>,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// Its `Content-Language`: a replayed problem is in the first request's language, whatever
    /// the retry asks for, and says so.
    pub content_language: Option<String>,
    /// Its body.
    pub body: String,
}

/// What to do with a request carrying a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Run it: the key is now this request's.
    Proceed,
    /// Answer with the first request's answer.
    Replay(Stored),
}

type KeyRow = (
    String,
    String,
    Option<i32>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    NaiveDateTime,
);

/// Claims `key` for `client`'s request with `fingerprint`: 422 when the key was used for a
/// different request, 409 `idempotency_in_progress` while the first still runs. Two requests
/// claiming at once: the primary key lets one insert; the other runs again and sees it.
pub fn claim(conn: &mut DbConn, client: &str, key: &str, fingerprint: &str, now: NaiveDateTime) -> AppResult<Claim> {
    retry_duplicates(|| write_tx(conn, |conn| claim_once(conn, client, key, fingerprint, now)))
}

fn claim_once(conn: &mut DbConn, client: &str, key: &str, fingerprint: &str, now: NaiveDateTime) -> AppResult<Claim> {
    let found: Option<KeyRow> = keys::table
        .find((client, key))
        .select((
            keys::fingerprint,
            keys::state,
            keys::status,
            keys::location,
            keys::etag,
            keys::content_type,
            keys::content_language,
            keys::body,
            keys::created_at,
        ))
        .first(conn)
        .optional()?;
    if let Some((stored_fingerprint, state, status, location, etag, content_type, content_language, body, created_at)) =
        found
    {
        if created_at >= now - Duration::hours(KEEP_HOURS) {
            if stored_fingerprint != fingerprint {
                return Err(AppError::field("Idempotency-Key", crate::msg!("idempotency_key_reused")));
            }
            if state == "done" {
                let status = status.and_then(|s| u16::try_from(s).ok()).unwrap_or(500);
                return Ok(Claim::Replay(Stored {
                    status,
                    location,
                    etag,
                    content_type,
                    content_language,
                    body: body.unwrap_or_default(),
                }));
            }
            if created_at >= now - Duration::seconds(STALE_SECONDS) {
                return Err(AppError::conflict(
                    ConflictCode::IdempotencyInProgress,
                    crate::msg!("idempotency_in_progress"),
                ));
            }
            // Its request died without an answer: this one takes the key over.
            diesel::update(keys::table.find((client, key))).set(keys::created_at.eq(now)).execute(conn)?;
            return Ok(Claim::Proceed);
        }
        // Expired, not purged yet: a new use of the key.
        diesel::delete(keys::table.find((client, key))).execute(conn)?;
    }
    diesel::insert_into(keys::table)
        .values((
            keys::client_id.eq(client),
            keys::idem_key.eq(key),
            keys::fingerprint.eq(fingerprint),
            keys::state.eq("running"),
            keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Claim::Proceed)
}

/// Keeps `answer` for the key (`None`: frees the key, so that a retry runs the request again).
pub fn finish(conn: &mut DbConn, client: &str, key: &str, answer: Option<Stored>) -> AppResult<()> {
    let row = keys::table.find((client, key));
    match answer {
        Some(a) => diesel::update(row)
            .set((
                keys::state.eq("done"),
                keys::status.eq(i32::from(a.status)),
                keys::location.eq(a.location),
                keys::etag.eq(a.etag),
                keys::content_type.eq(a.content_type),
                keys::content_language.eq(a.content_language),
                keys::body.eq(a.body),
            ))
            .execute(conn)?,
        None => diesel::delete(row.filter(keys::state.eq("running"))).execute(conn)?,
    };
    Ok(())
}

/// Removes the keys older than `cutoff` (24 hours: API.md §2). Returns how many went.
pub fn purge(conn: &mut DbConn, cutoff: NaiveDateTime) -> AppResult<usize> {
    Ok(diesel::delete(keys::table.filter(keys::created_at.lt(cutoff))).execute(conn)?)
}
