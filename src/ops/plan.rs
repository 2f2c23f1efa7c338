//! `strata plan`: spec + state -> plan, optionally saved to a planfile.

use std::path::{Path, PathBuf};

use super::{environment, OpsError};
use crate::plan::diff::{self, CodeHashes};
use crate::plan::{Plan, Planfile, Summary, PLAN_FORMAT_VERSION};

pub struct PlanRequest<'a> {
    pub spec_path: &'a Path,
    pub environment: &'a str,
    pub state_path: Option<&'a Path>,
    pub out: Option<&'a Path>,
    /// Skip building Lambda packages: code hashes are "known after apply".
    pub no_build: bool,
}

pub struct PlanOutcome {
    pub plan: Plan,
    pub saved_to: Option<PathBuf>,
}

pub async fn plan(req: &PlanRequest<'_>) -> Result<PlanOutcome, OpsError> {
    let stack = crate::spec::load_file(req.spec_path)?;
    let env = environment::select(&stack, req.environment)?;
    let backend = environment::backend(&stack, &env, req.state_path).await?;
    // Locked while reading, so the plan is made against a state no command is
    // halfway through writing.
    let state = {
        let lock = backend.lock("strata plan").await?;
        let state = backend.read_for(&stack.name, &env.name).await;
        backend.release(lock).await?;
        state?
    };
    let plan = if req.no_build {
        let values = environment::env_values(&stack, &env);
        let changes = diff::diff(&stack, &values, state.as_ref(), &CodeHashes::Skipped)?;
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            stack: stack.name.clone(),
            environment: env.name.clone(),
            state_lineage: state.as_ref().map(|s| s.lineage.clone()),
            state_serial: state.as_ref().map_or(0, |s| s.serial),
            spec_digest: environment::spec_digest(&stack),
            artifacts: Default::default(),
            summary: Summary::of(&changes),
            changes,
        }
    } else {
        let built = super::artifacts::build_all(&stack)?;
        super::apply::make_plan(&stack, &env, state.as_ref(), &built)?
    };
    if req.no_build && req.out.is_some() && !super::artifacts::crates_of(&stack).is_empty() {
        return Err(OpsError::UnbuiltSavedPlan {});
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
