//! `strata cost`: the spec, the environment's region and the usage file in;
//! the estimate out. No AWS call and no state: an estimate of what the spec
//! would cost, before anything is applied.

use std::path::Path;

use super::OpsError;
use crate::cost::{CostError, Estimate, PriceTable, Usage};

pub struct CostRequest<'a> {
    pub spec: &'a Path,
    pub environment: &'a str,
    /// A usage file over ACME's defaults.
    pub usage: Option<&'a Path>,
}

pub fn estimate(req: &CostRequest<'_>) -> Result<Estimate, OpsError> {
    let stack = crate::spec::load_file(req.spec)?;
    let env = super::environment::select(&stack, req.environment)?;
    // The local cloud answers as us-east-1; price it there.
    let region = super::environment::env_values(&stack, &env)
        .region
        .unwrap_or_else(|| crate::local::LOCAL_REGION.to_owned());
    let usage = match req.usage {
        None => Usage::defaults()?,
        Some(path) => {
            let display = path.display().to_string();
            let text =
                std::fs::read_to_string(path).map_err(|source| CostError::Read { path: display.clone(), source })?;
            Usage::with_file(&display, &text)?
        }
    };
    if let Some(unknown) = usage.resource_names().find(|n| !stack.resources.contains_key(*n)) {
        return Err(CostError::Invalid {
            path: req.usage.map(|p| p.display().to_string()).unwrap_or_default(),
            message: format!("`resources.{unknown}` is not a resource of {}", req.spec.display()),
        }
        .into());
    }
    Ok(crate::cost::estimate(&stack, &env.name, &region, &PriceTable::embedded()?, &usage)?)
}
