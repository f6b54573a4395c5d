//! Outcomes (API.md §7): the YCJA measure for each subject of an incident, its consent and age
//! rules, and the access period computed from the table whenever the outcome is written.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::journal::{self, Audit, Op};
use super::{check_version, incidents, keyset, one_row, policy, prevalidate};
use crate::db::rows::{self, IncidentRow, OutcomeRow};
use crate::db::schema::{incident_persons, outcomes, persons};
use crate::db::DbConn;
use crate::domain::access_period::{self, AccessPeriod, AccessPeriods};
use crate::domain::audit::{AuditAction, AuditResource};
use crate::domain::context::Context;
use crate::domain::incident::{IncidentStatus, InvolvementRole};
use crate::domain::merge::merge_patch;
use crate::domain::outcome::{
    CourtDisposition, IncidentOutcome, Measure, NewIncidentOutcome, OutcomeFacts, OutcomeQuery,
};
use crate::domain::page::{paginate, Page};
use crate::domain::query::{IfMatch, Window};
use crate::domain::validate::{to_object, FieldError};
use crate::domain::{new_id, time};
use crate::error::{AppError, AppResult, ConflictCode};

const RESOURCE: AuditResource = AuditResource::Outcomes;

fn to_wire(row: OutcomeRow) -> AppResult<IncidentOutcome> {
    Ok(IncidentOutcome {
        id: rows::uuid(&row.id)?,
        incident_id: rows::uuid(&row.incident_id)?,
        person_id: rows::uuid(&row.person_id)?,
        measure: rows::enum_value(&row.measure)?,
        decided_on: row.decided_on,
        youth_consent_obtained_on: row.youth_consent_obtained_on,
        court_disposition: row.court_disposition.as_deref().map(rows::enum_value).transpose()?,
        disposition_on: row.disposition_on,
        sentence_completed_on: row.sentence_completed_on,
        access_period_ends_on: row.access_period_ends_on,
        access_period_rule: row.access_period_rule,
        created_at: time::to_utc(row.created_at),
        updated_at: time::to_utc(row.updated_at),
        version: row.version,
    })
}

fn load_visible(conn: &mut DbConn, ctx: &Context, incident: Uuid, id: Uuid) -> AppResult<OutcomeRow> {
    outcomes::table
        .find(id.to_string())
        .filter(outcomes::incident_id.eq(incident.to_string()))
        .filter(policy::outcomes(ctx))
        .select(OutcomeRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// One page of the outcomes of incident `incident` (404 when the caller may not see it).
pub fn list_for_incident(
    conn: &mut DbConn,
    ctx: &Context,
    incident: Uuid,
    window: &Window,
) -> AppResult<Page<IncidentOutcome>> {
    journal::read(conn, ctx, Audit::new(AuditAction::List, RESOURCE, None), |conn| {
        incidents::load_visible(conn, ctx, incident)?;
        let query = outcomes::table
            .select(OutcomeRow::as_select())
            .filter(outcomes::incident_id.eq(incident.to_string()))
            .filter(policy::outcomes(ctx))
            .into_boxed();
        let found: Vec<OutcomeRow> = keyset!(query, outcomes, window).load(conn)?;
        paginate(found, window, to_wire)
    })
}

/// One page of the outcomes the caller may see (`GET /v1/outcomes`).
pub fn list(conn: &mut DbConn, ctx: &Context, q: &OutcomeQuery, window: &Window) -> AppResult<Page<IncidentOutcome>> {
    journal::read(conn, ctx, Audit::new(AuditAction::List, RESOURCE, None), |conn| {
        let mut query = outcomes::table.select(OutcomeRow::as_select()).filter(policy::outcomes(ctx)).into_boxed();
        if let Some(person) = q.person_id {
            query = query.filter(outcomes::person_id.eq(person.to_string()));
        }
        if let Some(measure) = q.measure {
            query = query.filter(outcomes::measure.eq(measure.as_str()));
        }
        if let Some(from) = q.access_period_ends_from {
            query = query.filter(outcomes::access_period_ends_on.ge(from));
        }
        if let Some(to) = q.access_period_ends_to {
            query = query.filter(outcomes::access_period_ends_on.lt(to));
        }
        let found: Vec<OutcomeRow> = keyset!(query, outcomes, window).load(conn)?;
        paginate(found, window, to_wire)
    })
}

/// One outcome of an incident.
pub fn get(conn: &mut DbConn, ctx: &Context, incident: Uuid, id: Uuid) -> AppResult<IncidentOutcome> {
    journal::read(conn, ctx, Audit::new(AuditAction::Read, RESOURCE, Some(id)), |conn| {
        to_wire(load_visible(conn, ctx, incident, id)?)
    })
}

/// The rules that need the incident: the person is one of its subjects, and a child under 12
/// on its day gets no youth-justice measure. Answers the period the outcome starts.
fn check_and_period(
    conn: &mut DbConn,
    ctx: &Context,
    incident: &IncidentRow,
    input: &NewIncidentOutcome,
    periods: &AccessPeriods,
) -> AppResult<AccessPeriod> {
    let not_a_subject =
        || AppError::Validation(vec![FieldError::new("person_id", crate::msg!("must_be_incident_subject"))]);
    // A person the caller may not see (a sealed one) is answered like any stranger.
    if !super::persons::is_visible(conn, ctx, input.person_id)? {
        return Err(not_a_subject());
    }
    let role: Option<String> = incident_persons::table
        .filter(incident_persons::incident_id.eq(&incident.id))
        .filter(incident_persons::person_id.eq(input.person_id.to_string()))
        .select(incident_persons::role)
        .first(conn)
        .optional()?;
    if role.as_deref() != Some(InvolvementRole::Subject.as_str()) {
        return Err(not_a_subject());
    }
    let birth: Option<NaiveDate> =
        persons::table.find(input.person_id.to_string()).select(persons::date_of_birth).first(conn)?;
    // A person with no date of birth is treated as a young person (§7).
    let age = birth.map(|b| access_period::age_on(b, incident.occurred_on));
    match age {
        Some(age) if age < 12 && !input.measure.allowed_under_12() => {
            Err(AppError::Validation(vec![FieldError::new("measure", crate::msg!("under_twelve_measure"))]))
        }
        Some(age) if age >= 18 => Ok(access_period::adult()),
        _ => Ok(periods.period(&OutcomeFacts::from(input))),
    }
}

fn frozen(incident: &IncidentRow) -> AppResult<()> {
    if incident.status == IncidentStatus::Closed.as_str() {
        return Err(AppError::conflict(ConflictCode::InvalidTransition, crate::msg!("closed_incident_outcomes")));
    }
    Ok(())
}

fn apply(input: &NewIncidentOutcome, period: AccessPeriod, base: OutcomeRow) -> OutcomeRow {
    OutcomeRow {
        person_id: input.person_id.to_string(),
        measure: input.measure.to_string(),
        decided_on: input.decided_on,
        youth_consent_obtained_on: input.youth_consent_obtained_on,
        court_disposition: input.court_disposition.map(|d| d.to_string()),
        disposition_on: input.disposition_on,
        sentence_completed_on: input.sentence_completed_on,
        access_period_ends_on: period.ends_on,
        access_period_rule: period.rule,
        ..base
    }
}

/// `POST /v1/incidents/{id}/outcomes`.
pub fn create(
    conn: &mut DbConn,
    ctx: &Context,
    incident: Uuid,
    body: &Map<String, Value>,
    periods: &AccessPeriods,
) -> AppResult<IncidentOutcome> {
    let input = NewIncidentOutcome::parse(body, ctx.today()).map_err(AppError::Validation)?;
    journal::write(conn, ctx, Some(Audit::new(AuditAction::Create, RESOURCE, None)), |conn, journal| {
        let found = incidents::load_visible(conn, ctx, incident)?;
        let period = check_and_period(conn, ctx, &found, &input, periods)?;
        frozen(&found)?;
        let taken: i64 = outcomes::table
            .filter(outcomes::incident_id.eq(&found.id))
            .filter(outcomes::person_id.eq(input.person_id.to_string()))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(AppError::conflict(ConflictCode::Duplicate, crate::msg!("duplicate_outcome")));
        }
        let at = ctx.stamp();
        let base = OutcomeRow {
            id: new_id().to_string(),
            incident_id: found.id.clone(),
            person_id: String::new(),
            measure: String::new(),
            decided_on: input.decided_on,
            youth_consent_obtained_on: None,
            court_disposition: None,
            disposition_on: None,
            sentence_completed_on: None,
            access_period_ends_on: None,
            access_period_rule: String::new(),
            created_at: at,
            updated_at: at,
            version: 1,
        };
        let row = apply(&input, period, base);
        diesel::insert_into(outcomes::table).values(&row).execute(conn)?;
        journal.changed("outcomes", &row.id, Op::Created, row.version);
        to_wire(row)
    })
}

/// `PATCH /v1/incidents/{id}/outcomes/{outcome_id}`: while the incident is not closed; the
/// person cannot change (record another outcome instead), the period is computed again.
#[allow(clippy::too_many_arguments)]
pub fn patch(
    conn: &mut DbConn,
    ctx: &Context,
    incident: Uuid,
    id: Uuid,
    patch: &Map<String, Value>,
    if_match: Option<IfMatch>,
    periods: &AccessPeriods,
) -> AppResult<IncidentOutcome> {
    let today = ctx.today();
    // One placeholder per shape the cross-field rules know: no disposition, a conviction.
    let placeholders = [(Measure::Warning, None), (Measure::Charge, Some(CourtDisposition::SummaryConviction))]
        .into_iter()
        .map(|(measure, court_disposition)| {
            to_object(&NewIncidentOutcome {
                person_id: Uuid::nil(),
                measure,
                decided_on: NaiveDate::MIN,
                youth_consent_obtained_on: None,
                court_disposition,
                disposition_on: court_disposition.map(|_| NaiveDate::MIN),
                sentence_completed_on: None,
            })
        })
        .collect();
    prevalidate(patch, placeholders, |m| NewIncidentOutcome::parse(m, today))?;
    journal::write(conn, ctx, Some(Audit::new(AuditAction::Update, RESOURCE, Some(id))), |conn, journal| {
        let existing = load_visible(conn, ctx, incident, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        let found = incidents::load_visible(conn, ctx, incident)?;
        let stored = to_wire(existing.clone())?;
        let mut merged = to_object(&NewIncidentOutcome::from(&stored));
        merge_patch(&mut merged, patch);
        let input = NewIncidentOutcome::parse(&merged, today).map_err(AppError::Validation)?;
        if input.person_id != stored.person_id {
            return Err(AppError::Validation(vec![FieldError::new("person_id", crate::msg!("outcome_person_fixed"))]));
        }
        let period = check_and_period(conn, ctx, &found, &input, periods)?;
        frozen(&found)?;
        let version = existing.version;
        let mut row = apply(&input, period, existing);
        row.version = version + 1;
        row.updated_at = ctx.stamp();
        let touched = diesel::update(outcomes::table.find(&row.id).filter(outcomes::version.eq(version)))
            .set(&row)
            .execute(conn)?;
        one_row(touched)?;
        journal.changed("outcomes", &row.id, Op::Updated, row.version);
        to_wire(row)
    })
}

/// The persons of `incident` that have an outcome there: they must stay its subjects.
pub fn persons_with_outcomes(conn: &mut DbConn, incident: &str) -> AppResult<Vec<Uuid>> {
    let found: Vec<String> =
        outcomes::table.filter(outcomes::incident_id.eq(incident)).select(outcomes::person_id).load(conn)?;
    found.iter().map(|p| rows::uuid(p)).collect()
}
