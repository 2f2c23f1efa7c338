//! `AWS::ApiGateway::Authorizer`: a Lambda (TOKEN / REQUEST) or Cognito user
//! pool authorizer of a REST API.

use std::collections::BTreeMap;

use aws_sdk_apigateway::operation::get_authorizer::GetAuthorizerOutput;
use aws_sdk_apigateway::types::{AuthorizerType, PatchOperation};
use serde_json::Value;

use super::api_common::{self as common, Obj};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, retry, Applied, Cx, Live, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    ResourceSchema {
        type_name: "AWS::ApiGateway::Authorizer",
        properties: &[
            create_only(required("RestApiId", String)),
            required("Name", String),
            required("Type", Enum(&["TOKEN", "REQUEST", "COGNITO_USER_POOLS"])),
            // User pool ARNs, for COGNITO_USER_POOLS.
            optional("ProviderARNs", List(&String)),
            // e.g. `method.request.header.Authorization`.
            optional("IdentitySource", String),
            optional("IdentityValidationExpression", String),
            // For TOKEN / REQUEST: the authorizer Lambda's invocation URI.
            optional("AuthorizerUri", String),
            optional("AuthorizerCredentials", String),
            optional("AuthorizerResultTtlInSeconds", Integer),
            optional("AuthType", String),
        ],
        attributes: &["AuthorizerId"],
        id_attribute: "AuthorizerId",
        taggable: false,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type. The physical id is the authorizer id (what
/// `${X.AuthorizerId}` reads); the REST API comes from the properties. `find`
/// adopts the authorizer of the same name in the same API (authorizers carry
/// no tags).
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let p = req.properties;
        let api = common::req_str(p, "RestApiId")?;
        let text = |name: &str| common::opt_str(p, name).map(|v| v.map(str::to_owned));
        let client = cx.clients.apigateway();
        let out = retry::with_retries(|| async {
            client
                .create_authorizer()
                .rest_api_id(api)
                .name(common::req_str(p, "Name")?)
                .r#type(AuthorizerType::from(common::req_str(p, "Type")?))
                .set_provider_arns(common::opt_str_list(p, "ProviderARNs")?)
                .set_identity_source(text("IdentitySource")?)
                .set_identity_validation_expression(text("IdentityValidationExpression")?)
                .set_authorizer_uri(text("AuthorizerUri")?)
                .set_authorizer_credentials(text("AuthorizerCredentials")?)
                .set_authorizer_result_ttl_in_seconds(common::opt_i32(p, "AuthorizerResultTtlInSeconds")?)
                .set_auth_type(text("AuthType")?)
                .send()
                .await
                .map_err(aws_error("apigateway:CreateAuthorizer"))
        })
        .await?;
        let id = out.id().ok_or_else(|| ProviderError::invalid("AuthorizerId", "CreateAuthorizer returned no id"))?;
        Ok(applied(id))
    }

    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let api = common::req_str(req.properties, "RestApiId")?;
        let name = common::req_str(req.properties, "Name")?;
        let Some(authorizers) = common::found(list_authorizers(cx, api).await)? else { return Ok(None) };
        Ok(authorizers.iter().find(|a| a.name() == Some(name)).and_then(|a| a.id()).map(applied))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let api = common::recorded_rest_api_id(recorded)?;
        let Some(a) = get_authorizer(cx, api, physical_id).await? else { return Ok(None) };
        Ok(Some(Live {
            properties: properties(api, &a),
            attributes: applied(physical_id).attributes,
            tags: BTreeMap::new(),
        }))
    }

    async fn update(&self, cx: &Cx, id: &str, before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let api = common::req_str(req.properties, "RestApiId")?;
        let ops = patch_operations(before, req.properties)?;
        if cx.local && ops.iter().any(|o| o.path() == Some("/providerARNs")) {
            return Err(ProviderError::Unsupported {
                type_name: SCHEMA.type_name,
                operation: "changing ProviderARNs of an existing authorizer on the local cloud (moto 5.2.5 does not implement that patch; replace the authorizer instead)",
            });
        }
        if !ops.is_empty() {
            let client = cx.clients.apigateway();
            retry::with_retries(|| async {
                client
                    .update_authorizer()
                    .rest_api_id(api)
                    .authorizer_id(id)
                    .set_patch_operations(Some(ops.clone()))
                    .send()
                    .await
                    .map_err(aws_error("apigateway:UpdateAuthorizer"))
            })
            .await?;
        }
        Ok(applied(id))
    }

    async fn delete(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<(), ProviderError> {
        let api = common::recorded_rest_api_id(recorded)?;
        // moto answers a delete of an unknown authorizer with an internal
        // error, not NotFound, so "already gone" is asked first.
        if get_authorizer(cx, api, physical_id).await?.is_none() {
            return Ok(());
        }
        let client = cx.clients.apigateway();
        common::gone_ok(
            retry::with_retries(|| async {
                client
                    .delete_authorizer()
                    .rest_api_id(api)
                    .authorizer_id(physical_id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(aws_error("apigateway:DeleteAuthorizer"))
            })
            .await,
        )
    }
}

// ---------------------------------------------------------------- identity --

fn applied(id: &str) -> Applied {
    Applied {
        physical_id: id.to_owned(),
        attributes: BTreeMap::from([("AuthorizerId".to_owned(), Value::String(id.to_owned()))]),
    }
}

async fn get_authorizer(cx: &Cx, api: &str, id: &str) -> Result<Option<GetAuthorizerOutput>, ProviderError> {
    common::found(
        cx.clients
            .apigateway()
            .get_authorizer()
            .rest_api_id(api)
            .authorizer_id(id)
            .send()
            .await
            .map_err(aws_error("apigateway:GetAuthorizer")),
    )
}

/// Every authorizer of the API, page by page.
async fn list_authorizers(cx: &Cx, api: &str) -> Result<Vec<aws_sdk_apigateway::types::Authorizer>, ProviderError> {
    let mut all = Vec::new();
    let mut position: Option<String> = None;
    loop {
        let page = cx
            .clients
            .apigateway()
            .get_authorizers()
            .rest_api_id(api)
            .limit(500)
            .set_position(position.clone())
            .send()
            .await
            .map_err(aws_error("apigateway:GetAuthorizers"))?;
        all.extend(page.items().iter().cloned());
        match page.position() {
            Some(next) if !next.is_empty() && Some(next) != position.as_deref() => position = Some(next.to_owned()),
            _ => return Ok(all),
        }
    }
}

// -------------------------------------------------------------------- read --

fn properties(api: &str, a: &GetAuthorizerOutput) -> Value {
    let mut obj = Obj::new();
    obj.put("RestApiId", api)
        .string("Name", a.name())
        .opt("Type", a.r#type().map(|t| t.as_str().to_owned()))
        .list("ProviderARNs", Some(a.provider_arns()))
        .string("IdentitySource", a.identity_source())
        .string("IdentityValidationExpression", a.identity_validation_expression())
        .string("AuthorizerUri", a.authorizer_uri())
        .string("AuthorizerCredentials", a.authorizer_credentials())
        .opt("AuthorizerResultTtlInSeconds", a.authorizer_result_ttl_in_seconds())
        .string("AuthType", a.auth_type());
    obj.build()
}

// ------------------------------------------------------------------ update --

/// The UpdateAuthorizer patch from the recorded to the wanted properties.
fn patch_operations(before: &Value, after: &Value) -> Result<Vec<PatchOperation>, ProviderError> {
    let mut ops = Vec::new();
    let s = |v: &Value, name: &str| common::opt_str(v, name).map(|o| o.map(str::to_owned));
    for (property, path) in [
        ("Name", "/name"),
        ("Type", "/type"),
        ("IdentitySource", "/identitySource"),
        ("IdentityValidationExpression", "/identityValidationExpression"),
        ("AuthorizerUri", "/authorizerUri"),
        ("AuthorizerCredentials", "/authorizerCredentials"),
        ("AuthType", "/authType"),
    ] {
        common::replace_if_changed(&mut ops, path, s(before, property)?, s(after, property)?, "");
    }
    let ttl = |v: &Value| common::opt_i32(v, "AuthorizerResultTtlInSeconds").map(|o| o.map(|n| n.to_string()));
    // 300 s is AWS's default when the property is left out.
    common::replace_if_changed(&mut ops, "/authorizerResultTtlInSeconds", ttl(before)?, ttl(after)?, "300");
    let arns = |v: &Value| common::opt_str_list(v, "ProviderARNs").map(Option::unwrap_or_default);
    ops.extend(common::set_ops("/providerARNs", &arns(before)?, &arns(after)?));
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patch_names_each_changed_field_and_the_arn_set() {
        let before = json!({"Name": "cognito", "Type": "COGNITO_USER_POOLS", "ProviderARNs": ["arn:a"],
            "IdentitySource": "method.request.header.Authorization", "AuthorizerResultTtlInSeconds": 300});
        let after = json!({"Name": "cognito", "Type": "COGNITO_USER_POOLS", "ProviderARNs": ["arn:b"],
            "IdentitySource": "method.request.header.X-Token"});
        let shown: Vec<String> = patch_operations(&before, &after)
            .unwrap()
            .iter()
            .map(|o| format!("{} {} {}", o.op().unwrap().as_str(), o.path().unwrap(), o.value().unwrap_or("-")))
            .collect();
        assert_eq!(
            shown,
            [
                "replace /identitySource method.request.header.X-Token",
                "replace /authorizerResultTtlInSeconds 300",
                "add /providerARNs arn:b",
                "remove /providerARNs arn:a",
            ]
        );
        assert!(patch_operations(&after, &after).unwrap().is_empty());
    }
}
