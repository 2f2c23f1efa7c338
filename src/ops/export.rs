//! `strata export cloudformation`: the spec as a CloudFormation template.
//! Validates the spec like every command, then translates it; no AWS call
//! and no build (the Lambda zips are template parameters).

use std::path::Path;

use serde_json::Value;

use super::OpsError;
use crate::export::cloudformation;

/// The template of the spec at `spec_path` for `environment`.
pub fn cloudformation(spec_path: &Path, environment: &str) -> Result<Value, OpsError> {
    let stack = crate::spec::load_file(spec_path)?;
    let env = super::environment::select(&stack, environment)?;
    Ok(cloudformation::template(&stack, &env.name, None)?)
}
