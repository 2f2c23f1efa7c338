//! `AWS::ApiGateway::RestApi`.
//!
//! CloudFormation's OpenAPI import (`Body`, `BodyS3Location`) is not described,
//! so `Name`, required in CloudFormation whenever there is no body, is required.

use std::collections::BTreeMap;

use aws_sdk_apigateway::types::{ApiKeySourceType, EndpointConfiguration, EndpointType, PatchOperation};
use serde_json::Value;

use super::api_common::{self as common, Obj};
use super::tagging::{self, spec_tag_list};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, retry, Applied, Cx, Live, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    const ENDPOINT_CONFIGURATION: ValueType = Object(&[
        optional("Types", List(&Enum(&["EDGE", "REGIONAL", "PRIVATE"]))),
        optional("VpcEndpointIds", List(&String)),
    ]);

    ResourceSchema {
        type_name: "AWS::ApiGateway::RestApi",
        properties: &[
            required("Name", String),
            optional("Description", String),
            optional("EndpointConfiguration", ENDPOINT_CONFIGURATION),
            optional("ApiKeySourceType", Enum(&["HEADER", "AUTHORIZER"])),
            optional("BinaryMediaTypes", List(&String)),
            optional("DisableExecuteApiEndpoint", Boolean),
            optional("MinimumCompressionSize", Integer),
            optional("Policy", Json),
            optional("Tags", TAG_LIST),
        ],
        attributes: &["RestApiId", "RootResourceId"],
        id_attribute: "RestApiId",
        taggable: true,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type. The physical id is the REST API id; `find` adopts an
/// API carrying this resource's strata tags (names are not unique in API
/// Gateway, so the name alone identifies nothing).
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let p = req.properties;
        let tags = common::to_hash(&req.tags.for_properties(p));
        let endpoint = endpoint_configuration(p)?;
        let api_key_source = common::opt_str(p, "ApiKeySourceType")?.map(ApiKeySourceType::from);
        let policy = policy_text(p);
        let client = cx.clients.apigateway();
        let out = retry::with_retries(|| async {
            client
                .create_rest_api()
                .name(common::req_str(p, "Name")?)
                .set_description(common::opt_str(p, "Description")?.map(str::to_owned))
                .set_endpoint_configuration(endpoint.clone())
                .set_api_key_source(api_key_source.clone())
                .set_binary_media_types(common::opt_str_list(p, "BinaryMediaTypes")?)
                .set_disable_execute_api_endpoint(common::opt_bool(p, "DisableExecuteApiEndpoint")?)
                .set_minimum_compression_size(common::opt_i32(p, "MinimumCompressionSize")?)
                .set_policy(policy.clone())
                .set_tags(Some(tags.clone()))
                .send()
                .await
                .map_err(aws_error("apigateway:CreateRestApi"))
        })
        .await?;
        let id = out.id().ok_or_else(|| missing("CreateRestApi", "id"))?.to_owned();
        let root = match out.root_resource_id() {
            Some(root) => root.to_owned(),
            None => root_resource_id(cx, &id).await?,
        };
        Ok(applied(id, root))
    }

    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let mut pages = cx.clients.apigateway().get_rest_apis().limit(500).into_paginator().items().send();
        while let Some(api) = pages.next().await {
            let api = api.map_err(aws_error("apigateway:GetRestApis"))?;
            if !req.tags.identifies(&tagging::from_hash_map(api.tags())) {
                continue;
            }
            let Some(id) = api.id() else { continue };
            let root = match api.root_resource_id() {
                Some(root) => root.to_owned(),
                None => root_resource_id(cx, id).await?,
            };
            return Ok(Some(applied(id.to_owned(), root)));
        }
        Ok(None)
    }

    async fn read(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let Some(api) = get_rest_api(cx, physical_id).await? else { return Ok(None) };
        let tags = tagging::from_hash_map(api.tags());
        let mut props = Obj::new();
        props
            .string("Name", api.name())
            .string("Description", api.description())
            .opt("EndpointConfiguration", api.endpoint_configuration().map(endpoint_json))
            .opt("ApiKeySourceType", api.api_key_source().map(|s| s.as_str().to_owned()))
            .list("BinaryMediaTypes", Some(api.binary_media_types()))
            .put("DisableExecuteApiEndpoint", api.disable_execute_api_endpoint())
            .opt("MinimumCompressionSize", api.minimum_compression_size())
            .opt("Policy", api.policy().filter(|p| !p.is_empty()).map(parse_policy))
            .opt("Tags", spec_tag_list(&tags, &Value::Null));
        let root = match api.root_resource_id() {
            Some(root) => root.to_owned(),
            None => root_resource_id(cx, physical_id).await?,
        };
        Ok(Some(Live { properties: props.build(), attributes: applied(physical_id.to_owned(), root).attributes, tags }))
    }

    async fn update(&self, cx: &Cx, id: &str, before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let ops = patch_operations(before, req.properties)?;
        let client = cx.clients.apigateway();
        if !ops.is_empty() {
            retry::with_retries(|| async {
                client
                    .update_rest_api()
                    .rest_api_id(id)
                    .set_patch_operations(Some(ops.clone()))
                    .send()
                    .await
                    .map_err(aws_error("apigateway:UpdateRestApi"))
            })
            .await?;
        }
        let api = get_rest_api(cx, id).await?.ok_or_else(|| gone(id))?;
        let current = tagging::from_hash_map(api.tags());
        let desired = req.tags.for_properties(req.properties);
        if current != desired {
            sync_tags(cx, id, &current, &desired).await?;
        }
        let root = match api.root_resource_id() {
            Some(root) => root.to_owned(),
            None => root_resource_id(cx, id).await?,
        };
        Ok(applied(id.to_owned(), root))
    }

    /// Deletes the API with everything in it. AWS allows one DeleteRestApi per
    /// 30 s per account; the THROTTLING retry absorbs that.
    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        // moto answers a delete of an unknown id with an internal error, not
        // NotFound, so "already gone" is asked first.
        if get_rest_api(cx, physical_id).await?.is_none() {
            return Ok(());
        }
        let client = cx.clients.apigateway();
        common::gone_ok(
            retry::with_retries(|| async {
                client
                    .delete_rest_api()
                    .rest_api_id(physical_id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(aws_error("apigateway:DeleteRestApi"))
            })
            .await,
        )
    }
}

// ---------------------------------------------------------------- identity --

fn applied(id: String, root: String) -> Applied {
    Applied {
        attributes: BTreeMap::from([
            ("RestApiId".to_owned(), Value::String(id.clone())),
            ("RootResourceId".to_owned(), Value::String(root)),
        ]),
        physical_id: id,
    }
}

fn missing(operation: &str, field: &str) -> ProviderError {
    ProviderError::invalid("RestApiId", format!("{operation} returned no {field}"))
}

fn gone(id: &str) -> ProviderError {
    ProviderError::Aws {
        operation: "apigateway:GetRestApi",
        code: "NotFoundException".into(),
        message: format!("REST API {id} no longer exists"),
    }
}

async fn get_rest_api(
    cx: &Cx,
    id: &str,
) -> Result<Option<aws_sdk_apigateway::operation::get_rest_api::GetRestApiOutput>, ProviderError> {
    common::found(
        cx.clients.apigateway().get_rest_api().rest_api_id(id).send().await.map_err(aws_error("apigateway:GetRestApi")),
    )
}

/// The id of the `/` resource, for SDK answers that leave `rootResourceId`
/// out (APIs created before AWS added the field to the answer).
async fn root_resource_id(cx: &Cx, id: &str) -> Result<String, ProviderError> {
    let mut pages = cx.clients.apigateway().get_resources().rest_api_id(id).limit(500).into_paginator().items().send();
    while let Some(resource) = pages.next().await {
        let resource = resource.map_err(aws_error("apigateway:GetResources"))?;
        if resource.path() == Some("/") {
            if let Some(root) = resource.id() {
                return Ok(root.to_owned());
            }
        }
    }
    Err(missing("GetResources", "root resource `/`"))
}

// ------------------------------------------------------------------ create --

fn endpoint_configuration(p: &Value) -> Result<Option<EndpointConfiguration>, ProviderError> {
    let Some(cfg) = p.get("EndpointConfiguration").filter(|v| !v.is_null()) else { return Ok(None) };
    let types = common::opt_str_list(cfg, "Types")?.map(|t| t.iter().map(|s| EndpointType::from(s.as_str())).collect());
    let vpc_endpoints = common::opt_str_list(cfg, "VpcEndpointIds")?;
    Ok(Some(EndpointConfiguration::builder().set_types(types).set_vpc_endpoint_ids(vpc_endpoints).build()))
}

// -------------------------------------------------------------------- read --

fn endpoint_json(cfg: &EndpointConfiguration) -> Value {
    let types: Vec<String> = cfg.types().iter().map(|t| t.as_str().to_owned()).collect();
    let mut obj = Obj::new();
    obj.list("Types", Some(&types)).list("VpcEndpointIds", Some(cfg.vpc_endpoint_ids()));
    obj.build()
}

/// The policy as the text AWS takes: a string property is sent as written,
/// a YAML mapping as compact JSON.
fn policy_text(p: &Value) -> Option<String> {
    match p.get("Policy")? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// AWS returns the policy as JSON text with its quotes backslash-escaped
/// (`{\"Version\":...}`); both forms are read back into a JSON value.
fn parse_policy(text: &str) -> Value {
    serde_json::from_str(text)
        .or_else(|_| serde_json::from_str(&text.replace("\\\"", "\"").replace("\\\\", "\\")))
        .unwrap_or_else(|_| Value::String(text.to_owned()))
}

// ------------------------------------------------------------------ update --

/// Tags and untags the API by its ARN. The local cloud (moto 5.2.5) can tag a
/// REST API only when creating it: its tag endpoints understand stage ARNs
/// alone, so a change there fails with a message saying so.
async fn sync_tags(
    cx: &Cx,
    id: &str,
    current: &BTreeMap<String, String>,
    desired: &BTreeMap<String, String>,
) -> Result<(), ProviderError> {
    if cx.local {
        return Err(ProviderError::Unsupported {
            type_name: SCHEMA.type_name,
            operation: "changing the tags of an existing REST API on the local cloud (moto tags REST APIs only at creation; replace the API instead)",
        });
    }
    let arn = common::arn(cx, &format!("/restapis/{id}"));
    tagging::converge(&common::ApiGatewayTags, cx, &arn, current, desired).await
}

/// The patch turning the recorded properties into the wanted ones (tags are
/// separate: they go through TagResource).
fn patch_operations(before: &Value, after: &Value) -> Result<Vec<PatchOperation>, ProviderError> {
    let mut ops = Vec::new();
    let s = |v: &Value, name: &str| common::opt_str(v, name).map(|o| o.map(str::to_owned));
    common::replace_if_changed(&mut ops, "/name", s(before, "Name")?, s(after, "Name")?, "");
    common::replace_if_changed(&mut ops, "/description", s(before, "Description")?, s(after, "Description")?, "");
    common::replace_if_changed(
        &mut ops,
        "/apiKeySource",
        s(before, "ApiKeySourceType")?,
        s(after, "ApiKeySourceType")?,
        "HEADER",
    );
    let b = |v: &Value, name: &str| common::opt_bool(v, name).map(|o| o.map(common::bool_text));
    common::replace_if_changed(
        &mut ops,
        "/disableExecuteApiEndpoint",
        b(before, "DisableExecuteApiEndpoint")?,
        b(after, "DisableExecuteApiEndpoint")?,
        "false",
    );
    let i = |v: &Value, name: &str| common::opt_i32(v, name).map(|o| o.map(|n| n.to_string()));
    common::replace_if_changed(
        &mut ops,
        "/minimumCompressionSize",
        i(before, "MinimumCompressionSize")?,
        i(after, "MinimumCompressionSize")?,
        "",
    );
    common::replace_if_changed(&mut ops, "/policy", policy_text(before), policy_text(after), "");
    let list = |v: &Value, name: &str| common::opt_str_list(v, name).map(Option::unwrap_or_default);
    let (old_media, new_media) = (list(before, "BinaryMediaTypes")?, list(after, "BinaryMediaTypes")?);
    for added in new_media.iter().filter(|m| !old_media.contains(m)) {
        ops.push(common::add(format!("/binaryMediaTypes/{}", common::escape(added)), None));
    }
    for removed in old_media.iter().filter(|m| !new_media.contains(m)) {
        ops.push(common::remove(format!("/binaryMediaTypes/{}", common::escape(removed)), None));
    }
    ops.extend(endpoint_ops(before, after)?);
    Ok(ops)
}

/// An API has one endpoint type; AWS changes it with
/// `replace /endpointConfiguration/types/OLD NEW`. VPC endpoint ids are a set.
fn endpoint_ops(before: &Value, after: &Value) -> Result<Vec<PatchOperation>, ProviderError> {
    let cfg = |v: &Value| v.get("EndpointConfiguration").cloned().unwrap_or(Value::Null);
    let (old, new) = (cfg(before), cfg(after));
    let types = |c: &Value| common::opt_str_list(c, "Types").map(Option::unwrap_or_default);
    let (old_types, new_types) = (types(&old)?, types(&new)?);
    let mut ops = Vec::new();
    if let Some(wanted) = new_types.first().filter(|_| old_types != new_types) {
        // An API created without a type is EDGE.
        let current = old_types.first().map(String::as_str).unwrap_or("EDGE");
        if current != wanted {
            ops.push(common::replace(format!("/endpointConfiguration/types/{current}"), wanted.clone()));
        }
    }
    let ids = |c: &Value| common::opt_str_list(c, "VpcEndpointIds").map(Option::unwrap_or_default);
    ops.extend(common::set_ops("/endpointConfiguration/vpcEndpointIds", &ids(&old)?, &ids(&new)?));
    Ok(ops)
}

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
    fn patch_covers_scalars_media_types_and_endpoint_type() {
        let before = json!({"Name": "a", "Description": "d", "BinaryMediaTypes": ["image/png"],
            "EndpointConfiguration": {"Types": ["EDGE"]}});
        let after = json!({"Name": "b", "BinaryMediaTypes": ["application/pdf"], "MinimumCompressionSize": 1024,
            "EndpointConfiguration": {"Types": ["REGIONAL"]}, "Policy": {"Version": "2012-10-17"}});
        assert_eq!(
            shown(&patch_operations(&before, &after).unwrap()),
            [
                "replace /name b",
                "replace /description ",
                "replace /minimumCompressionSize 1024",
                "replace /policy {\"Version\":\"2012-10-17\"}",
                "add /binaryMediaTypes/application~1pdf -",
                "remove /binaryMediaTypes/image~1png -",
                "replace /endpointConfiguration/types/EDGE REGIONAL",
            ]
        );
        assert!(patch_operations(&after, &after).unwrap().is_empty());
    }

    #[test]
    fn escaped_policies_are_read_back_as_json() {
        assert_eq!(parse_policy(r#"{\"Version\":\"2012-10-17\"}"#), json!({"Version": "2012-10-17"}));
        assert_eq!(parse_policy(r#"{"Version":"2012-10-17"}"#), json!({"Version": "2012-10-17"}));
    }
}
