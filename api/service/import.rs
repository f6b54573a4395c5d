//! `POST /v1/schools/import` and `sro-api import schools`: every row is an upsert exactly like
//! the PUT; one bad row rejects the whole file with every bad row named, and nothing is written.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::journal::{self, Journal};
use super::{retry_duplicates, schools};
use crate::db::rows;
use crate::db::DbConn;
use crate::domain::context::Context;
use crate::domain::import::{ImportResult, ImportedRow};
use crate::domain::school::NewSchool;
use crate::domain::validate::FieldError;
use crate::error::{AppError, AppResult};

/// Imports `rows` for the caller in one transaction.
pub fn run(conn: &mut DbConn, ctx: &Context, rows: Vec<Map<String, Value>>) -> AppResult<ImportResult> {
    let by_number = super::boards::by_ministry_number(conn)?;
    let mut errors: Vec<FieldError> = Vec::new();
    let mut inputs = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, mut row) in rows.into_iter().enumerate() {
        let prefix = format!("rows[{i}].");
        if let Err(e) = resolve_board(conn, &by_number, &mut row, &prefix) {
            errors.push(e?);
            continue;
        }
        match schools::prepare(ctx, &row, &prefix, None) {
            Ok(input) => {
                if let Some(first) = seen.insert(input.ministry_number.clone(), i) {
                    errors.push(FieldError::new(
                        format!("{prefix}ministry_number"),
                        crate::msg!("repeats_row", row = first),
                    ));
                }
                inputs.push((i, input));
            }
            Err(more) => errors.extend(more),
        }
    }
    // Rows that passed the request-alone checks are checked against the stored data too, so
    // every bad row is named at once; nothing is kept unless every row is good. Identical
    // imports racing on PostgreSQL may insert the same new school: the loser runs again and
    // finds it (a retried SIS upload never fails).
    let request_errors = errors;
    retry_duplicates(|| {
        journal::write_reference(conn, ctx, |conn, journal| {
            write_all(conn, journal, ctx, &inputs, request_errors.clone())
        })
    })
}

/// Writes every row in the caller's transaction, or names every row that cannot be written.
fn write_all(
    conn: &mut DbConn,
    journal: &mut Journal,
    ctx: &Context,
    inputs: &[(usize, NewSchool)],
    mut errors: Vec<FieldError>,
) -> AppResult<ImportResult> {
    {
        let mut data = Vec::with_capacity(inputs.len());
        for (i, input) in inputs {
            let prefix = format!("rows[{i}].");
            let problems = schools::check_board(conn, input, &prefix)?;
            if !problems.is_empty() {
                errors.extend(problems);
                continue;
            }
            // Once a row is bad nothing will be kept, so later rows are only checked.
            let outcome = schools::find_for_write(conn, ctx, &input.ministry_number, None).and_then(|existing| {
                if errors.is_empty() {
                    schools::write(conn, journal, input, existing).map(Some)
                } else {
                    Ok(None)
                }
            });
            match outcome {
                Ok(Some((row, outcome))) => data.push(ImportedRow {
                    row: *i,
                    id: rows::uuid(&row.id)?,
                    ministry_number: row.ministry_number,
                    result: outcome,
                }),
                Ok(None) => {}
                Err(AppError::NotFound) => errors
                    .push(FieldError::new(format!("{prefix}ministry_number"), crate::msg!("not_your_boards_school"))),
                Err(other) => return Err(other),
            }
        }
        if errors.is_empty() {
            Ok(ImportResult { data })
        } else {
            Err(AppError::Validation(errors))
        }
    }
}

/// Turns the CSV-only `board` (code or id) and `board_number` columns into `board_id`.
/// Returns Err(Ok(error)) for a bad reference, Err(Err(_)) for a database failure.
fn resolve_board(
    conn: &mut DbConn,
    by_number: &HashMap<String, uuid::Uuid>,
    row: &mut Map<String, Value>,
    prefix: &str,
) -> Result<(), AppResult<FieldError>> {
    if let Some(value) = row.remove("board_number") {
        let number = value.as_str().unwrap_or_default().to_owned();
        match by_number.get(&number) {
            Some(id) => {
                row.insert("board_id".into(), Value::String(id.to_string()));
            }
            None => {
                return Err(Ok(FieldError::new(format!("{prefix}board_number"), crate::msg!("no_board_with_number"))))
            }
        }
    }
    if let Some(value) = row.remove("board") {
        let text = value.as_str().unwrap_or_default().to_owned();
        match super::boards::resolve(conn, &text) {
            Ok(id) => {
                row.insert("board_id".into(), Value::String(id.to_string()));
            }
            Err(AppError::NotFound) => {
                return Err(Ok(FieldError::new(format!("{prefix}board"), crate::msg!("no_board_with_code"))))
            }
            Err(other) => return Err(Err(other)),
        }
    }
    Ok(())
}
