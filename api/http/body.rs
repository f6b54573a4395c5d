//! Request bodies and query strings, read without failing: their errors are raised by the
//! handler after authorisation, so 401 and 403 come before 400, 413, 415 and 422 (API.md §6).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde_json::{Map, Value};

use crate::domain::json::{parse_strict, JsonError};
use crate::domain::query::IfMatch;
use crate::domain::validate::FieldError;
use crate::error::AppError;
use crate::msg;

/// Largest JSON body accepted.
pub const JSON_LIMIT: usize = 256 * 1024;
/// Largest import body accepted (API.md §6: 5 MiB).
pub const IMPORT_LIMIT: usize = 5 * 1024 * 1024;

/// A request body, read up to [`IMPORT_LIMIT`], with any failure kept for later.
pub struct Body {
    content_type: Option<String>,
    /// False when a `charset` other than UTF-8 was declared (API.md §2: bodies are UTF-8).
    utf8: bool,
    bytes: Result<web::Bytes, AppError>,
}

impl Body {
    /// The media type, without parameters, lower-cased; None when absent or when it declares a
    /// charset other than UTF-8 (which no endpoint accepts).
    pub fn media_type(&self) -> Option<&str> {
        self.content_type.as_deref().filter(|_| self.utf8)
    }

    /// Everything read (up to [`IMPORT_LIMIT`]), or why it could not be.
    pub fn raw(self) -> Result<web::Bytes, AppError> {
        self.bytes
    }

    /// The bytes, if the body was read within `limit`.
    pub fn bytes(self, limit: usize) -> Result<web::Bytes, AppError> {
        let bytes = self.bytes?;
        if bytes.len() > limit {
            return Err(AppError::PayloadTooLarge { limit });
        }
        Ok(bytes)
    }

    /// The body as a JSON object: 415 unless JSON, 413 if too large, 400 if malformed,
    /// 422 if not an object.
    pub fn json_object(self) -> Result<Map<String, Value>, AppError> {
        if !is_json(self.media_type()) {
            return Err(AppError::UnsupportedMediaType(msg!("body_must_be_json")));
        }
        match parse_json(&self.bytes(JSON_LIMIT)?)? {
            Value::Object(map) => Ok(map),
            _ => Err(AppError::field("body", msg!("must_be_json_object"))),
        }
    }
}

/// True for `application/json` and `application/*+json`.
pub fn is_json(media_type: Option<&str>) -> bool {
    media_type.is_some_and(|m| m == "application/json" || (m.starts_with("application/") && m.ends_with("+json")))
}

/// Parses JSON text; a syntax error is a 400 that says where, a repeated key a 400 naming it.
pub fn parse_json(bytes: &[u8]) -> Result<Value, AppError> {
    parse_strict(bytes).map_err(|e| match e {
        JsonError::Syntax { line, column } => {
            AppError::BadRequest { detail: msg!("body_not_json", line = line, column = column), errors: vec![] }
        }
        JsonError::DuplicateKey(path) => AppError::BadRequest {
            detail: msg!("body_duplicate_key"),
            errors: vec![FieldError::new(path, msg!("appears_more_than_once"))],
        },
    })
}

impl FromRequest for Body {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let header_value = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let mut parts = header_value.split(';');
        let content_type = parts.next().map(|v| v.trim().to_ascii_lowercase()).filter(|v| !v.is_empty());
        let utf8 = parts.all(|param| match param.split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
                value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            }
            _ => true,
        });
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        let timeout =
            req.app_data::<web::Data<crate::state::AppState>>().map_or(30, |state| state.config.body_timeout_seconds);
        Box::pin(async move {
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(timeout);
            if declared.is_some_and(|n| n > IMPORT_LIMIT) {
                return Ok(Body { content_type, utf8, bytes: Err(AppError::PayloadTooLarge { limit: IMPORT_LIMIT }) });
            }
            let mut buf = web::BytesMut::new();
            loop {
                let chunk = match tokio::time::timeout_at(deadline, payload.next()).await {
                    Ok(Some(chunk)) => chunk,
                    Ok(None) => break,
                    Err(_) => {
                        let err = AppError::RequestTimeout { seconds: timeout };
                        return Ok(Body { content_type, utf8, bytes: Err(err) });
                    }
                };
                let chunk = match chunk {
                    Ok(chunk) => chunk,
                    Err(_) => {
                        let err = AppError::BadRequest { detail: msg!("body_unreadable"), errors: vec![] };
                        return Ok(Body { content_type, utf8, bytes: Err(err) });
                    }
                };
                if buf.len() + chunk.len() > IMPORT_LIMIT {
                    return Ok(Body {
                        content_type,
                        utf8,
                        bytes: Err(AppError::PayloadTooLarge { limit: IMPORT_LIMIT }),
                    });
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(Body { content_type, utf8, bytes: Ok(buf.freeze()) })
        })
    }
}

/// The raw query string, parsed by the handler after authorisation.
pub struct RawQuery(pub String);

impl FromRequest for RawQuery {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(RawQuery(req.query_string().to_owned())))
    }
}

impl RawQuery {
    /// Parses with `parse`, turning named errors into a 400.
    pub fn parse<T>(
        &self,
        parse: impl FnOnce(&str) -> Result<T, Vec<crate::domain::validate::FieldError>>,
    ) -> Result<T, AppError> {
        parse(&self.0).map_err(|errors| AppError::BadRequest { detail: msg!("detail_bad_query"), errors })
    }
}

impl RawQuery {
    /// For an endpoint that takes no query parameter: any one sent is 400 naming it, so a
    /// mistyped filter is never silently ignored (API.md §6).
    pub fn none(&self) -> Result<(), AppError> {
        self.parse(|raw| {
            let mut named: Vec<String> = crate::domain::query::Params::new(raw)?.keys();
            named.dedup();
            let errors: Vec<crate::domain::validate::FieldError> =
                named.into_iter().map(|k| FieldError::new(k, msg!("no_query_parameters"))).collect();
            if errors.is_empty() {
                Ok(())
            } else {
                Err(errors)
            }
        })
    }
}

/// The `If-Match` header, if sent.
pub struct Precondition(pub Option<IfMatch>);

impl FromRequest for Precondition {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .map(|v| v.to_str().map(IfMatch::parse).unwrap_or_else(|_| IfMatch::never()));
        std::future::ready(Ok(Precondition(value)))
    }
}

/// Parses a record id from the path; one that is not a UUID names nothing, so 404.
pub fn path_id(text: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(text).map_err(|_| AppError::NotFound)
}

/// Turns field errors from a body parser into a 422.
pub fn invalid(errors: Vec<crate::domain::validate::FieldError>) -> AppError {
    AppError::Validation(errors)
}
