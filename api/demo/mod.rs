//! `sro-api demo`: a living system in one command. The city's real schools (`ottawa-schools.csv`,
//! see `SOURCE.md`), the Children's Aid Society and youth agencies, and fictional officers,
//! youth, incidents, referrals, service requests and presentations over two school years, with
//! French names at the French boards' schools. Every record goes through the same use-cases as
//! the API (validation, policy, audit), each written "at" its own moment in the story, so dates,
//! statuses and histories agree. The same seed gives the same data set on a given day (the
//! story runs up to yesterday, so its length depends on the date).

mod names;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::db::schema::{agencies, officers, persons, schools};
use crate::db::DbConn;
use crate::domain::context::Context;
use crate::domain::{import, time};
use crate::error::{AppError, AppResult};
use crate::service;

/// The schools file, embedded so the demo needs nothing beside the binary.
const SCHOOLS_CSV: &[u8] = include_bytes!("ottawa-schools.csv");

/// How many of each record the demo makes.
const INCIDENTS: usize = 320;
const REQUESTS: usize = 160;
const PRESENTATIONS: usize = 220;

/// What was loaded.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Schools imported.
    pub schools: usize,
    /// Officers created.
    pub officers: usize,
    /// Assignments made (with the handovers of the second year).
    pub assignments: usize,
    /// Agencies created.
    pub agencies: usize,
    /// Youth and guardians recorded.
    pub persons: usize,
    /// Incidents recorded.
    pub incidents: usize,
    /// Referrals made.
    pub referrals: usize,
    /// Service requests made.
    pub service_requests: usize,
    /// Presentations recorded.
    pub presentations: usize,
    /// YCJA outcomes recorded (one for the subject of each resolved incident).
    pub outcomes: usize,
    /// The Children's Aid Society's id, for the README walkthrough.
    pub childrens_aid_society_id: Uuid,
}

/// A small deterministic generator (xorshift64*): the same data set on every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One school, as the demo needs it.
struct School {
    id: String,
    french: bool,
    secondary: bool,
    elementary: bool,
    /// Its primary SRO over the story: (from, officer id).
    sro: Vec<(NaiveDate, String)>,
}

impl School {
    fn sro_on(&self, day: NaiveDate) -> &str {
        self.sro.iter().rev().find(|(from, _)| *from <= day).map_or(self.sro[0].1.as_str(), |(_, o)| o.as_str())
    }
}

/// The two school years of the story: 2025–26 and the autumn of 2026–27, up to yesterday.
fn school_days(today: NaiveDate) -> Vec<NaiveDate> {
    let terms = [(day(2025, 9, 2), day(2026, 6, 26)), (day(2026, 9, 2), today.pred_opt().unwrap_or(today))];
    let mut days = Vec::new();
    for (start, end) in terms {
        let mut d = start;
        while d <= end {
            let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
            let holidays = d.month() == 12 && d.day() > 19;
            if !weekend && !holidays {
                days.push(d);
            }
            d = d.succ_opt().unwrap_or(d);
        }
    }
    days
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A local time of `day` in Ottawa, as UTC.
fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default());
    time::CITY_TZ.from_local_datetime(&local).earliest().map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// The latest moment the story may be written at: nothing is dated in the future.
fn a_minute_ago() -> DateTime<Utc> {
    Utc::now() - Duration::minutes(1)
}

/// The unit, acting at `when` (so every record is dated at its moment in the story).
fn unit_at(when: DateTime<Utc>) -> Context {
    let mut ctx = Context::system("demo");
    ctx.now = when;
    ctx
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// What the database already holds, if anything ("398 schools, 12 officers").
pub fn records_held(conn: &mut DbConn) -> AppResult<Option<String>> {
    let counts: [(&str, i64); 4] = [
        ("schools", schools::table.count().get_result(conn)?),
        ("officers", officers::table.count().get_result(conn)?),
        ("agencies", agencies::table.count().get_result(conn)?),
        ("persons", persons::table.count().get_result(conn)?),
    ];
    let held: Vec<String> = counts.iter().filter(|(_, n)| *n > 0).map(|(what, n)| format!("{n} {what}")).collect();
    Ok((!held.is_empty()).then(|| held.join(", ")))
}

/// Loads the demo data set into an empty database.
pub fn load(conn: &mut DbConn) -> AppResult<Summary> {
    if let Some(held) = records_held(conn)? {
        return Err(AppError::conflict(
            crate::error::ConflictCode::StillReferenced,
            crate::msg!("demo_needs_empty_database", held = held),
        ));
    }
    let mut dice = Dice(0x5EED_2026_0902_0001);
    let today = time::today();
    let start = at(day(2025, 8, 20), 9, 0);
    let mut summary = Summary::default();

    // Schools: the real ones, through the import (every row an upsert, one transaction).
    let rows = import::csv_rows(SCHOOLS_CSV).map_err(AppError::Validation)?;
    let imported = service::import::run(conn, &unit_at(start), rows)?;
    summary.schools = imported.data.len();
    let mut schools = load_schools(conn)?;

    // Agencies.
    let agencies = make_agencies(conn, start)?;
    summary.agencies = agencies.len();
    summary.childrens_aid_society_id = Uuid::parse_str(&agencies[0]).map_err(|e| AppError::Internal(e.to_string()))?;

    // Officers: about nine schools each, French-speaking officers at the French boards' schools,
    // primary SROs from the start of 2025–26; one school in ten changed hands in August 2026.
    let (officers, assignments) = assign_officers(conn, &mut dice, &mut schools, start)?;
    summary.officers = officers;
    summary.assignments = assignments;

    let days = school_days(today);
    let mut youth: Vec<(usize, String)> = Vec::new();
    let mut latest: Option<Made> = None;
    let periods = crate::domain::access_period::AccessPeriods::built_in().map_err(AppError::Internal)?;
    for _ in 0..INCIDENTS {
        let made = incident(conn, &mut dice, &schools, &agencies, &days, &mut youth, today, &periods)?;
        summary.incidents += 1;
        summary.referrals += made.referrals;
        summary.persons += made.persons;
        summary.outcomes += made.outcomes;
        if latest.as_ref().is_none_or(|l| l.reported < made.reported) {
            latest = Some(made);
        }
    }
    // This morning's referrals, still `submitted`: one to the Children's Aid Society and one to
    // the Youth Services Bureau, for the walkthrough of an agency acknowledging and accepting.
    if let Some(last) = latest {
        let this_morning = a_minute_ago().max(last.reported + Duration::hours(1));
        for category in ["assault", "other"] {
            let agency = if category == "assault" { "child_protection" } else { "youth_services" };
            referral(conn, &mut dice, &agencies, &last, category, Some(agency), this_morning, today)?;
            summary.referrals += 1;
        }
    }
    for _ in 0..REQUESTS {
        service_request(conn, &mut dice, &schools, &days, today)?;
        summary.service_requests += 1;
    }
    for _ in 0..PRESENTATIONS {
        presentation(conn, &mut dice, &schools, &days)?;
        summary.presentations += 1;
    }
    Ok(summary)
}

fn load_schools(conn: &mut DbConn) -> AppResult<Vec<School>> {
    let found: Vec<(String, Option<String>, String)> = schools::table
        .order((schools::board_id.asc(), schools::name.asc()))
        .select((schools::id, schools::language, schools::level))
        .load(conn)?;
    Ok(found
        .into_iter()
        .map(|(id, language, level)| School {
            id,
            french: language.as_deref() == Some("fr"),
            secondary: level != "elementary",
            elementary: level != "secondary",
            sro: Vec::new(),
        })
        .collect())
}

fn make_agencies(conn: &mut DbConn, when: DateTime<Utc>) -> AppResult<Vec<String>> {
    let list = [
        (
            "Children's Aid Society of Ottawa",
            "Société de l'aide à l'enfance d'Ottawa",
            "child_protection",
            "613-555-0140",
        ),
        (
            "Youth Services Bureau of Ottawa",
            "Bureau des services à la jeunesse d'Ottawa",
            "youth_services",
            "613-555-0141",
        ),
        (
            "Ottawa Community Youth Diversion Program",
            "Programme communautaire de déjudiciarisation des jeunes d'Ottawa",
            "diversion_program",
            "613-555-0142",
        ),
        (
            "Centre de santé mentale jeunesse de l'Est",
            "Centre de santé mentale jeunesse de l'Est",
            "mental_health",
            "613-555-0143",
        ),
        ("Family Services Ottawa", "Services à la famille Ottawa", "other", "613-555-0144"),
    ];
    let ctx = unit_at(when);
    let mut ids = Vec::new();
    for (name, name_fr, kind, phone) in list {
        let body = object(json!({"name": name, "name_fr": name_fr, "kind": kind, "phone": phone,
                                 "email": format!("intake{}@agency.example", ids.len() + 1)}));
        ids.push(service::agencies::create(conn, &ctx, &body)?.id.to_string());
    }
    Ok(ids)
}

fn assign_officers(
    conn: &mut DbConn,
    dice: &mut Dice,
    schools: &mut [School],
    start: DateTime<Utc>,
) -> AppResult<(usize, usize)> {
    let ctx = unit_at(start);
    let mut made = 0;
    let mut assignments = 0;
    for (french, group) in
        [(false, schools.iter().filter(|s| !s.french).count()), (true, schools.iter().filter(|s| s.french).count())]
    {
        let needed = group.div_ceil(9);
        let mut ids = Vec::new();
        for _ in 0..needed {
            let (first, last) = names::officer(dice, french);
            let badge = format!("{}", 4100 + made);
            let body = object(json!({"badge_number": badge, "first_name": first, "last_name": last,
                "email": format!("sro{badge}@police.example"), "phone": format!("613-555-{:04}", 2000 + made)}));
            ids.push(service::officers::create(conn, &ctx, &body)?.id.to_string());
            made += 1;
        }
        for (n, school) in schools.iter_mut().filter(|s| s.french == french).enumerate() {
            let officer = ids[(n / 9) % ids.len()].clone();
            let body = object(json!({"school_id": school.id, "officer_id": officer, "role": "primary",
                                     "starts_on": "2025-08-25"}));
            service::assignments::create(conn, &ctx, &body)?;
            assignments += 1;
            school.sro.push((day(2025, 8, 25), officer.clone()));
            if dice.chance(10) {
                let next = dice.pick(&ids).clone();
                if next != officer {
                    let id = Uuid::parse_str(&school.id).map_err(|e| AppError::Internal(e.to_string()))?;
                    let body = object(json!({"officer_id": next, "starts_on": "2026-08-24"}));
                    service::assignments::handover(conn, &unit_at(at(day(2026, 8, 17), 10, 0)), id, &body)?;
                    assignments += 1;
                    school.sro.push((day(2026, 8, 24), next));
                }
            }
        }
    }
    Ok((made, assignments))
}

/// What one incident brought with it.
struct Made {
    persons: usize,
    referrals: usize,
    outcomes: usize,
    id: Uuid,
    subject: String,
    officer: String,
    reported: DateTime<Utc>,
}

/// Records a youth at `school` (a new one, or one seen there before).
fn youth_at(
    conn: &mut DbConn,
    dice: &mut Dice,
    schools: &[School],
    school: usize,
    youth: &mut Vec<(usize, String)>,
    when: DateTime<Utc>,
    made: &mut Made,
) -> AppResult<String> {
    let known: Vec<&String> = youth.iter().filter(|(s, _)| *s == school).map(|(_, id)| id).collect();
    if !known.is_empty() && dice.chance(20) {
        return Ok(dice.pick(&known).to_string());
    }
    let s = &schools[school];
    let (given, family) = names::youth(dice, s.french);
    let age = if s.secondary && !s.elementary { 14 + dice.below(5) } else { 6 + dice.below(8) } as i32;
    let born = day(when.year() - age, 1 + dice.below(12) as u32, 1 + dice.below(28) as u32);
    let guardian = format!("{} {family}", names::adult(dice, s.french));
    let body = object(json!({"given_name": given, "family_name": family, "date_of_birth": born,
        "school_id": s.id, "guardian_name": guardian, "guardian_phone": format!("613-555-{:04}", 3000 + dice.below(6000)),
        "language": if s.french { "fr" } else { "en" }}));
    let id = service::persons::create(conn, &unit_at(when), Default::default(), &body)?.id.to_string();
    youth.push((school, id.clone()));
    made.persons += 1;
    Ok(id)
}

const CATEGORIES: &[&str] = &[
    "bullying",
    "bullying",
    "cyber",
    "cyber",
    "threat",
    "assault",
    "theft",
    "mischief",
    "drugs_alcohol",
    "drugs_alcohol",
    "weapon",
    "trespass",
    "mental_health",
    "mental_health",
    "sexual_offence",
    "other",
];
const LOCATIONS: &[&str] = &[
    "school_property",
    "school_property",
    "school_property",
    "travel_to_school",
    "travel_from_school",
    "school_event",
    "other",
];
const RESOLUTIONS: &[&str] = &[
    "verbal_caution",
    "verbal_caution",
    "counselling",
    "mediation",
    "diversion",
    "charge",
    "no_further_action",
    "referred",
];

#[allow(clippy::too_many_arguments, reason = "one story step with its cast")]
fn incident(
    conn: &mut DbConn,
    dice: &mut Dice,
    schools: &[School],
    agencies: &[String],
    days: &[NaiveDate],
    youth: &mut Vec<(usize, String)>,
    today: NaiveDate,
    periods: &crate::domain::access_period::AccessPeriods,
) -> AppResult<Made> {
    let mut made = Made {
        persons: 0,
        referrals: 0,
        outcomes: 0,
        id: Uuid::nil(),
        subject: String::new(),
        officer: String::new(),
        reported: DateTime::UNIX_EPOCH,
    };
    // Secondary schools see most incidents.
    let mut school = dice.below(schools.len());
    if !schools[school].secondary && dice.chance(60) {
        school = dice.below(schools.len());
    }
    let on = *dice.pick(days);
    let occurred = at(on, 8 + dice.below(8) as u32, dice.below(60) as u32);
    let reported = occurred + Duration::minutes(20 + dice.below(180) as i64);
    let subject = youth_at(conn, dice, schools, school, youth, reported, &mut made)?;
    let mut involved = vec![json!({"person_id": subject, "role": "subject"})];
    let category = *dice.pick(CATEGORIES);
    if matches!(category, "bullying" | "assault" | "threat" | "cyber" | "theft") {
        let victim = youth_at(conn, dice, schools, school, youth, reported, &mut made)?;
        if victim != subject {
            involved.push(json!({"person_id": victim, "role": "victim"}));
        }
    }
    let officer = schools[school].sro_on(on).to_owned();
    let location = *dice.pick(LOCATIONS);
    let body = object(json!({
        "school_id": schools[school].id,
        "officer_id": officer,
        "occurred_at": occurred,
        "reported_at": reported,
        "location": location,
        "during_school_hours": location == "school_property" || dice.chance(30),
        "category": category,
        "safe_schools_reportable": matches!(category, "assault" | "weapon" | "sexual_offence" | "drugs_alcohol"),
        "summary": names::summary(dice, category, schools[school].french),
        "involved": involved,
    }));
    let created = service::incidents::create(conn, &unit_at(reported), &body)?;
    let id = created.id();
    let age = (today - on).num_days();
    let path = if age > 45 {
        vec!["under_investigation", "resolved", "closed"]
    } else if age > 14 {
        vec!["resolved"]
    } else if dice.chance(50) {
        vec!["under_investigation"]
    } else {
        vec![]
    };
    let resolution = *dice.pick(RESOLUTIONS);
    let mut when = reported;
    for status in path {
        if status == "closed" {
            // Outcomes are recorded before an incident is closed (it is frozen after).
            outcome(conn, dice, id, &subject, resolution, when, today, periods)?;
            made.outcomes += 1;
        }
        when += Duration::days(1 + dice.below(10) as i64);
        let mut change = json!({"status": status});
        if status == "resolved" {
            change["resolution"] = json!(resolution);
            if resolution == "diversion" {
                change["diversion_agency_id"] = json!(agencies[2]);
            }
        }
        service::incidents::patch(conn, &unit_at(when.min(a_minute_ago())), id, &object(change), None)?;
    }
    if age > 14 && age <= 45 {
        outcome(conn, dice, id, &subject, resolution, when, today, periods)?;
        made.outcomes += 1;
    }
    made.id = id;
    made.subject = subject;
    made.officer = officer;
    made.reported = reported;
    if resolution == "referred" || resolution == "diversion" || dice.chance(15) {
        let made_at = reported + Duration::hours(2 + dice.below(48) as i64);
        referral(conn, dice, agencies, &made, category, None, made_at, today)?;
        made.referrals += 1;
    }
    Ok(made)
}

/// The subject's YCJA outcome for an incident resolved on `decided` with `resolution`: a
/// caution is a warning or police caution, a diversion an extrajudicial sanction, a referral a
/// referral (both with consent), a charge a charge, disposed of 3 weeks to 4 months later if that
/// day has come; a child under 12 gets no youth-justice measure.
#[allow(clippy::too_many_arguments, reason = "one story step with its cast")]
fn outcome(
    conn: &mut DbConn,
    dice: &mut Dice,
    incident: Uuid,
    subject: &str,
    resolution: &str,
    decided: DateTime<Utc>,
    today: NaiveDate,
    periods: &crate::domain::access_period::AccessPeriods,
) -> AppResult<()> {
    let decided_on = time::today_at(decided);
    let measure = match resolution {
        "verbal_caution" => *dice.pick(&["warning", "police_caution"]),
        "diversion" => "extrajudicial_sanction",
        "referred" => "referral",
        "charge" => "charge",
        _ => "no_further_action",
    };
    let mut body = json!({"person_id": subject, "measure": measure, "decided_on": decided_on});
    if matches!(measure, "extrajudicial_sanction" | "referral") {
        body["youth_consent_obtained_on"] = json!(decided_on);
    }
    let disposed = decided_on + Duration::days(21 + dice.below(100) as i64);
    if measure == "charge" && disposed < today {
        let disposition = *dice.pick(&[
            "withdrawn",
            "stayed",
            "dismissed",
            "reprimand",
            "absolute_discharge",
            "conditional_discharge",
        ]);
        body["court_disposition"] = json!(disposition);
        body["disposition_on"] = json!(disposed);
    }
    // Written as of now: the dates are all past.
    let ctx = unit_at(a_minute_ago());
    match service::outcomes::create(conn, &ctx, incident, &object(body.clone()), periods) {
        Err(AppError::Validation(errors)) if errors.iter().any(|e| e.field == "measure") => {
            // Under 12 on the day: no youth-justice measure.
            let body = json!({"person_id": subject, "measure": "no_further_action", "decided_on": decided_on});
            service::outcomes::create(conn, &ctx, incident, &object(body), periods).map(|_| ())
        }
        other => other.map(|_| ()),
    }
}

/// A referral of the incident's subject, made at `made_at` and moved along as far as its age
/// allows; `category` forces the referral's category (and its agency).
#[allow(clippy::too_many_arguments, reason = "one story step with its cast")]
fn referral(
    conn: &mut DbConn,
    dice: &mut Dice,
    agencies: &[String],
    from: &Made,
    incident_category: &str,
    category: Option<&str>,
    made_at: DateTime<Utc>,
    today: NaiveDate,
) -> AppResult<()> {
    let (person, incident, officer) = (&from.subject, from.id, &from.officer);
    let (category, agency) = match (category, incident_category) {
        (Some("child_protection"), _) => ("child_protection", &agencies[0]),
        (Some(_), _) => ("youth_services", &agencies[1]),
        (None, incident_category) => match incident_category {
            "sexual_offence" | "assault" if dice.chance(60) => ("child_protection", &agencies[0]),
            "mental_health" => ("mental_health", &agencies[3]),
            "drugs_alcohol" | "theft" | "mischief" => ("diversion", &agencies[2]),
            _ if dice.chance(30) => ("family_support", &agencies[4]),
            _ => ("youth_services", &agencies[1]),
        },
    };
    let consent = if category == "child_protection" {
        json!({"given_by": "not_required"})
    } else {
        json!({"given_by": if dice.chance(50) { "guardian" } else { "youth" }, "obtained_on": time::today_at(made_at)})
    };
    let urgency = if category == "child_protection" { "urgent" } else { *dice.pick(&["routine", "routine", "urgent"]) };
    let body = object(json!({"person_id": person, "agency_id": agency, "incident_id": incident, "officer_id": officer,
        "category": category, "urgency": urgency, "reason": names::reason(category), "consent": consent}));
    let created = service::referrals::create(conn, &unit_at(made_at), &body)?;
    let id = created.id();
    let age = (today - time::today_at(made_at)).num_days();
    let mut steps: Vec<(&str, Option<&str>)> = Vec::new();
    if age > 2 {
        steps.push(("acknowledged", None));
    }
    if age > 7 {
        if dice.chance(12) {
            steps.push(("declined", Some("The youth is already followed by another program.")));
        } else {
            steps.push(("accepted", None));
            if age > 14 {
                steps.push(("in_progress", None));
            }
            if age > 60 && dice.chance(80) {
                steps.push(("completed", Some("Program completed.")));
            }
        }
    } else if age > 2 && dice.chance(5) && category != "child_protection" {
        steps.push(("withdrawn", Some("The family moved out of the city.")));
    }
    let mut at_time = made_at;
    for (status, note) in steps {
        at_time += Duration::hours(6 + dice.below(96) as i64);
        let ctx = unit_at(at_time.min(a_minute_ago()));
        service::referrals::move_status(conn, &ctx, id, &object(json!({"status": status, "note": note})), None)?;
    }
    Ok(())
}

fn service_request(
    conn: &mut DbConn,
    dice: &mut Dice,
    schools: &[School],
    days: &[NaiveDate],
    today: NaiveDate,
) -> AppResult<()> {
    let school = &schools[dice.below(schools.len())];
    let on = *dice.pick(days);
    let made_at = at(on, 9 + dice.below(6) as u32, dice.below(60) as u32);
    let kind = *dice.pick(&["parent_contact", "presentation", "consultation", "consultation", "incident_report"]);
    let (name, role) = names::staff(dice, school.french);
    let body = object(json!({"school_id": school.id, "kind": kind, "details": names::request(kind, school.french),
                             "requested_by": {"name": name, "role": role}}));
    let created = service::service_requests::create(conn, &unit_at(made_at), &body)?;
    let age = (today - on).num_days();
    let change = if age > 21 {
        if dice.chance(10) {
            json!({"status": "cancelled"})
        } else {
            json!({"status": "completed", "outcome": "Done as asked; the school was told."})
        }
    } else if age > 3 {
        json!({"status": "scheduled"})
    } else {
        return Ok(());
    };
    let later = unit_at((made_at + Duration::days(1 + dice.below(14) as i64)).min(a_minute_ago()));
    service::service_requests::patch(conn, &later, created.id, &object(change), None)?;
    Ok(())
}

fn presentation(conn: &mut DbConn, dice: &mut Dice, schools: &[School], days: &[NaiveDate]) -> AppResult<()> {
    let school = &schools[dice.below(schools.len())];
    let on = *dice.pick(days);
    let grades: Vec<u8> = if school.secondary && !school.elementary {
        let first = 9 + dice.below(3) as u8;
        (first..=(first + 1).min(12)).collect()
    } else {
        let first = 4 + dice.below(4) as u8;
        (first..=first + 1).collect()
    };
    let topic = *dice.pick(if school.french {
        &[
            "Sécurité en ligne",
            "Intimidation et cyberintimidation",
            "Consentement et relations saines",
            "Vapotage et drogues",
            "Sécurité piétonne",
        ][..]
    } else {
        &[
            "Online safety",
            "Bullying and cyberbullying",
            "Consent and healthy relationships",
            "Vaping and drugs",
            "Pedestrian safety",
        ][..]
    });
    let body = object(json!({"school_id": school.id, "officer_id": school.sro_on(on), "delivered_on": on,
        "topic": topic, "grades": grades, "audience_size": 20 + dice.below(180),
        "language": if school.french { "fr" } else { "en" }}));
    service::presentations::create(conn, &unit_at(at(on, 15, 30)), &body)?;
    Ok(())
}
