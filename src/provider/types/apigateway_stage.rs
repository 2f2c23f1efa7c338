//! `AWS::ApiGateway::Stage`: a named, invocable stage of a REST API that
//! points at one deployment.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_apigateway::operation::get_stage::GetStageOutput;
use aws_sdk_apigateway::types::{CacheClusterSize, MethodSetting, PatchOperation};
use serde_json::Value;

use super::api_common::{self as common, NewKey, Obj};
use super::tagging::{self, spec_tag_list};
use crate::provider::schema::{ValueType::*, *};
use crate::provider::{aws_error, retry, Applied, Cx, Live, ProviderError, Request};
// The schema glob brings `ValueType::String` in; this keeps `String` the
// std type in type position (the variant stays in value position).
use std::string::String;

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

pub const SCHEMA: ResourceSchema = ResourceSchema {
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
};

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
    fn schema(&self) -> &'static ResourceSchema {
        &SCHEMA
    }

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

    async fn update(
        &self,
        cx: &Cx,
        physical_id: &str,
        before: &Value,
        req: &Request<'_>,
    ) -> Result<Applied, ProviderError> {
        let [api, name] = split(physical_id)?;
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

async fn update_stage(cx: &Cx, api: &str, name: &str, ops: Vec<PatchOperation>) -> Result<(), ProviderError> {
    let client = cx.clients.apigateway();
    retry::with_retries(|| async {
        client
            .update_stage()
            .rest_api_id(api)
            .stage_name(name)
            .set_patch_operations(Some(ops.clone()))
            .send()
            .await
            .map_err(aws_error("apigateway:UpdateStage"))
    })
    .await
    .map(|_| ())
}

// ------------------------------------------------------------- patching --

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

/// The UpdateStage patch from the recorded to the wanted properties.
fn patch_operations(before: &Value, after: &Value) -> Result<Vec<PatchOperation>, ProviderError> {
    let mut ops = Vec::new();
    let s = |v: &Value, name: &str| common::opt_str(v, name).map(|o| o.map(str::to_owned));
    let b = |v: &Value, name: &str| common::opt_bool(v, name).map(|o| o.map(common::bool_text));
    // A stage always points at some deployment: dropping the property from
    // the spec leaves it where it is.
    if let Some(deployment) =
        s(after, "DeploymentId")?.filter(|d| s(before, "DeploymentId").ok().flatten().as_ref() != Some(d))
    {
        ops.push(common::replace("/deploymentId", deployment));
    }
    for (property, path) in [
        ("Description", "/description"),
        ("ClientCertificateId", "/clientCertificateId"),
        ("DocumentationVersion", "/documentationVersion"),
    ] {
        common::replace_if_changed(&mut ops, path, s(before, property)?, s(after, property)?, "");
    }
    common::replace_if_changed(
        &mut ops,
        "/tracingEnabled",
        b(before, "TracingEnabled")?,
        b(after, "TracingEnabled")?,
        "false",
    );
    common::replace_if_changed(
        &mut ops,
        "/cacheClusterEnabled",
        b(before, "CacheClusterEnabled")?,
        b(after, "CacheClusterEnabled")?,
        "false",
    );
    if let Some(size) =
        s(after, "CacheClusterSize")?.filter(|z| s(before, "CacheClusterSize").ok().flatten().as_ref() != Some(z))
    {
        ops.push(common::replace("/cacheClusterSize", size));
    }
    let vars = |v: &Value| common::opt_str_map(v, "Variables").map(Option::unwrap_or_default);
    ops.extend(common::map_ops("/variables", &vars(before)?, &vars(after)?, NewKey::Replace));
    ops.extend(method_settings_ops(before, after)?);
    ops.extend(access_log_ops(before, after)?);
    Ok(ops)
}

/// `MethodSettings` fields and the sub-path UpdateStage knows each by.
const SETTING_PATHS: &[(&str, &str)] = &[
    ("LoggingLevel", "logging/loglevel"),
    ("DataTraceEnabled", "logging/dataTrace"),
    ("MetricsEnabled", "metrics/enabled"),
    ("ThrottlingBurstLimit", "throttling/burstLimit"),
    ("ThrottlingRateLimit", "throttling/rateLimit"),
    ("CachingEnabled", "caching/enabled"),
    ("CacheTtlInSeconds", "caching/ttlInSeconds"),
    ("CacheDataEncrypted", "caching/dataEncrypted"),
];

/// The patch-path prefix of one setting: `/*/*` for every method,
/// `/~1orders/GET` for one (CloudFormation already writes the resource path
/// with `/` as `~1`; the root `/` is `~1`).
fn setting_prefix(item: &Value) -> Result<String, ProviderError> {
    let path = common::opt_str(item, "ResourcePath")?.unwrap_or("/*");
    let method = common::opt_str(item, "HttpMethod")?.unwrap_or("*");
    let segment = match path {
        "/" => "~1".to_owned(),
        p => match p.strip_prefix('/') {
            Some(rest) if rest == "*" || rest.starts_with("~1") => rest.to_owned(),
            Some(rest) => format!("~1{}", rest.replace('/', "~1")),
            None => format!("~1{}", p.replace('/', "~1")),
        },
    };
    Ok(format!("/{segment}/{method}"))
}

/// A scalar as patch text: strings as written, booleans and numbers printed.
fn scalar_text(name: &str, v: &Value) -> Result<String, ProviderError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(ProviderError::invalid(name, format!("expected a scalar, got {other}"))),
    }
}

/// Method settings by their patch prefix.
fn settings_by_prefix(p: &Value) -> Result<BTreeMap<String, &serde_json::Map<String, Value>>, ProviderError> {
    let items = match p.get("MethodSettings") {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(ProviderError::invalid("MethodSettings", format!("expected a list, got {other}"))),
    };
    items
        .iter()
        .map(|item| {
            let fields = item
                .as_object()
                .ok_or_else(|| ProviderError::invalid("MethodSettings", format!("expected an object, got {item}")))?;
            Ok((setting_prefix(item)?, fields))
        })
        .collect()
}

/// Sets every field of every wanted setting that is new or changed; a
/// setting that is gone, or lost a field, is removed (and set again).
fn method_settings_ops(before: &Value, after: &Value) -> Result<Vec<PatchOperation>, ProviderError> {
    let old = settings_by_prefix(before)?;
    let new = settings_by_prefix(after)?;
    let mut ops = Vec::new();
    for prefix in old.keys().filter(|k| !new.contains_key(*k)) {
        ops.push(common::remove(prefix.clone(), None));
    }
    for (prefix, fields) in &new {
        let previous = old.get(prefix);
        let lost_a_field = previous.is_some_and(|p| {
            SETTING_PATHS.iter().any(|(name, _)| p.contains_key(*name) && !fields.contains_key(*name))
        });
        if lost_a_field {
            ops.push(common::remove(prefix.clone(), None));
        }
        for (name, sub) in SETTING_PATHS {
            let Some(value) = fields.get(*name).filter(|v| !v.is_null()) else { continue };
            let unchanged = !lost_a_field && previous.and_then(|p| p.get(*name)) == Some(value);
            if !unchanged {
                ops.push(common::replace(format!("{prefix}/{sub}"), scalar_text(name, value)?));
            }
        }
    }
    Ok(ops)
}

/// Access logging: each changed field set, or the whole setting removed.
fn access_log_ops(before: &Value, after: &Value) -> Result<Vec<PatchOperation>, ProviderError> {
    let setting = |v: &Value| v.get("AccessLogSetting").filter(|s| !s.is_null()).cloned();
    let (old, new) = (setting(before), setting(after));
    let Some(new) = new else {
        return Ok(if old.is_some() { vec![common::remove("/accessLogSettings", None)] } else { vec![] });
    };
    let old = old.unwrap_or(Value::Null);
    let mut ops = Vec::new();
    for (field, path) in
        [("DestinationArn", "/accessLogSettings/destinationArn"), ("Format", "/accessLogSettings/format")]
    {
        let wanted = common::opt_str(&new, field)?;
        if wanted.is_some() && wanted != common::opt_str(&old, field)? {
            ops.push(common::replace(path, wanted.unwrap_or_default()));
        }
    }
    Ok(ops)
}

// --------------------------------------------------------------- reading --

fn properties(api: &str, name: &str, s: &GetStageOutput, tags: &BTreeMap<String, String>) -> Value {
    let mut obj = Obj::new();
    obj.put("RestApiId", api)
        .put("StageName", s.stage_name().unwrap_or(name))
        .string("DeploymentId", s.deployment_id())
        .string("Description", s.description())
        .opt("MethodSettings", s.method_settings().filter(|m| !m.is_empty()).map(method_settings_json))
        .opt(
            "AccessLogSetting",
            s.access_log_settings().map(access_log_json).filter(|v| v.as_object().is_some_and(|o| !o.is_empty())),
        )
        .put("TracingEnabled", s.tracing_enabled())
        .map("Variables", s.variables())
        .put("CacheClusterEnabled", s.cache_cluster_enabled())
        .opt("CacheClusterSize", s.cache_cluster_size().map(|z| z.as_str().to_owned()))
        .string("ClientCertificateId", s.client_certificate_id())
        .string("DocumentationVersion", s.documentation_version())
        .opt("Tags", spec_tag_list(tags, &Value::Null));
    obj.build()
}

fn access_log_json(a: &aws_sdk_apigateway::types::AccessLogSettings) -> Value {
    let mut obj = Obj::new();
    obj.string("DestinationArn", a.destination_arn()).string("Format", a.format());
    obj.build()
}

/// `ResourcePath` of a settings key's resource part (`*`, `~1orders`, or an
/// unescaped `orders/{id}`), in CloudFormation's `/~1orders` form.
fn resource_path_of(key_resource: &str) -> String {
    match key_resource {
        "*" => "/*".to_owned(),
        "~1" => "/".to_owned(),
        r if r.starts_with("~1") => format!("/{r}"),
        r => format!("/~1{}", r.trim_start_matches('/').replace('/', "~1")),
    }
}

fn method_settings_json(settings: &HashMap<String, MethodSetting>) -> Value {
    let sorted: BTreeMap<_, _> = settings.iter().collect();
    Value::Array(
        sorted
            .into_iter()
            .map(|(key, m)| {
                let (resource, method) = key.rsplit_once('/').unwrap_or(("*", key.as_str()));
                let mut obj = Obj::new();
                obj.put("ResourcePath", resource_path_of(resource))
                    .put("HttpMethod", method)
                    .string("LoggingLevel", m.logging_level())
                    .put("DataTraceEnabled", m.data_trace_enabled())
                    .put("MetricsEnabled", m.metrics_enabled())
                    .put("ThrottlingBurstLimit", m.throttling_burst_limit())
                    .put("ThrottlingRateLimit", rate_limit(m.throttling_rate_limit()))
                    .put("CachingEnabled", m.caching_enabled())
                    .put("CacheTtlInSeconds", m.cache_ttl_in_seconds())
                    .put("CacheDataEncrypted", m.cache_data_encrypted());
                obj.build()
            })
            .collect(),
    )
}

/// AWS keeps the rate limit as a double; the schema says whole requests per
/// second, so a whole value reads back as an integer (a fractional one stays
/// a number, and shows as drift).
fn rate_limit(rate: f64) -> Value {
    if rate.fract() == 0.0 && rate.abs() < 9.0e15 {
        Value::from(rate as i64)
    } else {
        serde_json::Number::from_f64(rate).map(Value::Number).unwrap_or(Value::Null)
    }
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
