//! Persons: personal information, read and written only through the access policy and the
//! audited journal.

use diesel::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::journal::{self, Audit, Op};
use super::{check_version, keyset, missing, one_row, policy, prevalidate};
use crate::config::RetentionSettings;
use crate::db::rows::{self, PersonRow};
use crate::db::schema::{persons, schools};
use crate::db::DbConn;
use crate::domain::audit::{AuditAction, AuditResource};
use crate::domain::context::Context;
use crate::domain::merge::merge_patch;
use crate::domain::page::{paginate, Page};
use crate::domain::person::{NewPerson, Person, PersonQuery};
use crate::domain::query::{IfMatch, Window};
use crate::domain::retention::LegalHold;
use crate::domain::validate::{to_object, FieldError};
use crate::domain::{new_id, text, time};
use crate::error::{AppError, AppResult};

const RESOURCE: AuditResource = AuditResource::Persons;

/// The wire form of a person row.
pub fn to_wire(row: PersonRow) -> AppResult<Person> {
    Ok(Person {
        id: rows::uuid(&row.id)?,
        given_name: row.given_name,
        family_name: row.family_name,
        date_of_birth: row.date_of_birth,
        school_id: rows::opt_uuid(row.school_id.as_deref())?,
        guardian_name: row.guardian_name,
        guardian_phone: row.guardian_phone,
        language: row.language.as_deref().map(rows::enum_value).transpose()?,
        created_at: time::to_utc(row.created_at),
        updated_at: time::to_utc(row.updated_at),
        version: row.version,
        // Retention fields, for the unit only: `retention::annotate` completes or removes them.
        retain_until: None,
        legal_hold: Some(
            row.hold_reason
                .zip(row.hold_placed_at)
                .map(|(reason, at)| LegalHold { reason, placed_at: time::to_utc(at) }),
        ),
        sealed_at: Some(row.sealed_at.map(time::to_utc)),
    })
}

/// The person row, or 404 when it does not exist or the caller may not see it.
pub fn load_visible(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<PersonRow> {
    persons::table
        .find(id.to_string())
        .filter(policy::persons(ctx))
        .select(PersonRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// True when `id` names a person the caller may see (for references from other records).
pub fn is_visible(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<bool> {
    let found: i64 = persons::table.find(id.to_string()).filter(policy::persons(ctx)).count().get_result(conn)?;
    Ok(found > 0)
}

/// One page of the persons the caller may see.
pub fn list(
    conn: &mut DbConn,
    ctx: &Context,
    settings: RetentionSettings,
    q: &PersonQuery,
    window: &Window,
) -> AppResult<Page<Person>> {
    journal::read(conn, ctx, Audit::new(AuditAction::List, RESOURCE, None), |conn| {
        let mut query = persons::table.select(PersonRow::as_select()).filter(policy::persons(ctx)).into_boxed();
        if let Some(name) = &q.family_name {
            query = query.filter(persons::family_folded.eq(text::fold(name)));
        }
        if let Some(day) = q.date_of_birth {
            query = query.filter(persons::date_of_birth.eq(day));
        }
        if let Some(school) = q.school_id {
            query = query.filter(persons::school_id.eq(school.to_string()));
        }
        let found: Vec<PersonRow> = keyset!(query, persons, window).load(conn)?;
        let mut page = paginate(found, window, to_wire)?;
        super::retention::annotate(conn, ctx, settings, &mut page.data)?;
        Ok(page)
    })
}

/// One person.
pub fn get(conn: &mut DbConn, ctx: &Context, settings: RetentionSettings, id: Uuid) -> AppResult<Person> {
    journal::read(conn, ctx, Audit::new(AuditAction::Read, RESOURCE, Some(id)), |conn| {
        let mut person = to_wire(load_visible(conn, ctx, id)?)?;
        super::retention::annotate(conn, ctx, settings, std::slice::from_mut(&mut person))?;
        Ok(person)
    })
}

fn check_school(conn: &mut DbConn, input: &NewPerson) -> AppResult<Vec<FieldError>> {
    let Some(school) = input.school_id else { return Ok(Vec::new()) };
    let found: i64 = schools::table.find(school.to_string()).count().get_result(conn)?;
    Ok(missing("school_id", found > 0, crate::msg!("no_such_school")))
}

fn row_from(input: &NewPerson, base: PersonRow) -> PersonRow {
    PersonRow {
        given_name: input.given_name.clone(),
        family_name: input.family_name.clone(),
        family_folded: text::fold(&input.family_name),
        date_of_birth: input.date_of_birth,
        school_id: input.school_id.map(|s| s.to_string()),
        guardian_name: input.guardian_name.clone(),
        guardian_phone: input.guardian_phone.clone(),
        language: input.language.map(|l| l.to_string()),
        ..base
    }
}

/// `POST /v1/persons`.
pub fn create(
    conn: &mut DbConn,
    ctx: &Context,
    settings: RetentionSettings,
    body: &Map<String, Value>,
) -> AppResult<Person> {
    let input = NewPerson::parse(body, ctx.today()).map_err(AppError::Validation)?;
    journal::write(conn, ctx, Some(Audit::new(AuditAction::Create, RESOURCE, None)), |conn, journal| {
        let errors = check_school(conn, &input)?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let at = ctx.stamp();
        let blank = PersonRow {
            id: new_id().to_string(),
            given_name: String::new(),
            family_name: String::new(),
            family_folded: String::new(),
            date_of_birth: None,
            school_id: None,
            guardian_name: None,
            guardian_phone: None,
            language: None,
            created_by_officer: ctx.visibility.officer().map(|o| o.to_string()),
            created_on: ctx.today(),
            created_at: at,
            updated_at: at,
            version: 1,
            sealed_at: None,
            hold_reason: None,
            hold_placed_at: None,
        };
        let row = row_from(&input, blank);
        diesel::insert_into(persons::table).values(&row).execute(conn)?;
        journal.changed("persons", &row.id, Op::Created, row.version);
        let mut person = to_wire(row)?;
        super::retention::annotate(conn, ctx, settings, std::slice::from_mut(&mut person))?;
        Ok(person)
    })
}

/// `PATCH /v1/persons/{id}`.
pub fn patch(
    conn: &mut DbConn,
    ctx: &Context,
    settings: RetentionSettings,
    id: Uuid,
    patch: &Map<String, Value>,
    if_match: Option<IfMatch>,
) -> AppResult<Person> {
    let placeholder = NewPerson {
        given_name: "x".into(),
        family_name: "x".into(),
        date_of_birth: None,
        school_id: None,
        guardian_name: None,
        guardian_phone: None,
        language: None,
    };
    let today = ctx.today();
    prevalidate(patch, vec![to_object(&placeholder)], |m| NewPerson::parse(m, today))?;
    journal::write(conn, ctx, Some(Audit::new(AuditAction::Update, RESOURCE, Some(id))), |conn, journal| {
        let existing = load_visible(conn, ctx, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        let mut merged = to_object(&NewPerson::from(&to_wire(existing.clone())?));
        merge_patch(&mut merged, patch);
        let input = NewPerson::parse(&merged, today).map_err(AppError::Validation)?;
        let errors = check_school(conn, &input)?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let version = existing.version;
        let mut row = row_from(&input, existing);
        row.version = version + 1;
        row.updated_at = ctx.stamp();
        let touched = diesel::update(persons::table.find(&row.id).filter(persons::version.eq(version)))
            .set(&row)
            .execute(conn)?;
        one_row(touched)?;
        journal.changed("persons", &row.id, Op::Updated, row.version);
        let mut person = to_wire(row)?;
        super::retention::annotate(conn, ctx, settings, std::slice::from_mut(&mut person))?;
        Ok(person)
    })
}
