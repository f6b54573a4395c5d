//! Officers: the public directory of SROs; retire with `active: false`, delete only when
//! nothing refers to them.

use diesel::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::journal::{self, Op};
use super::{check_version, keyset, prevalidate};
use crate::db::rows::{self, OfficerRow};
use crate::db::schema::{assignments, clients, officers};
use crate::db::DbConn;
use crate::domain::context::Context;
use crate::domain::officer::{NewOfficer, Officer, OfficerQuery, OfficerSchoolsQuery};
use crate::domain::page::{paginate, Page};
use crate::domain::query::{IfMatch, Window};
use crate::domain::school::merge_patch;
use crate::domain::school::{School, SchoolQuery};
use crate::domain::validate::to_object;
use crate::domain::{new_id, text, time};
use crate::error::{AppError, AppResult, ConflictCode};

/// The wire form of an officer row.
pub fn to_wire(row: OfficerRow) -> AppResult<Officer> {
    Ok(Officer {
        id: rows::uuid(&row.id)?,
        badge_number: row.badge_number,
        first_name: row.first_name,
        last_name: row.last_name,
        email: row.email,
        phone: row.phone,
        active: row.active,
        created_at: time::to_utc(row.created_at),
        updated_at: time::to_utc(row.updated_at),
        version: row.version,
    })
}

fn load(conn: &mut DbConn, id: Uuid) -> AppResult<OfficerRow> {
    Ok(officers::table.find(id.to_string()).select(OfficerRow::as_select()).first(conn)?)
}

/// One page of officers.
pub fn list(conn: &mut DbConn, q: &OfficerQuery, window: &Window) -> AppResult<Page<Officer>> {
    let mut query = officers::table.select(OfficerRow::as_select()).into_boxed();
    if let Some(active) = q.active {
        query = query.filter(officers::active.eq(active));
    }
    if let Some(needle) = q.q.as_deref().filter(|s| !s.trim().is_empty()) {
        query = query.filter(officers::name_folded.like(text::contains_pattern(needle)).escape('\\'));
    }
    let found: Vec<OfficerRow> = keyset!(query, officers, window).load(conn)?;
    paginate(found, window, to_wire)
}

/// One officer.
pub fn get(conn: &mut DbConn, id: Uuid) -> AppResult<Officer> {
    to_wire(load(conn, id)?)
}

/// `GET /v1/officers/{id}/schools`: the schools the officer is assigned to today (primary or
/// backup, `role` narrows), among those the caller may see.
pub fn schools(
    conn: &mut DbConn,
    ctx: &Context,
    id: Uuid,
    q: &OfficerSchoolsQuery,
    window: &Window,
) -> AppResult<Page<School>> {
    let found = officers::table.find(id.to_string()).count().get_result::<i64>(conn)?;
    if found == 0 {
        return Err(AppError::NotFound);
    }
    let filter = SchoolQuery { officer_id: Some(id), role: q.role, ..SchoolQuery::default() };
    super::schools::list(conn, ctx, &filter, window)
}

fn duplicate_badge() -> AppError {
    AppError::conflict(ConflictCode::Duplicate, crate::msg!("duplicate_badge_number"))
}

fn badge_taken(conn: &mut DbConn, badge: &str) -> AppResult<bool> {
    Ok(officers::table.filter(officers::badge_number.eq(badge)).count().get_result::<i64>(conn)? > 0)
}

fn row_from(input: &NewOfficer, id: String, at: chrono::NaiveDateTime, version: i32) -> OfficerRow {
    OfficerRow {
        id,
        badge_number: input.badge_number.clone(),
        first_name: input.first_name.clone(),
        last_name: input.last_name.clone(),
        name_folded: input.search_text(),
        email: input.email.clone(),
        phone: input.phone.clone(),
        active: input.active,
        created_at: at,
        updated_at: at,
        version,
    }
}

/// `POST /v1/officers`.
pub fn create(conn: &mut DbConn, ctx: &Context, body: &Map<String, Value>) -> AppResult<Officer> {
    let input = NewOfficer::parse(body).map_err(AppError::Validation)?;
    let row = journal::write_reference(conn, ctx, |conn, journal| {
        if badge_taken(conn, &input.badge_number)? {
            return Err(duplicate_badge());
        }
        let row = row_from(&input, new_id().to_string(), time::now(), 1);
        diesel::insert_into(officers::table).values(&row).execute(conn)?;
        journal.changed("officers", &row.id, Op::Created, row.version);
        Ok(row)
    })?;
    to_wire(row)
}

/// `PATCH /v1/officers/{id}`.
pub fn patch(
    conn: &mut DbConn,
    ctx: &Context,
    id: Uuid,
    patch: &Map<String, Value>,
    if_match: Option<IfMatch>,
) -> AppResult<Officer> {
    let placeholder = NewOfficer {
        badge_number: "X".into(),
        first_name: "x".into(),
        last_name: "x".into(),
        email: None,
        phone: None,
        active: true,
    };
    let to_map = to_object::<NewOfficer>;
    prevalidate(patch, vec![to_map(&placeholder)], NewOfficer::parse)?;
    let row = journal::write_reference(conn, ctx, |conn, journal| {
        let existing = load(conn, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        let mut merged = to_map(&NewOfficer::from(&to_wire(existing.clone())?));
        merge_patch(&mut merged, patch);
        let input = NewOfficer::parse(&merged).map_err(AppError::Validation)?;
        if input.badge_number != existing.badge_number && badge_taken(conn, &input.badge_number)? {
            return Err(duplicate_badge());
        }
        let mut row = row_from(&input, existing.id.clone(), existing.created_at, existing.version + 1);
        row.updated_at = time::now();
        let written = diesel::update(officers::table.find(&existing.id).filter(officers::version.eq(existing.version)))
            .set(&row)
            .execute(conn)?;
        super::one_row(written)?;
        journal.changed("officers", &row.id, Op::Updated, row.version);
        // The schools it serves as primary SRO embed it: they change too.
        super::schools::touch_embedding(conn, journal, &existing.id)?;
        Ok(row)
    })?;
    to_wire(row)
}

/// `DELETE /v1/officers/{id}`: 409 `still_referenced` once anything names the officer.
pub fn delete(conn: &mut DbConn, ctx: &Context, id: Uuid, if_match: Option<IfMatch>) -> AppResult<()> {
    journal::write_reference(conn, ctx, |conn, journal| {
        let existing = load(conn, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        let assigned: i64 =
            assignments::table.filter(assignments::officer_id.eq(&existing.id)).count().get_result(conn)?;
        let bound: i64 = clients::table.filter(clients::officer_id.eq(&existing.id)).count().get_result(conn)?;
        if assigned + bound > 0 {
            return Err(AppError::conflict(ConflictCode::StillReferenced, crate::msg!("officer_still_referenced")));
        }
        diesel::delete(officers::table.find(&existing.id)).execute(conn)?;
        journal.changed("officers", &existing.id, Op::Deleted, existing.version);
        Ok(())
    })
}
