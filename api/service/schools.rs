//! Schools: listing with every filter, the embedded current SRO, create, patch, delete and the
//! SIS upsert by ministry number (shared with the import).

use std::sync::LazyLock;

use diesel::dsl::{exists, not};
use diesel::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::journal::{self, Journal, Op};
use super::{check_version, in_force, keyset, missing, policy, prevalidate};
use crate::db::reader::Reader;
use crate::db::rows::{self, BoardRow, FromPgRow, OfficerRow, SchoolRow};
use crate::db::schema::{assignments, boards, officers, schools};
use crate::db::DbConn;
use crate::domain::assignment::AssignmentRole;
use crate::domain::context::Context;
use crate::domain::page::{paginate, Page};
use crate::domain::query::{IfMatch, Window};
pub use crate::domain::school::Outcome;
use crate::domain::school::{merge_patch, NewSchool, School, SchoolKind, SchoolQuery, SchoolSro};
use crate::domain::validate::FieldError;
use crate::domain::{new_id, text, time};
use crate::error::{AppError, AppResult, ConflictCode};

fn to_wire(row: SchoolRow, sro: Option<SchoolSro>) -> AppResult<School> {
    Ok(School {
        id: rows::uuid(&row.id)?,
        board_id: rows::opt_uuid(row.board_id.as_deref())?,
        level: rows::enum_value(&row.level)?,
        language: row.language.as_deref().map(rows::enum_value).transpose()?,
        kind: rows::enum_value(&row.kind)?,
        ministry_number: row.ministry_number,
        name: row.name,
        street: row.street,
        city: row.city,
        postal_code: row.postal_code,
        phone: row.phone,
        active: row.active,
        sro,
        created_at: time::to_utc(row.created_at),
        updated_at: time::to_utc(row.updated_at),
        version: row.version,
    })
}

fn sro_of(officer: OfficerRow) -> AppResult<SchoolSro> {
    Ok(SchoolSro {
        officer_id: rows::uuid(&officer.id)?,
        first_name: officer.first_name,
        last_name: officer.last_name,
        badge_number: officer.badge_number,
        phone: officer.phone,
        email: officer.email,
    })
}

/// Schools left-joined to their primary SRO in force on `$day` (at most one, by the rules) and
/// that officer. The assignments are an alias, so filters may still use `assignments` in
/// subqueries.
macro_rules! with_primary_sro {
    ($day:expr) => {{
        let primary = diesel::alias!(assignments as primary_now);
        let day = $day;
        schools::table
            .left_join(
                primary.on(primary
                    .field(assignments::school_id)
                    .eq(schools::id)
                    .and(primary.field(assignments::role).eq(AssignmentRole::Primary.as_str()))
                    .and(primary.field(assignments::starts_on).le(day))
                    .and(
                        primary.field(assignments::ends_on).is_null().or(primary.field(assignments::ends_on).ge(day)),
                    )),
            )
            .left_join(officers::table.on(officers::id.eq(primary.field(assignments::officer_id))))
    }};
}

/// The school `$id` if the caller may read it (`$board`: the board it is limited to, if any),
/// with its primary SRO in force on `$day`: one statement, whichever path sends it.
macro_rules! school_by_id {
    ($day:expr, $id:expr, $board:expr) => {{
        let board: Option<String> = $board;
        let unscoped = board.is_none();
        with_primary_sro!($day)
            .filter(schools::id.eq($id))
            .filter(unscoped.into_sql::<diesel::sql_types::Bool>().or(schools::board_id.eq(board)))
            .select((SchoolRow::as_select(), Option::<OfficerRow>::as_select()))
            .limit(1)
    }};
}

/// One school as the API shows it, with its current primary SRO (the same join as the reads).
pub fn to_school(conn: &mut DbConn, row: SchoolRow) -> AppResult<School> {
    let officer: Option<OfficerRow> = with_primary_sro!(time::today())
        .filter(schools::id.eq(&row.id))
        .select(Option::<OfficerRow>::as_select())
        .first::<Option<OfficerRow>>(conn)
        .optional()?
        .flatten();
    to_wire(row, officer.map(sro_of).transpose()?)
}

/// The school row, or 404 if absent or outside what the caller may see.
pub fn load_visible(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<SchoolRow> {
    schools::table
        .find(id.to_string())
        .filter(policy::schools(ctx))
        .select(SchoolRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

fn visible(conn: &mut DbConn, ctx: &Context, row: &SchoolRow) -> AppResult<bool> {
    let found: i64 = schools::table.find(&row.id).filter(policy::schools(ctx)).count().get_result(conn)?;
    Ok(found > 0)
}

/// One page of schools the caller may see.
pub fn list(conn: &mut DbConn, ctx: &Context, q: &SchoolQuery, window: &Window) -> AppResult<Page<School>> {
    let today = time::today();
    // The page and each school's current primary SRO in one query: a left join on the one
    // primary in force today (the rules allow at most one), so the plan stays an index scan
    // under a prepared statement (no `= ANY($1)` over the page's ids).
    let mut query =
        with_primary_sro!(today).select((SchoolRow::as_select(), Option::<OfficerRow>::as_select())).into_boxed();
    match policy::school_scope(ctx) {
        policy::SchoolScope::All => {}
        policy::SchoolScope::Board(board) => query = query.filter(schools::board_id.eq(board.to_string())),
        policy::SchoolScope::Nothing => return Ok(Page { data: vec![], next_cursor: None }),
    }
    if let Some(board) = q.board_id {
        query = query.filter(schools::board_id.eq(board.to_string()));
    }
    if let Some(level) = q.level {
        query = query.filter(schools::level.eq(level.as_str()));
    }
    if let Some(language) = q.language {
        query = query.filter(schools::language.eq(language.as_str()));
    }
    if let Some(kind) = q.kind {
        query = query.filter(schools::kind.eq(kind.as_str()));
    }
    if let Some(active) = q.active {
        query = query.filter(schools::active.eq(active));
    }
    if let Some(officer) = q.officer_id {
        let roles: Vec<&str> = match q.role {
            Some(role) => vec![role.as_str()],
            None => AssignmentRole::ALL.iter().map(|r| r.as_str()).collect(),
        };
        let held = assignments::table
            .select(assignments::school_id)
            .filter(assignments::officer_id.eq(officer.to_string()))
            .filter(assignments::role.eq_any(roles))
            .filter(in_force!(today));
        query = query.filter(schools::id.eq_any(held));
    } else if let Some(role) = q.role {
        let held = assignments::table
            .filter(assignments::school_id.eq(schools::id))
            .filter(assignments::role.eq(role.as_str()))
            .filter(in_force!(today));
        query = query.filter(exists(held));
    }
    match q.unassigned {
        Some(true) => {
            let primary_today = assignments::table
                .filter(assignments::school_id.eq(schools::id))
                .filter(assignments::role.eq("primary"))
                .filter(in_force!(today));
            query = query.filter(schools::active.eq(true)).filter(not(exists(primary_today)));
        }
        Some(false) => {
            let primary_today = assignments::table
                .filter(assignments::school_id.eq(schools::id))
                .filter(assignments::role.eq("primary"))
                .filter(in_force!(today));
            query = query.filter(exists(primary_today));
        }
        None => {}
    }
    if let Some(needle) = q.q.as_deref().filter(|s| !s.trim().is_empty()) {
        query = query.filter(schools::name_folded.like(text::contains_pattern(needle)).escape('\\'));
    }
    // `updated_from` also finds schools whose embedded SRO changed with no write: a primary
    // assignment that began, or ended, on a city day since then.
    if let Some(since) = window.updated_from {
        let since_day = time::today_at(time::to_utc(since));
        let sro_changed = assignments::table
            .filter(assignments::school_id.eq(schools::id))
            .filter(assignments::role.eq(AssignmentRole::Primary.as_str()))
            .filter(
                assignments::starts_on
                    .gt(since_day)
                    .and(assignments::starts_on.le(today))
                    .or(assignments::ends_on.ge(since_day).and(assignments::ends_on.lt(today))),
            );
        query = query.filter(schools::updated_at.ge(since).or(exists(sro_changed)));
    }
    let window = Window { updated_from: None, ..window.clone() };
    let window = &window;
    let found: Vec<(SchoolRow, Option<OfficerRow>)> = keyset!(query, schools, window).load(conn)?;
    paginate(found, window, |(row, officer)| to_wire(row, officer.map(sro_of).transpose()?))
}

/// One school.
pub fn get(conn: &mut DbConn, ctx: &Context, id: Uuid) -> AppResult<School> {
    // One round trip: the school, scoped by the policy, and its current primary SRO. The SQL
    // is the same for every caller (the board, if any, is a bound value), so it is prepared
    // once per connection and reused.
    let board = readable_board(ctx)?;
    let (row, officer) =
        school_by_id!(time::today(), id.to_string(), board).get_result(conn).optional()?.ok_or(AppError::NotFound)?;
    to_wire(row, officer.map(sro_of).transpose()?)
}

/// [`get`] as a pipelined read (`db::reader`, PostgreSQL): the same statement, from the same
/// query, with the same binds.
pub async fn get_pipelined(reader: &Reader, ctx: &Context, id: Uuid) -> AppResult<School> {
    let board = readable_board(ctx)?;
    let (day, id, unscoped, limit) = (time::today(), id.to_string(), board.is_none(), 1_i64);
    let primary = AssignmentRole::Primary.as_str();
    // The binds in the order `school_by_id!` places them (checked by a unit test below).
    let row = reader
        .query_opt(&GET_SQL, &[&primary, &day, &day, &id, &unscoped, &board, &limit])
        .await?
        .ok_or(AppError::NotFound)?;
    let school = SchoolRow::from_pg(&row, 0)?;
    let officer = rows::opt_from_pg::<OfficerRow>(&row, SchoolRow::COLUMNS)?;
    to_wire(school, officer.map(sro_of).transpose()?)
}

/// The one school statement on PostgreSQL, as Diesel writes it for [`get`].
static GET_SQL: LazyLock<String> = LazyLock::new(|| {
    let query = school_by_id!(chrono::NaiveDate::MIN, String::new(), None);
    let text = diesel::debug_query::<diesel::pg::Pg, _>(&query).to_string();
    text.split(" -- binds: ").next().unwrap_or_default().to_owned()
});

/// The board the caller's school reads are limited to (`None`: every school), or 404 when it
/// may read none.
fn readable_board(ctx: &Context) -> AppResult<Option<String>> {
    match policy::school_scope(ctx) {
        policy::SchoolScope::All => Ok(None),
        policy::SchoolScope::Board(board) => Ok(Some(board.to_string())),
        policy::SchoolScope::Nothing => Err(AppError::NotFound),
    }
}

fn find_by_number(conn: &mut DbConn, number: &str) -> AppResult<Option<SchoolRow>> {
    Ok(schools::table
        .filter(schools::ministry_number.eq(number))
        .select(SchoolRow::as_select())
        .first(conn)
        .optional()?)
}

/// One school by its ministry number.
pub fn get_by_number(conn: &mut DbConn, ctx: &Context, number: &str) -> AppResult<School> {
    let row = find_by_number(conn, number)?.ok_or(AppError::NotFound)?;
    if !visible(conn, ctx, &row)? {
        return Err(AppError::NotFound);
    }
    to_school(conn, row)
}

/// What the request alone says about a school body: parsing, the caller's own board, and on
/// PUT the path's ministry number. Error paths start with `prefix` (`rows[3].` in an import).
pub fn prepare(
    ctx: &Context,
    body: &Map<String, Value>,
    prefix: &str,
    path_number: Option<&str>,
) -> Result<NewSchool, Vec<FieldError>> {
    let mut body = body.clone();
    if let Some(own) = ctx.caller.board_scope() {
        // A board client that leaves board_id out gets its own board.
        if body.get("board_id").is_none_or(Value::is_null) {
            body.insert("board_id".into(), Value::String(own.to_string()));
        }
    }
    let mut errors = Vec::new();
    if let Some(number) = path_number {
        match body.get("ministry_number") {
            None => {
                body.insert("ministry_number".into(), Value::String(number.to_owned()));
            }
            Some(Value::String(given)) if given == number => {}
            Some(_) => {
                errors.push(FieldError::new(format!("{prefix}ministry_number"), crate::msg!("must_equal_path_number")))
            }
        }
    }
    let parsed = NewSchool::parse(&body, prefix);
    let school = match parsed {
        Ok(school) => Some(school),
        Err(more) => {
            errors.extend(more);
            None
        }
    };
    if let (Some(own), Some(school)) = (ctx.caller.board_scope(), &school) {
        if school.board_id != Some(own) {
            errors.push(FieldError::new(format!("{prefix}board_id"), crate::msg!("must_be_own_board")));
        }
    }
    match school {
        Some(school) if errors.is_empty() => Ok(school),
        _ => Err(errors),
    }
}

/// What needs the stored boards: the board exists and the school has its kind.
pub fn check_board(conn: &mut DbConn, school: &NewSchool, prefix: &str) -> AppResult<Vec<FieldError>> {
    let Some(board_id) = school.board_id else {
        return Ok(Vec::new());
    };
    let board: Option<BoardRow> =
        boards::table.find(board_id.to_string()).select(BoardRow::as_select()).first(conn).optional()?;
    Ok(match board {
        None => missing(&format!("{prefix}board_id"), false, crate::msg!("no_such_board")),
        Some(board) if board.kind != school.kind.as_str() => {
            vec![FieldError::new(format!("{prefix}kind"), crate::msg!("must_be_board_kind", kind = &board.kind))]
        }
        Some(_) => Vec::new(),
    })
}

fn row_from(input: &NewSchool, id: String, created_at: chrono::NaiveDateTime, version: i32) -> SchoolRow {
    SchoolRow {
        id,
        board_id: input.board_id.map(|b| b.to_string()),
        ministry_number: input.ministry_number.clone(),
        name: input.name.clone(),
        name_folded: text::fold(&input.name),
        level: input.level.to_string(),
        language: input.language.map(|l| l.to_string()),
        kind: input.kind.to_string(),
        street: input.street.clone(),
        city: input.city.clone(),
        postal_code: input.postal_code.clone(),
        phone: input.phone.clone(),
        active: input.active,
        created_at,
        updated_at: created_at,
        version,
    }
}

fn duplicate_number() -> AppError {
    AppError::conflict(ConflictCode::Duplicate, crate::msg!("duplicate_school_number"))
}

/// Creates a school (`POST /v1/schools`).
pub fn create(conn: &mut DbConn, ctx: &Context, body: &Map<String, Value>) -> AppResult<School> {
    let input = prepare(ctx, body, "", None).map_err(AppError::Validation)?;
    let row = journal::write_reference(conn, ctx, |conn, journal| {
        if find_by_number(conn, &input.ministry_number)?.is_some() {
            return Err(duplicate_number());
        }
        let errors = check_board(conn, &input, "")?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let row = row_from(&input, new_id().to_string(), time::now(), 1);
        diesel::insert_into(schools::table).values(&row).execute(conn)?;
        journal.changed("schools", &row.id, Op::Created, row.version);
        Ok(row)
    })?;
    to_school(conn, row)
}

/// The school with this ministry number, if any, checked for the caller (404 if it may not see
/// it) and for `If-Match` (412; also when there is no such school).
pub fn find_for_write(
    conn: &mut DbConn,
    ctx: &Context,
    number: &str,
    if_match: Option<&IfMatch>,
) -> AppResult<Option<SchoolRow>> {
    match find_by_number(conn, number)? {
        None if if_match.is_some() => Err(AppError::PreconditionFailed),
        None => Ok(None),
        Some(existing) if !visible(conn, ctx, &existing)? => Err(AppError::NotFound),
        Some(existing) => {
            check_version(if_match, existing.version)?;
            Ok(Some(existing))
        }
    }
}

/// Writes `input` as a new school or over `existing`, inside the caller's transaction. A write
/// that changes nothing leaves the row, its `updated_at` and its `version` alone.
pub fn write(
    conn: &mut DbConn,
    journal: &mut Journal,
    input: &NewSchool,
    existing: Option<SchoolRow>,
) -> AppResult<(SchoolRow, Outcome)> {
    let Some(existing) = existing else {
        let row = row_from(input, new_id().to_string(), time::now(), 1);
        diesel::insert_into(schools::table).values(&row).execute(conn)?;
        journal.changed("schools", &row.id, Op::Created, row.version);
        return Ok((row, Outcome::Created));
    };
    let mut candidate = row_from(input, existing.id.clone(), existing.created_at, existing.version);
    candidate.updated_at = existing.updated_at;
    if candidate == existing {
        return Ok((existing, Outcome::Unchanged));
    }
    candidate.updated_at = time::now();
    candidate.version = existing.version + 1;
    let touched = diesel::update(schools::table.find(&existing.id).filter(schools::version.eq(existing.version)))
        .set(&candidate)
        .execute(conn)?;
    super::one_row(touched)?;
    journal.changed("schools", &existing.id, Op::Updated, candidate.version);
    Ok((candidate, Outcome::Updated))
}

/// `PUT /v1/schools/by-ministry-number/{number}`: full replacement or creation.
pub fn put_by_number(
    conn: &mut DbConn,
    ctx: &Context,
    number: &str,
    body: &Map<String, Value>,
    if_match: Option<IfMatch>,
) -> AppResult<(School, Outcome)> {
    let input = prepare(ctx, body, "", Some(number)).map_err(AppError::Validation)?;
    let (row, outcome) = super::retry_duplicates(|| {
        journal::write_reference(conn, ctx, |conn, journal| {
            // 404 and 412 come before the 422s that need the stored boards.
            let existing = find_for_write(conn, ctx, number, if_match.as_ref())?;
            let errors = check_board(conn, &input, "")?;
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            write(conn, journal, &input, existing)
        })
    })?;
    Ok((to_school(conn, row)?, outcome))
}

/// Valid schools a patch is checked against before the stored one is read: a private school
/// and a board's school, so that the board/kind rules are left to the real record.
fn placeholders() -> Vec<Map<String, Value>> {
    let private = placeholder();
    let mut public = placeholder();
    public.insert("kind".into(), Value::String(SchoolKind::Public.to_string()));
    public.insert("board_id".into(), Value::String(Uuid::nil().to_string()));
    vec![private, public]
}

fn placeholder() -> Map<String, Value> {
    NewSchool {
        board_id: None,
        ministry_number: "000000".into(),
        name: "placeholder".into(),
        level: Default::default(),
        language: None,
        kind: SchoolKind::Private,
        street: None,
        city: None,
        postal_code: None,
        phone: None,
        active: true,
    }
    .to_map()
}

/// `PATCH /v1/schools/{id}` (JSON merge patch).
pub fn patch(
    conn: &mut DbConn,
    ctx: &Context,
    id: Uuid,
    patch: &Map<String, Value>,
    if_match: Option<IfMatch>,
) -> AppResult<School> {
    prevalidate(patch, placeholders(), |m| NewSchool::parse(m, ""))?;
    let row = journal::write_reference(conn, ctx, |conn, journal| {
        let existing = load_visible(conn, ctx, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        let current = to_wire(existing.clone(), None)?;
        let mut merged = NewSchool::from(&current).to_map();
        merge_patch(&mut merged, patch);
        let input = prepare(ctx, &merged, "", None).map_err(AppError::Validation)?;
        if input.ministry_number != existing.ministry_number && find_by_number(conn, &input.ministry_number)?.is_some()
        {
            return Err(duplicate_number());
        }
        let errors = check_board(conn, &input, "")?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(write(conn, journal, &input, Some(existing))?.0)
    })?;
    to_school(conn, row)
}

/// `DELETE /v1/schools/{id}`: refused (409) while anything refers to the school.
pub fn delete(conn: &mut DbConn, ctx: &Context, id: Uuid, if_match: Option<IfMatch>) -> AppResult<()> {
    journal::write_reference(conn, ctx, |conn, journal| {
        let existing = load_visible(conn, ctx, id)?;
        check_version(if_match.as_ref(), existing.version)?;
        let referring: i64 =
            assignments::table.filter(assignments::school_id.eq(&existing.id)).count().get_result(conn)?;
        if referring > 0 {
            return Err(AppError::conflict(ConflictCode::StillReferenced, crate::msg!("school_still_referenced")));
        }
        diesel::delete(schools::table.find(&existing.id)).execute(conn)?;
        journal.changed("schools", &existing.id, Op::Deleted, existing.version);
        Ok(())
    })
}

/// Bumps the version of every school whose current primary SRO is `officer_id` (the school
/// embeds the officer's name, phone and email), in id order.
pub fn touch_embedding(conn: &mut DbConn, journal: &mut Journal, officer_id: &str) -> AppResult<()> {
    let today = time::today();
    let mut ids: Vec<String> = assignments::table
        .filter(assignments::officer_id.eq(officer_id))
        .filter(assignments::role.eq(AssignmentRole::Primary.as_str()))
        .filter(in_force!(today))
        .select(assignments::school_id)
        .load(conn)?;
    ids.sort();
    ids.dedup();
    for id in ids {
        touch(conn, journal, &id)?;
    }
    Ok(())
}

/// Bumps a school's version: it embeds its SRO, so every assignment write changes it.
/// Also takes the row lock that serialises assignment writes of one school on PostgreSQL.
pub fn touch(conn: &mut DbConn, journal: &mut Journal, school_id: &str) -> AppResult<()> {
    let changed = diesel::update(schools::table.find(school_id))
        .set((schools::version.eq(schools::version + 1), schools::updated_at.eq(time::now())))
        .execute(conn)?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    let version: i32 = schools::table.find(school_id).select(schools::version).first(conn)?;
    journal.changed("schools", school_id, Op::Updated, version);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pipelined read passes its binds by position: a reordered filter in `school_by_id!`
    /// would silently compare the id with the board (or the day with the role) without this.
    #[test]
    fn the_pipelined_school_read_binds_in_the_order_of_the_query() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap_or_default();
        let query = school_by_id!(day, "the-id".to_owned(), Some("the-board".to_owned()));
        let text = diesel::debug_query::<diesel::pg::Pg, _>(&query).to_string();
        let binds = text.split(" -- binds: ").nth(1).unwrap_or_default();
        assert_eq!(binds, r#"["primary", 2026-01-02, 2026-01-02, "the-id", false, Some("the-board"), 1]"#);
        assert!(GET_SQL.contains("$7") && !GET_SQL.contains("$8") && !GET_SQL.contains("binds"), "{}", *GET_SQL);
    }
}
