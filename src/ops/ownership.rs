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
use crate::provider::{registry, ProviderError, Request, StrataTags};
use crate::spec::{Environment, Stack};

/// Lookups in flight at once: they are reads, like a refresh's.
const PARALLEL_LOOKUPS: usize = 10;

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
    let changes = &plan.changes;
    let lookups = stream::iter(creates.iter().copied())
        .map(|i| {
            let change = &changes[i];
            let tags = StrataTags {
                stack: stack.name.clone(),
                environment: values.environment.clone(),
                logical_name: change.name.clone(),
                stack_tags: stack_tags.clone(),
            };
            let cx = &cx;
            async move {
                let Some(provider) = registry::provider(&change.type_name) else { return (i, Ok(None)) };
                let properties = change.after.as_ref().expect("filtered on after");
                let req = Request { logical_name: &change.name, properties, tags: &tags };
                (i, provider.find(cx, &req).await)
            }
        })
        .buffer_unordered(PARALLEL_LOOKUPS)
        .collect::<Vec<_>>()
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
