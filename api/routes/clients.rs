//! `/v1/clients` (admin): create (secret shown once), list, get, disable.

use actix_web::{get, post, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::client::{Client, ClientQuery, CreatedClient, NewClient};
use crate::domain::page::Page;
use crate::domain::query::ListParams;
use crate::error::{AppError, AppResult};
use crate::http::blocking;
use crate::http::body::{path_id, Body, RawQuery};
use crate::http::respond;
use crate::openapi::{
    BadRequest, ListProblems, NotFound, PayloadTooLarge, ReadProblems, UnprocessableEntity, UnsupportedMediaType,
};
use crate::service;
use crate::state::AppState;

/// Create a client
///
/// The answer carries `client_secret`, shown this once; only a slow salted hash is kept.
/// Without `scopes` the role's full set is granted; a scope outside the role's set is 422.
#[utoipa::path(
    tag = "clients",
    request_body = NewClient,
    responses(
        (status = 201, description = "Created, with its secret", body = CreatedClient, headers(("Location" = String))),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity)
    ),
    security(("oauth2" = ["clients:admin"]))
)]
#[post("")]
pub async fn create_client(
    who: Principal,
    query: RawQuery,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::ClientsAdmin)?;
    query.none()?;
    let input = NewClient::parse(&body.json_object()?).map_err(AppError::Validation)?;
    let created = blocking::run(&state.pool, move |conn| service::clients::create(conn, &ctx, input)).await?;
    let location = format!("/v1/clients/{}", created.client.id);
    Ok(respond::created(&created, location, created.client.version))
}

/// List clients
#[utoipa::path(
    tag = "clients",
    params(ClientQuery, ListParams),
    responses((status = 200, description = "One page of clients (never a secret)", body = Page<Client>), ListProblems),
    security(("oauth2" = ["clients:admin"]))
)]
#[get("")]
pub async fn list_clients(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    who.require(Scope::ClientsAdmin)?;
    let (q, window) = query.parse(ClientQuery::parse)?;
    let page = blocking::run(&state.pool, move |conn| service::clients::list(conn, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// Get a client
#[utoipa::path(
    tag = "clients",
    params(("id" = uuid::Uuid, Path, description = "Client id")),
    responses((status = 200, description = "The client (never its secret)", body = Client), ReadProblems),
    security(("oauth2" = ["clients:admin"]))
)]
#[get("/{id}")]
pub async fn get_client(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    who.require(Scope::ClientsAdmin)?;
    query.none()?;
    let id = path_id(&id)?;
    let client = blocking::run(&state.pool, move |conn| service::clients::get(conn, id)).await?;
    Ok(respond::ok_versioned(&client, client.version))
}

/// Disable a client
///
/// It gets no new token, and its tokens are refused by every instance within 60 seconds. A
/// client cannot disable itself (422 naming `id`), so the unit is never locked out by mistake.
#[utoipa::path(
    tag = "clients",
    params(("id" = uuid::Uuid, Path, description = "Client id")),
    responses(
        (status = 200, description = "The disabled client", body = Client, headers(("ETag" = String))),
        (status = 404, response = NotFound),
        (status = 422, response = UnprocessableEntity)
    ),
    security(("oauth2" = ["clients:admin"]))
)]
#[post("/{id}/disable")]
pub async fn disable_client(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::ClientsAdmin)?;
    query.none()?;
    let id = path_id(&id)?;
    if id == ctx.caller.client_id {
        return Err(AppError::field("id", crate::msg!("cannot_disable_self")));
    }
    let client = blocking::run(&state.pool, move |conn| service::clients::set_active(conn, &ctx, id, false)).await?;
    state.revocations.add(id);
    state.verified.forget_client(id);
    Ok(respond::ok_versioned(&client, client.version))
}

/// Enable a client
///
/// Undoes a disable: the client gets tokens again, and its unexpired tokens are accepted again
/// by every instance within 60 seconds (at once by the one that answers).
#[utoipa::path(
    tag = "clients",
    params(("id" = uuid::Uuid, Path, description = "Client id")),
    responses((status = 200, description = "The enabled client", body = Client, headers(("ETag" = String))), ReadProblems),
    security(("oauth2" = ["clients:admin"]))
)]
#[post("/{id}/enable")]
pub async fn enable_client(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::ClientsAdmin)?;
    query.none()?;
    let id = path_id(&id)?;
    let client = blocking::run(&state.pool, move |conn| service::clients::set_active(conn, &ctx, id, true)).await?;
    state.revocations.remove(id);
    Ok(respond::ok_versioned(&client, client.version))
}
