//! `/v1/schools`: creation rules, filters, board scoping, the SIS upsert, patch and delete.

use serde_json::json;

use crate::support::*;
use sro_api::domain::access::Role;

#[actix_web::test]
async fn creating_a_school_answers_201_with_location_etag_and_normalised_postal_code() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app.post("/v1/schools", &admin, &school_body("000566", Some(CEPEO), "public")).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap();
    assert_eq!(res.header("location"), Some(format!("/v1/schools/{id}")));
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.body["postal_code"], "K1A 0B1");
    assert_eq!(res.body["name"], "École secondaire 000566", "text returned unchanged");
    assert_eq!(res.body["sro"], json!(null));
    assert!(res.body["created_at"].as_str().unwrap().ends_with('Z'));
    let got = app.get(&format!("/v1/schools/{id}"), &admin).await;
    assert_eq!(got.body, res.body);
}

#[actix_web::test]
async fn bad_postal_code_and_ministry_number_are_both_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut body = school_body("12345", Some(OCDSB), "public");
    body["postal_code"] = json!("D1A 0B1");
    body["level"] = json!("college");
    let res = app.post("/v1/schools", &admin, &body).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["ministry_number", "level", "postal_code"]);
    let mut body = school_body("123456", Some(OCDSB), "public");
    body["ministry_number"] = json!(123456);
    assert_eq!(app.post("/v1/schools", &admin, &body).await.error_fields(), ["ministry_number"]);
}

#[actix_web::test]
async fn a_duplicate_ministry_number_is_409_duplicate() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.school(&admin, "123456", OCDSB).await;
    let res = app.post("/v1/schools", &admin, &school_body("123456", Some(OCDSB), "public")).await;
    res.assert_problem(409, "conflict");
    assert_eq!(res.body["code"], "duplicate");
}

#[actix_web::test]
async fn a_boards_school_has_the_boards_kind_and_a_private_school_has_no_board() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app.post("/v1/schools", &admin, &school_body("123456", Some(OCSB), "public")).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["kind"]);
    let res = app.post("/v1/schools", &admin, &school_body("123456", Some(OCSB), "private")).await;
    assert_eq!(res.error_fields(), ["board_id"]);
    let res = app.post("/v1/schools", &admin, &school_body("123456", None, "public")).await;
    assert_eq!(res.error_fields(), ["board_id"]);
    let res = app
        .post("/v1/schools", &admin, &school_body("123456", Some(&uuid::Uuid::now_v7().to_string()), "public"))
        .await;
    assert_eq!(res.error_fields(), ["board_id"]);
    let mut private = school_body("654321", None, "private");
    private["language"] = json!(null);
    private["level"] = json!("combined");
    let res = app.post("/v1/schools", &admin, &private).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["board_id"], json!(null));
    assert_eq!(res.body["language"], json!(null));
}

#[actix_web::test]
async fn schools_filter_by_every_field_and_search_ignores_accents_and_case() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let a = app.school(&admin, "100001", CEPEO).await;
    let mut body = school_body("100002", Some(OCDSB), "public");
    body["name"] = json!("Glebe Collegiate Institute");
    body["language"] = json!("en");
    body["level"] = json!("elementary");
    body["active"] = json!(false);
    let b = app.post("/v1/schools", &admin, &body).await.body;
    let c = app.school(&admin, "100003", OCSB).await;
    let q = |query: &str| format!("/v1/schools?{query}");
    assert_eq!(ids(&app.get(&q(""), &admin).await.body).len(), 3, "unfiltered includes closed schools");
    assert_eq!(ids(&app.get(&q("active=true"), &admin).await.body).len(), 2);
    assert_eq!(ids(&app.get(&q(&format!("board_id={OCDSB}")), &admin).await.body), [b["id"].as_str().unwrap()]);
    assert_eq!(ids(&app.get(&q("level=elementary"), &admin).await.body).len(), 1);
    assert_eq!(ids(&app.get(&q("language=fr"), &admin).await.body).len(), 2);
    assert_eq!(ids(&app.get(&q("kind=catholic"), &admin).await.body), [c["id"].as_str().unwrap()]);
    assert_eq!(ids(&app.get(&q("q=ECOLE%20SECONDAIRE%20100001"), &admin).await.body), [a["id"].as_str().unwrap()]);
    assert_eq!(ids(&app.get(&q("q=%C3%A9cole"), &admin).await.body).len(), 2);
    assert_eq!(ids(&app.get(&q("q=glebe"), &admin).await.body).len(), 1);
    assert_eq!(ids(&app.get(&q("q=100%25"), &admin).await.body).len(), 0, "% is not a wildcard");
}

#[actix_web::test]
async fn unassigned_lists_active_schools_without_a_current_primary() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let covered = app.school(&admin, "100001", OCDSB).await;
    let bare = app.school(&admin, "100002", OCDSB).await;
    let backup_only = app.school(&admin, "100003", OCDSB).await;
    let officer = app.officer(&admin, "1001").await;
    let assign = |school: &serde_json::Value, role: &str, starts: String, ends: Option<String>| json!({"school_id": school["id"], "officer_id": officer["id"], "role": role, "starts_on": starts, "ends_on": ends});
    assert_eq!(app.post("/v1/assignments", &admin, &assign(&covered, "primary", day(-10), None)).await.status, 201);
    assert_eq!(app.post("/v1/assignments", &admin, &assign(&backup_only, "backup", day(-10), None)).await.status, 201);
    assert_eq!(
        app.post("/v1/assignments", &admin, &assign(&bare, "primary", day(-10), Some(day(-1)))).await.status,
        201
    );
    let res = app.get("/v1/schools?unassigned=true", &admin).await;
    let mut got = ids(&res.body);
    got.sort();
    let mut want = vec![bare["id"].as_str().unwrap().to_owned(), backup_only["id"].as_str().unwrap().to_owned()];
    want.sort();
    assert_eq!(got, want);
    let by_officer = app.get(&format!("/v1/schools?officer_id={}", officer["id"].as_str().unwrap()), &admin).await;
    assert_eq!(ids(&by_officer.body).len(), 2, "primary or backup, in force today");
    let primary_only =
        app.get(&format!("/v1/schools?officer_id={}&role=primary", officer["id"].as_str().unwrap()), &admin).await;
    assert_eq!(ids(&primary_only.body), [covered["id"].as_str().unwrap()]);
    let with_backup = app.get("/v1/schools?role=backup", &admin).await;
    assert_eq!(ids(&with_backup.body), [backup_only["id"].as_str().unwrap()], "role alone: any officer");
    let with_primary = app.get("/v1/schools?role=primary", &admin).await;
    assert_eq!(ids(&with_primary.body), [covered["id"].as_str().unwrap()], "an ended primary does not count");
    let listed = app.get("/v1/schools", &admin).await;
    let sro = &listed.body["data"][0]["sro"];
    assert_eq!(sro["officer_id"], officer["id"]);
    assert_eq!(sro["badge_number"], "1001");
    assert_eq!(sro["email"], "o1001@police.example");
    assert_eq!(listed.body["data"][1]["sro"], json!(null), "an ended assignment is not the current SRO");
}

#[actix_web::test]
async fn a_board_client_sees_and_writes_only_its_own_boards_schools() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mine = app.school(&admin, "100001", OCDSB).await;
    let theirs = app.school(&admin, "100002", OCSB).await;
    let mut private = school_body("100003", None, "private");
    private["level"] = json!("combined");
    assert_eq!(app.post("/v1/schools", &admin, &private).await.status, 201);
    let board = app.board(OCDSB).await;
    assert_eq!(ids(&app.get("/v1/schools", &board).await.body), [mine["id"].as_str().unwrap()]);
    let theirs_path = format!("/v1/schools/{}", theirs["id"].as_str().unwrap());
    app.get(&theirs_path, &board).await.assert_problem(404, "not-found");
    app.get("/v1/schools/by-ministry-number/100002", &board).await.assert_problem(404, "not-found");
    app.patch(&theirs_path, &board, &json!({"name": "Mine now"})).await.assert_problem(404, "not-found");
    app.patch_if(&theirs_path, &board, "\"99\"", &json!({"name": "x"})).await.assert_problem(404, "not-found");
    app.delete(&theirs_path, &board).await.assert_problem(404, "not-found");
    let put = app.put("/v1/schools/by-ministry-number/100002", &board, &school_body("100002", None, "public")).await;
    put.assert_problem(404, "not-found");
    let other_board = app.post("/v1/schools", &board, &school_body("100004", Some(OCSB), "catholic")).await;
    other_board.assert_problem(422, "validation");
    assert_eq!(other_board.error_fields(), ["board_id"]);
    let mut own = school_body("100005", None, "public");
    own.as_object_mut().unwrap().remove("board_id");
    let created = app.post("/v1/schools", &board, &own).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["board_id"], OCDSB);
    let moved = app
        .patch(
            &format!("/v1/schools/{}", mine["id"].as_str().unwrap()),
            &board,
            &json!({"board_id": OCSB, "kind": "catholic"}),
        )
        .await;
    assert_eq!(moved.error_fields(), ["board_id"]);
    assert_eq!(app.get(&theirs_path, &admin).await.body["name"], theirs["name"], "untouched");
}

#[actix_web::test]
async fn put_by_ministry_number_creates_replaces_and_leaves_an_unchanged_school_alone() {
    let app = TestApp::spawn().await;
    let board = app.board(CEPEO).await;
    let path = "/v1/schools/by-ministry-number/123456";
    let mut body = school_body("123456", Some(CEPEO), "public");
    body.as_object_mut().unwrap().remove("ministry_number");
    let created = app.put(path, &board, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert!(created.header("location").is_some());
    let again = app.put(path, &board, &body).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["version"], 1, "no churn");
    assert_eq!(again.body["updated_at"], created.body["updated_at"]);
    body["name"] = json!("École secondaire publique Gisèle-Lalonde");
    body.as_object_mut().unwrap().remove("phone");
    let replaced = app.put(path, &board, &body).await;
    assert_eq!(replaced.status, 200);
    assert_eq!(replaced.body["version"], 2);
    assert_eq!(replaced.body["phone"], json!(null), "a full replacement");
    assert_eq!(replaced.body["id"], created.body["id"]);
    let stale = app
        .send(
            actix_web::test::TestRequest::put()
                .uri(path)
                .insert_header(("authorization", format!("Bearer {board}")))
                .insert_header(("if-match", "\"1\""))
                .set_json(&body),
        )
        .await;
    stale.assert_problem(412, "precondition-failed");
    body["ministry_number"] = json!("654321");
    let mismatch = app.put(path, &board, &body).await;
    mismatch.assert_problem(422, "validation");
    assert_eq!(mismatch.error_fields(), ["ministry_number"]);
    let got = app.get(path, &board).await;
    assert_eq!(got.header("etag").as_deref(), Some("\"2\""));
    app.get("/v1/schools/by-ministry-number/12", &board).await.assert_problem(404, "not-found");
}

#[actix_web::test]
async fn patch_merges_checks_if_match_and_refuses_bad_fields() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let school = app.school(&admin, "123456", OCDSB).await;
    let path = format!("/v1/schools/{}", school["id"].as_str().unwrap());
    let res = app.patch_if(&path, &admin, "\"1\"", &json!({"phone": null, "active": false})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["phone"], json!(null));
    assert_eq!(res.body["active"], false);
    assert_eq!(res.body["name"], school["name"]);
    assert_eq!(res.body["version"], 2);
    app.patch_if(&path, &admin, "\"1\"", &json!({"active": true})).await.assert_problem(412, "precondition-failed");
    let bad = app.patch(&path, &admin, &json!({"name": null, "postal_code": "nope", "id": "x"})).await;
    bad.assert_problem(422, "validation");
    assert_eq!(bad.error_fields(), ["name", "postal_code", "id"]);
    let missing = format!("/v1/schools/{}", uuid::Uuid::now_v7());
    app.patch(&missing, &admin, &json!({"name": "x"})).await.assert_problem(404, "not-found");
    app.patch(&missing, &admin, &json!({"postal_code": "nope"})).await.assert_problem(422, "validation");
    assert_eq!(app.get(&path, &admin).await.body["version"], 2, "refusals changed nothing");
}

#[actix_web::test]
async fn delete_is_refused_while_an_assignment_refers_to_the_school() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let school = app.school(&admin, "123456", OCDSB).await;
    let empty = app.school(&admin, "123457", OCDSB).await;
    let officer = app.officer(&admin, "77").await;
    let body = json!({"school_id": school["id"], "officer_id": officer["id"], "role": "backup", "starts_on": day(0)});
    assert_eq!(app.post("/v1/assignments", &admin, &body).await.status, 201);
    let res = app.delete(&format!("/v1/schools/{}", school["id"].as_str().unwrap()), &admin).await;
    res.assert_problem(409, "conflict");
    assert_eq!(res.body["code"], "still_referenced");
    let gone = app.delete(&format!("/v1/schools/{}", empty["id"].as_str().unwrap()), &admin).await;
    assert_eq!(gone.status, 204);
    app.get(&format!("/v1/schools/{}", empty["id"].as_str().unwrap()), &admin).await.assert_problem(404, "not-found");
}

#[actix_web::test]
async fn an_officer_client_reads_the_directory_but_cannot_write_schools() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.school(&admin, "123456", OCSB).await;
    let officer = app.officer(&admin, "88").await;
    let token = app
        .token_for(Role::Officer, None, Some(uuid::Uuid::parse_str(officer["id"].as_str().unwrap()).unwrap()), None)
        .await;
    assert_eq!(ids(&app.get("/v1/schools", &token).await.body).len(), 1);
    app.post("/v1/schools", &token, &school_body("654321", Some(OCSB), "catholic"))
        .await
        .assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn many_concurrent_writes_and_reads_never_fail_with_a_locked_database() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let bodies: Vec<serde_json::Value> =
        (0..24).map(|n| school_body(&format!("{:06}", 300_000 + n), Some(OCDSB), "public")).collect();
    let writes = futures_util::future::join_all(bodies.iter().map(|b| app.post("/v1/schools", &admin, b)));
    let reads = futures_util::future::join_all((0..24).map(|_| app.get("/v1/schools?limit=5", &admin)));
    let (writes, reads) = futures_util::future::join(writes, reads).await;
    assert!(writes.iter().all(|r| r.status == 201), "{:?}", writes.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(reads.iter().all(|r| r.status == 200), "{:?}", reads.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(ids(&app.get("/v1/schools?limit=100", &admin).await.body).len(), 24);
}

#[actix_web::test]
async fn an_officer_change_changes_the_schools_that_embed_it_and_updated_from_finds_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let school = app.school(&admin, "123456", OCDSB).await;
    let other = app.school(&admin, "123457", OCDSB).await;
    let officer = app.officer(&admin, "4521").await;
    let path = format!("/v1/schools/{}", school["id"].as_str().unwrap());
    let handover = json!({"officer_id": officer["id"], "starts_on": day(-5)});
    assert_eq!(app.post(&format!("{path}/sro"), &admin, &handover).await.status, 201);
    let before = app.get(&path, &admin).await;
    std::thread::sleep(std::time::Duration::from_millis(20));
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true).replace('+', "%2B");
    let officer_path = format!("/v1/officers/{}", officer["id"].as_str().unwrap());
    assert_eq!(app.patch(&officer_path, &admin, &json!({"phone": "613-555-0777"})).await.status, 200);
    let after = app.get(&path, &admin).await;
    assert_eq!(after.body["sro"]["phone"], "613-555-0777");
    assert_eq!(after.body["version"].as_i64().unwrap(), before.body["version"].as_i64().unwrap() + 1);
    assert_ne!(after.header("etag"), before.header("etag"));
    assert!(after.body["updated_at"].as_str() > before.body["updated_at"].as_str());
    let changed = app.get(&format!("/v1/schools?updated_from={since}"), &admin).await;
    assert_eq!(ids(&changed.body), [school["id"].as_str().unwrap()], "the school the officer serves, not the other");
    assert_ne!(ids(&changed.body), [other["id"].as_str().unwrap()]);
}

#[actix_web::test]
async fn updated_from_finds_a_school_whose_primary_began_since_with_no_write() {
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let school = app.school(&admin, "123456", OCDSB).await;
    let officer = app.officer(&admin, "4521").await;
    let path = format!("/v1/schools/{}/sro", school["id"].as_str().unwrap());
    assert_eq!(app.post(&path, &admin, &json!({"officer_id": officer["id"], "starts_on": day(0)})).await.status, 201);
    // As if the assignment had been made days ago: the school's last write is old.
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(3)).naive_utc();
    sro_api::http::blocking::run(&app.state.pool, move |conn| {
        diesel::update(sro_api::db::schema::schools::table)
            .set(sro_api::db::schema::schools::updated_at.eq(long_ago))
            .execute(conn)?;
        Ok(())
    })
    .await
    .unwrap();
    let stamp =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).replace('+', "%2B");
    let two_days_ago = stamp(chrono::Utc::now() - chrono::Duration::days(2));
    let found = app.get(&format!("/v1/schools?updated_from={two_days_ago}"), &admin).await;
    assert_eq!(ids(&found.body), [school["id"].as_str().unwrap()], "its SRO changed today, after that day");
    let now = stamp(chrono::Utc::now());
    let none = app.get(&format!("/v1/schools?updated_from={now}"), &admin).await;
    assert_eq!(ids(&none.body), Vec::<String>::new(), "nothing changed since today began");
}

/// On PostgreSQL `GET /v1/schools/{id}` is a pipelined read (`db::reader`) whose row is read by
/// position, while the ministry-number read and the list use the pool and Diesel's mapping: the
/// three must agree field by field (a swapped column, such as the SRO's phone and email, or a
/// school without a current SRO read as one, fails here), and scoping must hold on both paths.
#[actix_web::test]
async fn a_school_read_by_id_matches_the_same_school_read_by_number_and_listed() {
    let app = TestApp::spawn().await;
    if crate::support::db::pg_admin_url().is_some() {
        assert!(app.state.reads.is_on(), "on PostgreSQL the test reaches the pipelined path");
    }
    let admin = app.admin().await;
    let covered = app.school(&admin, "100011", OCDSB).await;
    let ended = app.school(&admin, "100012", OCDSB).await;
    let other = app.school(&admin, "100013", CEPEO).await;
    let officer = app.officer(&admin, "1011").await;
    let assign = |school: &serde_json::Value, ends: Option<String>| json!({"school_id": school["id"], "officer_id": officer["id"], "role": "primary", "starts_on": day(-10), "ends_on": ends});
    assert_eq!(app.post("/v1/assignments", &admin, &assign(&covered, None)).await.status, 201);
    assert_eq!(app.post("/v1/assignments", &admin, &assign(&ended, Some(day(-1)))).await.status, 201);
    let board = app.board(OCDSB).await;
    for token in [&admin, &board] {
        for school in [&covered, &ended] {
            let by_id = app.get(&format!("/v1/schools/{}", school["id"].as_str().unwrap()), token).await;
            assert_eq!(by_id.status, 200, "{}", by_id.text);
            let number = school["ministry_number"].as_str().unwrap();
            let by_number = app.get(&format!("/v1/schools/by-ministry-number/{number}"), token).await;
            assert_eq!(by_id.body, by_number.body);
            let listed = app.get("/v1/schools?limit=100", token).await;
            let in_list = listed.body["data"].as_array().unwrap().iter().find(|s| s["id"] == school["id"]);
            assert_eq!(in_list, Some(&by_id.body));
            assert_eq!(by_id.header("etag"), by_number.header("etag"));
        }
    }
    let sro = app.get(&format!("/v1/schools/{}", covered["id"].as_str().unwrap()), &board).await.body["sro"].clone();
    assert_eq!(sro["officer_id"], officer["id"]);
    assert_eq!((sro["email"].as_str(), sro["badge_number"].as_str()), (Some("o1011@police.example"), Some("1011")));
    let ended_now = app.get(&format!("/v1/schools/{}", ended["id"].as_str().unwrap()), &admin).await;
    assert_eq!(ended_now.body["sro"], json!(null), "an ended assignment is not the current SRO");
    let others = format!("/v1/schools/{}", other["id"].as_str().unwrap());
    app.get(&others, &board).await.assert_problem(404, "not-found");
    assert_eq!(app.get(&others, &admin).await.status, 200);
    let missing = format!("/v1/schools/{}", uuid::Uuid::now_v7());
    app.get(&missing, &admin).await.assert_problem(404, "not-found");
}
