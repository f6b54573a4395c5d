//! The one error type of the service and the RFC 9457 problem body it becomes.
//!
//! Every failure on a request path ends up as an [`AppError`]; conversions from Diesel and r2d2
//! live here so that status codes are decided in one place. The HTTP rendering (headers, the
//! log line) is in `http::problem`, so that services and the database layer never see actix.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::i18n::{Lang, Msg};
use crate::domain::validate::FieldError;
use crate::msg;

/// Base of every problem `type` URI (API.md §6).
pub const PROBLEM_BASE: &str = "https://sro-api.example/problems/";

/// Seconds a client should wait before retrying after a 503.
pub const RETRY_AFTER_SECONDS: &str = "1";

/// The machine-readable reason of a 409.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictCode {
    /// A natural key (ministry number, badge number, ...) is already taken.
    Duplicate,
    /// Two primary assignments of one school would be in force on the same day.
    OverlappingAssignment,
    /// The requested status change is not allowed.
    InvalidTransition,
    /// The record is still referred to by other records.
    StillReferenced,
    /// A request with the same idempotency key is still running.
    IdempotencyInProgress,
}

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: malformed JSON, query parameter or cursor.
    #[error("bad request: {detail}")]
    BadRequest { detail: Msg, errors: Vec<FieldError> },
    /// 401: missing or invalid token (with `WWW-Authenticate: Bearer`).
    #[error("unauthorized: {0}")]
    Unauthorized(Msg),
    /// 403: a valid token lacking the scope the endpoint needs.
    #[error("forbidden: {0}")]
    Forbidden(Msg),
    /// 404: absent, or present but outside what the caller may see.
    #[error("not found")]
    NotFound,
    /// 405: the path exists but does not answer this method; `Allow` lists those it does.
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<&'static str> },
    /// 408: the body did not arrive in time.
    #[error("request body timeout")]
    RequestTimeout { seconds: u64 },
    /// 409: the stored data forbids the change.
    #[error("conflict ({code:?}): {detail}")]
    Conflict { code: ConflictCode, detail: Msg },
    /// 412: `If-Match` names an older version.
    #[error("precondition failed")]
    PreconditionFailed,
    /// 413: the body is larger than the endpoint accepts.
    #[error("payload too large (limit {limit} bytes)")]
    PayloadTooLarge { limit: usize },
    /// 415: the body is not in a media type the endpoint accepts.
    #[error("unsupported media type")]
    UnsupportedMediaType(Msg),
    /// 422: the body parsed but its fields are not acceptable.
    #[error("validation failed: {} field(s)", .0.len())]
    Validation(Vec<FieldError>),
    /// 429: the client made more requests this minute than `RATE_LIMIT_PER_MINUTE` allows.
    #[error("rate limited (retry after {retry_after} s)")]
    RateLimited { retry_after: u64, limit: u32 },
    /// 410: the change feed no longer holds the entries after the caller's `after` (pruned):
    /// it must reload everything and restart from the feed's head.
    #[error("change feed pruned through {oldest}")]
    ResyncRequired { oldest: i64 },
    /// 503: the database cannot be reached or no connection freed up in time.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// 503 once retries are spent: the transaction lost a race (deadlock, serialization
    /// failure); `db::write_tx` runs it again first.
    #[error("transaction contention: {0}")]
    Contention(String),
    /// 500: a defect; the cause goes to the log, never to the caller.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A 422 naming one field.
    pub fn field(field: impl Into<String>, message: Msg) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    /// A 409 with its code.
    pub fn conflict(code: ConflictCode, detail: Msg) -> Self {
        AppError::Conflict { code, detail }
    }

    fn slug_and_title(&self) -> (&'static str, Msg) {
        match self {
            AppError::BadRequest { .. } => ("bad-request", msg!("title_bad_request")),
            AppError::Unauthorized(_) => ("unauthorized", msg!("title_unauthorized")),
            AppError::Forbidden(_) => ("forbidden", msg!("title_forbidden")),
            AppError::NotFound => ("not-found", msg!("title_not_found")),
            AppError::MethodNotAllowed { .. } => ("method-not-allowed", msg!("title_method_not_allowed")),
            AppError::RequestTimeout { .. } => ("request-timeout", msg!("title_request_timeout")),
            AppError::Conflict { .. } => ("conflict", msg!("title_conflict")),
            AppError::PreconditionFailed => ("precondition-failed", msg!("title_precondition_failed")),
            AppError::PayloadTooLarge { .. } => ("payload-too-large", msg!("title_payload_too_large")),
            AppError::UnsupportedMediaType(_) => ("unsupported-media-type", msg!("title_unsupported_media_type")),
            AppError::Validation(_) => ("validation", msg!("title_validation")),
            AppError::RateLimited { .. } => ("rate-limited", msg!("title_rate_limited")),
            AppError::ResyncRequired { .. } => ("resync-required", msg!("title_resync_required")),
            AppError::Unavailable(_) | AppError::Contention(_) => ("unavailable", msg!("title_unavailable")),
            AppError::Internal(_) => ("internal", msg!("title_internal")),
        }
    }

    /// The problem body for the request `request_id`, its words in `lang` (API.md §8); `type`,
    /// `code` and `errors[].field` are the same in every language.
    pub fn to_problem(&self, request_id: Option<String>, lang: Lang) -> Problem {
        let (slug, title) = self.slug_and_title();
        let status = self.status();
        let (detail, errors, code) = match self {
            AppError::BadRequest { detail, errors } => (detail.clone(), errors.as_slice(), None),
            AppError::Unauthorized(d) | AppError::Forbidden(d) => (d.clone(), &[][..], None),
            AppError::UnsupportedMediaType(d) => (d.clone(), &[][..], None),
            AppError::NotFound => (msg!("detail_not_found"), &[][..], None),
            AppError::MethodNotAllowed { allow } => {
                (msg!("detail_method_not_allowed", methods = allow.join(", ")), &[][..], None)
            }
            AppError::RequestTimeout { seconds } => (msg!("detail_request_timeout", seconds = seconds), &[][..], None),
            AppError::Conflict { code, detail } => (detail.clone(), &[][..], Some(*code)),
            AppError::PreconditionFailed => (msg!("detail_precondition_failed"), &[][..], None),
            AppError::PayloadTooLarge { limit } => (msg!("detail_payload_too_large", limit = limit), &[][..], None),
            AppError::Validation(errors) => (msg!("detail_validation"), errors.as_slice(), None),
            AppError::RateLimited { retry_after, limit } => {
                (msg!("detail_rate_limited", limit = limit, retry_after = retry_after), &[][..], None)
            }
            AppError::ResyncRequired { oldest } => (msg!("detail_resync_required", oldest = oldest), &[][..], None),
            AppError::Unavailable(_) | AppError::Contention(_) => (msg!("detail_unavailable"), &[][..], None),
            AppError::Internal(_) => (msg!("detail_internal"), &[][..], None),
        };
        let errors: Vec<ProblemField> =
            errors.iter().map(|e| ProblemField { field: e.field.clone(), message: e.message.render(lang) }).collect();
        Problem {
            type_: format!("{PROBLEM_BASE}{slug}"),
            title: title.render(lang),
            status,
            detail: detail.render(lang),
            request_id,
            errors: (!errors.is_empty()).then_some(errors),
            code,
        }
    }
}

// The wire form of a `FieldError`: its message written in the answer's language. Its doc
// comment is the schema's description in the OpenAPI document.
/// One bad field or parameter, named by its JSON path without the leading `$.`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = FieldError)]
pub struct ProblemField {
    /// JSON path of the field: `postal_code`, `rows[7].postal_code`, `consent.given_by`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// An RFC 9457 problem details body.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://sro-api.example/problems/validation",
    "title": "Validation failed",
    "status": 422,
    "detail": "One or more fields are not acceptable.",
    "request_id": "0193a5c2-7f1e-7c3a-9a4e-4b1f0f7d2b10",
    "errors": [{"field": "postal_code", "message": "not a Canadian postal code"}]
}))]
pub struct Problem {
    /// Stable URI naming the kind of problem, under `https://sro-api.example/problems/`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short human summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The request id, as in the `X-Request-Id` header and the server log.
    pub request_id: Option<String>,
    /// For validation errors: every bad field, named by its JSON path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
    /// For 409: which conflict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<ConflictCode>,
}

impl AppError {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest { .. } => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound => 404,
            AppError::MethodNotAllowed { .. } => 405,
            AppError::RequestTimeout { .. } => 408,
            AppError::Conflict { .. } => 409,
            AppError::PreconditionFailed => 412,
            AppError::PayloadTooLarge { .. } => 413,
            AppError::UnsupportedMediaType(_) => 415,
            AppError::Validation(_) => 422,
            AppError::RateLimited { .. } => 429,
            AppError::ResyncRequired { .. } => 410,
            AppError::Unavailable(_) | AppError::Contention(_) => 503,
            AppError::Internal(_) => 500,
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match err {
            Error::NotFound => AppError::NotFound,
            Error::DatabaseError(Kind::UniqueViolation, _) => {
                AppError::conflict(ConflictCode::Duplicate, msg!("duplicate_record"))
            }
            Error::DatabaseError(Kind::ForeignKeyViolation, _) => {
                AppError::conflict(ConflictCode::StillReferenced, msg!("still_referenced"))
            }
            Error::DatabaseError(Kind::ClosedConnection, info) => AppError::Unavailable(info.message().to_owned()),
            Error::DatabaseError(Kind::SerializationFailure, info) => AppError::Contention(info.message().to_owned()),
            Error::DatabaseError(_, ref info) if is_contention(info.message()) => {
                AppError::Contention(info.message().to_owned())
            }
            Error::DatabaseError(_, ref info) if is_unavailable(info.message()) => {
                AppError::Unavailable(info.message().to_owned())
            }
            other => AppError::Internal(cause_chain(&other)),
        }
    }
}

/// Messages that mean "the database is busy, slow or gone", not "the query is wrong": a lost
/// connection, SQLite's busy timeout, and PostgreSQL's statement timeout (57014), lock timeout
/// (55P03) and idle-in-transaction timeout (25P03).
fn is_unavailable(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("database is locked")
        || m.contains("server closed the connection")
        || m.contains("connection refused")
        || m.contains("no connection to the server")
        || m.contains("terminating connection")
        || m.contains("could not connect")
        || m.contains("canceling statement due to")
        || m.contains("could not obtain lock")
        || m.contains("could not receive data")
        || m.contains("could not send data")
        || m.contains("connection timed out")
}

/// Messages of a transaction that lost a race and may simply be run again: a serialization
/// failure (40001) or a deadlock (40P01).
fn is_contention(message: &str) -> bool {
    message.contains("could not serialize access") || message.contains("deadlock detected")
}

impl From<r2d2::Error> for AppError {
    fn from(err: r2d2::Error) -> Self {
        AppError::Unavailable(err.to_string())
    }
}

/// An error and its sources, joined with `: `, for the log.
pub fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Result alias for request paths.
pub type AppResult<T> = Result<T, AppError>;
