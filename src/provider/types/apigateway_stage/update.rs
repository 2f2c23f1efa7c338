//! `apigateway_stage`, update section: what `update` converges, and how. Split off by job;
//! the layout is `provider::types`'s.

use super::*;

// ------------------------------------------------------------------ update --

pub(super) async fn update_stage(
    cx: &Cx,
    api: &str,
    name: &str,
    ops: Vec<PatchOperation>,
) -> Result<(), ProviderError> {
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

/// The UpdateStage patch from the recorded to the wanted properties.
pub(super) fn patch_operations(before: &Value, after: &Value) -> Result<Vec<PatchOperation>, ProviderError> {
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
pub(super) const SETTING_PATHS: &[(&str, &str)] = &[
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
pub(super) fn setting_prefix(item: &Value) -> Result<String, ProviderError> {
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

/// Method settings by their patch prefix.
pub(super) fn settings_by_prefix(
    p: &Value,
) -> Result<BTreeMap<String, &serde_json::Map<String, Value>>, ProviderError> {
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
pub(super) fn method_settings_ops(before: &Value, after: &Value) -> Result<Vec<PatchOperation>, ProviderError> {
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
pub(super) fn access_log_ops(before: &Value, after: &Value) -> Result<Vec<PatchOperation>, ProviderError> {
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
