//! The one place routes, middleware order and extractor error handlers are set.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::{web, App, HttpRequest, HttpResponse};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::error::AppError;
use crate::http::methods::KnownRoutes;
use crate::http::request_id::RequestId;
use crate::routes;
use crate::state::AppState;

/// The pre-rendered OpenAPI document, byte-identical to `openapi/openapi.json`.
#[derive(Clone)]
pub struct OpenApiText(pub Arc<String>);

impl OpenApiText {
    /// The document rendered once.
    pub fn render() -> Self {
        OpenApiText(Arc::new(crate::openapi::render()))
    }
}

async fn openapi_json(doc: web::Data<OpenApiText>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.0.as_str().to_owned())
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::MovedPermanently().insert_header((header::LOCATION, "/docs/")).finish()
}

/// No route matched: 405 with `Allow` if the path is known under other methods, else 404.
async fn unmatched(req: HttpRequest, known: web::Data<KnownRoutes>) -> Result<HttpResponse, AppError> {
    match known.allowed(req.path()) {
        // A documented method that still matched nothing: a path parameter that names nothing.
        Some(allow) if allow.contains(&req.method().as_str()) => Err(AppError::NotFound),
        Some(allow) => Err(AppError::MethodNotAllowed { allow }),
        None => Err(AppError::NotFound),
    }
}

/// Builds the application around `state`.
pub fn build(
    state: AppState,
    openapi: OpenApiText,
    known: KnownRoutes,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    // Built once per HTTP worker: each worker has its own pipelined read connection.
    let reader = crate::db::reader::Reader::new(state.reads.clone());
    App::new()
        .into_utoipa_app()
        .app_data(web::Data::new(reader))
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(openapi))
        .app_data(web::Data::new(known))
        .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        .configure(routes::configure)
        .into_app()
        .route("/openapi.json", web::get().to(openapi_json))
        .route("/docs", web::get().to(docs_redirect))
        .service(SwaggerUi::new("/docs/{_:.*}").config(SwaggerConfig::new(["/openapi.json"])))
        .default_service(web::to(unmatched))
        // Inside the request id, so a replayed answer is logged and carries one too.
        .wrap(crate::http::idempotency::Idempotency)
        // Outermost: every response, errors and 404s included, gets the request id and a log line.
        .wrap(RequestId)
}
