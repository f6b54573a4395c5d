//! Which methods each known path answers, read from the OpenAPI document (built from the same
//! route table the server mounts), so a known path with the wrong method gets 405 and `Allow`
//! instead of 404.

/// The known path templates and their methods.
#[derive(Debug, Clone, Default)]
pub struct KnownRoutes {
    routes: Vec<(Vec<String>, Vec<&'static str>)>,
}

fn segments(path: &str) -> Vec<String> {
    path.trim_end_matches('/').split('/').map(str::to_owned).collect()
}

/// What [`KnownRoutes::from_json`] reads of the document: each path's operations, nothing else
/// (the rest is skipped without being kept).
#[derive(serde::Deserialize)]
struct Paths {
    paths: std::collections::BTreeMap<String, Operations>,
}

#[derive(serde::Deserialize)]
struct Operations {
    get: Option<serde::de::IgnoredAny>,
    post: Option<serde::de::IgnoredAny>,
    put: Option<serde::de::IgnoredAny>,
    patch: Option<serde::de::IgnoredAny>,
    delete: Option<serde::de::IgnoredAny>,
}

impl KnownRoutes {
    /// Every path of the served document's text (`app::OpenApiText`) with its operations, plus
    /// the routes the document does not list.
    pub fn from_json(text: &str) -> Result<KnownRoutes, String> {
        let doc: Paths = serde_json::from_str(text).map_err(|e| format!("the OpenAPI document: {e}"))?;
        let mut routes: Vec<(Vec<String>, Vec<&'static str>)> = doc
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ];
                (segments(path), methods.iter().filter(|(_, on)| *on).map(|(m, _)| *m).collect())
            })
            .collect();
        for extra in ["/openapi.json", "/docs"] {
            routes.push((segments(extra), vec!["GET"]));
        }
        Ok(KnownRoutes { routes })
    }

    /// The methods answered at `path`, or None for an unknown path. When templates of several
    /// shapes match (`/v1/schools/import` and `/v1/schools/{id}`), the one with the most
    /// literal segments names the path.
    pub fn allowed(&self, path: &str) -> Option<Vec<&'static str>> {
        if path.starts_with("/docs/") {
            return Some(vec!["GET"]);
        }
        let wanted = segments(path);
        let fitting: Vec<&(Vec<String>, Vec<&'static str>)> = self
            .routes
            .iter()
            .filter(|(template, _)| {
                template.len() == wanted.len()
                    && template.iter().zip(&wanted).all(|(t, w)| (t.starts_with('{') && !w.is_empty()) || t == w)
            })
            .collect();
        let literals = |template: &[String]| template.iter().filter(|t| !t.starts_with('{')).count();
        let most = fitting.iter().map(|(t, _)| literals(t)).max()?;
        let mut methods: Vec<&'static str> = Vec::new();
        for (template, allowed) in fitting {
            if literals(template) == most {
                for m in allowed {
                    if !methods.contains(m) {
                        methods.push(m);
                    }
                }
            }
        }
        (!methods.is_empty()).then_some(methods)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_one_segment_each_and_methods_are_merged() {
        let routes = KnownRoutes::from_json(&crate::openapi::render()).unwrap_or_default();
        assert_eq!(routes.allowed("/v1/me"), Some(vec!["GET"]));
        assert_eq!(routes.allowed("/oauth/token"), Some(vec!["POST"]));
        assert_eq!(routes.allowed("/v1/schools/import"), Some(vec!["POST"]), "the literal path wins");
        assert_eq!(routes.allowed("/v1/schools/x"), Some(vec!["GET", "PATCH", "DELETE"]));
        assert_eq!(routes.allowed("/v1/nothing"), None);
        assert_eq!(routes.allowed("/v1/schools/a/b/c"), None);
    }
}
