//! `/v1/boards`.

use serde_json::json;

use crate::support::*;
use sro_api::domain::access::Role;

#[actix_web::test]
async fn the_four_boards_exist_with_fixed_ids_and_can_be_found_by_code() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Dashboard, None, None, None).await;
    let res = app.get("/v1/boards", &token).await;
    assert_eq!(res.status, 200);
    let codes: Vec<_> =
        res.body["data"].as_array().unwrap().iter().map(|b| b["code"].as_str().unwrap().to_owned()).collect();
    assert_eq!(codes, ["OCDSB", "OCSB", "CECCE", "CEPEO"]);
    assert_eq!(ids(&res.body), [OCDSB, OCSB, CECCE, CEPEO]);
    let one = app.get("/v1/boards?code=CEPEO", &token).await;
    assert_eq!(one.body["data"][0]["language"], "fr");
    assert_eq!(one.body["data"][0]["kind"], "public");
    assert_eq!(one.body["data"][0]["ministry_number"], "B66311");
    let get = app.get(&format!("/v1/boards/{CECCE}"), &token).await;
    assert_eq!(get.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(get.body["name"], "Conseil des écoles catholiques du Centre-Est");
}

#[actix_web::test]
async fn an_admin_corrects_a_board_and_a_stale_if_match_is_412() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let path = format!("/v1/boards/{OCSB}");
    let res = app.patch_if(&path, &admin, "\"1\"", &json!({"name_fr": "CSCO"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["name_fr"], "CSCO");
    assert_eq!(res.body["version"], 2);
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    app.patch_if(&path, &admin, "\"1\"", &json!({"name_fr": "X"})).await.assert_problem(412, "precondition-failed");
    let bad = app.patch(&path, &admin, &json!({"ministry_number": "66184", "code": "X"})).await;
    bad.assert_problem(422, "validation");
    assert_eq!(bad.error_fields(), ["ministry_number", "code"]);
    let dup = app.patch(&path, &admin, &json!({"ministry_number": "B66184"})).await;
    dup.assert_problem(409, "conflict");
    assert_eq!(dup.body["code"], "duplicate");
    let board = app.board(OCSB).await;
    app.patch(&path, &board, &json!({"name": "x"})).await.assert_problem(403, "forbidden");
    app.patch(&format!("/v1/boards/{}", uuid::Uuid::now_v7()), &admin, &json!({"name": "x"}))
        .await
        .assert_problem(404, "not-found");
}
