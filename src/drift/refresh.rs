//! Reads the live state of every recorded resource. Resources of a type
//! whose API describes many ids in one call (EC2's Describe*) are read in
//! one batch; the others one call chain each, at most `parallelism` at once.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use futures::stream::{self, StreamExt};
use serde::Serialize;

use super::compare::{compare, Absent};
use super::{DriftError, DriftStatus, ResourceDrift};
use crate::provider::{registry, Cx, Live};
use crate::state::State;

#[derive(Debug, Clone, Copy)]
pub struct RefreshOptions {
    pub parallelism: usize,
    /// Read in batches where the type allows; off only to measure the gain.
    pub batch: bool,
}

impl Default for RefreshOptions {
    fn default() -> Self {
        Self { parallelism: crate::graph::walk::DEFAULT_PARALLELISM, batch: true }
    }
}

/// Every recorded resource compared with AWS, in state order.
#[derive(Debug, Clone, Serialize)]
pub struct Refreshed {
    pub resources: Vec<ResourceDrift>,
    pub api_calls: u64,
    pub elapsed_ms: u128,
}

impl Refreshed {
    pub fn drifted(&self) -> impl Iterator<Item = &ResourceDrift> {
        self.resources.iter().filter(|r| r.drifted())
    }
}

/// Reads and compares every resource of `state`.
pub async fn refresh(
    cx: &Cx,
    state: &State,
    stack_tags: &BTreeMap<String, String>,
    options: RefreshOptions,
) -> Result<Refreshed, DriftError> {
    let started = Instant::now();
    let calls_before = cx.clients.calls();
    let mut by_type: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, r) in &state.resources {
        by_type.entry(r.type_name.as_str()).or_default().push(name.as_str());
    }
    let mut batches: Vec<Vec<&str>> = Vec::new();
    for (type_name, names) in by_type {
        let provider =
            registry::provider(type_name).ok_or_else(|| DriftError::UnknownType { type_name: type_name.to_owned() })?;
        if options.batch && provider.reads_in_batches() {
            batches.push(names);
        } else {
            batches.extend(names.into_iter().map(|n| vec![n]));
        }
    }
    let reads = stream::iter(batches.into_iter().map(|names| read_batch(cx, state, names)))
        .buffer_unordered(options.parallelism.max(1))
        .collect::<Vec<_>>()
        .await;
    let mut live: HashMap<String, Option<Live>> = HashMap::new();
    for batch in reads {
        live.extend(batch?);
    }
    let mut resources = Vec::with_capacity(state.resources.len());
    for (name, recorded) in &state.resources {
        let schema = registry::lookup(&recorded.type_name);
        let absent = absent_meaning(&recorded.type_name);
        let (status, properties) = match live.remove(name).flatten() {
            None => (DriftStatus::Deleted, Vec::new()),
            Some(l) => {
                let drifts = compare(recorded, &l, schema, stack_tags, absent);
                (if drifts.is_empty() { DriftStatus::InSync } else { DriftStatus::Modified }, drifts)
            }
        };
        resources.push(ResourceDrift {
            name: name.clone(),
            type_name: recorded.type_name.clone(),
            physical_id: recorded.physical_id.clone(),
            status,
            properties,
        });
    }
    Ok(Refreshed { resources, api_calls: cx.clients.calls() - calls_before, elapsed_ms: started.elapsed().as_millis() })
}

/// What a property the reader of `type_name` omits means (see
/// [`crate::provider::ResourceProvider::absent_means_removed`]).
pub fn absent_meaning(type_name: &str) -> Absent {
    match registry::provider(type_name) {
        Some(p) if p.absent_means_removed() => Absent::Removed,
        _ => Absent::Skipped,
    }
}

/// Reads resources of one type in one `read_many`.
async fn read_batch(cx: &Cx, state: &State, names: Vec<&str>) -> Result<Vec<(String, Option<Live>)>, DriftError> {
    let first = &state.resources[names[0]];
    let provider = registry::provider(&first.type_name)
        .ok_or_else(|| DriftError::UnknownType { type_name: first.type_name.clone() })?;
    let items: Vec<(&str, &serde_json::Value)> = names
        .iter()
        .map(|n| {
            let r = &state.resources[*n];
            (r.physical_id.as_str(), &r.properties)
        })
        .collect();
    let lives = provider.read_many(cx, &items).await.map_err(|source| DriftError::Read {
        name: names.join(", "),
        type_name: first.type_name.clone(),
        physical_id: items.iter().map(|(id, _)| *id).collect::<Vec<_>>().join(", "),
        source,
    })?;
    Ok(names.into_iter().map(str::to_owned).zip(lives).collect())
}
