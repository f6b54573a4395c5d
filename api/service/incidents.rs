//! Incidents: the access policy, the projection each role gets, the moves of the status, who
//! is involved, and the audit of every read and write.

use std::collections::HashMap;

use diesel::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::journal::{self, Audit, Op};
use super::{check_version, keyset, missing, one_row, persons, policy, prevalidate};
use crate::db::rows::{self, IncidentRow, InvolvedRow};
use crate::db::schema::{agencies, incident_persons, incidents, officers, schools};
use crate::db::DbConn;
use crate::domain::audit::{AuditAction, AuditResource};
use crate::domain::context::{Context, Visibility};
use crate::domain::incident::{
    day_of, Incident, IncidentChanges, IncidentInput, IncidentQuery, IncidentStatus, IncidentView, Involved,
    InvolvementRole,
};
use crate::domain::merge::merge_patch;
use crate::domain::page::{paginate, Page};
use crate::domain::query::{IfMatch, Window};
use crate::domain::validate::{to_object, FieldError};
use crate::domain::{new_id, time};
use crate::error::{AppError, AppResult, ConflictCode};

const RESOURCE: AuditResource = AuditResource::Incidents;

fn to_wire(row: IncidentRow, involved: Vec<Involved>) -> AppResult<Incident> {
    Ok(Incident {
        id: rows::uuid(&row.id)?,
        occurrence_number: row.occurrence_number,
        school_id: rows::uuid(&row.school_id)?,
        officer_id: rows::opt_uuid(row.officer_id.as_deref())?,
        occurred_at: time::to_utc(row.occurred_at),
        reported_at: time::to_utc(row.reported_at),
        location: rows::enum_value(&row.location)?,
        during_school_hours: row.during_school_hours,
        category: rows::enum_value(&row.category)?,
        safe_schools_reportable: row.safe_schools_reportable,
        summary: row.summary,
        status: rows::enum_value(&row.status)?,
        resolution: row.resolution.as_deref().map(rows::enum_value).transpose()?,
        diversion_agency_id: rows::opt_uuid(row.diversion_agency_id.as_deref())?,
        involved,
        created_at: time::to_utc(row.created_at),
        updated_at: time::to_utc(row.updated_at),
        version: row.version,
    })
}

/// Which `involved` entries a read shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Show {
    /// Every entry (the unit).
    All,
    /// Those of persons not sealed (everyone else, §7).
    Unsealed,
    /// Only those of sealed persons (what an officer's PATCH must keep without seeing).
    Sealed,
}

impl Show {
    fn for_caller(ctx: &Context) -> Show {
        if ctx.visibility == Visibility::All {
            Show::All
        } else {
            Show::Unsealed
        }
    }
}

/// The persons involved in each of `ids`, in the order given.
fn involved_in(conn: &mut DbConn, ids: Vec<String>, show: Show) -> AppResult<HashMap<String, Vec<Involved>>> {
    let mut out: HashMap<String, Vec<Involved>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut query = incident_persons::table
        .filter(incident_persons::incident_id.eq_any(ids))
        .order((incident_persons::incident_id, incident_persons::position))
        .select(InvolvedRow::as_select())
        .into_boxed();
    match show {
        Show::All => {}
        Show::Unsealed => query = query.filter(incident_persons::person_id.eq_any(policy::unsealed_persons())),
        Show::Sealed => query = query.filter(incident_persons::person_id.ne_all(policy::unsealed_persons())),
    }
    let found: Vec<InvolvedRow> = query.load(conn)?;
    for row in found {
        let entry = Involved { person_id: rows::uuid(&row.person_id)?, role: rows::enum_value(&row.role)? };
        out.entry(row.incident_id).or_default().push(entry);
    }
    Ok(out)
}

/// Rows to the projection the caller gets; persons are loaded only for those who may see them.
fn project(conn: &mut DbConn, ctx: &Context, found: Vec<IncidentRow>) -> AppResult<Vec<IncidentView>> {
    let mut involved = if ctx.visibility.hides_persons() {
        HashMap::new()
    } else {
        involved_in(conn, found.iter().map(|r| r.id.clone()).collect(), Show::for_caller(ctx))?
    };
    found
        .into_iter()
        .map(|row| {
            let people = involved.remove(&row.id).unwrap_or_default();
            Ok(IncidentView::project(to_wire(row, people)?, ctx.visibility))
        })
        .collect()
}

/// The incident row, or 404 when it does not exist or the caller may not see it.
pub fn load_visible(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<IncidentRow> {
    incidents::table
        .find(id.to_string())
        .filter(policy::incidents(ctx))
        .select(IncidentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// True when `id` names an incident the caller may see.
pub fn is_visible(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<bool> {
    let found: i64 = incidents::table.find(id.to_string()).filter(policy::incidents(ctx)).count().get_result(conn)?;
    Ok(found > 0)
}

/// One page of the incidents the caller may see, in its projection.
pub fn list(conn: &mut DbConn, ctx: &Context, q: &IncidentQuery, window: &Window) -> AppResult<Page<IncidentView>> {
    journal::read(conn, ctx, Audit::new(AuditAction::List, RESOURCE, None), |conn| {
        let mut query = incidents::table.select(IncidentRow::as_select()).filter(policy::incidents(ctx)).into_boxed();
        if let Some(school) = q.school_id {
            query = query.filter(incidents::school_id.eq(school.to_string()));
        }
        if let Some(board) = q.board_id {
            let of_board = schools::table.select(schools::id).filter(schools::board_id.eq(board.to_string()));
            query = query.filter(incidents::school_id.eq_any(of_board));
        }
        if let Some(officer) = q.officer_id {
            query = query.filter(incidents::officer_id.eq(officer.to_string()));
        }
        if let Some(status) = q.status {
            query = query.filter(incidents::status.eq(status.as_str()));
        }
        if let Some(category) = q.category {
            query = query.filter(incidents::category.eq(category.as_str()));
        }
        if let Some(resolution) = q.resolution {
            query = query.filter(incidents::resolution.eq(resolution.as_str()));
        }
        if let Some(location) = q.location {
            query = query.filter(incidents::location.eq(location.as_str()));
        }
        if let Some(person) = q.person_id {
            let named = incident_persons::table
                .select(incident_persons::incident_id)
                .filter(incident_persons::person_id.eq(person.to_string()));
            if Show::for_caller(ctx) == Show::All {
                query = query.filter(incidents::id.eq_any(named));
            } else {
                // A sealed person leaves no trace, not even as a filter that finds something.
                let unsealed = named.filter(incident_persons::person_id.eq_any(policy::unsealed_persons()));
                query = query.filter(incidents::id.eq_any(unsealed));
            }
        }
        if let Some(from) = q.occurred_from {
            query = query.filter(incidents::occurred_at.ge(from.naive_utc()));
        }
        if let Some(to) = q.occurred_to {
            query = query.filter(incidents::occurred_at.lt(to.naive_utc()));
        }
        let found: Vec<IncidentRow> = keyset!(query, incidents, window).load(conn)?;
        let page = paginate(found, window, Ok::<_, AppError>)?;
        Ok(Page { data: project(conn, ctx, page.data)?, next_cursor: page.next_cursor })
    })
}

/// One incident, in the caller's projection.
pub fn get(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<IncidentView> {
    journal::read(conn, ctx, Audit::new(AuditAction::Read, RESOURCE, Some(id)), |conn| {
        let row = load_visible(conn, ctx, id)?;
        one(conn, ctx, row)
    })
}

fn one(conn: &mut DbConn, ctx: &Context, row: IncidentRow) -> AppResult<IncidentView> {
    project(conn, ctx, vec![row])?.pop().ok_or(AppError::NotFound)
}

/// What needs the stored data: the school and officer exist, an officer may write at the
/// school on the incident's day, the persons are ones the caller may see, the diversion
/// program exists.
fn check_refs(conn: &mut DbConn, ctx: &Context, input: &IncidentInput) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    let school = input.school_id.to_string();
    let school_found: i64 = schools::table.find(&school).count().get_result(conn)?;
    errors.extend(missing("school_id", school_found > 0, crate::msg!("no_such_school")));
    if school_found > 0 && !policy::may_write_at(conn, ctx, &school, day_of(input.occurred_at))? {
        errors.push(FieldError::new("school_id", crate::msg!("not_assigned_incident_day")));
    }
    if let Some(officer) = input.officer_id {
        let found: i64 = officers::table.find(officer.to_string()).count().get_result(conn)?;
        errors.extend(missing("officer_id", found > 0, crate::msg!("no_such_officer")));
    }
    for (i, person) in input.involved.iter().enumerate() {
        if !persons::is_visible(conn, ctx, person.person_id)? {
            errors.push(FieldError::new(format!("involved[{i}].person_id"), crate::msg!("no_such_person")));
        }
    }
    if let Some(agency) = input.diversion_agency_id {
        let found: i64 = agencies::table.find(agency.to_string()).count().get_result(conn)?;
        errors.extend(missing("diversion_agency_id", found > 0, crate::msg!("no_such_agency")));
    }
    Ok(errors)
}

fn duplicate_number() -> AppError {
    AppError::conflict(ConflictCode::Duplicate, crate::msg!("duplicate_occurrence_number"))
}

fn number_taken(conn: &mut DbConn, number: &str, except: &str) -> AppResult<bool> {
    let found: i64 = incidents::table
        .filter(incidents::occurrence_number.eq(number))
        .filter(incidents::id.ne(except))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// Writes an incident's `involved` list; `replacing` an earlier one (an update) removes it first.
fn write_involved(conn: &mut DbConn, id: &str, involved: &[Involved], replacing: bool) -> AppResult<()> {
    if replacing {
        diesel::delete(incident_persons::table.filter(incident_persons::incident_id.eq(id))).execute(conn)?;
    }
    for (position, person) in involved.iter().enumerate() {
        let row = InvolvedRow {
            incident_id: id.to_owned(),
            person_id: person.person_id.to_string(),
            role: person.role.to_string(),
            position: position as i32,
        };
        diesel::insert_into(incident_persons::table).values(&row).execute(conn)?;
    }
    Ok(())
}

/// A person with an outcome on this incident must stay one of its subjects (§7: an outcome is
/// the measure for a subject); 422 naming their `involved` entry otherwise.
fn keep_subjects_with_outcomes(conn: &mut DbConn, id: &str, involved: &[Involved]) -> AppResult<()> {
    let mut errors = Vec::new();
    for person in super::outcomes::persons_with_outcomes(conn, id)? {
        match involved.iter().position(|i| i.person_id == person) {
            Some(i) if involved[i].role != InvolvementRole::Subject => {
                errors.push(FieldError::new(format!("involved[{i}].role"), crate::msg!("outcome_person_stays_subject")))
            }
            Some(_) => {}
            None => errors.push(FieldError::new("involved", crate::msg!("outcome_person_stays_involved"))),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

fn apply(input: &IncidentInput, base: IncidentRow) -> IncidentRow {
    IncidentRow {
        occurrence_number: input.occurrence_number.clone(),
        school_id: input.school_id.to_string(),
        officer_id: input.officer_id.map(|o| o.to_string()),
        occurred_at: input.occurred_at,
        occurred_on: day_of(input.occurred_at),
        reported_at: input.reported_at.unwrap_or(base.reported_at),
        location: input.location.to_string(),
        during_school_hours: input.during_school_hours,
        category: input.category.to_string(),
        safe_schools_reportable: input.safe_schools_reportable,
        summary: input.summary.clone(),
        status: input.status.to_string(),
        resolution: input.resolution.map(|r| r.to_string()),
        diversion_agency_id: input.diversion_agency_id.map(|a| a.to_string()),
        ..base
    }
}

/// `POST /v1/incidents`: a new incident, `open`; an officer's own by default.
pub fn create(conn: &mut DbConn, ctx: &Context, body: &Map<String, Value>) -> AppResult<IncidentView> {
    let mut input = IncidentInput::parse_new(body, ctx.stamp()).map_err(AppError::Validation)?;
    if input.officer_id.is_none() {
        input.officer_id = ctx.visibility.officer();
    }
    journal::write(conn, ctx, Some(Audit::new(AuditAction::Create, RESOURCE, None)), |conn, journal| {
        let errors = check_refs(conn, ctx, &input)?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let at = ctx.stamp();
        let id = new_id().to_string();
        if let Some(number) = &input.occurrence_number {
            if number_taken(conn, number, &id)? {
                return Err(duplicate_number());
            }
        }
        let base = IncidentRow {
            id: id.clone(),
            occurrence_number: None,
            school_id: String::new(),
            officer_id: None,
            occurred_at: at,
            occurred_on: ctx.today(),
            reported_at: at,
            location: String::new(),
            during_school_hours: false,
            category: String::new(),
            safe_schools_reportable: false,
            summary: String::new(),
            status: IncidentStatus::Open.to_string(),
            resolution: None,
            diversion_agency_id: None,
            created_by_officer: ctx.visibility.officer().map(|o| o.to_string()),
            created_at: at,
            updated_at: at,
            version: 1,
        };
        let row = apply(&input, base);
        diesel::insert_into(incidents::table).values(&row).execute(conn)?;
        write_involved(conn, &id, &input.involved, false)?;
        journal.changed("incidents", &id, Op::Created, row.version);
        one(conn, ctx, row)
    })
}

fn placeholder(status: IncidentStatus) -> Map<String, Value> {
    let mut map = to_object(&IncidentChanges {
        occurrence_number: None,
        school_id: Uuid::nil(),
        officer_id: None,
        occurred_at: chrono::DateTime::UNIX_EPOCH,
        reported_at: None,
        location: Default::default(),
        during_school_hours: false,
        category: Default::default(),
        safe_schools_reportable: false,
        summary: "x".into(),
        involved: Vec::new(),
        status,
        resolution: None,
        diversion_agency_id: None,
    });
    if status.is_resolved() {
        map.insert("resolution".into(), Value::String("diversion".into()));
        map.insert("diversion_agency_id".into(), Value::String(Uuid::nil().to_string()));
    }
    map
}

/// `PATCH /v1/incidents/{id}`: changes fields and moves the status (§6); a closed incident is
/// frozen.
pub fn patch(
    conn: &mut DbConn,
    ctx: &Context,
    id: Uuid,
    patch: &Map<String, Value>,
    if_match: Option<IfMatch>,
) -> AppResult<IncidentView> {
    let now = ctx.stamp();
    let placeholders = IncidentStatus::ALL.iter().map(|s| placeholder(*s)).collect();
    prevalidate(patch, placeholders, |m| IncidentInput::parse_changes(m, now))?;
    journal::write(conn, ctx, Some(Audit::new(AuditAction::Update, RESOURCE, Some(id))), |conn, journal| {
        let existing = load_visible(conn, ctx, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        let show = Show::for_caller(ctx);
        let involved = involved_in(conn, vec![existing.id.clone()], show)?.remove(&existing.id).unwrap_or_default();
        let stored = to_wire(existing.clone(), involved)?;
        if stored.status == IncidentStatus::Closed {
            return Err(AppError::conflict(ConflictCode::InvalidTransition, crate::msg!("closed_incident")));
        }
        let mut merged = to_object(&IncidentChanges::from(&stored));
        merge_patch(&mut merged, patch);
        let input = IncidentInput::parse_changes(&merged, now).map_err(AppError::Validation)?;
        if input.status != stored.status && !stored.status.may_move_to(input.status) {
            return Err(AppError::conflict(
                ConflictCode::InvalidTransition,
                crate::msg!("incident_cannot_move", from = stored.status, to = input.status),
            ));
        }
        let errors = check_refs(conn, ctx, &input)?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        if let Some(number) = &input.occurrence_number {
            if number_taken(conn, number, &existing.id)? {
                return Err(duplicate_number());
            }
        }
        // Sealed persons the caller cannot see stay where they are (and count as kept).
        let hidden = if show == Show::All {
            Vec::new()
        } else {
            involved_in(conn, vec![existing.id.clone()], Show::Sealed)?.remove(&existing.id).unwrap_or_default()
        };
        if input.involved != stored.involved {
            let all: Vec<Involved> = input.involved.iter().chain(hidden.iter()).cloned().collect();
            keep_subjects_with_outcomes(conn, &existing.id, &all)?;
        }
        let version = existing.version;
        let mut row = apply(&input, existing);
        row.version = version + 1;
        row.updated_at = ctx.stamp();
        let touched = diesel::update(incidents::table.find(&row.id).filter(incidents::version.eq(version)))
            .set(&row)
            .execute(conn)?;
        one_row(touched)?;
        if input.involved != stored.involved {
            let all: Vec<Involved> = input.involved.iter().chain(hidden.iter()).cloned().collect();
            write_involved(conn, &row.id, &all, true)?;
        }
        journal.changed("incidents", &row.id, Op::Updated, row.version);
        one(conn, ctx, row)
    })
}
