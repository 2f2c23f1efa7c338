//! `strata export cloudformation`: the spec as a CloudFormation template.
//! Validates the spec like every command, then translates it; no AWS call
//! and no build (the Lambda zips are template parameters).

use std::path::Path;

use indexmap::IndexMap;
use serde_json::Value;

use super::OpsError;
use crate::export::cloudformation;
use crate::spec::bind::BoundValue;
use crate::spec::{Inputs, Stack};

/// The template of the spec at `spec_path` for `environment`.
pub fn cloudformation(spec_path: &Path, environment: &str, inputs: &Inputs) -> Result<Value, OpsError> {
    let (stack, values) = template_stack(spec_path, environment, inputs)?;
    let env = super::environment::select(&stack, environment)?;
    Ok(cloudformation::template(&stack, &env.name, &values, None)?)
}

/// The spec as a template needs it: `${param.X}` kept as references (they
/// become `Ref`s of template parameters), with the environment's values
/// checked as `validate` checks them and at hand for the parameters'
/// defaults.
pub fn template_stack(
    spec_path: &Path,
    environment: &str,
    inputs: &Inputs,
) -> Result<(Stack, IndexMap<String, BoundValue>), OpsError> {
    let bound = super::environment::load_for(spec_path, environment, inputs)?;
    if bound.parameters.is_empty() {
        return Ok((bound, IndexMap::new()));
    }
    let stack = crate::spec::load_file(spec_path)?;
    Ok((stack, bound.values))
}
