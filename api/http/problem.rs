//! [`AppError`] as an HTTP answer: status, problem+json body in the request's language,
//! headers, and the log line that carries the cause under the request id (never sent to the
//! caller).

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

use crate::error::{AppError, RETRY_AFTER_SECONDS};
use crate::http::{lang, request_id};

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let id = request_id::current();
        if let Some(line) = log_line(self, id.as_deref()) {
            match self {
                AppError::Internal(_) => log::error!("{line}"),
                _ => log::warn!("{line}"),
            }
        }
        // The language comes the way the request id does (a task-local of the request-id
        // middleware), since actix gives `error_response` no request.
        let lang = lang::current();
        let mut builder = HttpResponse::build(self.status_code());
        builder.content_type("application/problem+json");
        builder.insert_header((header::CONTENT_LANGUAGE, lang.tag()));
        match self {
            AppError::Unauthorized(_) => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"sro-api\""));
            }
            AppError::Unavailable(_) | AppError::Contention(_) => {
                builder.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS));
            }
            AppError::RequestTimeout { .. } => {
                // The rest of the body may still come: the connection cannot be reused.
                builder.force_close();
            }
            AppError::Conflict { code: crate::error::ConflictCode::IdempotencyInProgress, .. } => {
                builder.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS));
            }
            AppError::MethodNotAllowed { allow } => {
                builder.insert_header((header::ALLOW, allow.join(", ")));
            }
            AppError::RateLimited { retry_after, limit } => {
                builder
                    .insert_header((header::RETRY_AFTER, retry_after.to_string()))
                    .insert_header(("RateLimit-Limit", limit.to_string()))
                    .insert_header(("RateLimit-Remaining", "0"))
                    .insert_header(("RateLimit-Reset", retry_after.to_string()));
            }
            _ => {}
        }
        builder.json(self.to_problem(id, lang))
    }
}

/// The log line for an error worth logging (500 and 503): the cause and the request id.
pub fn log_line(err: &AppError, request_id: Option<&str>) -> Option<String> {
    let id = request_id.unwrap_or("-");
    match err {
        AppError::Internal(cause) => Some(format!("internal error request_id={id}: {cause}")),
        AppError::Unavailable(cause) => Some(format!("database unavailable request_id={id}: {cause}")),
        AppError::Contention(cause) => Some(format!("transaction retries spent request_id={id}: {cause}")),
        _ => None,
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        AppError::Internal(crate::error::cause_chain(&err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_500_is_logged_with_its_request_id_and_whole_cause_but_other_errors_are_not() {
        let err: AppError = diesel::result::Error::DeserializationError("column `x` is not TEXT".into()).into();
        let line = log_line(&err, Some("req-42")).unwrap();
        assert!(line.contains("request_id=req-42") && line.contains("column `x` is not TEXT"), "{line}");
        assert!(
            !err.to_problem(Some("req-42".into()), crate::domain::i18n::Lang::En).detail.contains("column"),
            "never to the caller"
        );
        let unavailable = log_line(&AppError::Unavailable("pool timed out".into()), None).unwrap();
        assert!(unavailable.contains("request_id=-") && unavailable.contains("pool timed out"));
        assert_eq!(log_line(&AppError::NotFound, Some("x")), None);
    }

    #[test]
    fn the_cause_chain_names_every_source() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("reading the key")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let err = Outer(std::io::Error::other("disk gone"));
        assert_eq!(crate::error::cause_chain(&err), "reading the key: disk gone");
    }
}
