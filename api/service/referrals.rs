//! Referrals: the access policy, what the agency is shown, consent, the status machine with
//! who may make which move, the history of every move, and the audit of every read and write.

use std::collections::HashMap;

use diesel::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::journal::{self, Audit, Op};
use super::{check_version, incidents, keyset, missing, one_row, persons, policy, prevalidate};
use crate::db::rows::{self, PersonRow, ReferralRow, ReferralStepRow};
use crate::db::schema::{agencies, officers, persons as person_rows, referral_history, referrals};
use crate::db::DbConn;
use crate::domain::audit::{AuditAction, AuditResource};
use crate::domain::context::{Context, Visibility};
use crate::domain::merge::merge_patch;
use crate::domain::page::{paginate, Page};
use crate::domain::query::{IfMatch, Window};
use crate::domain::referral::{
    Consent, MoveRefused, NewReferral, Referral, ReferralQuery, ReferralStatus, ReferralStep, ReferralView, Side,
    StatusChange, Youth,
};
use crate::domain::validate::{to_object, FieldError};
use crate::domain::{new_id, time};
use crate::error::{AppError, AppResult, ConflictCode};

const RESOURCE: AuditResource = AuditResource::Referrals;

fn youth_of(row: PersonRow) -> AppResult<Youth> {
    Ok(Youth {
        given_name: row.given_name,
        family_name: row.family_name,
        date_of_birth: row.date_of_birth,
        guardian_name: row.guardian_name,
        guardian_phone: row.guardian_phone,
        language: row.language.as_deref().map(rows::enum_value).transpose()?,
    })
}

fn to_wire(row: ReferralRow, youth: Option<Youth>, history: Vec<ReferralStep>) -> AppResult<Referral> {
    Ok(Referral {
        id: rows::uuid(&row.id)?,
        person_id: rows::opt_uuid(row.person_id.as_deref())?,
        youth,
        agency_id: rows::uuid(&row.agency_id)?,
        incident_id: rows::opt_uuid(row.incident_id.as_deref())?,
        officer_id: rows::opt_uuid(row.officer_id.as_deref())?,
        category: rows::enum_value(&row.category)?,
        urgency: rows::enum_value(&row.urgency)?,
        reason: row.reason,
        consent: Consent { given_by: rows::enum_value(&row.consent_given_by)?, obtained_on: row.consent_obtained_on },
        status: rows::enum_value(&row.status)?,
        history,
        created_at: time::to_utc(row.created_at),
        updated_at: time::to_utc(row.updated_at),
        version: row.version,
    })
}

/// Rows to the caller's projection, with their youth and history in two more queries.
fn project(conn: &mut DbConn, ctx: &Context, found: Vec<ReferralRow>) -> AppResult<Vec<ReferralView>> {
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = found.iter().map(|r| r.id.clone()).collect();
    let person_ids: Vec<String> = found.iter().filter_map(|r| r.person_id.clone()).collect();
    let mut youth: HashMap<String, PersonRow> = person_rows::table
        .filter(person_rows::id.eq_any(person_ids))
        .select(PersonRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|p: PersonRow| (p.id.clone(), p))
        .collect();
    let steps: Vec<ReferralStepRow> = referral_history::table
        .filter(referral_history::referral_id.eq_any(ids))
        .order((referral_history::referral_id, referral_history::at, referral_history::id))
        .select(ReferralStepRow::as_select())
        .load(conn)?;
    let mut history: HashMap<String, Vec<ReferralStep>> = HashMap::new();
    for step in steps {
        let entry = ReferralStep {
            status: rows::enum_value(&step.status)?,
            at: time::to_utc(step.at),
            by: rows::uuid(&step.by_client)?,
            note: step.note,
        };
        history.entry(step.referral_id).or_default().push(entry);
    }
    found
        .into_iter()
        .map(|row| {
            let person = row.person_id.as_ref().and_then(|p| youth.remove(p)).map(youth_of).transpose()?;
            let steps = history.remove(&row.id).unwrap_or_default();
            Ok(ReferralView::project(to_wire(row, person, steps)?, ctx.visibility))
        })
        .collect()
}

fn one(conn: &mut DbConn, ctx: &Context, row: ReferralRow) -> AppResult<ReferralView> {
    project(conn, ctx, vec![row])?.pop().ok_or(AppError::NotFound)
}

/// The referral row, or 404 when it does not exist or the caller may not see it.
pub fn load_visible(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<ReferralRow> {
    referrals::table
        .find(id.to_string())
        .filter(policy::referrals(ctx))
        .select(ReferralRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// One page of the referrals the caller may see, in its projection.
pub fn list(conn: &mut DbConn, ctx: &Context, q: &ReferralQuery, window: &Window) -> AppResult<Page<ReferralView>> {
    journal::read(conn, ctx, Audit::new(AuditAction::List, RESOURCE, None), |conn| {
        let mut query = referrals::table.select(ReferralRow::as_select()).filter(policy::referrals(ctx)).into_boxed();
        if let Some(agency) = q.agency_id {
            query = query.filter(referrals::agency_id.eq(agency.to_string()));
        }
        if let Some(person) = q.person_id {
            query = query.filter(referrals::person_id.eq(person.to_string()));
        }
        if let Some(officer) = q.officer_id {
            query = query.filter(referrals::officer_id.eq(officer.to_string()));
        }
        if let Some(incident) = q.incident_id {
            query = query.filter(referrals::incident_id.eq(incident.to_string()));
        }
        if let Some(status) = q.status {
            query = query.filter(referrals::status.eq(status.as_str()));
        }
        if let Some(category) = q.category {
            query = query.filter(referrals::category.eq(category.as_str()));
        }
        if let Some(urgency) = q.urgency {
            query = query.filter(referrals::urgency.eq(urgency.as_str()));
        }
        if let Some(from) = q.created_from {
            query = query.filter(referrals::created_at.ge(from.naive_utc()));
        }
        if let Some(to) = q.created_to {
            query = query.filter(referrals::created_at.lt(to.naive_utc()));
        }
        let found: Vec<ReferralRow> = keyset!(query, referrals, window).load(conn)?;
        let page = paginate(found, window, Ok::<_, AppError>)?;
        Ok(Page { data: project(conn, ctx, page.data)?, next_cursor: page.next_cursor })
    })
}

/// One referral, in the caller's projection.
pub fn get(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<ReferralView> {
    journal::read(conn, ctx, Audit::new(AuditAction::Read, RESOURCE, Some(id)), |conn| {
        let row = load_visible(conn, ctx, id)?;
        one(conn, ctx, row)
    })
}

/// What needs the stored data: a person and incident the caller may see, an active agency, an
/// existing officer.
fn check_refs(conn: &mut DbConn, ctx: &Context, input: &NewReferral) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    errors.extend(missing(
        "person_id",
        persons::is_visible(conn, ctx, input.person_id)?,
        crate::msg!("no_such_person"),
    ));
    let agency: Option<bool> =
        agencies::table.find(input.agency_id.to_string()).select(agencies::active).first(conn).optional()?;
    match agency {
        None => errors.extend(missing("agency_id", false, crate::msg!("no_such_agency"))),
        Some(false) => errors.push(FieldError::new("agency_id", crate::msg!("agency_inactive"))),
        Some(true) => {}
    }
    if let Some(incident) = input.incident_id {
        errors.extend(missing(
            "incident_id",
            incidents::is_visible(conn, ctx, incident)?,
            crate::msg!("no_such_incident"),
        ));
    }
    if let Some(officer) = input.officer_id {
        let found: i64 = officers::table.find(officer.to_string()).count().get_result(conn)?;
        errors.extend(missing("officer_id", found > 0, crate::msg!("no_such_officer")));
    }
    Ok(errors)
}

fn step(referral: &str, status: ReferralStatus, ctx: &Context, note: Option<String>) -> ReferralStepRow {
    ReferralStepRow {
        id: new_id().to_string(),
        referral_id: referral.to_owned(),
        status: status.to_string(),
        at: ctx.stamp(),
        by_client: ctx.caller.client_id.to_string(),
        note,
    }
}

fn apply(input: &NewReferral, base: ReferralRow) -> ReferralRow {
    ReferralRow {
        person_id: Some(input.person_id.to_string()),
        agency_id: input.agency_id.to_string(),
        incident_id: input.incident_id.map(|i| i.to_string()),
        officer_id: input.officer_id.map(|o| o.to_string()),
        category: input.category.to_string(),
        urgency: input.urgency.to_string(),
        reason: input.reason.clone(),
        consent_given_by: input.consent.given_by.to_string(),
        consent_obtained_on: input.consent.obtained_on,
        ..base
    }
}

/// An officer refers as itself; naming another officer is refused.
fn own_officer(ctx: &Context, input: &mut NewReferral) -> Result<(), AppError> {
    if let Some(me) = ctx.visibility.officer() {
        match input.officer_id {
            None => input.officer_id = Some(me),
            Some(named) if named == me => {}
            Some(_) => return Err(AppError::field("officer_id", crate::msg!("officer_refers_as_itself"))),
        }
    }
    Ok(())
}

/// `POST /v1/referrals`: a new referral, `submitted`, its first history entry by the caller.
pub fn create(conn: &mut DbConn, ctx: &Context, body: &Map<String, Value>) -> AppResult<ReferralView> {
    let mut input = NewReferral::parse(body, ctx.today()).map_err(AppError::Validation)?;
    own_officer(ctx, &mut input)?;
    journal::write(conn, ctx, Some(Audit::new(AuditAction::Create, RESOURCE, None)), |conn, journal| {
        let errors = check_refs(conn, ctx, &input)?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let at = ctx.stamp();
        let base = ReferralRow {
            id: new_id().to_string(),
            person_id: None,
            agency_id: String::new(),
            incident_id: None,
            officer_id: None,
            category: String::new(),
            urgency: String::new(),
            reason: String::new(),
            consent_given_by: String::new(),
            consent_obtained_on: None,
            status: ReferralStatus::Submitted.to_string(),
            created_by_officer: ctx.visibility.officer().map(|o| o.to_string()),
            created_at: at,
            updated_at: at,
            version: 1,
            sealed_at: None,
        };
        let row = apply(&input, base);
        diesel::insert_into(referrals::table).values(&row).execute(conn)?;
        diesel::insert_into(referral_history::table)
            .values(&step(&row.id, ReferralStatus::Submitted, ctx, None))
            .execute(conn)?;
        journal.changed("referrals", &row.id, Op::Created, row.version);
        one(conn, ctx, row)
    })
}

/// The police side changes a referral's details (`PATCH`); the youth and agency are fixed, and
/// a completed, declined or withdrawn referral is frozen.
pub fn patch(
    conn: &mut DbConn,
    ctx: &Context,
    id: Uuid,
    patch: &Map<String, Value>,
    if_match: Option<IfMatch>,
) -> AppResult<ReferralView> {
    if matches!(ctx.visibility, Visibility::Agency(_)) {
        return Err(AppError::Forbidden(crate::msg!(
            "agency_uses_status_endpoint",
            path = "/v1/referrals/{id}/status"
        )));
    }
    let today = ctx.today();
    let placeholder = |category: &str| {
        serde_json::json!({"person_id": Uuid::nil(), "agency_id": Uuid::nil(), "category": category,
            "urgency": "urgent", "reason": "x", "consent": {"given_by": "guardian", "obtained_on": "2000-01-01"}})
        .as_object()
        .cloned()
        .unwrap_or_default()
    };
    prevalidate(patch, vec![placeholder("child_protection"), placeholder("other")], |m| NewReferral::parse(m, today))?;
    journal::write(conn, ctx, Some(Audit::new(AuditAction::Update, RESOURCE, Some(id))), |conn, journal| {
        let existing = load_visible(conn, ctx, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        let stored = to_wire(existing.clone(), None, Vec::new())?;
        if stored.status.is_final() {
            return Err(AppError::conflict(
                ConflictCode::InvalidTransition,
                crate::msg!("final_referral_unchangeable", status = stored.status),
            ));
        }
        let mut merged = to_object(&NewReferral::from(&stored));
        merge_patch(&mut merged, patch);
        let mut input = NewReferral::parse(&merged, today).map_err(AppError::Validation)?;
        own_officer(ctx, &mut input)?;
        let mut fixed = Vec::new();
        if Some(input.person_id) != stored.person_id {
            fixed.push(FieldError::new("person_id", crate::msg!("referral_party_fixed")));
        }
        if input.agency_id != stored.agency_id {
            fixed.push(FieldError::new("agency_id", crate::msg!("referral_party_fixed")));
        }
        if !fixed.is_empty() {
            return Err(AppError::Validation(fixed));
        }
        let errors: Vec<FieldError> = check_refs(conn, ctx, &input)?
            .into_iter()
            .filter(|e| e.field != "agency_id" && e.field != "person_id")
            .collect();
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let version = existing.version;
        let mut row = apply(&input, existing);
        row.version = version + 1;
        row.updated_at = ctx.stamp();
        let touched = diesel::update(referrals::table.find(&row.id).filter(referrals::version.eq(version)))
            .set(&row)
            .execute(conn)?;
        one_row(touched)?;
        journal.changed("referrals", &row.id, Op::Updated, row.version);
        one(conn, ctx, row)
    })
}

/// Which side of the referral the caller acts for.
fn side(ctx: &Context) -> Side {
    match ctx.visibility {
        Visibility::All => Side::Admin,
        Visibility::Agency(_) => Side::Agency,
        _ => Side::Police,
    }
}

/// `POST /v1/referrals/{id}/status`: one move of §4/§6, by a side allowed to make it, recorded
/// in the history with the client that made it.
pub fn move_status(
    conn: &mut DbConn,
    ctx: &Context,
    id: Uuid,
    body: &Map<String, Value>,
    if_match: Option<IfMatch>,
) -> AppResult<ReferralView> {
    let change = StatusChange::parse(body).map_err(AppError::Validation)?;
    journal::write(conn, ctx, Some(Audit::new(AuditAction::Status, RESOURCE, Some(id))), |conn, journal| {
        let existing = load_visible(conn, ctx, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        let from: ReferralStatus = rows::enum_value(&existing.status)?;
        let category = rows::enum_value(&existing.category)?;
        if let Err(MoveRefused::Invalid(why)) = from.check_move(change.status, side(ctx), category) {
            return Err(AppError::conflict(ConflictCode::InvalidTransition, why));
        }
        let version = existing.version;
        let mut row = existing;
        row.status = change.status.to_string();
        row.version = version + 1;
        row.updated_at = ctx.stamp();
        let touched = diesel::update(referrals::table.find(&row.id).filter(referrals::version.eq(version)))
            .set(&row)
            .execute(conn)?;
        one_row(touched)?;
        diesel::insert_into(referral_history::table)
            .values(&step(&row.id, change.status, ctx, change.note.clone()))
            .execute(conn)?;
        journal.changed("referrals", &row.id, Op::Updated, row.version);
        one(conn, ctx, row)
    })
}
