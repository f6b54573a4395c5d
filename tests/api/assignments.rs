//! `/v1/assignments` and the handover `POST /v1/schools/{id}/sro`.

use serde_json::{json, Value};

use crate::support::*;

fn assignment(school: &Value, officer: &Value, role: &str, starts: &str, ends: Option<&str>) -> Value {
    json!({"school_id": school["id"], "officer_id": officer["id"], "role": role, "starts_on": starts, "ends_on": ends})
}

#[actix_web::test]
async fn overlapping_primary_assignments_are_409_and_ends_on_is_inclusive() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let school = app.school(&admin, "123456", OCDSB).await;
    let (one, two) = (app.officer(&admin, "1").await, app.officer(&admin, "2").await);
    let first = app
        .post("/v1/assignments", &admin, &assignment(&school, &one, "primary", "2026-01-01", Some("2026-06-30")))
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.header("location"), Some(format!("/v1/assignments/{}", first.body["id"].as_str().unwrap())));
    let clash = app.post("/v1/assignments", &admin, &assignment(&school, &two, "primary", "2026-06-30", None)).await;
    clash.assert_problem(409, "conflict");
    assert_eq!(clash.body["code"], "overlapping_assignment");
    let backup = app.post("/v1/assignments", &admin, &assignment(&school, &two, "backup", "2026-03-01", None)).await;
    assert_eq!(backup.status, 201, "a backup may overlap");
    let next = app.post("/v1/assignments", &admin, &assignment(&school, &two, "primary", "2026-07-01", None)).await;
    assert_eq!(next.status, 201, "{}", next.text);
    let on = app
        .get(
            &format!("/v1/assignments?school_id={}&role=primary&on=2026-06-30", school["id"].as_str().unwrap()),
            &admin,
        )
        .await;
    assert_eq!(ids(&on.body), [first.body["id"].as_str().unwrap()]);
}

#[actix_web::test]
async fn every_assignment_write_bumps_the_schools_version() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let school = app.school(&admin, "123456", OCDSB).await;
    let officer = app.officer(&admin, "1").await;
    let path = format!("/v1/schools/{}", school["id"].as_str().unwrap());
    let created = app.post("/v1/assignments", &admin, &assignment(&school, &officer, "primary", &day(0), None)).await;
    let after_create = app.get(&path, &admin).await;
    assert_eq!(after_create.body["version"], 2);
    assert_eq!(after_create.body["sro"]["officer_id"], officer["id"]);
    let a_path = format!("/v1/assignments/{}", created.body["id"].as_str().unwrap());
    let ended = app.patch_if(&a_path, &admin, "\"1\"", &json!({"ends_on": day(0)})).await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    assert_eq!(ended.body["ends_on"], day(0));
    assert_eq!(app.get(&path, &admin).await.body["version"], 3);
    app.patch_if(&a_path, &admin, "\"1\"", &json!({"ends_on": null})).await.assert_problem(412, "precondition-failed");
    assert_eq!(app.delete(&a_path, &admin).await.status, 204);
    let after_delete = app.get(&path, &admin).await;
    assert_eq!(after_delete.body["version"], 4);
    assert_eq!(after_delete.body["sro"], json!(null));
}

#[actix_web::test]
async fn assignment_input_is_validated_before_anything_is_looked_up() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app
        .post(
            "/v1/assignments",
            &admin,
            &json!({"school_id": "x", "role": "lead", "starts_on": "2026-02-30", "ends_on": "2026-01-01"}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["school_id", "officer_id", "role", "starts_on"]);
    let school = app.school(&admin, "123456", OCDSB).await;
    let officer = app.officer(&admin, "1").await;
    let backwards = app
        .post("/v1/assignments", &admin, &assignment(&school, &officer, "primary", "2026-02-01", Some("2026-01-01")))
        .await;
    assert_eq!(backwards.error_fields(), ["ends_on"]);
    let ghost = json!({"school_id": uuid::Uuid::now_v7(), "officer_id": uuid::Uuid::now_v7(), "role": "primary", "starts_on": "2026-01-01"});
    assert_eq!(app.post("/v1/assignments", &admin, &ghost).await.error_fields(), ["school_id", "officer_id"]);
    app.patch(&format!("/v1/officers/{}", officer["id"].as_str().unwrap()), &admin, &json!({"active": false})).await;
    let retired =
        app.post("/v1/assignments", &admin, &assignment(&school, &officer, "primary", "2026-01-01", None)).await;
    assert_eq!(retired.error_fields(), ["officer_id"]);
}

#[actix_web::test]
async fn a_retired_officers_assignment_can_still_be_ended() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let school = app.school(&admin, "123456", OCDSB).await;
    let officer = app.officer(&admin, "1").await;
    let created = app.post("/v1/assignments", &admin, &assignment(&school, &officer, "primary", &day(-30), None)).await;
    assert_eq!(created.status, 201);
    app.patch(&format!("/v1/officers/{}", officer["id"].as_str().unwrap()), &admin, &json!({"active": false})).await;
    let path = format!("/v1/assignments/{}", created.body["id"].as_str().unwrap());
    let ended = app.patch(&path, &admin, &json!({"ends_on": day(-1)})).await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    assert_eq!(ended.body["ends_on"], day(-1));
}

#[actix_web::test]
async fn a_handover_ends_the_current_primary_the_day_before_in_one_transaction() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let school = app.school(&admin, "123456", OCDSB).await;
    let (old, new) = (app.officer(&admin, "1").await, app.officer(&admin, "2").await);
    let sid = school["id"].as_str().unwrap();
    let first = app
        .post(&format!("/v1/schools/{sid}/sro"), &admin, &json!({"officer_id": old["id"], "starts_on": day(-100)}))
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let res = app
        .post(&format!("/v1/schools/{sid}/sro"), &admin, &json!({"officer_id": new["id"], "starts_on": day(0)}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.header("location"), Some(format!("/v1/assignments/{}", res.body["id"].as_str().unwrap())));
    assert_eq!(res.body["role"], "primary");
    assert_eq!(res.body["ends_on"], json!(null));
    let ended = app.get(&format!("/v1/assignments/{}", first.body["id"].as_str().unwrap()), &admin).await;
    assert_eq!(ended.body["ends_on"], day(-1));
    assert_eq!(ended.body["version"], 2);
    let school_now = app.get(&format!("/v1/schools/{sid}"), &admin).await;
    assert_eq!(school_now.body["sro"]["officer_id"], new["id"]);
    let current = app.get(&format!("/v1/assignments?school_id={sid}&current=true"), &admin).await;
    assert_eq!(ids(&current.body), [res.body["id"].as_str().unwrap()]);
    let past = app.get(&format!("/v1/assignments?school_id={sid}&current=false"), &admin).await;
    assert_eq!(ids(&past.body), [first.body["id"].as_str().unwrap()]);
}

#[actix_web::test]
async fn a_handover_refuses_going_back_in_time_and_the_same_officer() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let school = app.school(&admin, "123456", OCDSB).await;
    let (one, two) = (app.officer(&admin, "1").await, app.officer(&admin, "2").await);
    let sid = school["id"].as_str().unwrap();
    let path = format!("/v1/schools/{sid}/sro");
    assert_eq!(app.post(&path, &admin, &json!({"officer_id": one["id"], "starts_on": day(-10)})).await.status, 201);
    let same_day = app.post(&path, &admin, &json!({"officer_id": two["id"], "starts_on": day(-10)})).await;
    same_day.assert_problem(409, "conflict");
    assert_eq!(same_day.body["code"], "overlapping_assignment");
    let same = app.post(&path, &admin, &json!({"officer_id": one["id"], "starts_on": day(0)})).await;
    same.assert_problem(422, "validation");
    assert_eq!(same.error_fields(), ["officer_id"]);
    assert_eq!(app.post(&path, &admin, &json!({"officer_id": two["id"], "starts_on": day(5)})).await.status, 201);
    let before_later = app.post(&path, &admin, &json!({"officer_id": one["id"], "starts_on": day(2)})).await;
    assert_eq!(before_later.body["code"], "overlapping_assignment", "a later primary exists");
    let bad = app.post(&path, &admin, &json!({"officer": one["id"]})).await;
    assert_eq!(bad.error_fields(), ["officer_id", "starts_on", "officer"]);
    app.post(
        &format!("/v1/schools/{}/sro", uuid::Uuid::now_v7()),
        &admin,
        &json!({"officer_id": one["id"], "starts_on": day(0)}),
    )
    .await
    .assert_problem(404, "not-found");
}

#[actix_web::test]
async fn a_board_client_sees_only_its_schools_assignments() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mine = app.school(&admin, "100001", OCDSB).await;
    let theirs = app.school(&admin, "100002", OCSB).await;
    let officer = app.officer(&admin, "1").await;
    let a = app.post("/v1/assignments", &admin, &assignment(&mine, &officer, "primary", &day(0), None)).await;
    let b = app.post("/v1/assignments", &admin, &assignment(&theirs, &officer, "primary", &day(0), None)).await;
    let board = app.board(OCDSB).await;
    assert_eq!(ids(&app.get("/v1/assignments", &board).await.body), [a.body["id"].as_str().unwrap()]);
    app.get(&format!("/v1/assignments/{}", b.body["id"].as_str().unwrap()), &board)
        .await
        .assert_problem(404, "not-found");
    app.post(&format!("/v1/schools/{}/sro", mine["id"].as_str().unwrap()), &board, &json!({}))
        .await
        .assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn concurrent_primary_assignments_for_one_school_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let school = app.school(&admin, "123456", OCDSB).await;
    let mut officers = Vec::new();
    for n in 0..8 {
        officers.push(app.officer(&admin, &format!("{n}")).await);
    }
    let bodies: Vec<Value> = officers
        .iter()
        .map(
            |o| json!({"school_id": school["id"], "officer_id": o["id"], "role": "primary", "starts_on": "2026-09-01"}),
        )
        .collect();
    let requests = bodies.iter().map(|body| app.post("/v1/assignments", &admin, body));
    let answers = futures_util::future::join_all(requests).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "never locked or 500: {statuses:?}");
    let school_now = app.get(&format!("/v1/schools/{}", school["id"].as_str().unwrap()), &admin).await;
    assert_eq!(school_now.body["version"], 2, "one write, one bump");
}
