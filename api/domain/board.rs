//! School boards: wire types and the fields an admin may change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::query::{Params, Window};
use super::school::Language;
use super::validate::{FieldError, Fields};
use crate::string_enum;

string_enum! {
    /// Public or Catholic.
    BoardKind { Public => "public", Catholic => "catholic" }
}

/// A school board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Board {
    /// Fixed id that never changes.
    pub id: Uuid,
    /// Short code, for example `OCDSB`.
    #[schema(example = "OCDSB")]
    pub code: String,
    /// English name.
    pub name: String,
    /// French name.
    pub name_fr: String,
    /// Language of instruction.
    pub language: Language,
    /// Public or Catholic.
    pub kind: BoardKind,
    /// The Ministry of Education's board number: `B` and five digits.
    #[schema(example = "B66184")]
    pub ministry_number: String,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

/// The fields of a board an admin may change (`PATCH /v1/boards/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardChanges {
    /// English name.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub name: String,
    /// French name.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub name_fr: String,
    /// `B` and five digits.
    #[schema(pattern = "^B[0-9]{5}$")]
    pub ministry_number: String,
}

/// Checks a Ministry board number: `B` and five digits.
pub fn parse_board_number(s: &str) -> Result<String, super::i18n::Msg> {
    if super::pattern::matches(super::pattern::BOARD_NUMBER, s) {
        Ok(s.to_owned())
    } else {
        Err(crate::msg!("board_number_form"))
    }
}

impl BoardChanges {
    /// Reads the changeable fields, naming every bad one.
    pub fn parse(map: &Map<String, Value>) -> Result<BoardChanges, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let changes = BoardChanges {
            name: f.req_str("name", 200),
            name_fr: f.req_str("name_fr", 200),
            ministry_number: f.req_with("ministry_number", parse_board_number),
        };
        f.finish()?;
        Ok(changes)
    }
}

/// Filters of `GET /v1/boards`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// Only the board with this code, for example `OCDSB`.
    pub code: Option<String>,
}

impl BoardQuery {
    /// Reads the filters and the list window from a raw query string.
    pub fn parse(raw: &str) -> Result<(BoardQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = BoardQuery { code: p.raw("code") };
        Ok((query, p.finish()?))
    }
}
