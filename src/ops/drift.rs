//! `strata drift`: every recorded resource IN_SYNC, MODIFIED or DELETED, and
//! the resources tagged for the stack that state does not know. Changes
//! nothing.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::{connect, environment, planning, OpsError};
use crate::drift::{self, ResourceDrift, Unmanaged};

pub struct DriftRequest<'a> {
    pub spec_path: &'a Path,
    pub environment: &'a str,
    /// Parameter values beside the spec's (`--var`, `--var-file`, STRATA_VAR_*).
    pub inputs: &'a crate::spec::Inputs,
    pub state_path: Option<&'a Path>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DriftReport {
    pub stack: String,
    pub environment: String,
    pub resources: Vec<ResourceDrift>,
    pub unmanaged: Vec<Unmanaged>,
    pub api_calls: u64,
    pub elapsed_ms: u128,
}

impl DriftReport {
    pub fn in_sync(&self) -> bool {
        self.unmanaged.is_empty() && !self.resources.iter().any(ResourceDrift::drifted)
    }
}

pub async fn drift(req: &DriftRequest<'_>) -> Result<DriftReport, OpsError> {
    let stack = environment::load_for(req.spec_path, req.environment, req.inputs)?;
    let env = environment::select(&stack, req.environment)?;
    let backend = environment::backend(&stack, &env, req.state_path).await?;
    let state = backend
        .read_locked("strata drift", &stack.name, &env.name)
        .await?
        .unwrap_or_else(|| crate::state::State::new(&stack.name, &env.name));
    let root = super::artifacts::workspace_root(&stack.source.path);
    let cx = connect::connect(&env, BTreeMap::new(), root).await?;
    let refreshed =
        drift::refresh(&cx, &state, &planning::stack_tags(&stack), drift::RefreshOptions::default()).await?;
    let unmanaged = drift::unmanaged::unmanaged(&cx, &stack.name, &env.name, &state).await?;
    Ok(DriftReport {
        stack: stack.name.clone(),
        environment: env.name.clone(),
        resources: refreshed.resources,
        unmanaged,
        api_calls: cx.clients.calls(),
        elapsed_ms: refreshed.elapsed_ms,
    })
}
