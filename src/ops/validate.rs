//! `strata validate`: parse and check a spec, nothing else. The parameters
//! are bound to one environment's values (`--env`, default local), so their
//! constraints and AWS's rules are checked on what that environment gets.

use std::path::Path;

use super::OpsError;
use crate::spec::{Inputs, Stack};

pub fn validate(spec_path: &Path, environment: &str, inputs: &Inputs) -> Result<Stack, OpsError> {
    let stack = super::environment::load_for(spec_path, environment, inputs)?;
    super::environment::select(&stack, environment)?;
    Ok(stack)
}
