//! Problems in French (API.md §8): `Accept-Language: fr` (or `fr-CA`) gives French titles,
//! details and field messages, everything else English; `type`, `code` and field names never
//! change; every answer says its language in `Content-Language`.

use actix_web::test::TestRequest;
use serde_json::{json, Value};

use crate::support::*;
use sro_api::domain::access::{Role, Scope};

/// Sends `req` asking for `lang` (none when empty), with `token` ("" for none).
async fn send_in(app: &TestApp, lang: &str, req: TestRequest, token: &str) -> Resp {
    let req = if lang.is_empty() { req } else { req.insert_header(("accept-language", lang)) };
    let req = if token.is_empty() { req } else { req.insert_header(("authorization", format!("Bearer {token}"))) };
    app.send(req).await
}

/// GET asking for `lang`.
async fn get_in(app: &TestApp, lang: &str, path: &str, token: &str) -> Resp {
    send_in(app, lang, TestRequest::get().uri(path), token).await
}

/// POST a JSON body asking for `lang`.
async fn post_in(app: &TestApp, lang: &str, path: &str, token: &str, body: &Value) -> Resp {
    send_in(app, lang, TestRequest::post().uri(path).set_json(body), token).await
}

/// Sends raw bytes with a content type, asking for `lang`.
async fn raw_in(app: &TestApp, lang: &str, path: &str, token: &str, content_type: &str, body: &'static str) -> Resp {
    let req = TestRequest::post().uri(path).insert_header(("content-type", content_type)).set_payload(body);
    send_in(app, lang, req, token).await
}

/// The `message` of every entry of a problem's `errors`, in order.
fn messages(res: &Resp) -> Vec<String> {
    res.body["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["message"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// Asserts a French problem: its status and type, `Content-Language: fr`, and the French title.
#[track_caller]
fn assert_french(res: &Resp, status: u16, slug: &str, title: &str) {
    res.assert_problem(status, slug);
    assert_eq!(res.header("content-language").as_deref(), Some("fr"), "{}", res.text);
    assert_eq!(res.body["title"], title, "{}", res.text);
}

fn bad_school() -> Value {
    json!({"ministry_number": "12345", "name": "", "level": "college", "kind": "public",
        "postal_code": "ZZZ", "colour": "red"})
}

/// Catches a 422 left in English for a French caller (title, detail or any field message), a
/// field name or `type` translated with it, and an English answer whose words changed.
#[actix_web::test]
async fn a_422_in_french_names_the_same_fields_in_french_words_and_english_is_unchanged() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let fr = post_in(&app, "fr", "/v1/schools", &admin, &bad_school()).await;
    assert_french(&fr, 422, "validation", "Échec de la validation");
    assert_eq!(fr.body["detail"], "Un ou plusieurs champs ne sont pas acceptables.");
    let en = post_in(&app, "", "/v1/schools", &admin, &bad_school()).await;
    en.assert_problem(422, "validation");
    assert_eq!(en.header("content-language").as_deref(), Some("en"));
    assert_eq!(
        (&en.body["title"], &en.body["detail"]),
        (&json!("Validation failed"), &json!("One or more fields are not acceptable."))
    );
    let fields = ["ministry_number", "name", "level", "postal_code", "board_id", "colour"];
    assert_eq!(fr.error_fields(), fields);
    assert_eq!(en.error_fields(), fields, "field names never change with the language");
    assert_eq!(fr.body["type"], en.body["type"]);
    assert_eq!(
        messages(&fr),
        [
            "doit compter six chiffres, sous forme de chaîne",
            "est obligatoire",
            "doit être l'une des valeurs suivantes : elementary, secondary, combined",
            "doit être un code postal canadien, comme K1A 0B1",
            "est obligatoire, sauf si kind vaut private",
            "champ inconnu",
        ]
    );
    assert_eq!(
        messages(&en),
        [
            "must be six digits, as a string",
            "is required",
            "must be one of: elementary, secondary, combined",
            "must be a Canadian postal code such as K1A 0B1",
            "is required unless kind is private",
            "unknown field",
        ],
        "the English words are those integrators already match on"
    );
    let canadian = post_in(&app, "fr-CA", "/v1/schools", &admin, &bad_school()).await;
    assert_eq!(canadian.header("content-language").as_deref(), Some("fr"));
    assert_eq!(messages(&canadian), messages(&fr), "fr-CA is French");
}

/// Catches a 401 or 403 left in English (they are raised before the handler runs, by the
/// token extractor), and a 401 that loses its `WWW-Authenticate` on the way.
#[actix_web::test]
async fn a_401_and_a_403_are_in_french() {
    let app = TestApp::spawn().await;
    let missing = get_in(&app, "fr", "/v1/schools", "").await;
    assert_french(&missing, 401, "unauthorized", "Authentification requise");
    assert_eq!(missing.body["detail"], "Le jeton d'accès est absent, invalide ou expiré.");
    assert!(missing.header("www-authenticate").is_some());
    let narrow = app.token_for(Role::Admin, None, None, Some(vec![Scope::BoardsRead])).await;
    let res = get_in(&app, "fr", "/v1/officers", &narrow).await;
    assert_french(&res, 403, "forbidden", "Accès interdit");
    assert_eq!(res.body["detail"], "Ce point de terminaison exige la portée `officers:read`.");
    let board = app.board(OCDSB).await;
    let res = get_in(&app, "fr-CA", "/v1/stats/referrals", &board).await;
    assert_french(&res, 403, "forbidden", "Accès interdit");
    assert_eq!(res.body["detail"], "Le rôle board ne peut pas utiliser ce point de terminaison.");
}

/// Catches a 404 or 405 in English for a French caller: a record that does not exist, a path
/// that matches no route (answered by the default service, outside every handler) and a method
/// the path does not answer (with its `Allow`).
#[actix_web::test]
async fn a_404_of_a_record_or_an_unknown_path_and_a_405_are_in_french() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let record = get_in(&app, "fr", &format!("/v1/schools/{}", uuid::Uuid::now_v7()), &admin).await;
    assert_french(&record, 404, "not-found", "Introuvable");
    assert_eq!(record.body["detail"], "Dossier introuvable.");
    for path in ["/v1/nothing-here", "/nothing-here", "/v1/schools/not-a-uuid"] {
        let res = get_in(&app, "fr", path, &admin).await;
        assert_french(&res, 404, "not-found", "Introuvable");
    }
    let res = send_in(&app, "fr", TestRequest::delete().uri("/v1/schools"), &admin).await;
    assert_french(&res, 405, "method-not-allowed", "Méthode non permise");
    assert_eq!(res.body["detail"], "Ce chemin ne répond qu'à GET, POST.");
    assert_eq!(res.header("allow").as_deref(), Some("GET, POST"));
}

/// Catches a 409 or 412 left in English, and a conflict `code` translated with its words (a
/// client switches on it).
#[actix_web::test]
async fn a_409_keeps_its_code_and_a_412_is_in_french() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.school(&admin, "900001", OCDSB).await;
    let body = school_body("900001", Some(OCDSB), "public");
    let fr = post_in(&app, "fr", "/v1/schools", &admin, &body).await;
    assert_french(&fr, 409, "conflict", "Conflit");
    assert_eq!(fr.body["detail"], "Une école avec ce numéro du ministère existe déjà.");
    let en = post_in(&app, "en", "/v1/schools", &admin, &body).await;
    assert_eq!(en.body["detail"], "A school with this ministry number already exists.");
    assert_eq!((&fr.body["code"], &en.body["code"]), (&json!("duplicate"), &json!("duplicate")));
    let officer = app.officer(&admin, "4521").await;
    let path = format!("/v1/officers/{}", officer["id"].as_str().unwrap());
    let req =
        TestRequest::patch().uri(&path).insert_header(("if-match", "\"7\"")).set_json(json!({"phone": "613-555-0199"}));
    let stale = send_in(&app, "fr", req, &admin).await;
    assert_french(&stale, 412, "precondition-failed", "Échec de la précondition");
    assert_eq!(stale.body["detail"], "If-Match ne désigne pas la version actuelle; obtenez de nouveau le dossier.");
}

/// Catches a 400 or 415 in English for a French caller: bad JSON and a repeated key (read
/// from the raw body), a bad or unknown query parameter, and a body of the wrong media type.
#[actix_web::test]
async fn a_400_of_the_body_or_the_query_and_a_415_are_in_french() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = raw_in(&app, "fr", "/v1/officers", &admin, "application/json", "{\"badge_number\": ").await;
    assert_french(&res, 400, "bad-request", "Requête invalide");
    assert!(res.body["detail"].as_str().unwrap().starts_with("Le corps n'est pas du JSON valide (ligne 1, colonne"));
    let twice = r#"{"badge_number": "77", "last_name": "B", "last_name": "C"}"#;
    let res = raw_in(&app, "fr", "/v1/officers", &admin, "application/json", twice).await;
    assert_french(&res, 400, "bad-request", "Requête invalide");
    assert_eq!(
        (res.error_fields(), messages(&res)),
        (vec!["last_name".to_owned()], vec!["figure plus d'une fois".to_owned()])
    );
    let res = get_in(&app, "fr", "/v1/schools?limit=0&colour=red", &admin).await;
    assert_french(&res, 400, "bad-request", "Requête invalide");
    assert_eq!(res.body["detail"], "Un ou plusieurs paramètres de requête ne sont pas acceptables.");
    assert_eq!(res.error_fields(), ["limit", "colour"]);
    assert_eq!(messages(&res), ["doit être un nombre entier de 1 à 500", "paramètre de requête inconnu"]);
    let res = get_in(&app, "fr", "/v1/me?x=1", &admin).await;
    assert_eq!(messages(&res), ["paramètre de requête inconnu : ce point de terminaison n'en accepte aucun"]);
    let res = raw_in(&app, "fr", "/v1/officers", &admin, "text/plain", "badge=1").await;
    assert_french(&res, 415, "unsupported-media-type", "Type de média non pris en charge");
    assert_eq!(res.body["detail"], "Le corps doit être en application/json.");
}

/// Catches French given to a caller that did not ask for it (`de`, `*`, English first), and
/// an answer in English that does not say so.
#[actix_web::test]
async fn any_other_language_is_english_and_says_so() {
    let app = TestApp::spawn().await;
    for lang in ["de", "*", "en-CA,fr;q=0.5", "fr;q=0"] {
        let res = get_in(&app, lang, "/v1/schools", "").await;
        res.assert_problem(401, "unauthorized");
        assert_eq!(res.header("content-language").as_deref(), Some("en"), "{lang}");
        assert_eq!(res.body["title"], "Unauthorized", "{lang}");
        assert_eq!(res.body["detail"], "The access token is missing, invalid or expired.", "{lang}");
    }
}

/// Catches an answer without `Content-Language`: a success, the operations endpoints, and the
/// OpenAPI document and its viewer, which are English whatever is asked, as are the RFC 6749
/// errors of `/oauth/token` (ASCII only).
#[actix_web::test]
async fn every_answer_says_its_language() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ok = get_in(&app, "fr", "/v1/boards", &admin).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("content-language").as_deref(), Some("fr"));
    assert_eq!(get_in(&app, "", "/v1/boards", &admin).await.header("content-language").as_deref(), Some("en"));
    assert_eq!(get_in(&app, "fr", "/healthz", "").await.header("content-language").as_deref(), Some("fr"));
    for path in ["/openapi.json", "/docs", "/docs/"] {
        let res = get_in(&app, "fr", path, "").await;
        assert!(res.status < 400, "{path}: {}", res.status);
        assert_eq!(res.header("content-language").as_deref(), Some("en"), "{path}");
    }
    let req = TestRequest::post()
        .uri("/oauth/token")
        .insert_header(("content-type", "text/plain"))
        .set_payload("grant_type=client_credentials");
    let token = send_in(&app, "fr", req, "").await;
    assert_eq!(token.status, 400, "{}", token.text);
    assert_eq!(token.header("content-language").as_deref(), Some("en"));
    assert!(token.body["error_description"].as_str().unwrap().is_ascii());
}

/// Catches a replayed problem whose `Content-Language` is the retry's while its words are the
/// first request's (the body is kept as it was sent).
#[actix_web::test]
async fn a_replay_says_the_language_its_words_were_written_in() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let keyed = |lang: &str| {
        TestRequest::post()
            .uri("/v1/schools")
            .insert_header(("idempotency-key", "fr-then-en"))
            .insert_header(("accept-language", lang.to_owned()))
            .set_json(bad_school())
    };
    let first = send_in(&app, "", keyed("fr"), &admin).await;
    assert_french(&first, 422, "validation", "Échec de la validation");
    let again = send_in(&app, "", keyed("en"), &admin).await;
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body["title"], "Échec de la validation");
    assert_eq!(again.header("content-language").as_deref(), Some("fr"));
}
