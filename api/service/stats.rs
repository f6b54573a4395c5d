//! Statistics: counts of the records the caller may count (`policy::incident_counts`,
//! `policy::referral_counts`, `policy::schools`), grouped in SQL, labelled, and suppressed for
//! the dashboard (`policy::suppression`, `domain::stats::suppress`). Counts are not personal
//! data: nothing here is audited.
//!
//! Where the group is a column of the counted table, the database groups (`GROUP BY` +
//! `COUNT(*)`). Months are grouped by the city-local day (`occurred_on`) and folded into months
//! here; boards by school, folded by each school's board.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count, count_star, exists, min};
use diesel::prelude::*;

use super::{in_force, policy};
use crate::db::rows;
use crate::db::schema::{agencies, assignments, boards, incidents, officers, referral_history, referrals, schools};
use crate::db::DbConn;
use crate::domain::assignment::AssignmentRole;
use crate::domain::context::Context;
use crate::domain::i18n::Lang;
use crate::domain::incident::{IncidentCategory, IncidentLocation, Resolution};
use crate::domain::labels;
use crate::domain::referral::{ReferralCategory, ReferralStatus};
use crate::domain::stats::{
    self, Coverage, CoverageCell, CoverageQuery, IncidentGrouping, IncidentStats, IncidentStatsQuery, Period,
    ReferralGrouping, ReferralStats, ReferralStatsQuery, Tally, PRIVATE_KEY, UNRESOLVED_KEY,
};
use crate::error::AppResult;

/// Incidents that occurred in the period.
fn occurred_in(period: Period) -> policy::Filter<incidents::table> {
    match (period.from, period.to) {
        (Some(from), Some(to)) => {
            Box::new(incidents::occurred_at.ge(from).and(incidents::occurred_at.lt(to)).nullable())
        }
        (Some(from), None) => Box::new(incidents::occurred_at.ge(from).nullable()),
        (None, Some(to)) => Box::new(incidents::occurred_at.lt(to).nullable()),
        (None, None) => Box::new(incidents::id.is_not_null().nullable()),
    }
}

/// Referrals created in the period.
fn created_in(period: Period) -> policy::Filter<referrals::table> {
    match (period.from, period.to) {
        (Some(from), Some(to)) => Box::new(referrals::created_at.ge(from).and(referrals::created_at.lt(to)).nullable()),
        (Some(from), None) => Box::new(referrals::created_at.ge(from).nullable()),
        (None, Some(to)) => Box::new(referrals::created_at.lt(to).nullable()),
        (None, None) => Box::new(referrals::id.is_not_null().nullable()),
    }
}

/// `COUNT(*)` of `$table`'s rows passing `$filters`, grouped by `$column`.
macro_rules! count_by {
    ($conn:expr, $table:ident, [$($filter:expr),+], $column:expr, $key:ty) => {{
        let found: Vec<($key, i64)> = $table::table
            $(.filter($filter))+
            .group_by($column)
            .select(($column, count_star()))
            .load($conn)?;
        found
    }};
}

fn tally(key: String, label: impl Into<String>, count: i64) -> Tally {
    Tally { key, label: label.into(), count, median_hours: None }
}

/// Tallies keyed by an enum column, labelled by `label` in `lang`.
fn enum_tallies<T: std::str::FromStr>(
    found: Vec<(String, i64)>,
    lang: Lang,
    label: fn(Lang, T) -> String,
) -> AppResult<Vec<Tally>> {
    found.into_iter().map(|(key, count)| Ok(tally(key.clone(), label(lang, rows::enum_value(&key)?), count))).collect()
}

/// The names of `ids` in a table of named records; an id not found is its own label.
fn names(found: Vec<(String, String)>) -> HashMap<String, String> {
    found.into_iter().collect()
}

fn named(key: String, names: &HashMap<String, String>, count: i64) -> Tally {
    let label = names.get(&key).cloned().unwrap_or_else(|| key.clone());
    tally(key, label, count)
}

/// The boards' names in `lang` (their `name_fr` in French).
fn board_names(conn: &mut DbConn, lang: Lang) -> AppResult<HashMap<String, String>> {
    Ok(match lang {
        Lang::En => names(boards::table.select((boards::id, boards::name)).load(conn)?),
        Lang::Fr => names(boards::table.select((boards::id, boards::name_fr)).load(conn)?),
    })
}

/// A board's key and label (`private` for none).
fn board_group(board: Option<String>, names: &HashMap<String, String>, lang: Lang) -> (String, String) {
    match board {
        Some(id) => {
            let label = names.get(&id).cloned().unwrap_or_else(|| id.clone());
            (id, label)
        }
        None => (PRIVATE_KEY.to_owned(), labels::private_schools(lang)),
    }
}

/// `GET /v1/stats/incidents`: the incidents the caller may count, grouped.
pub fn incidents(conn: &mut DbConn, ctx: &Context, q: &IncidentStatsQuery, min_count: i64) -> AppResult<IncidentStats> {
    let period = q.period();
    let visible = || policy::incident_counts(ctx);
    let tallies = match q.group_by {
        IncidentGrouping::Category => {
            let found = count_by!(conn, incidents, [visible(), occurred_in(period)], incidents::category, String);
            enum_tallies::<IncidentCategory>(found, ctx.lang, labels::incident_category)?
        }
        IncidentGrouping::Location => {
            let found = count_by!(conn, incidents, [visible(), occurred_in(period)], incidents::location, String);
            enum_tallies::<IncidentLocation>(found, ctx.lang, labels::location)?
        }
        IncidentGrouping::Resolution => {
            let found =
                count_by!(conn, incidents, [visible(), occurred_in(period)], incidents::resolution, Option<String>);
            found
                .into_iter()
                .map(|(key, count)| match key {
                    Some(key) => {
                        let value: Resolution = rows::enum_value(&key)?;
                        Ok(tally(key, labels::resolution(ctx.lang, value), count))
                    }
                    None => Ok(tally(UNRESOLVED_KEY.to_owned(), labels::unresolved(ctx.lang), count)),
                })
                .collect::<AppResult<Vec<_>>>()?
        }
        IncidentGrouping::School => {
            let found = count_by!(conn, incidents, [visible(), occurred_in(period)], incidents::school_id, String);
            let ids: Vec<String> = found.iter().map(|(id, _)| id.clone()).collect();
            let names =
                names(schools::table.filter(schools::id.eq_any(ids)).select((schools::id, schools::name)).load(conn)?);
            found.into_iter().map(|(key, count)| named(key, &names, count)).collect()
        }
        IncidentGrouping::Board => {
            let found = count_by!(conn, incidents, [visible(), occurred_in(period)], incidents::school_id, String);
            let ids: Vec<String> = found.iter().map(|(id, _)| id.clone()).collect();
            let board_of: HashMap<String, Option<String>> = schools::table
                .filter(schools::id.eq_any(ids))
                .select((schools::id, schools::board_id))
                .load::<(String, Option<String>)>(conn)?
                .into_iter()
                .collect();
            let names = board_names(conn, ctx.lang)?;
            let mut boards: BTreeMap<(String, String), i64> = BTreeMap::new();
            for (school, count) in found {
                let group = board_group(board_of.get(&school).cloned().flatten(), &names, ctx.lang);
                *boards.entry(group).or_default() += count;
            }
            boards.into_iter().map(|((key, label), count)| tally(key, label, count)).collect()
        }
        IncidentGrouping::Month => {
            let found = count_by!(conn, incidents, [visible(), occurred_in(period)], incidents::occurred_on, NaiveDate);
            let mut months: BTreeMap<String, (NaiveDate, i64)> = BTreeMap::new();
            for (day, count) in found {
                months.entry(stats::month_key(day)).or_insert((day, 0)).1 += count;
            }
            months.into_iter().map(|(key, (day, count))| tally(key, labels::month(ctx.lang, day), count)).collect()
        }
    };
    Ok(stats::incident_answer(q, tallies, policy::suppression(ctx, min_count)))
}

/// The referrals the caller may count, created in `period`: the group key (`$column`),
/// `created_at` and the first acknowledgement (`MIN(at)` of its `acknowledged` history entries,
/// null when none), one row per referral.
macro_rules! first_acknowledgements {
    ($conn:expr, $ctx:expr, $period:expr, $column:expr) => {{
        let first = referral_history::table
            .filter(referral_history::referral_id.eq(referrals::id))
            .filter(referral_history::status.eq(ReferralStatus::Acknowledged.as_str()))
            .select(min(referral_history::at))
            .single_value();
        let found: Vec<(String, NaiveDateTime, Option<NaiveDateTime>)> = referrals::table
            .filter(policy::referral_counts($ctx))
            .filter(created_in($period))
            .select(($column, referrals::created_at, first))
            .load($conn)?;
        found
    }};
}

/// `GET /v1/stats/referrals`: the referrals the caller may count, grouped, with the median
/// hours to acknowledgement of each group.
pub fn referrals(conn: &mut DbConn, ctx: &Context, q: &ReferralStatsQuery, min_count: i64) -> AppResult<ReferralStats> {
    let period = q.period();
    let visible = || policy::referral_counts(ctx);
    let (mut tallies, acknowledged) = match q.group_by {
        ReferralGrouping::Agency => {
            let found = count_by!(conn, referrals, [visible(), created_in(period)], referrals::agency_id, String);
            let ids: Vec<String> = found.iter().map(|(id, _)| id.clone()).collect();
            // An agency's `name_fr` in French, where it has one.
            let found_names: Vec<(String, String, Option<String>)> = agencies::table
                .filter(agencies::id.eq_any(ids))
                .select((agencies::id, agencies::name, agencies::name_fr))
                .load(conn)?;
            let names: HashMap<String, String> = found_names
                .into_iter()
                .map(|(id, name, name_fr)| match (ctx.lang, name_fr) {
                    (Lang::Fr, Some(fr)) => (id, fr),
                    _ => (id, name),
                })
                .collect();
            let tallies: Vec<Tally> = found.into_iter().map(|(key, count)| named(key, &names, count)).collect();
            (tallies, first_acknowledgements!(conn, ctx, period, referrals::agency_id))
        }
        ReferralGrouping::Status => {
            let found = count_by!(conn, referrals, [visible(), created_in(period)], referrals::status, String);
            let tallies = enum_tallies::<ReferralStatus>(found, ctx.lang, labels::referral_status)?;
            (tallies, first_acknowledgements!(conn, ctx, period, referrals::status))
        }
        ReferralGrouping::Category => {
            let found = count_by!(conn, referrals, [visible(), created_in(period)], referrals::category, String);
            let tallies = enum_tallies::<ReferralCategory>(found, ctx.lang, labels::referral_category)?;
            (tallies, first_acknowledgements!(conn, ctx, period, referrals::category))
        }
    };
    let mut hours: HashMap<String, Vec<f64>> = HashMap::new();
    for (key, created, first) in acknowledged {
        if let Some(first) = first {
            hours.entry(key).or_default().push(stats::hours_between(created, first));
        }
    }
    for t in &mut tallies {
        t.median_hours = hours.remove(&t.key).and_then(stats::median);
    }
    Ok(stats::referral_answer(q, tallies, policy::suppression(ctx, min_count)))
}

/// `GET /v1/stats/coverage`: the open schools the caller sees, by board, with those that have
/// a primary SRO in force today and the officers who are those SROs. Schools and officers, not
/// persons: nothing is suppressed.
pub fn coverage(conn: &mut DbConn, ctx: &Context, q: &CoverageQuery) -> AppResult<Coverage> {
    let today = ctx.today();
    let primary = AssignmentRole::Primary.as_str();
    let open = || schools::active.eq(true);
    let schools_by_board = count_by!(conn, schools, [policy::schools(ctx), open()], schools::board_id, Option<String>);
    let primary_today = || {
        exists(
            assignments::table
                .filter(assignments::school_id.eq(schools::id))
                .filter(assignments::role.eq(primary))
                .filter(in_force!(today)),
        )
    };
    let covered_by_board =
        count_by!(conn, schools, [policy::schools(ctx), open(), primary_today()], schools::board_id, Option<String>);
    let serving_today = || {
        assignments::table
            .inner_join(schools::table)
            .filter(policy::assignments_with_schools(ctx))
            .filter(open())
            .filter(assignments::role.eq(primary))
            .filter(in_force!(today))
    };
    let officers_by_board: Vec<(Option<String>, i64)> = serving_today()
        .group_by(schools::board_id)
        .select((schools::board_id, count(assignments::officer_id).aggregate_distinct()))
        .load(conn)?;
    let officers: i64 = serving_today().select(count(assignments::officer_id).aggregate_distinct()).first(conn)?;
    let active_officers: i64 = officers::table.filter(officers::active.eq(true)).count().get_result(conn)?;

    let names = board_names(conn, ctx.lang)?;
    let covered: HashMap<Option<String>, i64> = covered_by_board.into_iter().collect();
    let serving: HashMap<Option<String>, i64> = officers_by_board.into_iter().collect();
    let mut data: Vec<CoverageCell> = schools_by_board
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .map(|(board, count)| {
            let with_sro = covered.get(&board).copied().unwrap_or(0);
            let officers = serving.get(&board).copied().unwrap_or(0);
            let (key, label) = board_group(board, &names, ctx.lang);
            CoverageCell {
                key,
                label,
                count,
                suppressed: false,
                schools_with_sro: with_sro,
                officers,
                schools_per_officer: stats::ratio(with_sro, officers),
            }
        })
        .collect();
    data.sort_by(|a, b| a.key.cmp(&b.key));
    let schools: i64 = data.iter().map(|c| c.count).sum();
    let schools_with_sro: i64 = data.iter().map(|c| c.schools_with_sro).sum();
    Ok(Coverage {
        group_by: q.group_by,
        from: None,
        to: None,
        on: today,
        data,
        total: schools,
        total_suppressed: false,
        schools,
        schools_with_sro,
        officers,
        active_officers,
        schools_per_officer: stats::ratio(schools_with_sro, officers),
    })
}
