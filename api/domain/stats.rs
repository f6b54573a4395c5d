//! Statistics (API.md §4, §6 "Statistics"): what `/v1/stats/*` group by, their query, their
//! answer, and the rule that keeps small counts from the `dashboard` role ([`suppress`]).
//! Statistics carry no personal data: counts of records, never a record.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::query::Params;
use super::time::parse_timestamp;
use super::validate::FieldError;
use crate::string_enum;

string_enum! {
    /// How `GET /v1/stats/incidents` groups incidents.
    IncidentGrouping {
        /// By `category`.
        Category => "category",
        /// By `resolution`; incidents not resolved yet form the group `unresolved`.
        Resolution => "resolution",
        /// By `location`.
        Location => "location",
        /// By school (`key` is the school's id).
        School => "school",
        /// By the school's board (`key` is the board's id; private schools form the group `private`).
        Board => "board",
        /// By the month of `occurred_at` in Ottawa time (`key` is `YYYY-MM`).
        Month => "month",
    }
}

string_enum! {
    /// How `GET /v1/stats/referrals` groups referrals.
    ReferralGrouping {
        /// By the agency referred to (`key` is the agency's id).
        Agency => "agency",
        /// By `status` now.
        Status => "status",
        /// By `category`.
        Category => "category",
    }
}

string_enum! {
    /// How `GET /v1/stats/coverage` groups schools.
    CoverageGrouping {
        /// By board (`key` is the board's id; private schools form the group `private`).
        Board => "board",
    }
}

/// The key of the group of incidents with no resolution yet.
pub const UNRESOLVED_KEY: &str = "unresolved";

/// The key of the group of private schools (no board).
pub const PRIVATE_KEY: &str = "private";

/// The period of a statistics query: from (inclusive) and to (exclusive).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    /// Counted from this instant, inclusive.
    pub from: Option<NaiveDateTime>,
    /// Counted before this instant.
    pub to: Option<NaiveDateTime>,
}

impl Period {
    fn read(p: &mut Params) -> Period {
        // A `to` not later than `from` counts nothing, as the lists' `*_from`/`*_to` filters
        // find nothing: every query the document allows is answered.
        Period { from: p.opt("from", parse_timestamp), to: p.opt("to", parse_timestamp) }
    }

    fn wire(self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        (self.from.map(super::time::to_utc), self.to.map(super::time::to_utc))
    }
}

/// The query of `GET /v1/stats/incidents`.
#[derive(Debug, Clone, PartialEq, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentStatsQuery {
    /// How to group the incidents (default `category`).
    #[param(required = false)]
    pub group_by: IncidentGrouping,
    /// Count incidents that occurred at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Count incidents that occurred before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

impl IncidentStatsQuery {
    /// Reads `group_by`, `from` and `to`; anything else is an error naming it.
    pub fn parse(raw: &str) -> Result<IncidentStatsQuery, Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let group_by = p.opt_enum("group_by").unwrap_or_default();
        let (from, to) = Period::read(&mut p).wire();
        p.finish_plain()?;
        Ok(IncidentStatsQuery { group_by, from, to })
    }

    /// The period counted.
    pub fn period(&self) -> Period {
        Period { from: self.from.map(|t| t.naive_utc()), to: self.to.map(|t| t.naive_utc()) }
    }
}

/// The query of `GET /v1/stats/referrals`.
#[derive(Debug, Clone, PartialEq, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralStatsQuery {
    /// How to group the referrals (default `agency`).
    #[param(required = false)]
    pub group_by: ReferralGrouping,
    /// Count referrals created at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Count referrals created before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

impl ReferralStatsQuery {
    /// Reads `group_by`, `from` and `to`; anything else is an error naming it.
    pub fn parse(raw: &str) -> Result<ReferralStatsQuery, Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let group_by = p.opt_enum("group_by").unwrap_or_default();
        let (from, to) = Period::read(&mut p).wire();
        p.finish_plain()?;
        Ok(ReferralStatsQuery { group_by, from, to })
    }

    /// The period counted.
    pub fn period(&self) -> Period {
        Period { from: self.from.map(|t| t.naive_utc()), to: self.to.map(|t| t.naive_utc()) }
    }
}

/// The query of `GET /v1/stats/coverage`: coverage is as of today, so it has no period.
#[derive(Debug, Clone, PartialEq, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// How to group the schools (default `board`, the only grouping).
    #[param(required = false)]
    pub group_by: CoverageGrouping,
}

impl CoverageQuery {
    /// Reads `group_by`; anything else (`from`, `to` included) is an error naming it.
    pub fn parse(raw: &str) -> Result<CoverageQuery, Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let group_by = p.opt_enum("group_by").unwrap_or_default();
        p.finish_plain()?;
        Ok(CoverageQuery { group_by })
    }
}

/// One group of a statistics answer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StatsCell {
    /// The enum value, the record id (school, board, agency), `YYYY-MM`, or `unresolved` /
    /// `private` for the records with none.
    pub key: String,
    /// A human name for the group (the school's, board's or agency's name, `November 2026`).
    pub label: String,
    /// How many records; null when suppressed.
    pub count: Option<i64>,
    /// True when the count is withheld (the `dashboard` role, small counts).
    pub suppressed: bool,
}

/// `GET /v1/stats/incidents`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IncidentStats {
    /// How the incidents are grouped.
    pub group_by: IncidentGrouping,
    /// The period's start (`occurred_at`, inclusive), as asked.
    pub from: Option<DateTime<Utc>>,
    /// The period's end (`occurred_at`, exclusive), as asked.
    pub to: Option<DateTime<Utc>>,
    /// The groups with at least one incident, ordered by `key`.
    pub data: Vec<StatsCell>,
    /// Every incident counted (the sum of the groups); null when it would reveal a suppressed count.
    pub total: Option<i64>,
    /// True when `total` is withheld.
    pub total_suppressed: bool,
}

/// One group of referrals.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReferralStatsCell {
    /// The agency's id or the enum value.
    pub key: String,
    /// The agency's name or a readable name of the value.
    pub label: String,
    /// How many referrals; null when suppressed.
    pub count: Option<i64>,
    /// True when the count (and the median) is withheld.
    pub suppressed: bool,
    /// The median, over the group's referrals that were acknowledged, of the hours from
    /// `created_at` to the first `acknowledged` entry of their history (two decimals); null when
    /// none was acknowledged or the group is suppressed.
    pub median_hours_to_acknowledgement: Option<f64>,
}

/// `GET /v1/stats/referrals`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReferralStats {
    /// How the referrals are grouped.
    pub group_by: ReferralGrouping,
    /// The period's start (`created_at`, inclusive), as asked.
    pub from: Option<DateTime<Utc>>,
    /// The period's end (`created_at`, exclusive), as asked.
    pub to: Option<DateTime<Utc>>,
    /// The groups with at least one referral, ordered by `key`.
    pub data: Vec<ReferralStatsCell>,
    /// Every referral counted; null when it would reveal a suppressed count.
    pub total: Option<i64>,
    /// True when `total` is withheld.
    pub total_suppressed: bool,
}

/// One group of schools in the coverage answer. Coverage counts schools and officers, not
/// persons: nothing in it is ever suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CoverageCell {
    /// The board's id, or `private`.
    pub key: String,
    /// The board's name, or `Private schools`.
    pub label: String,
    /// Open schools (`active`) in the group.
    pub count: i64,
    /// Always false: coverage is not about persons.
    pub suppressed: bool,
    /// Of those, the schools with a primary SRO in force today (Ottawa time).
    pub schools_with_sro: i64,
    /// The officers who are the primary SRO of at least one of those schools today.
    pub officers: i64,
    /// `schools_with_sro` / `officers` (two decimals); null with no officer.
    pub schools_per_officer: Option<f64>,
}

/// `GET /v1/stats/coverage`: the SRO coverage of the schools the caller sees, today.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Coverage {
    /// How the schools are grouped.
    pub group_by: CoverageGrouping,
    /// Always null: coverage is as of `on`.
    pub from: Option<DateTime<Utc>>,
    /// Always null: coverage is as of `on`.
    pub to: Option<DateTime<Utc>>,
    /// The day the coverage is of: today in Ottawa.
    pub on: NaiveDate,
    /// The groups with at least one open school, ordered by `key`.
    pub data: Vec<CoverageCell>,
    /// Open schools (the sum of the groups' counts); never withheld.
    pub total: i64,
    /// Always false.
    pub total_suppressed: bool,
    /// Open schools (the same as `total`).
    pub schools: i64,
    /// Open schools with a primary SRO in force today.
    pub schools_with_sro: i64,
    /// Officers who are the primary SRO of at least one of those schools today.
    pub officers: i64,
    /// Active officers in the directory (`active: true`), assigned or not.
    pub active_officers: i64,
    /// `schools_with_sro` / `officers` (two decimals); null with no officer.
    pub schools_per_officer: Option<f64>,
}

/// A counted group, before suppression.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// The group's key.
    pub key: String,
    /// Its label.
    pub label: String,
    /// How many records it holds (at least 1).
    pub count: i64,
    /// Referrals only: the median hours to acknowledgement.
    pub median_hours: Option<f64>,
}

/// Which cells of one answer, and whether its total, are withheld.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// One flag per cell, in the order given.
    pub cells: Vec<bool>,
    /// True when the total is withheld.
    pub total: bool,
}

/// The suppression rule of the `dashboard` role, over the counts of one answer's cells:
///
/// 1. a count from 1 to `min_count − 1` is suppressed;
/// 2. complementary: if exactly one cell is then suppressed and another cell with a count
///    exists, the smallest such other cell (the first in order on a tie) is suppressed too, so
///    the one cannot be worked out from the total and the others;
/// 3. the total is suppressed when exactly one cell is suppressed after step 2 (the answer has
///    no other cell, so the total is that count), or when the total itself is from 1 to
///    `min_count − 1`.
///
/// A `min_count` of 1 suppresses nothing. Cells of count 0 are never suppressed nor used as the
/// complement (the answers leave them out anyway).
pub fn suppress(counts: &[i64], min_count: i64) -> Suppression {
    let small = |n: i64| n >= 1 && n < min_count;
    let mut cells: Vec<bool> = counts.iter().map(|n| small(*n)).collect();
    let hidden = |cells: &[bool]| cells.iter().filter(|s| **s).count();
    if hidden(&cells) == 1 {
        let complement = counts
            .iter()
            .enumerate()
            .filter(|(i, n)| **n >= 1 && !cells.get(*i).copied().unwrap_or(true))
            .min_by_key(|(i, n)| (**n, *i))
            .map(|(i, _)| i);
        if let Some(cell) = complement.and_then(|i| cells.get_mut(i)) {
            *cell = true;
        }
    }
    let total: i64 = counts.iter().sum();
    Suppression { total: hidden(&cells) == 1 || small(total), cells }
}

/// The cells, total and total flag of an answer: ordered by key, suppressed when `min_count`
/// is given (the `dashboard` role).
fn settle(mut tallies: Vec<Tally>, min_count: Option<i64>) -> (Vec<(Tally, bool)>, Option<i64>, bool) {
    tallies.retain(|t| t.count > 0);
    tallies.sort_by(|a, b| a.key.cmp(&b.key));
    let counts: Vec<i64> = tallies.iter().map(|t| t.count).collect();
    let rule = match min_count {
        Some(min) => suppress(&counts, min),
        None => Suppression { cells: vec![false; counts.len()], total: false },
    };
    let total: i64 = counts.iter().sum();
    let cells = tallies.into_iter().zip(rule.cells).collect();
    (cells, (!rule.total).then_some(total), rule.total)
}

/// The incident answer from its tallies.
pub fn incident_answer(q: &IncidentStatsQuery, tallies: Vec<Tally>, min_count: Option<i64>) -> IncidentStats {
    let (cells, total, total_suppressed) = settle(tallies, min_count);
    let data = cells
        .into_iter()
        .map(|(t, hidden)| StatsCell {
            key: t.key,
            label: t.label,
            count: (!hidden).then_some(t.count),
            suppressed: hidden,
        })
        .collect();
    IncidentStats { group_by: q.group_by, from: q.from, to: q.to, data, total, total_suppressed }
}

/// The referral answer from its tallies; a suppressed group's median is withheld too.
pub fn referral_answer(q: &ReferralStatsQuery, tallies: Vec<Tally>, min_count: Option<i64>) -> ReferralStats {
    let (cells, total, total_suppressed) = settle(tallies, min_count);
    let data = cells
        .into_iter()
        .map(|(t, hidden)| ReferralStatsCell {
            key: t.key,
            label: t.label,
            count: (!hidden).then_some(t.count),
            suppressed: hidden,
            median_hours_to_acknowledgement: if hidden { None } else { t.median_hours },
        })
        .collect();
    ReferralStats { group_by: q.group_by, from: q.from, to: q.to, data, total, total_suppressed }
}

/// The median of `values`, rounded to two decimals; None when there is none.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    let middle =
        if values.len() % 2 == 1 { *values.get(mid)? } else { (*values.get(mid - 1)? + *values.get(mid)?) / 2.0 };
    Some(two_decimals(middle))
}

/// Hours from `from` to `to` (negative if `to` is earlier).
pub fn hours_between(from: NaiveDateTime, to: NaiveDateTime) -> f64 {
    (to - from).num_milliseconds() as f64 / 3_600_000.0
}

/// `part / whole`, two decimals; None when `whole` is 0.
pub fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| two_decimals(part as f64 / whole as f64))
}

fn two_decimals(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The `YYYY-MM` key of the month of `day`.
pub fn month_key(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(counts: &[i64], min: i64) -> (Vec<bool>, bool) {
        let s = suppress(counts, min);
        (s.cells, s.total)
    }

    #[test]
    fn counts_from_1_to_threshold_minus_1_are_suppressed_and_0_and_the_threshold_are_not() {
        assert_eq!(suppress(&[1, 4, 5, 0, 9, 2], 5).cells, [true, true, false, false, false, true]);
    }

    #[test]
    fn a_lone_suppressed_cell_takes_the_smallest_other_cell_with_it() {
        // 3 alone would be worked out as total − 12 − 7; the 7 goes too.
        assert_eq!(rule(&[12, 3, 7, 9], 5), (vec![false, true, true, false], false));
    }

    #[test]
    fn the_complement_on_a_tie_is_the_first_in_order_and_never_an_empty_cell() {
        assert_eq!(rule(&[8, 2, 8], 5), (vec![true, true, false], false));
        assert_eq!(rule(&[0, 2, 6], 5), (vec![false, true, true], false));
    }

    #[test]
    fn two_suppressed_cells_need_no_complement() {
        assert_eq!(rule(&[1, 2, 30], 5), (vec![true, true, false], false));
    }

    #[test]
    fn the_total_is_withheld_when_it_is_the_one_suppressed_cell() {
        assert_eq!(rule(&[3], 5), (vec![true], true));
        assert_eq!(rule(&[3, 0], 5), (vec![true, false], true), "an empty cell is no complement");
    }

    #[test]
    fn the_total_is_withheld_when_it_is_small_itself() {
        assert_eq!(rule(&[1, 1], 5), (vec![true, true], true));
        assert_eq!(rule(&[2, 2], 5), (vec![true, true], true), "a total of 4");
        assert_eq!(rule(&[2, 3], 5), (vec![true, true], false), "a total of 5 tells neither");
    }

    #[test]
    fn nothing_is_withheld_at_or_above_the_threshold_or_with_threshold_1() {
        assert_eq!(rule(&[5, 6, 50], 5), (vec![false, false, false], false));
        assert_eq!(rule(&[1, 2], 1), (vec![false, false], false));
        assert_eq!(rule(&[], 5), (vec![], false));
    }

    #[test]
    fn answers_order_by_key_drop_empty_groups_and_hide_a_suppressed_median() {
        let tally = |key: &str, count: i64| Tally {
            key: key.into(),
            label: key.to_uppercase(),
            count,
            median_hours: Some(1.5),
        };
        let q = ReferralStatsQuery { group_by: ReferralGrouping::Status, from: None, to: None };
        let answer =
            referral_answer(&q, vec![tally("submitted", 9), tally("accepted", 2), tally("declined", 0)], Some(5));
        let keys: Vec<&str> = answer.data.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["accepted", "submitted"]);
        assert_eq!(answer.data[0].count, None);
        assert_eq!(answer.data[0].median_hours_to_acknowledgement, None);
        assert!(answer.data[1].suppressed, "the complement");
        assert_eq!((answer.total, answer.total_suppressed), (Some(11), false));
        let open = referral_answer(&q, vec![tally("submitted", 9), tally("accepted", 2)], None);
        assert_eq!(open.data[0].count, Some(2));
        assert_eq!(open.data[0].median_hours_to_acknowledgement, Some(1.5));
        assert_eq!(open.total, Some(11));
    }

    #[test]
    fn the_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![30.0, 2.0, 5.0]), Some(5.0));
        assert_eq!(median(vec![10.0, 1.0, 4.0, 2.0]), Some(3.0));
        assert_eq!(median(vec![1.0, 2.0 / 3.0]), Some(0.83));
    }

    #[test]
    fn bad_group_by_from_and_unknown_parameters_are_named() {
        let fields = |raw: &str| -> Vec<String> {
            IncidentStatsQuery::parse(raw).unwrap_err().into_iter().map(|e| e.field).collect()
        };
        assert_eq!(fields("group_by=colour"), ["group_by"]);
        assert_eq!(fields("from=yesterday"), ["from"]);
        assert_eq!(fields("limit=5&group_by=month"), ["limit"]);
        assert!(ReferralStatsQuery::parse("group_by=month").is_err());
        assert!(CoverageQuery::parse("from=2026-01-01T00:00:00Z").is_err());
        let q = IncidentStatsQuery::parse("").unwrap();
        assert_eq!(q.group_by, IncidentGrouping::Category);
        let q = IncidentStatsQuery::parse("group_by=month&from=2026-01-01T00:00:00-05:00").unwrap();
        assert_eq!(q.period().from, Some(parse_timestamp("2026-01-01T05:00:00Z").unwrap()));
    }
}
