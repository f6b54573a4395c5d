//! The one way a use-case writes: every write runs in one transaction through [`write`] (or
//! [`write_reference`]), every read of personal records through [`read`]. They record the audit
//! event (API.md §3) and the change feed's entries (from the [`Journal`] each write fills in)
//! without the use-case writing either.

use diesel::prelude::*;
use uuid::Uuid;

use diesel::sql_types::Text;

use crate::db::rows::{AuditRow, ChangeRow};
use crate::db::schema::{audit_events, change_head, changes, record_audiences};
use crate::db::{write_tx, Db, DbConn};
use crate::domain::audit::{AuditAction, AuditResource, Carries};
use crate::domain::context::Context;
use crate::domain::new_id;
use crate::error::{AppError, AppResult};
use crate::service::audience;

/// What a request does to a personal record, for its audit event.
#[derive(Debug, Clone, Copy)]
pub struct Audit {
    /// What it does.
    pub action: AuditAction,
    /// The kind of record.
    pub resource: AuditResource,
    /// The record named in the path (creates and lists take it from the answer, or none).
    pub resource_id: Option<Uuid>,
}

impl Audit {
    /// An audit of `action` on `resource`, optionally naming the record.
    pub fn new(action: AuditAction, resource: AuditResource, resource_id: Option<Uuid>) -> Audit {
        Audit { action, resource, resource_id }
    }
}

/// How a record changed, as the change feed reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// A new record.
    Created,
    /// A changed record.
    Updated,
    /// A removed record.
    Deleted,
}

impl Op {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Created => "created",
            Op::Updated => "updated",
            Op::Deleted => "deleted",
        }
    }
}

/// One record a transaction wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The resource (`schools`, `incidents`).
    pub resource: &'static str,
    /// The record's id.
    pub id: String,
    /// What happened to it.
    pub op: Op,
    /// Its version after the change (before it, for a deletion).
    pub version: i32,
}

/// What one write transaction changed: the entries the change feed records.
#[derive(Debug, Default)]
pub struct Journal {
    changes: Vec<Change>,
}

impl Journal {
    /// Notes that `resource` record `id` was created, updated or deleted by this transaction,
    /// leaving it at `version`.
    pub fn changed(&mut self, resource: &'static str, id: &str, op: Op, version: i32) {
        self.changes.push(Change { resource, id: id.to_owned(), op, version });
    }

    /// One entry per record: a record written twice in one transaction is one change (created
    /// if it was created, at its last version), and one created and deleted is none.
    pub fn entries(&self) -> Vec<Change> {
        let mut out: Vec<Change> = Vec::new();
        for change in &self.changes {
            match out.iter().position(|c| c.resource == change.resource && c.id == change.id) {
                None => out.push(change.clone()),
                Some(i) => {
                    let first = out[i].op;
                    if first == Op::Created && change.op == Op::Deleted {
                        out.remove(i);
                    } else {
                        out[i].version = change.version;
                        out[i].op = if first == Op::Created { Op::Created } else { change.op };
                    }
                }
            }
        }
        out
    }
}

/// Numbers and stores a transaction's changes; called last in the transaction, just before the
/// commit. The `UPDATE` of the one `change_head` row takes its row lock (PostgreSQL) or happens
/// under the one writer lock (SQLite), held until the commit: a second transaction numbering its
/// changes waits here until the first has committed, then continues from the first's number. So
/// numbers are handed out in commit order, and every number a reader can see was committed
/// after every smaller one: polling `seq > after` never skips an entry. (A database sequence
/// would not do: it hands out numbers in the order transactions ask, not the order they commit,
/// and a reader would pass over a number whose transaction commits after it read.) The lock is
/// held only for these two statements and the commit, and is always the last one taken, so it
/// cannot deadlock.
fn publish(conn: &mut DbConn, ctx: &Context, journal: &Journal) -> AppResult<()> {
    let entries = journal.entries();
    if entries.is_empty() {
        return Ok(());
    }
    // Audiences first, before the lock: they read only rows this transaction has written (and
    // so holds) or reference rows, and the lock below should be held as briefly as it can be.
    let today = ctx.today();
    let mut audiences = Vec::with_capacity(entries.len());
    for entry in &entries {
        // A new record had no audience before (and no row to read).
        let before: String = match entry.op {
            Op::Created => String::new(),
            Op::Updated | Op::Deleted => record_audiences::table
                .find((entry.resource, &entry.id))
                .select(record_audiences::audience)
                .first(conn)
                .optional()?
                .unwrap_or_default(),
        };
        let after = match entry.op {
            Op::Deleted => String::new(),
            Op::Created | Op::Updated => audience::of(conn, entry.resource, &entry.id, today)?,
        };
        remember_audience(conn, entry, &before, &after)?;
        audiences.push((before, after));
    }
    let count = entries.len() as i64;
    let head: i64 = diesel::update(change_head::table.find(1))
        .set(change_head::seq.eq(change_head::seq + count))
        .returning(change_head::seq)
        .get_result(conn)?;
    let at = ctx.stamp();
    let rows: Vec<ChangeRow> = entries
        .into_iter()
        .zip(audiences)
        .enumerate()
        .map(|(i, (entry, (audience_before, audience)))| ChangeRow {
            seq: head - count + 1 + i as i64,
            resource: entry.resource.to_owned(),
            record_id: entry.id,
            op: entry.op.as_str().to_owned(),
            version: entry.version,
            at,
            audience,
            audience_before,
        })
        .collect();
    // One statement per entry: MultiConnection has no batch insert for SQLite.
    for row in &rows {
        diesel::insert_into(changes::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// Keeps `record_audiences` in step: the record's audience is now `after` (gone when deleted).
/// The record's own row is written by this transaction and so locked until it commits: no other
/// transaction writes the same audience row meanwhile.
fn remember_audience(conn: &mut DbConn, entry: &Change, before: &str, after: &str) -> AppResult<()> {
    let key = record_audiences::table.find((entry.resource, &entry.id));
    if entry.op == Op::Deleted {
        diesel::delete(key).execute(conn)?;
    } else if entry.op == Op::Created || before.is_empty() {
        if entry.op != Op::Created {
            diesel::delete(key).execute(conn)?;
        }
        diesel::insert_into(record_audiences::table)
            .values((
                record_audiences::resource.eq(entry.resource),
                record_audiences::record_id.eq(&entry.id),
                record_audiences::audience.eq(after),
            ))
            .execute(conn)?;
    } else if before != after {
        diesel::update(key).set(record_audiences::audience.eq(after)).execute(conn)?;
    }
    Ok(())
}

/// Runs `work` in one write transaction (see [`write_tx`]), with its audit event written in
/// that same transaction when `audit` is given. When the request fails because of the caller
/// (404, 409, 412, 422), the failure is audited too, after the rollback.
pub fn write<T, F>(conn: &mut DbConn, ctx: &Context, audit: Option<Audit>, mut work: F) -> AppResult<T>
where
    T: Carries,
    F: FnMut(&mut DbConn, &mut Journal) -> AppResult<T>,
{
    let result = write_tx(conn, |conn| {
        let mut journal = Journal::default();
        let value = work(conn, &mut journal)?;
        if let Some(audit) = audit {
            record(conn, ctx, audit, audit.action.success_status(), &value)?;
        }
        // Last: numbering takes the feed's lock, held until the commit.
        publish(conn, ctx, &journal)?;
        Ok(value)
    });
    if let (Err(err), Some(audit)) = (&result, audit) {
        record_failure(conn, ctx, audit, err);
    }
    result
}

/// A write of reference data (the directory: boards, schools, officers, assignments, clients,
/// agencies): the same transaction and journal as [`write`], with no audit event, since it
/// carries no personal information.
pub fn write_reference<T, F>(conn: &mut DbConn, ctx: &Context, mut work: F) -> AppResult<T>
where
    F: FnMut(&mut DbConn, &mut Journal) -> AppResult<T>,
{
    write(conn, ctx, None, |conn, journal| work(conn, journal).map(Unaudited)).map(|done| done.0)
}

/// A value no audit event describes.
struct Unaudited<T>(T);

impl<T> Carries for Unaudited<T> {}

/// Runs a read of personal records and writes its audit event before the answer is returned;
/// a read whose event cannot be written is not answered.
pub fn read<T, F>(conn: &mut DbConn, ctx: &Context, audit: Audit, work: F) -> AppResult<T>
where
    T: Carries,
    F: FnOnce(&mut DbConn) -> AppResult<T>,
{
    match work(conn) {
        Ok(value) => {
            write_tx(conn, |conn| record(conn, ctx, audit, audit.action.success_status(), &value))?;
            Ok(value)
        }
        Err(err) => {
            record_failure(conn, ctx, audit, &err);
            Err(err)
        }
    }
}

/// True for the failures the caller caused, which the audit log keeps (a probe of another
/// school's incident is worth knowing about); the service's own failures are in its log.
fn callers_fault(err: &AppError) -> bool {
    matches!(
        err,
        AppError::NotFound
            | AppError::Conflict { .. }
            | AppError::PreconditionFailed
            | AppError::Validation(_)
            | AppError::BadRequest { .. }
            | AppError::Forbidden(_)
    )
}

fn record_failure(conn: &mut DbConn, ctx: &Context, audit: Audit, err: &AppError) {
    if !callers_fault(err) {
        return;
    }
    // Outside the rolled-back transaction; the answer is an error either way, so a failure to
    // write the event is logged rather than turning a 404 into a 503.
    let outcome = write_tx(conn, |conn| record(conn, ctx, audit, err.status(), &()));
    if let Err(cause) = outcome {
        log::error!("request {}: the audit event of a refused request was not written: {cause}", ctx.request_id);
    }
}

/// Writes one audit event (and its person index rows).
fn record(conn: &mut DbConn, ctx: &Context, audit: Audit, status: u16, value: &dyn CarriesDyn) -> AppResult<()> {
    let id = new_id().to_string();
    let persons = value.persons();
    let row = AuditRow {
        id: id.clone(),
        at: crate::domain::time::now(),
        client_id: ctx.caller.client_id.to_string(),
        role: ctx.caller.role.to_string(),
        action: audit.action.to_string(),
        resource: audit.resource.to_string(),
        resource_id: audit.resource_id.or_else(|| value.record()).map(|id| id.to_string()),
        request_id: ctx.request_id.clone(),
        status: i32::from(status),
        person_ids: persons.iter().map(Uuid::to_string).collect::<Vec<_>>().join(" "),
    };
    diesel::insert_into(audit_events::table).values(&row).execute(conn)?;
    crate::metrics::audit_event_written();
    index_persons(conn, &id, &persons)
}

/// Writes the event's person index in one statement per 200 persons (a list page carries up to
/// 500): Diesel's multi-backend connection has no batch insert, so the statement is built here,
/// with bound values only. `$n` placeholders are positional on both backends.
fn index_persons(conn: &mut DbConn, event: &str, persons: &[Uuid]) -> AppResult<()> {
    for chunk in persons.chunks(200) {
        let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2)).collect();
        let sql = format!("INSERT INTO audit_persons (person_id, event_id) VALUES {}", values.join(", "));
        let mut query = diesel::sql_query(sql).into_boxed::<Db>();
        for person in chunk {
            query = query.bind::<Text, _>(person.to_string()).bind::<Text, _>(event.to_owned());
        }
        query.execute(conn)?;
    }
    Ok(())
}

/// [`Carries`] as an object, so [`record`] is compiled once.
trait CarriesDyn {
    fn record(&self) -> Option<Uuid>;
    fn persons(&self) -> Vec<Uuid>;
}

impl<T: Carries> CarriesDyn for T {
    fn record(&self) -> Option<Uuid> {
        self.record_id()
    }

    fn persons(&self) -> Vec<Uuid> {
        let mut ids = self.person_ids();
        ids.sort();
        ids.dedup();
        ids
    }
}
