//! API clients: wire types and input parsing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::{Role, Scope};
use super::query::{Params, Window};
use super::validate::{parse_bool, FieldError, Fields};

/// An API client (never with its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Client {
    /// The client id, used as `client_id` at `/oauth/token` and as the token's `sub`.
    pub id: Uuid,
    /// Human name of the integration.
    pub name: String,
    /// Role; caps the scopes.
    pub role: Role,
    /// The board a `board` client is bound to.
    pub board_id: Option<Uuid>,
    /// The agency an `agency` client is bound to.
    pub agency_id: Option<Uuid>,
    /// The officer an `officer` client is bound to.
    pub officer_id: Option<Uuid>,
    /// Scopes granted.
    pub scopes: Vec<Scope>,
    /// False once disabled: no new tokens, old ones refused within 60 s.
    pub active: bool,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i32,
}

/// A client just created, with its secret: shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedClient {
    /// The client.
    #[serde(flatten)]
    pub client: Client,
    /// Same as `id`, for OAuth tools.
    pub client_id: Uuid,
    /// The secret; only a slow salted hash is kept.
    pub client_secret: String,
}

/// The body of `POST /v1/clients`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    /// Human name of the integration.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub name: String,
    /// Role.
    pub role: Role,
    /// Required for `board` (id or code such as `OCDSB` from the CLI; id here).
    pub board_id: Option<Uuid>,
    /// Required for `agency`.
    pub agency_id: Option<Uuid>,
    /// Required for `officer`.
    pub officer_id: Option<Uuid>,
    /// Scopes; without it the role's full set. A scope outside the role's set is refused.
    pub scopes: Option<Vec<Scope>>,
}

impl NewClient {
    /// Reads a client from a JSON object, naming every bad field.
    pub fn parse(map: &Map<String, Value>) -> Result<NewClient, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let name = f.req_str("name", 200);
        let role: Role = f.req_enum("role");
        let board_id = f.opt_uuid("board_id");
        let agency_id = f.opt_uuid("agency_id");
        let officer_id = f.opt_uuid("officer_id");
        let scope_words = f.opt_str_list("scopes");
        let mut scopes = None;
        if let Some(words) = scope_words {
            let parsed: Result<Vec<Scope>, _> = words.iter().map(|w| w.parse()).collect();
            match parsed {
                Ok(list) => scopes = Some(list),
                Err(_) => f.error("scopes", crate::msg!("unknown_scope_in_list")),
            }
        }
        let client = NewClient { name, role, board_id, agency_id, officer_id, scopes };
        if f.clean("role") {
            for (field, message) in client.binding_errors() {
                f.error(field, message);
            }
        }
        f.finish()?;
        Ok(client)
    }

    /// What is wrong with the binding and scopes for the role.
    pub fn binding_errors(&self) -> Vec<(&'static str, super::i18n::Msg)> {
        let mut out = Vec::new();
        let bindings = [
            ("board_id", self.board_id.is_some()),
            ("agency_id", self.agency_id.is_some()),
            ("officer_id", self.officer_id.is_some()),
        ];
        let needed = self.role.binding_field();
        for (field, given) in bindings {
            if Some(field) == needed && !given {
                out.push((field, crate::msg!("required_for_role", role = self.role)));
            } else if Some(field) != needed && given {
                out.push((field, crate::msg!("absent_for_role", role = self.role)));
            }
        }
        if let Some(scopes) = &self.scopes {
            let allowed = self.role.allowed_scopes();
            let outside: Vec<&str> = scopes.iter().filter(|s| !allowed.contains(s)).map(|s| s.as_str()).collect();
            if !outside.is_empty() {
                out.push((
                    "scopes",
                    crate::msg!("scopes_not_allowed_for_role", role = self.role, scopes = outside.join(" ")),
                ));
            }
        }
        out
    }

    /// The scopes to grant: those asked for, or the role's full set.
    pub fn granted_scopes(&self) -> Vec<Scope> {
        self.scopes.clone().unwrap_or_else(|| self.role.allowed_scopes())
    }
}

/// Filters of `GET /v1/clients`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientQuery {
    /// Only clients of this role.
    pub role: Option<Role>,
    /// `true`: enabled clients only; `false`: disabled ones only.
    pub active: Option<bool>,
}

impl ClientQuery {
    /// Reads the filters and the list window from a raw query string.
    pub fn parse(raw: &str) -> Result<(ClientQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = ClientQuery { role: p.opt_enum("role"), active: p.opt("active", parse_bool) };
        Ok((query, p.finish()?))
    }
}

/// Why a token request was refused (RFC 6749 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// Unknown client, wrong secret or disabled client.
    InvalidClient,
    /// A scope the client does not hold.
    InvalidScope,
}

impl Client {
    /// The caller a token for this client speaks for, its scopes narrowed to `requested` (OAuth
    /// `scope`, space-separated) when given; a scope the client lacks is `InvalidScope`.
    pub fn grant(&self, requested: Option<&str>) -> Result<super::access::Caller, AuthFailure> {
        let scopes: Vec<Scope> = match requested {
            None => self.scopes.clone(),
            Some(text) => match super::access::parse_scopes(text) {
                Ok(asked) if asked.iter().all(|s| self.scopes.contains(s)) => asked,
                _ => return Err(AuthFailure::InvalidScope),
            },
        };
        Ok(super::access::Caller {
            client_id: self.id,
            role: self.role,
            board_id: self.board_id,
            officer_id: self.officer_id,
            agency_id: self.agency_id,
            scopes: scopes.into(),
        })
    }
}
