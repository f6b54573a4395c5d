//! `/v1/clients`.

use serde_json::json;

use crate::support::*;
use sro_api::domain::access::Role;

#[actix_web::test]
async fn an_admin_creates_a_client_whose_secret_is_shown_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app.post("/v1/clients", &admin, &json!({"name": "OCDSB SIS", "role": "board", "board_id": OCDSB})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap();
    assert_eq!(res.body["client_id"], id);
    assert!(res.body["client_secret"].as_str().unwrap().len() >= 40);
    assert_eq!(res.header("location"), Some(format!("/v1/clients/{id}")));
    let scopes = res.body["scopes"].as_array().unwrap();
    assert!(scopes.contains(&json!("schools:write")));
    assert!(!scopes.contains(&json!("persons:read")));
    let got = app.get(&format!("/v1/clients/{id}"), &admin).await;
    assert_eq!(got.status, 200);
    assert!(!got.text.contains("secret"), "{}", got.text);
    let list = app.get("/v1/clients?role=board", &admin).await;
    assert_eq!(ids(&list.body), [id]);
    assert!(!list.text.contains("secret") && !list.text.contains("argon2"));
}

#[actix_web::test]
async fn a_client_is_refused_a_scope_outside_its_role_or_a_missing_binding() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app
        .post(
            "/v1/clients",
            &admin,
            &json!({"name": "x", "role": "board", "board_id": OCDSB, "scopes": ["schools:read", "persons:read"]}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["scopes"]);
    let res = app.post("/v1/clients", &admin, &json!({"name": "x", "role": "board"})).await;
    assert_eq!(res.error_fields(), ["board_id"]);
    let res = app.post("/v1/clients", &admin, &json!({"name": "x", "role": "dashboard", "board_id": OCDSB})).await;
    assert_eq!(res.error_fields(), ["board_id"]);
    let res = app.post("/v1/clients", &admin, &json!({"name": "", "role": "root", "scopes": ["everything"]})).await;
    assert_eq!(res.error_fields(), ["name", "role", "scopes"]);
    let res =
        app.post("/v1/clients", &admin, &json!({"name": "x", "role": "board", "board_id": uuid::Uuid::now_v7()})).await;
    assert_eq!(res.error_fields(), ["board_id"]);
    let res = app
        .post("/v1/clients", &admin, &json!({"name": "x", "role": "officer", "officer_id": uuid::Uuid::now_v7()}))
        .await;
    assert_eq!(res.error_fields(), ["officer_id"]);
}

#[actix_web::test]
async fn only_clients_admin_may_manage_clients() {
    let app = TestApp::spawn().await;
    let board = app.board(OCDSB).await;
    app.get("/v1/clients", &board).await.assert_problem(403, "forbidden");
    app.post("/v1/clients", &board, &json!({"name": "x", "role": "admin"})).await.assert_problem(403, "forbidden");
    let dashboard = app.token_for(Role::Dashboard, None, None, None).await;
    app.post(&format!("/v1/clients/{}/disable", uuid::Uuid::now_v7()), &dashboard, &json!({}))
        .await
        .assert_problem(403, "forbidden");
    let admin = app.admin().await;
    app.post(&format!("/v1/clients/{}/disable", uuid::Uuid::now_v7()), &admin, &json!({}))
        .await
        .assert_problem(404, "not-found");
}

#[actix_web::test]
async fn a_client_cannot_disable_itself_and_a_disabled_client_can_be_enabled_again() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let me = app.get("/v1/me", &admin).await.body["client_id"].as_str().unwrap().to_owned();
    let res = app.post(&format!("/v1/clients/{me}/disable"), &admin, &json!({})).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["id"]);
    assert_eq!(app.get("/v1/me", &admin).await.status, 200, "still enabled");
    let board = app.board(OCDSB).await;
    let id = app.get("/v1/me", &board).await.body["client_id"].as_str().unwrap().to_owned();
    let disabled = app.post(&format!("/v1/clients/{id}/disable"), &admin, &json!({})).await;
    assert_eq!((disabled.status, disabled.body["active"].as_bool()), (200, Some(false)));
    app.get("/v1/me", &board).await.assert_problem(401, "unauthorized");
    let enabled = app.post(&format!("/v1/clients/{id}/enable"), &admin, &json!({})).await;
    assert_eq!((enabled.status, enabled.body["active"].as_bool()), (200, Some(true)), "{}", enabled.text);
    assert!(enabled.body["version"].as_i64() > disabled.body["version"].as_i64());
    assert_eq!(app.get("/v1/me", &board).await.status, 200, "its tokens work again");
    app.post(&format!("/v1/clients/{}/enable", uuid::Uuid::now_v7()), &admin, &json!({}))
        .await
        .assert_problem(404, "not-found");
    app.post(&format!("/v1/clients/{id}/enable"), &board, &json!({})).await.assert_problem(403, "forbidden");
}
