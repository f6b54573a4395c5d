//! Agencies: reference data every role reads; the unit writes them.

use diesel::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::journal::{self, Op};
use super::{check_version, keyset, one_row, prevalidate};
use crate::db::rows::{self, AgencyRow};
use crate::db::schema::{agencies, clients, incidents, referrals};
use crate::db::DbConn;
use crate::domain::agency::{Agency, AgencyQuery, NewAgency};
use crate::domain::context::Context;
use crate::domain::merge::merge_patch;
use crate::domain::page::{paginate, Page};
use crate::domain::query::{IfMatch, Window};
use crate::domain::validate::to_object;
use crate::domain::{new_id, text, time};
use crate::error::{AppError, AppResult, ConflictCode};

/// The wire form of an agency row.
pub fn to_wire(row: AgencyRow) -> AppResult<Agency> {
    Ok(Agency {
        id: rows::uuid(&row.id)?,
        name: row.name,
        name_fr: row.name_fr,
        kind: rows::enum_value(&row.kind)?,
        phone: row.phone,
        email: row.email,
        active: row.active,
        created_at: time::to_utc(row.created_at),
        updated_at: time::to_utc(row.updated_at),
        version: row.version,
    })
}

/// The agency row, if it exists.
pub fn find(conn: &mut DbConn, id: Uuid) -> AppResult<Option<AgencyRow>> {
    Ok(agencies::table.find(id.to_string()).select(AgencyRow::as_select()).first(conn).optional()?)
}

/// One page of agencies.
pub fn list(conn: &mut DbConn, q: &AgencyQuery, window: &Window) -> AppResult<Page<Agency>> {
    let mut query = agencies::table.select(AgencyRow::as_select()).into_boxed();
    if let Some(kind) = q.kind {
        query = query.filter(agencies::kind.eq(kind.as_str()));
    }
    if let Some(active) = q.active {
        query = query.filter(agencies::active.eq(active));
    }
    if let Some(needle) = q.q.as_deref().filter(|s| !s.trim().is_empty()) {
        query = query.filter(agencies::name_folded.like(text::contains_pattern(needle)).escape('\\'));
    }
    let found: Vec<AgencyRow> = keyset!(query, agencies, window).load(conn)?;
    paginate(found, window, to_wire)
}

/// One agency.
pub fn get(conn: &mut DbConn, id: Uuid) -> AppResult<Agency> {
    to_wire(find(conn, id)?.ok_or(AppError::NotFound)?)
}

fn row_from(input: &NewAgency, id: String, at: chrono::NaiveDateTime, version: i32) -> AgencyRow {
    AgencyRow {
        id,
        name: input.name.clone(),
        name_fr: input.name_fr.clone(),
        name_folded: input.search_text(),
        kind: input.kind.to_string(),
        phone: input.phone.clone(),
        email: input.email.clone(),
        active: input.active,
        created_at: at,
        updated_at: at,
        version,
    }
}

/// `POST /v1/agencies`.
pub fn create(conn: &mut DbConn, ctx: &Context, body: &Map<String, Value>) -> AppResult<Agency> {
    let input = NewAgency::parse(body).map_err(AppError::Validation)?;
    journal::write_reference(conn, ctx, |conn, journal| {
        let row = row_from(&input, new_id().to_string(), ctx.stamp(), 1);
        diesel::insert_into(agencies::table).values(&row).execute(conn)?;
        journal.changed("agencies", &row.id, Op::Created, row.version);
        to_wire(row)
    })
}

/// `PATCH /v1/agencies/{id}`.
pub fn patch(
    conn: &mut DbConn,
    ctx: &Context,
    id: Uuid,
    patch: &Map<String, Value>,
    if_match: Option<IfMatch>,
) -> AppResult<Agency> {
    let placeholder =
        NewAgency { name: "x".into(), name_fr: None, kind: Default::default(), phone: None, email: None, active: true };
    prevalidate(patch, vec![to_object(&placeholder)], NewAgency::parse)?;
    journal::write_reference(conn, ctx, |conn, journal| {
        let existing = find(conn, id)?.ok_or(AppError::NotFound)?;
        check_version(if_match.as_ref(), existing.version)?;
        let mut merged = to_object(&NewAgency::from(&to_wire(existing.clone())?));
        merge_patch(&mut merged, patch);
        let input = NewAgency::parse(&merged).map_err(AppError::Validation)?;
        let mut row = row_from(&input, existing.id.clone(), existing.created_at, existing.version + 1);
        row.updated_at = ctx.stamp();
        let touched = diesel::update(agencies::table.find(&existing.id).filter(agencies::version.eq(existing.version)))
            .set(&row)
            .execute(conn)?;
        one_row(touched)?;
        journal.changed("agencies", &row.id, Op::Updated, row.version);
        to_wire(row)
    })
}

/// `DELETE /v1/agencies/{id}`: 409 `still_referenced` once a referral, an incident or a client
/// names it (set `active: false` instead).
pub fn delete(conn: &mut DbConn, ctx: &Context, id: Uuid, if_match: Option<IfMatch>) -> AppResult<()> {
    journal::write_reference(conn, ctx, |conn, journal| {
        let existing = find(conn, id)?.ok_or(AppError::NotFound)?;
        check_version(if_match.as_ref(), existing.version)?;
        let named: i64 = referrals::table.filter(referrals::agency_id.eq(&existing.id)).count().get_result(conn)?;
        let diverted: i64 =
            incidents::table.filter(incidents::diversion_agency_id.eq(&existing.id)).count().get_result(conn)?;
        let bound: i64 = clients::table.filter(clients::agency_id.eq(&existing.id)).count().get_result(conn)?;
        if named + diverted + bound > 0 {
            return Err(AppError::conflict(ConflictCode::StillReferenced, crate::msg!("agency_still_referenced")));
        }
        diesel::delete(agencies::table.find(&existing.id)).execute(conn)?;
        journal.changed("agencies", &existing.id, Op::Deleted, existing.version);
        Ok(())
    })
}
