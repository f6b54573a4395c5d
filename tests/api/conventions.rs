//! API.md §2 conventions: problem+json, request ids, strict bodies and queries, paging, ETags.

use actix_web::http::Method;
use actix_web::ResponseError;
use serde_json::json;

use crate::support::*;
use sro_api::domain::access::Role;
use sro_api::domain::i18n::Lang;
use sro_api::domain::validate::FieldError;
use sro_api::error::{AppError, ConflictCode};
use sro_api::msg;

#[actix_web::test]
async fn every_response_carries_a_request_id_echoing_the_callers() {
    let app = TestApp::spawn().await;
    let req = actix_web::test::TestRequest::get().uri("/healthz").insert_header(("x-request-id", "sis-sync-42"));
    assert_eq!(app.send(req).await.header("x-request-id").as_deref(), Some("sis-sync-42"));
    let generated = app.get("/v1/boards", "").await;
    let id = generated.header("x-request-id").unwrap();
    assert_eq!(generated.body["request_id"], id, "the problem body names the same id");
    let forged = actix_web::test::TestRequest::get().uri("/healthz").insert_header(("x-request-id", "has space"));
    assert_ne!(app.send(forged).await.header("x-request-id").as_deref(), Some("has space"));
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app.raw(Method::POST, "/v1/schools", &admin, "application/json", "{\"name\": ").await;
    res.assert_problem(400, "bad-request");
    assert!(!res.text.contains("serde"), "no internals: {}", res.text);
}

#[actix_web::test]
async fn unknown_fields_are_422_naming_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut body = school_body("123456", Some(OCDSB), "public");
    body["colour"] = json!("red");
    body["principal"] = json!("x");
    let res = app.post("/v1/schools", &admin, &body).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["colour", "principal"]);
    assert_eq!(app.get("/v1/schools", &admin).await.body["data"], json!([]), "nothing written");
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.raw(Method::POST, "/v1/officers", &admin, "text/plain", "badge=1")
        .await
        .assert_problem(415, "unsupported-media-type");
}

#[actix_web::test]
async fn an_oversize_body_is_413() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(300 * 1024));
    app.raw(Method::POST, "/v1/officers", &admin, "application/json", big.clone())
        .await
        .assert_problem(413, "payload-too-large");
    let huge = "x".repeat(6 * 1024 * 1024);
    app.raw(Method::POST, "/v1/schools/import", &admin, "text/csv", huge)
        .await
        .assert_problem(413, "payload-too-large");
}

#[actix_web::test]
async fn unknown_or_unparsable_query_parameters_are_400_naming_each() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app.get("/v1/schools?levl=elementary&board_id=nope&active=yes&limit=501", &admin).await;
    res.assert_problem(400, "bad-request");
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["active", "board_id", "levl", "limit"]);
    app.get("/v1/schools?limit=0", &admin).await.assert_problem(400, "bad-request");
    app.get("/v1/schools?level=college", &admin).await.assert_problem(400, "bad-request");
    app.get("/v1/assignments?on=2026-13-01", &admin).await.assert_problem(400, "bad-request");
    app.get("/v1/schools?updated_from=yesterday", &admin).await.assert_problem(400, "bad-request");
}

#[actix_web::test]
async fn paging_is_keyset_stable_and_cursors_belong_to_their_query() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut created = Vec::new();
    for n in 0..5 {
        created.push(app.school(&admin, &format!("10000{n}"), OCDSB).await["id"].as_str().unwrap().to_owned());
    }
    let first = app.get("/v1/schools?limit=2", &admin).await;
    assert_eq!(first.status, 200);
    assert_eq!(ids(&first.body).len(), 2);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    // A record added while paging appears at the end, never shifting what follows.
    created.push(app.school(&admin, "100009", OCDSB).await["id"].as_str().unwrap().to_owned());
    let mut seen = ids(&first.body);
    let mut next = Some(cursor.clone());
    while let Some(c) = next {
        let page = app.get(&format!("/v1/schools?limit=2&cursor={c}"), &admin).await;
        assert_eq!(page.status, 200, "{}", page.text);
        seen.extend(ids(&page.body));
        next = page.body["next_cursor"].as_str().map(str::to_owned);
    }
    // Every record exactly once, in creation order, the late one last.
    assert_eq!(seen, created);
    let other = app.get(&format!("/v1/schools?limit=2&level=secondary&cursor={cursor}"), &admin).await;
    other.assert_problem(400, "bad-request");
    assert_eq!(other.error_fields(), ["cursor"]);
    app.get("/v1/schools?cursor=garbage", &admin).await.assert_problem(400, "bad-request");
}

#[actix_web::test]
async fn updated_from_returns_only_recent_changes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let old = app.school(&admin, "200001", OCDSB).await;
    std::thread::sleep(std::time::Duration::from_millis(20));
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let new = app.school(&admin, "200002", OCDSB).await;
    let res = app.get(&format!("/v1/schools?updated_from={}", since.replace('+', "%2B")), &admin).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(ids(&res.body), [new["id"].as_str().unwrap()], "not the older school {}", old["id"]);
}

#[actix_web::test]
async fn unknown_routes_and_non_uuid_ids_are_404_problems() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.get("/v1/nothing-here", &admin).await.assert_problem(404, "not-found");
    app.get("/v1/schools/not-a-uuid", &admin).await.assert_problem(404, "not-found");
    app.get(&format!("/v1/schools/{}", uuid::Uuid::now_v7()), &admin).await.assert_problem(404, "not-found");
}

#[test]
fn every_error_variant_renders_as_problem_json_with_its_status_and_type() {
    let cases: Vec<(AppError, u16, &str)> = vec![
        (AppError::BadRequest { detail: msg!("body_unreadable"), errors: vec![] }, 400, "bad-request"),
        (AppError::Unauthorized(msg!("token_invalid")), 401, "unauthorized"),
        (AppError::Forbidden(msg!("needs_scope", scope = "boards:read")), 403, "forbidden"),
        (AppError::NotFound, 404, "not-found"),
        (AppError::MethodNotAllowed { allow: vec!["GET"] }, 405, "method-not-allowed"),
        (AppError::conflict(ConflictCode::Duplicate, msg!("duplicate_record")), 409, "conflict"),
        (AppError::PreconditionFailed, 412, "precondition-failed"),
        (AppError::PayloadTooLarge { limit: 1 }, 413, "payload-too-large"),
        (AppError::UnsupportedMediaType(msg!("body_must_be_json")), 415, "unsupported-media-type"),
        (AppError::Validation(vec![FieldError::new("a", msg!("required"))]), 422, "validation"),
        (AppError::Unavailable("db down at host secret".into()), 503, "unavailable"),
        (AppError::Internal("SELECT * FROM clients".into()), 500, "internal"),
    ];
    for (err, status, slug) in cases {
        let res = err.error_response();
        assert_eq!(res.status().as_u16(), status);
        assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json");
        let problem = err.to_problem(None, Lang::En);
        assert_eq!(problem.type_, format!("https://sro-api.example/problems/{slug}"));
        assert!(!problem.detail.contains("SELECT") && !problem.detail.contains("secret"), "no internals leak");
        if status == 503 {
            assert!(res.headers().get("retry-after").is_some());
        }
        if status == 401 {
            assert!(res.headers().get("www-authenticate").is_some());
        }
        if status == 405 {
            assert_eq!(res.headers().get("allow").unwrap(), "GET");
        }
    }
    let conflict =
        AppError::conflict(ConflictCode::OverlappingAssignment, msg!("overlapping_primary")).to_problem(None, Lang::Fr);
    assert_eq!(serde_json::to_value(conflict).unwrap()["code"], "overlapping_assignment");
}

#[actix_web::test]
async fn a_body_that_is_not_an_object_is_422_naming_the_body() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app.post("/v1/schools", &admin, &json!([1, 2])).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["body"]);
}

#[actix_web::test]
async fn a_database_error_is_a_500_that_shows_no_sql_or_table() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    assert_eq!(app.get("/v1/officers", &admin).await.status, 200);
    // A defect the database reports: the table the query names is gone.
    sro_api::http::blocking::run(&app.state.pool, |conn| {
        diesel::RunQueryDsl::execute(diesel::sql_query("ALTER TABLE officers RENAME TO officers_gone"), conn)?;
        Ok(())
    })
    .await
    .unwrap();
    let res = app.get("/v1/officers", &admin).await;
    res.assert_problem(500, "internal");
    for leak in ["officers", "SELECT", "relation", "table", "sqlite", "postgres"] {
        assert!(!res.text.to_lowercase().contains(&leak.to_lowercase()), "{leak} in {}", res.text);
    }
}

/// Captures log lines of this test process (the suite installs no other logger).
mod capture {
    use std::sync::{Mutex, OnceLock};

    pub struct Capture(pub Mutex<Vec<String>>);

    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata) -> bool {
            true
        }
        fn log(&self, record: &log::Record) {
            if let Ok(mut lines) = self.0.lock() {
                lines.push(format!("{} {}", record.target(), record.args()));
            }
        }
        fn flush(&self) {}
    }

    pub fn lines() -> &'static Capture {
        static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
        CAPTURE.get_or_init(|| {
            let capture: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
            let _ = log::set_logger(capture);
            log::set_max_level(log::LevelFilter::Info);
            capture
        })
    }
}

#[actix_web::test]
async fn the_access_log_names_route_status_and_request_id_but_never_the_query_or_token() {
    let capture = capture::lines();
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let req = actix_web::test::TestRequest::get()
        .uri("/v1/schools?q=Tremblay&board_id=018f0000-0000-7000-8000-000000000001")
        .insert_header(("authorization", format!("Bearer {admin}")))
        .insert_header(("x-request-id", "log-check-7"));
    assert_eq!(app.send(req).await.status, 200);
    let lines = capture.0.lock().unwrap().clone();
    let line = lines.iter().find(|l| l.contains("request_id=log-check-7")).expect("an access line");
    assert!(line.starts_with("sro_api::access GET /v1/schools 200 "), "{line}");
    assert!(line.contains("ms "), "duration: {line}");
    let everything = lines.join("\n");
    assert!(!everything.contains("Tremblay"), "no query strings in logs");
    assert!(!everything.contains(&admin), "no tokens in logs");
}

#[actix_web::test]
async fn nul_characters_are_refused_in_bodies_and_queries_not_a_500() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut body = school_body("123456", Some(OCDSB), "public");
    body["name"] = json!("Bad\u{0}name");
    body["postal_code"] = json!("K1A\u{0}0B1");
    let res = app.post("/v1/schools", &admin, &body).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["name", "postal_code"]);
    let res = app.get("/v1/schools?q=a%00b", &admin).await;
    res.assert_problem(400, "bad-request");
    assert_eq!(res.error_fields(), ["q"]);
}

#[actix_web::test]
async fn a_known_path_with_the_wrong_method_is_405_naming_the_allowed_ones() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let trace = app.send(actix_web::test::TestRequest::default().method(Method::TRACE).uri("/v1/me")).await;
    trace.assert_problem(405, "method-not-allowed");
    assert_eq!(trace.header("allow").as_deref(), Some("GET"));
    let token = app.get("/oauth/token", "").await;
    token.assert_problem(405, "method-not-allowed");
    assert_eq!(token.header("allow").as_deref(), Some("POST"));
    let schools = app.delete("/v1/schools", &admin).await;
    schools.assert_problem(405, "method-not-allowed");
    assert_eq!(schools.header("allow").as_deref(), Some("GET, POST"));
    let id = uuid::Uuid::now_v7();
    let one = app.put(&format!("/v1/schools/{id}"), &admin, &json!({})).await;
    assert_eq!(one.header("allow").as_deref(), Some("GET, PATCH, DELETE"));
    let import = app.get("/v1/schools/import", &admin).await;
    import.assert_problem(405, "method-not-allowed");
    assert_eq!(import.header("allow").as_deref(), Some("POST"), "not a school whose id is `import`");
    // An unknown path stays 404, and so does a documented method whose id names nothing.
    app.get("/v1/schools/not-a-uuid", &admin).await.assert_problem(404, "not-found");
    app.delete("/v1/nothing-here", &admin).await.assert_problem(404, "not-found");
    // Each family is a scope of its own (`routes::configure`): a path inside a family that names
    // no route of it, or one that only starts like a family, gets the same problem, not a bare
    // 404 of the scope's, and no family answers for another's prefix.
    for path in ["/v1/schools/", &format!("/v1/schools/{id}/nothing"), "/v1/schoolsx", "/v1/me/", "/v1/changes/x/y"] {
        app.get(path, &admin).await.assert_problem(404, "not-found");
    }
}

#[actix_web::test]
async fn a_key_given_twice_is_400_naming_it_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = r#"{"badge_number": "77", "first_name": "A", "last_name": "B", "last_name": "C"}"#;
    let res = app.raw(Method::POST, "/v1/officers", &admin, "application/json", body).await;
    res.assert_problem(400, "bad-request");
    assert_eq!(res.error_fields(), ["last_name"]);
    assert_eq!(app.get("/v1/officers", &admin).await.body["data"], json!([]));
}

#[actix_web::test]
async fn a_body_declared_in_another_charset_is_415_and_utf8_is_accepted() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = r#"{"badge_number": "77", "first_name": "Émilie", "last_name": "B"}"#;
    app.raw(Method::POST, "/v1/officers", &admin, "application/json; charset=iso-8859-1", body)
        .await
        .assert_problem(415, "unsupported-media-type");
    let ok = app.raw(Method::POST, "/v1/officers", &admin, "application/json; charset=\"UTF-8\"", body).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
}

#[actix_web::test]
async fn a_weak_etag_never_satisfies_if_match() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let officer = app.officer(&admin, "4521").await;
    let path = format!("/v1/officers/{}", officer["id"].as_str().unwrap());
    app.patch_if(&path, &admin, "W/\"1\"", &json!({"phone": "613-555-0199"}))
        .await
        .assert_problem(412, "precondition-failed");
    assert_eq!(app.patch_if(&path, &admin, "\"1\"", &json!({"phone": "613-555-0199"})).await.status, 200);
}

#[actix_web::test]
async fn bad_escapes_signed_limits_and_forged_cursors_are_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app.get("/v1/schools?q=%zz", &admin).await;
    res.assert_problem(400, "bad-request");
    assert_eq!(res.error_fields(), ["q"]);
    let res = app.get("/v1/schools?limit=+5", &admin).await;
    res.assert_problem(400, "bad-request");
    assert_eq!(res.error_fields(), ["limit"]);
    assert_eq!(app.get("/v1/schools?limit=5", &admin).await.status, 200);
    // A genuine cursor whose id is swapped for something that is not a UUID.
    for n in 0..3 {
        app.school(&admin, &format!("30000{n}"), OCDSB).await;
    }
    let first = app.get("/v1/schools?limit=1", &admin).await;
    let cursor = first.body["next_cursor"].as_str().unwrap();
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut inner: serde_json::Value = serde_json::from_slice(&engine.decode(cursor).unwrap()).unwrap();
    assert_eq!(app.get(&format!("/v1/schools?limit=1&cursor={cursor}"), &admin).await.status, 200);
    inner["i"] = json!("zzz");
    let forged = engine.encode(serde_json::to_vec(&inner).unwrap());
    let res = app.get(&format!("/v1/schools?limit=1&cursor={forged}"), &admin).await;
    res.assert_problem(400, "bad-request");
    assert_eq!(res.error_fields(), ["cursor"]);
}

#[actix_web::test]
async fn if_match_with_a_list_matches_any_tag_and_null_is_not_a_boolean() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let officer = app.officer(&admin, "4521").await;
    let path = format!("/v1/officers/{}", officer["id"].as_str().unwrap());
    let res = app.patch_if(&path, &admin, "\"7\", \"1\"", &json!({"phone": "613-555-0199"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app.patch(&path, &admin, &json!({"active": null})).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["active"]);
    let created = app
        .post(
            "/v1/officers",
            &admin,
            &json!({"badge_number": "9", "first_name": "A", "last_name": "B", "active": null}),
        )
        .await;
    created.assert_problem(422, "validation");
}

#[actix_web::test]
async fn a_patch_naming_the_schools_own_board_is_accepted_and_an_absent_school_is_404_first() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let school = app.school(&admin, "123456", OCDSB).await;
    let path = format!("/v1/schools/{}", school["id"].as_str().unwrap());
    let res = app.patch(&path, &admin, &json!({"board_id": OCDSB, "name": "Renamed"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let absent = format!("/v1/schools/{}", uuid::Uuid::now_v7());
    app.patch(&absent, &admin, &json!({"board_id": OCDSB})).await.assert_problem(404, "not-found");
    // A cross-field rule broken by the patch itself is still 422 once the record is read.
    let res = app.patch(&path, &admin, &json!({"board_id": null})).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["board_id"]);
}

/// Catches a query parameter silently ignored by an endpoint that takes none (a mistyped
/// filter on a single record would otherwise look like it worked), or checked before the
/// token's scope (403 comes before 400).
#[actix_web::test]
async fn an_endpoint_without_query_parameters_refuses_any_it_is_sent() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let school = app.school(&admin, "910001", OCDSB).await["id"].as_str().unwrap().to_owned();
    for (method, path) in [
        ("GET", format!("/v1/schools/{school}?verbose=true")),
        ("GET", "/v1/me?x=1".to_owned()),
        ("PATCH", format!("/v1/schools/{school}?dry_run=1")),
        ("DELETE", format!("/v1/schools/{school}?force=true")),
        ("GET", format!("/v1/persons/{}?limit=5", uuid::Uuid::now_v7())),
    ] {
        let res = match method {
            "GET" => app.get(&path, &admin).await,
            "PATCH" => app.patch(&path, &admin, &serde_json::json!({"phone": "613-555-0101"})).await,
            _ => app.delete(&path, &admin).await,
        };
        res.assert_problem(400, "bad-request");
        let named = path.split('?').nth(1).unwrap().split('=').next().unwrap();
        assert_eq!(res.error_fields(), [named], "{method} {path}");
    }
    assert_eq!(
        app.get(&format!("/v1/schools/{school}"), &admin).await.body["phone"],
        "613-555-0000",
        "nothing changed"
    );
    let dashboard = app.token_for(Role::Dashboard, None, None, None).await;
    app.get(&format!("/v1/persons/{}?x=1", uuid::Uuid::now_v7()), &dashboard).await.assert_problem(403, "forbidden");
}
