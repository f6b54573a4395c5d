//! Retention of youth records (API.md §7): each person's `retain_until`, legal holds, and the
//! pass that seals persons from the day after and destroys them `RETENTION_GRACE_DAYS` later.
//! Each person is sealed or destroyed in its own transaction, deciding again inside it, so a
//! pass is idempotent and safe to interrupt or to run twice at once.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::journal::{self, Audit, Journal, Op};
use super::persons;
use crate::config::RetentionSettings;
use crate::db::rows::{self, RetentionRunRow};
use crate::db::schema::{
    disclosures, idempotency_keys, incident_persons, incidents, outcomes, persons as person_rows, referral_history,
    referrals, retention_runs, service_requests,
};
use crate::db::DbConn;
use crate::domain::access_period::ADULT_RULE_PREFIX;
use crate::domain::audit::{AuditAction, AuditResource};
use crate::domain::context::{Context, Visibility};
use crate::domain::incident::{IncidentStatus, InvolvementRole};
use crate::domain::page::{paginate, Page};
use crate::domain::person::Person;
use crate::domain::query::Window;
use crate::domain::referral::ReferralStatus;
use crate::domain::retention::{self, RetentionFacts, RetentionRun, Step};
use crate::domain::validate::Fields;
use crate::domain::{new_id, time};
use crate::error::{AppError, AppResult};

/// The city date of a stored timestamp.
fn day_of(ts: NaiveDateTime) -> NaiveDate {
    time::today_at(time::to_utc(ts))
}

fn later(a: Option<NaiveDate>, b: NaiveDate) -> Option<NaiveDate> {
    Some(a.map_or(b, |a| a.max(b)))
}

/// What decides the retention of each of `ids` (persons that exist).
pub fn facts(conn: &mut DbConn, ids: &[String]) -> AppResult<HashMap<String, RetentionFacts>> {
    let mut out: HashMap<String, RetentionFacts> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let created: Vec<(String, NaiveDate)> = person_rows::table
        .filter(person_rows::id.eq_any(ids))
        .select((person_rows::id, person_rows::created_on))
        .load(conn)?;
    for (id, created_on) in created {
        out.insert(id, RetentionFacts { created_on, ..RetentionFacts::default() });
    }
    let measured: Vec<(String, Option<NaiveDate>, String)> = outcomes::table
        .filter(outcomes::person_id.eq_any(ids))
        .select((outcomes::person_id, outcomes::access_period_ends_on, outcomes::access_period_rule))
        .load(conn)?;
    for (person, ends, rule) in measured {
        // 18 or over on the day: no YCJA period; the rule for persons without one applies.
        let Some(f) = out.get_mut(&person).filter(|_| !rule.starts_with(ADULT_RULE_PREFIX)) else { continue };
        f.youth_outcomes += 1;
        match ends {
            None => f.youth_period_open = true,
            Some(day) => f.latest_period_end = later(f.latest_period_end, day),
        }
    }
    let named: Vec<(String, String, String, NaiveDateTime)> = incident_persons::table
        .inner_join(incidents::table)
        .filter(incident_persons::person_id.eq_any(ids))
        .select((incident_persons::person_id, incident_persons::role, incidents::status, incidents::updated_at))
        .load(conn)?;
    for (person, role, status, updated_at) in named {
        let Some(f) = out.get_mut(&person) else { continue };
        let resolved = status.parse::<IncidentStatus>().map(IncidentStatus::is_resolved).unwrap_or(false);
        if resolved {
            f.last_resolved_on = later(f.last_resolved_on, day_of(updated_at));
        } else if role == InvolvementRole::Subject.as_str() {
            f.open_as_subject = true;
        } else {
            f.open_as_other = true;
        }
    }
    let referred: Vec<(Option<String>, String, NaiveDateTime)> = referrals::table
        .filter(referrals::person_id.eq_any(ids))
        .select((referrals::person_id, referrals::status, referrals::updated_at))
        .load(conn)?;
    for (person, status, updated_at) in referred {
        let Some(f) = person.and_then(|p| out.get_mut(&p)) else { continue };
        if status.parse::<ReferralStatus>().map(ReferralStatus::is_final).unwrap_or(false) {
            f.last_resolved_on = later(f.last_resolved_on, day_of(updated_at));
        } else {
            f.open_referral = true;
        }
    }
    Ok(out)
}

/// Fills `retain_until` for the unit, and hides every retention field from other roles.
pub fn annotate(conn: &mut DbConn, ctx: &Context, settings: RetentionSettings, people: &mut [Person]) -> AppResult<()> {
    if ctx.visibility != Visibility::All {
        for p in people.iter_mut() {
            p.retain_until = None;
            p.legal_hold = None;
            p.sealed_at = None;
        }
        return Ok(());
    }
    let ids: Vec<String> = people.iter().map(|p| p.id.to_string()).collect();
    let known = facts(conn, &ids)?;
    for p in people.iter_mut() {
        p.retain_until =
            Some(known.get(&p.id.to_string()).and_then(|f| retention::retain_until(f, settings.no_measure_days)));
    }
    Ok(())
}

/// `POST /v1/persons/{id}/hold` (`reason`) and `DELETE /v1/persons/{id}/hold`: place or lift a
/// legal hold (the unit only; audited as a change of the person).
pub fn set_hold(
    conn: &mut DbConn,
    ctx: &Context,
    settings: RetentionSettings,
    id: Uuid,
    body: Option<&Map<String, Value>>,
) -> AppResult<Person> {
    let reason = match body {
        None => None,
        Some(map) => {
            let mut f = Fields::new(map, "");
            let reason = f.req_str("reason", 2000);
            f.finish().map_err(AppError::Validation)?;
            Some(reason)
        }
    };
    let mut person = journal::write(
        conn,
        ctx,
        Some(Audit::new(AuditAction::Update, AuditResource::Persons, Some(id))),
        |conn, journal| {
            let existing = persons::load_visible(conn, ctx, id)?;
            let placed_at = reason.as_ref().map(|_| existing.hold_placed_at.unwrap_or(ctx.stamp()));
            let version = existing.version + 1;
            let touched =
                diesel::update(person_rows::table.find(&existing.id).filter(person_rows::version.eq(existing.version)))
                    .set((
                        person_rows::hold_reason.eq(reason.clone()),
                        person_rows::hold_placed_at.eq(placed_at),
                        person_rows::version.eq(version),
                        person_rows::updated_at.eq(ctx.stamp()),
                    ))
                    .execute(conn)?;
            super::one_row(touched)?;
            journal.changed("persons", &existing.id, Op::Updated, version);
            persons::to_wire(persons::load_visible(conn, ctx, id)?)
        },
    )?;
    annotate(conn, ctx, settings, std::slice::from_mut(&mut person))?;
    Ok(person)
}

/// What one pass found and did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The run record.
    pub run: Option<RetentionRun>,
    /// Persons sealed (or that a dry run would seal).
    pub sealed: Vec<Uuid>,
    /// Persons destroyed (or that would be).
    pub destroyed: Vec<Uuid>,
    /// Persons due but under a legal hold.
    pub held: Vec<Uuid>,
    /// Persons whose step failed.
    pub errors: usize,
}

/// A person's given name, family name and guardian's name: what destruction takes out of free text.
type Names = (String, String, Option<String>);

/// The retention state of a person row: sealed when, held why, and the names.
type Held = (Option<NaiveDateTime>, Option<String>, String, String, Option<String>);

/// The step due today for person `id`, from the stored state.
fn due(conn: &mut DbConn, id: &str, settings: RetentionSettings, today: NaiveDate) -> AppResult<Option<(Step, Names)>> {
    let row: Option<Held> = person_rows::table
        .find(id)
        .select((
            person_rows::sealed_at,
            person_rows::hold_reason,
            person_rows::given_name,
            person_rows::family_name,
            person_rows::guardian_name,
        ))
        .first(conn)
        .optional()?;
    let Some((sealed_at, hold, given, family, guardian)) = row else { return Ok(None) };
    let known = facts(conn, &[id.to_owned()])?;
    let until = known.get(id).and_then(|f| retention::retain_until(f, settings.no_measure_days));
    let step = retention::step(until, sealed_at.map(day_of), hold.is_some(), today, settings.grace_days);
    Ok(Some((step, (given, family, guardian))))
}

/// Seals person `id`: hidden from every role but the unit, with an entry in the feed for each
/// record that leaves a client's view (the person, their referrals and outcomes) and for each
/// incident whose `involved` list changes.
fn seal(conn: &mut DbConn, ctx: &Context, id: &str, journal: &mut Journal) -> AppResult<()> {
    let now = ctx.stamp();
    let version: i32 = person_rows::table.find(id).select(person_rows::version).first(conn)?;
    diesel::update(person_rows::table.find(id))
        .set((person_rows::sealed_at.eq(Some(now)), person_rows::version.eq(version + 1)))
        .execute(conn)?;
    journal.changed("persons", id, Op::Updated, version + 1);
    let theirs: Vec<(String, i32)> = referrals::table
        .filter(referrals::person_id.eq(id))
        .filter(referrals::sealed_at.is_null())
        .select((referrals::id, referrals::version))
        .load(conn)?;
    for (referral, v) in theirs {
        diesel::update(referrals::table.find(&referral))
            .set((referrals::sealed_at.eq(Some(now)), referrals::version.eq(v + 1)))
            .execute(conn)?;
        journal.changed("referrals", &referral, Op::Updated, v + 1);
    }
    let measures: Vec<(String, i32)> =
        outcomes::table.filter(outcomes::person_id.eq(id)).select((outcomes::id, outcomes::version)).load(conn)?;
    for (outcome, v) in measures {
        journal.changed("outcomes", &outcome, Op::Updated, v);
    }
    let disclosed: Vec<(String, i32)> = disclosures::table
        .filter(disclosures::person_id.eq(id))
        .select((disclosures::id, disclosures::version))
        .load(conn)?;
    for (disclosure, v) in disclosed {
        journal.changed("disclosures", &disclosure, Op::Updated, v);
    }
    touch_incidents(conn, id, journal)?;
    forget_replays(conn, id)?;
    Ok(())
}

/// Bumps the incidents naming `person`: what they show changes.
fn touch_incidents(conn: &mut DbConn, person: &str, journal: &mut Journal) -> AppResult<Vec<String>> {
    let named: Vec<(String, i32)> = incident_persons::table
        .inner_join(incidents::table)
        .filter(incident_persons::person_id.eq(person))
        .select((incidents::id, incidents::version))
        .load(conn)?;
    for (incident, v) in &named {
        // The version only: `updated_at` stands for the incident's own last change, which the
        // retention of the other persons it names counts from.
        diesel::update(incidents::table.find(incident)).set(incidents::version.eq(v + 1)).execute(conn)?;
        journal.changed("incidents", incident, Op::Updated, v + 1);
    }
    Ok(named.into_iter().map(|(i, _)| i).collect())
}

/// Drops the stored idempotent replays whose answer carried person `id`: a replay is served
/// without the policy, so it must not outlive the person's visibility.
fn forget_replays(conn: &mut DbConn, id: &str) -> AppResult<()> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::body.like(format!("%{id}%")))).execute(conn)?;
    Ok(())
}

/// Destroys person `id` (MFIPPA disposal, §7): the person, their `involved` entries, outcomes
/// and disclosures are deleted; their referrals keep only non-identifying fields; their names are
/// taken out of the free text of the incidents that named them and of their school's service
/// requests; stored idempotent replays that carried them are dropped. Audit events keep the id.
fn destroy(conn: &mut DbConn, ctx: &Context, id: &str, names: &Names, journal: &mut Journal) -> AppResult<()> {
    let now = ctx.stamp();
    // Whole names first, then each of their words ("Da Silva", then "Da" and "Silva").
    let mut words: Vec<&str> = vec![names.0.as_str(), names.1.as_str()];
    words.extend(names.2.as_deref());
    let parts: Vec<&str> = words.iter().flat_map(|w| w.split_whitespace()).collect();
    words.extend(parts);
    let measures: Vec<(String, i32)> =
        outcomes::table.filter(outcomes::person_id.eq(id)).select((outcomes::id, outcomes::version)).load(conn)?;
    diesel::delete(outcomes::table.filter(outcomes::person_id.eq(id))).execute(conn)?;
    for (outcome, v) in measures {
        journal.changed("outcomes", &outcome, Op::Deleted, v);
    }
    // A disclosure's `information` is about the person: it goes with them.
    let disclosed: Vec<(String, i32)> = disclosures::table
        .filter(disclosures::person_id.eq(id))
        .select((disclosures::id, disclosures::version))
        .load(conn)?;
    diesel::delete(disclosures::table.filter(disclosures::person_id.eq(id))).execute(conn)?;
    for (disclosure, v) in disclosed {
        journal.changed("disclosures", &disclosure, Op::Deleted, v);
    }
    let named = touch_incidents(conn, id, journal)?;
    for incident in &named {
        let summary: String = incidents::table.find(incident).select(incidents::summary).first(conn)?;
        if let Some(clean) = retention::redact(&summary, &words) {
            diesel::update(incidents::table.find(incident)).set(incidents::summary.eq(clean)).execute(conn)?;
        }
    }
    diesel::delete(incident_persons::table.filter(incident_persons::person_id.eq(id))).execute(conn)?;
    let theirs: Vec<(String, i32)> =
        referrals::table.filter(referrals::person_id.eq(id)).select((referrals::id, referrals::version)).load(conn)?;
    for (referral, v) in theirs {
        diesel::update(referrals::table.find(&referral))
            .set((
                referrals::person_id.eq(None::<String>),
                referrals::reason.eq(""),
                referrals::sealed_at.eq(Some(now)),
                referrals::version.eq(v + 1),
                referrals::updated_at.eq(now),
            ))
            .execute(conn)?;
        diesel::update(referral_history::table.filter(referral_history::referral_id.eq(&referral)))
            .filter(referral_history::note.is_not_null())
            .set(referral_history::note.eq(""))
            .execute(conn)?;
        journal.changed("referrals", &referral, Op::Updated, v + 1);
    }
    // Service requests at their school and at the schools of the incidents that named them.
    let mut schools: Vec<String> =
        incidents::table.filter(incidents::id.eq_any(&named)).select(incidents::school_id).distinct().load(conn)?;
    let own: Option<String> = person_rows::table.find(id).select(person_rows::school_id).first(conn)?;
    schools.extend(own);
    let found: Vec<(String, String, Option<String>)> = service_requests::table
        .filter(service_requests::school_id.eq_any(&schools))
        .select((service_requests::id, service_requests::details, service_requests::outcome))
        .load(conn)?;
    for (request, details, outcome) in found {
        let clean_details = retention::redact(&details, &words);
        let clean_outcome = outcome.as_deref().and_then(|o| retention::redact(o, &words));
        if clean_details.is_some() || clean_outcome.is_some() {
            diesel::update(service_requests::table.find(&request))
                .set((
                    service_requests::details.eq(clean_details.unwrap_or(details)),
                    service_requests::outcome.eq(clean_outcome.or(outcome)),
                ))
                .execute(conn)?;
        }
    }
    // Other referrals made from those incidents (a victim's, say) may name them too.
    let linked: Vec<(String, String)> = referrals::table
        .filter(referrals::incident_id.eq_any(&named))
        .select((referrals::id, referrals::reason))
        .load(conn)?;
    for (referral, reason) in linked {
        if let Some(clean) = retention::redact(&reason, &words) {
            diesel::update(referrals::table.find(&referral)).set(referrals::reason.eq(clean)).execute(conn)?;
        }
        let notes: Vec<(String, Option<String>)> = referral_history::table
            .filter(referral_history::referral_id.eq(&referral))
            .select((referral_history::id, referral_history::note))
            .load(conn)?;
        for (step, note) in notes {
            if let Some(clean) = note.as_deref().and_then(|n| retention::redact(n, &words)) {
                diesel::update(referral_history::table.find(&step))
                    .set(referral_history::note.eq(clean))
                    .execute(conn)?;
            }
        }
    }
    forget_replays(conn, id)?;
    let version: i32 = person_rows::table.find(id).select(person_rows::version).first(conn)?;
    diesel::delete(person_rows::table.find(id)).execute(conn)?;
    journal.changed("persons", id, Op::Deleted, version);
    Ok(())
}

/// Decides and takes the step for one person in its own transaction.
fn settle(conn: &mut DbConn, ctx: &Context, id: &str, settings: RetentionSettings, dry_run: bool) -> AppResult<Step> {
    let today = ctx.today();
    if dry_run {
        return Ok(due(conn, id, settings, today)?.map_or(Step::Keep, |(step, _)| step));
    }
    journal::write_reference(conn, ctx, |conn, journal| {
        let Some((step, names)) = due(conn, id, settings, today)? else { return Ok(Step::Keep) };
        match step {
            Step::Seal => seal(conn, ctx, id, journal)?,
            Step::Destroy => destroy(conn, ctx, id, &names, journal)?,
            Step::Keep | Step::Held => {}
        }
        Ok(step)
    })
}

fn run_to_wire(row: RetentionRunRow) -> AppResult<RetentionRun> {
    Ok(RetentionRun {
        id: rows::uuid(&row.id)?,
        started_at: time::to_utc(row.started_at),
        finished_at: row.finished_at.map(time::to_utc),
        dry_run: row.dry_run,
        sealed: row.sealed,
        destroyed: row.destroyed,
        held: row.held,
        errors: row.errors,
    })
}

/// How many persons each batch of the pass reads.
const BATCH: i64 = 500;

/// One retention pass as of `ctx.now`: every person's step, each in its own transaction, and a
/// run record with the counts (a dry run writes only the run record).
pub fn pass(conn: &mut DbConn, ctx: &Context, settings: RetentionSettings, dry_run: bool) -> AppResult<Report> {
    let mut row = RetentionRunRow {
        id: new_id().to_string(),
        started_at: ctx.stamp(),
        finished_at: None,
        dry_run,
        sealed: 0,
        destroyed: 0,
        held: 0,
        errors: 0,
    };
    diesel::insert_into(retention_runs::table).values(&row).execute(conn)?;
    let mut report = Report::default();
    let mut after = String::new();
    loop {
        let ids: Vec<String> = person_rows::table
            .filter(person_rows::id.gt(&after))
            .order(person_rows::id.asc())
            .select(person_rows::id)
            .limit(BATCH)
            .load(conn)?;
        let Some(last) = ids.last() else { break };
        after = last.clone();
        // The counts so far, so that an interrupted pass still says what it did.
        record_counts(conn, &mut row, &report)?;
        for id in ids {
            let person = rows::uuid(&id)?;
            match settle(conn, ctx, &id, settings, dry_run) {
                Ok(Step::Seal) => report.sealed.push(person),
                Ok(Step::Destroy) => report.destroyed.push(person),
                Ok(Step::Held) => report.held.push(person),
                Ok(Step::Keep) => {}
                Err(err) => {
                    // Counted, and tried again by the next pass; the log names no person.
                    log::warn!("retention: a person's step failed: {err}");
                    report.errors += 1;
                }
            }
        }
    }
    row.finished_at = Some(crate::domain::time::now());
    record_counts(conn, &mut row, &report)?;
    report.run = Some(run_to_wire(row)?);
    Ok(report)
}

/// Writes the counts of `report` into the run record.
fn record_counts(conn: &mut DbConn, row: &mut RetentionRunRow, report: &Report) -> AppResult<()> {
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    row.sealed = count(report.sealed.len());
    row.destroyed = count(report.destroyed.len());
    row.held = count(report.held.len());
    row.errors = count(report.errors);
    diesel::update(retention_runs::table.find(&row.id)).set(&*row).execute(conn)?;
    Ok(())
}

/// Arbitrary constant naming the retention pass among PostgreSQL advisory locks.
pub const PASS_LOCK: i64 = 0x0053_524f_5f52_4554;

/// Runs [`pass`] unless another instance is running one (PostgreSQL advisory lock, held on this
/// connection for the pass); `None` when it was skipped. On SQLite (one instance) it always runs.
pub fn pass_exclusive(
    conn: &mut DbConn,
    ctx: &Context,
    settings: RetentionSettings,
    dry_run: bool,
) -> AppResult<Option<Report>> {
    if let DbConn::Postgres(_) = conn {
        let got: bool =
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("pg_try_advisory_lock({PASS_LOCK})")))
                .get_result(conn)?;
        if !got {
            return Ok(None);
        }
        let result = pass(conn, ctx, settings, dry_run);
        let unlocked =
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("pg_advisory_unlock({PASS_LOCK})")))
                .get_result::<bool>(conn);
        let report = result?;
        unlocked?;
        return Ok(Some(report));
    }
    pass(conn, ctx, settings, dry_run).map(Some)
}

/// One page of retention runs, newest first.
pub fn runs(conn: &mut DbConn, window: &Window) -> AppResult<Page<RetentionRun>> {
    let mut query = retention_runs::table.select(RetentionRunRow::as_select()).into_boxed();
    if let Some(c) = &window.after {
        query = query.filter(retention_runs::started_at.le(c.created_at)).filter(
            retention_runs::started_at
                .lt(c.created_at)
                .or(retention_runs::started_at.eq(c.created_at).and(retention_runs::id.lt(c.id.clone()))),
        );
    }
    if let Some(ts) = window.updated_from {
        query = query.filter(retention_runs::started_at.ge(ts));
    }
    let found: Vec<RetentionRunRow> = query
        .order((retention_runs::started_at.desc(), retention_runs::id.desc()))
        .limit(window.limit + 1)
        .load(conn)?;
    paginate(found, window, run_to_wire)
}
