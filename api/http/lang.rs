//! The `AcceptLanguage` extractor: the language an answer's words are in (API.md §8).

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use crate::domain::i18n::Lang;
use crate::error::AppError;

/// The language `Accept-Language` asks for (English when absent or unknown); never refuses.
#[derive(Debug, Clone, Copy)]
pub struct AcceptLanguage(pub Lang);

impl FromRequest for AcceptLanguage {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        ready(Ok(AcceptLanguage(Lang::from_accept_language(value))))
    }
}
