//! API clients: creation (secret shown once), listing, disabling, and authentication at
//! `/oauth/token`.

use std::collections::HashSet;

use diesel::prelude::*;
use uuid::Uuid;

use super::journal;
use super::keyset;
use crate::db::rows::{self, ClientRow};
use crate::db::schema::{boards, clients, officers};
use crate::db::DbConn;
use crate::domain::access::{parse_scopes, scopes_to_string};
use crate::domain::client::{Client, ClientQuery, CreatedClient, NewClient};
use crate::domain::context::Context;
use crate::domain::page::{paginate, Page};
use crate::domain::query::Window;
use crate::domain::secret;
use crate::domain::{new_id, time};
use crate::error::{AppError, AppResult};

fn to_wire(row: ClientRow) -> AppResult<Client> {
    Ok(Client {
        id: rows::uuid(&row.id)?,
        role: rows::enum_value(&row.role)?,
        board_id: rows::opt_uuid(row.board_id.as_deref())?,
        agency_id: rows::opt_uuid(row.agency_id.as_deref())?,
        officer_id: rows::opt_uuid(row.officer_id.as_deref())?,
        scopes: parse_scopes(&row.scopes).map_err(AppError::Internal)?,
        name: row.name,
        active: row.active,
        created_at: time::to_utc(row.created_at),
        updated_at: time::to_utc(row.updated_at),
        version: row.version,
    })
}

/// Creates a client and returns it with its secret, shown this once.
pub fn create(conn: &mut DbConn, ctx: &Context, input: NewClient) -> AppResult<CreatedClient> {
    let client_secret = secret::generate();
    let secret_hash = secret::hash(&client_secret).map_err(AppError::Internal)?;
    let now = time::now();
    let row = ClientRow {
        id: new_id().to_string(),
        name: input.name.clone(),
        role: input.role.to_string(),
        board_id: input.board_id.map(|id| id.to_string()),
        agency_id: input.agency_id.map(|id| id.to_string()),
        officer_id: input.officer_id.map(|id| id.to_string()),
        scopes: scopes_to_string(&input.granted_scopes()),
        secret_hash,
        active: true,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let row = journal::write_reference(conn, ctx, |conn, _| {
        let mut errors = Vec::new();
        if let Some(board) = &row.board_id {
            if boards::table.find(board).count().get_result::<i64>(conn)? == 0 {
                errors.push(crate::domain::validate::FieldError::new("board_id", crate::msg!("no_such_board")));
            }
        }
        if let Some(agency) = &row.agency_id {
            if crate::db::schema::agencies::table.find(agency).count().get_result::<i64>(conn)? == 0 {
                errors.push(crate::domain::validate::FieldError::new("agency_id", crate::msg!("no_such_agency")));
            }
        }
        if let Some(officer) = &row.officer_id {
            if officers::table.find(officer).count().get_result::<i64>(conn)? == 0 {
                errors.push(crate::domain::validate::FieldError::new("officer_id", crate::msg!("no_such_officer")));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        diesel::insert_into(clients::table).values(&row).execute(conn)?;
        Ok::<_, AppError>(row.clone())
    })?;
    let client = to_wire(row)?;
    Ok(CreatedClient { client_id: client.id, client, client_secret })
}

/// One page of clients.
pub fn list(conn: &mut DbConn, query: &ClientQuery, window: &Window) -> AppResult<Page<Client>> {
    let mut q = clients::table.select(ClientRow::as_select()).into_boxed();
    if let Some(role) = query.role {
        q = q.filter(clients::role.eq(role.as_str()));
    }
    if let Some(active) = query.active {
        q = q.filter(clients::active.eq(active));
    }
    let rows: Vec<ClientRow> = keyset!(q, clients, window).load(conn)?;
    paginate(rows, window, to_wire)
}

/// One client.
pub fn get(conn: &mut DbConn, id: Uuid) -> AppResult<Client> {
    let row: ClientRow = clients::table.find(id.to_string()).select(ClientRow::as_select()).first(conn)?;
    to_wire(row)
}

/// Disables a client (`active: false`): no new tokens; its tokens are refused once instances
/// refresh. Enables it again with `active: true`. Setting what is already set changes nothing.
pub fn set_active(conn: &mut DbConn, ctx: &Context, id: Uuid, active: bool) -> AppResult<Client> {
    journal::write_reference(conn, ctx, |conn, _| {
        let row: ClientRow = clients::table.find(id.to_string()).select(ClientRow::as_select()).first(conn)?;
        if row.active != active {
            diesel::update(clients::table.find(&row.id))
                .set((
                    clients::active.eq(active),
                    clients::updated_at.eq(time::now()),
                    clients::version.eq(row.version + 1),
                ))
                .execute(conn)?;
        }
        get(conn, id)
    })
}

/// Ids of disabled clients.
pub fn disabled_ids(conn: &mut DbConn) -> AppResult<HashSet<Uuid>> {
    let ids: Vec<String> = clients::table.filter(clients::active.eq(false)).select(clients::id).load(conn)?;
    Ok(ids.iter().filter_map(|id| Uuid::parse_str(id).ok()).collect())
}

/// What `/oauth/token` needs of a client: the client and its stored secret hash.
pub struct TokenClient {
    /// The client.
    pub client: Client,
    /// Its Argon2id hash, verified by the caller once the connection is released.
    pub secret_hash: String,
}

/// The client `client_id` names, if any, for a token request. The secret is verified by the
/// caller after this returns, so the slow hash never holds a pooled connection.
pub fn for_token(conn: &mut DbConn, client_id: &str) -> AppResult<Option<TokenClient>> {
    let Ok(id) = crate::domain::validate::parse_uuid(client_id) else {
        return Ok(None);
    };
    let row: Option<ClientRow> =
        clients::table.find(id.to_string()).select(ClientRow::as_select()).first(conn).optional()?;
    row.map(|row| {
        let secret_hash = row.secret_hash.clone();
        Ok(TokenClient { client: to_wire(row)?, secret_hash })
    })
    .transpose()
}
