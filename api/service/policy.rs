//! The one access policy of the case records (API.md §3, §6 "Officers' visibility"): for each
//! resource, the Diesel filter of the rows a caller may see. Lists, single-record reads and
//! writes all load through these filters, so a list can never show what a get would refuse.
//!
//! The officer rule: it held a primary or backup assignment at the record's school on the
//! record's day (an incident's `occurred_on`, a request's or person's `created_on`, a
//! presentation's `delivered_on`) or holds one today, or the record names it or was created by
//! it; and it sees its own referrals.

use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Nullable};

use crate::db::schema::{
    assignments, disclosures, incident_persons, incidents, outcomes, persons, presentations, referrals, schools,
    service_requests,
};
use crate::db::Db;
use crate::domain::access::Role;
use crate::domain::context::{Context, Visibility};

/// A boxed filter on `T`'s rows.
pub type Filter<T> = Box<dyn BoxableExpression<T, Db, SqlType = Nullable<Bool>>>;

/// True when `$officer` held (or holds) a primary or backup assignment at `$school` on `$day`.
macro_rules! assigned_on {
    ($officer:expr, $school:expr, $day:expr) => {
        exists(
            assignments::table
                .filter(assignments::officer_id.eq($officer))
                .filter(assignments::school_id.nullable().eq($school))
                .filter(assignments::starts_on.le($day))
                .filter(assignments::ends_on.is_null().or(assignments::ends_on.ge($day.nullable()))),
        )
    };
}

/// The ids of the schools of `board`, as a subquery.
macro_rules! board_schools {
    ($board:expr) => {
        schools::table.select(schools::id).filter(schools::board_id.eq($board.to_string()))
    };
}

/// The schools `$officer` ever had a primary or backup assignment at, as a subquery that does
/// not depend on the row (the database works it out once per statement).
macro_rules! schools_ever_assigned {
    ($officer:expr) => {
        assignments::table.select(assignments::school_id).filter(assignments::officer_id.eq($officer))
    };
}

/// The schools `$officer` holds a primary or backup assignment at on `$day` (a date value, not
/// a column), as a subquery that does not depend on the row.
macro_rules! schools_assigned_on {
    ($officer:expr, $day:expr) => {
        schools_ever_assigned!($officer)
            .filter(assignments::starts_on.le($day))
            .filter(assignments::ends_on.is_null().or(assignments::ends_on.ge($day.nullable())))
    };
}

/// True when `$officer` was assigned at the row's school (`$school`, a non-null text column) on
/// the row's day (`$day`, a date column) or is today (`$today`, a value): the school-record part
/// of the officer rule.
///
/// Written so that no row pays for a correlated subquery it cannot pass: "today" is a set of
/// schools worked out once per statement, and "on its day" is looked up only for rows at a
/// school the officer was ever assigned to. (As one correlated EXISTS per term, SQLite ran both
/// lookups for every incident of a school the officer never worked at: 21 requests a second at
/// 12,000 incidents, bench/README.md.)
macro_rules! assigned_at_school {
    ($officer:expr, $school:expr, $day:expr, $today:expr) => {{
        let officer: String = $officer;
        $school.eq_any(schools_assigned_on!(officer.clone(), $today)).nullable().or($school
            .eq_any(schools_ever_assigned!(officer.clone()))
            .and(assigned_on!(officer, $school.nullable(), $day))
            .nullable())
    }};
}

/// The officer rule for incidents: named on it, created it, or assigned at its school on its
/// day or today.
macro_rules! officer_sees_incident {
    ($me:expr, $today:expr) => {{
        let me: String = $me;
        incidents::officer_id.eq(me.clone()).or(incidents::created_by_officer.eq(me.clone())).or(assigned_at_school!(
            me,
            incidents::school_id,
            incidents::occurred_on,
            $today
        ))
    }};
}

/// The officer rule for referrals: its own (it made them or is named on them).
macro_rules! officer_sees_referral {
    ($me:expr) => {{
        let me: String = $me;
        referrals::officer_id.eq(me.clone()).or(referrals::created_by_officer.eq(me))
    }};
}

/// Today's city date as an SQL value.
fn today(ctx: &Context) -> diesel::internal::derives::as_expression::Bound<Date, chrono::NaiveDate> {
    ctx.today().into_sql::<Date>()
}

/// Which schools (reference data) a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchoolScope {
    /// Every school.
    All,
    /// A school board: its own board's schools only (the SIS integration's scope).
    Board(uuid::Uuid),
    /// None (a board client whose binding is missing: fails closed).
    Nothing,
}

/// The schools `ctx` sees.
pub fn school_scope(ctx: &Context) -> SchoolScope {
    match (ctx.visibility, ctx.caller.role) {
        (Visibility::Board(board), _) => SchoolScope::Board(board),
        (_, Role::Board) => SchoolScope::Nothing,
        _ => SchoolScope::All,
    }
}

/// Schools: the filter of [`school_scope`].
pub fn schools(ctx: &Context) -> Filter<schools::table> {
    match school_scope(ctx) {
        SchoolScope::Board(board) => Box::new(schools::board_id.eq(board.to_string())),
        SchoolScope::Nothing => Box::new(schools::id.is_null().nullable()),
        SchoolScope::All => Box::new(schools::id.is_not_null().nullable()),
    }
}

/// Assignments: those at the schools the caller sees.
pub fn assignments(ctx: &Context) -> Filter<assignments::table> {
    match school_scope(ctx) {
        SchoolScope::Board(board) => Box::new(assignments::school_id.eq_any(board_schools!(board)).nullable()),
        SchoolScope::Nothing => Box::new(assignments::id.is_null().nullable()),
        SchoolScope::All => Box::new(assignments::id.is_not_null().nullable()),
    }
}

/// Assignments joined with their schools (`assignments INNER JOIN schools`): those at the
/// schools the caller sees, for queries that group by a column of the school.
pub fn assignments_with_schools(
    ctx: &Context,
) -> Filter<diesel::helper_types::InnerJoinQuerySource<assignments::table, schools::table>> {
    match school_scope(ctx) {
        SchoolScope::Board(board) => Box::new(schools::board_id.eq(board.to_string())),
        SchoolScope::Nothing => Box::new(schools::id.is_null().nullable()),
        SchoolScope::All => Box::new(schools::id.is_not_null().nullable()),
    }
}

/// Incidents: all (admin), its schools' (board), the officer rule; nothing for the others.
pub fn incidents(ctx: &Context) -> Filter<incidents::table> {
    match ctx.visibility {
        Visibility::All => Box::new(incidents::id.is_not_null().nullable()),
        Visibility::Board(board) => Box::new(incidents::school_id.eq_any(board_schools!(board)).nullable()),
        Visibility::Officer(me) => Box::new(officer_sees_incident!(me.to_string(), today(ctx))),
        Visibility::Agency(_) | Visibility::Nothing => Box::new(incidents::id.is_null().nullable()),
    }
}

/// Referrals: all (admin), those addressed to it (agency), its own (officer: it made them or is
/// named on them); nothing for boards and dashboards.
pub fn referrals(ctx: &Context) -> Filter<referrals::table> {
    match ctx.visibility {
        Visibility::All => Box::new(referrals::id.is_not_null().nullable()),
        // A sealed (or destroyed) person's referrals are the unit's alone (§7): checked against
        // the person now, whenever the referral was made.
        Visibility::Agency(agency) => Box::new(
            referrals::agency_id
                .eq(agency.to_string())
                .and(referrals::sealed_at.is_null())
                .and(referrals::person_id.assume_not_null().eq_any(unsealed_persons()))
                .nullable(),
        ),
        Visibility::Officer(me) => Box::new(
            officer_sees_referral!(me.to_string())
                .and(referrals::sealed_at.is_null())
                .and(referrals::person_id.assume_not_null().eq_any(unsealed_persons())),
        ),
        Visibility::Board(_) | Visibility::Nothing => Box::new(referrals::id.is_null().nullable()),
    }
}

/// The ids of the persons not sealed, as a subquery: what every role but the unit may see of
/// persons (§7).
pub fn unsealed_persons(
) -> diesel::dsl::Select<diesel::dsl::Filter<persons::table, diesel::dsl::IsNull<persons::sealed_at>>, persons::id> {
    persons::table.filter(persons::sealed_at.is_null()).select(persons::id)
}

/// Outcomes (§7): police use only (YCJA s. 119(4)). All for the unit; for an officer, those of
/// the incidents it sees; never a board, agency or dashboard.
pub fn outcomes(ctx: &Context) -> Filter<outcomes::table> {
    match ctx.visibility {
        Visibility::All => Box::new(outcomes::id.is_not_null().nullable()),
        Visibility::Officer(me) => {
            let seen =
                incidents::table.select(incidents::id).filter(officer_sees_incident!(me.to_string(), today(ctx)));
            Box::new(outcomes::incident_id.eq_any(seen).and(outcomes::person_id.eq_any(unsealed_persons())).nullable())
        }
        Visibility::Board(_) | Visibility::Agency(_) | Visibility::Nothing => {
            Box::new(outcomes::id.is_null().nullable())
        }
    }
}

/// Disclosures to schools (§7, YCJA s. 125(6)–(7)). All for the unit. For an officer, the
/// school-record rule with `disclosed_on` as the record's day: it made the disclosure, or was
/// assigned at the school that day or is today (the officers who could have made it, like any
/// other record of the school). For a board, those to its schools while the school may keep
/// them: not confirmed destroyed and `destroy_by` not passed (city-local date). Never an agency
/// or a dashboard.
pub fn disclosures(ctx: &Context) -> Filter<disclosures::table> {
    match ctx.visibility {
        Visibility::All => Box::new(disclosures::id.is_not_null().nullable()),
        // A sealed person's disclosures are the unit's alone (§7), like the person.
        Visibility::Officer(me) => {
            let me = me.to_string();
            Box::new(
                disclosures::created_by_officer
                    .eq(me.clone())
                    .or(assigned_at_school!(me, disclosures::school_id, disclosures::disclosed_on, today(ctx)))
                    .and(disclosures::person_id.eq_any(unsealed_persons())),
            )
        }
        Visibility::Board(board) => Box::new(
            disclosures::school_id
                .eq_any(board_schools!(board))
                .and(disclosures::destroyed_at.is_null())
                .and(disclosures::destroy_by.ge(today(ctx)))
                .and(disclosures::person_id.eq_any(unsealed_persons()))
                .nullable(),
        ),
        Visibility::Agency(_) | Visibility::Nothing => Box::new(disclosures::id.is_null().nullable()),
    }
}

/// Incidents counted in statistics: those the caller may list, and for the dashboard, which
/// lists none, all of them: it only ever gets counts, the small ones withheld ([`suppression`]).
pub fn incident_counts(ctx: &Context) -> Filter<incidents::table> {
    match ctx.caller.role {
        Role::Dashboard => Box::new(incidents::id.is_not_null().nullable()),
        _ => incidents(ctx),
    }
}

/// Referrals counted in statistics: those the caller may list, and all of them for the
/// dashboard (counts only, the small ones withheld).
pub fn referral_counts(ctx: &Context) -> Filter<referrals::table> {
    match ctx.caller.role {
        Role::Dashboard => Box::new(referrals::id.is_not_null().nullable()),
        _ => referrals(ctx),
    }
}

/// The smallest count `ctx` may see in statistics (`SUPPRESSION_MIN_COUNT`, given as
/// `min_count`): the dashboard's counts are suppressed below it (`domain::stats::suppress`);
/// the other roles count only records they may see anyway, so nothing is withheld from them.
pub fn suppression(ctx: &Context, min_count: i64) -> Option<i64> {
    (ctx.caller.role == Role::Dashboard).then_some(min_count)
}

/// Persons: all (admin); for an officer, those it created, those at a school it is or was
/// assigned to on the record's day, those named on an incident it sees and those of its own
/// referrals. Boards, agencies and dashboards list none (an agency sees its referrals' youth
/// embedded in the referral).
pub fn persons(ctx: &Context) -> Filter<persons::table> {
    match ctx.visibility {
        Visibility::All => Box::new(persons::id.is_not_null().nullable()),
        Visibility::Officer(me) => {
            let officer = me.to_string();
            let seen_incidents =
                incidents::table.select(incidents::id).filter(officer_sees_incident!(officer.clone(), today(ctx)));
            let on_incidents = incident_persons::table
                .select(incident_persons::person_id)
                .filter(incident_persons::incident_id.eq_any(seen_incidents));
            let own_referrals =
                referrals::table.select(referrals::person_id).filter(officer_sees_referral!(officer.clone()));
            // A sealed person is the unit's alone (§7).
            Box::new(
                persons::created_by_officer
                    .eq(officer.clone())
                    .or(assigned_at_school!(
                        officer,
                        persons::school_id.assume_not_null(),
                        persons::created_on,
                        today(ctx)
                    ))
                    .or(persons::id.eq_any(on_incidents).nullable())
                    .or(persons::id.nullable().eq_any(own_referrals))
                    .and(persons::sealed_at.is_null()),
            )
        }
        Visibility::Board(_) | Visibility::Agency(_) | Visibility::Nothing => {
            Box::new(persons::id.is_null().nullable())
        }
    }
}

/// Service requests: all (admin), its schools' (board), the officer rule (named on it, or
/// assigned at the school on the day it was made or today).
pub fn service_requests(ctx: &Context) -> Filter<service_requests::table> {
    match ctx.visibility {
        Visibility::All => Box::new(service_requests::id.is_not_null().nullable()),
        Visibility::Board(board) => Box::new(service_requests::school_id.eq_any(board_schools!(board)).nullable()),
        Visibility::Officer(me) => {
            let me = me.to_string();
            Box::new(service_requests::officer_id.eq(me.clone()).or(assigned_at_school!(
                me,
                service_requests::school_id,
                service_requests::created_on,
                today(ctx)
            )))
        }
        Visibility::Agency(_) | Visibility::Nothing => Box::new(service_requests::id.is_null().nullable()),
    }
}

/// Presentations: all (admin), the officer rule (gave it, or assigned at the school on the day
/// or today); nothing for the others.
pub fn presentations(ctx: &Context) -> Filter<presentations::table> {
    match ctx.visibility {
        Visibility::All => Box::new(presentations::id.is_not_null().nullable()),
        Visibility::Officer(me) => {
            let me = me.to_string();
            Box::new(presentations::officer_id.eq(me.clone()).nullable().or(assigned_at_school!(
                me,
                presentations::school_id,
                presentations::delivered_on,
                today(ctx)
            )))
        }
        Visibility::Board(_) | Visibility::Agency(_) | Visibility::Nothing => {
            Box::new(presentations::id.is_null().nullable())
        }
    }
}

/// Whether an officer may write records for `school` on `day`: assigned there that day or
/// today. The unit may write anywhere; other roles never write these records.
pub fn may_write_at(
    conn: &mut crate::db::DbConn,
    ctx: &Context,
    school: &str,
    day: chrono::NaiveDate,
) -> crate::error::AppResult<bool> {
    match ctx.visibility {
        Visibility::All => Ok(true),
        Visibility::Officer(me) => {
            let me = me.to_string();
            let school = school.to_owned().into_sql::<diesel::sql_types::Text>().nullable();
            let held =
                diesel::select(assigned_on!(me.clone(), school.clone(), day.into_sql::<Date>()).or(assigned_on!(
                    me,
                    school,
                    today(ctx)
                )));
            Ok(held.get_result::<bool>(conn)?)
        }
        Visibility::Board(board) => {
            let found: i64 = schools::table
                .filter(schools::id.eq(school.to_owned()))
                .filter(schools::board_id.eq(board.to_string()))
                .count()
                .get_result(conn)?;
            Ok(found > 0)
        }
        Visibility::Agency(_) | Visibility::Nothing => Ok(false),
    }
}
