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
use crate::provider::schema::{ValueType::*, *};
use crate::provider::{aws_error, retry, Applied, Cx, Live, NotFoundExt, ProviderError, Request};

/// strata's addition to CloudFormation's `Code` object (not a CloudFormation
/// property): the path, relative to the workspace root, of a crate of this
/// Cargo workspace, e.g. `Code: { Crate: lambdas/order-executor }`. strata
/// builds that crate, zips its `bootstrap` binary deterministically and ships
/// the zip itself; the zip's SHA-256 decides whether the function's code needs
/// an update. Use it instead of `ZipFile`, `S3Bucket`/`S3Key` or `ImageUri`.
pub const CODE_CRATE: PropertySchema = optional("Crate", String);

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

pub const SCHEMA: ResourceSchema = ResourceSchema {
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
};

/// How long a function may take to become Active / finish an update. A
/// function in a VPC gets its network interfaces first, which can take a few
/// minutes.
pub const READY_LIMIT: Duration = Duration::from_secs(600);
/// How often the readiness is polled on AWS (on the local cloud: see [`poll_every`]).
const READY_POLL: Duration = Duration::from_secs(2);

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

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    fn schema(&self) -> &'static ResourceSchema {
        &SCHEMA
    }

    /// Audited: `read` reports every property AWS holds and echoes the
    /// ones AWS cannot report, so an omitted one was removed.
    fn absent_means_removed(&self) -> bool {
        true
    }

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

    async fn update(
        &self,
        cx: &Cx,
        physical_id: &str,
        before: &Value,
        req: &Request<'_>,
    ) -> Result<Applied, ProviderError> {
        let props = req.properties;
        let current =
            get_function(cx, physical_id).await?.ok_or_else(|| not_found("lambda:GetFunction", physical_id))?;
        let live = current.configuration.as_ref().ok_or_else(|| missing("lambda:GetFunction", "Configuration"))?;
        let code = desired_code(cx, props)?;
        if code_changed(&code, live, before, props) {
            update_code(cx, physical_id, &code).await?;
        }
        if !common::changed_keys(before, props, CONFIG_KEYS).is_empty() {
            update_configuration(cx, physical_id, &Config::from_properties(props, physical_id)?).await?;
        }
        let reserved = opt_i32(props, "ReservedConcurrentExecutions")?;
        if reserved != opt_i32(before, "ReservedConcurrentExecutions").unwrap_or(None) {
            set_reserved_concurrency(cx, physical_id, reserved).await?;
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

/// The function's name: the spec's `FunctionName`, else the generated one.
fn function_name(req: &Request<'_>) -> Result<std::string::String, ProviderError> {
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

fn function_tags(function: &GetFunctionOutput) -> BTreeMap<std::string::String, std::string::String> {
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

/// Polling interval: moto answers at once, AWS takes seconds.
fn poll_every(cx: &Cx) -> Duration {
    if cx.local {
        Duration::from_millis(100)
    } else {
        READY_POLL
    }
}

/// Waits (bounded by [`READY_LIMIT`]) until the function is `Active` and its
/// last update `Successful`; a `Failed` state or update is an error with
/// Lambda's reason.
async fn wait_ready(cx: &Cx, name: &str) -> Result<(), ProviderError> {
    let what = format!("Lambda function {name} to be Active with its last update Successful");
    retry::wait_until(&what, READY_LIMIT, poll_every(cx), || async {
        let config = cx
            .clients
            .lambda()
            .get_function_configuration()
            .function_name(name)
            .send()
            .await
            .map_err(aws_error("lambda:GetFunctionConfiguration"))?;
        readiness(&config)
    })
    .await
}

/// Some(()) when ready, None while pending or in progress, an error when failed.
fn readiness(
    config: &aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationOutput,
) -> Result<Option<()>, ProviderError> {
    let failed = |code: &str, reason: Option<&str>| ProviderError::Aws {
        operation: "lambda:GetFunctionConfiguration",
        code: code.to_owned(),
        message: reason.unwrap_or("no reason given").to_owned(),
    };
    if config.state() == Some(&State::Failed) {
        return Err(failed("FunctionFailed", config.state_reason()));
    }
    if config.last_update_status() == Some(&LastUpdateStatus::Failed) {
        return Err(failed("FunctionUpdateFailed", config.last_update_status_reason()));
    }
    let active = config.state().is_none_or(|s| *s == State::Active);
    let updated = config.last_update_status().is_none_or(|s| *s == LastUpdateStatus::Successful);
    Ok((active && updated).then_some(()))
}

/// The code the spec asks for, and the SHA-256 it will have once deployed
/// when strata can know it (a crate package or inline source).
#[derive(Debug, Clone)]
struct Code {
    source: CodeSource,
    /// base64(SHA-256(zip)), when the zip is built here.
    sha256: Option<std::string::String>,
    architectures: Option<Vec<Architecture>>,
}

#[derive(Debug, Clone)]
enum CodeSource {
    Zip(Vec<u8>),
    S3 { bucket: std::string::String, key: std::string::String, version: Option<std::string::String> },
    Image(std::string::String),
}

impl Code {
    fn function_code(&self) -> FunctionCode {
        match &self.source {
            CodeSource::Zip(bytes) => FunctionCode::builder().zip_file(Blob::new(bytes.clone())).build(),
            CodeSource::S3 { bucket, key, version } => {
                FunctionCode::builder().s3_bucket(bucket).s3_key(key).set_s3_object_version(version.clone()).build()
            }
            CodeSource::Image(uri) => FunctionCode::builder().image_uri(uri).build(),
        }
    }
}

/// Reads `Code` (and `Architectures`, which Lambda sets with the code).
fn desired_code(cx: &Cx, props: &Value) -> Result<Code, ProviderError> {
    let code =
        props.get("Code").filter(|c| c.is_object()).ok_or_else(|| ProviderError::invalid("Code", "is required"))?;
    let architectures = architectures(props)?;
    if let Some(crate_path) = opt_str(code, "Crate")? {
        let artifact = cx.artifacts.get(crate_path).ok_or_else(|| {
            ProviderError::invalid(
                "Code.Crate",
                format!("`{crate_path}` was not built for this run (no package in the artifacts)"),
            )
        })?;
        let bytes = std::fs::read(&artifact.zip_path).map_err(|e| {
            ProviderError::invalid(
                "Code.Crate",
                format!("cannot read the package {}: {e}", artifact.zip_path.display()),
            )
        })?;
        let sha256 = code_sha256(&bytes);
        return Ok(Code { source: CodeSource::Zip(bytes), sha256: Some(sha256), architectures });
    }
    if let Some(source) = opt_str(code, "ZipFile")? {
        let zip = inline_zip(source, opt_str(props, "Runtime")?)?;
        let sha256 = code_sha256(&zip);
        return Ok(Code { source: CodeSource::Zip(zip), sha256: Some(sha256), architectures });
    }
    if let (Some(bucket), Some(key)) = (opt_str(code, "S3Bucket")?, opt_str(code, "S3Key")?) {
        let version = opt_str(code, "S3ObjectVersion")?.map(str::to_owned);
        return Ok(Code {
            source: CodeSource::S3 { bucket: bucket.to_owned(), key: key.to_owned(), version },
            sha256: None,
            architectures,
        });
    }
    if let Some(uri) = opt_str(code, "ImageUri")? {
        return Ok(Code { source: CodeSource::Image(uri.to_owned()), sha256: None, architectures });
    }
    Err(ProviderError::invalid("Code", "needs Crate, ZipFile, S3Bucket and S3Key, or ImageUri"))
}

/// CloudFormation's inline `ZipFile`: the source goes into `index.py` or
/// `index.js` (by runtime), zipped.
fn inline_zip(source: &str, runtime: Option<&str>) -> Result<Vec<u8>, ProviderError> {
    let file = match runtime {
        Some(r) if r.starts_with("python") => "index.py",
        Some(r) if r.starts_with("nodejs") => "index.js",
        other => {
            return Err(ProviderError::invalid(
                "Code.ZipFile",
                format!("inline source needs a python or nodejs Runtime (got {other:?}); use Code.Crate for Rust"),
            ))
        }
    };
    deterministic_zip(&[Entry { name: file, mode: FILE_MODE, contents: source.as_bytes() }])
        .map_err(|e| ProviderError::invalid("Code.ZipFile", e.to_string()))
}

fn architectures(props: &Value) -> Result<Option<Vec<Architecture>>, ProviderError> {
    let list = str_list(props, "Architectures")?;
    Ok((!list.is_empty()).then(|| list.iter().map(|a| Architecture::from(a.as_str())).collect()))
}

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

/// Lambda's defaults, what a property left out means.
const DEFAULT_MEMORY: i32 = 128;
const DEFAULT_TIMEOUT: i32 = 3;

fn empty_environment() -> aws_sdk_lambda::types::Environment {
    aws_sdk_lambda::types::Environment::builder().set_variables(Some(Default::default())).build()
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

/// Lambda tags a function by its ARN, with a map.
struct LambdaTags;

#[async_trait::async_trait]
impl TagApi for LambdaTags {
    async fn tag(&self, cx: &Cx, arn: &str, tags: &Tags) -> Result<(), ProviderError> {
        let call = cx.clients.lambda().tag_resource().resource(arn).set_tags(Some(tags.clone().into_iter().collect()));
        call.send().await.map(drop).map_err(aws_error("lambda:TagResource"))
    }

    async fn untag(&self, cx: &Cx, arn: &str, keys: &[std::string::String]) -> Result<(), ProviderError> {
        let call = cx.clients.lambda().untag_resource().resource(arn).set_tag_keys(Some(keys.to_vec()));
        call.send().await.map(drop).map_err(aws_error("lambda:UntagResource"))
    }
}

/// The configuration part of the properties, as SDK values.
#[derive(Debug, Clone)]
struct Config {
    role: std::string::String,
    runtime: Option<Runtime>,
    handler: Option<std::string::String>,
    description: Option<std::string::String>,
    memory_size: Option<i32>,
    timeout: Option<i32>,
    variables: Option<BTreeMap<std::string::String, std::string::String>>,
    kms_key_arn: Option<std::string::String>,
    vpc_config: Option<VpcConfig>,
    logging_config: Option<LoggingConfig>,
    tracing_config: Option<TracingConfig>,
    ephemeral_storage: Option<EphemeralStorage>,
    dead_letter_config: Option<DeadLetterConfig>,
    layers: Option<Vec<std::string::String>>,
}

impl Config {
    fn from_properties(props: &Value, function_name: &str) -> Result<Config, ProviderError> {
        let owned = |v: Option<&str>| v.map(str::to_owned);
        let environment = props.get("Environment").filter(|e| !e.is_null());
        let variables = environment.map(|e| str_map(e, "Variables")).transpose()?;
        let layers = props.get("Layers").filter(|l| !l.is_null()).map(|_| str_list(props, "Layers")).transpose()?;
        Ok(Config {
            role: common::req_str(props, "Role")?.to_owned(),
            runtime: opt_str(props, "Runtime")?.map(Runtime::from),
            handler: owned(opt_str(props, "Handler")?),
            description: owned(opt_str(props, "Description")?),
            memory_size: opt_i32(props, "MemorySize")?,
            timeout: opt_i32(props, "Timeout")?,
            variables,
            kms_key_arn: owned(opt_str(props, "KmsKeyArn")?),
            vpc_config: sub(props, "VpcConfig").map(vpc_config).transpose()?,
            logging_config: sub(props, "LoggingConfig").map(|l| logging_config(l, function_name)).transpose()?,
            tracing_config: sub(props, "TracingConfig")
                .map(|t| {
                    Ok::<_, ProviderError>(
                        TracingConfig::builder().set_mode(opt_str(t, "Mode")?.map(TracingMode::from)).build(),
                    )
                })
                .transpose()?,
            ephemeral_storage: sub(props, "EphemeralStorage").map(ephemeral_storage).transpose()?,
            dead_letter_config: sub(props, "DeadLetterConfig")
                .map(|d| {
                    Ok::<_, ProviderError>(
                        DeadLetterConfig::builder().set_target_arn(owned(opt_str(d, "TargetArn")?)).build(),
                    )
                })
                .transpose()?,
            layers,
        })
    }

    fn environment(&self) -> Option<aws_sdk_lambda::types::Environment> {
        self.variables.as_ref().map(|vars| {
            aws_sdk_lambda::types::Environment::builder()
                .set_variables(Some(vars.clone().into_iter().collect()))
                .build()
        })
    }
}

/// `props[name]` when it is an object.
fn sub<'a>(props: &'a Value, name: &str) -> Option<&'a Value> {
    props.get(name).filter(|v| v.is_object())
}

fn vpc_config(v: &Value) -> Result<VpcConfig, ProviderError> {
    Ok(VpcConfig::builder()
        .set_subnet_ids(Some(str_list(v, "SubnetIds")?))
        .set_security_group_ids(Some(str_list(v, "SecurityGroupIds")?))
        .set_ipv6_allowed_for_dual_stack(opt_bool(v, "Ipv6AllowedForDualStack")?)
        .build())
}

fn logging_config(v: &Value, function_name: &str) -> Result<LoggingConfig, ProviderError> {
    // Lambda needs a log group; CloudFormation's default is /aws/lambda/<name>.
    let group = opt_str(v, "LogGroup")?.map(str::to_owned).unwrap_or_else(|| format!("/aws/lambda/{function_name}"));
    Ok(LoggingConfig::builder()
        .log_group(group)
        .set_log_format(opt_str(v, "LogFormat")?.map(LogFormat::from))
        .set_application_log_level(opt_str(v, "ApplicationLogLevel")?.map(ApplicationLogLevel::from))
        .set_system_log_level(opt_str(v, "SystemLogLevel")?.map(SystemLogLevel::from))
        .build())
}

fn ephemeral_storage(v: &Value) -> Result<EphemeralStorage, ProviderError> {
    let size = opt_i32(v, "Size")?.ok_or_else(|| ProviderError::invalid("EphemeralStorage.Size", "is required"))?;
    EphemeralStorage::builder()
        .size(size)
        .build()
        .map_err(|e| ProviderError::invalid("EphemeralStorage", e.to_string()))
}

/// The function's properties in the spec's terms.
///
/// `Code` holds the source keys recorded in state (AWS does not report where
/// the code came from) plus the live `CodeSha256`. On the local cloud, moto
/// neither stores `LoggingConfig` nor `DeadLetterConfig`: when it reports
/// none, the recorded value stands in (only when `local`).
fn live_properties(config: &FunctionConfiguration, recorded: &Value, local: bool) -> Map<std::string::String, Value> {
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

fn live_code(config: &FunctionConfiguration, recorded: &Value) -> Value {
    let mut code = Map::new();
    if let Some(Value::Object(rec)) = recorded.get("Code") {
        for key in CODE_SOURCE_KEYS {
            common::put(&mut code, key, rec.get(*key).cloned());
        }
    }
    common::put(&mut code, "CodeSha256", config.code_sha256().map(|c| json!(c)));
    Value::Object(code)
}

fn live_vpc(v: &aws_sdk_lambda::types::VpcConfigResponse) -> Value {
    let mut out = Map::new();
    out.insert("SubnetIds".into(), json!(v.subnet_ids()));
    out.insert("SecurityGroupIds".into(), json!(v.security_group_ids()));
    common::put(&mut out, "Ipv6AllowedForDualStack", v.ipv6_allowed_for_dual_stack().filter(|b| *b).map(|b| json!(b)));
    Value::Object(out)
}

fn live_logging(l: &LoggingConfig) -> Value {
    let mut out = Map::new();
    common::put(&mut out, "LogGroup", l.log_group().map(|g| json!(g)));
    common::put(&mut out, "LogFormat", l.log_format().map(|f| json!(f.as_str())));
    common::put(&mut out, "ApplicationLogLevel", l.application_log_level().map(|f| json!(f.as_str())));
    common::put(&mut out, "SystemLogLevel", l.system_log_level().map(|f| json!(f.as_str())));
    Value::Object(out)
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
