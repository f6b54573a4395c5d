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
    Utc::now().with_timezone(&CITY_TZ).date_naive()
}

/// Renders a stored UTC timestamp as RFC 3339 with a `Z`.
pub fn to_utc(ts: NaiveDateTime) -> DateTime<Utc> {
    ts.and_utc()
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| "must be a date (YYYY-MM-DD)".into())
}

/// Parses an RFC 3339 timestamp into UTC.
pub fn parse_timestamp(s: &str) -> Result<NaiveDateTime, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc).naive_utc().trunc_subsecs(6))
        .map_err(|_| "must be an RFC 3339 timestamp (2026-11-22T18:31:43Z)".into())
}
