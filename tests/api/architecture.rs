//! Dependencies point one way: `domain`, `service` and `db` never import actix (the HTTP layer);
//! `domain` never imports diesel; `service`, `db` and `domain` never import `auth` or `http`.

/// Every `.rs` file under `api/<dir>`, recursively, with its text.
fn sources(dir: &str) -> Vec<(String, String)> {
    fn walk(path: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(path).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("api").join(dir), &mut out);
    out
}

#[test]
fn domain_service_and_db_do_not_depend_on_the_http_layer() {
    for dir in ["domain", "service", "db"] {
        let files = sources(dir);
        assert!(files.len() > 2, "{dir} has files");
        for (path, text) in files {
            assert!(!text.contains("actix_"), "{path} uses actix");
            assert!(!text.contains("crate::http"), "{path} uses the http module");
        }
    }
    let error = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/api/error.rs")).unwrap();
    assert!(!error.contains("actix_"), "error.rs is the services' error type: no actix in it");
}

#[test]
fn domain_does_not_depend_on_persistence() {
    for (path, text) in sources("domain") {
        assert!(!text.contains("diesel::") && !text.contains("use diesel"), "{path} uses diesel");
    }
}

#[test]
fn services_and_persistence_do_not_call_back_into_auth() {
    // auth calls services (revocation reads the disabled clients); the reverse would be a cycle.
    for dir in ["domain", "service", "db"] {
        for (path, text) in sources(dir) {
            assert!(!text.contains("crate::auth"), "{path} uses crate::auth");
        }
    }
}
