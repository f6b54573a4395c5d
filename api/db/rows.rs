//! Row types: what the tables hold. Never serialised to callers; services map them to wire types.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{assignments, boards, clients, officers, schools, signing_keys};
use crate::error::AppError;

/// A `boards` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = boards)]
pub struct BoardRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub name_fr: String,
    pub language: String,
    pub kind: String,
    pub ministry_number: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A `schools` row.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = schools, treat_none_as_null = true)]
pub struct SchoolRow {
    pub id: String,
    pub board_id: Option<String>,
    pub ministry_number: String,
    pub name: String,
    pub name_folded: String,
    pub level: String,
    pub language: Option<String>,
    pub kind: String,
    pub street: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// An `officers` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = officers, treat_none_as_null = true)]
pub struct OfficerRow {
    pub id: String,
    pub badge_number: String,
    pub first_name: String,
    pub last_name: String,
    pub name_folded: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// An `assignments` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = assignments, treat_none_as_null = true)]
pub struct AssignmentRow {
    pub id: String,
    pub school_id: String,
    pub officer_id: String,
    pub role: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A `clients` row (with the secret's hash: never leaves the service layer).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = clients)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub board_id: Option<String>,
    pub agency_id: Option<String>,
    pub officer_id: Option<String>,
    pub scopes: String,
    pub secret_hash: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A `signing_keys` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signing_keys)]
pub struct SigningKeyRow {
    pub name: String,
    pub private_pem: String,
    pub created_at: NaiveDateTime,
}

macro_rules! keyed {
    ($($row:ty),+) => {
        $(impl crate::domain::page::Keyed for $row {
            fn key(&self) -> (NaiveDateTime, String) {
                (self.created_at, self.id.clone())
            }
        })+
    };
}
keyed!(BoardRow, SchoolRow, OfficerRow, AssignmentRow, ClientRow);

/// Reads a stored id; a bad one is a defect, not the caller's fault.
pub fn uuid(text: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(text).map_err(|_| AppError::Internal(format!("stored id `{text}` is not a UUID")))
}

/// Reads an optional stored id.
pub fn opt_uuid(text: Option<&str>) -> Result<Option<uuid::Uuid>, AppError> {
    text.map(uuid).transpose()
}

/// Reads a stored enum value.
pub fn enum_value<T: std::str::FromStr>(text: &str) -> Result<T, AppError> {
    text.parse().map_err(|_| AppError::Internal(format!("stored value `{text}` is not valid")))
}
