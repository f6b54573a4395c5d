//! `/v1/boards`.

use actix_web::{get, patch, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::domain::access::Scope;
use crate::domain::board::{Board, BoardQuery};
use crate::domain::page::Page;
use crate::domain::query::ListParams;
use crate::error::AppResult;
use crate::http::blocking;
use crate::http::body::{path_id, Body, Precondition, RawQuery};
use crate::http::respond;
use crate::openapi::{ChangeProblems, ListProblems, ReadProblems};
use crate::service;
use crate::state::AppState;

/// List boards
///
/// The four school boards, oldest first. `code` finds one by its short code.
#[utoipa::path(
    tag = "boards",
    params(BoardQuery, ListParams),
    responses((status = 200, description = "One page of boards", body = Page<Board>), ListProblems),
    security(("oauth2" = ["boards:read"]))
)]
#[get("")]
pub async fn list_boards(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    who.require(Scope::BoardsRead)?;
    let (q, window) = query.parse(BoardQuery::parse)?;
    let page = blocking::run(&state.pool, move |conn| service::boards::list(conn, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// Get a board
#[utoipa::path(
    tag = "boards",
    params(("id" = uuid::Uuid, Path, description = "Board id")),
    responses(
        (status = 200, description = "The board (`ETag` is its version)", body = Board, headers(("ETag" = String))),
        ReadProblems
    ),
    security(("oauth2" = ["boards:read"]))
)]
#[get("/{id}")]
pub async fn get_board(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    who.require(Scope::BoardsRead)?;
    query.none()?;
    let id = path_id(&id)?;
    let board = blocking::run(&state.pool, move |conn| service::boards::get(conn, id)).await?;
    Ok(respond::ok_versioned(&board, board.version))
}

/// Change a board
///
/// JSON merge patch of `name`, `name_fr` and `ministry_number` (admin).
#[utoipa::path(
    tag = "boards",
    params(("id" = uuid::Uuid, Path, description = "Board id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on, as in `ETag`")),
    request_body(content = crate::openapi::BoardPatch, description = "Fields to change", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed board", body = Board, headers(("ETag" = String))),
        ChangeProblems
    ),
    security(("oauth2" = ["boards:write"]))
)]
#[patch("/{id}")]
pub async fn patch_board(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::BoardsWrite)?;
    query.none()?;
    let changes = body.json_object()?;
    let id = path_id(&id)?;
    let board = blocking::run(&state.pool, move |conn| service::boards::patch(conn, &ctx, id, &changes, pre.0)).await?;
    Ok(respond::ok_versioned(&board, board.version))
}
