//! The one place routes, middleware order and extractor error handlers are set.

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

/// The OpenAPI document as served: `openapi/openapi.json`, built into the binary. A test keeps
/// it byte-identical to the one the code generates (`openapi::render`), so serving the file is
/// serving the generated document without building it at every start (the build is the
/// largest allocation the service ever makes: a peak of about 11 MB, bench/README.md step 12).
#[derive(Clone, Copy)]
pub struct OpenApiText(pub &'static str);

impl OpenApiText {
    /// The committed document.
    pub fn committed() -> Self {
        OpenApiText(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")))
    }
}

async fn openapi_json(doc: web::Data<OpenApiText>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.0)
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
