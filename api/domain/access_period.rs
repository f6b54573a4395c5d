//! The YCJA s. 119(2) access periods (API.md §7): a table kept as data
//! (`api/data/ycja_access_periods.csv`, or the file `ACCESS_PERIODS_FILE` names) so that counsel
//! can change a period without a code change. It is read and checked once at start; a bad table
//! stops the service with the line and the reason.

use std::collections::HashMap;
use std::fmt;

use chrono::{Datelike, Months, NaiveDate};

use super::outcome::{CourtDisposition, Measure, OutcomeFacts};

/// The table built into the binary (the file in the repository at build time).
pub const BUILT_IN: &str = include_str!("../data/ycja_access_periods.csv");

/// The date an outcome's period is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountedFrom {
    /// When the measure was decided.
    DecidedOn,
    /// When the young person consented (extrajudicial sanctions, s. 119(2)(a)).
    YouthConsentObtainedOn,
    /// The court's disposition.
    DispositionOn,
    /// When the youth sentence was completed (convictions).
    SentenceCompletedOn,
}

impl CountedFrom {
    fn parse(text: &str) -> Option<CountedFrom> {
        Some(match text {
            "decided_on" => CountedFrom::DecidedOn,
            "youth_consent_obtained_on" => CountedFrom::YouthConsentObtainedOn,
            "disposition_on" => CountedFrom::DispositionOn,
            "sentence_completed_on" => CountedFrom::SentenceCompletedOn,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            CountedFrom::DecidedOn => "decided_on",
            CountedFrom::YouthConsentObtainedOn => "youth_consent_obtained_on",
            CountedFrom::DispositionOn => "disposition_on",
            CountedFrom::SentenceCompletedOn => "sentence_completed_on",
        }
    }

    fn pick(self, facts: &OutcomeFacts) -> Option<NaiveDate> {
        match self {
            CountedFrom::DecidedOn => Some(facts.decided_on),
            CountedFrom::YouthConsentObtainedOn => facts.youth_consent_obtained_on,
            CountedFrom::DispositionOn => facts.disposition_on,
            CountedFrom::SentenceCompletedOn => facts.sentence_completed_on,
        }
    }
}

/// A length of time: months (a year is 12) and then days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Whole months (years × 12 + months).
    pub months: u32,
    /// Days added after the months.
    pub days: u32,
}

impl Span {
    /// Reads `2 years`, `1 year`, `2 months`, `2 months + 30 days`.
    fn parse(text: &str) -> Option<Span> {
        let mut span = Span { months: 0, days: 0 };
        let mut any = false;
        for part in text.split('+') {
            let mut words = part.split_whitespace();
            let n: u32 = words.next()?.parse().ok()?;
            let unit = words.next()?;
            if words.next().is_some() {
                return None;
            }
            match unit {
                "year" | "years" => span.months = span.months.checked_add(n.checked_mul(12)?)?,
                "month" | "months" => span.months = span.months.checked_add(n)?,
                "day" | "days" => span.days = span.days.checked_add(n)?,
                _ => return None,
            }
            any = true;
        }
        (any && (span.months > 0 || span.days > 0)).then_some(span)
    }

    /// The day the span ends when counted from `from`. A month count lands on the same day
    /// number, or the month's last day when it has none (Interpretation Act, R.S.C. 1985,
    /// c. I-21, s. 28(c)): two months from 31 December end on the last day of February, a
    /// year from 29 February on 28 February.
    pub fn end(self, from: NaiveDate) -> Option<NaiveDate> {
        from.checked_add_months(Months::new(self.months))?.checked_add_days(chrono::Days::new(u64::from(self.days)))
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The period, or none (a pending charge: kept while it is pending).
    pub span: Option<(Span, CountedFrom)>,
    /// The row as written in the table (`2 months + 30 days`), for `access_period_rule`.
    period_text: String,
    /// The statute paragraph, where the table gives one.
    pub section: Option<String>,
}

/// The access period of one outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPeriod {
    /// The last day of the period; none while it cannot be known or when no YCJA period applies.
    pub ends_on: Option<NaiveDate>,
    /// The rule applied, e.g. `charge+stayed: 1 year from disposition_on`.
    pub rule: String,
}

/// The loaded table, keyed by measure and court disposition.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AccessPeriods {
    rules: HashMap<(Measure, Option<CourtDisposition>), Rule>,
}

impl fmt::Debug for AccessPeriods {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessPeriods({} rows)", self.rules.len())
    }
}

const HEADER: [&str; 5] = ["measure", "court_disposition", "period", "counted_from", "section"];

/// Every (measure, disposition) the table must answer for.
fn required_keys() -> Vec<(Measure, Option<CourtDisposition>)> {
    let mut keys: Vec<_> = Measure::ALL.iter().map(|m| (*m, None)).collect();
    keys.extend(CourtDisposition::ALL.iter().map(|d| (Measure::Charge, Some(*d))));
    keys
}

fn key_text(measure: Measure, disposition: Option<CourtDisposition>) -> String {
    match disposition {
        None => measure.to_string(),
        Some(d) => format!("{measure}+{d}"),
    }
}

impl AccessPeriods {
    /// The table built into the binary.
    pub fn built_in() -> Result<AccessPeriods, String> {
        AccessPeriods::parse(BUILT_IN)
    }

    /// Reads and checks a table: the header, known measures, dispositions and dates, a period
    /// that reads, exactly one row for every measure and every disposition of a charge.
    pub fn parse(text: &str) -> Result<AccessPeriods, String> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(text.as_bytes());
        let header = reader.headers().map_err(|e| format!("line 1: {e}"))?.clone();
        if header.iter().collect::<Vec<_>>() != HEADER {
            return Err(format!("line 1: the header must be `{}`", HEADER.join(",")));
        }
        let mut rules = HashMap::new();
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let record = record.map_err(|e| format!("line {line}: {e}"))?;
            let at = |message: String| format!("line {line}: {message}");
            let measure: Measure = record[0].parse().map_err(|e| at(format!("measure {e}")))?;
            let disposition: Option<CourtDisposition> = match &record[1] {
                "" => None,
                d => Some(d.parse().map_err(|e| at(format!("court_disposition {e}")))?),
            };
            if disposition.is_some() && measure != Measure::Charge {
                return Err(at("a court_disposition is only for the measure charge".into()));
            }
            let period_text = record[2].to_string();
            let span = match (period_text.as_str(), &record[3]) {
                ("none", "") => None,
                ("none", _) => {
                    return Err(at("a period of none is counted from nothing: leave counted_from empty".into()))
                }
                (period, from) => {
                    let span = Span::parse(period).ok_or_else(|| {
                        at(format!("period `{period}` must read like `2 years` or `2 months + 30 days`"))
                    })?;
                    let from = CountedFrom::parse(from).ok_or_else(|| {
                        at("counted_from must be decided_on, youth_consent_obtained_on, disposition_on or sentence_completed_on"
                            .into())
                    })?;
                    if disposition.is_some() && from == CountedFrom::DecidedOn {
                        return Err(at("a court disposition's period is counted from the court's dates".into()));
                    }
                    Some((span, from))
                }
            };
            let section = Some(record[4].to_string()).filter(|s| !s.is_empty());
            if rules.insert((measure, disposition), Rule { span, period_text, section }).is_some() {
                return Err(at(format!("a second row for {}", key_text(measure, disposition))));
            }
        }
        if let Some((m, d)) = required_keys().into_iter().find(|k| !rules.contains_key(k)) {
            return Err(format!("no row for {}", key_text(m, d)));
        }
        Ok(AccessPeriods { rules })
    }

    /// The rule for a measure and disposition.
    pub fn rule(&self, measure: Measure, disposition: Option<CourtDisposition>) -> Option<&Rule> {
        self.rules.get(&(measure, disposition))
    }

    /// The access period of an outcome whose subject is a young person (12 to 17, or of unknown
    /// age) on the incident's day; see [`adult`] for the others.
    pub fn period(&self, facts: &OutcomeFacts) -> AccessPeriod {
        let key = key_text(facts.measure, facts.court_disposition);
        match self.rule(facts.measure, facts.court_disposition) {
            // Unreachable once `parse` has checked the table; fail safe: keep the record.
            None => AccessPeriod { ends_on: None, rule: format!("{key}: no rule in the table") },
            Some(Rule { span: None, .. }) => {
                AccessPeriod { ends_on: None, rule: format!("{key}: none, kept while the charge is pending") }
            }
            Some(Rule { span: Some((span, from)), period_text, .. }) => AccessPeriod {
                ends_on: from.pick(facts).and_then(|day| span.end(day)),
                rule: format!("{key}: {period_text} from {}", from.as_str()),
            },
        }
    }
}

/// How `access_period_rule` starts for a subject 18 or over on the incident's day.
pub const ADULT_RULE_PREFIX: &str = "adult:";

/// The answer for a subject 18 or over on the incident's day: no YCJA period applies.
pub fn adult() -> AccessPeriod {
    AccessPeriod {
        ends_on: None,
        rule: format!("{ADULT_RULE_PREFIX} no YCJA access period (18 or over on the incident's day)"),
    }
}

/// Age in whole years on `day` (a 29 February birthday comes on 1 March in other years).
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn facts(measure: Measure, disposition: Option<CourtDisposition>) -> OutcomeFacts {
        OutcomeFacts {
            measure,
            decided_on: d("2026-03-10"),
            youth_consent_obtained_on: Some(d("2026-03-20")),
            court_disposition: disposition,
            disposition_on: disposition.map(|_| d("2026-06-15")),
            sentence_completed_on: None,
        }
    }

    fn period(f: &OutcomeFacts) -> AccessPeriod {
        AccessPeriods::built_in().unwrap().period(f)
    }

    /// Catches a row of §7's table read wrongly (period, or the date it counts from): one case
    /// per row.
    #[test]
    fn every_row_of_the_table_gives_its_period_from_its_date() {
        use CourtDisposition::*;
        use Measure::*;
        for m in [NoFurtherAction, Warning, PoliceCaution, Referral] {
            let p = period(&facts(m, None));
            assert_eq!(p.ends_on, Some(d("2028-03-10")), "{m}");
            assert_eq!(p.rule, format!("{m}: 2 years from decided_on"));
        }
        let ejs = period(&facts(ExtrajudicialSanction, None));
        assert_eq!(ejs.ends_on, Some(d("2028-03-20")), "from the consent, s. 119(2)(a)");
        assert_eq!(ejs.rule, "extrajudicial_sanction: 2 years from youth_consent_obtained_on");
        let pending = period(&facts(Charge, None));
        assert_eq!(pending.ends_on, None);
        assert_eq!(pending.rule, "charge: none, kept while the charge is pending");
        let cases = [
            (Acquitted, "2026-09-14", "2 months + 30 days"),
            (Dismissed, "2026-08-15", "2 months"),
            (Withdrawn, "2026-08-15", "2 months"),
            (Stayed, "2027-06-15", "1 year"),
            (Reprimand, "2026-08-15", "2 months"),
            (AbsoluteDischarge, "2027-06-15", "1 year"),
            (ConditionalDischarge, "2029-06-15", "3 years"),
        ];
        for (disposition, ends, text) in cases {
            let p = period(&facts(Charge, Some(disposition)));
            assert_eq!(p.ends_on, Some(d(ends)), "{disposition}");
            assert_eq!(p.rule, format!("charge+{disposition}: {text} from disposition_on"));
        }
        assert_eq!(period(&facts(Charge, Some(Stayed))).rule, "charge+stayed: 1 year from disposition_on");
        for (disposition, years, ends) in
            [(SummaryConviction, 3, "2030-01-31"), (IndictableConviction, 5, "2032-01-31")]
        {
            let mut f = facts(Charge, Some(disposition));
            assert_eq!(period(&f).ends_on, None, "null until the sentence is completed");
            f.sentence_completed_on = Some(d("2027-01-31"));
            let p = period(&f);
            assert_eq!(p.ends_on, Some(d(ends)), "{disposition}");
            assert_eq!(p.rule, format!("charge+{disposition}: {years} years from sentence_completed_on"));
        }
    }

    /// Catches month arithmetic that overflows into March or adds a fixed number of days.
    #[test]
    fn months_end_on_the_last_day_of_a_shorter_month_and_a_year_from_a_leap_day_on_28_february() {
        let two_months = Span { months: 2, days: 0 };
        assert_eq!(two_months.end(d("2026-12-31")), Some(d("2027-02-28")));
        assert_eq!(two_months.end(d("2027-12-31")), Some(d("2028-02-29")), "a leap year");
        assert_eq!(Span { months: 12, days: 0 }.end(d("2028-02-29")), Some(d("2029-02-28")));
        assert_eq!(Span { months: 48, days: 0 }.end(d("2028-02-29")), Some(d("2032-02-29")));
        assert_eq!(Span { months: 2, days: 30 }.end(d("2026-12-31")), Some(d("2027-03-30")));
        let mut f = facts(Measure::Charge, Some(CourtDisposition::Dismissed));
        f.disposition_on = Some(d("2026-12-31"));
        assert_eq!(period(&f).ends_on, Some(d("2027-02-28")));
        let mut f = facts(Measure::Charge, Some(CourtDisposition::Stayed));
        f.disposition_on = Some(d("2028-02-29"));
        assert_eq!(period(&f).ends_on, Some(d("2029-02-28")));
    }

    /// Catches an off-by-one on birthdays (the day itself counts) and on 29 February.
    #[test]
    fn age_counts_whole_years_with_the_birthday_itself() {
        assert_eq!(age_on(d("2014-05-10"), d("2026-05-09")), 11);
        assert_eq!(age_on(d("2014-05-10"), d("2026-05-10")), 12);
        assert_eq!(age_on(d("2008-02-29"), d("2026-02-28")), 17);
        assert_eq!(age_on(d("2008-02-29"), d("2026-03-01")), 18);
    }

    /// Catches a table that loads with a row missing, doubled, or unreadable: the service must
    /// not start on it.
    #[test]
    fn a_bad_table_is_refused_with_its_line_and_reason() {
        let good = BUILT_IN;
        assert!(AccessPeriods::parse(good).is_ok());
        let missing = good.lines().filter(|l| !l.starts_with("charge,stayed")).collect::<Vec<_>>().join("\n");
        assert_eq!(AccessPeriods::parse(&missing).unwrap_err(), "no row for charge+stayed");
        let doubled = format!("{good}charge,stayed,1 year,disposition_on,\n");
        assert!(AccessPeriods::parse(&doubled).unwrap_err().contains("a second row for charge+stayed"));
        let bad_period = good.replace("charge,stayed,1 year", "charge,stayed,one year");
        assert!(AccessPeriods::parse(&bad_period).unwrap_err().starts_with("line 11: period `one year`"));
        let bad_from = good.replace("1 year,disposition_on,s. 119(2)(d)", "1 year,charged_on,s. 119(2)(d)");
        assert!(AccessPeriods::parse(&bad_from).unwrap_err().contains("counted_from"));
        let bad_measure = good.replace("police_caution,", "caution,");
        assert!(AccessPeriods::parse(&bad_measure).unwrap_err().starts_with("line 4: measure"));
        let bad_header = good.replacen("measure,", "mesure,", 1);
        assert!(AccessPeriods::parse(&bad_header).unwrap_err().starts_with("line 1"));
        let disposition_on_warning = good.replace("warning,,", "warning,stayed,");
        assert!(AccessPeriods::parse(&disposition_on_warning).unwrap_err().contains("only for the measure charge"));
    }
}
