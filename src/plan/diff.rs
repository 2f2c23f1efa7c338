//! The pure diff: desired spec against recorded state, no I/O.
//!
//! Resources are visited in dependency order so that a resource being created
//! or replaced makes everything that refers to it "known after apply", and a
//! reference in a createOnly property then cascades the replacement.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use super::action::{added_paths, contains_unknown, Action, PropertyChange, ResourceChange};
use super::replacement::{self, ReplacementOrder};
use super::resolve::{EnvValues, KnownAttributes, Resolver};
use super::PlanError;
use crate::graph::{NodeSpec, ResourceGraph};
use crate::provider::types::apigateway_deployment::REDEPLOY_ON;
use crate::spec::Stack;
use crate::state::{ResourceState, State};

/// The CodeSha256 of each Lambda package, by crate path, so a code change
/// shows as `Code.CodeSha256` in the plan; `Skipped` (plan --no-build) makes
/// it "known after apply".
#[derive(Debug, Clone)]
pub enum CodeHashes {
    Built(BTreeMap<String, String>),
    Skipped,
}

pub fn diff(
    stack: &Stack,
    env: &EnvValues,
    state: Option<&State>,
    artifacts: &CodeHashes,
    replace: &HashSet<String>,
) -> Result<Vec<ResourceChange>, PlanError> {
    let graph = crate::spec::dependency_graph(stack);
    let order = graph
        .topological_order()
        .map_err(|cycles| PlanError::Cycle(cycles.iter().map(|c| c.describe()).collect::<Vec<_>>().join("; ")))?;
    let mut known: KnownAttributes = KnownAttributes::new();
    let mut changes = Vec::with_capacity(stack.resources.len());
    let mut changed_apis = removed_api_parts(stack, state);
    let mut destroyed_first: HashSet<String> = HashSet::new();
    for name in order {
        let resource = &stack.resources[name];
        let recorded = state.and_then(|s| s.resources.get(name));
        let resolver = Resolver { env, attributes: &known };
        let mut after = resolver.resolve(&resource.properties);
        attach_code_hash(&mut after, artifacts);
        let dependencies: Vec<String> = resource.dependencies.iter().map(|(n, _)| n.clone()).collect();
        let change = match recorded {
            None => ResourceChange {
                name: name.to_owned(),
                type_name: resource.type_name.clone(),
                action: Action::Create,
                before: None,
                // Derived from `after` when needed (`property_changes`).
                changes: Vec::new(),
                after: Some(after),
                reason: None,
                requires_replace: Vec::new(),
                dependencies,
                create_before_destroy: false,
                deposed: false,
            },
            Some(rec) if rec.type_name != resource.type_name => ResourceChange {
                name: name.to_owned(),
                type_name: resource.type_name.clone(),
                action: Action::Replace,
                before: Some(rec.properties.clone()),
                changes: added_paths(Some(&after)),
                after: Some(after),
                reason: Some(format!("the type changed from {} to {}", rec.type_name, resource.type_name)),
                requires_replace: Vec::new(),
                dependencies,
                create_before_destroy: false,
                deposed: false,
            },
            Some(rec) => {
                // Ignored properties keep their recorded value.
                if let (Value::Object(a), Value::Object(b)) = (&mut after, &rec.properties) {
                    for ignored in &resource.lifecycle.ignore_changes {
                        match b.get(ignored) {
                            Some(v) => a.insert(ignored.clone(), v.clone()),
                            None => a.remove(ignored),
                        };
                    }
                }
                let mut property_changes = Vec::new();
                let aws = crate::provider::aws_schema::for_type(&resource.type_name);
                let unordered = |path: &str| aws.is_some_and(|a| a.is_unordered(path));
                diff_values("", Some(&rec.properties), Some(&after), &unordered, &mut property_changes);
                let schema = resource.schema;
                let mut requires_replace: Vec<String> = Vec::new();
                for c in &mut property_changes {
                    let top = c.path.split(['.', '[']).next().unwrap_or_default();
                    if schema.is_some_and(|s| s.forces_replacement(top)) {
                        c.forces_replacement = true;
                        if !requires_replace.iter().any(|r| r == top) {
                            requires_replace.push(top.to_owned());
                        }
                    }
                }
                let action = if !requires_replace.is_empty() {
                    Action::Replace
                } else if property_changes.is_empty() {
                    Action::NoOp
                } else {
                    Action::Update
                };
                let reason = (!requires_replace.is_empty()).then(|| {
                    let names: Vec<String> = requires_replace.iter().map(|p| format!("`{p}`")).collect();
                    format!("{} {} replacement", names.join(", "), if names.len() == 1 { "forces" } else { "force" })
                });
                ResourceChange {
                    name: name.to_owned(),
                    type_name: resource.type_name.clone(),
                    action,
                    before: Some(rec.properties.clone()),
                    after: Some(after),
                    changes: property_changes,
                    reason,
                    requires_replace,
                    dependencies,
                    create_before_destroy: false,
                    deposed: false,
                }
            }
        };
        let mut change = change;
        if replace.contains(name) && matches!(change.action, Action::NoOp | Action::Update) {
            change.action = Action::Replace;
            change.reason = Some(String::from("replacement requested with --replace"));
        }
        note_api_change(&change, recorded.map(|r| r.physical_id.as_str()), &mut changed_apis);
        let redeploy = redeploy_needed(&change, &changed_apis);
        if redeploy {
            // A deployment is a snapshot: deploying again makes a new one,
            // and the old one goes once the stage has moved off it.
            change.action = Action::Replace;
            change.reason = Some(String::from("the API changed since this deployment: deploy it again"));
        }
        if let Some(rec) = recorded {
            if change.action == Action::Replace {
                order_replacement(&mut change, rec, &destroyed_first);
                if !change.create_before_destroy {
                    destroyed_first.insert(name.to_owned());
                }
            }
            if change.action == Action::Replace && resource.lifecycle.prevent_destroy {
                return Err(PlanError::PreventDestroy { name: name.to_owned(), action: "replace" });
            }
            if change.action == Action::Replace {
                refuse_deletion_protected(name, &rec.properties, "replace")?;
            }
            // Created or replaced resources get new ids: unknown downstream.
            // A redeployment gets a new id too, so the stage moves to it.
            if matches!(change.action, Action::NoOp | Action::Update) && !redeploy {
                known.insert(name.to_owned(), rec.attributes.clone());
            }
        }
        changes.push(change);
    }
    if let Some(state) = state {
        changes.extend(deletions(stack, state)?);
        changes.extend(deposed_deletions(state));
    }
    Ok(changes)
}

/// Decides create-before-destroy for a replacement and says so in its reason.
/// A resource that uses one replaced destroy-first must go first as well: its
/// old object has to be gone before that dependency's old object can go,
/// which is before the dependency's (and so its own) new object exists.
fn order_replacement(change: &mut ResourceChange, rec: &ResourceState, destroyed_first: &HashSet<String>) {
    let after = change.after.clone().unwrap_or(Value::Null);
    let mut order = if rec.type_name == change.type_name {
        replacement::order(&change.type_name, &rec.properties, &after)
    } else {
        ReplacementOrder { create_before_destroy: false, why: String::from("the type changed") }
    };
    // A deployment is a snapshot, not a user of its API's parts: its old
    // object may outlive them, so it never has to go first.
    if order.create_before_destroy && change.type_name != "AWS::ApiGateway::Deployment" {
        if let Some(dep) = change.dependencies.iter().find(|d| destroyed_first.contains(*d)) {
            order = ReplacementOrder {
                create_before_destroy: false,
                why: format!("it uses `{dep}`, which is destroyed before it is created"),
            };
        }
    }
    change.create_before_destroy = order.create_before_destroy;
    let how = if order.create_before_destroy { "create before destroy" } else { "destroy before create" };
    let reason = change.reason.take().unwrap_or_default();
    change.reason = Some(format!("{reason}; {how}: {}", order.why));
}

/// Old objects of create-before-destroy replacements an interrupted run left
/// behind: deleted, whatever else the plan does.
fn deposed_deletions(state: &State) -> impl Iterator<Item = ResourceChange> + '_ {
    state.deposed.iter().map(|(name, rec)| ResourceChange {
        name: name.clone(),
        type_name: rec.type_name.clone(),
        action: Action::Delete,
        before: Some(rec.properties.clone()),
        after: None,
        changes: removed_paths(&rec.properties),
        reason: Some(format!(
            "the old object ({}) of a replacement that an interrupted run created before destroying it",
            rec.physical_id
        )),
        requires_replace: Vec::new(),
        dependencies: rec.dependencies.clone(),
        create_before_destroy: false,
        deposed: true,
    })
}

/// The REST APIs whose resources, methods or authorizers are removed from the
/// spec: their deployments must be redone too.
fn removed_api_parts(stack: &Stack, state: Option<&State>) -> std::collections::HashSet<String> {
    let Some(state) = state else { return Default::default() };
    state
        .resources
        .iter()
        .filter(|(n, r)| !stack.resources.contains_key(*n) && REDEPLOY_ON.contains(&r.type_name.as_str()))
        .filter_map(|(_, r)| r.properties.get("RestApiId").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// Remembers the REST API of a changed resource, method, authorizer or API.
fn note_api_change(change: &ResourceChange, physical_id: Option<&str>, apis: &mut std::collections::HashSet<String>) {
    if change.action == Action::NoOp || !REDEPLOY_ON.contains(&change.type_name.as_str()) {
        return;
    }
    let api = if change.type_name == "AWS::ApiGateway::RestApi" {
        physical_id.map(str::to_owned)
    } else {
        [&change.after, &change.before]
            .into_iter()
            .flatten()
            .find_map(|v| v.get("RestApiId").and_then(Value::as_str).map(str::to_owned))
    };
    if let Some(api) = api {
        apis.insert(api);
    }
}

/// API Gateway serves a deployment, a snapshot: when anything of its API
/// changed, an otherwise unchanged deployment must be made again, or the
/// stage keeps serving the old API.
fn redeploy_needed(change: &ResourceChange, apis: &std::collections::HashSet<String>) -> bool {
    change.type_name == "AWS::ApiGateway::Deployment"
        && change.action == Action::NoOp
        && change
            .after
            .as_ref()
            .and_then(|a| a.get("RestApiId"))
            .and_then(Value::as_str)
            .is_some_and(|id| apis.contains(id))
}

/// Adds `Code.CodeSha256` to properties whose `Code.Crate` is a package.
pub fn attach_code_hash(properties: &mut Value, artifacts: &CodeHashes) {
    let Some(code) = properties.get_mut("Code").and_then(Value::as_object_mut) else { return };
    let Some(crate_path) = code.get("Crate").and_then(Value::as_str).map(str::to_owned) else { return };
    let sha = match artifacts {
        CodeHashes::Built(map) => match map.get(&crate_path) {
            Some(sha) => Value::String(sha.clone()),
            None => return,
        },
        CodeHashes::Skipped => super::action::unknown(&format!("CodeSha256 of {crate_path} (not built: --no-build)")),
    };
    code.insert(String::from("CodeSha256"), sha);
}

/// Resources in state but not in the spec, dependents before dependencies.
fn deletions(stack: &Stack, state: &State) -> Result<Vec<ResourceChange>, PlanError> {
    delete_in_reverse_order(stack, state, |name| !stack.resources.contains_key(name))
}

/// Every resource of the state, dependents before dependencies (destroy),
/// and the old objects of interrupted replacements.
pub fn destroy_all(stack: &Stack, state: &State) -> Result<Vec<ResourceChange>, PlanError> {
    let mut changes: Vec<ResourceChange> = deposed_deletions(state).collect();
    changes.extend(delete_in_reverse_order(stack, state, |_| true)?);
    Ok(changes)
}

/// `PreventDestroy` as it stands now: the spec's for a resource it still
/// declares (removing the flag there is how a user lifts it, no apply
/// needed), the state's for one it no longer does (so deleting a protected
/// resource's block from the spec does not delete the resource: Terraform's
/// well-known gap).
pub fn prevent_destroy(stack: &Stack, name: &str, recorded: Option<&crate::state::ResourceState>) -> bool {
    match stack.resources.get(name) {
        Some(resource) => resource.lifecycle.prevent_destroy,
        None => recorded.is_some_and(|r| r.prevent_destroy),
    }
}

/// The recorded (applied) properties say AWS will refuse the delete.
fn refuse_deletion_protected(name: &str, applied: &Value, action: &'static str) -> Result<(), PlanError> {
    let protected = [("DeletionProtectionEnabled", Value::Bool(true)), ("DeletionProtection", Value::from("ACTIVE"))];
    for (property, on) in protected {
        if applied.get(property) == Some(&on) {
            return Err(PlanError::DeletionProtected { name: name.to_owned(), property, action });
        }
    }
    Ok(())
}

fn delete_in_reverse_order(
    stack: &Stack,
    state: &State,
    include: impl Fn(&str) -> bool,
) -> Result<Vec<ResourceChange>, PlanError> {
    let removed: Vec<(&String, &crate::state::ResourceState)> =
        state.resources.iter().filter(|(n, _)| include(n)).collect();
    let graph = ResourceGraph::build(removed.iter().map(|(name, r)| NodeSpec {
        name,
        label: &r.type_name,
        depends_on: r.dependencies.iter().map(|d| (d.as_str(), 0..0)).collect(),
    }));
    let order = graph
        .reverse_topological_order()
        .map_err(|cycles| PlanError::Cycle(cycles.iter().map(|c| c.describe()).collect::<Vec<_>>().join("; ")))?;
    let mut out = Vec::new();
    for name in order {
        let rec = &state.resources[name];
        if prevent_destroy(stack, name, Some(rec)) {
            return Err(PlanError::PreventDestroy { name: name.to_owned(), action: "destroy" });
        }
        refuse_deletion_protected(name, &rec.properties, "destroy")?;
        out.push(ResourceChange {
            name: name.to_owned(),
            type_name: rec.type_name.clone(),
            action: Action::Delete,
            before: Some(rec.properties.clone()),
            after: None,
            changes: removed_paths(&rec.properties),
            reason: Some(String::from("it is no longer in the spec")),
            requires_replace: Vec::new(),
            dependencies: rec.dependencies.clone(),
            create_before_destroy: false,
            deposed: false,
        });
    }
    Ok(out)
}

fn removed_paths(before: &Value) -> Vec<PropertyChange> {
    top_level(before)
        .map(|(k, v)| PropertyChange {
            path: k.clone(),
            before: Some(v.clone()),
            after: None,
            forces_replacement: false,
        })
        .collect()
}

/// The same items, in any order.
fn same_multiset(a: &[Value], b: &[Value]) -> bool {
    let sorted = |items: &[Value]| {
        let mut keys: Vec<String> = items.iter().map(Value::to_string).collect();
        keys.sort();
        keys
    };
    a.len() == b.len() && sorted(a) == sorted(b)
}

fn top_level(v: &Value) -> impl Iterator<Item = (&String, &Value)> {
    v.as_object().into_iter().flat_map(Map::iter)
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Attribute-level differences: objects are compared key by key (so a changed
/// environment variable shows as `Environment.Variables.X`); lists and
/// scalars compare whole, lists as multisets where AWS's schema says their
/// order means nothing (`insertionOrder: false`: reordering subnet ids is no
/// change). An unknown value is always a (possible) change.
fn diff_values(
    path: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    unordered: &dyn Fn(&str) -> bool,
    out: &mut Vec<PropertyChange>,
) {
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a)))
            if !super::action::is_unknown(after.unwrap_or(&Value::Null)) =>
        {
            let mut ordered: Vec<&String> = a.keys().collect();
            ordered.extend(b.keys().filter(|k| !a.contains_key(*k)));
            for k in ordered {
                diff_values(&join(path, k), b.get(k), a.get(k), unordered, out);
            }
        }
        (b, a) => {
            let changed = match (b, a) {
                (Some(Value::Array(b)), Some(Value::Array(a))) if unordered(path) => {
                    !same_multiset(b, a) || a.iter().any(contains_unknown)
                }
                (Some(b), Some(a)) => b != a || contains_unknown(a),
                (None, None) => false,
                _ => true,
            };
            if changed {
                out.push(PropertyChange {
                    path: path.to_owned(),
                    before: b.cloned(),
                    after: a.cloned(),
                    forces_replacement: false,
                });
            }
        }
    }
}
