//! The test harness: a fresh database per test (SQLite file or PostgreSQL database cloned from
//! a migrated template), the real app in-process, real tokens, and small request helpers.

pub mod db;
pub mod proxy;
pub mod receiver;
pub mod wire;
pub mod world;

use std::rc::Rc;
use std::sync::OnceLock;

use actix_web::body::{to_bytes, BoxBody};
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use futures_util::future::LocalBoxFuture;
use serde_json::{json, Value};
use uuid::Uuid;

use sro_api::app::{self, OpenApiText};
use sro_api::auth::keys::generate_private_pem;
use sro_api::config::Config;
use sro_api::domain::access::{Caller, Role, Scope};
use sro_api::domain::client::NewClient;
use sro_api::state::AppState;

pub use db::TestDb;

/// The four boards' fixed ids.
pub const OCDSB: &str = "018f0000-0000-7000-8000-000000000001";
pub const OCSB: &str = "018f0000-0000-7000-8000-000000000002";
pub const CECCE: &str = "018f0000-0000-7000-8000-000000000003";
pub const CEPEO: &str = "018f0000-0000-7000-8000-000000000004";

type Call = Rc<dyn Fn(actix_http::Request) -> LocalBoxFuture<'static, ServiceResponse<BoxBody>>>;

/// One signing key per test process: generating keys in the database is tested on its own.
pub fn test_signing_key() -> String {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| generate_private_pem().expect("key")).clone()
}

/// A running app on its own database.
pub struct TestApp {
    call: Call,
    /// The app's shared state (pool, keys).
    pub state: AppState,
    /// The database, dropped after the app.
    _db: TestDb,
}

/// A response: status, headers and the body as JSON (Null if not JSON) and text.
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// The `field` of every entry of a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    /// Asserts a problem+json answer with this status and type slug.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, slug: &str) {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert_eq!(self.header("content-type").as_deref(), Some("application/problem+json"));
        assert_eq!(self.body["type"], format!("https://sro-api.example/problems/{slug}"));
        assert_eq!(self.body["status"], status);
        assert!(self.body["request_id"].is_string());
    }
}

impl TestApp {
    /// A fresh app on a fresh, migrated database.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// An app on a database that already exists (filled by the CLI, say).
    pub async fn spawn_on(db: TestDb) -> TestApp {
        let mut config = Config { database_url: db.url.clone(), db_pool_size: 4, ..Config::default() };
        config.jwt_signing_key = Some(test_signing_key());
        Self::on(db, config).await
    }

    /// A fresh app whose configuration `tweak` may change.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let db = TestDb::create();
        let mut config = Config { database_url: db.url.clone(), db_pool_size: 4, ..Config::default() };
        config.jwt_signing_key = Some(test_signing_key());
        tweak(&mut config);
        Self::on(db, config).await
    }

    /// An app on an existing database with `config`.
    pub async fn on(db: TestDb, config: Config) -> TestApp {
        let (state, _) =
            actix_web::web::block(move || sro_api::server::prepare(config)).await.expect("block").expect("prepare");
        let openapi = OpenApiText::committed();
        let known = sro_api::http::methods::KnownRoutes::from_json(openapi.0).unwrap();
        let service = Rc::new(test::init_service(app::build(state.clone(), openapi, known)).await);
        let call: Call = Rc::new(move |req| {
            let service = Rc::clone(&service);
            Box::pin(async move {
                match service.call(req).await {
                    Ok(res) => res.map_into_boxed_body(),
                    Err(err) => panic!("service error escaped the error handler: {err}"),
                }
            })
        });
        TestApp { call, state, _db: db }
    }

    /// Creates an agency through the service layer (for agency clients) and returns its id.
    pub async fn new_agency(&self, name: &str, kind: &str) -> Uuid {
        let body = serde_json::json!({"name": name, "kind": kind});
        let body = body.as_object().cloned().expect("object");
        let ctx = sro_api::domain::context::Context::system("test");
        let agency = sro_api::http::blocking::run(&self.state.pool, move |conn| {
            sro_api::service::agencies::create(conn, &ctx, &body)
        })
        .await
        .expect("create agency");
        agency.id
    }

    /// A token for a client of the agency `agency`.
    pub async fn agency_token(&self, agency: Uuid) -> String {
        self.token_with(Role::Agency, None, None, Some(agency), None).await
    }

    /// Creates a client through the service layer and returns a real token for it.
    pub async fn token_for(
        &self,
        role: Role,
        board: Option<&str>,
        officer: Option<Uuid>,
        scopes: Option<Vec<Scope>>,
    ) -> String {
        let agency =
            if role == Role::Agency { Some(self.new_agency("Test agency", "youth_services").await) } else { None };
        self.token_with(role, board, officer, agency, scopes).await
    }

    /// Creates a client with every binding given and returns a real token for it.
    pub async fn token_with(
        &self,
        role: Role,
        board: Option<&str>,
        officer: Option<Uuid>,
        agency: Option<Uuid>,
        scopes: Option<Vec<Scope>>,
    ) -> String {
        let input = NewClient {
            name: format!("test {role}"),
            role,
            board_id: board.map(|b| Uuid::parse_str(b).expect("board id")),
            agency_id: agency,
            officer_id: officer,
            scopes,
        };
        let created = sro_api::http::blocking::run(&self.state.pool, move |conn| {
            sro_api::service::clients::create(conn, &sro_api::domain::context::Context::system("test"), input)
        })
        .await
        .expect("create client");
        self.issue(&Caller {
            client_id: created.client.id,
            role,
            board_id: created.client.board_id,
            officer_id: created.client.officer_id,
            agency_id: created.client.agency_id,
            scopes: created.client.scopes.into(),
        })
    }

    /// Creates a client and returns its id and secret (for `/oauth/token` tests).
    pub async fn credentials(&self, role: Role, board: Option<&str>, scopes: Option<Vec<Scope>>) -> (String, String) {
        let agency =
            if role == Role::Agency { Some(self.new_agency("Test agency", "youth_services").await) } else { None };
        let input = NewClient {
            name: format!("creds {role}"),
            role,
            board_id: board.map(|b| Uuid::parse_str(b).expect("board id")),
            agency_id: agency,
            officer_id: None,
            scopes,
        };
        let created = sro_api::http::blocking::run(&self.state.pool, move |conn| {
            sro_api::service::clients::create(conn, &sro_api::domain::context::Context::system("test"), input)
        })
        .await
        .expect("create client");
        (created.client_id.to_string(), created.client_secret)
    }

    /// Signs a token for `caller` with the app's key.
    pub fn issue(&self, caller: &Caller) -> String {
        let keys = self.state.keys().expect("keys");
        sro_api::auth::token::issue(&keys, &self.state.token_settings(), caller).expect("issue").0
    }

    /// An admin token.
    pub async fn admin(&self) -> String {
        self.token_for(Role::Admin, None, None, None).await
    }

    /// A board client's token.
    pub async fn board(&self, board: &str) -> String {
        self.token_for(Role::Board, Some(board), None, None).await
    }

    /// Sends a request.
    pub async fn send(&self, req: TestRequest) -> Resp {
        let res = (self.call)(req.to_request()).await;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = to_bytes(res.into_body()).await.unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp { status, headers, body, text }
    }

    fn authed(req: TestRequest, token: &str) -> TestRequest {
        if token.is_empty() {
            req
        } else {
            req.insert_header(("authorization", format!("Bearer {token}")))
        }
    }

    /// GET with a token ("" for none).
    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.send(Self::authed(TestRequest::get().uri(path), token)).await
    }

    /// POST a JSON body.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.send(Self::authed(TestRequest::post().uri(path), token).set_json(body)).await
    }

    /// PUT a JSON body.
    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.send(Self::authed(TestRequest::put().uri(path), token).set_json(body)).await
    }

    /// PATCH a JSON body.
    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.send(Self::authed(TestRequest::patch().uri(path), token).set_json(body)).await
    }

    /// PATCH with `If-Match`.
    pub async fn patch_if(&self, path: &str, token: &str, etag: &str, body: &Value) -> Resp {
        let req = Self::authed(TestRequest::patch().uri(path), token).insert_header(("if-match", etag)).set_json(body);
        self.send(req).await
    }

    /// DELETE.
    pub async fn delete(&self, path: &str, token: &str) -> Resp {
        self.send(Self::authed(TestRequest::delete().uri(path), token)).await
    }

    /// Sends raw bytes with a content type.
    pub async fn raw(
        &self,
        method: actix_web::http::Method,
        path: &str,
        token: &str,
        content_type: &str,
        body: impl Into<actix_web::web::Bytes>,
    ) -> Resp {
        let req = Self::authed(TestRequest::default().method(method).uri(path), token)
            .insert_header(("content-type", content_type))
            .set_payload(body.into());
        self.send(req).await
    }

    /// Creates a school (admin) and returns its body.
    pub async fn school(&self, admin: &str, number: &str, board: &str) -> Value {
        let kind = if board == OCSB || board == CECCE { "catholic" } else { "public" };
        let res = self.post("/v1/schools", admin, &school_body(number, Some(board), kind)).await;
        assert_eq!(res.status, 201, "{}", res.text);
        res.body
    }

    /// Creates an officer (admin) and returns its body.
    pub async fn officer(&self, admin: &str, badge: &str) -> Value {
        let res = self
            .post("/v1/officers", admin, &json!({"badge_number": badge, "first_name": "Marie", "last_name": "Tremblay", "email": format!("o{badge}@police.example"), "phone": "613-555-0100"}))
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        res.body
    }
}

/// A valid school body.
pub fn school_body(number: &str, board: Option<&str>, kind: &str) -> Value {
    json!({
        "ministry_number": number,
        "name": format!("École secondaire {number}"),
        "level": "secondary",
        "language": "fr",
        "kind": kind,
        "board_id": board,
        "street": "1 Rue Principale",
        "city": "Ottawa",
        "postal_code": "k1a 0b1",
        "phone": "613-555-0000"
    })
}

/// An admin caller whose client is in no database (for tokens signed without the service).
pub fn admin_caller() -> Caller {
    Caller {
        client_id: Uuid::now_v7(),
        role: Role::Admin,
        board_id: None,
        officer_id: None,
        agency_id: None,
        scopes: Role::Admin.allowed_scopes().into(),
    }
}

/// An admin token signed with [`test_signing_key`] and the default issuer and audience, for a
/// server started outside the harness.
pub fn offline_admin_token() -> String {
    let keys = sro_api::auth::keys::KeyRing::new(&test_signing_key(), &[]).expect("key");
    let settings =
        sro_api::auth::token::TokenSettings { issuer: "sro-api".into(), audience: "sro-api".into(), ttl_seconds: 600 };
    sro_api::auth::token::issue(&keys, &settings, &admin_caller()).expect("issue").0
}

/// Today in the city's time zone, as the service sees it.
pub fn today() -> chrono::NaiveDate {
    sro_api::domain::time::today()
}

/// `today` shifted by `days`, as `YYYY-MM-DD`.
pub fn day(days: i64) -> String {
    (today() + chrono::Duration::days(days)).format("%Y-%m-%d").to_string()
}

/// The ids of a list page, in order.
pub fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .map(|a| a.iter().map(|v| v["id"].as_str().unwrap_or_default().to_owned()).collect())
        .unwrap_or_default()
}
