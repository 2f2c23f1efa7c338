//! API Gateway (REST, v1) on 127.0.0.1: the routes are read from the applied
//! API in the local cloud (resources, methods, their authorizers and Lambda
//! proxy integrations), so the local API is the deployed one, not a copy.
//! Requests go under `/<stage>/...` as on `execute-api`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::auth::{claims_for_event, CognitoAuthorizer};
use super::functions::FunctionPool;
use super::routes::Router;
use super::{RuntimeError, LOCAL_ACCOUNT};
use crate::provider::aws_error;
use aws_lambda_events::apigw::{
    ApiGatewayProxyRequest, ApiGatewayProxyRequestContext, ApiGatewayRequestAuthorizer, ApiGatewayRequestIdentity,
};
use aws_lambda_events::query_map::QueryMap;
use aws_sdk_apigateway::types::AuthorizerType;

/// One method of one resource.
#[derive(Debug, Clone)]
pub struct Route {
    pub resource_id: String,
    /// `/schedule/{scheduleId}`
    pub resource_path: String,
    /// `GET`, or `ANY`.
    pub method: String,
    /// How API Gateway authorizes the method.
    pub authorization: Authorization,
    /// The Lambda function's ARN (AWS_PROXY integration).
    pub function_arn: Option<String>,
}

/// A method's authorization as the local runtime enforces it. Only what it
/// models is let through: a type it cannot verify (AWS_IAM's SigV4, a
/// CUSTOM Lambda authorizer) is refused, never served unauthenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    /// `NONE`: open, as on AWS.
    None,
    /// `COGNITO_USER_POOLS` with this authorizer id: the token must come
    /// from one of that authorizer's pools (not any pool of the API).
    Cognito(String),
    /// Anything else (the type, for the log): every request is a 403.
    Unsupported(String),
}

impl Authorization {
    /// From a method's `authorizationType` and `authorizerId`.
    pub fn of(authorization_type: Option<&str>, authorizer_id: Option<&str>) -> Self {
        match (authorization_type, authorizer_id) {
            (None | Some("NONE"), _) => Authorization::None,
            (Some("COGNITO_USER_POOLS"), Some(id)) => Authorization::Cognito(id.to_owned()),
            (Some(other), _) => Authorization::Unsupported(other.to_owned()),
        }
    }
}

/// The applied REST API: its routes, stages and authorizers.
#[derive(Debug, Clone)]
pub struct ApiRoutes {
    pub api_id: String,
    pub stages: Vec<String>,
    pub routes: Vec<Route>,
    /// (Cognito authorizer id, its user pool ids); other authorizer types
    /// are not listed, so a method naming one is refused.
    pub authorizers: BTreeMap<String, Vec<String>>,
    /// `routes` by path template (matchit), built once.
    router: Router,
}

impl ApiRoutes {
    /// Reads the REST API `api_id` from the local cloud.
    pub async fn load(client: &aws_sdk_apigateway::Client, api_id: &str) -> Result<Self, RuntimeError> {
        let failed = |e: crate::provider::ProviderError| RuntimeError::Api { api: api_id.to_owned(), source: e };
        let resources = client
            .get_resources()
            .rest_api_id(api_id)
            .limit(500)
            .send()
            .await
            .map_err(aws_error("apigateway:GetResources"))
            .map_err(failed)?;
        let mut routes = Vec::new();
        for r in resources.items() {
            let (Some(id), Some(path)) = (r.id(), r.path()) else { continue };
            for method in r.resource_methods().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
                let m = client
                    .get_method()
                    .rest_api_id(api_id)
                    .resource_id(id)
                    .http_method(&method)
                    .send()
                    .await
                    .map_err(aws_error("apigateway:GetMethod"))
                    .map_err(failed)?;
                let uri = m.method_integration().and_then(|i| i.uri()).unwrap_or_default();
                routes.push(Route {
                    resource_id: id.to_owned(),
                    resource_path: path.to_owned(),
                    method,
                    authorization: Authorization::of(m.authorization_type(), m.authorizer_id()),
                    function_arn: function_of(uri),
                });
            }
        }
        let stages = client
            .get_stages()
            .rest_api_id(api_id)
            .send()
            .await
            .map_err(aws_error("apigateway:GetStages"))
            .map_err(failed)?
            .item()
            .iter()
            .filter_map(|s| s.stage_name().map(str::to_owned))
            .collect();
        let mut authorizers = BTreeMap::new();
        let listed = client
            .get_authorizers()
            .rest_api_id(api_id)
            .send()
            .await
            .map_err(aws_error("apigateway:GetAuthorizers"))
            .map_err(failed)?;
        for a in listed.items().iter().filter(|a| a.r#type() == Some(&AuthorizerType::CognitoUserPools)) {
            let pools = a.provider_arns().iter().filter_map(|arn| arn.rsplit('/').next().map(str::to_owned)).collect();
            if let Some(id) = a.id() {
                authorizers.insert(id.to_owned(), pools);
            }
        }
        Self::new(api_id, stages, routes, authorizers)
    }

    pub fn new(
        api_id: &str,
        stages: Vec<String>,
        routes: Vec<Route>,
        authorizers: BTreeMap<String, Vec<String>>,
    ) -> Result<Self, RuntimeError> {
        let router = Router::new(&routes).map_err(|source| RuntimeError::Routes { api: api_id.to_owned(), source })?;
        Ok(Self { api_id: api_id.to_owned(), stages, routes, authorizers, router })
    }

    /// The route for `path` (without the stage) and `method`, with its
    /// decoded path parameters (see `routes`).
    pub fn find(&self, method: &str, path: &str) -> Option<(&Route, HashMap<String, String>)> {
        let (index, params) = self.router.find(method, path)?;
        Some((&self.routes[index], params))
    }
}

/// `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<fn arn>/invocations` -> `<fn arn>`.
fn function_of(uri: &str) -> Option<String> {
    let rest = uri.split_once("/functions/")?.1;
    Some(rest.strip_suffix("/invocations").unwrap_or(rest).to_owned())
}

/// What the HTTP handler shares.
#[derive(Clone)]
pub struct Gateway {
    pub routes: Arc<ApiRoutes>,
    pub functions: FunctionPool,
    /// Each Cognito authorizer of the API by id, with its own pools.
    pub authorizers: Arc<BTreeMap<String, CognitoAuthorizer>>,
}

/// The claims a request carries to the function, or the refusal: 401 for a
/// token the method's own authorizer does not accept, 403 for a method whose
/// authorization the local runtime cannot verify (fail closed).
pub fn authorize(
    authorizers: &BTreeMap<String, CognitoAuthorizer>,
    route: &Route,
    header: Option<&str>,
) -> Result<Option<Map<String, Value>>, Refusal> {
    match &route.authorization {
        Authorization::None => Ok(None),
        Authorization::Unsupported(kind) => {
            Err(Refusal::Forbidden(format!("authorization type {kind} is not modelled locally")))
        }
        Authorization::Cognito(id) => match authorizers.get(id) {
            None => Err(Refusal::Forbidden(format!("authorizer {id} is not a Cognito authorizer of this API"))),
            Some(authorizer) => {
                authorizer.verify(header).map(Some).map_err(|why| Refusal::Unauthorized(why.to_string()))
            }
        },
    }
}

/// Why a request is refused before the function runs (for the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Unauthorized(String),
    Forbidden(String),
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, [("content-type", "application/json")], json!({ "message": text }).to_string()).into_response()
}

/// Every request: route, authorize, invoke, map the proxy response.
pub async fn handle(State(gw): State<Gateway>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let full = uri.path();
    let mut parts = full.trim_start_matches('/').splitn(2, '/');
    let stage = parts.next().unwrap_or_default().to_owned();
    let path = format!("/{}", parts.next().unwrap_or_default());
    if !gw.routes.stages.contains(&stage) {
        return message(StatusCode::FORBIDDEN, "Missing Authentication Token");
    }
    let Some((route, path_params)) = gw.routes.find(method.as_str(), &path) else {
        return message(StatusCode::FORBIDDEN, "Missing Authentication Token");
    };
    let claims = match authorize(&gw.authorizers, route, headers.get("authorization").and_then(|v| v.to_str().ok())) {
        Ok(claims) => claims,
        Err(Refusal::Unauthorized(why)) => {
            eprintln!("[api] {} {full}: 401 ({why})", method.as_str());
            return message(StatusCode::UNAUTHORIZED, "Unauthorized");
        }
        Err(Refusal::Forbidden(why)) => {
            eprintln!("[api] {} {full}: 403 ({why})", method.as_str());
            return message(StatusCode::FORBIDDEN, "Forbidden");
        }
    };
    let Some(function) = &route.function_arn else {
        return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error");
    };
    let event =
        proxy_event(&gw.routes.api_id, &stage, route, &method, &uri, &path, &headers, path_params, claims, &body);
    match gw.functions.invoke(function, &event).await {
        Ok(answer) => proxy_response(&answer),
        Err(RuntimeError::Invoke { source: super::functions::InvokeError::Timeout(_), .. }) => {
            message(StatusCode::GATEWAY_TIMEOUT, "Endpoint request timed out")
        }
        Err(e) => {
            eprintln!("[api] {} {full}: 502 ({e})", method.as_str());
            message(StatusCode::BAD_GATEWAY, "Internal server error")
        }
    }
}

/// The REST (v1) proxy event, as `aws_lambda_events` models it: the same
/// type `lambda_http` deserializes in the functions, so the local event
/// cannot drift from the shape the functions read.
#[allow(clippy::too_many_arguments)]
fn proxy_event(
    api_id: &str,
    stage: &str,
    route: &Route,
    method: &Method,
    uri: &Uri,
    path: &str,
    headers: &HeaderMap,
    path_params: HashMap<String, String>,
    claims: Option<Map<String, Value>>,
    body: &[u8],
) -> Value {
    let mut query: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        query.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    let query = QueryMap::from(query);
    let (body, base64) = match std::str::from_utf8(body) {
        _ if body.is_empty() => (None, false),
        Ok(text) => (Some(text.to_owned()), false),
        Err(_) => {
            use base64::Engine as _;
            (Some(base64::engine::general_purpose::STANDARD.encode(body)), true)
        }
    };
    let mut identity = ApiGatewayRequestIdentity::default();
    identity.source_ip = Some("127.0.0.1".to_owned());
    identity.user_agent = headers.get("user-agent").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut authorizer = ApiGatewayRequestAuthorizer::default();
    if let Some(claims) = claims {
        authorizer.fields.insert("claims".to_owned(), claims_for_event(&claims));
    }
    let mut context = ApiGatewayProxyRequestContext::default();
    context.account_id = Some(LOCAL_ACCOUNT.to_owned());
    context.apiid = Some(api_id.to_owned());
    context.resource_id = Some(route.resource_id.clone());
    context.resource_path = Some(route.resource_path.clone());
    context.http_method = method.clone();
    context.path = Some(format!("/{stage}{path}"));
    context.stage = Some(stage.to_owned());
    context.request_id = Some(uuid::Uuid::new_v4().to_string());
    context.request_time_epoch = jiff::Timestamp::now().as_millisecond();
    context.protocol = Some("HTTP/1.1".to_owned());
    context.identity = identity;
    context.authorizer = authorizer;
    let mut event = ApiGatewayProxyRequest::default();
    event.resource = Some(route.resource_path.clone());
    event.path = Some(path.to_owned());
    event.http_method = method.clone();
    let headers = text_headers(headers);
    event.multi_value_headers = headers.clone();
    event.headers = headers;
    event.query_string_parameters = query.clone();
    event.multi_value_query_string_parameters = query;
    event.path_parameters = path_params;
    event.request_context = context;
    event.body = body;
    event.is_base64_encoded = base64;
    serde_json::to_value(&event).unwrap_or(Value::Null)
}

/// The headers with every value as text: the event carries strings, and
/// `aws_lambda_events` cannot serialize a value that is not (its event would
/// be null and the function would fail). Such a value (bytes outside
/// visible ASCII) is passed empty.
fn text_headers(headers: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let value = if value.to_str().is_ok() { value.clone() } else { axum::http::HeaderValue::from_static("") };
        out.append(name.clone(), value);
    }
    out
}

/// A Lambda proxy answer as an HTTP response; anything malformed is a 502,
/// as API Gateway answers it.
fn proxy_response(answer: &Value) -> Response {
    let Some(status) =
        answer.get("statusCode").and_then(Value::as_u64).and_then(|s| StatusCode::from_u16(s as u16).ok())
    else {
        return message(StatusCode::BAD_GATEWAY, "Internal server error");
    };
    let mut headers = HeaderMap::new();
    let mut add = |k: &str, v: &Value| {
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let (Ok(k), Ok(v)) = (axum::http::HeaderName::try_from(k), axum::http::HeaderValue::try_from(text)) {
            headers.append(k, v);
        }
    };
    if let Some(h) = answer.get("headers").and_then(Value::as_object) {
        for (k, v) in h {
            add(k, v);
        }
    }
    if let Some(h) = answer.get("multiValueHeaders").and_then(Value::as_object) {
        for (k, vs) in h {
            for v in vs.as_array().into_iter().flatten() {
                add(k, v);
            }
        }
    }
    let text = answer.get("body").and_then(Value::as_str).unwrap_or_default();
    let body = if answer.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.decode(text).unwrap_or_default()
    } else {
        text.as_bytes().to_vec()
    };
    (status, headers, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::auth::{AuthError, TrustedPool};

    fn routes() -> ApiRoutes {
        let r = |path: &str, method: &str| Route {
            resource_id: path.into(),
            resource_path: path.into(),
            method: method.into(),
            authorization: Authorization::None,
            function_arn: None,
        };
        ApiRoutes::new(
            "a",
            vec!["v1".into()],
            vec![r("/schedule", "POST"), r("/schedule/{scheduleId}", "GET"), r("/schedule/list", "GET")],
            BTreeMap::new(),
        )
        .unwrap()
    }

    #[test]
    fn routes_match_literals_first_then_parameters() {
        let api = routes();
        let (r, p) = api.find("GET", "/schedule/abc%20d").unwrap();
        assert_eq!(r.resource_path, "/schedule/{scheduleId}");
        assert_eq!(p["scheduleId"], "abc d");
        assert_eq!(api.find("GET", "/schedule/list").unwrap().0.resource_path, "/schedule/list");
        assert!(api.find("DELETE", "/schedule").is_none());
        assert!(api.find("GET", "/orders").is_none());
    }

    /// A JWKS with one RSA key `kid` (the key material is never used: no
    /// signature is checked before the key is found).
    fn jwks(kid: &str) -> jsonwebtoken::jwk::JwkSet {
        serde_json::from_value(json!({ "keys": [{
            "kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
            "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw",
            "e": "AQAB"
        }]}))
        .unwrap()
    }

    /// A JWT-shaped string whose header names `kid`.
    fn token_with_kid(kid: &str) -> String {
        use base64::Engine as _;
        let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.c2ln", b64(json!({ "alg": "RS256", "kid": kid })), b64(json!({ "sub": "x" })))
    }

    fn route(authorization: Authorization) -> Route {
        Route {
            resource_id: "r".into(),
            resource_path: "/orders".into(),
            method: "GET".into(),
            authorization,
            function_arn: None,
        }
    }

    #[test]
    fn methods_the_runtime_cannot_verify_are_refused() {
        assert_eq!(Authorization::of(Some("AWS_IAM"), None), Authorization::Unsupported("AWS_IAM".into()));
        assert_eq!(Authorization::of(Some("CUSTOM"), Some("a1")), Authorization::Unsupported("CUSTOM".into()));
        assert_eq!(
            Authorization::of(Some("COGNITO_USER_POOLS"), None),
            Authorization::Unsupported("COGNITO_USER_POOLS".into())
        );
        assert_eq!(Authorization::of(Some("NONE"), None), Authorization::None);
        let none = BTreeMap::new();
        let token = token_with_kid("k1");
        for authorization in [Authorization::Unsupported("AWS_IAM".into()), Authorization::Unsupported("CUSTOM".into())]
        {
            assert!(matches!(authorize(&none, &route(authorization), Some(&token)), Err(Refusal::Forbidden(_))));
        }
        // A Cognito method whose authorizer the runtime does not have.
        let unknown = route(Authorization::Cognito("gone".into()));
        assert!(matches!(authorize(&none, &unknown, Some(&token)), Err(Refusal::Forbidden(_))));
        assert_eq!(authorize(&none, &route(Authorization::None), None), Ok(None));
    }

    #[test]
    fn a_token_is_checked_against_the_methods_own_authorizer_only() {
        let pool = |kid: &str| TrustedPool {
            issuer: format!("https://cognito-idp.us-east-1.amazonaws.com/{kid}"),
            client_ids: vec!["c".into()],
            keys: jwks(kid),
        };
        let authorizers = BTreeMap::from([
            ("a".to_owned(), CognitoAuthorizer { pools: vec![pool("key-of-a")] }),
            ("b".to_owned(), CognitoAuthorizer { pools: vec![pool("key-of-b")] }),
        ]);
        let token = token_with_kid("key-of-a");
        // b's method: a's key is unknown there, whatever the API trusts elsewhere.
        let refused = authorize(&authorizers, &route(Authorization::Cognito("b".into())), Some(&token));
        assert_eq!(refused, Err(Refusal::Unauthorized(AuthError::UnknownKey.to_string())));
        // a's method finds the key (and then refuses the forged signature).
        let refused = authorize(&authorizers, &route(Authorization::Cognito("a".into())), Some(&token));
        assert!(matches!(refused, Err(Refusal::Unauthorized(why)) if why != AuthError::UnknownKey.to_string()));
    }

    #[test]
    fn the_proxy_event_is_what_lambda_http_reads() {
        let route = Route {
            resource_id: "r1".into(),
            resource_path: "/schedule/{id}".into(),
            method: "GET".into(),
            authorization: Authorization::Cognito("a".into()),
            function_arn: None,
        };
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "t".parse().unwrap());
        let uri: Uri = "/v1/schedule/a+b?limit=1&status=CREATED&status=FAILED".parse().unwrap();
        let params = HashMap::from([("id".to_owned(), "a+b".to_owned())]);
        let claims = serde_json::from_value(json!({"sub": "u1"})).unwrap();
        let event =
            proxy_event("api", "v1", &route, &Method::GET, &uri, "/schedule/a+b", &headers, params, Some(claims), b"{}");
        let back: ApiGatewayProxyRequest = serde_json::from_value(event.clone()).unwrap();
        assert_eq!(back.path_parameters["id"], "a+b");
        assert_eq!(back.query_string_parameters.first("limit"), Some("1"));
        assert_eq!(back.multi_value_query_string_parameters.all("status"), Some(vec!["CREATED", "FAILED"]));
        assert_eq!(back.request_context.authorizer.fields["claims"]["sub"], "u1");
        assert_eq!(back.request_context.path.as_deref(), Some("/v1/schedule/a+b"));
        assert_eq!(back.body.as_deref(), Some("{}"));
        assert_eq!(event["resource"], "/schedule/{id}");
        assert_eq!(event["headers"]["authorization"], "t");
        // A header value that is not text (fuzzers send them) is passed empty,
        // never turning the whole event into null.
        headers.insert("idempotency-key", axum::http::HeaderValue::from_bytes(b"k\xff").unwrap());
        let params = HashMap::new();
        let event = proxy_event("api", "v1", &route, &Method::GET, &uri, "/x", &headers, params, None, b"");
        assert_eq!(event["headers"]["idempotency-key"], "", "{event}");
        assert_eq!(event["multiValueHeaders"]["authorization"], json!(["t"]));
    }

    #[test]
    fn integration_uris_name_their_function() {
        assert_eq!(
            function_of("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations"),
            Some("arn:aws:lambda:us-east-1:1:function:f".into())
        );
    }
}
