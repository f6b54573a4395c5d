//! Service requests: made by a school board (or the unit) for a school, assigned to the
//! school's current primary SRO when made, worked by that officer.

use diesel::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::journal::{self, Op};
use super::{check_version, in_force, keyset, missing, one_row, policy, prevalidate};
use crate::db::rows::{self, ServiceRequestRow};
use crate::db::schema::{assignments, officers, schools, service_requests};
use crate::db::DbConn;
use crate::domain::context::{Context, Visibility};
use crate::domain::merge::merge_patch;
use crate::domain::page::{paginate, Page};
use crate::domain::query::{IfMatch, Window};
use crate::domain::service_request::{
    NewServiceRequest, RequestStatus, RequestedBy, ServiceRequest, ServiceRequestChanges, ServiceRequestQuery,
};
use crate::domain::validate::{to_object, FieldError};
use crate::domain::{new_id, time};
use crate::error::{AppError, AppResult, ConflictCode};

fn to_wire(row: ServiceRequestRow) -> AppResult<ServiceRequest> {
    Ok(ServiceRequest {
        id: rows::uuid(&row.id)?,
        school_id: rows::uuid(&row.school_id)?,
        kind: rows::enum_value(&row.kind)?,
        details: row.details,
        requested_by: RequestedBy { name: row.requested_by_name, role: row.requested_by_role },
        officer_id: rows::opt_uuid(row.officer_id.as_deref())?,
        status: rows::enum_value(&row.status)?,
        outcome: row.outcome,
        created_at: time::to_utc(row.created_at),
        updated_at: time::to_utc(row.updated_at),
        version: row.version,
    })
}

fn load_visible(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<ServiceRequestRow> {
    service_requests::table
        .find(id.to_string())
        .filter(policy::service_requests(ctx))
        .select(ServiceRequestRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// One page of the requests the caller may see.
pub fn list(
    conn: &mut DbConn,
    ctx: &Context,
    q: &ServiceRequestQuery,
    window: &Window,
) -> AppResult<Page<ServiceRequest>> {
    let mut query = service_requests::table
        .select(ServiceRequestRow::as_select())
        .filter(policy::service_requests(ctx))
        .into_boxed();
    if let Some(school) = q.school_id {
        query = query.filter(service_requests::school_id.eq(school.to_string()));
    }
    if let Some(officer) = q.officer_id {
        query = query.filter(service_requests::officer_id.eq(officer.to_string()));
    }
    if let Some(kind) = q.kind {
        query = query.filter(service_requests::kind.eq(kind.as_str()));
    }
    if let Some(status) = q.status {
        query = query.filter(service_requests::status.eq(status.as_str()));
    }
    match q.unassigned {
        Some(true) => query = query.filter(service_requests::officer_id.is_null()),
        Some(false) => query = query.filter(service_requests::officer_id.is_not_null()),
        None => {}
    }
    if let Some(from) = q.created_from {
        query = query.filter(service_requests::created_at.ge(from.naive_utc()));
    }
    if let Some(to) = q.created_to {
        query = query.filter(service_requests::created_at.lt(to.naive_utc()));
    }
    let found: Vec<ServiceRequestRow> = keyset!(query, service_requests, window).load(conn)?;
    paginate(found, window, to_wire)
}

/// One request.
pub fn get(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<ServiceRequest> {
    to_wire(load_visible(conn, ctx, id)?)
}

/// The school's current primary SRO, if it has one.
fn current_primary(conn: &mut DbConn, school: &str, ctx: &Context) -> AppResult<Option<String>> {
    let today = ctx.today();
    Ok(assignments::table
        .filter(assignments::school_id.eq(school))
        .filter(assignments::role.eq("primary"))
        .filter(in_force!(today))
        .select(assignments::officer_id)
        .first(conn)
        .optional()?)
}

/// `POST /v1/service-requests` (the unit, or a board for its schools): assigned to the
/// school's current primary SRO, or to nobody (`officer_id: null`) when it has none.
pub fn create(conn: &mut DbConn, ctx: &Context, body: &Map<String, Value>) -> AppResult<ServiceRequest> {
    let input = NewServiceRequest::parse(body).map_err(AppError::Validation)?;
    journal::write_reference(conn, ctx, |conn, journal| {
        let school = input.school_id.to_string();
        let found: i64 = schools::table.find(&school).count().get_result(conn)?;
        if found == 0 || !policy::may_write_at(conn, ctx, &school, ctx.today())? {
            // A board naming another board's school learns nothing about it.
            return Err(AppError::Validation(missing("school_id", false, crate::msg!("no_such_school"))));
        }
        let at = ctx.stamp();
        let row = ServiceRequestRow {
            id: new_id().to_string(),
            school_id: school.clone(),
            kind: input.kind.to_string(),
            details: input.details.clone(),
            requested_by_name: input.requested_by.name.clone(),
            requested_by_role: input.requested_by.role.clone(),
            officer_id: current_primary(conn, &school, ctx)?,
            status: RequestStatus::Open.to_string(),
            outcome: None,
            created_on: ctx.today(),
            created_at: at,
            updated_at: at,
            version: 1,
        };
        diesel::insert_into(service_requests::table).values(&row).execute(conn)?;
        journal.changed("service_requests", &row.id, Op::Created, row.version);
        to_wire(row)
    })
}

/// `PATCH /v1/service-requests/{id}`: details, status moves and the outcome; only the unit
/// reassigns the SRO.
pub fn patch(
    conn: &mut DbConn,
    ctx: &Context,
    id: Uuid,
    patch: &Map<String, Value>,
    if_match: Option<IfMatch>,
) -> AppResult<ServiceRequest> {
    let placeholder = to_object(&ServiceRequestChanges {
        kind: Default::default(),
        details: "x".into(),
        requested_by: RequestedBy { name: "x".into(), role: "x".into() },
        officer_id: None,
        status: RequestStatus::Open,
        outcome: None,
    });
    prevalidate(patch, vec![placeholder], ServiceRequestChanges::parse)?;
    if patch.contains_key("officer_id") && ctx.visibility != Visibility::All {
        return Err(AppError::field("officer_id", crate::msg!("only_unit_reassigns")));
    }
    journal::write_reference(conn, ctx, |conn, journal| {
        let existing = load_visible(conn, ctx, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        let stored = to_wire(existing.clone())?;
        if stored.status.is_final() {
            return Err(AppError::conflict(
                ConflictCode::InvalidTransition,
                crate::msg!("final_request_unchangeable", status = stored.status),
            ));
        }
        let mut merged = to_object(&ServiceRequestChanges::from(&stored));
        merge_patch(&mut merged, patch);
        let input = ServiceRequestChanges::parse(&merged).map_err(AppError::Validation)?;
        if input.status != stored.status && !stored.status.may_move_to(input.status) {
            return Err(AppError::conflict(
                ConflictCode::InvalidTransition,
                crate::msg!("request_cannot_move", from = stored.status, to = input.status),
            ));
        }
        if let Some(officer) = input.officer_id.filter(|o| Some(*o) != stored.officer_id) {
            let found: i64 = officers::table.find(officer.to_string()).count().get_result(conn)?;
            let errors: Vec<FieldError> = missing("officer_id", found > 0, crate::msg!("no_such_officer"));
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
        }
        let version = existing.version;
        let row = ServiceRequestRow {
            kind: input.kind.to_string(),
            details: input.details.clone(),
            requested_by_name: input.requested_by.name.clone(),
            requested_by_role: input.requested_by.role.clone(),
            officer_id: input.officer_id.map(|o| o.to_string()),
            status: input.status.to_string(),
            outcome: input.outcome.clone(),
            version: version + 1,
            updated_at: ctx.stamp(),
            ..existing
        };
        let touched =
            diesel::update(service_requests::table.find(&row.id).filter(service_requests::version.eq(version)))
                .set(&row)
                .execute(conn)?;
        one_row(touched)?;
        journal.changed("service_requests", &row.id, Op::Updated, row.version);
        to_wire(row)
    })
}
