//! Dependencies point one way: domain and service never import actix; domain never imports diesel.

fn sources(dir: &str) -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("api").join(dir);
    std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

#[test]
fn domain_and_service_do_not_depend_on_the_http_layer() {
    for dir in ["domain", "service"] {
        let files = sources(dir);
        assert!(!files.is_empty());
        for (path, text) in files {
            assert!(!text.contains("actix_web"), "{path} uses actix_web");
        }
    }
}

#[test]
fn domain_does_not_depend_on_persistence() {
    for (path, text) in sources("domain") {
        assert!(!text.contains("diesel::") && !text.contains("use diesel"), "{path} uses diesel");
    }
}
