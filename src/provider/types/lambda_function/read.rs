//! `lambda_function`, read section: the live resource in the spec's terms. Split off by job;
//! the layout is `provider::types`'s.

use super::*;

// -------------------------------------------------------------------- read --

/// Polling interval: moto answers at once, AWS takes seconds.
pub(super) fn poll_every(cx: &Cx) -> Duration {
    if cx.local {
        Duration::from_millis(100)
    } else {
        READY_POLL
    }
}

/// The function's properties in the spec's terms.
///
/// `Code` holds the source keys recorded in state (AWS does not report where
/// the code came from) plus the live `CodeSha256`. On the local cloud, moto
/// neither stores `LoggingConfig` nor `DeadLetterConfig`: when it reports
/// none, the recorded value stands in (only when `local`).
pub(super) fn live_properties(config: &FunctionConfiguration, recorded: &Value, local: bool) -> Map<String, Value> {
    let mut props = Map::new();
    let s = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(|v| json!(v));
    common::put(&mut props, "FunctionName", s(config.function_name()));
    common::put(&mut props, "Description", s(config.description()));
    props.insert("Code".into(), live_code(config, recorded));
    common::put(&mut props, "Role", s(config.role()));
    common::put(&mut props, "Runtime", s(config.runtime().map(|r| r.as_str())));
    common::put(&mut props, "Handler", s(config.handler()));
    common::put(&mut props, "PackageType", s(config.package_type().map(|p| p.as_str())));
    let archs: Vec<&str> = config.architectures().iter().map(|a| a.as_str()).collect();
    common::put(&mut props, "Architectures", (!archs.is_empty()).then(|| json!(archs)));
    common::put(&mut props, "MemorySize", config.memory_size().map(|m| json!(m)));
    common::put(&mut props, "Timeout", config.timeout().map(|t| json!(t)));
    let variables = config.environment().and_then(|e| e.variables()).filter(|v| !v.is_empty());
    let variables: Option<BTreeMap<_, _>> = variables.map(|v| v.iter().collect());
    common::put(&mut props, "Environment", variables.map(|v| json!({ "Variables": v })));
    common::put(&mut props, "KmsKeyArn", s(config.kms_key_arn()));
    let vpc = config.vpc_config().filter(|v| !v.subnet_ids().is_empty() || !v.security_group_ids().is_empty());
    common::put(&mut props, "VpcConfig", vpc.map(live_vpc));
    let logging = config.logging_config().map(live_logging);
    let logging = logging.or_else(|| local.then(|| recorded.get("LoggingConfig").cloned()).flatten());
    common::put(&mut props, "LoggingConfig", logging);
    common::put(
        &mut props,
        "TracingConfig",
        config.tracing_config().and_then(|t| t.mode()).map(|m| json!({ "Mode": m.as_str() })),
    );
    common::put(&mut props, "EphemeralStorage", config.ephemeral_storage().map(|e| json!({ "Size": e.size() })));
    let dlq = config
        .dead_letter_config()
        .and_then(|d| d.target_arn())
        .filter(|a| !a.is_empty())
        .map(|a| json!({ "TargetArn": a }));
    let dlq = dlq.or_else(|| local.then(|| recorded.get("DeadLetterConfig").cloned()).flatten());
    common::put(&mut props, "DeadLetterConfig", dlq);
    let layers: Vec<&str> = config.layers().iter().filter_map(|l| l.arn()).collect();
    common::put(&mut props, "Layers", (!layers.is_empty()).then(|| json!(layers)));
    props
}

pub(super) fn live_code(config: &FunctionConfiguration, recorded: &Value) -> Value {
    let mut code = Map::new();
    if let Some(Value::Object(rec)) = recorded.get("Code") {
        for key in CODE_SOURCE_KEYS {
            common::put(&mut code, key, rec.get(*key).cloned());
        }
    }
    common::put(&mut code, "CodeSha256", config.code_sha256().map(|c| json!(c)));
    Value::Object(code)
}

pub(super) fn live_vpc(v: &aws_sdk_lambda::types::VpcConfigResponse) -> Value {
    let mut out = Map::new();
    out.insert("SubnetIds".into(), json!(v.subnet_ids()));
    out.insert("SecurityGroupIds".into(), json!(v.security_group_ids()));
    common::put(&mut out, "Ipv6AllowedForDualStack", v.ipv6_allowed_for_dual_stack().filter(|b| *b).map(|b| json!(b)));
    Value::Object(out)
}

pub(super) fn live_logging(l: &LoggingConfig) -> Value {
    let mut out = Map::new();
    common::put(&mut out, "LogGroup", l.log_group().map(|g| json!(g)));
    common::put(&mut out, "LogFormat", l.log_format().map(|f| json!(f.as_str())));
    common::put(&mut out, "ApplicationLogLevel", l.application_log_level().map(|f| json!(f.as_str())));
    common::put(&mut out, "SystemLogLevel", l.system_log_level().map(|f| json!(f.as_str())));
    Value::Object(out)
}
