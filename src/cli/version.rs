//! What `strata version` and `strata --version` print: strata's version and
//! what it pins (the local cloud, the Lambda build tools, AWS's schemas),
//! since those, not only strata's own version, decide what a plan and a
//! build do. One struct, rendered as text or JSON, so the two cannot differ.

use serde::Serialize;

/// The shape of `strata version --json`; bumped when a field changes
/// meaning or goes away (new fields keep it), like every JSON strata prints.
pub const VERSION_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Versions {
    pub format_version: u32,
    pub strata: &'static str,
    /// The moto version the local cloud pins.
    pub local_cloud: &'static str,
    /// The Lambda build tools' PyPI requirements (cargo-lambda, zig).
    pub lambda_build: Vec<&'static str>,
    pub aws_schemas: AwsSchemas,
}

/// Where the embedded AWS resource schemas come from.
#[derive(Debug, Clone, Serialize)]
pub struct AwsSchemas {
    pub cfn_lint: String,
    pub region: String,
    pub schema_date: String,
}

pub fn versions() -> Versions {
    let schemas: serde_json::Value = serde_json::from_str(crate::provider::aws_schema::SOURCE_JSON).unwrap_or_default();
    let field = |k: &str| schemas[k].as_str().unwrap_or("?").to_owned();
    Versions {
        format_version: VERSION_FORMAT_VERSION,
        strata: env!("CARGO_PKG_VERSION"),
        local_cloud: local_cloud::MOTO_VERSION,
        lambda_build: crate::build::toolchain::REQUIREMENTS.to_vec(),
        aws_schemas: AwsSchemas {
            cfn_lint: field("cfn_lint_version"),
            region: field("region"),
            schema_date: field("schema_date"),
        },
    }
}

impl Versions {
    /// The text after "strata " in `--version` (clap adds the name).
    pub fn long_version(&self) -> String {
        format!(
            "{}\nlocal cloud: moto {}\nLambda build: {}\nAWS resource schemas: cfn-lint {} ({}, {})",
            self.strata,
            self.local_cloud,
            self.lambda_build.join(", "),
            self.aws_schemas.cfn_lint,
            self.aws_schemas.region,
            self.aws_schemas.schema_date,
        )
    }
}
