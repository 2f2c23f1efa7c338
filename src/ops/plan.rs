//! `strata plan`: spec + state -> plan, optionally saved to a planfile.

use std::path::{Path, PathBuf};

use super::{environment, planning, OpsError};
use crate::plan::diff::CodeHashes;
use crate::plan::{Plan, Planfile, Selection};

pub struct PlanRequest<'a> {
    pub spec_path: &'a Path,
    pub environment: &'a str,
    /// Parameter values beside the spec's (`--var`, `--var-file`, STRATA_VAR_*).
    pub inputs: &'a crate::spec::Inputs,
    pub state_path: Option<&'a Path>,
    pub out: Option<&'a Path>,
    /// Skip building Lambda packages: code hashes are "known after apply".
    pub no_build: bool,
    /// Read what AWS has first (`--refresh=false` skips it).
    pub refresh: bool,
    /// Only show what changed outside strata (`--refresh-only`).
    pub refresh_only: bool,
    /// `--target` / `--replace`.
    pub selection: &'a Selection,
}

pub struct PlanOutcome {
    pub plan: Plan,
    pub saved_to: Option<PathBuf>,
}

pub async fn plan(req: &PlanRequest<'_>) -> Result<PlanOutcome, OpsError> {
    let stack = environment::load_for(req.spec_path, req.environment, req.inputs)?;
    let env = environment::select(&stack, req.environment)?;
    let backend = environment::backend(&stack, &env, req.state_path).await?;
    let state = backend.read_locked("strata plan", &stack.name, &env.name).await?;
    if req.no_build && req.out.is_some() && !super::artifacts::crates_of(&stack).is_empty() {
        return Err(OpsError::UnbuiltSavedPlan {});
    }
    let hashes = if req.no_build {
        CodeHashes::Skipped
    } else {
        CodeHashes::Built(super::artifacts::hashes(&super::artifacts::build_all(&stack)?))
    };
    let drift = if req.refresh { planning::refresh(&stack, &env, state.as_ref()).await? } else { Vec::new() };
    let mut plan = planning::make_plan(&stack, &env, state.as_ref(), &hashes, drift, req.selection)?;
    if req.refresh_only {
        plan.keep_only_drift();
    } else if req.refresh {
        let started = std::time::Instant::now();
        super::ownership::check_creates(&stack, &env, &mut plan).await?;
        tracing::debug!(ms = started.elapsed().as_millis() as u64, "creates looked up");
    }
    let saved_to = match req.out {
        Some(out) => {
            Planfile::new(plan.clone(), req.spec_path).save(out)?;
            Some(out.to_path_buf())
        }
        None => None,
    };
    Ok(PlanOutcome { plan, saved_to })
}
