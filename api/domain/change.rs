//! The change feed's wire types (API.md §4 "Change feed", §6).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::query::Params;
use super::validate::FieldError;
use crate::string_enum;

string_enum! {
    /// What happened to a record, as the feed reports it to one caller.
    ChangeOp {
        /// A new record.
        Created => "created",
        /// A changed record.
        Updated => "updated",
        /// A removed record the caller could see.
        Deleted => "deleted",
        /// The record left what the caller may see (another board's school now, an incident
        /// corrected to another board's school, an officer no longer assigned there): drop it.
        /// Nothing more about it follows unless it comes back into view.
        AccessLost => "access_lost",
    }
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangeEntry {
    /// Its number: entries are numbered in the order their transactions committed.
    pub seq: i64,
    /// The kind of record (`schools`, `incidents`, `service_requests`, ...), as in its path.
    pub resource: String,
    /// The record's id.
    pub id: String,
    /// What happened.
    pub op: ChangeOp,
    /// When.
    pub at: DateTime<Utc>,
    /// The record's version after the change (before it, for `deleted`): a mirror that already
    /// holds this version may skip fetching it.
    pub version: i32,
}

/// One page of the change feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangesPage {
    /// The entries the caller may see, in `seq` order.
    pub data: Vec<ChangeEntry>,
    /// Pass as `after` next time; never null (on an empty page, the `after` that was sent).
    pub next_after: i64,
}

/// The feed's current position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangesHead {
    /// The last number handed out: after a full reload, poll with `after` set to this.
    pub seq: i64,
}

/// Parameters of `GET /v1/changes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Entries after this number (default 0): the `next_after` of the last page.
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// Entries per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

impl ChangesQuery {
    /// Reads `after` and `limit`; anything else is refused.
    pub fn parse(raw: &str) -> Result<ChangesQuery, Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let after = p.opt("after", |s| digits(s, i64::MAX).ok_or_else(|| crate::msg!("whole_number_from_zero")));
        let limit = p.opt("limit", |s| {
            digits(s, super::page::MAX_LIMIT)
                .filter(|n| *n >= 1)
                .ok_or_else(|| crate::msg!("whole_number_between", min = 1, max = super::page::MAX_LIMIT))
        });
        p.finish_plain()?;
        Ok(ChangesQuery { after, limit })
    }
}

/// A number written only with digits, at most `max`.
fn digits(s: &str, max: i64) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().filter(|n| *n <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_and_limit_are_digits_only_and_nothing_else_is_taken() {
        assert_eq!(ChangesQuery::parse("").unwrap(), ChangesQuery { after: None, limit: None });
        assert_eq!(
            ChangesQuery::parse("after=12&limit=500").unwrap(),
            ChangesQuery { after: Some(12), limit: Some(500) }
        );
        for bad in [
            "after=-1",
            "after=+3",
            "after=1e3",
            "after=",
            "limit=0",
            "limit=501",
            "cursor=x",
            "after=99999999999999999999",
        ] {
            let errors = ChangesQuery::parse(bad).unwrap_err();
            let named = bad.split('=').next().unwrap();
            assert_eq!(errors[0].field, named, "{bad}");
        }
    }
}
