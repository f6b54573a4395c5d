//! Reading the audit log (admin). Nothing here or anywhere changes it.

use diesel::prelude::*;

use crate::db::rows::{self, AuditRow};
use crate::db::schema::{audit_events, audit_persons, clients};
use crate::db::DbConn;
use crate::domain::audit::{AccessLogEntry, AuditEvent, AuditQuery};
use crate::domain::page::{paginate, Page};
use crate::domain::query::Window;
use crate::domain::time;
use crate::error::{AppError, AppResult};

fn to_wire(row: AuditRow) -> AppResult<AuditEvent> {
    let person_ids = row.person_ids.split_whitespace().map(rows::uuid).collect::<Result<Vec<_>, _>>()?;
    Ok(AuditEvent {
        id: rows::uuid(&row.id)?,
        at: time::to_utc(row.at),
        client_id: rows::uuid(&row.client_id)?,
        role: rows::enum_value(&row.role)?,
        action: rows::enum_value(&row.action)?,
        resource: rows::enum_value(&row.resource)?,
        resource_id: rows::opt_uuid(row.resource_id.as_deref())?,
        request_id: row.request_id,
        status: u16::try_from(row.status).map_err(|_| AppError::Internal("stored status out of range".into()))?,
        person_ids,
    })
}

/// One page of audit events, oldest first.
pub fn list(conn: &mut DbConn, q: &AuditQuery, window: &Window) -> AppResult<Page<AuditEvent>> {
    let mut query = audit_events::table.select(AuditRow::as_select()).into_boxed();
    if let Some(client) = q.client_id {
        query = query.filter(audit_events::client_id.eq(client.to_string()));
    }
    if let Some(action) = q.action {
        query = query.filter(audit_events::action.eq(action.as_str()));
    }
    if let Some(resource) = q.resource {
        query = query.filter(audit_events::resource.eq(resource.as_str()));
    }
    if let Some(id) = q.resource_id {
        query = query.filter(audit_events::resource_id.eq(id.to_string()));
    }
    if let Some(request) = &q.request_id {
        query = query.filter(audit_events::request_id.eq(request.clone()));
    }
    let period = q.period();
    if let Some(from) = period.from {
        query = query.filter(audit_events::at.ge(from));
    }
    if let Some(to) = period.to {
        query = query.filter(audit_events::at.lt(to));
    }
    if let Some(c) = &window.after {
        // `at >= c` first: an index bound (see `keyset!`).
        query = query.filter(audit_events::at.ge(c.created_at)).filter(
            audit_events::at
                .gt(c.created_at)
                .or(audit_events::at.eq(c.created_at).and(audit_events::id.gt(c.id.clone()))),
        );
    }
    if let Some(ts) = window.updated_from {
        query = query.filter(audit_events::at.ge(ts));
    }
    let found: Vec<AuditRow> =
        query.order((audit_events::at.asc(), audit_events::id.asc())).limit(window.limit + 1).load(conn)?;
    paginate(found, window, to_wire)
}

/// One page of the access log of `person`, newest first: every audited request whose answer
/// carried the person's information, with its client's name. It reads the audit tables only,
/// so it answers from the id alone after the person is destroyed (§7).
pub fn access_log(conn: &mut DbConn, person: uuid::Uuid, window: &Window) -> AppResult<Page<AccessLogEntry>> {
    let mut query = audit_persons::table
        .inner_join(audit_events::table)
        .left_join(clients::table.on(clients::id.eq(audit_events::client_id)))
        .filter(audit_persons::person_id.eq(person.to_string()))
        .select((AuditRow::as_select(), clients::name.nullable()))
        .into_boxed();
    if let Some(c) = &window.after {
        // Newest first: continue below the cursor (`at <= c` first, an index bound).
        query = query.filter(audit_events::at.le(c.created_at)).filter(
            audit_events::at
                .lt(c.created_at)
                .or(audit_events::at.eq(c.created_at).and(audit_events::id.lt(c.id.clone()))),
        );
    }
    if let Some(ts) = window.updated_from {
        query = query.filter(audit_events::at.ge(ts));
    }
    let found: Vec<(AuditRow, Option<String>)> =
        query.order((audit_events::at.desc(), audit_events::id.desc())).limit(window.limit + 1).load(conn)?;
    paginate(found, window, |(row, client_name)| {
        let event = to_wire(row)?;
        Ok::<_, AppError>(AccessLogEntry {
            id: event.id,
            at: event.at,
            client_id: event.client_id,
            client_name,
            role: event.role,
            action: event.action,
            resource: event.resource,
            resource_id: event.resource_id,
            request_id: event.request_id,
            status: event.status,
        })
    })
}
