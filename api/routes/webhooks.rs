//! `/v1/webhooks` (admin, `clients:admin`): subscriptions of clients to push notices (API.md §8).

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::merge::merge_patch;
use crate::domain::page::Page;
use crate::domain::query::ListParams;
use crate::domain::validate::{to_object, FieldError};
use crate::domain::webhook::{self, Delivery, NewWebhook, Webhook, WebhookQuery, WebhookWithSecret};
use crate::error::{AppError, AppResult};
use crate::http::blocking;
use crate::http::body::{path_id, Body, Precondition, RawQuery};
use crate::http::respond;
use crate::openapi::{
    ChangeProblems, ConfirmProblems, CreateProblems, DeleteProblems, ListProblems, NestedListProblems, ReadProblems,
};
use crate::push::sender::check_host;
use crate::service;
use crate::state::AppState;

/// An answer carrying a secret is never cached.
fn no_store(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}

/// The URL's host must not resolve to a forbidden address (422 naming `url`).
async fn check_resolved(url: &str, state: &AppState) -> AppResult<()> {
    check_host(url, state.config.webhook_allow_insecure).await.map_err(|message| AppError::field("url", message))
}

/// Subscribe a client to push notices
///
/// Notices are thin (`{id, type, seq, resource, resource_id, op, at}`) and follow what the
/// client's change feed would show it, judged again when each is sent; each POST is signed
/// (`Sro-Signature`). The answer carries the `secret`, shown this once.
#[utoipa::path(
    tag = "webhooks",
    request_body = NewWebhook,
    responses(
        (status = 201, description = "Created, with its secret", body = WebhookWithSecret, headers(("Location" = String), ("ETag" = String))),
        CreateProblems
    ),
    security(("oauth2" = ["clients:admin"]))
)]
#[post("")]
pub async fn create_webhook(
    who: Principal,
    query: RawQuery,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::ClientsAdmin)?;
    query.none()?;
    let body = body.json_object()?;
    let (client, input) =
        webhook::parse_new(&body, state.config.webhook_allow_insecure).map_err(AppError::Validation)?;
    check_resolved(&input.url, &state).await?;
    let created = blocking::run(&state.pool, move |conn| service::webhooks::create(conn, &ctx, client, &input)).await?;
    let location = format!("/v1/webhooks/{}", created.webhook.id);
    Ok(no_store(respond::created(&created, location, created.webhook.version)))
}

/// List webhook subscriptions
#[utoipa::path(
    tag = "webhooks",
    params(WebhookQuery, ListParams),
    responses((status = 200, description = "One page of subscriptions", body = Page<Webhook>), ListProblems),
    security(("oauth2" = ["clients:admin"]))
)]
#[get("")]
pub async fn list_webhooks(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    who.require(Scope::ClientsAdmin)?;
    let (q, window) = query.parse(WebhookQuery::parse)?;
    let page = blocking::run(&state.pool, move |conn| service::webhooks::list(conn, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// Get a webhook subscription
///
/// Never with its secret.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Subscription id")),
    responses((status = 200, description = "The subscription", body = Webhook, headers(("ETag" = String))), ReadProblems),
    security(("oauth2" = ["clients:admin"]))
)]
#[get("/{id}")]
pub async fn get_webhook(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    who.require(Scope::ClientsAdmin)?;
    query.none()?;
    let id = path_id(&id)?;
    let hook = blocking::run(&state.pool, move |conn| service::webhooks::get(conn, id)).await?;
    Ok(respond::ok_versioned(&hook, hook.version))
}

/// Change a webhook subscription
///
/// JSON merge patch of `url`, `resources` and `active`. `active: false` drops what is queued;
/// `active: true` (also the way out of `failing`) starts from the change feed's head.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Subscription id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")),
    request_body(content = crate::domain::webhook::WebhookPatch, description = "Any subset of the fields", content_type = "application/merge-patch+json"),
    responses((status = 200, description = "The changed subscription", body = Webhook, headers(("ETag" = String))), ChangeProblems),
    security(("oauth2" = ["clients:admin"]))
)]
#[patch("/{id}")]
pub async fn patch_webhook(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::ClientsAdmin)?;
    query.none()?;
    let changes = body.json_object()?;
    let id = path_id(&id)?;
    let fixed: Vec<FieldError> = changes
        .keys()
        .filter(|k| !webhook::PATCHABLE.contains(&k.as_str()))
        .map(|k| FieldError::new(k.clone(), crate::msg!("webhook_field_fixed")))
        .collect();
    if !fixed.is_empty() {
        return Err(AppError::Validation(fixed));
    }
    let insecure = state.config.webhook_allow_insecure;
    // The body is judged before the stored version (§6: 422 before 412), on a placeholder.
    let placeholder = webhook::Settable::placeholder();
    service::prevalidate(&changes, vec![to_object(&placeholder)], |merged| webhook::parse_merged(merged, insecure))?;
    if let Some(url) = changes.get("url").and_then(|v| v.as_str()) {
        if webhook::check_url(url, insecure).is_ok() {
            check_resolved(url, &state).await?;
        }
    }
    let switch_on = changes.get("active") == Some(&serde_json::Value::Bool(true));
    let merge = move |current: &Webhook| {
        let mut merged = to_object(&webhook::Settable::from(current));
        merge_patch(&mut merged, &changes);
        webhook::parse_merged(&merged, insecure)
    };
    let hook =
        blocking::run(&state.pool, move |conn| service::webhooks::patch(conn, &ctx, id, merge, switch_on, pre.0))
            .await?;
    Ok(respond::ok_versioned(&hook, hook.version))
}

/// Delete a webhook subscription
///
/// With its queue and delivery log.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Subscription id"), ("If-Match" = Option<String>, Header, description = "The version the deletion is based on")),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("oauth2" = ["clients:admin"]))
)]
#[delete("/{id}")]
pub async fn delete_webhook(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    who.require(Scope::ClientsAdmin)?;
    query.none()?;
    let id = path_id(&id)?;
    blocking::run(&state.pool, move |conn| service::webhooks::delete(conn, id, pre.0)).await?;
    Ok(respond::no_content())
}

/// Rotate a webhook's secret
///
/// A new secret, shown this once; the old one also signs (a second `v1` in `Sro-Signature`)
/// for 24 hours, so the receiver can switch without refusing a notice.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Subscription id")),
    responses((status = 200, description = "The subscription with its new secret", body = WebhookWithSecret, headers(("ETag" = String))), ConfirmProblems),
    security(("oauth2" = ["clients:admin"]))
)]
#[post("/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::ClientsAdmin)?;
    query.none()?;
    let id = path_id(&id)?;
    let rotated = blocking::run(&state.pool, move |conn| service::webhooks::rotate_secret(conn, &ctx, id)).await?;
    Ok(no_store(respond::ok_versioned(&rotated, rotated.webhook.version)))
}

/// List a webhook's deliveries
///
/// Every attempt of the last 30 days, newest first: when, the status code (or why none came),
/// and when the notice is tried again.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Subscription id"), ListParams),
    responses((status = 200, description = "One page of attempts", body = Page<Delivery>), NestedListProblems),
    security(("oauth2" = ["clients:admin"]))
)]
#[get("/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::ClientsAdmin)?;
    let window = query.parse(|raw| webhook::parse_deliveries(raw, &id))?;
    let id = path_id(&id)?;
    let now = ctx.stamp();
    let page = blocking::run(&state.pool, move |conn| service::webhooks::deliveries(conn, id, now, &window)).await?;
    Ok(respond::ok(&page))
}
