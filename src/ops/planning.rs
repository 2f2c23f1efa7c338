//! Making a plan, shared by `plan` and `apply`: refresh (read what AWS has
//! now), then diff the spec against the refreshed state.

use std::collections::{BTreeMap, HashMap};

use super::{connect, environment, OpsError};
use crate::drift::{self, ResourceDrift};
use crate::plan::diff::{self, CodeHashes};
use crate::plan::{Action, Plan, Summary, PLAN_FORMAT_VERSION};
use crate::spec::{Environment, Stack};
use crate::state::State;

pub fn stack_tags(stack: &Stack) -> BTreeMap<String, String> {
    stack.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Reads every recorded resource from AWS and reports what drifted (only
/// the drifted ones). No state, nothing recorded: nothing to read.
pub async fn refresh(stack: &Stack, env: &Environment, state: Option<&State>) -> Result<Vec<ResourceDrift>, OpsError> {
    let Some(state) = state.filter(|s| !s.resources.is_empty()) else { return Ok(Vec::new()) };
    let root = super::artifacts::workspace_root(&stack.source.path);
    let cx = connect::connect(env, BTreeMap::new(), root).await?;
    let refreshed = drift::refresh(&cx, state, &stack_tags(stack), drift::RefreshOptions::default()).await?;
    Ok(refreshed.drifted().cloned().collect())
}

/// The plan for `stack` against `state` as refreshed by `drift`.
pub fn make_plan(
    stack: &Stack,
    env: &Environment,
    state: Option<&State>,
    hashes: &CodeHashes,
    drift: Vec<ResourceDrift>,
) -> Result<Plan, OpsError> {
    let values = environment::env_values(stack, env);
    let refreshed = state.map(|s| drift::refreshed_state(s, &drift, &stack_tags(stack)));
    let mut changes = diff::diff(stack, &values, refreshed.as_ref(), hashes)?;
    // By name, the first drift of each: a scan of the drift per change
    // would be quadratic when much of a large stack drifted.
    let mut drift_by_name: HashMap<&str, &ResourceDrift> = HashMap::with_capacity(drift.len());
    for d in &drift {
        drift_by_name.entry(d.name.as_str()).or_insert(d);
    }
    for change in &mut changes {
        if change.deposed {
            continue;
        }
        let Some(d) = drift_by_name.get(change.name.as_str()) else { continue };
        if d.status != drift::DriftStatus::Modified || !stack.resources.contains_key(&change.name) {
            continue;
        }
        // A drift the diff cannot see (a stack-wide tag removed by hand)
        // still needs the update that puts it back.
        if change.action == Action::NoOp {
            change.action = Action::Update;
        }
        if change.action == Action::Update && change.reason.is_none() {
            change.reason = Some(String::from("changed outside strata: put back as the spec says"));
        }
    }
    let artifacts = match hashes {
        CodeHashes::Built(map) => map.clone(),
        CodeHashes::Skipped => BTreeMap::new(),
    };
    Ok(Plan {
        format_version: PLAN_FORMAT_VERSION,
        stack: stack.name.clone(),
        environment: env.name.clone(),
        state_lineage: state.map(|s| s.lineage.clone()),
        state_serial: state.map_or(0, |s| s.serial),
        spec_digest: environment::spec_digest(stack),
        artifacts,
        summary: Summary::of(&changes),
        changes,
        drift,
        refresh_only: false,
    })
}
