//! Presentations: recorded by the officer who gave them (or the unit), at its schools.

use diesel::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::journal::{self, Op};
use super::{check_version, keyset, missing, one_row, policy, prevalidate};
use crate::db::rows::{self, PresentationRow};
use crate::db::schema::{officers, presentations, schools, service_requests};
use crate::db::DbConn;
use crate::domain::context::Context;
use crate::domain::merge::merge_patch;
use crate::domain::page::{paginate, Page};
use crate::domain::presentation::{Grade, NewPresentation, Presentation, PresentationInput, PresentationQuery};
use crate::domain::query::{IfMatch, Window};
use crate::domain::validate::{to_object, FieldError};
use crate::domain::{new_id, time};
use crate::error::{AppError, AppResult};

fn to_wire(row: PresentationRow) -> AppResult<Presentation> {
    let grades: Vec<u8> = serde_json::from_str(&row.grades)
        .map_err(|_| AppError::Internal(format!("stored grades of presentation {} are not a list", row.id)))?;
    Ok(Presentation {
        id: rows::uuid(&row.id)?,
        school_id: rows::uuid(&row.school_id)?,
        officer_id: rows::uuid(&row.officer_id)?,
        delivered_on: row.delivered_on,
        topic: row.topic,
        grades,
        audience_size: row.audience_size,
        language: rows::enum_value(&row.language)?,
        service_request_id: rows::opt_uuid(row.service_request_id.as_deref())?,
        created_at: time::to_utc(row.created_at),
        updated_at: time::to_utc(row.updated_at),
        version: row.version,
    })
}

fn load_visible(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<PresentationRow> {
    presentations::table
        .find(id.to_string())
        .filter(policy::presentations(ctx))
        .select(PresentationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// One page of the presentations the caller may see.
pub fn list(conn: &mut DbConn, ctx: &Context, q: &PresentationQuery, window: &Window) -> AppResult<Page<Presentation>> {
    let mut query =
        presentations::table.select(PresentationRow::as_select()).filter(policy::presentations(ctx)).into_boxed();
    if let Some(school) = q.school_id {
        query = query.filter(presentations::school_id.eq(school.to_string()));
    }
    if let Some(officer) = q.officer_id {
        query = query.filter(presentations::officer_id.eq(officer.to_string()));
    }
    if let Some(language) = q.language {
        query = query.filter(presentations::language.eq(language.as_str()));
    }
    if let Some(from) = q.delivered_from {
        query = query.filter(presentations::delivered_on.ge(from));
    }
    if let Some(to) = q.delivered_to {
        query = query.filter(presentations::delivered_on.lt(to));
    }
    let found: Vec<PresentationRow> = keyset!(query, presentations, window).load(conn)?;
    paginate(found, window, to_wire)
}

/// One presentation.
pub fn get(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<Presentation> {
    to_wire(load_visible(conn, ctx, id)?)
}

/// What needs the stored data: the school, the officer (an officer client gives its own talks),
/// that an officer was assigned there on the day, and the request it answered.
fn check_refs(conn: &mut DbConn, ctx: &Context, input: &mut PresentationInput) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Some(me) = ctx.visibility.officer() {
        match input.officer_id {
            None => input.officer_id = Some(me),
            Some(named) if named == me => {}
            Some(_) => errors.push(FieldError::new("officer_id", crate::msg!("officer_records_own_presentations"))),
        }
    }
    let school = input.school_id.to_string();
    let found: i64 = schools::table.find(&school).count().get_result(conn)?;
    errors.extend(missing("school_id", found > 0, crate::msg!("no_such_school")));
    if found > 0 && !policy::may_write_at(conn, ctx, &school, input.delivered_on)? {
        errors.push(FieldError::new("school_id", crate::msg!("not_assigned_that_day")));
    }
    match input.officer_id {
        None => errors.push(FieldError::new("officer_id", crate::msg!("required"))),
        Some(officer) => {
            let found: i64 = officers::table.find(officer.to_string()).count().get_result(conn)?;
            errors.extend(missing("officer_id", found > 0, crate::msg!("no_such_officer")));
        }
    }
    if let Some(request) = input.service_request_id {
        let found: i64 = service_requests::table
            .find(request.to_string())
            .filter(service_requests::school_id.eq(&school))
            .count()
            .get_result(conn)?;
        errors.extend(missing("service_request_id", found > 0, crate::msg!("no_such_service_request_at_school")));
    }
    Ok(errors)
}

fn apply(input: &PresentationInput, base: PresentationRow) -> AppResult<PresentationRow> {
    Ok(PresentationRow {
        school_id: input.school_id.to_string(),
        officer_id: input.officer_id.map(|o| o.to_string()).unwrap_or_default(),
        delivered_on: input.delivered_on,
        topic: input.topic.clone(),
        grades: serde_json::to_string(&input.grades).map_err(|e| AppError::Internal(e.to_string()))?,
        audience_size: input.audience_size,
        language: input.language.to_string(),
        service_request_id: input.service_request_id.map(|r| r.to_string()),
        ..base
    })
}

/// `POST /v1/presentations`.
pub fn create(conn: &mut DbConn, ctx: &Context, body: &Map<String, Value>) -> AppResult<Presentation> {
    let parsed = PresentationInput::parse(body, ctx.today()).map_err(AppError::Validation)?;
    journal::write_reference(conn, ctx, |conn, journal| {
        let mut input = parsed.clone();
        let errors = check_refs(conn, ctx, &mut input)?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let at = ctx.stamp();
        let base = PresentationRow {
            id: new_id().to_string(),
            school_id: String::new(),
            officer_id: String::new(),
            delivered_on: ctx.today(),
            topic: String::new(),
            grades: String::new(),
            audience_size: None,
            language: String::new(),
            service_request_id: None,
            created_at: at,
            updated_at: at,
            version: 1,
        };
        let row = apply(&input, base)?;
        diesel::insert_into(presentations::table).values(&row).execute(conn)?;
        journal.changed("presentations", &row.id, Op::Created, row.version);
        to_wire(row)
    })
}

/// `PATCH /v1/presentations/{id}`.
pub fn patch(
    conn: &mut DbConn,
    ctx: &Context,
    id: Uuid,
    patch: &Map<String, Value>,
    if_match: Option<IfMatch>,
) -> AppResult<Presentation> {
    let today = ctx.today();
    let placeholder = to_object(&NewPresentation {
        school_id: Uuid::nil(),
        officer_id: None,
        delivered_on: today,
        topic: "x".into(),
        grades: vec![Grade(1)],
        audience_size: None,
        language: Default::default(),
        service_request_id: None,
    });
    prevalidate(patch, vec![placeholder], |m| PresentationInput::parse(m, today))?;
    journal::write_reference(conn, ctx, |conn, journal| {
        let existing = load_visible(conn, ctx, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        let mut merged = to_object(&NewPresentation::from(&to_wire(existing.clone())?));
        merge_patch(&mut merged, patch);
        let mut input = PresentationInput::parse(&merged, today).map_err(AppError::Validation)?;
        let errors = check_refs(conn, ctx, &mut input)?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let version = existing.version;
        let mut row = apply(&input, existing)?;
        row.version = version + 1;
        row.updated_at = ctx.stamp();
        let touched = diesel::update(presentations::table.find(&row.id).filter(presentations::version.eq(version)))
            .set(&row)
            .execute(conn)?;
        one_row(touched)?;
        journal.changed("presentations", &row.id, Op::Updated, row.version);
        to_wire(row)
    })
}

/// `DELETE /v1/presentations/{id}`: a talk recorded by mistake.
pub fn delete(conn: &mut DbConn, ctx: &Context, id: Uuid, if_match: Option<IfMatch>) -> AppResult<()> {
    journal::write_reference(conn, ctx, |conn, journal| {
        let existing = load_visible(conn, ctx, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        diesel::delete(presentations::table.find(&existing.id)).execute(conn)?;
        journal.changed("presentations", &existing.id, Op::Deleted, existing.version);
        Ok(())
    })
}
