//! SRO assignments: at most one primary per school on any day, the handover in one
//! transaction, and the school's version bumped by every write (it embeds its SRO).

use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::journal::{self, Op};
use super::{check_version, in_force, keyset, missing, policy, prevalidate, schools};
use crate::db::rows::{self, AssignmentRow};
use crate::db::schema::{assignments, officers};
use crate::db::DbConn;
use crate::domain::assignment::{
    periods_overlap, Assignment, AssignmentQuery, AssignmentRole, Handover, NewAssignment,
};
use crate::domain::context::Context;
use crate::domain::page::{paginate, Page};
use crate::domain::query::{IfMatch, Window};
use crate::domain::school::merge_patch;
use crate::domain::validate::FieldError;
use crate::domain::{new_id, time};
use crate::error::{AppError, AppResult, ConflictCode};

fn to_wire(row: AssignmentRow) -> AppResult<Assignment> {
    Ok(Assignment {
        id: rows::uuid(&row.id)?,
        school_id: rows::uuid(&row.school_id)?,
        officer_id: rows::uuid(&row.officer_id)?,
        role: rows::enum_value(&row.role)?,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        created_at: time::to_utc(row.created_at),
        updated_at: time::to_utc(row.updated_at),
        version: row.version,
    })
}

/// The assignment, or 404 if absent or at a school the caller may not see.
fn load_visible(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<AssignmentRow> {
    assignments::table
        .find(id.to_string())
        .filter(policy::assignments(ctx))
        .select(AssignmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// One page of assignments the caller may see.
pub fn list(conn: &mut DbConn, ctx: &Context, q: &AssignmentQuery, window: &Window) -> AppResult<Page<Assignment>> {
    let mut query = assignments::table.select(AssignmentRow::as_select()).filter(policy::assignments(ctx)).into_boxed();
    if let Some(school) = q.school_id {
        query = query.filter(assignments::school_id.eq(school.to_string()));
    }
    if let Some(officer) = q.officer_id {
        query = query.filter(assignments::officer_id.eq(officer.to_string()));
    }
    if let Some(role) = q.role {
        query = query.filter(assignments::role.eq(role.as_str()));
    }
    if let Some(day) = q.on {
        query = query.filter(in_force!(day));
    }
    match q.current {
        Some(true) => query = query.filter(in_force!(time::today())),
        Some(false) => query = query.filter(diesel::dsl::not(in_force!(time::today()))),
        None => {}
    }
    let found: Vec<AssignmentRow> = keyset!(query, assignments, window).load(conn)?;
    paginate(found, window, to_wire)
}

/// One assignment.
pub fn get(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<Assignment> {
    to_wire(load_visible(conn, ctx, id)?)
}

/// 422s that need the stored school and officer. A retired officer can still have an existing
/// assignment changed (to end it, say), but is never given a new one.
fn check_refs(conn: &mut DbConn, input: &NewAssignment, officer_unchanged: bool) -> AppResult<Vec<FieldError>> {
    let school_exists =
        crate::db::schema::schools::table.find(input.school_id.to_string()).count().get_result::<i64>(conn)? > 0;
    let mut errors = missing("school_id", school_exists, crate::msg!("no_such_school"));
    if !officer_unchanged {
        errors.extend(check_officer(conn, input.officer_id)?);
    }
    Ok(errors)
}

fn check_officer(conn: &mut DbConn, officer_id: Uuid) -> AppResult<Vec<FieldError>> {
    let active: Option<bool> =
        officers::table.find(officer_id.to_string()).select(officers::active).first(conn).optional()?;
    Ok(match active {
        None => missing("officer_id", false, crate::msg!("no_such_officer")),
        Some(false) => vec![FieldError::new("officer_id", crate::msg!("officer_retired"))],
        Some(true) => Vec::new(),
    })
}

/// 409 when a primary assignment of the school (other than `except`) shares a day with the period.
fn refuse_overlap(
    conn: &mut DbConn,
    school_id: &str,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    except: Option<&str>,
) -> AppResult<()> {
    let primaries: Vec<(String, NaiveDate, Option<NaiveDate>)> = assignments::table
        .filter(assignments::school_id.eq(school_id))
        .filter(assignments::role.eq(AssignmentRole::Primary.as_str()))
        .select((assignments::id, assignments::starts_on, assignments::ends_on))
        .load(conn)?;
    let clash = primaries
        .iter()
        .filter(|(id, _, _)| Some(id.as_str()) != except)
        .any(|(_, start, end)| periods_overlap(*start, *end, starts_on, ends_on));
    if clash {
        return Err(overlap());
    }
    Ok(())
}

fn overlap() -> AppError {
    AppError::conflict(ConflictCode::OverlappingAssignment, crate::msg!("overlapping_primary"))
}

fn row_from(input: &NewAssignment, id: String, at: chrono::NaiveDateTime, version: i32) -> AssignmentRow {
    AssignmentRow {
        id,
        school_id: input.school_id.to_string(),
        officer_id: input.officer_id.to_string(),
        role: input.role.to_string(),
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        created_at: at,
        updated_at: at,
        version,
    }
}

/// `POST /v1/assignments`.
pub fn create(conn: &mut DbConn, ctx: &Context, body: &Map<String, Value>) -> AppResult<Assignment> {
    let input = NewAssignment::parse(body).map_err(AppError::Validation)?;
    let row = journal::write_reference(conn, ctx, |conn, journal| {
        let errors = check_refs(conn, &input, false)?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        schools::touch(conn, journal, &input.school_id.to_string())?;
        if input.role == AssignmentRole::Primary {
            refuse_overlap(conn, &input.school_id.to_string(), input.starts_on, input.ends_on, None)?;
        }
        let row = row_from(&input, new_id().to_string(), time::now(), 1);
        diesel::insert_into(assignments::table).values(&row).execute(conn)?;
        journal.changed("assignments", &row.id, Op::Created, row.version);
        Ok(row)
    })?;
    to_wire(row)
}

/// `PATCH /v1/assignments/{id}` (end one by setting `ends_on`).
pub fn patch(
    conn: &mut DbConn,
    ctx: &Context,
    id: Uuid,
    patch: &Map<String, Value>,
    if_match: Option<IfMatch>,
) -> AppResult<Assignment> {
    let placeholder = NewAssignment {
        school_id: Uuid::nil(),
        officer_id: Uuid::nil(),
        role: AssignmentRole::Backup,
        starts_on: NaiveDate::MIN,
        ends_on: None,
    };
    prevalidate(patch, vec![placeholder.to_map()], NewAssignment::parse)?;
    let row = journal::write_reference(conn, ctx, |conn, journal| {
        let existing = load_visible(conn, ctx, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        let mut merged = NewAssignment::from(&to_wire(existing.clone())?).to_map();
        merge_patch(&mut merged, patch);
        let input = NewAssignment::parse(&merged).map_err(AppError::Validation)?;
        let errors = check_refs(conn, &input, input.officer_id.to_string() == existing.officer_id)?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        // Both schools, in id order: two moves in opposite directions lock them in the same
        // order and never deadlock.
        let mut touched = vec![existing.school_id.clone(), input.school_id.to_string()];
        touched.sort();
        touched.dedup();
        for school in &touched {
            schools::touch(conn, journal, school)?;
        }
        if input.role == AssignmentRole::Primary {
            refuse_overlap(conn, &input.school_id.to_string(), input.starts_on, input.ends_on, Some(&existing.id))?;
        }
        let mut row = row_from(&input, existing.id.clone(), existing.created_at, existing.version + 1);
        row.updated_at = time::now();
        let written =
            diesel::update(assignments::table.find(&existing.id).filter(assignments::version.eq(existing.version)))
                .set(&row)
                .execute(conn)?;
        super::one_row(written)?;
        journal.changed("assignments", &row.id, Op::Updated, row.version);
        Ok(row)
    })?;
    to_wire(row)
}

/// `DELETE /v1/assignments/{id}`.
pub fn delete(conn: &mut DbConn, ctx: &Context, id: Uuid, if_match: Option<IfMatch>) -> AppResult<()> {
    journal::write_reference(conn, ctx, |conn, journal| {
        let existing = load_visible(conn, ctx, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        schools::touch(conn, journal, &existing.school_id)?;
        diesel::delete(assignments::table.find(&existing.id)).execute(conn)?;
        journal.changed("assignments", &existing.id, Op::Deleted, existing.version);
        Ok(())
    })
}

/// `POST /v1/schools/{id}/sro`: ends the current primary assignment the day before
/// `starts_on` and opens the new one, in one transaction.
pub fn handover(conn: &mut DbConn, ctx: &Context, school_id: Uuid, body: &Map<String, Value>) -> AppResult<Assignment> {
    let input = Handover::parse(body).map_err(AppError::Validation)?;
    let row = journal::write_reference(conn, ctx, |conn, journal| {
        let school = schools::load_visible(conn, ctx, school_id)?;
        let errors = check_officer(conn, input.officer_id)?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        schools::touch(conn, journal, &school.id)?;
        let primaries: Vec<AssignmentRow> = assignments::table
            .filter(assignments::school_id.eq(&school.id))
            .filter(assignments::role.eq(AssignmentRole::Primary.as_str()))
            .select(AssignmentRow::as_select())
            .load(conn)?;
        if primaries.iter().any(|a| a.starts_on >= input.starts_on) {
            return Err(overlap());
        }
        let now = time::now();
        if let Some(current) = primaries.iter().find(|a| a.ends_on.is_none_or(|end| end >= input.starts_on)) {
            if current.officer_id == input.officer_id.to_string() {
                return Err(AppError::field("officer_id", crate::msg!("already_primary")));
            }
            let day_before = input
                .starts_on
                .checked_sub_days(Days::new(1))
                .ok_or_else(|| AppError::field("starts_on", crate::msg!("out_of_range")))?;
            diesel::update(assignments::table.find(&current.id))
                .set((
                    assignments::ends_on.eq(Some(day_before)),
                    assignments::updated_at.eq(now),
                    assignments::version.eq(current.version + 1),
                ))
                .execute(conn)?;
            journal.changed("assignments", &current.id, Op::Updated, current.version + 1);
        }
        let new = NewAssignment {
            school_id,
            officer_id: input.officer_id,
            role: AssignmentRole::Primary,
            starts_on: input.starts_on,
            ends_on: None,
        };
        let row = row_from(&new, new_id().to_string(), now, 1);
        diesel::insert_into(assignments::table).values(&row).execute(conn)?;
        journal.changed("assignments", &row.id, Op::Created, row.version);
        Ok(row)
    })?;
    to_wire(row)
}
