//! Keyset pagination: the page envelope and opaque cursors bound to their query.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Default and maximum `limit`.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest `limit` a caller may ask for.
pub const MAX_LIMIT: i64 = 500;

/// One page of a list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    /// The records, oldest first.
    pub data: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Where a page ends: the last record's creation time and id, and the query it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// `created_at` of the last record returned.
    #[serde(rename = "t")]
    pub created_at: NaiveDateTime,
    /// `id` of the last record returned.
    #[serde(rename = "i")]
    pub id: String,
    /// Fingerprint of the filters, so a cursor only continues the query that issued it.
    #[serde(rename = "q")]
    pub query: String,
}

impl Cursor {
    /// The opaque text form.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a cursor issued for the query with fingerprint `query`.
    pub fn decode(text: &str, query: &str) -> Result<Cursor, super::i18n::Msg> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| crate::msg!("bad_cursor"))?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| crate::msg!("bad_cursor"))?;
        if super::validate::parse_uuid(&cursor.id).is_err() {
            return Err(crate::msg!("bad_cursor"));
        }
        if cursor.query != query {
            return Err(crate::msg!("cursor_other_query"));
        }
        Ok(cursor)
    }
}

/// A stored record's place in creation order: what a cursor remembers.
pub trait Keyed {
    /// `created_at` and `id`.
    fn key(&self) -> (NaiveDateTime, String);
}

/// A row loaded with something joined to it (a school and its SRO) pages by the row.
impl<A: Keyed, B> Keyed for (A, B) {
    fn key(&self) -> (chrono::NaiveDateTime, String) {
        self.0.key()
    }
}

/// Builds a page from `limit + 1` fetched rows (the extra one only says a next page exists),
/// converting each row with `map`.
pub fn paginate<R: Keyed, T, E>(
    mut rows: Vec<R>,
    window: &super::query::Window,
    map: impl FnMut(R) -> Result<T, E>,
) -> Result<Page<T>, E> {
    let more = rows.len() as i64 > window.limit;
    rows.truncate(window.limit.max(0) as usize);
    let next_cursor = match (more, rows.last()) {
        (true, Some(last)) => {
            let (created_at, id) = last.key();
            Some(Cursor { created_at, id, query: window.fingerprint.clone() }.encode())
        }
        _ => None,
    };
    Ok(Page { data: rows.into_iter().map(map).collect::<Result<_, E>>()?, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_only_continues_its_own_query() {
        let at = chrono::DateTime::UNIX_EPOCH.naive_utc();
        let c = Cursor { created_at: at, id: "018f0000-0000-7000-8000-000000000001".into(), query: "a".into() };
        let text = c.encode();
        let forged = Cursor { created_at: at, id: "' OR 1=1 --".into(), query: "a".into() };
        assert!(Cursor::decode(&forged.encode(), "a").is_err(), "an id inside a cursor must be a UUID");
        assert_eq!(Cursor::decode(&text, "a").unwrap(), c);
        assert!(Cursor::decode(&text, "b").is_err());
        assert!(Cursor::decode("!!", "a").is_err());
    }
}
