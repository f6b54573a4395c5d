//! The language of an answer (API.md §8): read from `Accept-Language` once per request by the
//! request-id middleware, kept in a task-local for the problem bodies (`ResponseError` sees no
//! request), and offered to handlers as the `AcceptLanguage` extractor.

use std::future::{ready, Future, Ready};

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{FromRequest, HttpRequest};

use crate::domain::i18n::Lang;
use crate::error::AppError;

tokio::task_local! {
    static LANG: Lang;
}

/// The language the request being served asked for; English outside a request.
pub fn current() -> Lang {
    LANG.try_with(|lang| *lang).unwrap_or_default()
}

/// Runs `work` with `lang` as the request's language.
pub async fn scope<F: Future>(lang: Lang, work: F) -> F::Output {
    LANG.scope(lang, work).await
}

/// The language `headers` ask for (English when absent or unknown).
pub fn of(headers: &HeaderMap) -> Lang {
    Lang::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

/// The language `Accept-Language` asks for (English when absent or unknown); never refuses.
#[derive(Debug, Clone, Copy)]
pub struct AcceptLanguage(pub Lang);

impl FromRequest for AcceptLanguage {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(AcceptLanguage(of(req.headers()))))
    }
}
