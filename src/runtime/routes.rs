//! Which route of the applied REST API answers a request, as API Gateway
//! decides it: the resource first (literal segments before `{param}`,
//! `{proxy+}` taking one or more segments), then the method on that
//! resource (its own before `ANY`). Paths are matched as sent and each path
//! parameter is then percent-decoded only: `+` stays `+`, as on API Gateway
//! (a form decoder would turn it into a space).

use std::collections::HashMap;

use super::api::Route;

/// The resources of one API, each with its methods' indexes into the routes.
#[derive(Debug, Clone)]
pub struct Router {
    resources: matchit::Router<HashMap<String, usize>>,
}

/// A route the table could not hold (two templates AWS would not allow
/// together either, e.g. `/a/{x}` and `/a/{y}`).
#[derive(Debug, thiserror::Error)]
#[error("cannot route {path}: {source}")]
pub struct RouteConflict {
    pub path: String,
    #[source]
    pub source: matchit::InsertError,
}

impl Router {
    pub fn new(routes: &[Route]) -> Result<Self, RouteConflict> {
        let mut by_path: HashMap<&str, HashMap<String, usize>> = HashMap::new();
        for (i, route) in routes.iter().enumerate() {
            by_path.entry(route.resource_path.as_str()).or_default().insert(route.method.clone(), i);
        }
        let mut resources = matchit::Router::new();
        for (path, methods) in by_path {
            resources
                .insert(template(path), methods)
                .map_err(|source| RouteConflict { path: path.to_owned(), source })?;
        }
        Ok(Self { resources })
    }

    /// The route's index for `method` on `path` (without the stage), with
    /// the decoded path parameters.
    pub fn find(&self, method: &str, path: &str) -> Option<(usize, HashMap<String, String>)> {
        let matched = self.resources.at(path).ok()?;
        let index = *matched.value.get(method).or_else(|| matched.value.get("ANY"))?;
        let params = matched.params.iter().map(|(k, v)| (k.to_owned(), decode(v))).collect();
        Some((index, params))
    }
}

/// API Gateway's `/a/{id}/{proxy+}` in matchit's syntax: `/a/{id}/{*proxy}`.
fn template(resource_path: &str) -> String {
    resource_path
        .split('/')
        .map(|seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix("+}")) {
            Some(name) => format!("{{*{name}}}"),
            None => seg.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `%XX` decoded; nothing else (`+` is a plus sign in a path).
fn decode(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::api::Authorization;

    fn route(path: &str, method: &str) -> Route {
        Route {
            resource_id: path.into(),
            resource_path: path.into(),
            method: method.into(),
            authorization: Authorization::None,
            function_arn: None,
        }
    }

    fn router(routes: &[Route]) -> Router {
        Router::new(routes).unwrap()
    }

    #[test]
    fn literals_win_then_parameters_then_greedy_proxies() {
        let routes =
            [route("/schedule/{scheduleId}", "GET"), route("/schedule/list", "GET"), route("/files/{proxy+}", "ANY")];
        let r = router(&routes);
        assert_eq!(r.find("GET", "/schedule/list").unwrap().0, 1);
        let (i, p) = r.find("GET", "/schedule/abc").unwrap();
        assert_eq!((i, p["scheduleId"].as_str()), (0, "abc"));
        // {proxy+} takes several segments, as on API Gateway.
        let (i, p) = r.find("DELETE", "/files/a/b/c.txt").unwrap();
        assert_eq!((i, p["proxy"].as_str()), (2, "a/b/c.txt"));
        assert!(r.find("GET", "/files").is_none(), "{{proxy+}} needs at least one segment");
        assert!(r.find("POST", "/schedule/abc").is_none(), "no POST on the resource");
        assert!(r.find("GET", "/schedule/abc/extra").is_none());
    }

    #[test]
    fn parameters_are_percent_decoded_but_plus_stays_plus() {
        let routes = [route("/schedule/{scheduleId}", "GET")];
        let r = router(&routes);
        assert_eq!(r.find("GET", "/schedule/a+b").unwrap().1["scheduleId"], "a+b");
        assert_eq!(r.find("GET", "/schedule/a%20b").unwrap().1["scheduleId"], "a b");
        assert_eq!(r.find("GET", "/schedule/a%2Bb").unwrap().1["scheduleId"], "a+b");
    }

    #[test]
    fn a_method_of_its_own_beats_any() {
        let routes = [route("/orders", "ANY"), route("/orders", "GET")];
        let r = router(&routes);
        assert_eq!(r.find("GET", "/orders").unwrap().0, 1);
        assert_eq!(r.find("PUT", "/orders").unwrap().0, 0);
    }
}
