//! Before any change, the plan looks for what it is about to create.
//!
//! A crash between "AWS created it" and "state recorded it" leaves a
//! resource that the next run must adopt rather than duplicate. But a lost
//! state file, a state read from the wrong place, or a team moving from SAM
//! with the same names also leave resources under the names the spec asks
//! for, and adopting those would update someone else's table or role to the
//! spec and later destroy it. So every create is looked up first: one that
//! carries this stack's identity tags is shown in the plan as an adoption;
//! one that does not stops the plan, naming each, before anything changes.
//! The providers' `find` applies the same rule again at apply time (see
//! `StrataTags::claim`), for what the plan could not look up yet.

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt};

use super::{connect, environment, OpsError};
use crate::plan::{Action, Plan};
use crate::provider::{registry, Applied, ProviderError, Request, StrataTags};
use crate::spec::{Environment, Stack};

/// Types looked up at once; each type's `find_many` runs its own lookups
/// in parallel (see `provider::lookup`).
const PARALLEL_TYPES: usize = 4;

/// One create that found a same-named resource strata cannot claim.
#[derive(Debug)]
pub struct Foreign {
    pub name: String,
    pub error: ProviderError,
}

/// Looks up every create of `plan`. Adoptions get their reason in the plan;
/// foreign resources are an error listing all of them. Creates whose lookup
/// needs a value only the apply knows (another resource's id) are looked
/// up by the apply itself.
pub async fn check_creates(stack: &Stack, env: &Environment, plan: &mut Plan) -> Result<(), OpsError> {
    let creates: Vec<usize> = plan
        .changes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.action == Action::Create && !c.deposed && c.after.is_some())
        .map(|(i, _)| i)
        .collect();
    if creates.is_empty() {
        return Ok(());
    }
    let root = super::artifacts::workspace_root(&stack.source.path);
    let cx = connect::connect(env, BTreeMap::new(), root).await?;
    let values = environment::env_values(stack, env);
    let stack_tags = super::planning::stack_tags(stack);
    // Each type's creates, with the identity tags each one's lookup needs.
    let mut by_type: BTreeMap<&str, (Vec<usize>, Vec<StrataTags>)> = BTreeMap::new();
    for &i in &creates {
        let entry = by_type.entry(plan.changes[i].type_name.as_str()).or_default();
        entry.0.push(i);
        entry.1.push(StrataTags {
            stack: stack.name.clone(),
            environment: values.environment.clone(),
            logical_name: plan.changes[i].name.clone(),
            stack_tags: stack_tags.clone(),
        });
    }
    let changes = &plan.changes;
    let cx = &cx;
    let lookups: Vec<(usize, Result<Option<Applied>, ProviderError>)> = stream::iter(by_type)
        .map(|(type_name, (indices, tags))| async move {
            let Some(provider) = registry::provider(type_name) else {
                return indices.into_iter().map(|i| (i, Ok(None))).collect::<Vec<_>>();
            };
            let reqs: Vec<Request<'_>> = indices
                .iter()
                .zip(&tags)
                .map(|(&i, tags)| Request {
                    logical_name: &changes[i].name,
                    properties: changes[i].after.as_ref().expect("filtered on after"),
                    tags,
                })
                .collect();
            let found = provider.find_many(cx, &reqs).await;
            indices.into_iter().zip(found).collect()
        })
        .buffer_unordered(PARALLEL_TYPES)
        .flat_map(stream::iter)
        .collect()
        .await;
    let mut foreign = Vec::new();
    for (i, found) in lookups {
        let change = &mut plan.changes[i];
        match found {
            Ok(Some(applied)) => {
                change.reason = Some(format!(
                    "adopt: `{}` was left by an interrupted run (it carries this stack's strata tags)",
                    applied.physical_id
                ));
            }
            Err(error @ ProviderError::NotOurs { .. }) => foreign.push(Foreign { name: change.name.clone(), error }),
            // Not there, or not decidable before the apply (a name made of
            // another resource's attributes): the apply's own lookup decides.
            Ok(None) | Err(_) => {}
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort_by(|a, b| a.name.cmp(&b.name));
    Err(OpsError::NotOurs {
        count: foreign.len(),
        list: foreign.iter().map(|f| format!("  - `{}`: {}", f.name, f.error)).collect::<Vec<_>>().join("\n"),
    })
}
