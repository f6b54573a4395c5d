//! `/v1/schools`: directory, SIS upsert, import and the SRO handover.

use actix_web::{delete, get, patch, post, put, web, HttpResponse};

use crate::auth::principal::Principal;
use crate::db::reader::Reader;
use crate::domain::access::Scope;
use crate::domain::assignment::{Assignment, Handover};
use crate::domain::import::{self as import_file, ImportResult};
use crate::domain::page::Page;
use crate::domain::query::ListParams;
use crate::domain::school::{parse_ministry_number, NewSchool, School, SchoolQuery};
use crate::error::{AppError, AppResult};
use crate::http::blocking;
use crate::http::body::{invalid, is_json, parse_json, path_id, Body, Precondition, RawQuery, IMPORT_LIMIT};
use crate::http::respond;
use crate::openapi::{
    ActionProblems, BadRequest, ChangeProblems, CreateProblems, DeleteProblems, ListProblems, PayloadTooLarge,
    ReadProblems, UnprocessableEntity, UnsupportedMediaType,
};
use crate::service;
use crate::service::schools::Outcome;
use crate::state::AppState;

/// `/schools/import` is a path of its own (POST only): its other methods get 405, not a
/// lookup of a school whose id is "import".
fn not_the_import_path(ctx: &actix_web::guard::GuardContext) -> bool {
    !ctx.head().uri.path().trim_end_matches('/').ends_with("/schools/import")
}

fn location(school: &School) -> String {
    format!("/v1/schools/{}", school.id)
}

/// List schools
///
/// Schools the caller may see (a board client: its own board's), oldest first, each with its
/// current primary SRO. An unfiltered list includes closed schools.
#[utoipa::path(
    tag = "schools",
    params(SchoolQuery, ListParams),
    responses((status = 200, description = "One page of schools", body = Page<School>), ListProblems),
    security(("oauth2" = ["schools:read"]))
)]
#[get("")]
pub async fn list_schools(who: Principal, query: RawQuery, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::SchoolsRead)?;
    let (q, window) = query.parse(SchoolQuery::parse)?;
    let page = blocking::run(&state.pool, move |conn| service::schools::list(conn, &ctx, &q, &window)).await?;
    Ok(respond::ok(&page))
}

/// Create a school
///
/// A board client may leave `board_id` out (its own board is used) and may not name another.
#[utoipa::path(
    tag = "schools",
    request_body = NewSchool,
    responses(
        (status = 201, description = "Created (`Location`, `ETag`)", body = School, headers(("Location" = String), ("ETag" = String))),
        CreateProblems
    ),
    security(("oauth2" = ["schools:write"]))
)]
#[post("")]
pub async fn create_school(
    who: Principal,
    query: RawQuery,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::SchoolsWrite)?;
    query.none()?;
    let body = body.json_object()?;
    let school = blocking::run(&state.pool, move |conn| service::schools::create(conn, &ctx, &body)).await?;
    Ok(respond::created(&school, location(&school), school.version))
}

/// Import schools
///
/// `text/csv` (header row, optional BOM, `,` or `;`) or a JSON array of `NewSchool` bodies; at
/// most 5,000 rows or 5 MiB. Each row is an upsert exactly like the PUT by ministry number. One
/// bad row rejects the whole file with every bad row named (`rows[7].postal_code`), and nothing
/// is written.
#[utoipa::path(
    tag = "schools",
    request_body(
        content(
            (Vec<NewSchool> = "application/json"),
            (String = "text/csv", example = "ministry_number,name,level,language,kind,board,street,city,postal_code,phone\n000566,A. Lorne Cassidy Elementary School,elementary,en,public,OCDSB,27 Hobin St,Stittsville,K2S 1G8,613-831-3434\n")
        ),
        description = "The schools"
    ),
    responses(
        (status = 200, description = "Every row written", body = ImportResult),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity)
    ),
    security(("oauth2" = ["schools:write"]))
)]
#[post("/import")]
pub async fn import_schools(
    who: Principal,
    query: RawQuery,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::SchoolsWrite)?;
    query.none()?;
    let media = body.media_type().map(str::to_owned);
    let rows = match media.as_deref() {
        Some("text/csv") => import_file::csv_rows(&body.bytes(IMPORT_LIMIT)?).map_err(invalid)?,
        m if is_json(m) => import_file::json_rows(parse_json(&body.bytes(IMPORT_LIMIT)?)?).map_err(invalid)?,
        _ => return Err(AppError::UnsupportedMediaType(crate::msg!("body_must_be_csv_or_json"))),
    };
    let result = blocking::run_within(&state.pool, blocking::IMPORT_DEADLINE, move |conn| {
        service::import::run(conn, &ctx, rows)
    })
    .await?;
    Ok(respond::ok(&result))
}

/// Get a school by ministry number
#[utoipa::path(
    tag = "schools",
    params(("number" = String, Path, description = "Six-digit ministry number")),
    responses(
        (status = 200, description = "The school", body = School, headers(("ETag" = String))),
        ReadProblems
    ),
    security(("oauth2" = ["schools:read"]))
)]
#[get("/by-ministry-number/{number}")]
pub async fn get_school_by_number(
    who: Principal,
    query: RawQuery,
    number: web::Path<String>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::SchoolsRead)?;
    query.none()?;
    let number = parse_ministry_number(&number).map_err(|_| AppError::NotFound)?;
    let school = blocking::run(&state.pool, move |conn| service::schools::get_by_number(conn, &ctx, &number)).await?;
    Ok(respond::ok_versioned(&school, school.version))
}

/// Create or replace a school by ministry number
///
/// The SIS sync call: a full replacement with the body of `POST /v1/schools` (201 when created,
/// 200 otherwise). `ministry_number` may be left out of the body and must equal the path's if
/// given. A PUT that changes nothing answers 200 and leaves `version` alone.
#[utoipa::path(
    tag = "schools",
    params(
        ("number" = String, Path, description = "Six-digit ministry number"),
        ("If-Match" = Option<String>, Header, description = "The version the change is based on")
    ),
    request_body = crate::openapi::SchoolReplacement,
    responses(
        (status = 200, description = "Replaced, or unchanged", body = School, headers(("ETag" = String))),
        (status = 201, description = "Created", body = School, headers(("Location" = String), ("ETag" = String))),
        ChangeProblems
    ),
    security(("oauth2" = ["schools:write"]))
)]
#[put("/by-ministry-number/{number}")]
pub async fn put_school_by_number(
    who: Principal,
    query: RawQuery,
    number: web::Path<String>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::SchoolsWrite)?;
    query.none()?;
    let body = body.json_object()?;
    let number = parse_ministry_number(&number).map_err(|_| AppError::NotFound)?;
    let (school, outcome) =
        blocking::run(&state.pool, move |conn| service::schools::put_by_number(conn, &ctx, &number, &body, pre.0))
            .await?;
    Ok(match outcome {
        Outcome::Created => respond::created(&school, location(&school), school.version),
        Outcome::Updated | Outcome::Unchanged => respond::ok_versioned(&school, school.version),
    })
}

/// Get a school
#[utoipa::path(
    tag = "schools",
    params(("id" = uuid::Uuid, Path, description = "School id")),
    responses(
        (status = 200, description = "The school (`ETag` is its version)", body = School, headers(("ETag" = String))),
        ReadProblems
    ),
    security(("oauth2" = ["schools:read"]))
)]
#[get("/{id}", guard = "not_the_import_path")]
pub async fn get_school(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    state: web::Data<AppState>,
    reader: web::Data<Reader>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::SchoolsRead)?;
    query.none()?;
    let id = path_id(&id)?;
    let school = if reader.is_on() {
        service::schools::get_pipelined(&reader, &ctx, id).await?
    } else {
        blocking::run(&state.pool, move |conn| service::schools::get(conn, &ctx, id)).await?
    };
    Ok(respond::ok_versioned(&school, school.version))
}

/// Change a school
///
/// JSON merge patch: the fields to change; null clears an optional field. Close a school with
/// `active: false`.
#[utoipa::path(
    tag = "schools",
    params(("id" = uuid::Uuid, Path, description = "School id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")),
    request_body(content = crate::openapi::SchoolPatch, description = "Any subset of the fields", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed school", body = School, headers(("ETag" = String))),
        ChangeProblems
    ),
    security(("oauth2" = ["schools:write"]))
)]
#[patch("/{id}", guard = "not_the_import_path")]
pub async fn patch_school(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::SchoolsWrite)?;
    query.none()?;
    let changes = body.json_object()?;
    let id = path_id(&id)?;
    let school =
        blocking::run(&state.pool, move |conn| service::schools::patch(conn, &ctx, id, &changes, pre.0)).await?;
    Ok(respond::ok_versioned(&school, school.version))
}

/// Delete a school
///
/// Refused with 409 `still_referenced` while anything refers to it; close it with
/// `active: false` instead.
#[utoipa::path(
    tag = "schools",
    params(("id" = uuid::Uuid, Path, description = "School id"), ("If-Match" = Option<String>, Header, description = "The version the deletion is based on")),
    responses(
        (status = 204, description = "Deleted"), DeleteProblems),
    security(("oauth2" = ["schools:write"]))
)]
#[delete("/{id}", guard = "not_the_import_path")]
pub async fn delete_school(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    pre: Precondition,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::SchoolsWrite)?;
    query.none()?;
    let id = path_id(&id)?;
    blocking::run(&state.pool, move |conn| service::schools::delete(conn, &ctx, id, pre.0)).await?;
    Ok(respond::no_content())
}

/// Hand a school to a new primary SRO
///
/// In one transaction: the current primary assignment ends the day before `starts_on` and the new
/// one begins. 409 `overlapping_assignment` when `starts_on` is on or before the current primary's
/// start or a later primary exists; 422 when the officer already is the primary.
#[utoipa::path(
    tag = "assignments",
    params(("id" = uuid::Uuid, Path, description = "School id")),
    request_body = Handover,
    responses(
        (status = 201, description = "The new primary assignment", body = Assignment, headers(("Location" = String), ("ETag" = String))),
        ActionProblems
    ),
    security(("oauth2" = ["assignments:write"]))
)]
#[post("/{id}/sro")]
pub async fn hand_over_school(
    who: Principal,
    query: RawQuery,
    id: web::Path<String>,
    body: Body,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let ctx = who.context(Scope::AssignmentsWrite)?;
    query.none()?;
    let body = body.json_object()?;
    let id = path_id(&id)?;
    let assignment =
        blocking::run(&state.pool, move |conn| service::assignments::handover(conn, &ctx, id, &body)).await?;
    Ok(respond::created(&assignment, format!("/v1/assignments/{}", assignment.id), assignment.version))
}
