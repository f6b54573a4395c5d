//! Response helpers: `ETag` on single records, `Location` on creation.

use actix_web::http::header;
use actix_web::HttpResponse;
use serde::Serialize;

/// The `ETag` value for a version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// 200 with the record and its `ETag`.
pub fn ok_versioned<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(body)
}

/// 201 with the record, its `Location` and `ETag`.
pub fn created<T: Serialize>(body: &T, location: String, version: i32) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// 200 with a JSON body.
pub fn ok<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// 200 with a JSON body whose words are in `lang` (`Content-Language`).
pub fn ok_in<T: Serialize>(body: &T, lang: crate::domain::i18n::Lang) -> HttpResponse {
    HttpResponse::Ok().insert_header((actix_web::http::header::CONTENT_LANGUAGE, lang.tag())).json(body)
}

/// 204.
pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}
