//! Making a plan, shared by `plan` and `apply`: refresh (read what AWS has
//! now), then diff the spec against the refreshed state.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{connect, environment, OpsError};
use crate::drift::{self, ResourceDrift};
use crate::plan::diff::{self, CodeHashes};
use crate::plan::{Action, Plan, PlanError, Selection, Summary, PLAN_FORMAT_VERSION};
use crate::spec::{Environment, Stack};
use crate::state::State;

pub fn stack_tags(stack: &Stack) -> BTreeMap<String, String> {
    stack.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Reads every recorded resource from AWS and reports what drifted (only
/// the drifted ones). No state, nothing recorded: nothing to read.
pub async fn refresh(stack: &Stack, env: &Environment, state: Option<&State>) -> Result<Vec<ResourceDrift>, OpsError> {
    let Some(state) = state.filter(|s| !s.resources.is_empty()) else { return Ok(Vec::new()) };
    tracing::debug!(resources = state.resources.len(), environment = %env.name, "refreshing the recorded resources");
    let root = super::artifacts::workspace_root(&stack.source.path);
    let cx = connect::connect(env, BTreeMap::new(), root).await?;
    let refreshed = drift::refresh(&cx, state, &stack_tags(stack), drift::RefreshOptions::default()).await?;
    let drifted: Vec<ResourceDrift> = refreshed.drifted().cloned().collect();
    tracing::debug!(drifted = drifted.len(), "refresh done");
    Ok(drifted)
}

/// AWS's rules on the values only the plan knows (see
/// `spec::aws_schema_check::check_resolved`): a plan AWS would reject
/// halfway through fails here, before anything is changed.
fn check_resolved_values(stack: &Stack, changes: &[crate::plan::ResourceChange]) -> Result<(), OpsError> {
    let writes = changes
        .iter()
        .filter(|c| matches!(c.action, Action::Create | Action::Update | Action::Replace) && !c.deposed)
        .filter_map(|c| c.after.as_ref().map(|after| (c.name.as_str(), after)));
    let diagnostics = crate::spec::aws_schema_check::check_resolved(stack, writes);
    if diagnostics.is_empty() {
        return Ok(());
    }
    Err(crate::spec::invalid(stack, diagnostics).into())
}

/// The plan for `stack` against `state` as refreshed by `drift`.
pub fn make_plan(
    stack: &Stack,
    env: &Environment,
    state: Option<&State>,
    hashes: &CodeHashes,
    drift: Vec<ResourceDrift>,
    selection: &Selection,
) -> Result<Plan, OpsError> {
    let values = environment::env_values(stack, env);
    let refreshed = state.map(|s| drift::refreshed_state(s, &drift, &stack_tags(stack)));
    check_selection(stack, state, selection)?;
    let replace: HashSet<String> = selection.replace.iter().cloned().collect();
    let started = std::time::Instant::now();
    let mut changes = diff::diff(stack, &values, refreshed.as_ref(), hashes, &replace)?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, changes = changes.len(), "diffed against state");
    if !selection.targets.is_empty() {
        let covered = targeted(stack, &selection.targets);
        changes.retain(|c| covered.contains(c.name.as_str()));
    }
    let started = std::time::Instant::now();
    check_resolved_values(stack, &changes)?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "resolved values checked");
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
    let outputs = crate::plan::outputs::planned(stack, &values, refreshed.as_ref(), &changes);
    let mut plan = Plan {
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
        targets: selection.targets.clone(),
        outputs,
        parameters: crate::plan::parameters::planned(stack),
    };
    crate::plan::parameters::mask(&mut plan, stack);
    Ok(plan)
}

/// Every name given to --target or --replace must be the spec's (or, for
/// --target, a recorded resource the spec removed: its deletion can be
/// targeted).
fn check_selection(stack: &Stack, state: Option<&State>, selection: &Selection) -> Result<(), PlanError> {
    let recorded = |name: &str| state.is_some_and(|s| s.resources.contains_key(name));
    let unknown = |flag: &'static str, name: &String, also: &'static str| {
        let names = stack.resources.keys().map(String::as_str);
        let help = crate::spec::diagnostic::did_you_mean_hint(name, names)
            .unwrap_or_else(|| String::from("give a logical name from the spec's Resources"));
        PlanError::UnknownSelection { flag, name: name.clone(), also, help }
    };
    for name in &selection.targets {
        if !stack.resources.contains_key(name) && !recorded(name) {
            return Err(unknown("--target", name, " or the state"));
        }
    }
    for name in &selection.replace {
        if !stack.resources.contains_key(name) {
            return Err(unknown("--replace", name, ""));
        }
    }
    Ok(())
}

/// The targets and everything they depend on, transitively: what a
/// targeted plan may create or change so the targets can exist.
fn targeted<'a>(stack: &'a Stack, targets: &'a [String]) -> HashSet<&'a str> {
    let mut covered: HashSet<&str> = HashSet::new();
    let mut pending: Vec<&str> = targets.iter().map(String::as_str).collect();
    while let Some(name) = pending.pop() {
        if !covered.insert(name) {
            continue;
        }
        if let Some(resource) = stack.resources.get(name) {
            pending.extend(resource.dependencies.iter().map(|(dep, _)| dep.as_str()));
        }
    }
    covered
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::drift::{DriftStatus, PropertyDrift};
    use crate::state::ResourceState;

    /// A property removed in AWS (reported by drift with no actual value)
    /// comes back: the plan updates the resource to put it back.
    #[test]
    fn a_property_removed_in_aws_is_put_back_by_the_plan() {
        let spec = "Stack: demo\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /demo\n      RetentionInDays: 30\n";
        let stack = crate::spec::load_str(std::path::Path::new("stack.yaml"), spec.to_owned()).unwrap();
        let env = environment::select(&stack, crate::spec::DEFAULT_ENVIRONMENT).unwrap();
        let mut state = State::new("demo", &env.name);
        state.resources.insert(
            "Logs".into(),
            ResourceState {
                type_name: "AWS::Logs::LogGroup".into(),
                physical_id: "/demo".into(),
                properties: json!({"LogGroupName": "/demo", "RetentionInDays": 30}),
                attributes: BTreeMap::new(),
                dependencies: vec![],
                prevent_destroy: false,
            },
        );
        let in_sync =
            make_plan(&stack, &env, Some(&state), &CodeHashes::Skipped, Vec::new(), &Selection::default()).unwrap();
        assert_eq!(in_sync.changes[0].action, Action::NoOp);
        let drift = vec![ResourceDrift {
            name: "Logs".into(),
            type_name: "AWS::Logs::LogGroup".into(),
            physical_id: "/demo".into(),
            status: DriftStatus::Modified,
            properties: vec![PropertyDrift { path: "RetentionInDays".into(), expected: Some(json!(30)), actual: None }],
        }];
        let plan = make_plan(&stack, &env, Some(&state), &CodeHashes::Skipped, drift, &Selection::default()).unwrap();
        let logs = &plan.changes[0];
        assert_eq!(logs.action, Action::Update);
        assert_eq!(logs.changes.len(), 1, "{:?}", logs.changes);
        assert_eq!(logs.changes[0].path, "RetentionInDays");
        assert_eq!((&logs.changes[0].before, &logs.changes[0].after), (&None, &Some(json!(30))));
        assert_eq!(logs.before.as_ref().unwrap().get("RetentionInDays"), None, "the update starts from what AWS has");
    }
}
