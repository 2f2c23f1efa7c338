//! `strata apply`: plan (or load a saved plan), then walk the changes with
//! bounded parallelism through the providers, writing state after EVERY
//! resource operation. A failure stops only its dependents.
//!
//! Split in two so the CLI can show the plan and ask between them:
//! `prepare` (build, lock, plan) and `execute` (the walk). The state lock is
//! held from prepare to the end of execute, which releases it explicitly
//! (or `Prepared::release` when nothing is executed).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use super::{artifacts, connect, environment, planning, OpsError};
use crate::build::Artifact;
use crate::graph::walk::{self, Outcome, TaskGraph};
use crate::plan::diff::{self, CodeHashes};
use crate::plan::resolve::{EnvValues, KnownAttributes, Resolver};
use crate::plan::{action::contains_unknown, Action, Plan, Planfile, ResourceChange, Summary, PLAN_FORMAT_VERSION};
use crate::provider::{registry, Applied, Cx, Request, StrataTags};
use crate::spec::{Environment, Stack};
use crate::state::{ResourceState, State, StateBackend, StateLock};

pub struct ApplyRequest<'a> {
    /// A stack spec (YAML) or a saved plan (JSON from `plan --out`).
    pub source: &'a Path,
    pub environment: &'a str,
    /// Parameter values beside the spec's (`--var`, `--var-file`, STRATA_VAR_*);
    /// for a saved plan they must give the values it was made with.
    pub inputs: &'a crate::spec::Inputs,
    pub state_path: Option<&'a Path>,
    /// Read what AWS has before planning (`--refresh=false` skips it).
    pub refresh: bool,
    /// Record what AWS has in state instead of changing AWS.
    pub refresh_only: bool,
    /// `--target` / `--replace` (a spec only; a saved plan is applied as it is).
    pub selection: &'a crate::plan::Selection,
}

/// Everything `execute` needs, with the state lock held.
pub struct Prepared {
    pub plan: Plan,
    pub from_saved_plan: bool,
    stack: Stack,
    env: Environment,
    backend: StateBackend,
    lock: StateLock,
    state: State,
    artifacts: BTreeMap<String, Artifact>,
    action: &'static str,
}

impl Prepared {
    pub fn has_changes(&self) -> bool {
        self.plan.has_changes()
    }

    /// Ends an apply with nothing to change in AWS: an output the spec added
    /// or changed is still stored (re-reading the state, so drift the
    /// refresh saw is not recorded as accepted). Releases the lock; returns
    /// the outputs.
    pub async fn finish_unchanged(self) -> Result<IndexMap<String, Value>, OpsError> {
        let Prepared { stack, env, backend, lock, state, action, plan, .. } = self;
        let result: Result<IndexMap<String, Value>, OpsError> = async {
            if action != "apply" || plan.refresh_only {
                return Ok(state.outputs);
            }
            let outputs = crate::plan::outputs::known(&stack, &environment::env_values(&stack, &env), &state);
            if outputs != state.outputs {
                if let Some(mut stored) = backend.read_for(&stack.name, &env.name).await? {
                    stored.outputs = outputs.clone();
                    backend.persist(&lock, &mut stored).await?;
                }
            }
            Ok(outputs)
        }
        .await;
        let released = backend.release(lock).await;
        let outputs = result?;
        released?;
        Ok(outputs)
    }

    /// Ends a run that executes nothing (no changes, or cancelled): releases
    /// the state lock.
    pub async fn release(self) -> Result<(), OpsError> {
        Ok(self.backend.release(self.lock).await?)
    }
}

/// Runs `work` with the lock held and releases the lock whatever its outcome;
/// on failure the lock goes with the error (its release is best effort).
async fn locked<T>(
    backend: &StateBackend,
    lock: StateLock,
    work: impl std::future::Future<Output = Result<T, OpsError>>,
) -> Result<(T, StateLock), OpsError> {
    match work.await {
        Ok(value) => Ok((value, lock)),
        Err(e) => {
            let _ = backend.release(lock).await;
            Err(e)
        }
    }
}

/// True when `path` holds a saved plan rather than a spec.
fn is_planfile(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

pub async fn prepare(req: &ApplyRequest<'_>) -> Result<Prepared, OpsError> {
    if is_planfile(req.source) {
        return prepare_saved(req).await;
    }
    let stack = environment::load_for(req.source, req.environment, req.inputs)?;
    let env = environment::select(&stack, req.environment)?;
    let backend = environment::backend(&stack, &env, req.state_path).await?;
    let artifacts = if req.refresh_only { BTreeMap::new() } else { artifacts::build_all(&stack)? };
    let lock = backend.lock("strata apply").await?;
    let ((state, plan), lock) = locked(&backend, lock, async {
        let state = backend.read_for(&stack.name, &env.name).await?;
        let refresh = req.refresh || req.refresh_only;
        let drift = if refresh { planning::refresh(&stack, &env, state.as_ref()).await? } else { Vec::new() };
        let hashes = CodeHashes::Built(artifacts::hashes(&artifacts));
        let mut plan = planning::make_plan(&stack, &env, state.as_ref(), &hashes, drift, req.selection)?;
        if req.refresh_only {
            plan.keep_only_drift();
        } else if refresh {
            super::ownership::check_creates(&stack, &env, &mut plan).await?;
        }
        Ok((state, plan))
    })
    .await?;
    let state = refreshed(&stack, state, &plan);
    Ok(Prepared { plan, from_saved_plan: false, stack, env, backend, lock, state, artifacts, action: "apply" })
}

/// The recorded state as the plan saw it: with the drift its refresh found.
fn refreshed(stack: &Stack, state: Option<State>, plan: &Plan) -> State {
    match state {
        Some(s) => crate::drift::refreshed_state(&s, &plan.drift, &planning::stack_tags(stack)),
        None => State::new(&stack.name, &plan.environment),
    }
}

/// A saved plan is applied exactly as reviewed, and only to the state, spec
/// and Lambda packages it was made from.
async fn prepare_saved(req: &ApplyRequest<'_>) -> Result<Prepared, OpsError> {
    let mut planfile = Planfile::load(req.source)?;
    let stack = environment::load_for(Path::new(&planfile.spec_path), &planfile.plan.environment, req.inputs)?;
    let env = environment::select(&stack, &planfile.plan.environment)?;
    planfile.ensure_same_parameters(req.source, &crate::plan::parameters::planned(&stack))?;
    let backend = environment::backend(&stack, &env, req.state_path).await?;
    let artifacts = artifacts::build_all(&stack)?;
    let lock = backend.lock("strata apply").await?;
    let (state, lock) = locked(&backend, lock, async {
        let state = backend.read_for(&stack.name, &env.name).await?;
        planfile.ensure_current(
            req.source,
            state.as_ref(),
            &environment::spec_digest(&stack),
            &artifacts::hashes(&artifacts),
        )?;
        planfile.ensure_nothing_protected_is_destroyed(&stack, state.as_ref())?;
        super::ownership::check_creates(&stack, &env, &mut planfile.plan).await?;
        Ok(state)
    })
    .await?;
    let state = refreshed(&stack, state, &planfile.plan);
    Ok(Prepared {
        plan: planfile.plan,
        from_saved_plan: true,
        stack,
        env,
        backend,
        lock,
        state,
        artifacts,
        action: "apply",
    })
}

/// `strata destroy`: every recorded resource, dependents first.
pub async fn prepare_destroy(
    spec_path: &Path,
    environment_name: &str,
    state_path: Option<&Path>,
) -> Result<Prepared, OpsError> {
    let stack = crate::spec::load_file(spec_path)?;
    let env = environment::select(&stack, environment_name)?;
    let backend = environment::backend(&stack, &env, state_path).await?;
    let lock = backend.lock("strata destroy").await?;
    let ((state, changes), lock) = locked(&backend, lock, async {
        let state =
            backend.read_for(&stack.name, &env.name).await?.unwrap_or_else(|| State::new(&stack.name, &env.name));
        let changes = diff::destroy_all(&stack, &state)?;
        Ok((state, changes))
    })
    .await?;
    let plan = Plan {
        format_version: PLAN_FORMAT_VERSION,
        stack: stack.name.clone(),
        environment: env.name.clone(),
        state_lineage: Some(state.lineage.clone()),
        state_serial: state.serial,
        spec_digest: environment::spec_digest(&stack),
        artifacts: BTreeMap::new(),
        summary: Summary::of(&changes),
        changes,
        drift: Vec::new(),
        refresh_only: false,
        targets: Vec::new(),
        outputs: Default::default(),
        parameters: Default::default(),
    };
    Ok(Prepared {
        plan,
        from_saved_plan: false,
        stack,
        env,
        backend,
        lock,
        state,
        artifacts: BTreeMap::new(),
        action: "destroy",
    })
}

/// What happened to one resource, for progress output (and, under `--json`,
/// the `event` lines: `render::json_lines`, `docs/json/event.schema.json`).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ApplyEvent {
    Started {
        name: String,
        #[serde(rename = "resource_type")]
        type_name: String,
        action: Action,
    },
    Finished {
        name: String,
        #[serde(rename = "resource_type")]
        type_name: String,
        action: Action,
        elapsed_ms: u128,
        /// e.g. "adopted an existing resource" or "scheduled for deletion in 7 days"
        note: Option<String>,
    },
    Failed {
        name: String,
        #[serde(rename = "resource_type")]
        type_name: String,
        action: Action,
        error: String,
    },
    Skipped {
        name: String,
        #[serde(rename = "resource_type")]
        type_name: String,
        action: Action,
        because: String,
    },
    /// Ctrl-C or SIGTERM: nothing more starts; what is in flight finishes.
    Interrupted,
    /// Left undone by the interrupt.
    NotStarted {
        name: String,
        #[serde(rename = "resource_type")]
        type_name: String,
        action: Action,
    },
}

/// The outcome of a whole run.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    /// "apply" or "destroy".
    pub action: &'static str,
    pub succeeded: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Left undone because the run was interrupted (Ctrl-C, SIGTERM).
    pub not_started: usize,
    pub api_calls: u64,
    pub elapsed_ms: u128,
    pub state_serial: u64,
    /// The stack's outputs after the run (none after a destroy).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, Value>,
}

/// One operation of the walk. A replacement is a delete and a create, in
/// the order the plan chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepKind {
    Create,
    Update,
    Delete,
    /// Deletes the old object of a create-before-destroy replacement, kept
    /// in `State.deposed` from the new object's creation until it is gone.
    DeleteDeposed,
}

#[derive(Debug, Clone)]
struct Step {
    kind: StepKind,
    /// Index into `plan.changes`.
    change: usize,
}

/// Builds the task graph: creates and updates after their dependencies;
/// deletes after the deletes (and updates) of what depended on them; a
/// replacement's create after its delete, or, create-before-destroy, its
/// old object's delete after the create and after everything that used the
/// old object has moved to the new one.
fn steps(plan: &Plan, state: &State) -> (TaskGraph, Vec<Step>) {
    let mut graph = TaskGraph::default();
    let mut steps = Vec::new();
    let mut forward: HashMap<&str, usize> = HashMap::new();
    let mut deletes: HashMap<&str, usize> = HashMap::new();
    let mut created_first: HashSet<&str> = HashSet::new();
    let mut leftovers: Vec<(&str, usize)> = Vec::new();
    for (i, c) in plan.changes.iter().enumerate() {
        let mut add = |kind: StepKind, label: String| {
            steps.push(Step { kind, change: i });
            graph.add(label)
        };
        match c.action {
            Action::NoOp => {}
            Action::Create => {
                forward.insert(&c.name, add(StepKind::Create, c.name.clone()));
            }
            Action::Update => {
                forward.insert(&c.name, add(StepKind::Update, c.name.clone()));
            }
            Action::Delete if c.deposed => {
                leftovers.push((&c.name, add(StepKind::DeleteDeposed, format!("{} (old)", c.name))));
            }
            Action::Delete => {
                deletes.insert(&c.name, add(StepKind::Delete, c.name.clone()));
            }
            Action::Replace if c.create_before_destroy => {
                let n = add(StepKind::Create, c.name.clone());
                let d = add(StepKind::DeleteDeposed, format!("{} (old)", c.name));
                graph.edge(n, d);
                deletes.insert(&c.name, d);
                forward.insert(&c.name, n);
                created_first.insert(&c.name);
            }
            Action::Replace => {
                let d = add(StepKind::Delete, format!("{} (old)", c.name));
                let n = add(StepKind::Create, c.name.clone());
                graph.edge(d, n);
                deletes.insert(&c.name, d);
                forward.insert(&c.name, n);
            }
        }
    }
    for c in &plan.changes {
        if let Some(&task) = forward.get(c.name.as_str()) {
            for dep in &c.dependencies {
                if let Some(&d) = forward.get(dep.as_str()) {
                    graph.edge(d, task);
                }
            }
        }
    }
    for (name, recorded) in &state.resources {
        for dep in &recorded.dependencies {
            let Some(&dep_delete) = deletes.get(dep.as_str()) else { continue };
            // Whatever used `dep` goes first: its own delete, or, when `dep`
            // is removed for good or replaced new-first, the update that
            // stops using it.
            let dep_created_first = created_first.contains(&dep.as_str());
            let redeploy = forward.get(name.as_str()).filter(|_| recorded.type_name == REDEPLOYMENT);
            if let Some(&redeploy) = redeploy {
                // A redeployment snapshots the API: removed (or destroyed-
                // first) methods and resources must be gone from it first.
                // The old snapshot does not hold anything up.
                if !dep_created_first {
                    graph.edge(dep_delete, redeploy);
                }
            } else if let Some(&own_delete) = deletes.get(name.as_str()) {
                graph.edge(own_delete, dep_delete);
            } else if let Some(&update) = forward.get(name.as_str()) {
                let dep_is_replaced = forward.contains_key(dep.as_str());
                if !dep_is_replaced || dep_created_first {
                    graph.edge(update, dep_delete);
                }
            }
        }
    }
    // Old objects left by an interrupted run go once everything that may
    // have used them has been brought to the spec.
    for (name, leftover) in leftovers {
        for c in plan.changes.iter().filter(|c| c.name == name || c.dependencies.iter().any(|d| d == name)) {
            if let Some(&task) = forward.get(c.name.as_str()) {
                graph.edge(task, leftover);
            }
        }
    }
    (graph, steps)
}

/// The type whose update is a new snapshot of everything before it.
const REDEPLOYMENT: &str = "AWS::ApiGateway::Deployment";

/// Shared by the concurrent steps.
struct Run<'a> {
    cx: Cx,
    stack: &'a Stack,
    env_values: EnvValues,
    plan: &'a Plan,
    backend: &'a StateBackend,
    lock: &'a StateLock,
    /// An async mutex: it is held across the state write (an S3 request), so
    /// writes are serialised and each carries every change before it.
    state: tokio::sync::Mutex<State>,
    code_hashes: CodeHashes,
}

impl Run<'_> {
    fn tags(&self, name: &str) -> StrataTags {
        StrataTags {
            stack: self.stack.name.clone(),
            environment: self.env_values.environment.clone(),
            logical_name: name.to_owned(),
            stack_tags: self.stack.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        }
    }

    /// The resource's properties with every reference filled from state.
    async fn resolve(&self, name: &str) -> Result<Value, String> {
        let resource = self.stack.resources.get(name).ok_or_else(|| format!("`{name}` is not in the spec"))?;
        let known: KnownAttributes = {
            let state = self.state.lock().await;
            state.resources.iter().map(|(n, r)| (n.clone(), r.attributes.clone())).collect()
        };
        let mut props = Resolver { env: &self.env_values, attributes: &known }.resolve(&resource.properties);
        diff::attach_code_hash(&mut props, &self.code_hashes);
        if contains_unknown(&props) {
            return Err(format!("`{name}` still has values that are not known: {props}"));
        }
        Ok(props)
    }

    /// Changes the state and writes it at once.
    async fn record(&self, change: impl FnOnce(&mut State)) -> Result<(), String> {
        let mut state = self.state.lock().await;
        change(&mut state);
        self.backend.persist(self.lock, &mut state).await.map_err(|e| format!("writing state: {e}"))
    }

    async fn recorded(&self, name: &str, deposed: bool) -> Result<Option<ResourceState>, String> {
        let state = self.state.lock().await;
        Ok(if deposed { state.deposed.get(name) } else { state.resources.get(name) }.cloned())
    }

    async fn run_step(&self, step: &Step, events: &(dyn Fn(ApplyEvent) + Sync)) -> Result<(), String> {
        let change: &ResourceChange = &self.plan.changes[step.change];
        let action = match step.kind {
            StepKind::Create if change.action == Action::Replace => Action::Replace,
            StepKind::Create => Action::Create,
            StepKind::Update => Action::Update,
            StepKind::Delete | StepKind::DeleteDeposed => Action::Delete,
        };
        let ident = (change.name.clone(), change.type_name.clone());
        events(ApplyEvent::Started { name: ident.0.clone(), type_name: ident.1.clone(), action });
        let started = Instant::now();
        let result = self.perform(step, change).await;
        match result {
            Ok(note) => {
                events(ApplyEvent::Finished {
                    name: ident.0,
                    type_name: ident.1,
                    action,
                    elapsed_ms: started.elapsed().as_millis(),
                    note,
                });
                Ok(())
            }
            Err(error) => {
                events(ApplyEvent::Failed { name: ident.0, type_name: ident.1, action, error: error.clone() });
                Err(error)
            }
        }
    }

    async fn perform(&self, step: &Step, change: &ResourceChange) -> Result<Option<String>, String> {
        let provider =
            registry::provider(&change.type_name).ok_or_else(|| format!("no provider for {}", change.type_name))?;
        let name = change.name.as_str();
        match step.kind {
            StepKind::Delete | StepKind::DeleteDeposed => {
                let deposed = step.kind == StepKind::DeleteDeposed;
                let Some(recorded) = self.recorded(name, deposed).await? else {
                    return Ok(Some(String::from("already gone from state")));
                };
                provider
                    .delete(&self.cx, &recorded.physical_id, &recorded.properties)
                    .await
                    .map_err(|e| e.to_string())?;
                self.record(|state| {
                    if deposed {
                        state.deposed.shift_remove(name);
                    } else {
                        state.resources.shift_remove(name);
                    }
                })
                .await?;
                let old = deposed.then(|| format!("old object {}", recorded.physical_id));
                Ok(match (old, provider.delete_note(&recorded.properties)) {
                    (Some(old), Some(note)) => Some(format!("{old}; {note}")),
                    (old, note) => old.or(note),
                })
            }
            StepKind::Create | StepKind::Update => {
                let properties = self.resolve(name).await?;
                let tags = self.tags(name);
                let req = Request { logical_name: name, properties: &properties, tags: &tags };
                let replaced_first = step.kind == StepKind::Create && change.create_before_destroy;
                let (applied, note) = if step.kind == StepKind::Update {
                    let rec = self.recorded(name, false).await?.ok_or_else(|| format!("`{name}` is not in state"))?;
                    let applied = provider
                        .update(&self.cx, &rec.physical_id, &rec.properties, &req)
                        .await
                        .map_err(|e| e.to_string())?;
                    (applied, None)
                } else {
                    let old = if replaced_first { self.recorded(name, false).await? } else { None };
                    self.create_or_adopt(provider, &req, old.as_ref().map(|o| o.physical_id.as_str())).await?
                };
                let resource = self.stack.resources.get(name);
                let entry = ResourceState {
                    type_name: change.type_name.clone(),
                    physical_id: applied.physical_id,
                    properties,
                    attributes: applied.attributes,
                    dependencies: change.dependencies.clone(),
                    prevent_destroy: resource.is_some_and(|r| r.lifecycle.prevent_destroy),
                };
                // New and old object recorded in one write: a crash right
                // after leaves the old one in `deposed`, deleted next run.
                self.record(|state| {
                    let old = state.resources.insert(name.to_owned(), entry);
                    if let (true, Some(old)) = (replaced_first, old) {
                        state.deposed.insert(name.to_owned(), old);
                    }
                })
                .await?;
                Ok(note)
            }
        }
    }

    /// A resource AWS already has (created by a run that died before
    /// recording it) is adopted and brought to the spec, not created twice.
    /// `replacing` is the old object of a create-before-destroy replacement:
    /// it carries the same tags, and must not be taken for the new one.
    async fn create_or_adopt(
        &self,
        provider: &dyn crate::provider::ResourceProvider,
        req: &Request<'_>,
        replacing: Option<&str>,
    ) -> Result<(Applied, Option<String>), String> {
        if let Some(adopted) = self.adopt(provider, req, replacing).await? {
            return Ok((adopted, Some(String::from("adopted an existing resource left by an interrupted run"))));
        }
        // A create whose answer was lost (or was a 500) may have happened: look before
        // creating again (see `provider::ambiguous`).
        for attempt in 1..=AMBIGUOUS_CREATE_ATTEMPTS {
            match provider.create(&self.cx, req).await {
                Ok(applied) => return Ok((applied, None)),
                Err(e) if e.is_ambiguous_create() && attempt < AMBIGUOUS_CREATE_ATTEMPTS => {
                    // AWS's lists and describes are eventually consistent: a
                    // resource created a moment ago may not show at once.
                    for wait in self.lookup_waits() {
                        tokio::time::sleep(wait).await;
                        if let Some(adopted) = self.adopt(provider, req, replacing).await? {
                            return Ok((
                                adopted,
                                Some(String::from("created; AWS's answer did not say so, found by its tags")),
                            ));
                        }
                    }
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        unreachable!("the last attempt returns")
    }

    /// Pauses before each lookup after a lost create answer: AWS needs a few
    /// seconds to list what it just made; the local cloud lists at once.
    fn lookup_waits(&self) -> Vec<std::time::Duration> {
        let secs: &[u64] = if self.cx.local { &[0] } else { &[0, 2, 5] };
        secs.iter().map(|s| std::time::Duration::from_secs(*s)).collect()
    }

    /// The resource `find` proves is this one (never the old object of a
    /// replacement), brought to the spec; None when there is none.
    async fn adopt(
        &self,
        provider: &dyn crate::provider::ResourceProvider,
        req: &Request<'_>,
        replacing: Option<&str>,
    ) -> Result<Option<crate::provider::Applied>, String> {
        let found = provider.find(&self.cx, req).await.map_err(|e| e.to_string())?;
        let Some(found) = found.filter(|f| Some(f.physical_id.as_str()) != replacing) else { return Ok(None) };
        let live = provider.read(&self.cx, &found.physical_id, req.properties).await.map_err(|e| e.to_string())?;
        let before = live.map(|l| l.properties).unwrap_or(Value::Null);
        let applied = provider.update(&self.cx, &found.physical_id, &before, req).await.map_err(|e| e.to_string())?;
        Ok(Some(applied))
    }
}

/// Whether the run was interrupted; says so once, the first time it is
/// noticed (a signal handler cannot print), so the user sees that strata is
/// finishing, not hung.
fn announce_interrupt(
    interrupt: &super::interrupt::Interrupt,
    announced: &std::sync::atomic::AtomicBool,
    events: &(dyn Fn(ApplyEvent) + Sync),
) -> bool {
    let requested = interrupt.requested();
    if requested && !announced.swap(true, std::sync::atomic::Ordering::SeqCst) {
        events(ApplyEvent::Interrupted);
    }
    requested
}

/// Runs the walk, checking for an interrupt every 100 ms as well: the walk
/// itself only looks when an operation ends, which can take minutes.
async fn watch_interrupt(
    walk: impl std::future::Future<Output = Vec<Outcome>>,
    interrupted: impl Fn() -> bool,
) -> Vec<Outcome> {
    const POLL: std::time::Duration = std::time::Duration::from_millis(100);
    tokio::pin!(walk);
    loop {
        tokio::select! {
            outcomes = &mut walk => return outcomes,
            () = tokio::time::sleep(POLL) => { interrupted(); }
        }
    }
}

impl ApplyReport {
    /// Exit 130 when interrupted, 1 (after the summary is shown) when
    /// anything failed or was skipped.
    pub fn into_result(self) -> Result<ApplyReport, OpsError> {
        if self.not_started > 0 {
            return Err(OpsError::Interrupted { action: self.action, not_started: self.not_started });
        }
        if self.failed + self.skipped > 0 {
            return Err(OpsError::Partial { action: self.action, failed: self.failed, skipped: self.skipped });
        }
        Ok(self)
    }
}

/// Creates tried when AWS's answer to a create keeps getting lost (each
/// followed by a lookup by tags).
const AMBIGUOUS_CREATE_ATTEMPTS: usize = 3;

/// Walks the plan. Events go to `events` as they happen; the state is
/// rewritten after every resource operation. Releases the lock at the end,
/// whatever the outcome.
pub async fn execute(
    prepared: Prepared,
    parallelism: usize,
    events: &(dyn Fn(ApplyEvent) + Sync),
) -> Result<ApplyReport, OpsError> {
    let Prepared { plan, stack, env, backend, lock, state, artifacts, action, .. } = prepared;
    let result = walk_plan(&plan, &stack, &env, &backend, &lock, state, artifacts, action, parallelism, events).await;
    let released = backend.release(lock).await;
    let report = result?;
    released?;
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
async fn walk_plan(
    plan: &Plan,
    stack: &Stack,
    env: &Environment,
    backend: &StateBackend,
    lock: &StateLock,
    mut state: State,
    artifacts: BTreeMap<String, Artifact>,
    action: &'static str,
    parallelism: usize,
    events: &(dyn Fn(ApplyEvent) + Sync),
) -> Result<ApplyReport, OpsError> {
    let started = Instant::now();
    if plan.refresh_only {
        // Nothing changes in AWS: the live values become the record.
        backend.persist(lock, &mut state).await?;
        return Ok(ApplyReport {
            action,
            succeeded: plan.drift.len(),
            failed: 0,
            skipped: 0,
            not_started: 0,
            api_calls: 0,
            elapsed_ms: started.elapsed().as_millis(),
            state_serial: state.serial,
            outputs: state.outputs.clone(),
        });
    }
    let root: PathBuf = artifacts::workspace_root(&stack.source.path);
    let code_hashes = CodeHashes::Built(artifacts::hashes(&artifacts));
    let (graph, steps) = steps(plan, &state);
    let cx = connect::connect(env, artifacts, root).await?;
    let run = Run {
        cx,
        stack,
        env_values: environment::env_values(stack, env),
        plan,
        backend,
        lock,
        state: tokio::sync::Mutex::new(state),
        code_hashes,
    };
    let interrupt = super::interrupt::Interrupt::install()?;
    let announced = std::sync::atomic::AtomicBool::new(false);
    let stop = || announce_interrupt(&interrupt, &announced, events);
    let walk = walk::walk(&graph, parallelism, stop, |i| run.run_step(&steps[i], events));
    let outcomes = watch_interrupt(walk, stop).await;
    for (i, outcome) in outcomes.iter().enumerate() {
        let c = &plan.changes[steps[i].change];
        let (name, type_name, action) = (c.name.clone(), c.type_name.clone(), c.action);
        match outcome {
            Outcome::Skipped { because } => {
                events(ApplyEvent::Skipped { name, type_name, action, because: because.clone() })
            }
            Outcome::NotStarted => events(ApplyEvent::NotStarted { name, type_name, action }),
            Outcome::Succeeded | Outcome::Failed(_) => {}
        }
    }
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let (outputs, state_serial) = {
        let mut state = run.state.lock().await;
        let outputs = record_outputs(stack, &run.env_values, backend, lock, &mut state, action).await?;
        (outputs, state.serial)
    };
    Ok(ApplyReport {
        action,
        succeeded: count(|o| *o == Outcome::Succeeded),
        failed: count(|o| matches!(o, Outcome::Failed(_))),
        skipped: count(|o| matches!(o, Outcome::Skipped { .. })),
        not_started: count(|o| *o == Outcome::NotStarted),
        api_calls: run.cx.clients.calls(),
        elapsed_ms: started.elapsed().as_millis(),
        state_serial,
        outputs,
    })
}

/// Stores the spec's outputs as the state now resolves them (none after a
/// destroy), when they changed; returns them.
async fn record_outputs(
    stack: &Stack,
    env_values: &EnvValues,
    backend: &StateBackend,
    lock: &StateLock,
    state: &mut State,
    action: &str,
) -> Result<IndexMap<String, Value>, OpsError> {
    let outputs =
        if action == "destroy" { IndexMap::new() } else { crate::plan::outputs::known(stack, env_values, state) };
    if state.outputs != outputs {
        state.outputs = outputs.clone();
        backend.persist(lock, state).await?;
    }
    Ok(outputs)
}
