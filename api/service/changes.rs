//! Reading the change feed (API.md §4 "Change feed", §6). Entries are numbered in commit order
//! (see `journal::publish`), so a page of `seq > after` never skips one that commits later.
//!
//! What a caller sees is decided when it reads, entry by entry:
//! - `created`/`updated`: shown when the record is visible to the caller *now*, through the same
//!   [`policy`] filters as the lists;
//! - otherwise `access_lost`, when the entry took the record out of the caller's view (the caller
//!   was in the entry's audience before and is not after: see [`audience`]); nothing more
//!   follows about it, since later entries no longer have the caller in either audience;
//! - `deleted`: shown to the callers that could see the record before it went.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::rows::ChangeRow;
use crate::db::schema::{
    assignments, change_head, changes, disclosures, incidents, outcomes, persons, presentations, referrals, schools,
    service_requests,
};
use crate::db::{write_tx, DbConn};
use crate::domain::change::{ChangeEntry, ChangeOp, ChangesPage};
use crate::domain::context::{Context, Visibility};
use crate::domain::time;
use crate::error::{AppError, AppResult};
use crate::service::{audience, policy};

/// Entries read from the table per round while filling one page.
const BATCH: i64 = 500;
/// At most this many entries are read for one page; a caller that sees few of them gets a short
/// page with `next_after` past what was read, and polls again.
const MAX_SCANNED: usize = 5_000;

/// The page of entries after `after` that `ctx` may see, at most `limit` of them.
pub fn page(conn: &mut DbConn, ctx: &Context, after: i64, limit: i64) -> AppResult<ChangesPage> {
    let pruned: i64 = change_head::table.find(1).select(change_head::pruned_through).first(conn)?;
    if after < pruned {
        return Err(AppError::ResyncRequired { oldest: pruned });
    }
    let tokens = audience::caller_tokens(ctx.visibility);
    let limit = usize::try_from(limit).unwrap_or(1).max(1);
    let mut data = Vec::new();
    let mut cursor = after;
    let mut scanned = 0;
    loop {
        let rows: Vec<ChangeRow> = changes::table
            .filter(changes::seq.gt(cursor))
            .order(changes::seq.asc())
            .limit(BATCH)
            .select(ChangeRow::as_select())
            .load(conn)?;
        let Some(last) = rows.last().map(|r| r.seq) else { break };
        let visible = visible_now(conn, ctx, &rows)?;
        for row in &rows {
            if let Some(op) = op_for(row, tokens.as_deref(), &visible) {
                data.push(ChangeEntry {
                    seq: row.seq,
                    resource: row.resource.clone(),
                    id: row.record_id.clone(),
                    op,
                    at: time::to_utc(row.at),
                    version: row.version,
                });
                if data.len() == limit {
                    return Ok(ChangesPage { data, next_after: row.seq });
                }
            }
        }
        cursor = last;
        scanned += rows.len();
        if rows.len() < BATCH as usize || scanned >= MAX_SCANNED {
            break;
        }
    }
    Ok(ChangesPage { data, next_after: cursor })
}

/// What `row` shows a caller with `tokens` (`None`: the unit), given which of the page's records
/// it sees now.
fn op_for(row: &ChangeRow, tokens: Option<&[String]>, visible: &HashSet<(String, String)>) -> Option<ChangeOp> {
    let op = match row.op.as_str() {
        "created" => ChangeOp::Created,
        "updated" => ChangeOp::Updated,
        "deleted" => ChangeOp::Deleted,
        _ => return None,
    };
    if op == ChangeOp::Deleted {
        return audience::includes(&row.audience_before, tokens).then_some(op);
    }
    if visible.contains(&(row.resource.clone(), row.record_id.clone())) {
        return Some(op);
    }
    let lost = op == ChangeOp::Updated
        && audience::includes(&row.audience_before, tokens)
        && !audience::includes(&row.audience, tokens);
    lost.then_some(ChangeOp::AccessLost)
}

/// The records of `rows` (not deleted) that `ctx` sees now, through the policy.
fn visible_now(conn: &mut DbConn, ctx: &Context, rows: &[ChangeRow]) -> AppResult<HashSet<(String, String)>> {
    let mut wanted: HashMap<&str, Vec<String>> = HashMap::new();
    for row in rows.iter().filter(|r| r.op != "deleted") {
        wanted.entry(row.resource.as_str()).or_default().push(row.record_id.clone());
    }
    let mut seen = HashSet::new();
    for (resource, ids) in wanted {
        let found = visible_ids(conn, ctx, resource, ids)?;
        seen.extend(found.into_iter().map(|id| (resource.to_owned(), id)));
    }
    Ok(seen)
}

/// True when `ctx` sees the record `resource`/`id` now (webhook notices are judged again when
/// they are sent).
pub fn visible(conn: &mut DbConn, ctx: &Context, resource: &str, id: &str) -> AppResult<bool> {
    Ok(!visible_ids(conn, ctx, resource, vec![id.to_owned()])?.is_empty())
}

/// Those of `ids` (records of `resource`) that `ctx` sees now, through the policy.
fn visible_ids(conn: &mut DbConn, ctx: &Context, resource: &str, ids: Vec<String>) -> AppResult<Vec<String>> {
    Ok(match resource {
        // Everyone's reference data.
        "boards" | "officers" | "agencies" => match ctx.visibility {
            Visibility::Nothing => vec![],
            _ => ids,
        },
        "schools" => schools::table
            .filter(policy::schools(ctx))
            .filter(schools::id.eq_any(&ids))
            .select(schools::id)
            .load(conn)?,
        "assignments" => assignments::table
            .filter(policy::assignments(ctx))
            .filter(assignments::id.eq_any(&ids))
            .select(assignments::id)
            .load(conn)?,
        "incidents" => incidents::table
            .filter(policy::incidents(ctx))
            .filter(incidents::id.eq_any(&ids))
            .select(incidents::id)
            .load(conn)?,
        "referrals" => referrals::table
            .filter(policy::referrals(ctx))
            .filter(referrals::id.eq_any(&ids))
            .select(referrals::id)
            .load(conn)?,
        "outcomes" => outcomes::table
            .filter(policy::outcomes(ctx))
            .filter(outcomes::id.eq_any(&ids))
            .select(outcomes::id)
            .load(conn)?,
        "disclosures" => disclosures::table
            .filter(policy::disclosures(ctx))
            .filter(disclosures::id.eq_any(&ids))
            .select(disclosures::id)
            .load(conn)?,
        "persons" => persons::table
            .filter(policy::persons(ctx))
            .filter(persons::id.eq_any(&ids))
            .select(persons::id)
            .load(conn)?,
        "service_requests" => service_requests::table
            .filter(policy::service_requests(ctx))
            .filter(service_requests::id.eq_any(&ids))
            .select(service_requests::id)
            .load(conn)?,
        "presentations" => presentations::table
            .filter(policy::presentations(ctx))
            .filter(presentations::id.eq_any(&ids))
            .select(presentations::id)
            .load(conn)?,
        // A resource only the unit reads (none today) or one this version does not know.
        _ => match ctx.visibility {
            Visibility::All => ids,
            _ => vec![],
        },
    })
}

/// The last number handed out.
pub fn head(conn: &mut DbConn) -> AppResult<i64> {
    Ok(change_head::table.find(1).select(change_head::seq).first(conn)?)
}

/// Removes the entries older than `cutoff` (CHANGES_RETENTION_DAYS), remembering the last number
/// removed so that a reader asking for entries after an older one is told to resync (410)
/// instead of silently missing them. Returns how many entries went.
pub fn prune(conn: &mut DbConn, cutoff: NaiveDateTime) -> AppResult<usize> {
    write_tx(conn, |conn| {
        let through: Option<i64> =
            changes::table.filter(changes::at.lt(cutoff)).select(diesel::dsl::max(changes::seq)).first(conn)?;
        let Some(through) = through else { return Ok(0) };
        let removed = diesel::delete(changes::table.filter(changes::seq.le(through))).execute(conn)?;
        diesel::update(change_head::table.find(1).filter(change_head::pruned_through.lt(through)))
            .set(change_head::pruned_through.eq(through))
            .execute(conn)?;
        Ok(removed)
    })
}
