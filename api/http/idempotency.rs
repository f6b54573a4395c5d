//! `Idempotency-Key` on every `/v1` POST (API.md §2, §6), as middleware so that no handler can
//! forget it: the key is claimed for the verified client before the handler runs, the answer is
//! kept after it, and a retry gets that answer again with `Idempotent-Replayed: true`.
//!
//! The answer is kept just after the handler's transaction commits, not inside it: an instance
//! that dies between the two leaves the key `running`, so retries get 409 until the key goes
//! stale ([`STALE_SECONDS`]) and then run again. That window is the price of replaying the exact
//! bytes of the first answer without every use-case knowing about keys.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, Error, FromRequest, HttpMessage, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::idempotency::{self, STALE_SECONDS};
use crate::domain::time;
use crate::error::AppError;
use crate::http::body::Body;
use crate::http::{blocking, lang};
use crate::service::idempotency::{self as store, Claim, Stored};
use crate::state::AppState;

const HEADER: &str = "Idempotency-Key";
/// Set on a replayed answer.
pub const REPLAYED: &str = "Idempotent-Replayed";

/// The middleware factory.
pub struct Idempotency;

impl<S, B> Transform<S, ServiceRequest> for Idempotency
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Transform = IdempotencyMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(IdempotencyMiddleware { service: Rc::new(service) }))
    }
}

/// The middleware.
pub struct IdempotencyMiddleware<S> {
    service: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for IdempotencyMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let keyed = req.method() == Method::POST && req.path().starts_with("/v1/");
        let raw_key = req.headers().get(HEADER).map(|v| v.as_bytes().to_vec());
        Box::pin(async move {
            match (keyed, raw_key) {
                (true, Some(raw)) => with_key(service, req, &raw).await,
                _ => Ok(service.call(req).await?.map_into_boxed_body()),
            }
        })
    }
}

async fn with_key<S, B>(service: Rc<S>, mut req: ServiceRequest, raw: &[u8]) -> Result<ServiceResponse<BoxBody>, Error>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    // 401 (and 429) first, as without a key; the handler reuses this verified principal.
    let principal = match Principal::from_request(req.request(), &mut Payload::None).await {
        Ok(p) => p,
        Err(err) => return Ok(req.error_response(err)),
    };
    let key = match idempotency::parse_key(raw) {
        Ok(key) => key,
        Err(message) => {
            let err = AppError::BadRequest {
                detail: crate::msg!("bad_idempotency_key"),
                errors: vec![crate::domain::validate::FieldError::new(HEADER, message)],
            };
            return Ok(req.error_response(err));
        }
    };
    req.extensions_mut().insert(principal.clone());
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.error_response(AppError::Internal("state missing".into())));
    };
    let mut payload = req.take_payload();
    let body = match Body::from_request(req.request(), &mut payload).await.map(Body::raw) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(err)) | Err(err) => return Ok(req.error_response(err)),
    };
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let fingerprint =
        idempotency::fingerprint(req.method().as_str(), req.path(), req.query_string(), content_type, &body);
    let client = principal.caller.client_id.to_string();
    let claimed = {
        let (client, key) = (client.clone(), key.clone());
        blocking::run(&state.pool, move |conn| store::claim(conn, &client, &key, &fingerprint, time::now())).await
    };
    match claimed {
        Err(err) => return Ok(req.error_response(err)),
        Ok(Claim::Replay(stored)) => return Ok(req.into_response(replay(stored))),
        Ok(Claim::Proceed) => {}
    }
    req.set_payload(Payload::from(body));
    let outcome = service.call(req).await;
    let (answer, response) = match outcome {
        Err(err) => (None, Err(err)),
        Ok(res) => {
            let status = res.status().as_u16();
            let header_text = |res: &ServiceResponse<B>, name| {
                res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
            };
            let (location, etag, content_type, content_language) = (
                header_text(&res, header::LOCATION),
                header_text(&res, header::ETAG),
                header_text(&res, header::CONTENT_TYPE),
                // Set on a problem; else the request's, which the request-id middleware puts on
                // the answer after this one has kept it.
                header_text(&res, header::CONTENT_LANGUAGE).or_else(|| Some(lang::current().tag().to_owned())),
            );
            let (req, res) = res.into_parts();
            let (res, body) = res.into_parts();
            match actix_web::body::to_bytes(body).await {
                Ok(bytes) => {
                    let kept = idempotency::keeps(status)
                        .then(|| String::from_utf8(bytes.to_vec()).ok())
                        .flatten()
                        .map(|body| Stored { status, location, etag, content_type, content_language, body });
                    let res = res.set_body(BoxBody::new(bytes));
                    (kept, Ok(ServiceResponse::new(req, res)))
                }
                Err(_) => {
                    let err = AppError::Internal("the answer's body could not be read".into());
                    (None, Ok(ServiceResponse::new(req, HttpResponse::from_error(err))))
                }
            }
        }
    };
    let kept = answer.is_some();
    let finished = blocking::run(&state.pool, move |conn| store::finish(conn, &client, &key, answer)).await;
    if let Err(err) = finished {
        // The answer stands; a retry gets 409 until the key goes stale, then runs again.
        log::warn!("idempotency key not {} (stale in {STALE_SECONDS} s): {err}", if kept { "kept" } else { "freed" });
    }
    response
}

/// The first answer again.
fn replay(stored: Stored) -> HttpResponse {
    let mut builder = HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
    builder.insert_header((REPLAYED, "true"));
    if let Some(location) = stored.location {
        builder.insert_header((header::LOCATION, location));
    }
    if let Some(etag) = stored.etag {
        builder.insert_header((header::ETAG, etag));
    }
    if let Some(content_type) = stored.content_type {
        builder.insert_header((header::CONTENT_TYPE, content_type));
    }
    // A kept problem is in the language of the first request (its words were written then);
    // the header says which, so a retry asking for another language is not misled. Keys kept
    // before this column existed have none, and get the retry's.
    if let Some(language) = stored.content_language {
        builder.insert_header((header::CONTENT_LANGUAGE, language));
    }
    builder.body(stored.body)
}
