//! `strata show <planfile>`: a saved plan, and whether it can still be applied.

use std::path::Path;

use super::{environment, OpsError};
use crate::plan::Planfile;

pub struct ShowOutcome {
    pub planfile: Planfile,
}

/// Loads the planfile and checks it against the current state and spec; a
/// stale plan is an error (the same check apply makes before it starts).
pub async fn show(planfile_path: &Path, state_path: Option<&Path>) -> Result<ShowOutcome, OpsError> {
    let planfile = Planfile::load(planfile_path)?;
    let stack = crate::spec::load_file(Path::new(&planfile.spec_path))?;
    let env = environment::select(&stack, &planfile.plan.environment)?;
    let backend = environment::backend(&stack, &env, state_path).await?;
    let state = backend.read_for(&stack.name, &env.name).await?;
    // Lambda packages are rebuilt and compared by apply; show checks state and spec.
    planfile.ensure_current(
        planfile_path,
        state.as_ref(),
        &environment::spec_digest(&stack),
        &planfile.plan.artifacts,
    )?;
    Ok(ShowOutcome { planfile })
}
