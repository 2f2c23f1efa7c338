//! The API's routes, as one table. The OpenAPI document
//! (`openapi.yaml`) is tested against this table, so the two cannot drift.

use lambda_http::http::Method;

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    CreateSchedule,
    ListSchedules,
    GetSchedule,
    CancelSchedule,
    ListOrders,
}

/// One route: method and path template in API Gateway's `{param}` syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub template: &'static str,
    pub operation: Operation,
}

pub const ROUTES: &[Route] = &[
    Route { method: "POST", template: "/schedule", operation: Operation::CreateSchedule },
    Route { method: "GET", template: "/schedules", operation: Operation::ListSchedules },
    Route { method: "GET", template: "/schedule/{id}", operation: Operation::GetSchedule },
    Route { method: "DELETE", template: "/schedule/{id}", operation: Operation::CancelSchedule },
    Route { method: "GET", template: "/orders", operation: Operation::ListOrders },
];

/// A matched route with its path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub operation: Operation,
    pub params: Vec<(&'static str, String)>,
}

impl Matched {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(key, _)| *key == name).map(|(_, value)| value.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    NotFound,
    /// The path exists with other methods; they go in the `Allow` header.
    MethodNotAllowed {
        allowed: Vec<&'static str>,
    },
}

/// Matches on the resource path (`/schedule/abc`, without the stage), so the
/// function works behind explicit resources and behind `{proxy+}` alike.
pub fn match_route(method: &Method, path: &str) -> Result<Matched, RouteError> {
    let mut allowed = Vec::new();
    for route in ROUTES {
        let Some(params) = match_template(route.template, path) else { continue };
        if method.as_str() == route.method {
            return Ok(Matched { operation: route.operation, params });
        }
        allowed.push(route.method);
    }
    if allowed.is_empty() {
        Err(RouteError::NotFound)
    } else {
        Err(RouteError::MethodNotAllowed { allowed })
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|segment| !segment.is_empty())
}

fn match_template(template: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let mut wanted = segments(template);
    let mut given = segments(path);
    let mut params = Vec::new();
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(params),
            (Some(want), Some(got)) => {
                if let Some(name) = want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                    params.push((name, got.to_owned()));
                } else if want != got {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_every_route_and_its_parameter() {
        let m = match_route(&Method::GET, "/schedule/abc-123").unwrap();
        assert_eq!(m.operation, Operation::GetSchedule);
        assert_eq!(m.param("id"), Some("abc-123"));
        assert_eq!(match_route(&Method::DELETE, "/schedule/x").unwrap().operation, Operation::CancelSchedule);
        assert_eq!(match_route(&Method::POST, "/schedule").unwrap().operation, Operation::CreateSchedule);
        assert_eq!(match_route(&Method::GET, "/schedules/").unwrap().operation, Operation::ListSchedules);
        assert_eq!(match_route(&Method::GET, "/orders").unwrap().operation, Operation::ListOrders);
    }

    #[test]
    fn unknown_paths_and_methods_are_told_apart() {
        assert_eq!(match_route(&Method::GET, "/nope"), Err(RouteError::NotFound));
        assert_eq!(match_route(&Method::GET, "/schedule/a/b"), Err(RouteError::NotFound));
        assert_eq!(
            match_route(&Method::PUT, "/schedule/a"),
            Err(RouteError::MethodNotAllowed { allowed: vec!["GET", "DELETE"] })
        );
    }
}
