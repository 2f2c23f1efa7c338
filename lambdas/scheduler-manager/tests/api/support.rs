//! A fresh world per test (tables and schedule group with unique names) and
//! API Gateway REST proxy events as the Cognito-authorized API sends them.

use acme_core::config::ManagerConfig;
use acme_core::model::ScheduleDefinition;
use acme_core::table::{indexes, schedule_from_item};
use acme_core::test_support;
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::Body;
use scheduler_manager::App;
use serde_json::{json, Value};

pub const EXECUTOR_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:acme-order-executor";
pub const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/acme-scheduler-invoke";

pub struct World {
    pub app: App,
    pub config: ManagerConfig,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub scheduler: aws_sdk_scheduler::Client,
}

pub async fn world() -> World {
    let sdk = test_support::sdk_config().await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let scheduler = aws_sdk_scheduler::Client::new(&sdk);
    let kms = aws_sdk_kms::Client::new(&sdk);
    let key = kms.create_key().description("acme page tokens (test)").send().await.expect("create KMS key");
    let page_token_key_arn = key.key_metadata().and_then(|m| m.arn()).expect("key ARN").to_owned();
    let config = ManagerConfig {
        schedule_table: test_support::create_definitions_table(&dynamodb).await,
        orders_table: test_support::create_orders_table(&dynamodb).await,
        schedule_group: test_support::create_schedule_group(&scheduler).await,
        order_executor_arn: EXECUTOR_ARN.into(),
        scheduler_role_arn: ROLE_ARN.into(),
        page_token_key_arn,
    };
    World { app: App::new(&config, &sdk), config, dynamodb, scheduler }
}

/// A Cognito user: the `sub` claim the authorizer passes on.
pub fn user() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The API Gateway resource of a path: `/schedule/abc` → `/schedule/{id}`.
fn resource_of(path: &str) -> (String, Value) {
    match path.strip_prefix("/schedule/") {
        Some(id) => ("/schedule/{id}".into(), json!({ "id": id })),
        None => (path.to_owned(), Value::Null),
    }
}

/// A REST (v1) proxy event with Cognito authorizer claims for `sub`
/// (`None`: no authorizer context at all).
pub fn event(
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Option<&Value>,
    sub: Option<&str>,
) -> lambda_http::Request {
    let (resource, path_parameters) = resource_of(path);
    let query_single: serde_json::Map<String, Value> = query.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    let query_multi: serde_json::Map<String, Value> = query.iter().map(|(k, v)| (k.to_string(), json!([v]))).collect();
    let authorizer = match sub {
        Some(sub) => json!({
            "claims": {
                "sub": sub,
                "cognito:username": format!("user-{}", &sub[..8.min(sub.len())]),
                "email": "buyer@acme.example",
                "email_verified": "true",
                "token_use": "id",
                "aud": "4k1example0clientid0abcdef",
                "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI",
                "auth_time": "1740816000",
                "iat": "1740816000",
                "exp": "Sat Mar 01 09:00:00 UTC 2025"
            }
        }),
        None => Value::Null,
    };
    let event = json!({
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {
            "Accept": "application/json",
            "Authorization": "eyJraWQiOiJleGFtcGxlIn0.eyJzdWIiOiJleGFtcGxlIn0.c2lnbmF0dXJl",
            "Content-Type": "application/json",
            "Host": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "User-Agent": "acme-tests",
            "X-Forwarded-Proto": "https"
        },
        "multiValueHeaders": {
            "Accept": ["application/json"],
            "Content-Type": ["application/json"],
            "Host": ["a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"]
        },
        "queryStringParameters": if query.is_empty() { Value::Null } else { Value::Object(query_single) },
        "multiValueQueryStringParameters": if query.is_empty() { Value::Null } else { Value::Object(query_multi) },
        "pathParameters": path_parameters,
        "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "authorizer": authorizer,
            "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "a1b2c3d4e5",
            "extendedRequestId": "Xyz12AbCdEFgHiJ=",
            "httpMethod": method,
            "identity": { "sourceIp": "203.0.113.7", "userAgent": "acme-tests" },
            "path": format!("/prod{path}"),
            "protocol": "HTTP/1.1",
            "requestId": uuid::Uuid::new_v4().to_string(),
            "requestTime": "01/Mar/2025:08:00:00 +0000",
            "requestTimeEpoch": 1740816000000u64,
            "resourceId": "abc123",
            "resourcePath": resource,
            "stage": "prod"
        },
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false
    });
    lambda_http::request::from_str(&event.to_string()).expect("a valid REST proxy event")
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: lambda_http::http::HeaderMap,
}

impl World {
    pub async fn call(&self, request: lambda_http::Request) -> Reply {
        let response = self.app.handle(request).await;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = match response.body() {
            Body::Text(text) => serde_json::from_str(text).expect("JSON body"),
            Body::Binary(bytes) => serde_json::from_slice(bytes).expect("JSON body"),
            Body::Empty => Value::Null,
            _ => Value::Null,
        };
        if status != 400 && status < 500 {
            assert_eq!(headers.get("content-type").map(|v| v.to_str().unwrap()), Some("application/json"));
        }
        Reply { status, body, headers }
    }

    /// POST /schedule with an Idempotency-Key header.
    pub async fn post_with_key(&self, sub: &str, body: &Value, key: &str) -> Reply {
        let mut request = event("POST", "/schedule", &[], Some(body), Some(sub));
        request.headers_mut().insert("idempotency-key", key.parse().expect("a header value"));
        self.call(request).await
    }

    pub async fn post_schedule(&self, sub: &str, body: &Value) -> Reply {
        self.call(event("POST", "/schedule", &[], Some(body), Some(sub))).await
    }

    pub async fn get(&self, sub: &str, path: &str, query: &[(&str, &str)]) -> Reply {
        self.call(event("GET", path, query, None, Some(sub))).await
    }

    pub async fn delete(&self, sub: &str, path: &str) -> Reply {
        self.call(event("DELETE", path, &[], None, Some(sub))).await
    }

    /// Creates a schedule through the API and returns its id.
    pub async fn create(&self, sub: &str, name: &str) -> String {
        let reply = self.post_schedule(sub, &schedule_body(name)).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["scheduleId"].as_str().expect("scheduleId").to_owned()
    }

    /// The stored definitions of an owner, read back through the OwnerIndex.
    pub async fn definitions_of(&self, owner: &str) -> Vec<ScheduleDefinition> {
        let output = self
            .dynamodb
            .query()
            .table_name(&self.config.schedule_table)
            .index_name(indexes::OWNER_INDEX)
            .key_condition_expression("#o = :o")
            .expression_attribute_names("#o", "owner")
            .expression_attribute_values(":o", AttributeValue::S(owner.into()))
            .send()
            .await
            .expect("query definitions");
        output.items().iter().map(|item| schedule_from_item(item).expect("well-formed")).collect()
    }

    /// Names of the schedules in this world's group, as Scheduler lists them.
    pub async fn schedule_names(&self) -> Vec<String> {
        let output = self
            .scheduler
            .list_schedules()
            .group_name(&self.config.schedule_group)
            .send()
            .await
            .expect("list schedules");
        output.schedules().iter().filter_map(|s| s.name().map(str::to_owned)).collect()
    }
}

/// A valid POST /schedule body.
pub fn schedule_body(name: &str) -> Value {
    json!({
        "scheduleName": name,
        "frequency": "rate(1 day)",
        "gadgetType": "WIDGET",
        "quantity": 12,
    })
}
