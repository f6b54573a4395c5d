//! `X-Request-Id`: taken from the caller or generated, echoed on every response, logged with
//! the access line, and available to error bodies through a task-local. The same middleware
//! sets the request's language (`Accept-Language`, `http::lang`) for the problem bodies and
//! says it in `Content-Language` on every answer that does not name its own.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::Error;

use crate::domain::i18n::Lang;
use crate::state::AppState;

/// The header carrying the request id.
pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(|id| id.clone()).ok()
}

/// True for the paths whose answers are written in English whatever the caller asks: the
/// OpenAPI document and its viewer (one document, in English).
fn english_only(path: &str) -> bool {
    path == "/openapi.json" || path == "/docs" || path.starts_with("/docs/")
}

/// Accepts a caller's id only if it is short and printable, so it cannot forge log lines.
fn acceptable(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic())
}

/// One request in the state's in-flight count, for as long as this lives.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn enter(count: &Arc<AtomicUsize>) -> InFlight {
        count.fetch_add(1, Ordering::SeqCst);
        InFlight(Arc::clone(count))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Middleware: request id in, request id out, one access log line per request; the language
/// of the answer.
pub struct RequestId;

impl<S, B> Transform<S, ServiceRequest> for RequestId
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = RequestIdMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequestIdMiddleware { service: Rc::new(service) }))
    }
}

/// The service [`RequestId`] wraps around the app.
pub struct RequestIdMiddleware<S> {
    service: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for RequestIdMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let id = req
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| acceptable(v))
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let service = Rc::clone(&self.service);
        let started = Instant::now();
        // Counted until answered or dropped, so shutdown can tell what its grace period cut off.
        let in_flight = req.app_data::<actix_web::web::Data<AppState>>().map(|s| InFlight::enter(&s.in_flight));
        let method = req.method().clone();
        let lang = crate::http::lang::of(req.headers());
        let answer_lang = if english_only(req.path()) { Lang::En } else { lang };
        let scoped_id = id.clone();
        let work = async move {
            let result = service.call(req).await;
            let (status, route) = match &result {
                Ok(res) => (
                    res.status().as_u16(),
                    // The route pattern, never the query string (it can carry names).
                    res.request().match_pattern().unwrap_or_else(|| "(unmatched)".into()),
                ),
                Err(err) => (err.as_response_error().status_code().as_u16(), "(error)".into()),
            };
            let took = started.elapsed();
            log::info!(
                target: "sro_api::access",
                "{method} {route} {status} {:.1}ms request_id={id}",
                took.as_secs_f64() * 1000.0
            );
            crate::metrics::request(method.as_str(), &route, status, took);
            drop(in_flight);
            let mut res = result?;
            if let Ok(value) = HeaderValue::from_str(&id) {
                res.headers_mut().insert(HeaderName::from_static(HEADER), value);
            }
            // Every answer says its language (API.md §8). A problem has set its own (in
            // `http::problem`), and so have `/oauth/token`'s errors (always English) and a
            // replay (the first request's); the OpenAPI document and its viewer are English;
            // every other answer is in the language asked for, or has no words of its own.
            if !res.headers().contains_key(header::CONTENT_LANGUAGE) {
                res.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(answer_lang.tag()));
            }
            Ok(res)
        };
        Box::pin(REQUEST_ID.scope(scoped_id, crate::http::lang::scope(lang, work)))
    }
}
