//! Reading the change feed. Entries are numbered in commit order (see `journal::publish`), so a
//! page of `seq > after` never skips one that commits later.

use diesel::prelude::*;

use crate::db::rows::ChangeRow;
use crate::db::schema::{change_head, changes};
use crate::db::DbConn;
use crate::error::AppResult;

/// Up to `limit` entries after `after`, in `seq` order, unfiltered (the caller's view is applied
/// by the feed endpoint).
pub fn after(conn: &mut DbConn, after: i64, limit: i64) -> AppResult<Vec<ChangeRow>> {
    Ok(changes::table
        .filter(changes::seq.gt(after))
        .order(changes::seq.asc())
        .limit(limit)
        .select(ChangeRow::as_select())
        .load(conn)?)
}

/// The last number handed out.
pub fn head(conn: &mut DbConn) -> AppResult<i64> {
    Ok(change_head::table.find(1).select(change_head::seq).first(conn)?)
}
