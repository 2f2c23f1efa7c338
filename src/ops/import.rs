//! `strata import <Name> <physical id>`: adopts a resource that already
//! exists in AWS into state under a logical name of the spec. What is
//! recorded is what AWS has, in the spec's terms, so the next plan shows
//! only the real differences between the resource and the spec.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::{connect, environment, planning, OpsError};
use crate::plan::action::contains_unknown;
use crate::plan::resolve::{KnownAttributes, Resolver};
use crate::provider::registry;
use crate::state::ResourceState;

pub struct ImportRequest<'a> {
    pub spec_path: &'a Path,
    pub environment: &'a str,
    pub state_path: Option<&'a Path>,
    pub name: &'a str,
    pub physical_id: &'a str,
}

#[derive(Debug, Clone)]
pub struct Imported {
    pub name: String,
    pub type_name: String,
    pub physical_id: String,
    pub state_serial: u64,
}

pub async fn import(req: &ImportRequest<'_>) -> Result<Imported, OpsError> {
    let stack = crate::spec::load_file(req.spec_path)?;
    let env = environment::select(&stack, req.environment)?;
    let resource = stack.resources.get(req.name).ok_or_else(|| OpsError::ImportUnknownName {
        name: req.name.to_owned(),
        spec: stack.source.path.display().to_string(),
        known: stack.resources.keys().cloned().collect::<Vec<_>>().join(", "),
    })?;
    let provider = registry::provider(&resource.type_name)
        .ok_or_else(|| OpsError::Internal { message: format!("no provider for {}", resource.type_name) })?;
    let backend = environment::backend(&stack, &env, req.state_path).await?;
    let lock = backend.lock("strata import").await?;
    let result = import_locked(req, &stack, &env, resource, provider, &backend, &lock).await;
    let released = backend.release(lock).await;
    let imported = result?;
    released?;
    Ok(imported)
}

async fn import_locked(
    req: &ImportRequest<'_>,
    stack: &crate::spec::Stack,
    env: &crate::spec::Environment,
    resource: &crate::spec::Resource,
    provider: &dyn crate::provider::ResourceProvider,
    backend: &crate::state::StateBackend,
    lock: &crate::state::StateLock,
) -> Result<Imported, OpsError> {
    let mut state = backend
        .read_for(&stack.name, &env.name)
        .await?
        .unwrap_or_else(|| crate::state::State::new(&stack.name, &env.name));
    if let Some(existing) = state.resources.get(req.name) {
        return Err(OpsError::ImportAlreadyManaged {
            name: req.name.to_owned(),
            physical_id: existing.physical_id.clone(),
        });
    }
    // The spec's properties as far as state knows them: the reading context
    // for providers whose resources live inside another (an API's method).
    let known: KnownAttributes = state.resources.iter().map(|(n, r)| (n.clone(), r.attributes.clone())).collect();
    let values = environment::env_values(stack, env);
    let spec_props = Resolver { env: &values, attributes: &known }.resolve(&resource.properties);
    let root = super::artifacts::workspace_root(&stack.source.path);
    let cx = connect::connect(env, BTreeMap::new(), root).await?;
    let live = provider.read(&cx, req.physical_id, &spec_props).await?.ok_or_else(|| OpsError::ImportNotFound {
        type_name: resource.type_name.clone(),
        physical_id: req.physical_id.to_owned(),
    })?;
    let recorded = ResourceState {
        type_name: resource.type_name.clone(),
        physical_id: req.physical_id.to_owned(),
        properties: spec_props,
        attributes: live.attributes.clone(),
        dependencies: resource.dependencies.iter().map(|(n, _)| n.clone()).collect(),
        prevent_destroy: resource.lifecycle.prevent_destroy,
    };
    let absent = crate::drift::refresh::absent_meaning(&resource.type_name);
    let drifts =
        crate::drift::compare::compare(&recorded, &live, crate::provider::registry::lookup(&resource.type_name), &planning::stack_tags(stack), absent);
    let mut properties =
        crate::drift::compare::with_live_values(&recorded.properties, &drifts, &planning::stack_tags(stack));
    // What AWS did not report and the spec could not say yet stays out: the
    // next plan shows it as a change.
    if let Value::Object(map) = &mut properties {
        map.retain(|_, v| !contains_unknown(v));
    }
    state.resources.insert(req.name.to_owned(), ResourceState { properties, ..recorded });
    backend.persist(lock, &mut state).await?;
    Ok(Imported {
        name: req.name.to_owned(),
        type_name: resource.type_name.clone(),
        physical_id: req.physical_id.to_owned(),
        state_serial: state.serial,
    })
}
