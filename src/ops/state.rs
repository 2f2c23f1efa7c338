//! `strata state list | show | rm | mv | unlock` and `strata output`: read
//! and edit recorded state on either backend. Edits take the lock, write a backup of the state
//! as it was, then write the edited state (serial bumped) and release the
//! lock; AWS is never touched.

use std::path::Path;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use super::{environment, OpsError};
use crate::state::{LockInfo, Removed, ResourceState, State, StateBackend, StateError};

/// Which state: a spec and environment (the environment picks the backend),
/// or a state file. `--state` with a spec overrides its backend, as in apply.
#[derive(Debug, Clone, Copy)]
pub struct Selector<'a> {
    pub stack: Option<&'a Path>,
    pub environment: &'a str,
    pub state_path: Option<&'a Path>,
}

/// The backend and, when a spec was given, the stack and environment the
/// state must belong to.
struct Opened {
    backend: StateBackend,
    owner: Option<(String, String)>,
}

async fn open(sel: &Selector<'_>) -> Result<Opened, OpsError> {
    if let Some(spec) = sel.stack {
        let stack = crate::spec::load_file(spec)?;
        let env = environment::select(&stack, sel.environment)?;
        let backend = environment::backend(&stack, &env, sel.state_path).await?;
        return Ok(Opened { backend, owner: Some((stack.name, env.name)) });
    }
    match sel.state_path {
        Some(path) => Ok(Opened { backend: StateBackend::Local(crate::state::LocalBackend::new(path)), owner: None }),
        None => Err(OpsError::NoStateSelected {}),
    }
}

impl Opened {
    /// The state, which must exist for every `strata state` command.
    async fn read(&self) -> Result<State, OpsError> {
        let state = match &self.owner {
            Some((stack, env)) => self.backend.read_for(stack, env).await?,
            None => self.backend.read().await?,
        };
        Ok(state.ok_or_else(|| StateError::NoState { location: self.backend.location() })?)
    }
}

/// One line of `strata state list`.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub physical_id: String,
    /// The old object of a create-before-destroy replacement, still to be deleted.
    pub deposed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub location: String,
    pub stack: String,
    pub environment: String,
    pub lineage: String,
    pub serial: u64,
    pub resources: Vec<Entry>,
}

pub async fn list(sel: &Selector<'_>) -> Result<Listing, OpsError> {
    let opened = open(sel).await?;
    let state = opened.read().await?;
    let entry = |deposed: bool| {
        move |(name, r): (&String, &ResourceState)| Entry {
            name: name.clone(),
            type_name: r.type_name.clone(),
            physical_id: r.physical_id.clone(),
            deposed,
        }
    };
    let resources = state.resources.iter().map(entry(false)).chain(state.deposed.iter().map(entry(true))).collect();
    Ok(Listing {
        location: opened.backend.location(),
        stack: state.stack,
        environment: state.environment,
        lineage: state.lineage,
        serial: state.serial,
        resources,
    })
}

/// One recorded object of `strata state show`.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    pub name: String,
    pub deposed: bool,
    #[serde(flatten)]
    pub resource: ResourceState,
}

/// The live object recorded under `name` and its deposed one, if any.
pub async fn show(sel: &Selector<'_>, name: &str) -> Result<Vec<Shown>, OpsError> {
    let opened = open(sel).await?;
    let state = opened.read().await?;
    let live = state.resources.get(name).map(|r| Shown { name: name.to_owned(), deposed: false, resource: r.clone() });
    let deposed = state.deposed.get(name).map(|r| Shown { name: name.to_owned(), deposed: true, resource: r.clone() });
    let shown: Vec<Shown> = live.into_iter().chain(deposed).collect();
    if shown.is_empty() {
        return Err(state.unknown_resource(name).into());
    }
    Ok(shown)
}

/// The stored outputs (`strata output`), all of them or the one named.
pub async fn outputs(sel: &Selector<'_>, name: Option<&str>) -> Result<IndexMap<String, Value>, OpsError> {
    let state = open(sel).await?.read().await?;
    match name {
        None => Ok(state.outputs),
        Some(name) => match state.outputs.get(name) {
            Some(value) => Ok(IndexMap::from([(name.to_owned(), value.clone())])),
            None => Err(state.unknown_output(name).into()),
        },
    }
}

/// What an edit did and where the old state was saved.
#[derive(Debug, Clone)]
pub struct Edited {
    pub location: String,
    pub backup: String,
    pub serial: u64,
}

/// Forgets a resource (AWS keeps it, unmanaged).
pub async fn rm(sel: &Selector<'_>, name: &str) -> Result<(Edited, Removed), OpsError> {
    let mut removed = None;
    let edited = edit(sel, "strata state rm", |state| {
        removed = Some(state.remove(name)?);
        Ok(())
    })
    .await?;
    let removed = removed.ok_or_else(|| OpsError::Internal { message: String::from("rm removed nothing") })?;
    Ok((edited, removed))
}

/// Renames a resource, e.g. after renaming it in the spec, so the next plan
/// keeps it instead of replacing it.
pub async fn mv(sel: &Selector<'_>, old: &str, new: &str) -> Result<Edited, OpsError> {
    edit(sel, "strata state mv", |state| Ok(state.rename(old, new)?)).await
}

/// Lock, read, edit (a refused edit writes nothing, not even a backup),
/// back up, write, release; the lock is released on every path.
async fn edit(
    sel: &Selector<'_>,
    command: &str,
    change: impl FnOnce(&mut State) -> Result<(), OpsError>,
) -> Result<Edited, OpsError> {
    let opened = open(sel).await?;
    let backend = &opened.backend;
    let lock = backend.lock(command).await?;
    let result: Result<Edited, OpsError> = async {
        let before = opened.read().await?;
        let mut after = before.clone();
        change(&mut after)?;
        let backup = backend.backup(&lock, &before).await?;
        backend.persist(&lock, &mut after).await?;
        Ok(Edited { location: backend.location(), backup, serial: after.serial })
    }
    .await;
    let released = backend.release(lock).await;
    let edited = result?;
    released?;
    Ok(edited)
}

/// Breaks the lock whose id is `id` (a holder that died); returns where and
/// whose lock it was.
pub async fn unlock(sel: &Selector<'_>, id: &str) -> Result<(String, LockInfo), OpsError> {
    let opened = open(sel).await?;
    let holder = opened.backend.force_unlock(id).await?;
    Ok((opened.backend.location(), holder))
}
