//! Use-cases: synchronous functions on a connection, one transaction per write, shared by the
//! HTTP routes and the CLI. Nothing here knows about actix.

pub mod agencies;
pub mod assignments;
pub mod audience;
pub mod audit;
pub mod boards;
pub mod changes;
pub mod clients;
pub mod disclosures;
pub mod idempotency;
pub mod import;
pub mod incidents;
pub mod journal;
pub mod officers;
pub mod outcomes;
pub mod persons;
pub mod policy;
pub mod presentations;
pub mod referrals;
pub mod retention;
pub mod schools;
pub mod service_requests;
pub mod signing_key;
pub mod stats;
pub mod vocabularies;
pub mod webhooks;

use crate::domain::i18n::Msg;
use crate::domain::query::{precondition_holds, IfMatch};
use crate::error::AppError;

/// Applies the list window (cursor, `updated_from`, order, limit + 1) to a boxed query.
macro_rules! keyset {
    ($query:expr, $table:ident, $window:expr) => {{
        let mut q = $query;
        if let Some(c) = &$window.after {
            // `created_at >= c` first: a range the (created_at, id) index can start from, so page
            // 1,000 costs what page 1 does (API.md §2). The OR alone is not an index bound and
            // PostgreSQL would filter every earlier row.
            q = q.filter($table::created_at.ge(c.created_at)).filter(
                $table::created_at
                    .gt(c.created_at)
                    .or($table::created_at.eq(c.created_at).and($table::id.gt(c.id.clone()))),
            );
        }
        if let Some(ts) = $window.updated_from {
            q = q.filter($table::updated_at.ge(ts));
        }
        q.order(($table::created_at.asc(), $table::id.asc())).limit($window.limit + 1)
    }};
}
pub(crate) use keyset;

/// How many times an upsert runs when a concurrent one inserted the same natural key first.
const UPSERT_ATTEMPTS: u32 = 3;

/// Runs an upsert (its own transaction) again when it fails as a duplicate: on PostgreSQL two
/// upserts of one new key both find nothing and both insert; the loser's unique violation means
/// the row now exists, and its next run updates it (SQLite's `BEGIN IMMEDIATE` serialises them).
pub fn retry_duplicates<T>(mut upsert: impl FnMut() -> Result<T, AppError>) -> Result<T, AppError> {
    let mut attempt = 1;
    loop {
        match upsert() {
            Err(AppError::Conflict { code: crate::error::ConflictCode::Duplicate, .. })
                if attempt < UPSERT_ATTEMPTS =>
            {
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// 412 unless the stored `version` satisfies `If-Match`.
pub fn check_version(if_match: Option<&IfMatch>, version: i32) -> Result<(), AppError> {
    if precondition_holds(if_match, version) {
        Ok(())
    } else {
        Err(AppError::PreconditionFailed)
    }
}

/// Checks a merge patch on its own, against valid placeholders, so that what the request alone
/// shows (422) is answered before what needs the stored record (404, 412). Only errors about
/// fields the patch names, and found against every placeholder, are reported here: an error
/// that one placeholder avoids is a cross-field rule, checked once the real record is merged.
pub fn prevalidate<T>(
    patch: &serde_json::Map<String, serde_json::Value>,
    placeholders: Vec<serde_json::Map<String, serde_json::Value>>,
    parse: impl Fn(&serde_json::Map<String, serde_json::Value>) -> Result<T, Vec<crate::domain::validate::FieldError>>,
) -> Result<(), AppError> {
    let mut common: Option<Vec<crate::domain::validate::FieldError>> = None;
    for mut placeholder in placeholders {
        crate::domain::school::merge_patch(&mut placeholder, patch);
        let own: Vec<_> = match parse(&placeholder) {
            Ok(_) => Vec::new(),
            Err(errors) => {
                errors.into_iter().filter(|e| patch.contains_key(crate::domain::merge::top_member(&e.field))).collect()
            }
        };
        common = Some(match common {
            None => own,
            Some(before) => before.into_iter().filter(|e| own.contains(e)).collect(),
        });
    }
    match common {
        Some(errors) if !errors.is_empty() => Err(AppError::Validation(errors)),
        _ => Ok(()),
    }
}

/// Checks that a version-conditioned update (`WHERE id = ? AND version = ?`) touched its row.
/// None touched means a concurrent writer changed the record after it was read (PostgreSQL's
/// READ COMMITTED lets that happen): the transaction is run again, reads the new version, and
/// answers 412 if `If-Match` named the old one. A lost update is never possible.
pub fn one_row(touched: usize) -> Result<(), AppError> {
    if touched == 1 {
        Ok(())
    } else {
        Err(AppError::Contention("the record changed while this request was writing it".into()))
    }
}

/// Builds a "refers to a record that does not exist" field error list, or nothing; `no_such`
/// is the message naming the kind of record (one message per kind, so that each language can
/// make its words agree: « aucune école », « aucun agent »).
pub fn missing(field: &str, exists: bool, no_such: Msg) -> Vec<crate::domain::validate::FieldError> {
    if exists {
        Vec::new()
    } else {
        vec![crate::domain::validate::FieldError::new(field, no_such)]
    }
}

/// Today's assignments filter: in force on `$day` (ends_on inclusive).
macro_rules! in_force {
    ($day:expr) => {
        crate::db::schema::assignments::starts_on
            .le($day)
            .and(crate::db::schema::assignments::ends_on.is_null().or(crate::db::schema::assignments::ends_on.ge($day)))
    };
}
pub(crate) use in_force;
