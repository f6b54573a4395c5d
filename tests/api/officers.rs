//! `/v1/officers`.

use serde_json::json;

use crate::support::*;

#[actix_web::test]
async fn officers_are_created_searched_retired_and_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app.post("/v1/officers", &admin, &json!({"badge_number": "4521", "first_name": "Émilie", "last_name": "Gagné", "email": "e.gagne@police.example"})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_owned();
    assert_eq!(res.header("location"), Some(format!("/v1/officers/{id}")));
    assert_eq!(res.body["active"], true);
    app.officer(&admin, "9000").await;
    assert_eq!(ids(&app.get("/v1/officers?q=emilie%20gagne", &admin).await.body), [id.as_str()]);
    assert_eq!(ids(&app.get("/v1/officers?q=4521", &admin).await.body), [id.as_str()]);
    let path = format!("/v1/officers/{id}");
    let retired = app.patch_if(&path, &admin, "\"1\"", &json!({"active": false})).await;
    assert_eq!(retired.status, 200, "{}", retired.text);
    assert_eq!(retired.body["version"], 2);
    assert_eq!(ids(&app.get("/v1/officers?active=true", &admin).await.body).len(), 1);
    app.patch_if(&path, &admin, "\"1\"", &json!({"phone": "1"})).await.assert_problem(412, "precondition-failed");
    assert_eq!(app.delete(&path, &admin).await.status, 204);
    app.get(&path, &admin).await.assert_problem(404, "not-found");
}

#[actix_web::test]
async fn officer_input_is_validated_and_badges_are_unique() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res =
        app.post("/v1/officers", &admin, &json!({"badge_number": "a b", "first_name": "", "email": "nope"})).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["badge_number", "first_name", "last_name", "email"]);
    app.officer(&admin, "1").await;
    let dup =
        app.post("/v1/officers", &admin, &json!({"badge_number": "1", "first_name": "A", "last_name": "B"})).await;
    dup.assert_problem(409, "conflict");
    assert_eq!(dup.body["code"], "duplicate");
}

#[actix_web::test]
async fn an_officer_named_by_an_assignment_cannot_be_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let school = app.school(&admin, "123456", OCDSB).await;
    let officer = app.officer(&admin, "1").await;
    let body = json!({"school_id": school["id"], "officer_id": officer["id"], "role": "primary", "starts_on": day(0)});
    assert_eq!(app.post("/v1/assignments", &admin, &body).await.status, 201);
    let res = app.delete(&format!("/v1/officers/{}", officer["id"].as_str().unwrap()), &admin).await;
    res.assert_problem(409, "conflict");
    assert_eq!(res.body["code"], "still_referenced");
}

#[actix_web::test]
async fn an_officers_schools_are_those_assigned_today_and_board_clients_see_their_own() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let officer = app.officer(&admin, "1").await;
    let a = app.school(&admin, "100001", OCDSB).await;
    let b = app.school(&admin, "100002", OCSB).await;
    let c = app.school(&admin, "100003", OCDSB).await;
    for (school, role, starts, ends) in
        [(&a, "primary", day(-30), None), (&b, "backup", day(-30), Some(day(0))), (&c, "primary", day(1), None)]
    {
        let body = json!({"school_id": school["id"], "officer_id": officer["id"], "role": role, "starts_on": starts, "ends_on": ends});
        assert_eq!(app.post("/v1/assignments", &admin, &body).await.status, 201);
    }
    let path = format!("/v1/officers/{}/schools", officer["id"].as_str().unwrap());
    let mut all = ids(&app.get(&path, &admin).await.body);
    all.sort();
    let mut want = vec![a["id"].as_str().unwrap().to_owned(), b["id"].as_str().unwrap().to_owned()];
    want.sort();
    assert_eq!(all, want, "ends_on is inclusive; a future assignment is not current");
    assert_eq!(ids(&app.get(&format!("{path}?role=backup"), &admin).await.body), [b["id"].as_str().unwrap()]);
    let board = app.board(OCDSB).await;
    assert_eq!(ids(&app.get(&path, &board).await.body), [a["id"].as_str().unwrap()]);
    app.get(&format!("/v1/officers/{}/schools", uuid::Uuid::now_v7()), &admin).await.assert_problem(404, "not-found");
}
