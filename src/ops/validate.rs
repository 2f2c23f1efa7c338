//! `strata validate`: parse and check a spec, nothing else.

use std::path::Path;

use super::OpsError;
use crate::spec::Stack;

pub fn validate(spec_path: &Path) -> Result<Stack, OpsError> {
    Ok(crate::spec::load_file(spec_path)?)
}
