//! `AWS::ApiGateway::Method`: one HTTP method of a REST API resource and its
//! integration.

use std::collections::BTreeMap;

use aws_sdk_apigateway::operation::get_method::GetMethodOutput;
use aws_sdk_apigateway::types::{ConnectionType, ContentHandlingStrategy, IntegrationType, PatchOperation};
use serde_json::Value;

use super::api_common::{self as common, NewKey, Obj};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, retry, Applied, Cx, Live, ProviderError, Request};

mod read;
mod update;
use read::*;
use update::*;

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    const INTEGRATION_RESPONSE: ValueType = Object(&[
        required("StatusCode", String),
        optional("SelectionPattern", String),
        optional("ResponseParameters", Map(&String)),
        optional("ResponseTemplates", Map(&String)),
        optional("ContentHandling", Enum(&["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"])),
    ]);

    const INTEGRATION: ValueType = Object(&[
        required("Type", Enum(&["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"])),
        // The method API Gateway uses towards the backend: always POST for Lambda.
        optional("IntegrationHttpMethod", String),
        // For Lambda: arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations
        optional("Uri", String),
        optional("TimeoutInMillis", Integer),
        optional("Credentials", String),
        optional("PassthroughBehavior", Enum(&["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"])),
        optional("RequestParameters", Map(&String)),
        optional("RequestTemplates", Map(&String)),
        optional("ConnectionType", Enum(&["INTERNET", "VPC_LINK"])),
        optional("ConnectionId", String),
        optional("ContentHandling", Enum(&["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"])),
        optional("CacheKeyParameters", List(&String)),
        optional("CacheNamespace", String),
        optional("IntegrationResponses", List(&INTEGRATION_RESPONSE)),
    ]);

    const METHOD_RESPONSE: ValueType = Object(&[
        required("StatusCode", String),
        optional("ResponseModels", Map(&String)),
        optional("ResponseParameters", Map(&Boolean)),
    ]);

    ResourceSchema {
        type_name: "AWS::ApiGateway::Method",
        properties: &[
            create_only(required("RestApiId", String)),
            create_only(required("ResourceId", String)),
            create_only(required(
                "HttpMethod",
                Enum(&["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"]),
            )),
            optional("AuthorizationType", Enum(&["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"])),
            optional("AuthorizerId", String),
            // With COGNITO_USER_POOLS: no scopes means API Gateway expects the ID
            // token; scopes mean it expects an access token carrying one of them.
            optional("AuthorizationScopes", List(&String)),
            optional("ApiKeyRequired", Boolean),
            optional("Integration", INTEGRATION),
            optional("MethodResponses", List(&METHOD_RESPONSE)),
            // `method.request.path.id: true` = the parameter is required.
            optional("RequestParameters", Map(&Boolean)),
            optional("RequestModels", Map(&String)),
            optional("RequestValidatorId", String),
            optional("OperationName", String),
        ],
        // CloudFormation's Ref value of a method (it has no Fn::GetAtt attribute).
        attributes: &["Id"],
        id_attribute: "Id",
        taggable: false,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type. A method has no id of its own in API Gateway: the
/// physical id is `<restApiId>|<resourceId>|<HTTPMETHOD>`, unique by
/// construction, so `find` adopts the method at that address.
///
/// Create is PutMethod, then the method responses, then PutIntegration and
/// the integration responses (an integration response needs its method
/// response first). Update is UpdateMethod with patch operations, plus
/// PutIntegration again when the `Integration` changed.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let key = Key::of(req.properties)?;
        put_everything(cx, &key, req.properties).await?;
        Ok(key.applied())
    }

    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let key = Key::of(req.properties)?;
        Ok(get_method(cx, &key).await?.map(|_| key.applied()))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let key = Key::parse(physical_id)?;
        let Some(m) = get_method(cx, &key).await? else { return Ok(None) };
        Ok(Some(Live { properties: properties(&key, &m), attributes: key.applied().attributes, tags: BTreeMap::new() }))
    }

    async fn update(&self, cx: &Cx, id: &str, before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let key = Key::parse(id)?;
        let after = req.properties;
        if cx.local {
            // moto 5.2.5 has no UpdateMethod, and its PutMethod replaces an
            // existing method (AWS answers ConflictException): the whole
            // method is put again there, integration and responses included.
            put_everything(cx, &key, after).await?;
            return Ok(key.applied());
        }
        let ops = method_patch(before, after)?;
        if !ops.is_empty() {
            update_method(cx, &key, ops).await?;
        }
        if before.get("MethodResponses") != after.get("MethodResponses") {
            replace_method_responses(cx, &key, before, after).await?;
        }
        if before.get("Integration") != after.get("Integration") {
            replace_integration(cx, &key, before, after).await?;
        }
        Ok(key.applied())
    }

    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        let key = Key::parse(physical_id)?;
        let client = cx.clients.apigateway();
        common::gone_ok(
            retry::with_retries(|| async {
                client
                    .delete_method()
                    .rest_api_id(key.api)
                    .resource_id(key.resource)
                    .http_method(key.method)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(aws_error("apigateway:DeleteMethod"))
            })
            .await,
        )
    }
}

// ---------------------------------------------------------------- identity --

/// Where a method lives: API, resource, HTTP method.
struct Key<'a> {
    api: &'a str,
    resource: &'a str,
    method: &'a str,
}

impl<'a> Key<'a> {
    fn of(p: &'a Value) -> Result<Self, ProviderError> {
        Ok(Key {
            api: common::req_str(p, "RestApiId")?,
            resource: common::req_str(p, "ResourceId")?,
            method: common::req_str(p, "HttpMethod")?,
        })
    }

    fn parse(physical_id: &'a str) -> Result<Self, ProviderError> {
        let [api, resource, method] = common::split_id::<3>(physical_id, "<restApiId>|<resourceId>|<HTTPMETHOD>")?;
        Ok(Key { api, resource, method })
    }

    fn id(&self) -> String {
        format!("{}|{}|{}", self.api, self.resource, self.method.to_ascii_uppercase())
    }

    fn applied(&self) -> Applied {
        let id = self.id();
        Applied { attributes: BTreeMap::from([("Id".to_owned(), Value::String(id.clone()))]), physical_id: id }
    }
}

async fn get_method(cx: &Cx, key: &Key<'_>) -> Result<Option<GetMethodOutput>, ProviderError> {
    common::found(
        cx.clients
            .apigateway()
            .get_method()
            .rest_api_id(key.api)
            .resource_id(key.resource)
            .http_method(key.method)
            .send()
            .await
            .map_err(aws_error("apigateway:GetMethod")),
    )
}

// ------------------------------------------------------------------ create --

/// PutMethod, method responses, integration and integration responses.
async fn put_everything(cx: &Cx, key: &Key<'_>, p: &Value) -> Result<(), ProviderError> {
    put_method(cx, key, p).await?;
    for response in list(p, "MethodResponses")? {
        put_method_response(cx, key, response).await?;
    }
    if let Some(integration) = p.get("Integration").filter(|i| !i.is_null()) {
        put_integration(cx, key, integration).await?;
    }
    Ok(())
}

/// The items of a list property (none when absent).
fn list<'a>(p: &'a Value, name: &str) -> Result<&'a [Value], ProviderError> {
    match p.get(name) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(ProviderError::invalid(name, format!("expected a list, got {other}"))),
    }
}

fn text(p: &Value, name: &str) -> Result<Option<String>, ProviderError> {
    common::opt_str(p, name).map(|v| v.map(str::to_owned))
}

async fn put_method(cx: &Cx, key: &Key<'_>, p: &Value) -> Result<(), ProviderError> {
    let client = cx.clients.apigateway();
    retry::with_retries(|| async {
        client
            .put_method()
            .rest_api_id(key.api)
            .resource_id(key.resource)
            .http_method(key.method)
            .authorization_type(common::opt_str(p, "AuthorizationType")?.unwrap_or("NONE"))
            .set_authorizer_id(text(p, "AuthorizerId")?)
            .set_authorization_scopes(common::opt_str_list(p, "AuthorizationScopes")?)
            .set_api_key_required(common::opt_bool(p, "ApiKeyRequired")?)
            .set_operation_name(text(p, "OperationName")?)
            .set_request_parameters(common::opt_bool_map(p, "RequestParameters")?.as_ref().map(common::to_hash))
            .set_request_models(common::opt_str_map(p, "RequestModels")?.as_ref().map(common::to_hash))
            .set_request_validator_id(text(p, "RequestValidatorId")?)
            .send()
            .await
            .map_err(aws_error("apigateway:PutMethod"))
    })
    .await
    .map(|_| ())
}

async fn put_method_response(cx: &Cx, key: &Key<'_>, r: &Value) -> Result<(), ProviderError> {
    let client = cx.clients.apigateway();
    retry::with_retries(|| async {
        client
            .put_method_response()
            .rest_api_id(key.api)
            .resource_id(key.resource)
            .http_method(key.method)
            .status_code(common::req_str(r, "StatusCode")?)
            .set_response_parameters(common::opt_bool_map(r, "ResponseParameters")?.as_ref().map(common::to_hash))
            .set_response_models(common::opt_str_map(r, "ResponseModels")?.as_ref().map(common::to_hash))
            .send()
            .await
            .map_err(aws_error("apigateway:PutMethodResponse"))
    })
    .await
    .map(|_| ())
}

/// PutIntegration (which replaces an existing integration) and its responses.
async fn put_integration(cx: &Cx, key: &Key<'_>, i: &Value) -> Result<(), ProviderError> {
    let client = cx.clients.apigateway();
    retry::with_retries(|| async {
        client
            .put_integration()
            .rest_api_id(key.api)
            .resource_id(key.resource)
            .http_method(key.method)
            .r#type(IntegrationType::from(common::req_str(i, "Type")?))
            .set_integration_http_method(text(i, "IntegrationHttpMethod")?)
            .set_uri(text(i, "Uri")?)
            .set_timeout_in_millis(common::opt_i32(i, "TimeoutInMillis")?)
            .set_credentials(text(i, "Credentials")?)
            .set_passthrough_behavior(text(i, "PassthroughBehavior")?)
            .set_request_parameters(common::opt_str_map(i, "RequestParameters")?.as_ref().map(common::to_hash))
            .set_request_templates(common::opt_str_map(i, "RequestTemplates")?.as_ref().map(common::to_hash))
            .set_connection_type(common::opt_str(i, "ConnectionType")?.map(ConnectionType::from))
            .set_connection_id(text(i, "ConnectionId")?)
            .set_content_handling(common::opt_str(i, "ContentHandling")?.map(ContentHandlingStrategy::from))
            .set_cache_key_parameters(common::opt_str_list(i, "CacheKeyParameters")?)
            .set_cache_namespace(text(i, "CacheNamespace")?)
            .send()
            .await
            .map_err(aws_error("apigateway:PutIntegration"))
    })
    .await?;
    for response in list(i, "IntegrationResponses")? {
        put_integration_response(cx, key, response).await?;
    }
    Ok(())
}

async fn put_integration_response(cx: &Cx, key: &Key<'_>, r: &Value) -> Result<(), ProviderError> {
    let client = cx.clients.apigateway();
    retry::with_retries(|| async {
        client
            .put_integration_response()
            .rest_api_id(key.api)
            .resource_id(key.resource)
            .http_method(key.method)
            .status_code(common::req_str(r, "StatusCode")?)
            .set_selection_pattern(text(r, "SelectionPattern")?)
            .set_response_parameters(common::opt_str_map(r, "ResponseParameters")?.as_ref().map(common::to_hash))
            .set_response_templates(common::opt_str_map(r, "ResponseTemplates")?.as_ref().map(common::to_hash))
            .set_content_handling(common::opt_str(r, "ContentHandling")?.map(ContentHandlingStrategy::from))
            .send()
            .await
            .map_err(aws_error("apigateway:PutIntegrationResponse"))
    })
    .await
    .map(|_| ())
}

/// Status codes of a response list, for "which ones went away".
fn status_codes(p: &Value, name: &str) -> Result<Vec<String>, ProviderError> {
    list(p, name)?.iter().map(|r| common::req_str(r, "StatusCode").map(str::to_owned)).collect()
}

// ------------------------------------- read (in apigateway_method/read.rs) --

// --------------------------------- update (in apigateway_method/update.rs) --

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shown(ops: &[PatchOperation]) -> Vec<String> {
        ops.iter()
            .map(|o| format!("{} {} {}", o.op().unwrap().as_str(), o.path().unwrap(), o.value().unwrap_or("-")))
            .collect()
    }

    #[test]
    fn method_patch_covers_authorization_parameters_and_models() {
        let before = json!({"AuthorizationType": "NONE", "OperationName": "List",
            "RequestParameters": {"method.request.path.id": true, "method.request.querystring.q": false}});
        let after = json!({"AuthorizationType": "COGNITO_USER_POOLS", "AuthorizerId": "abc", "OperationName": "ListAll",
            "AuthorizationScopes": ["email"],
            "RequestParameters": {"method.request.path.id": false, "method.request.header.X": true},
            "RequestModels": {"application/json": "Empty"}});
        assert_eq!(
            shown(&method_patch(&before, &after).unwrap()),
            [
                "replace /authorizationType COGNITO_USER_POOLS",
                "replace /authorizerId abc",
                "replace /operationName ListAll",
                "add /authorizationScopes email",
                "add /requestParameters/method.request.header.X true",
                "replace /requestParameters/method.request.path.id false",
                "remove /requestParameters/method.request.querystring.q -",
                "add /requestModels/application~1json Empty",
            ]
        );
        assert!(method_patch(&after, &after).unwrap().is_empty());
    }

    #[test]
    fn physical_ids_round_trip() {
        let p = json!({"RestApiId": "api1", "ResourceId": "res1", "HttpMethod": "GET"});
        let id = Key::of(&p).unwrap().id();
        assert_eq!(id, "api1|res1|GET");
        let key = Key::parse(&id).unwrap();
        assert_eq!((key.api, key.resource, key.method), ("api1", "res1", "GET"));
        assert!(Key::parse("api1|res1").is_err());
    }
}
