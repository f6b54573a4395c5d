//! `POST /v1/schools/import`: all-or-nothing, every bad row named.

use actix_web::http::Method;
use serde_json::json;

use crate::support::*;

const OTTAWA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/api/demo/ottawa-schools.csv");

#[actix_web::test]
async fn the_ministry_derived_ottawa_file_imports_and_a_second_run_changes_nothing() {
    // The file is in the repository; a missing file is a failure, not a silent pass.
    let csv = std::fs::read(OTTAWA).unwrap_or_else(|e| panic!("{OTTAWA} is needed by this test: {e}"));
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app.raw(Method::POST, "/v1/schools/import", &admin, "text/csv", csv.clone()).await;
    assert_eq!(res.status, 200, "{}", &res.text[..res.text.len().min(2000)]);
    let rows = res.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 398);
    assert!(rows.iter().all(|r| r["result"] == "created"));
    assert_eq!(rows[0]["row"], 0);
    assert_eq!(rows[0]["ministry_number"], "000566");
    let again = app.raw(Method::POST, "/v1/schools/import", &admin, "text/csv", csv).await;
    assert!(again.body["data"].as_array().unwrap().iter().all(|r| r["result"] == "unchanged"));
    let cepeo = app.get(&format!("/v1/schools?board_id={CEPEO}&limit=500"), &admin).await;
    assert_eq!(ids(&cepeo.body).len(), 30);
    let private = app.get("/v1/schools?kind=private&limit=500", &admin).await;
    assert_eq!(ids(&private.body).len(), 65);
}

#[actix_web::test]
async fn our_csv_layout_with_bom_and_semicolons_upserts_by_ministry_number() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.school(&admin, "100001", OCDSB).await;
    let csv = "\u{feff}ministry_number;name;level;language;kind;board;street;city;postal_code;phone;active\n\
               100001;Renamed;secondary;fr;public;OCDSB;1 Rue Principale;Ottawa;K1A0B1;613-555-0000;true\n\
               100002;New School;elementary;en;catholic;OCSB;;;k2p-1l4;;\n";
    let res = app.raw(Method::POST, "/v1/schools/import", &admin, "text/csv; charset=utf-8", csv).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let results: Vec<_> =
        res.body["data"].as_array().unwrap().iter().map(|r| r["result"].as_str().unwrap().to_owned()).collect();
    assert_eq!(results, ["updated", "created"]);
    let new = app.get("/v1/schools/by-ministry-number/100002", &admin).await;
    assert_eq!(new.body["postal_code"], "K2P 1L4");
    assert_eq!(new.body["board_id"], OCSB);
}

#[actix_web::test]
async fn one_bad_row_rejects_the_file_with_every_bad_row_named_and_nothing_written() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let rows = json!([
        school_body("100001", Some(OCDSB), "public"),
        {"ministry_number": "12", "name": "X", "level": "elementary", "kind": "public", "board_id": OCDSB},
        school_body("100003", Some(OCDSB), "public"),
        {"ministry_number": "100004", "name": "Y", "level": "elementary", "kind": "public", "board_id": OCDSB, "postal_code": "ZZZ", "extra": 1},
        school_body("100001", Some(OCDSB), "public"),
        school_body("100006", Some(OCSB), "public")
    ]);
    let res = app.post("/v1/schools/import", &admin, &rows).await;
    res.assert_problem(422, "validation");
    assert_eq!(
        res.error_fields(),
        ["rows[1].ministry_number", "rows[3].postal_code", "rows[3].extra", "rows[4].ministry_number", "rows[5].kind"]
    );
    assert_eq!(app.get("/v1/schools", &admin).await.body["data"], json!([]), "nothing written");
}

#[actix_web::test]
async fn a_board_client_imports_only_its_own_boards_schools() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.school(&admin, "100009", OCSB).await;
    let board = app.board(OCDSB).await;
    let mut own = school_body("100001", None, "public");
    own.as_object_mut().unwrap().remove("board_id");
    let rows =
        json!([own, school_body("100002", Some(OCSB), "catholic"), school_body("100009", Some(OCDSB), "public")]);
    let res = app.post("/v1/schools/import", &board, &rows).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["rows[1].board_id", "rows[2].ministry_number"]);
    let ok = app.post("/v1/schools/import", &board, &json!([own])).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(app.get("/v1/schools/by-ministry-number/100001", &board).await.body["board_id"], OCDSB);
}

#[actix_web::test]
async fn an_import_in_another_format_is_415_and_a_bad_header_is_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.raw(Method::POST, "/v1/schools/import", &admin, "application/xml", "<x/>")
        .await
        .assert_problem(415, "unsupported-media-type");
    let res =
        app.raw(Method::POST, "/v1/schools/import", &admin, "text/csv", "ministry_number,colour\n123456,red\n").await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["header[1]"]);
}
