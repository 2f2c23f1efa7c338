//! `apigateway_stage`, read section: the live resource in the spec's terms. Split off by job;
//! the layout is `provider::types`'s.

use super::*;

// -------------------------------------------------------------------- read --

/// A scalar as patch text: strings as written, booleans and numbers printed.
pub(super) fn scalar_text(name: &str, v: &Value) -> Result<String, ProviderError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(ProviderError::invalid(name, format!("expected a scalar, got {other}"))),
    }
}

pub(super) fn properties(api: &str, name: &str, s: &GetStageOutput, tags: &BTreeMap<String, String>) -> Value {
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

pub(super) fn access_log_json(a: &aws_sdk_apigateway::types::AccessLogSettings) -> Value {
    let mut obj = Obj::new();
    obj.string("DestinationArn", a.destination_arn()).string("Format", a.format());
    obj.build()
}

/// `ResourcePath` of a settings key's resource part (`*`, `~1orders`, or an
/// unescaped `orders/{id}`), in CloudFormation's `/~1orders` form.
pub(super) fn resource_path_of(key_resource: &str) -> String {
    match key_resource {
        "*" => "/*".to_owned(),
        "~1" => "/".to_owned(),
        r if r.starts_with("~1") => format!("/{r}"),
        r => format!("/~1{}", r.trim_start_matches('/').replace('/', "~1")),
    }
}

pub(super) fn method_settings_json(settings: &HashMap<String, MethodSetting>) -> Value {
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
pub(super) fn rate_limit(rate: f64) -> Value {
    if rate.fract() == 0.0 && rate.abs() < 9.0e15 {
        Value::from(rate as i64)
    } else {
        serde_json::Number::from_f64(rate).map(Value::Number).unwrap_or(Value::Null)
    }
}
