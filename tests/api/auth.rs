//! `/oauth/token`, token validation and `/v1/me`.

use actix_web::http::Method;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::support::*;
use sro_api::auth::keys::{generate_private_pem, public_pem, KeyRing};
use sro_api::auth::token::Claims;
use sro_api::domain::access::{Role, Scope};

async fn token_request(app: &TestApp, form: &str, basic: Option<(&str, &str)>) -> Resp {
    let mut req = actix_web::test::TestRequest::post()
        .uri("/oauth/token")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(form.to_owned());
    if let Some((id, secret)) = basic {
        req = req.insert_header(("authorization", format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))));
    }
    app.send(req).await
}

fn claims(app: &TestApp, exp_offset: i64) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        iss: app.state.config.jwt_issuer.clone(),
        sub: uuid::Uuid::now_v7().to_string(),
        aud: app.state.config.jwt_audience.clone(),
        exp: now + exp_offset,
        iat: now - 10,
        nbf: None,
        jti: "j".into(),
        scope: "boards:read schools:read".into(),
        role: "admin".into(),
        board_id: None,
        officer_id: None,
        agency_id: None,
    }
}

fn sign(pem: &str, kid: &str, claims: &Claims) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_ec_pem(pem.as_bytes()).unwrap()).unwrap()
}

#[actix_web::test]
async fn a_client_gets_a_bearer_token_with_http_basic() {
    let app = TestApp::spawn().await;
    let (id, secret) = app.credentials(Role::Admin, None, None).await;
    let res = token_request(&app, "grant_type=client_credentials", Some((&id, &secret))).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["token_type"], "Bearer");
    assert_eq!(res.body["expires_in"], 900);
    assert_eq!(res.header("cache-control").as_deref(), Some("no-store"));
    let token = res.body["access_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::ES256);
    assert_eq!(header.kid.as_deref(), Some(app.state.keys().unwrap().kid()));
    let me = app.get("/v1/me", token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["client_id"], id);
    assert_eq!(me.body["role"], "admin");
    assert_eq!(me.body["name"], "creds admin");
    assert!(me.body["expires_at"].as_str().unwrap().ends_with('Z'));
}

#[actix_web::test]
async fn a_client_may_send_credentials_in_the_form_and_narrow_its_scopes() {
    let app = TestApp::spawn().await;
    let (id, secret) = app.credentials(Role::Board, Some(OCDSB), None).await;
    let form = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=schools:read");
    let res = token_request(&app, &form, None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["scope"], "schools:read");
    let token = res.body["access_token"].as_str().unwrap();
    assert_eq!(app.get("/v1/schools", token).await.status, 200);
    app.post("/v1/schools", token, &school_body("123456", None, "public")).await.assert_problem(403, "forbidden");
    let me = app.get("/v1/me", token).await;
    assert_eq!(me.body["board_id"], OCDSB);
    assert_eq!(me.body["scopes"], json!(["schools:read"]));
}

#[actix_web::test]
async fn token_errors_follow_rfc_6749() {
    let app = TestApp::spawn().await;
    let (id, secret) = app.credentials(Role::Board, Some(OCDSB), None).await;
    let wrong = token_request(&app, "grant_type=client_credentials", Some((&id, "wrong"))).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.body["error"], "invalid_client");
    assert!(wrong.header("www-authenticate").is_some());
    let unknown =
        token_request(&app, "grant_type=client_credentials", Some((&uuid::Uuid::now_v7().to_string(), &secret))).await;
    assert_eq!(unknown.body["error"], "invalid_client");
    let grant = token_request(&app, "grant_type=password", Some((&id, &secret))).await;
    assert_eq!((grant.status, grant.body["error"].as_str()), (400, Some("unsupported_grant_type")));
    let scope = token_request(&app, "grant_type=client_credentials&scope=persons:read", Some((&id, &secret))).await;
    assert_eq!((scope.status, scope.body["error"].as_str()), (400, Some("invalid_scope")));
    let missing = token_request(&app, "scope=schools:read", Some((&id, &secret))).await;
    assert_eq!((missing.status, missing.body["error"].as_str()), (400, Some("invalid_request")));
    let json_body = app.raw(Method::POST, "/oauth/token", "", "application/json", "{}").await;
    assert_eq!((json_body.status, json_body.body["error"].as_str()), (400, Some("invalid_request")));
    let none = token_request(&app, "grant_type=client_credentials", None).await;
    assert_eq!(none.body["error"], "invalid_client");
}

#[actix_web::test]
async fn a_missing_or_garbled_token_is_401_with_www_authenticate() {
    let app = TestApp::spawn().await;
    let res = app.get("/v1/schools", "").await;
    res.assert_problem(401, "unauthorized");
    assert!(res.header("www-authenticate").unwrap().starts_with("Bearer"));
    app.get("/v1/schools", "not.a.token").await.assert_problem(401, "unauthorized");
}

#[actix_web::test]
async fn expired_tokens_are_refused_beyond_30_seconds_of_skew() {
    let app = TestApp::spawn().await;
    let kid = app.state.keys().unwrap().kid().to_owned();
    let expired = sign(&test_signing_key(), &kid, &claims(&app, -120));
    app.get("/v1/boards", &expired).await.assert_problem(401, "unauthorized");
    let within_skew = sign(&test_signing_key(), &kid, &claims(&app, -5));
    assert_eq!(app.get("/v1/me", &within_skew).await.status, 404, "a valid token whose client does not exist");
}

#[actix_web::test]
async fn a_token_whose_nbf_is_in_the_future_is_refused() {
    let app = TestApp::spawn().await;
    let kid = app.state.keys().unwrap().kid().to_owned();
    let mut early = claims(&app, 600);
    early.nbf = Some(chrono::Utc::now().timestamp() + 120);
    app.get("/v1/boards", &sign(&test_signing_key(), &kid, &early)).await.assert_problem(401, "unauthorized");
    early.nbf = Some(chrono::Utc::now().timestamp() - 5);
    assert_eq!(app.get("/v1/boards", &sign(&test_signing_key(), &kid, &early)).await.status, 200);
}

#[actix_web::test]
async fn alg_none_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let kid = app.state.keys().unwrap().kid().to_owned();
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT", "kid": kid}).to_string());
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_string(&claims(&app, 600)).unwrap());
    for token in [format!("{header}.{body}."), format!("{header}.{body}")] {
        app.get("/v1/boards", &token).await.assert_problem(401, "unauthorized");
    }
}

#[actix_web::test]
async fn tokens_signed_with_another_key_or_algorithm_are_refused() {
    let app = TestApp::spawn().await;
    let kid = app.state.keys().unwrap().kid().to_owned();
    let other = generate_private_pem().unwrap();
    app.get("/v1/boards", &sign(&other, &kid, &claims(&app, 600))).await.assert_problem(401, "unauthorized");
    let other_kid = KeyRing::new(&other, &[]).unwrap().kid().to_owned();
    app.get("/v1/boards", &sign(&other, &other_kid, &claims(&app, 600))).await.assert_problem(401, "unauthorized");
    // HS256 keyed with the public key: the classic algorithm-confusion attack.
    let public = public_pem(&test_signing_key()).unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid);
    let forged =
        jsonwebtoken::encode(&header, &claims(&app, 600), &EncodingKey::from_secret(public.as_bytes())).unwrap();
    app.get("/v1/boards", &forged).await.assert_problem(401, "unauthorized");
}

#[actix_web::test]
async fn a_wrong_audience_or_issuer_is_refused() {
    let app = TestApp::spawn().await;
    let kid = app.state.keys().unwrap().kid().to_owned();
    let mut aud = claims(&app, 600);
    aud.aud = "someone-else".into();
    app.get("/v1/boards", &sign(&test_signing_key(), &kid, &aud)).await.assert_problem(401, "unauthorized");
    let mut iss = claims(&app, 600);
    iss.iss = "someone-else".into();
    app.get("/v1/boards", &sign(&test_signing_key(), &kid, &iss)).await.assert_problem(401, "unauthorized");
}

#[actix_web::test]
async fn a_token_without_the_scope_is_403() {
    let app = TestApp::spawn().await;
    let dashboard = app.token_for(Role::Dashboard, None, None, None).await;
    assert_eq!(app.get("/v1/schools", &dashboard).await.status, 200, "reference data");
    app.post("/v1/schools", &dashboard, &school_body("123456", Some(OCDSB), "public"))
        .await
        .assert_problem(403, "forbidden");
    app.get("/v1/clients", &dashboard).await.assert_problem(403, "forbidden");
    let narrow = app.token_for(Role::Admin, None, None, Some(vec![Scope::BoardsRead])).await;
    app.get("/v1/schools", &narrow).await.assert_problem(403, "forbidden");
    let board = app.board(OCDSB).await;
    app.post("/v1/officers", &board, &json!({})).await.assert_problem(403, "forbidden");
    app.post("/v1/assignments", &board, &json!({})).await.assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn forbidden_comes_before_body_errors() {
    let app = TestApp::spawn().await;
    let dashboard = app.token_for(Role::Dashboard, None, None, None).await;
    let res = app.raw(Method::POST, "/v1/schools", &dashboard, "application/json", "{not json").await;
    res.assert_problem(403, "forbidden");
    let res = app.raw(Method::POST, "/v1/schools", "", "application/json", "{not json").await;
    res.assert_problem(401, "unauthorized");
}

#[actix_web::test]
async fn a_disabled_client_gets_no_token_and_its_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (id, secret) = app.credentials(Role::Board, Some(OCDSB), None).await;
    let token = token_request(&app, "grant_type=client_credentials", Some((&id, &secret))).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.get("/v1/schools", &token).await.status, 200);
    let res = app.post(&format!("/v1/clients/{id}/disable"), &admin, &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["active"], false);
    app.get("/v1/schools", &token).await.assert_problem(401, "unauthorized");
    let again = token_request(&app, "grant_type=client_credentials", Some((&id, &secret))).await;
    assert_eq!(again.body["error"], "invalid_client");
}

#[actix_web::test]
async fn the_jwks_publishes_the_current_key_under_its_thumbprint() {
    let app = TestApp::spawn().await;
    let res = app.get("/.well-known/jwks.json", "").await;
    assert_eq!(res.status, 200);
    let key = &res.body["keys"][0];
    assert_eq!(key["kty"], "EC");
    assert_eq!(key["alg"], "ES256");
    let expected = sro_api::auth::keys::thumbprint(key["x"].as_str().unwrap(), key["y"].as_str().unwrap());
    assert_eq!(key["kid"], expected);
    assert_eq!(key["kid"], app.state.keys().unwrap().kid());
}

#[actix_web::test]
async fn tokens_of_a_previous_key_are_accepted_during_a_rotation() {
    let old = generate_private_pem().unwrap();
    let old_public = public_pem(&old).unwrap();
    let app = TestApp::spawn_with(|c| c.jwt_previous_keys = vec![old_public]).await;
    let old_kid = KeyRing::new(&old, &[]).unwrap().kid().to_owned();
    let token = sign(&old, &old_kid, &claims(&app, 600));
    assert_eq!(app.get("/v1/boards", &token).await.status, 200);
    assert_eq!(app.get("/.well-known/jwks.json", "").await.body["keys"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn without_a_configured_key_the_generated_one_survives_a_restart() {
    let db = TestDb::create();
    let url = db.url.clone();
    let config = sro_api::config::Config { database_url: url.clone(), ..Default::default() };
    let first = TestApp::on(db, config.clone()).await;
    let (id, secret) = first.credentials(Role::Admin, None, None).await;
    let token = token_request(&first, "grant_type=client_credentials", Some((&id, &secret))).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // A second process on the same database: same key, so the token is accepted there too.
    let second = TestApp::on(TestDb::borrowed(&url), config).await;
    assert_eq!(second.get("/v1/me", &token).await.status, 200);
    assert_eq!(first.state.keys().unwrap().kid(), second.state.keys().unwrap().kid());
}

#[actix_web::test]
async fn another_instance_refuses_a_disabled_clients_tokens_once_its_list_refreshes() {
    use sro_api::auth::revocation::{Revocations, REFRESH_EVERY};
    // Every instance refreshes at least every 30 s, so 60 s is never exceeded.
    assert!(REFRESH_EVERY <= std::time::Duration::from_secs(30));
    let app = TestApp::spawn().await;
    let (id, _) = app.credentials(Role::Board, Some(OCDSB), None).await;
    let id = uuid::Uuid::parse_str(&id).unwrap();
    // The other instance's cache, with a short interval so the test need not wait 30 s.
    let other = Revocations::with_interval(std::time::Duration::from_millis(200));
    assert!(!other.is_disabled(&app.state.pool, id).await.unwrap());
    let admin = app.admin().await;
    assert_eq!(app.post(&format!("/v1/clients/{id}/disable"), &admin, &json!({})).await.status, 200);
    assert!(!other.is_disabled(&app.state.pool, id).await.unwrap(), "still cached");
    actix_web::rt::time::sleep(std::time::Duration::from_millis(250)).await;
    assert!(other.is_disabled(&app.state.pool, id).await.unwrap(), "refreshed from the database");
}
