//! `AWS::Lambda::Function`.
//!
//! `Code` is CloudFormation's `Code` object plus strata's `Crate` key
//! ([`CODE_CRATE`]).

use crate::provider::schema::{ValueType::*, *};

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

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    fn schema(&self) -> &'static ResourceSchema {
        &SCHEMA
    }
}
