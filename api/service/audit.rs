//! Reading the audit log (admin). Nothing here or anywhere changes it.

use diesel::prelude::*;

use crate::db::rows::{self, AuditRow};
use crate::db::schema::audit_events;
use crate::db::DbConn;
use crate::domain::audit::{AuditEvent, AuditQuery};
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
