//! School import files: CSV (ours or the Ministry-derived layout of `ottawa-schools.csv`) or a
//! JSON array, turned into one JSON object per row for the same parser as `PUT`.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::validate::FieldError;

/// Most rows one import may hold.
pub const MAX_ROWS: usize = 5000;

/// What happened to one row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedRow {
    /// Row number, counted from 0 in the order sent (header excluded).
    pub row: usize,
    /// The school's id.
    pub id: Uuid,
    /// The school's ministry number.
    pub ministry_number: String,
    /// What the row did.
    pub result: super::school::Outcome,
}

/// The answer of a successful import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportResult {
    /// One entry per row, in order.
    pub data: Vec<ImportedRow>,
}

/// Column names accepted in a CSV header, mapped to the JSON field they fill.
/// `board` takes a board code or id; `board_number` a Ministry board number (`B66184`).
fn column_field(name: &str) -> Option<&'static str> {
    Some(match name {
        "ministry_number" | "school_number" => "ministry_number",
        "name" | "school_name" => "name",
        "level" | "school_level" => "level",
        "language" | "school_language" => "language",
        "kind" | "school_type" => "kind",
        "board_id" => "board_id",
        "board" => "board",
        "board_number" => "board_number",
        "street" => "street",
        "city" => "city",
        "postal_code" => "postal_code",
        "phone" => "phone",
        "active" => "active",
        // Informational columns of the Ministry-derived layout.
        "board_name" | "province" => "",
        _ => return None,
    })
}

/// Reads a CSV file: header row, optional UTF-8 BOM, `,` or `;` separated.
pub fn csv_rows(bytes: &[u8]) -> Result<Vec<Map<String, Value>>, Vec<FieldError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let commas = first_line.iter().filter(|b| **b == b',').count();
    let semicolons = first_line.iter().filter(|b| **b == b';').count();
    let delimiter = if semicolons > commas { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(bytes);
    let headers =
        reader.headers().map_err(|_| vec![FieldError::new("header", crate::msg!("unreadable_csv_header"))])?.clone();
    let mut errors = Vec::new();
    let mut fields = Vec::new();
    for (i, name) in headers.iter().enumerate() {
        match column_field(name.trim()) {
            Some(field) => fields.push(field),
            None => {
                errors.push(FieldError::new(format!("header[{i}]"), crate::msg!("unknown_column", name = name.trim())));
                fields.push("");
            }
        }
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        if i >= MAX_ROWS {
            errors.push(FieldError::new("rows", crate::msg!("at_most_rows", max = MAX_ROWS)));
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(_) => {
                errors.push(FieldError::new(format!("rows[{i}]"), crate::msg!("unreadable_csv_row")));
                continue;
            }
        };
        if record.len() != headers.len() {
            errors.push(FieldError::new(
                format!("rows[{i}]"),
                crate::msg!("cell_count", cells = record.len(), header = headers.len()),
            ));
            continue;
        }
        let mut map = Map::new();
        for (field, cell) in fields.iter().zip(record.iter()) {
            let cell = cell.trim();
            if field.is_empty() || cell.is_empty() {
                continue;
            }
            let value = match (*field, cell) {
                ("active", "true") => Value::Bool(true),
                ("active", "false") => Value::Bool(false),
                _ => Value::String(cell.to_owned()),
            };
            map.insert((*field).to_owned(), value);
        }
        rows.push(map);
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Reads a JSON array of school objects.
pub fn json_rows(value: Value) -> Result<Vec<Map<String, Value>>, Vec<FieldError>> {
    let Value::Array(items) = value else {
        return Err(vec![FieldError::new("body", crate::msg!("must_be_array_of_schools"))]);
    };
    if items.len() > MAX_ROWS {
        return Err(vec![FieldError::new("rows", crate::msg!("at_most_rows", max = MAX_ROWS))]);
    }
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::Object(map) => rows.push(map),
            _ => errors.push(FieldError::new(format!("rows[{i}]"), crate::msg!("must_be_json_object"))),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ministry_layout_with_bom_and_semicolons_is_read() {
        let text = "\u{feff}board_name;board_number;school_number;school_name;school_level;school_language;school_type;street;city;province;postal_code;phone\n\
                    X;B66184;000566;A. Lorne Cassidy;elementary;en;public;27 Hobin St;Stittsville;ON;K2S 1G8;613-831-3434\n";
        let rows = csv_rows(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["ministry_number"], "000566");
        assert_eq!(rows[0]["board_number"], "B66184");
        assert!(!rows[0].contains_key("province"));
    }

    #[test]
    fn unknown_columns_are_named() {
        let errors = csv_rows(b"ministry_number,colour\n123456,red\n").unwrap_err();
        assert_eq!(errors[0].field, "header[1]");
    }
}
