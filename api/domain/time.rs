//! Time rules: UTC timestamps truncated to microseconds, and "today" in the city's time zone.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};

/// The city whose calendar decides what "today" and "in force on a day" mean.
pub const CITY_TZ: chrono_tz::Tz = chrono_tz::America::Toronto;

/// Now in UTC, truncated to microseconds so both backends store the same value.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// Today's date in `America/Toronto`.
pub fn today() -> NaiveDate {
    today_at(Utc::now())
}

/// The city's date at instant `now`.
pub fn today_at(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&CITY_TZ).date_naive()
}

/// The next instant after `now` at which the city's clock reads `at` (a daily job's next run).
/// A time skipped by a DST change runs an hour later; one that occurs twice, at its first.
pub fn next_local(now: DateTime<Utc>, at: chrono::NaiveTime) -> DateTime<Utc> {
    use chrono::TimeZone;
    let mut day = today_at(now);
    for _ in 0..3 {
        let wall = day.and_time(at);
        let local = CITY_TZ
            .from_local_datetime(&wall)
            .earliest()
            .or_else(|| CITY_TZ.from_local_datetime(&(wall + chrono::Duration::hours(1))).earliest());
        if let Some(instant) = local.map(|t| t.with_timezone(&Utc)) {
            if instant > now {
                return instant;
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    now + chrono::Duration::days(1)
}

/// Renders a stored UTC timestamp as RFC 3339 with a `Z`.
pub fn to_utc(ts: NaiveDateTime) -> DateTime<Utc> {
    ts.and_utc()
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, super::i18n::Msg> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| crate::msg!("must_be_date"))
}

/// Parses an RFC 3339 timestamp into UTC.
pub fn parse_timestamp(s: &str) -> Result<NaiveDateTime, super::i18n::Msg> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc).naive_utc().trunc_subsecs(6))
        .map_err(|_| crate::msg!("must_be_timestamp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Catches a daily job scheduled in UTC instead of the city's time, or run twice a day.
    #[test]
    fn the_next_run_is_at_the_citys_wall_clock_time() {
        let at = chrono::NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        let now: DateTime<Utc> = "2026-12-03T06:00:00Z".parse().unwrap(); // 01:00 in Ottawa
        assert_eq!(next_local(now, at), "2026-12-03T07:30:00Z".parse::<DateTime<Utc>>().unwrap());
        let after: DateTime<Utc> = "2026-12-03T07:30:00Z".parse().unwrap();
        assert_eq!(next_local(after, at), "2026-12-04T07:30:00Z".parse::<DateTime<Utc>>().unwrap());
        let summer: DateTime<Utc> = "2026-07-01T12:00:00Z".parse().unwrap();
        assert_eq!(next_local(summer, at), "2026-07-02T06:30:00Z".parse::<DateTime<Utc>>().unwrap());
        // 8 March 2026: 02:30 does not exist in Ottawa (clocks go from 02:00 to 03:00).
        let spring: DateTime<Utc> = "2026-03-08T06:00:00Z".parse().unwrap();
        assert_eq!(next_local(spring, at), "2026-03-08T07:30:00Z".parse::<DateTime<Utc>>().unwrap());
    }

    #[test]
    fn the_day_is_the_citys_not_utcs() {
        // 02:30 UTC on 25 November is still the evening of the 24th in Ottawa (UTC-5).
        let late_evening = DateTime::parse_from_rfc3339("2026-11-25T02:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(today_at(late_evening), parse_date("2026-11-24").unwrap());
        // In summer the offset is UTC-4.
        let summer = DateTime::parse_from_rfc3339("2026-07-01T03:59:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(today_at(summer), parse_date("2026-06-30").unwrap());
        let after = DateTime::parse_from_rfc3339("2026-07-01T04:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(today_at(after), parse_date("2026-07-01").unwrap());
    }

    #[test]
    fn timestamps_keep_microseconds_only() {
        let t = parse_timestamp("2026-11-22T18:31:43.123456789Z").unwrap();
        assert_eq!(t.and_utc().timestamp_subsec_nanos(), 123_456_000);
        assert!(parse_timestamp("2026-11-22 18:31").is_err());
    }
}
