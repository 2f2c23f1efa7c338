//! YAML tree -> typed `Stack`, reporting every shape problem it meets
//! (unknown keys, wrong kinds, bad names) instead of stopping at the first.

use indexmap::IndexMap;

use super::diagnostic::{did_you_mean_hint, SpecDiagnostic};
use super::model::{
    Environment, Lifecycle, Output, Resource, SourceFile, Stack, StateBackendSpec, DEFAULT_ENVIRONMENT,
};
use super::yaml::{Node, NodeValue};
use crate::provider::registry;

const TOP_LEVEL_KEYS: &[&str] = &["Stack", "Description", "Parameters", "Environments", "Tags", "Resources", "Outputs"];
const RESOURCE_KEYS: &[&str] = &["Type", "Properties", "DependsOn", "Lifecycle"];
const LIFECYCLE_KEYS: &[&str] = &["PreventDestroy", "IgnoreChanges"];
const ENVIRONMENT_KEYS: &[&str] = &["Region", "Profile", "AccountId", "State", "Parameters"];
const STATE_KEYS: &[&str] = &["Backend", "Path", "Bucket", "Key", "Region"];
const OUTPUT_KEYS: &[&str] = &["Value", "Description"];

/// Collects diagnostics while walking the tree.
#[derive(Default)]
pub struct Diagnostics(pub Vec<SpecDiagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: SpecDiagnostic) {
        self.0.push(d);
    }

    /// Pushes `d` unless a diagnostic already points at the same place (a
    /// later, less specific check that found the same mistake stays quiet).
    pub fn push_new(&mut self, d: SpecDiagnostic) {
        if !self.0.iter().any(|e| e.span == d.span) {
            self.0.push(d);
        }
    }

    /// Reports keys of `map` that are not in `allowed`, with "did you mean".
    pub(super) fn unknown_keys(&mut self, map: &Node, allowed: &[&str], what: &str) {
        for (key, _) in map.as_map().unwrap_or_default() {
            let text = key.scalar_text();
            if !allowed.contains(&text.as_str()) {
                self.push(
                    SpecDiagnostic::new(
                        "spec::unknown-key",
                        key.span.clone(),
                        format!("unknown key `{text}` in {what}"),
                    )
                    .label("not recognised")
                    .hint(
                        did_you_mean_hint(&text, allowed.iter().copied())
                            .unwrap_or_else(|| format!("allowed keys: {}", allowed.join(", "))),
                    ),
                );
            }
        }
    }

    /// Checks that `node` is a mapping; reports and returns false otherwise.
    pub(super) fn expect_map(&mut self, node: &Node, what: &str) -> bool {
        if node.as_map().is_some() {
            return true;
        }
        self.push(
            SpecDiagnostic::new(
                "spec::wrong-type",
                node.span.clone(),
                format!("{what} must be a mapping, found {}", node.kind_name()),
            )
            .label("expected a mapping"),
        );
        false
    }

    pub(super) fn expect_string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            NodeValue::Str(s) => Some(s.clone()),
            NodeValue::Int(i) => Some(i.to_string()),
            _ => {
                self.push(
                    SpecDiagnostic::new(
                        "spec::wrong-type",
                        node.span.clone(),
                        format!("{what} must be a string, found {}", node.kind_name()),
                    )
                    .label("expected a string"),
                );
                None
            }
        }
    }

    pub(super) fn expect_bool(&mut self, node: &Node, what: &str) -> Option<bool> {
        match node.value {
            NodeValue::Bool(b) => Some(b),
            _ => {
                self.push(
                    SpecDiagnostic::new(
                        "spec::wrong-type",
                        node.span.clone(),
                        format!("{what} must be true or false, found {}", node.kind_name()),
                    )
                    .label("expected a boolean"),
                );
                None
            }
        }
    }

    /// A string or a list of strings, each with its span.
    fn string_list(&mut self, node: &Node, what: &str) -> Vec<(String, std::ops::Range<usize>)> {
        match &node.value {
            NodeValue::Str(s) => vec![(s.clone(), node.span.clone())],
            NodeValue::Seq(items) => {
                items.iter().filter_map(|item| self.expect_string(item, what).map(|s| (s, item.span.clone()))).collect()
            }
            _ => {
                self.push(
                    SpecDiagnostic::new(
                        "spec::wrong-type",
                        node.span.clone(),
                        format!("{what} must be a list of names, found {}", node.kind_name()),
                    )
                    .label("expected a list"),
                );
                Vec::new()
            }
        }
    }
}

pub(super) fn is_logical_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.all(|c| c.is_ascii_alphanumeric())
}

fn is_stack_or_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.len() <= 64
}

/// Builds the typed stack from the YAML root, pushing every problem to `diags`.
/// Builds the stack from the tree. Each resource's `Properties` is taken
/// out of `root` and copied (a copy is compact: the tree's vectors carry
/// their growth slack, scattered among the nodes the stack does not keep),
/// and the original freed at once, so on a large stack the tree and the
/// stack are not both in memory whole.
pub fn load(root: &mut Node, source: SourceFile, diags: &mut Diagnostics) -> Stack {
    let mut stack = Stack {
        name: String::new(),
        description: None,
        environments: IndexMap::new(),
        tags: IndexMap::new(),
        resources: IndexMap::new(),
        outputs: IndexMap::new(),
        parameters: IndexMap::new(),
        values: IndexMap::new(),
        source,
    };
    if !diags.expect_map(root, "a stack spec") {
        return stack;
    }
    diags.unknown_keys(root, TOP_LEVEL_KEYS, "the stack spec");

    match root.get("Stack") {
        Some(node) => {
            if let Some(name) = diags.expect_string(node, "`Stack`") {
                if !is_stack_or_env_name(&name) {
                    diags.push(
                        SpecDiagnostic::new("spec::invalid-name", node.span.clone(), format!("invalid stack name `{name}`"))
                            .label("not a valid stack name")
                            .hint("use lower-case letters, digits and `-`, starting with a letter (it becomes part of AWS names)"),
                    );
                }
                stack.name = name;
            }
        }
        None => diags.push(
            SpecDiagnostic::new("spec::missing-key", 0..0, "the stack spec has no `Stack` name")
                .label("add `Stack: <name>` at the top")
                .hint("e.g. `Stack: acme-scheduling`"),
        ),
    }
    if let Some(node) = root.get("Description") {
        stack.description = diags.expect_string(node, "`Description`");
    }
    if let Some(node) = root.get("Parameters") {
        stack.parameters = super::parameters::load(node, diags);
    }
    if let Some(node) = root.get("Environments") {
        load_environments(node, &mut stack, diags);
    }
    if let Some(node) = root.get("Tags") {
        if diags.expect_map(node, "`Tags`") {
            for (k, v) in node.as_map().unwrap_or_default() {
                if let Some(value) = diags.expect_string(v, "a tag value") {
                    stack.tags.insert(k.scalar_text(), value);
                }
            }
        }
    }
    match root.get_mut("Resources") {
        Some(node) => load_resources(node, &mut stack, diags),
        None => diags.push(
            SpecDiagnostic::new("spec::missing-key", 0..0, "the stack spec has no `Resources`")
                .label("add a `Resources:` mapping")
                .hint("a stack needs at least one resource"),
        ),
    }
    if let Some(node) = root.get("Outputs") {
        if diags.expect_map(node, "`Outputs`") {
            for (k, v) in node.as_map().unwrap_or_default() {
                if !diags.expect_map(v, "an output") {
                    continue;
                }
                diags.unknown_keys(v, OUTPUT_KEYS, "an output");
                let Some(value) = v.get("Value") else {
                    diags.push(
                        SpecDiagnostic::new(
                            "spec::missing-key",
                            k.span.clone(),
                            format!("output `{}` has no `Value`", k.scalar_text()),
                        )
                        .label("needs a Value"),
                    );
                    continue;
                };
                let description = v.get("Description").and_then(|d| diags.expect_string(d, "`Description`"));
                stack.outputs.insert(k.scalar_text(), Output { value: value.clone(), description });
            }
        }
    }
    stack
}

fn load_environments(node: &Node, stack: &mut Stack, diags: &mut Diagnostics) {
    if !diags.expect_map(node, "`Environments`") {
        return;
    }
    for (key, value) in node.as_map().unwrap_or_default() {
        let name = key.scalar_text();
        if !is_stack_or_env_name(&name) {
            diags.push(
                SpecDiagnostic::new(
                    "spec::invalid-name",
                    key.span.clone(),
                    format!("invalid environment name `{name}`"),
                )
                .label("not a valid environment name")
                .hint("use lower-case letters, digits and `-`, starting with a letter"),
            );
            continue;
        }
        let mut env = Environment { name: name.clone(), ..Environment::local() };
        if matches!(value.value, NodeValue::Null) {
            if name != DEFAULT_ENVIRONMENT {
                diags.push(
                    SpecDiagnostic::new(
                        "spec::missing-key",
                        key.span.clone(),
                        format!("environment `{name}` has no `Region`"),
                    )
                    .label("needs a Region")
                    .hint("only `local` (the embedded local cloud) needs no region"),
                );
            }
            stack.environments.insert(name, env);
            continue;
        }
        if !diags.expect_map(value, "an environment") {
            continue;
        }
        diags.unknown_keys(value, ENVIRONMENT_KEYS, "an environment");
        env.region = value.get("Region").and_then(|n| diags.expect_string(n, "`Region`"));
        env.profile = value.get("Profile").and_then(|n| diags.expect_string(n, "`Profile`"));
        if let Some(n) = value.get("AccountId") {
            let id = diags.expect_string(n, "`AccountId`");
            if let Some(id) = &id {
                if id.len() != 12 || !id.chars().all(|c| c.is_ascii_digit()) {
                    diags.push(
                        SpecDiagnostic::new(
                            "spec::invalid-value",
                            n.span.clone(),
                            format!("`{id}` is not an AWS account id"),
                        )
                        .label("expected 12 digits")
                        .hint("quote it so YAML keeps leading zeros: AccountId: \"012345678901\""),
                    );
                }
            }
            env.account_id = id;
        }
        if name == DEFAULT_ENVIRONMENT {
            if let Some(region) = value.key_node("Region") {
                diags.push(
                    SpecDiagnostic::new(
                        "spec::invalid-value",
                        region.span.clone(),
                        "the `local` environment is the embedded local cloud and takes no Region",
                    )
                    .label("not allowed for local")
                    .hint("declare another environment for a real AWS region"),
                );
            }
        } else if env.region.is_none() && value.get("Region").is_none() {
            diags.push(
                SpecDiagnostic::new(
                    "spec::missing-key",
                    key.span.clone(),
                    format!("environment `{name}` has no `Region`"),
                )
                .label("needs a Region")
                .hint("e.g. `Region: eu-west-1`"),
            );
        }
        if let Some(values) = value.get("Parameters") {
            env.parameters = super::bind::environment_values(&name, values, &stack.parameters, diags);
        }
        if let Some(state) = value.get("State") {
            if let Some(backend) = load_state_backend(state, diags) {
                // The state's physical ids drive deletes: it is read only from
                // a bucket of the environment's own account (S3's
                // ExpectedBucketOwner), never from one that merely has the name.
                if matches!(backend, StateBackendSpec::S3 { .. })
                    && name != DEFAULT_ENVIRONMENT
                    && value.get("AccountId").is_none()
                {
                    diags.push(
                        SpecDiagnostic::new(
                            "spec::missing-key",
                            key.span.clone(),
                            format!("environment `{name}` keeps its state in S3 but has no `AccountId`"),
                        )
                        .label("needs an AccountId")
                        .hint(
                            "strata reads and writes the state only in a bucket owned by that account \
                             (S3 ExpectedBucketOwner): e.g. `AccountId: \"123456789012\"`",
                        ),
                    );
                }
                env.state = backend;
            }
        }
        stack.environments.insert(name, env);
    }
}

fn load_state_backend(node: &Node, diags: &mut Diagnostics) -> Option<StateBackendSpec> {
    if !diags.expect_map(node, "`State`") {
        return None;
    }
    diags.unknown_keys(node, STATE_KEYS, "a state backend");
    let text = |diags: &mut Diagnostics, key: &str| node.get(key).and_then(|n| diags.expect_string(n, key));
    let backend_node = node.get("Backend");
    let backend = text(diags, "Backend").unwrap_or_else(|| String::from("local"));
    match backend.as_str() {
        "local" => Some(StateBackendSpec::Local { path: text(diags, "Path") }),
        "s3" => {
            let bucket = text(diags, "Bucket");
            let key = text(diags, "Key");
            if bucket.is_none() || key.is_none() {
                diags.push(
                    SpecDiagnostic::new(
                        "spec::missing-key",
                        node.span.clone(),
                        "an s3 state backend needs `Bucket` and `Key`",
                    )
                    .label("incomplete s3 backend")
                    .hint("e.g. `Bucket: my-state-bucket` and `Key: stack/prod.json`"),
                );
                return None;
            }
            Some(StateBackendSpec::S3 { bucket: bucket?, key: key?, region: text(diags, "Region") })
        }
        other => {
            let span = backend_node.map_or(node.span.clone(), |n| n.span.clone());
            diags.push(
                SpecDiagnostic::new("spec::invalid-value", span, format!("unknown state backend `{other}`"))
                    .label("unknown backend")
                    .hint(
                        did_you_mean_hint(other, ["local", "s3"])
                            .unwrap_or_else(|| String::from("backends: local, s3")),
                    ),
            );
            None
        }
    }
}

/// "did you mean" over type names, ignoring the `AWS::` every name shares
/// (which would otherwise make any two names look alike).
fn did_you_mean_type(wanted: &str) -> Option<String> {
    let strip = |s: &'static str| s.strip_prefix("AWS::").unwrap_or(s);
    let wanted = wanted.strip_prefix("AWS::").unwrap_or(wanted);
    let found = super::diagnostic::did_you_mean(wanted, registry::type_names().map(strip))?;
    Some(format!("did you mean `AWS::{found}`?"))
}

/// A type strata cannot deploy: one AWS has (say so), or a misspelling.
fn unknown_type(type_name: &str, span: std::ops::Range<usize>) -> SpecDiagnostic {
    if crate::provider::aws_schema::is_registry_type(type_name) {
        return SpecDiagnostic::new(
            "spec::unsupported-type",
            span,
            format!("`{type_name}` is a CloudFormation type that strata cannot deploy yet"),
        )
        .label("not supported by strata")
        .hint("`strata types` lists the supported types");
    }
    SpecDiagnostic::new("spec::unknown-type", span, format!("unknown resource type `{type_name}`"))
        .label("not a CloudFormation type")
        .hint(
            did_you_mean_type(type_name)
                .unwrap_or_else(|| String::from("run `strata types` to list the supported types")),
        )
}

fn load_resources(node: &mut Node, stack: &mut Stack, diags: &mut Diagnostics) {
    if !diags.expect_map(node, "`Resources`") {
        return;
    }
    let span = node.span.clone();
    let NodeValue::Map(entries) = &mut node.value else { return };
    if entries.is_empty() {
        diags.push(SpecDiagnostic::new("spec::missing-key", span, "`Resources` is empty").label("no resources"));
    }
    for (key, value) in entries.iter_mut() {
        let key = &*key;
        let name = key.scalar_text();
        if !is_logical_name(&name) {
            diags.push(
                SpecDiagnostic::new("spec::invalid-name", key.span.clone(), format!("invalid logical name `{name}`"))
                    .label("not a valid logical name")
                    .hint("logical names are letters and digits, starting with a letter (CloudFormation's rule)"),
            );
            continue;
        }
        if !diags.expect_map(value, &format!("resource `{name}`")) {
            continue;
        }
        diags.unknown_keys(value, RESOURCE_KEYS, &format!("resource `{name}`"));
        let Some(type_node) = value.get("Type") else {
            diags.push(
                SpecDiagnostic::new("spec::missing-key", key.span.clone(), format!("resource `{name}` has no `Type`"))
                    .label("needs a Type")
                    .hint("e.g. `Type: AWS::EC2::VPC`"),
            );
            continue;
        };
        let Some(type_name) = diags.expect_string(type_node, "`Type`") else {
            continue;
        };
        let schema = registry::lookup(&type_name);
        if schema.is_none() {
            diags.push(unknown_type(&type_name, type_node.span.clone()));
        }
        let type_span = type_node.span.clone();
        let properties = match value.get_mut("Properties") {
            Some(p) if diags.expect_map(p, "`Properties`") => p.take().clone(),
            Some(p) => Node { value: NodeValue::Map(Vec::new()), span: p.span.clone() },
            None => Node { value: NodeValue::Map(Vec::new()), span: key.span.clone() },
        };
        let depends_on = value.get("DependsOn").map(|n| diags.string_list(n, "`DependsOn`")).unwrap_or_default();
        let mut lifecycle = Lifecycle::default();
        if let Some(l) = value.get("Lifecycle") {
            if diags.expect_map(l, "`Lifecycle`") {
                diags.unknown_keys(l, LIFECYCLE_KEYS, "`Lifecycle`");
                if let Some(p) = l.get("PreventDestroy") {
                    lifecycle.prevent_destroy = diags.expect_bool(p, "`PreventDestroy`").unwrap_or(false);
                }
                if let Some(ic) = l.get("IgnoreChanges") {
                    for (prop, span) in diags.string_list(ic, "`IgnoreChanges`") {
                        if let Some(schema) = schema {
                            if schema.property(&prop).is_none() {
                                diags.push(
                                    SpecDiagnostic::new(
                                        "spec::unknown-property",
                                        span.clone(),
                                        format!("`IgnoreChanges` names `{prop}`, which `{type_name}` does not have"),
                                    )
                                    .label("unknown property")
                                    .maybe_hint(did_you_mean_hint(&prop, schema.properties.iter().map(|p| p.name))),
                                );
                            }
                        }
                        lifecycle.ignore_changes.push(prop);
                    }
                }
            }
        }
        stack.resources.insert(
            name.clone(),
            Resource {
                name,
                name_span: key.span.clone(),
                type_name,
                type_span,
                schema,
                properties,
                depends_on,
                lifecycle,
                dependencies: Vec::new(),
            },
        );
    }
}
