//! Which methods each known path answers, read from the OpenAPI document (built from the same
//! route table the server mounts), so a known path with the wrong method gets 405 and `Allow`
//! instead of 404.

use utoipa::openapi::OpenApi;

/// The known path templates and their methods.
#[derive(Debug, Clone, Default)]
pub struct KnownRoutes {
    routes: Vec<(Vec<String>, Vec<&'static str>)>,
}

fn segments(path: &str) -> Vec<String> {
    path.trim_end_matches('/').split('/').map(str::to_owned).collect()
}

impl KnownRoutes {
    /// Every path of `doc` with its operations, plus the routes the document does not list.
    pub fn from_document(doc: &OpenApi) -> KnownRoutes {
        let mut routes: Vec<(Vec<String>, Vec<&'static str>)> = doc
            .paths
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
        KnownRoutes { routes }
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
        let routes = KnownRoutes::from_document(&crate::openapi::document());
        assert_eq!(routes.allowed("/v1/me"), Some(vec!["GET"]));
        assert_eq!(routes.allowed("/oauth/token"), Some(vec!["POST"]));
        assert_eq!(routes.allowed("/v1/schools/import"), Some(vec!["POST"]), "the literal path wins");
        assert_eq!(routes.allowed("/v1/schools/x"), Some(vec!["GET", "PATCH", "DELETE"]));
        assert_eq!(routes.allowed("/v1/nothing"), None);
        assert_eq!(routes.allowed("/v1/schools/a/b/c"), None);
    }
}
