//! `lambda_function`, create section: the spec's properties as the create request. Split off by job;
//! the layout is `provider::types`'s.

use super::*;

// ------------------------------------------------------------------ create --

/// How long a function may take to become Active / finish an update. A
/// function in a VPC gets its network interfaces first, which can take a few
/// minutes.
pub const READY_LIMIT: Duration = Duration::from_secs(600);

/// How often the readiness is polled on AWS (on the local cloud: see [`poll_every`]).
pub(super) const READY_POLL: Duration = Duration::from_secs(2);

/// Waits (bounded by [`READY_LIMIT`]) until the function is `Active` and its
/// last update `Successful`; a `Failed` state or update is an error with
/// Lambda's reason.
pub(super) async fn wait_ready(cx: &Cx, name: &str) -> Result<(), ProviderError> {
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
pub(super) fn readiness(
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
pub(super) struct Code {
    pub(super) source: CodeSource,
    /// base64(SHA-256(zip)), when the zip is built here.
    pub(super) sha256: Option<String>,
    pub(super) architectures: Option<Vec<Architecture>>,
}

#[derive(Debug, Clone)]
pub(super) enum CodeSource {
    Zip(Vec<u8>),
    S3 { bucket: String, key: String, version: Option<String> },
    Image(String),
}

impl Code {
    pub(super) fn function_code(&self) -> FunctionCode {
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
pub(super) fn desired_code(cx: &Cx, props: &Value) -> Result<Code, ProviderError> {
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
pub(super) fn inline_zip(source: &str, runtime: Option<&str>) -> Result<Vec<u8>, ProviderError> {
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

pub(super) fn architectures(props: &Value) -> Result<Option<Vec<Architecture>>, ProviderError> {
    let list = str_list(props, "Architectures")?;
    Ok((!list.is_empty()).then(|| list.iter().map(|a| Architecture::from(a.as_str())).collect()))
}

/// Lambda's defaults, what a property left out means.
pub(super) const DEFAULT_MEMORY: i32 = 128;

pub(super) const DEFAULT_TIMEOUT: i32 = 3;

pub(super) fn empty_environment() -> aws_sdk_lambda::types::Environment {
    aws_sdk_lambda::types::Environment::builder().set_variables(Some(Default::default())).build()
}

/// The configuration part of the properties, as SDK values.
#[derive(Debug, Clone)]
pub(super) struct Config {
    pub(super) role: String,
    pub(super) runtime: Option<Runtime>,
    pub(super) handler: Option<String>,
    pub(super) description: Option<String>,
    pub(super) memory_size: Option<i32>,
    pub(super) timeout: Option<i32>,
    pub(super) variables: Option<BTreeMap<String, String>>,
    pub(super) kms_key_arn: Option<String>,
    pub(super) vpc_config: Option<VpcConfig>,
    pub(super) logging_config: Option<LoggingConfig>,
    pub(super) tracing_config: Option<TracingConfig>,
    pub(super) ephemeral_storage: Option<EphemeralStorage>,
    pub(super) dead_letter_config: Option<DeadLetterConfig>,
    pub(super) layers: Option<Vec<String>>,
}

impl Config {
    pub(super) fn from_properties(props: &Value, function_name: &str) -> Result<Config, ProviderError> {
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

    pub(super) fn environment(&self) -> Option<aws_sdk_lambda::types::Environment> {
        self.variables.as_ref().map(|vars| {
            aws_sdk_lambda::types::Environment::builder()
                .set_variables(Some(vars.clone().into_iter().collect()))
                .build()
        })
    }
}

/// `props[name]` when it is an object.
pub(super) fn sub<'a>(props: &'a Value, name: &str) -> Option<&'a Value> {
    props.get(name).filter(|v| v.is_object())
}

pub(super) fn vpc_config(v: &Value) -> Result<VpcConfig, ProviderError> {
    Ok(VpcConfig::builder()
        .set_subnet_ids(Some(str_list(v, "SubnetIds")?))
        .set_security_group_ids(Some(str_list(v, "SecurityGroupIds")?))
        .set_ipv6_allowed_for_dual_stack(opt_bool(v, "Ipv6AllowedForDualStack")?)
        .build())
}

pub(super) fn logging_config(v: &Value, function_name: &str) -> Result<LoggingConfig, ProviderError> {
    // Lambda needs a log group; CloudFormation's default is /aws/lambda/<name>.
    let group = opt_str(v, "LogGroup")?.map(str::to_owned).unwrap_or_else(|| format!("/aws/lambda/{function_name}"));
    Ok(LoggingConfig::builder()
        .log_group(group)
        .set_log_format(opt_str(v, "LogFormat")?.map(LogFormat::from))
        .set_application_log_level(opt_str(v, "ApplicationLogLevel")?.map(ApplicationLogLevel::from))
        .set_system_log_level(opt_str(v, "SystemLogLevel")?.map(SystemLogLevel::from))
        .build())
}

pub(super) fn ephemeral_storage(v: &Value) -> Result<EphemeralStorage, ProviderError> {
    let size = opt_i32(v, "Size")?.ok_or_else(|| ProviderError::invalid("EphemeralStorage.Size", "is required"))?;
    EphemeralStorage::builder()
        .size(size)
        .build()
        .map_err(|e| ProviderError::invalid("EphemeralStorage", e.to_string()))
}
