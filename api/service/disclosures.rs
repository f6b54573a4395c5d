//! Disclosures to schools (API.md §7, YCJA s. 125(6)–(7)): made by an officer for its schools
//! (or the unit), read by the board of the school until it is destroyed or `destroy_by` has
//! passed, acknowledged and confirmed destroyed by that board. Every read and write is audited
//! with the person, since each answer carries the young person's name.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::journal::{self, Audit, Op};
use super::{check_version, keyset, missing, one_row, persons, policy};
use crate::db::rows::{self, DisclosureRow};
use crate::db::schema::{disclosures, persons as person_rows, schools};
use crate::db::DbConn;
use crate::domain::audit::{AuditAction, AuditResource};
use crate::domain::context::Context;
use crate::domain::disclosure::{DisclosedPerson, Disclosure, DisclosureQuery, NewDisclosure, DUTIES};
use crate::domain::page::{paginate, Page};
use crate::domain::query::{IfMatch, Window};
use crate::domain::validate::FieldError;
use crate::domain::{new_id, time};
use crate::error::{AppError, AppResult};

const RESOURCE: AuditResource = AuditResource::Disclosures;

/// The feed's name for the resource.
const FEED: &str = "disclosures";

/// Rows to wire records, with their persons in one more query.
fn to_wire(conn: &mut DbConn, found: Vec<DisclosureRow>) -> AppResult<Vec<Disclosure>> {
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = found.iter().map(|r| r.person_id.as_str()).collect();
    type Named = (String, String, String, Option<chrono::NaiveDate>);
    let people: HashMap<String, Named> = person_rows::table
        .filter(person_rows::id.eq_any(ids))
        .select((person_rows::id, person_rows::given_name, person_rows::family_name, person_rows::date_of_birth))
        .load::<Named>(conn)?
        .into_iter()
        .map(|p| (p.0.clone(), p))
        .collect();
    found
        .into_iter()
        .map(|row| {
            let (id, given_name, family_name, date_of_birth) = people
                .get(&row.person_id)
                .cloned()
                .ok_or_else(|| AppError::Internal(format!("disclosure {} names no stored person", row.id)))?;
            Ok(Disclosure {
                id: rows::uuid(&row.id)?,
                person: DisclosedPerson { id: rows::uuid(&id)?, given_name, family_name, date_of_birth },
                school_id: rows::uuid(&row.school_id)?,
                recipient_name: row.recipient_name,
                recipient_role: row.recipient_role,
                purpose: rows::enum_value(&row.purpose)?,
                information: row.information,
                disclosed_on: row.disclosed_on,
                destroy_by: row.destroy_by,
                duties: DUTIES.iter().map(|d| (*d).to_owned()).collect(),
                acknowledged_at: row.acknowledged_at.map(time::to_utc),
                destroyed_at: row.destroyed_at.map(time::to_utc),
                created_at: time::to_utc(row.created_at),
                updated_at: time::to_utc(row.updated_at),
                version: row.version,
            })
        })
        .collect()
}

fn one(conn: &mut DbConn, row: DisclosureRow) -> AppResult<Disclosure> {
    to_wire(conn, vec![row])?.pop().ok_or(AppError::NotFound)
}

/// The disclosure row, or 404 when it does not exist or the caller may not see it (a board:
/// once destroyed or past `destroy_by`).
fn load_visible(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<DisclosureRow> {
    disclosures::table
        .find(id.to_string())
        .filter(policy::disclosures(ctx))
        .select(DisclosureRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

fn page_of(conn: &mut DbConn, found: Vec<DisclosureRow>, window: &Window) -> AppResult<Page<Disclosure>> {
    let page = paginate(found, window, Ok::<_, AppError>)?;
    Ok(Page { data: to_wire(conn, page.data)?, next_cursor: page.next_cursor })
}

/// One page of the disclosures the caller may see (`GET /v1/disclosures`).
pub fn list(conn: &mut DbConn, ctx: &Context, q: &DisclosureQuery, window: &Window) -> AppResult<Page<Disclosure>> {
    journal::read(conn, ctx, Audit::new(AuditAction::List, RESOURCE, None), |conn| {
        let mut query =
            disclosures::table.select(DisclosureRow::as_select()).filter(policy::disclosures(ctx)).into_boxed();
        if let Some(person) = q.person_id {
            query = query.filter(disclosures::person_id.eq(person.to_string()));
        }
        if let Some(school) = q.school_id {
            query = query.filter(disclosures::school_id.eq(school.to_string()));
        }
        if let Some(purpose) = q.purpose {
            query = query.filter(disclosures::purpose.eq(purpose.as_str()));
        }
        let found: Vec<DisclosureRow> = keyset!(query, disclosures, window).load(conn)?;
        page_of(conn, found, window)
    })
}

/// One page of a person's disclosures (`GET /v1/persons/{id}/disclosures`; 404 when the caller
/// may not see the person).
pub fn list_for_person(conn: &mut DbConn, ctx: &Context, person: Uuid, window: &Window) -> AppResult<Page<Disclosure>> {
    journal::read(conn, ctx, Audit::new(AuditAction::List, RESOURCE, None), |conn| {
        if !persons::is_visible(conn, ctx, person)? {
            return Err(AppError::NotFound);
        }
        let query = disclosures::table
            .select(DisclosureRow::as_select())
            .filter(disclosures::person_id.eq(person.to_string()))
            .filter(policy::disclosures(ctx))
            .into_boxed();
        let found: Vec<DisclosureRow> = keyset!(query, disclosures, window).load(conn)?;
        page_of(conn, found, window)
    })
}

/// One disclosure.
pub fn get(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<Disclosure> {
    journal::read(conn, ctx, Audit::new(AuditAction::Read, RESOURCE, Some(id)), |conn| {
        let row = load_visible(conn, ctx, id)?;
        one(conn, row)
    })
}

/// What needs the stored data: the person is one the caller sees, and the school exists and
/// is one an officer may write for on the day (the rule of every officer write at a school).
fn check_refs(conn: &mut DbConn, ctx: &Context, input: &NewDisclosure) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    if !persons::is_visible(conn, ctx, input.person_id)? {
        errors.push(FieldError::new("person_id", crate::msg!("no_such_person")));
    }
    let school = input.school_id.to_string();
    let found: i64 = schools::table.find(&school).filter(policy::schools(ctx)).count().get_result(conn)?;
    errors.extend(missing("school_id", found > 0, crate::msg!("no_such_school")));
    if found > 0 && !policy::may_write_at(conn, ctx, &school, input.disclosed_on)? {
        errors.push(FieldError::new("school_id", crate::msg!("not_assigned_that_day")));
    }
    Ok(errors)
}

/// `POST /v1/disclosures`.
pub fn create(conn: &mut DbConn, ctx: &Context, body: &Map<String, Value>) -> AppResult<Disclosure> {
    let input = NewDisclosure::parse(body, ctx.today()).map_err(AppError::Validation)?;
    journal::write(conn, ctx, Some(Audit::new(AuditAction::Create, RESOURCE, None)), |conn, journal| {
        let errors = check_refs(conn, ctx, &input)?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let at = ctx.stamp();
        let row = DisclosureRow {
            id: new_id().to_string(),
            person_id: input.person_id.to_string(),
            school_id: input.school_id.to_string(),
            recipient_name: input.recipient_name.clone(),
            recipient_role: input.recipient_role.clone(),
            purpose: input.purpose.to_string(),
            information: input.information.clone(),
            disclosed_on: input.disclosed_on,
            destroy_by: input.destroy_by,
            acknowledged_at: None,
            destroyed_at: None,
            // Recorded after its destroy_by (a late entry): the board never saw it, so there is
            // nothing for the hourly pass to announce.
            expired_at: (input.destroy_by < ctx.today()).then_some(at),
            created_by_officer: ctx.visibility.officer().map(|o| o.to_string()),
            created_at: at,
            updated_at: at,
            version: 1,
        };
        diesel::insert_into(disclosures::table).values(&row).execute(conn)?;
        journal.changed(FEED, &row.id, Op::Created, row.version);
        one(conn, row)
    })
}

/// Which confirmation the school sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// Received (`acknowledged_at`).
    Acknowledged,
    /// Destroyed (`destroyed_at`); the board loses the record.
    Destroyed,
}

/// `POST /v1/disclosures/{id}/acknowledge` and `/destroyed`: sets the time once; a repeat keeps
/// the first time and answers the record unchanged (a retried confirmation is not an error).
pub fn confirm(
    conn: &mut DbConn,
    ctx: &Context,
    id: Uuid,
    what: Confirmation,
    if_match: Option<IfMatch>,
) -> AppResult<Disclosure> {
    journal::write(conn, ctx, Some(Audit::new(AuditAction::Status, RESOURCE, Some(id))), |conn, journal| {
        let mut row = load_visible(conn, ctx, id)?;
        check_version(if_match.as_ref(), row.version)?;
        let slot = match what {
            Confirmation::Acknowledged => &mut row.acknowledged_at,
            Confirmation::Destroyed => &mut row.destroyed_at,
        };
        if slot.is_some() {
            return one(conn, row);
        }
        *slot = Some(ctx.stamp());
        bump(conn, &mut row, ctx.stamp())?;
        journal.changed(FEED, &row.id, Op::Updated, row.version);
        one(conn, row)
    })
}

/// Writes `row` as its next version (`WHERE version = ?`).
fn bump(conn: &mut DbConn, row: &mut DisclosureRow, at: NaiveDateTime) -> AppResult<()> {
    let version = row.version;
    row.version = version + 1;
    row.updated_at = at;
    let touched = diesel::update(disclosures::table.find(&row.id).filter(disclosures::version.eq(version)))
        .set(&*row)
        .execute(conn)?;
    one_row(touched)
}

/// Announces the disclosures whose `destroy_by` has passed by `ctx.today()` (city-local) and
/// that are not yet marked: each gets `expired_at` and an `updated` feed entry, whose audience
/// no longer holds the board, so the board's feed shows `access_lost` (the board already gets
/// 404 through the policy; no write happens when a day passes, so this pass makes the entry).
/// One transaction per disclosure; run hourly by `server::housekeeping`. Returns how many.
pub fn expire(conn: &mut DbConn, ctx: &Context) -> AppResult<usize> {
    let today = ctx.today();
    let due: Vec<String> = disclosures::table
        .filter(disclosures::expired_at.is_null())
        .filter(disclosures::destroy_by.lt(today))
        .select(disclosures::id)
        .load(conn)?;
    let mut done = 0;
    for id in due {
        // No audit event: the pass reads nothing out and answers no one; the feed entry carries
        // only the id.
        let marked = journal::write_reference(conn, ctx, |conn, journal| {
            let found: Option<DisclosureRow> = disclosures::table
                .find(&id)
                .filter(disclosures::expired_at.is_null())
                .select(DisclosureRow::as_select())
                .first(conn)
                .optional()?;
            // Marked meanwhile by another instance's pass.
            let Some(mut row) = found else { return Ok(false) };
            row.expired_at = Some(ctx.stamp());
            bump(conn, &mut row, ctx.stamp())?;
            // A destroyed one already left the board's view when destruction was confirmed.
            if row.destroyed_at.is_none() {
                journal.changed(FEED, &row.id, Op::Updated, row.version);
            }
            Ok(true)
        })?;
        if marked {
            done += 1;
        }
    }
    Ok(done)
}
