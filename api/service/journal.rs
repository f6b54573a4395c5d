//! The one way a use-case touches personal records: every write runs in one transaction through
//! [`write`], every read through [`read`], and both record the audit event (API.md §3) without
//! the use-case writing it. The change feed (a later issue) records its entries here too, from
//! the [`Journal`] each write fills in.

use diesel::prelude::*;
use uuid::Uuid;

use diesel::sql_types::Text;

use crate::db::rows::AuditRow;
use crate::db::schema::audit_events;
use crate::db::{write_tx, Db, DbConn};
use crate::domain::audit::{AuditAction, AuditResource, Carries};
use crate::domain::context::Context;
use crate::domain::new_id;
use crate::error::{AppError, AppResult};

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

/// How a record changed, as the change feed will report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// A new record.
    Created,
    /// A changed record.
    Updated,
    /// A removed record.
    Deleted,
}

/// What one write transaction changed: the entries the change feed records.
#[derive(Debug, Default)]
pub struct Journal {
    changes: Vec<(&'static str, String, Op)>,
}

impl Journal {
    /// Notes that `resource` record `id` was created, updated or deleted by this transaction.
    pub fn changed(&mut self, resource: &'static str, id: &str, op: Op) {
        self.changes.push((resource, id.to_owned(), op));
    }

    /// The changes noted so far.
    pub fn changes(&self) -> &[(&'static str, String, Op)] {
        &self.changes
    }
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
        log::trace!("transaction changed {} record(s)", journal.changes().len());
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
