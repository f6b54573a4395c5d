//! Boards: the four seeded by the first migration; admins may correct their names and numbers.

use diesel::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::journal::{self, Op};
use super::{check_version, keyset, prevalidate};
use crate::db::rows::{self, BoardRow};
use crate::db::schema::boards;
use crate::db::DbConn;
use crate::domain::board::{Board, BoardChanges, BoardQuery};
use crate::domain::context::Context;
use crate::domain::page::{paginate, Page};
use crate::domain::query::{IfMatch, Window};
use crate::domain::school::merge_patch;
use crate::domain::time;
use crate::error::{AppError, AppResult, ConflictCode};

fn to_wire(row: BoardRow) -> AppResult<Board> {
    Ok(Board {
        id: rows::uuid(&row.id)?,
        language: rows::enum_value(&row.language)?,
        kind: rows::enum_value(&row.kind)?,
        code: row.code,
        name: row.name,
        name_fr: row.name_fr,
        ministry_number: row.ministry_number,
        created_at: time::to_utc(row.created_at),
        updated_at: time::to_utc(row.updated_at),
        version: row.version,
    })
}

/// One page of boards.
pub fn list(conn: &mut DbConn, q: &BoardQuery, window: &Window) -> AppResult<Page<Board>> {
    let mut query = boards::table.select(BoardRow::as_select()).into_boxed();
    if let Some(code) = &q.code {
        query = query.filter(boards::code.eq(code.to_ascii_uppercase()));
    }
    let found: Vec<BoardRow> = keyset!(query, boards, window).load(conn)?;
    paginate(found, window, to_wire)
}

/// One board.
pub fn get(conn: &mut DbConn, id: Uuid) -> AppResult<Board> {
    to_wire(boards::table.find(id.to_string()).select(BoardRow::as_select()).first(conn)?)
}

/// `PATCH /v1/boards/{id}`: names and ministry number.
pub fn patch(
    conn: &mut DbConn,
    ctx: &Context,
    id: Uuid,
    patch: &Map<String, Value>,
    if_match: Option<IfMatch>,
) -> AppResult<Board> {
    let placeholder = serde_json::json!({"name": "x", "name_fr": "x", "ministry_number": "B00000"});
    let Value::Object(placeholder) = placeholder else {
        return Err(AppError::Internal("placeholder".into()));
    };
    prevalidate(patch, vec![placeholder], BoardChanges::parse)?;
    journal::write_reference(conn, ctx, |conn, journal| {
        let row: BoardRow = boards::table.find(id.to_string()).select(BoardRow::as_select()).first(conn)?;
        check_version(if_match.as_ref(), row.version)?;
        let mut merged = Map::new();
        merged.insert("name".into(), row.name.clone().into());
        merged.insert("name_fr".into(), row.name_fr.clone().into());
        merged.insert("ministry_number".into(), row.ministry_number.clone().into());
        merge_patch(&mut merged, patch);
        let changes = BoardChanges::parse(&merged).map_err(AppError::Validation)?;
        if changes.name == row.name && changes.name_fr == row.name_fr && changes.ministry_number == row.ministry_number
        {
            return to_wire(row);
        }
        let taken: i64 = boards::table
            .filter(boards::ministry_number.eq(&changes.ministry_number))
            .filter(boards::id.ne(&row.id))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(AppError::conflict(ConflictCode::Duplicate, crate::msg!("duplicate_board_number")));
        }
        let written = diesel::update(boards::table.find(&row.id).filter(boards::version.eq(row.version)))
            .set((
                boards::name.eq(&changes.name),
                boards::name_fr.eq(&changes.name_fr),
                boards::ministry_number.eq(&changes.ministry_number),
                boards::updated_at.eq(time::now()),
                boards::version.eq(row.version + 1),
            ))
            .execute(conn)?;
        super::one_row(written)?;
        journal.changed("boards", &row.id, Op::Updated, row.version + 1);
        get(conn, id)
    })
}

/// Finds a board by code (`OCDSB`) or id, for the CLI.
pub fn resolve(conn: &mut DbConn, code_or_id: &str) -> AppResult<Uuid> {
    if code_or_id.contains('\0') {
        return Err(AppError::NotFound);
    }
    let id: Option<String> = boards::table
        .filter(boards::code.eq(code_or_id.to_ascii_uppercase()).or(boards::id.eq(code_or_id.to_ascii_lowercase())))
        .select(boards::id)
        .first(conn)
        .optional()?;
    id.as_deref().map(rows::uuid).transpose()?.ok_or(AppError::NotFound)
}

/// Maps Ministry board numbers (`B66184`) to board ids, for the import.
pub fn by_ministry_number(conn: &mut DbConn) -> AppResult<std::collections::HashMap<String, Uuid>> {
    let found: Vec<(String, String)> = boards::table.select((boards::ministry_number, boards::id)).load(conn)?;
    found.into_iter().map(|(number, id)| Ok((number, rows::uuid(&id)?))).collect()
}
