//! `AWS::Lambda::Function`.
//!
//! `Code` is CloudFormation's `Code` object plus strata's `Crate` key
//! ([`CODE_CRATE`]).
//!
//! The function's name is its physical id; strata generates
//! `<stack>-<env>-<LogicalName>` (cut to 64) when the spec gives none, so
//! `find` can look it up after a crash. Every create and update waits until
//! Lambda reports the function `Active` with its last update `Successful`:
//! Lambda refuses the next change (and invocations may fail) until then.
//! `read` reports the deployed zip's SHA-256 as `Code.CodeSha256`; `update`
//! ships code only when that differs from the package's.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_lambda::operation::get_function::GetFunctionOutput;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    ApplicationLogLevel, Architecture, DeadLetterConfig, EphemeralStorage, FunctionCode, FunctionConfiguration,
    LastUpdateStatus, LogFormat, LoggingConfig, PackageType, Runtime, State, SystemLogLevel, TracingConfig,
    TracingMode, VpcConfig,
};
use serde_json::{json, Map, Value};

use super::compute_common::{self as common, opt_bool, opt_i32, opt_str, str_list, str_map};
use super::tagging::{self, spec_tag_list, TagApi, Tags};
use crate::build::archive::{deterministic_zip, Entry, FILE_MODE};
use crate::build::code_sha256;
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, retry, Applied, Cx, Live, NotFoundExt, ProviderError, Request};

mod create;
mod read;
use create::*;
use read::*;

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    /// strata's addition to CloudFormation's `Code` object (not a CloudFormation
    /// property): the path, relative to the workspace root, of a crate of this
    /// Cargo workspace, e.g. `Code: { Crate: lambdas/order-executor }`. strata
    /// builds that crate, zips its `bootstrap` binary deterministically and ships
    /// the zip itself; the zip's SHA-256 decides whether the function's code needs
    /// an update. Use it instead of `ZipFile`, `S3Bucket`/`S3Key` or `ImageUri`.
    const CODE_CRATE: PropertySchema = optional("Crate", String);

    const CODE: ValueType = Object(&[
        optional("S3Bucket", String),
        optional("S3Key", String),
        optional("S3ObjectVersion", String),
        optional("ZipFile", String),
        optional("ImageUri", String),
        CODE_CRATE,
    ]);

    const ENVIRONMENT: ValueType = Object(&[optional("Variables", Map(&String))]);

    const VPC_CONFIG: ValueType = Object(&[
        optional("SubnetIds", List(&String)),
        optional("SecurityGroupIds", List(&String)),
        optional("Ipv6AllowedForDualStack", Boolean),
    ]);

    const LOGGING_CONFIG: ValueType = Object(&[
        // The log group's name (not its ARN).
        optional("LogGroup", String),
        optional("LogFormat", Enum(&["Text", "JSON"])),
        optional("ApplicationLogLevel", Enum(&["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"])),
        optional("SystemLogLevel", Enum(&["DEBUG", "INFO", "WARN"])),
    ]);

    const TRACING_CONFIG: ValueType = Object(&[optional("Mode", Enum(&["Active", "PassThrough"]))]);

    const EPHEMERAL_STORAGE: ValueType = Object(&[required("Size", Integer)]);

    const DEAD_LETTER_CONFIG: ValueType = Object(&[optional("TargetArn", String)]);

    ResourceSchema {
        type_name: "AWS::Lambda::Function",
        properties: &[
            create_only(optional("FunctionName", String)),
            optional("Description", String),
            required("Code", CODE),
            required("Role", String),
            // provided.al2023, python3.13, ...: open-ended, so a string.
            optional("Runtime", String),
            optional("Handler", String),
            create_only(optional("PackageType", Enum(&["Zip", "Image"]))),
            optional("Architectures", List(&Enum(&["x86_64", "arm64"]))),
            optional("MemorySize", Integer),
            optional("Timeout", Integer),
            optional("Environment", ENVIRONMENT),
            optional("KmsKeyArn", String),
            optional("VpcConfig", VPC_CONFIG),
            optional("LoggingConfig", LOGGING_CONFIG),
            optional("TracingConfig", TRACING_CONFIG),
            optional("EphemeralStorage", EPHEMERAL_STORAGE),
            optional("DeadLetterConfig", DEAD_LETTER_CONFIG),
            optional("Layers", List(&String)),
            optional("ReservedConcurrentExecutions", Integer),
            optional("Tags", TAG_LIST),
        ],
        attributes: &["FunctionName", "Arn"],
        id_attribute: "FunctionName",
        taggable: true,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let name = function_name(req)?;
        let Some(function) = get_function(cx, &name).await? else { return Ok(None) };
        let tags = function_tags(&function);
        req.tags.claim(SCHEMA.type_name, &name, &tags)?;
        let config = function.configuration.as_ref().ok_or_else(|| missing("lambda:GetFunction", "Configuration"))?;
        Ok(Some(function_applied(config)?))
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = req.properties;
        let name = function_name(req)?;
        let code = desired_code(cx, props)?;
        let config = Config::from_properties(props, &name)?;
        let tags = req.tags.for_properties(props);
        let package_type = opt_str(props, "PackageType")?.map(PackageType::from);
        // A role created moments ago may not be assumable by Lambda yet:
        // retried under retry::IAM_ROLE_PROPAGATION (see retry::classify).
        let created = retry::with_retries(|| async {
            cx.clients
                .lambda()
                .create_function()
                .function_name(&name)
                .code(code.function_code())
                .set_package_type(package_type.clone())
                .set_architectures(code.architectures.clone())
                .role(&config.role)
                .set_runtime(config.runtime.clone())
                .set_handler(config.handler.clone())
                .set_description(config.description.clone())
                .set_memory_size(config.memory_size)
                .set_timeout(config.timeout)
                .set_environment(config.environment())
                .set_kms_key_arn(config.kms_key_arn.clone())
                .set_vpc_config(config.vpc_config.clone())
                .set_logging_config(config.logging_config.clone())
                .set_tracing_config(config.tracing_config.clone())
                .set_ephemeral_storage(config.ephemeral_storage.clone())
                .set_dead_letter_config(config.dead_letter_config.clone())
                .set_layers(config.layers.clone())
                .set_tags(Some(tags.clone().into_iter().collect()))
                .send()
                .await
                .map_err(aws_error("lambda:CreateFunction"))
        })
        .await?;
        let applied = function_applied_from(created.function_name(), created.function_arn())?;
        wait_ready(cx, &name).await?;
        if let Some(reserved) = opt_i32(props, "ReservedConcurrentExecutions")? {
            set_reserved_concurrency(cx, &name, Some(reserved)).await?;
        }
        Ok(applied)
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let Some(function) = get_function(cx, physical_id).await? else { return Ok(None) };
        let config = function.configuration.as_ref().ok_or_else(|| missing("lambda:GetFunction", "Configuration"))?;
        let tags = function_tags(&function);
        let mut props = live_properties(config, recorded, cx.local);
        let reserved = function.concurrency.as_ref().and_then(|c| c.reserved_concurrent_executions);
        common::put(&mut props, "ReservedConcurrentExecutions", reserved.map(|r| json!(r)));
        common::put(&mut props, "Tags", spec_tag_list(&tags, &Value::Null));
        let applied = function_applied(config)?;
        Ok(Some(Live { properties: Value::Object(props), attributes: applied.attributes, tags }))
    }

    /// Audited: `read` reports every property AWS holds and echoes the
    /// ones AWS cannot report, so an omitted one was removed.
    fn absent_means_removed(&self) -> bool {
        true
    }

    async fn update(&self, cx: &Cx, id: &str, before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = req.properties;
        let current = get_function(cx, id).await?.ok_or_else(|| not_found("lambda:GetFunction", id))?;
        let live = current.configuration.as_ref().ok_or_else(|| missing("lambda:GetFunction", "Configuration"))?;
        let code = desired_code(cx, props)?;
        if code_changed(&code, live, before, props) {
            update_code(cx, id, &code).await?;
        }
        if !common::changed_keys(before, props, CONFIG_KEYS).is_empty() {
            update_configuration(cx, id, &Config::from_properties(props, id)?).await?;
        }
        let reserved = opt_i32(props, "ReservedConcurrentExecutions")?;
        if reserved != opt_i32(before, "ReservedConcurrentExecutions").unwrap_or(None) {
            set_reserved_concurrency(cx, id, reserved).await?;
        }
        let arn = live.function_arn().ok_or_else(|| missing("lambda:GetFunction", "FunctionArn"))?;
        tagging::converge(&LambdaTags, cx, arn, &function_tags(&current), &req.tags.for_properties(props)).await?;
        function_applied(live)
    }

    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        let out = retry::with_retries(|| async {
            cx.clients
                .lambda()
                .delete_function()
                .function_name(physical_id)
                .send()
                .await
                .map_err(aws_error("lambda:DeleteFunction"))
        })
        .await;
        out.gone_ok()
    }
}

// ---------------------------------------------------------------- identity --

/// The function's name: the spec's `FunctionName`, else the generated one.
fn function_name(req: &Request<'_>) -> Result<String, ProviderError> {
    Ok(match opt_str(req.properties, "FunctionName")? {
        Some(name) => name.to_owned(),
        None => common::generated_name(req.tags, |c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
    })
}

fn missing(operation: &'static str, field: &str) -> ProviderError {
    ProviderError::Aws { operation, code: "IncompleteResponse".into(), message: format!("no {field} in the answer") }
}

fn not_found(operation: &'static str, name: &str) -> ProviderError {
    ProviderError::Aws {
        operation,
        code: "ResourceNotFoundException".into(),
        message: format!("function {name} does not exist"),
    }
}

fn function_applied(config: &FunctionConfiguration) -> Result<Applied, ProviderError> {
    function_applied_from(config.function_name(), config.function_arn())
}

fn function_applied_from(name: Option<&str>, arn: Option<&str>) -> Result<Applied, ProviderError> {
    let name = name.ok_or_else(|| missing("lambda", "FunctionName"))?;
    let arn = arn.ok_or_else(|| missing("lambda", "FunctionArn"))?;
    Ok(common::applied(name, &[("FunctionName", name), ("Arn", arn)]))
}

fn function_tags(function: &GetFunctionOutput) -> BTreeMap<String, String> {
    function.tags.clone().unwrap_or_default().into_iter().collect()
}

/// GetFunction (configuration, tags, reserved concurrency), or None.
async fn get_function(cx: &Cx, name: &str) -> Result<Option<GetFunctionOutput>, ProviderError> {
    match cx.clients.lambda().get_function().function_name(name).send().await.map_err(aws_error("lambda:GetFunction")) {
        Ok(out) => Ok(Some(out)),
        Err(err) if err.is_not_found() => Ok(None),
        Err(err) => Err(err),
    }
}

/// Lambda tags a function by its ARN, with a map.
struct LambdaTags;

#[async_trait::async_trait]
impl TagApi for LambdaTags {
    async fn tag(&self, cx: &Cx, arn: &str, tags: &Tags) -> Result<(), ProviderError> {
        let call = cx.clients.lambda().tag_resource().resource(arn).set_tags(Some(tags.clone().into_iter().collect()));
        call.send().await.map(drop).map_err(aws_error("lambda:TagResource"))
    }

    async fn untag(&self, cx: &Cx, arn: &str, keys: &[String]) -> Result<(), ProviderError> {
        let call = cx.clients.lambda().untag_resource().resource(arn).set_tag_keys(Some(keys.to_vec()));
        call.send().await.map(drop).map_err(aws_error("lambda:UntagResource"))
    }
}

// ----------------------------------- create (in lambda_function/create.rs) --

// --------------------------------------- read (in lambda_function/read.rs) --

// ------------------------------------------------------------------ update --

/// The configuration keys UpdateFunctionConfiguration changes.
const CONFIG_KEYS: &[&str] = &[
    "Description",
    "Role",
    "Runtime",
    "Handler",
    "MemorySize",
    "Timeout",
    "Environment",
    "KmsKeyArn",
    "VpcConfig",
    "LoggingConfig",
    "TracingConfig",
    "EphemeralStorage",
    "DeadLetterConfig",
    "Layers",
];

/// The keys of `Code` that name where the code comes from; AWS reports none
/// of them back, so `read` carries them over from state.
const CODE_SOURCE_KEYS: &[&str] = &["Crate", "ZipFile", "S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri"];

/// Whether the code must be shipped: a known SHA-256 that differs from the
/// deployed one, a changed S3 object or image, or changed architectures.
fn code_changed(code: &Code, live: &FunctionConfiguration, before: &Value, props: &Value) -> bool {
    let architectures_changed = !common::changed_keys(before, props, &["Architectures"]).is_empty();
    let source_changed = match &code.sha256 {
        Some(sha) => live.code_sha256() != Some(sha.as_str()),
        None => before.get("Code") != props.get("Code"),
    };
    source_changed || architectures_changed
}

/// UpdateFunctionCode (retried while another update is in progress), then
/// waits for it to finish.
async fn update_code(cx: &Cx, name: &str, code: &Code) -> Result<(), ProviderError> {
    retry::with_retries(|| async {
        let call = cx
            .clients
            .lambda()
            .update_function_code()
            .function_name(name)
            .set_architectures(code.architectures.clone());
        let call = match &code.source {
            CodeSource::Zip(bytes) => call.zip_file(Blob::new(bytes.clone())),
            CodeSource::S3 { bucket, key, version } => {
                call.s3_bucket(bucket).s3_key(key).set_s3_object_version(version.clone())
            }
            CodeSource::Image(uri) => call.image_uri(uri),
        };
        call.send().await.map_err(aws_error("lambda:UpdateFunctionCode"))
    })
    .await?;
    wait_ready(cx, name).await
}

/// UpdateFunctionConfiguration with the whole desired configuration
/// (properties left out are set to Lambda's defaults, so removing one from
/// the spec removes it from the function), then waits.
async fn update_configuration(cx: &Cx, name: &str, config: &Config) -> Result<(), ProviderError> {
    retry::with_retries(|| async {
        cx.clients
            .lambda()
            .update_function_configuration()
            .function_name(name)
            .role(&config.role)
            .set_runtime(config.runtime.clone())
            .set_handler(config.handler.clone())
            .description(config.description.clone().unwrap_or_default())
            .memory_size(config.memory_size.unwrap_or(DEFAULT_MEMORY))
            .timeout(config.timeout.unwrap_or(DEFAULT_TIMEOUT))
            .environment(config.environment().unwrap_or_else(empty_environment))
            .kms_key_arn(config.kms_key_arn.clone().unwrap_or_default())
            .vpc_config(config.vpc_config.clone().unwrap_or_else(|| {
                VpcConfig::builder().set_subnet_ids(Some(vec![])).set_security_group_ids(Some(vec![])).build()
            }))
            .set_logging_config(config.logging_config.clone())
            .tracing_config(
                config
                    .tracing_config
                    .clone()
                    .unwrap_or_else(|| TracingConfig::builder().mode(TracingMode::PassThrough).build()),
            )
            .set_ephemeral_storage(config.ephemeral_storage.clone())
            .dead_letter_config(
                config.dead_letter_config.clone().unwrap_or_else(|| DeadLetterConfig::builder().target_arn("").build()),
            )
            .set_layers(Some(config.layers.clone().unwrap_or_default()))
            .send()
            .await
            .map_err(aws_error("lambda:UpdateFunctionConfiguration"))
    })
    .await?;
    wait_ready(cx, name).await
}

/// PutFunctionConcurrency, or DeleteFunctionConcurrency for None.
async fn set_reserved_concurrency(cx: &Cx, name: &str, reserved: Option<i32>) -> Result<(), ProviderError> {
    let lambda = cx.clients.lambda();
    match reserved {
        Some(n) => retry::with_retries(|| async {
            lambda
                .put_function_concurrency()
                .function_name(name)
                .reserved_concurrent_executions(n)
                .send()
                .await
                .map_err(aws_error("lambda:PutFunctionConcurrency"))
        })
        .await
        .map(|_| ()),
        None => retry::with_retries(|| async {
            lambda
                .delete_function_concurrency()
                .function_name(name)
                .send()
                .await
                .map_err(aws_error("lambda:DeleteFunctionConcurrency"))
        })
        .await
        .map(|_| ()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_source_is_zipped_by_runtime() {
        assert!(inline_zip("def handler(e, c): pass", Some("python3.13")).is_ok());
        assert!(inline_zip("exports.handler = async () => 1", Some("nodejs22.x")).is_ok());
        assert!(inline_zip("x", Some("provided.al2023")).is_err());
        assert_eq!(inline_zip("x", Some("python3.13")).unwrap(), inline_zip("x", Some("python3.12")).unwrap());
    }

    #[test]
    fn config_rejects_what_cannot_be_mapped() {
        let ok = json!({"Role": "arn:aws:iam::1:role/r", "MemorySize": 256, "Environment": {"Variables": {"A": "b"}}});
        let config = Config::from_properties(&ok, "f").unwrap();
        assert_eq!(config.memory_size, Some(256));
        assert_eq!(config.variables.unwrap().get("A").map(|v| v.as_str()), Some("b"));
        assert!(Config::from_properties(&json!({"Role": "r", "MemorySize": "lots"}), "f").is_err());
        assert!(Config::from_properties(&json!({"MemorySize": 1}), "f").is_err());
    }
}
