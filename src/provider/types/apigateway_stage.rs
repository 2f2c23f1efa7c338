//! `AWS::ApiGateway::Stage`: a named, invocable stage of a REST API that
//! points at one deployment.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_apigateway::operation::get_stage::GetStageOutput;
use aws_sdk_apigateway::types::{CacheClusterSize, MethodSetting, PatchOperation};
use serde_json::Value;

use super::api_common::{self as common, NewKey, Obj};
use super::tagging::{self, spec_tag_list};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, retry, Applied, Cx, Live, ProviderError, Request};

mod read;
mod update;
use read::*;
use update::*;

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    /// One item of `MethodSettings`.
    const METHOD_SETTING: ValueType = Object(&[
        // `/*` and `*` for every resource and method; a resource path's `/` is
        // written `~1` (`/~1orders/GET`).
        optional("ResourcePath", String),
        optional("HttpMethod", String),
        optional("LoggingLevel", Enum(&["OFF", "ERROR", "INFO"])),
        optional("DataTraceEnabled", Boolean),
        optional("MetricsEnabled", Boolean),
        optional("ThrottlingBurstLimit", Integer),
        // A Double in CloudFormation; strata's schema has no number type yet, so
        // whole requests per second for now.
        optional("ThrottlingRateLimit", Integer),
        optional("CachingEnabled", Boolean),
        optional("CacheTtlInSeconds", Integer),
        optional("CacheDataEncrypted", Boolean),
    ]);

    const ACCESS_LOG_SETTING: ValueType = Object(&[optional("DestinationArn", String), optional("Format", String)]);

    ResourceSchema {
        type_name: "AWS::ApiGateway::Stage",
        properties: &[
            create_only(required("RestApiId", String)),
            create_only(optional("StageName", String)),
            optional("DeploymentId", String),
            optional("Description", String),
            optional("MethodSettings", List(&METHOD_SETTING)),
            optional("AccessLogSetting", ACCESS_LOG_SETTING),
            optional("TracingEnabled", Boolean),
            optional("Variables", Map(&String)),
            optional("CacheClusterEnabled", Boolean),
            optional("CacheClusterSize", String),
            optional("ClientCertificateId", String),
            optional("DocumentationVersion", String),
            optional("Tags", TAG_LIST),
        ],
        attributes: &["StageName"],
        id_attribute: "StageName",
        taggable: true,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type. The physical id is `<restApiId>|<stageName>` (a
/// stage is addressed by both); the `StageName` attribute is the bare name,
/// which is what `${X.StageName}` readers (alarm dimensions, URLs) want.
/// `find` adopts the stage of that name in that API: names are unique there.
///
/// CreateStage takes neither method settings, access logging nor a client
/// certificate; those follow in one UpdateStage. Updates (a new
/// `DeploymentId` above all: that is how a redeployment reaches callers) are
/// UpdateStage patch operations; tags go by the stage's ARN.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let p = req.properties;
        let api = common::req_str(p, "RestApiId")?;
        let name = stage_name(req)?;
        let deployment = common::opt_str(p, "DeploymentId")?.ok_or_else(|| {
            ProviderError::invalid("DeploymentId", "a stage is created pointing at a deployment; name one")
        })?;
        let tags = common::to_hash(&req.tags.for_properties(p));
        let text = |n: &str| common::opt_str(p, n).map(|v| v.map(str::to_owned));
        let client = cx.clients.apigateway();
        retry::with_retries(|| async {
            client
                .create_stage()
                .rest_api_id(api)
                .stage_name(name)
                .deployment_id(deployment)
                .set_description(text("Description")?)
                .set_variables(common::opt_str_map(p, "Variables")?.as_ref().map(common::to_hash))
                .set_tracing_enabled(common::opt_bool(p, "TracingEnabled")?)
                .set_cache_cluster_enabled(common::opt_bool(p, "CacheClusterEnabled")?)
                .set_cache_cluster_size(common::opt_str(p, "CacheClusterSize")?.map(CacheClusterSize::from))
                .set_documentation_version(text("DocumentationVersion")?)
                .set_tags(Some(tags.clone()))
                .send()
                .await
                .map_err(aws_error("apigateway:CreateStage"))
        })
        .await?;
        let rest = after_create_patch(p)?;
        if !rest.is_empty() {
            update_stage(cx, api, name, rest).await?;
        }
        Ok(applied(api, name))
    }

    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let api = common::req_str(req.properties, "RestApiId")?;
        let name = stage_name(req)?;
        Ok(get_stage(cx, api, name).await?.map(|_| applied(api, name)))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let [api, name] = split(physical_id)?;
        let Some(stage) = get_stage(cx, api, name).await? else { return Ok(None) };
        let tags = tagging::from_hash_map(stage.tags());
        Ok(Some(Live {
            properties: properties(api, name, &stage, &tags),
            attributes: applied(api, name).attributes,
            tags,
        }))
    }

    async fn update(&self, cx: &Cx, id: &str, before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let [api, name] = split(id)?;
        let ops = patch_operations(before, req.properties)?;
        if !ops.is_empty() {
            update_stage(cx, api, name, ops).await?;
        }
        let stage = get_stage(cx, api, name).await?.ok_or_else(|| {
            ProviderError::invalid("StageName", format!("stage {name} of REST API {api} vanished during its update"))
        })?;
        let current = tagging::from_hash_map(stage.tags());
        let desired = req.tags.for_properties(req.properties);
        if current != desired {
            tagging::converge(&common::ApiGatewayTags, cx, &stage_arn(cx, api, name), &current, &desired).await?;
        }
        Ok(applied(api, name))
    }

    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        let [api, name] = split(physical_id)?;
        let client = cx.clients.apigateway();
        common::gone_ok(
            retry::with_retries(|| async {
                client
                    .delete_stage()
                    .rest_api_id(api)
                    .stage_name(name)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(aws_error("apigateway:DeleteStage"))
            })
            .await,
        )
    }
}

// ---------------------------------------------------------------- identity --

/// The stage's name: `StageName`, or else the logical name (deterministic, so
/// `find` can look for it after a crash).
fn stage_name<'a>(req: &Request<'a>) -> Result<&'a str, ProviderError> {
    Ok(common::opt_str(req.properties, "StageName")?.unwrap_or(req.logical_name))
}

fn split(physical_id: &str) -> Result<[&str; 2], ProviderError> {
    common::split_id::<2>(physical_id, "<restApiId>|<stageName>")
}

fn applied(api: &str, name: &str) -> Applied {
    Applied {
        physical_id: format!("{api}|{name}"),
        attributes: BTreeMap::from([("StageName".to_owned(), Value::String(name.to_owned()))]),
    }
}

fn stage_arn(cx: &Cx, api: &str, name: &str) -> String {
    common::arn(cx, &format!("/restapis/{api}/stages/{name}"))
}

async fn get_stage(cx: &Cx, api: &str, name: &str) -> Result<Option<GetStageOutput>, ProviderError> {
    common::found(
        cx.clients
            .apigateway()
            .get_stage()
            .rest_api_id(api)
            .stage_name(name)
            .send()
            .await
            .map_err(aws_error("apigateway:GetStage")),
    )
}

// ------------------------------------------------------------------ create --

/// What CreateStage cannot take: method settings, access logging, the client
/// certificate.
fn after_create_patch(p: &Value) -> Result<Vec<PatchOperation>, ProviderError> {
    let none = Value::Null;
    let mut ops = method_settings_ops(&none, p)?;
    ops.extend(access_log_ops(&none, p)?);
    if let Some(cert) = common::opt_str(p, "ClientCertificateId")? {
        ops.push(common::replace("/clientCertificateId", cert));
    }
    Ok(ops)
}

// -------------------------------------- read (in apigateway_stage/read.rs) --

// ---------------------------------- update (in apigateway_stage/update.rs) --

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
    fn setting_prefixes_follow_cloudformation_escaping() {
        let prefix = |p: &str, m: &str| setting_prefix(&json!({"ResourcePath": p, "HttpMethod": m})).unwrap();
        assert_eq!(prefix("/*", "*"), "/*/*");
        assert_eq!(prefix("/~1orders", "GET"), "/~1orders/GET");
        assert_eq!(prefix("/~1orders~1{id}", "GET"), "/~1orders~1{id}/GET");
        assert_eq!(prefix("/", "GET"), "/~1/GET");
        assert_eq!(prefix("/orders/{id}", "GET"), "/~1orders~1{id}/GET");
        for key in ["*", "~1orders", "~1"] {
            let back = resource_path_of(key);
            assert_eq!(
                setting_prefix(&json!({"ResourcePath": back, "HttpMethod": "GET"})).unwrap(),
                format!("/{key}/GET")
            );
        }
        assert_eq!(resource_path_of("orders/{id}"), "/~1orders~1{id}");
    }

    #[test]
    fn update_patch_moves_the_deployment_and_diffs_settings() {
        let before = json!({"DeploymentId": "d1", "Description": "v1", "Variables": {"a": "1", "b": "2"},
            "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50}]});
        let after = json!({"DeploymentId": "d2", "Description": "v1", "Variables": {"a": "1", "c": "3"}, "TracingEnabled": true,
            "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 50},
                               {"ResourcePath": "/~1orders", "HttpMethod": "GET", "MetricsEnabled": true}],
            "AccessLogSetting": {"DestinationArn": "arn:aws:logs:us-east-1:1:log-group:x", "Format": "$context.requestId"}});
        assert_eq!(
            shown(&patch_operations(&before, &after).unwrap()),
            [
                "replace /deploymentId d2",
                "replace /tracingEnabled true",
                "replace /variables/c 3",
                "remove /variables/b -",
                "replace /*/*/throttling/burstLimit 200",
                "replace /~1orders/GET/metrics/enabled true",
                "replace /accessLogSettings/destinationArn arn:aws:logs:us-east-1:1:log-group:x",
                "replace /accessLogSettings/format $context.requestId",
            ]
        );
        assert!(patch_operations(&after, &after).unwrap().is_empty());
    }

    #[test]
    fn a_setting_that_lost_a_field_is_reset_then_set_again() {
        let before = json!({"MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": 100, "MetricsEnabled": true}]});
        let after = json!({"MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": 100}],
            "AccessLogSetting": null});
        assert_eq!(
            shown(&patch_operations(&before, &after).unwrap()),
            ["remove /*/* -", "replace /*/*/throttling/burstLimit 100"]
        );
        let dropped = json!({});
        assert_eq!(shown(&patch_operations(&before, &dropped).unwrap()), ["remove /*/* -"]);
    }

    #[test]
    fn whole_rate_limits_read_back_as_integers() {
        assert_eq!(rate_limit(50.0), json!(50));
        assert_eq!(rate_limit(12.5), json!(12.5));
    }
}
