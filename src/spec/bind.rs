//! Gives each declared parameter its value for one environment and writes the
//! values into the spec, so every later check (strata's kinds, AWS's
//! schemas and rules) judges the value the environment really gets.
//!
//! Sources, later wins (Terraform's order): the declaration's `Default`, the
//! spec's `Environments.<env>.Parameters`, `STRATA_VAR_<Name>`, the values
//! file (`--var-file`), `--var Name=Value`. Each value remembers where it came
//! from, so a value that breaks its constraints is reported there: at its line
//! in the spec or the values file, or by the flag or variable that gave it.

use std::ops::Range;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value;

use super::diagnostic::{did_you_mean_hint, SpecDiagnostic};
use super::load::Diagnostics;
use super::parameters::{value_text, Parameter};
use super::template::{self, Part, Reference};
use super::yaml::{Node, NodeValue};
use super::Stack;

/// The prefix of the environment variables that set parameters.
pub const ENV_PREFIX: &str = "STRATA_VAR_";

/// What the command line and the process give, beside the spec.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `--var Name=Value`, in order (a later one wins).
    pub vars: Vec<(String, String)>,
    /// `--var-file FILE`.
    pub var_file: Option<PathBuf>,
    /// `STRATA_VAR_<Name>` variables, without the prefix.
    pub process: Vec<(String, String)>,
}

impl Inputs {
    /// `--var`/`--var-file` as given, plus this process's `STRATA_VAR_*`.
    pub fn new(vars: Vec<(String, String)>, var_file: Option<PathBuf>) -> Self {
        let process =
            std::env::vars().filter_map(|(k, v)| k.strip_prefix(ENV_PREFIX).map(|name| (name.to_owned(), v))).collect();
        Self { vars, var_file, process }
    }
}

/// `NAME=VALUE` of `--var`.
pub fn parse_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not NAME=VALUE (e.g. --var ExecutorMemory=512)")),
    }
}

/// Which environment the spec is loaded for, with what inputs.
#[derive(Debug, Clone)]
pub struct Binding {
    pub environment: String,
    pub inputs: Inputs,
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    Environment(String),
    Process,
    File(PathBuf),
    Flag,
}

impl Origin {
    pub fn describe(&self, name: &str) -> String {
        match self {
            Origin::Default => String::from("its Default"),
            Origin::Environment(env) => format!("Environments.{env}.Parameters"),
            Origin::Process => format!("{ENV_PREFIX}{name}"),
            Origin::File(path) => path.display().to_string(),
            Origin::Flag => format!("--var {name}"),
        }
    }
}

/// A parameter's value for the bound environment.
#[derive(Debug, Clone)]
pub struct BoundValue {
    /// As a property receives it (number, string or list).
    pub value: Value,
    /// `NoEcho`.
    pub secret: bool,
    pub origin: Origin,
}

impl BoundValue {
    /// The value inside a longer string (lists as CloudFormation joins them).
    fn text(&self) -> String {
        match &self.value {
            Value::String(s) => s.clone(),
            Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(","),
            other => scalar_text(other),
        }
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A problem outside the spec file: in the values file (with its text, to be
/// reported at its line) or with a flag or variable.
#[derive(Debug, Default)]
pub struct External {
    pub file: Option<(PathBuf, String, Vec<SpecDiagnostic>)>,
    pub other: Vec<String>,
}

impl External {
    pub fn is_empty(&self) -> bool {
        self.file.as_ref().is_none_or(|(_, _, d)| d.is_empty()) && self.other.is_empty()
    }
}

/// Reads `Environments.<env>.Parameters`: names must be declared, values
/// must keep the constraints (checked for every environment, not only the
/// one in use, so `validate` catches prod's mistake while you work on local).
pub fn environment_values(
    env: &str,
    node: &Node,
    declared: &IndexMap<String, Parameter>,
    diags: &mut Diagnostics,
) -> IndexMap<String, (String, Range<usize>)> {
    let mut out = IndexMap::new();
    if !diags.expect_map(node, "an environment's `Parameters`") {
        return out;
    }
    for (key, value) in node.as_map().unwrap_or_default() {
        let name = key.scalar_text();
        let Some(parameter) = declared.get(&name) else {
            diags.push(undeclared(&name, key.span.clone(), declared));
            continue;
        };
        let Some(text) = value_text(value) else {
            diags.push(not_a_value(&name, value.span.clone()));
            continue;
        };
        if let Err(problem) = parameter.check(&text) {
            diags.push(invalid(parameter, &format!("in environment `{env}`"), &problem, value.span.clone()));
        }
        out.insert(name, (text, value.span.clone()));
    }
    out
}

fn undeclared(name: &str, span: Range<usize>, declared: &IndexMap<String, Parameter>) -> SpecDiagnostic {
    SpecDiagnostic::new("spec::unknown-parameter", span, format!("`{name}` is not a declared parameter"))
        .label("not in `Parameters`")
        .hint(did_you_mean_hint(name, declared.keys().map(String::as_str)).unwrap_or_else(|| {
            String::from("declare it under the top-level `Parameters` (with its Type) before giving it a value")
        }))
}

fn invalid(parameter: &Parameter, place: &str, problem: &str, span: Range<usize>) -> SpecDiagnostic {
    SpecDiagnostic::new(
        "spec::invalid-parameter-value",
        span,
        format!("parameter `{}` {place} {problem}", parameter.name),
    )
    .label("breaks the parameter's constraints")
    .maybe_hint(parameter.constraint_description.clone())
}

/// Resolves every parameter for `binding` into `stack.values` and writes the
/// values into the resources and outputs. Problems in the spec go to
/// `diags`; those of the values file and of flags are returned.
pub fn bind(stack: &mut Stack, binding: &Binding, diags: &mut Diagnostics) -> External {
    let mut external = External::default();
    if stack.parameters.is_empty() && binding.inputs.vars.is_empty() && binding.inputs.var_file.is_none() {
        return external;
    }
    // An undeclared environment is reported by the command that selects it,
    // not as every parameter lacking a value there.
    let Some(environment) = stack.environment(&binding.environment) else {
        return external;
    };
    let env_values = environment.parameters;
    let file_values = binding.inputs.var_file.as_deref().map(|path| read_values_file(path, stack, &mut external));
    for (name, _) in &binding.inputs.vars {
        if !stack.parameters.contains_key(name) {
            let hint = did_you_mean_hint(name, stack.parameters.keys().map(String::as_str))
                .map_or_else(String::new, |h| format!(": {h}"));
            external.other.push(format!("--var {name}: `{name}` is not a parameter of {}{hint}", stack.name));
        }
    }
    for parameter in stack.parameters.values() {
        let name = parameter.name.as_str();
        let mut chosen: Option<(String, Origin, Option<Range<usize>>)> =
            parameter.default.clone().map(|(t, s)| (t, Origin::Default, Some(s)));
        if let Some((text, span)) = env_values.get(name) {
            chosen = Some((text.clone(), Origin::Environment(binding.environment.clone()), Some(span.clone())));
        }
        if let Some((_, v)) = binding.inputs.process.iter().rev().find(|(n, _)| n == name) {
            chosen = Some((v.clone(), Origin::Process, None));
        }
        if let Some(Some((path, (text, span)))) = file_values.as_ref().map(|(p, m)| m.get(name).map(|v| (p, v))) {
            chosen = Some((text.clone(), Origin::File(path.clone()), Some(span.clone())));
        }
        if let Some((_, v)) = binding.inputs.vars.iter().rev().find(|(n, _)| n == name) {
            chosen = Some((v.clone(), Origin::Flag, None));
        }
        let Some((text, origin, span)) = chosen else {
            diags.push(
                SpecDiagnostic::new(
                    "spec::missing-parameter-value",
                    parameter.name_span.clone(),
                    format!("parameter `{name}` has no value for environment `{}`", binding.environment),
                )
                .label("no Default and no value given")
                .hint(format!(
                    "give it a `Default`, a value under `Environments.{}.Parameters`, `--var {name}=...`, \
                     a values file (`--var-file`) or {ENV_PREFIX}{name}",
                    binding.environment
                )),
            );
            continue;
        };
        match parameter.check(&text) {
            Ok(value) => {
                stack.values.insert(name.to_owned(), BoundValue { value, secret: parameter.no_echo, origin });
            }
            // Spec values were checked as they were read.
            Err(_) if matches!(origin, Origin::Default | Origin::Environment(_)) => {}
            Err(problem) => match (&origin, span) {
                (Origin::File(_), Some(span)) => {
                    if let Some((_, _, file_diags)) = external.file.as_mut() {
                        file_diags.push(invalid(parameter, "in this values file", &problem, span));
                    }
                }
                _ => external.other.push(format!("{}: parameter `{name}` {problem}", origin.describe(name))),
            },
        }
    }
    if stack.values.len() == stack.parameters.len() {
        for resource in stack.resources.values_mut() {
            substitute(&mut resource.properties, &stack.values);
        }
        for output in stack.outputs.values_mut() {
            substitute(&mut output.value, &stack.values);
        }
    }
    external
}

/// Hides secret values in what the checks after binding say: an AWS rule
/// quotes the value it rejects, and a `NoEcho` value must not reach a report.
pub fn redact(stack: &Stack, diags: &mut Diagnostics) {
    let secrets: Vec<String> =
        stack.values.values().filter(|b| b.secret).map(BoundValue::text).filter(|t| !t.is_empty()).collect();
    for d in diags.0.iter_mut() {
        for secret in &secrets {
            d.message = d.message.replace(secret.as_str(), "(sensitive)");
            d.label = d.label.replace(secret.as_str(), "(sensitive)");
            d.hint = d.hint.take().map(|h| h.replace(secret.as_str(), "(sensitive)"));
        }
    }
}

/// The values file: a YAML mapping of parameter names to values. Its
/// problems are reported against its own text.
fn read_values_file(
    path: &Path,
    stack: &Stack,
    external: &mut External,
) -> (PathBuf, IndexMap<String, (String, Range<usize>)>) {
    let mut values = IndexMap::new();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            external.other.push(format!("--var-file {}: cannot read it: {e}", path.display()));
            return (path.to_path_buf(), values);
        }
    };
    let mut diags = Diagnostics::default();
    match super::yaml::parse(&text) {
        Err(syntax) => diags.push(syntax),
        Ok((root, duplicates)) => {
            diags.0.extend(duplicates);
            if matches!(root.value, NodeValue::Null) || diags.expect_map(&root, "a values file") {
                for (key, value) in root.as_map().unwrap_or_default() {
                    let name = key.scalar_text();
                    if !stack.parameters.contains_key(&name) {
                        diags.push(undeclared(&name, key.span.clone(), &stack.parameters));
                    } else if let Some(text) = value_text(value) {
                        values.insert(name, (text, value.span.clone()));
                    } else {
                        diags.push(not_a_value(&name, value.span.clone()));
                    }
                }
            }
        }
    }
    external.file = Some((path.to_path_buf(), text, diags.0));
    (path.to_path_buf(), values)
}

/// Writes parameter values into `node`: a string that is exactly one
/// `${param.X}` takes the value itself (a number stays a number, so AWS's
/// schema still sees one); inside longer text the value's text is spliced in.
/// A string with a malformed template is left for `references` to report.
fn substitute(node: &mut Node, values: &IndexMap<String, BoundValue>) {
    match &mut node.value {
        NodeValue::Str(s) if s.contains("${param.") => {
            let Ok(t) = template::parse(s) else { return };
            if let Some(Reference::Param(name)) = t.single_reference() {
                if let Some(bound) = values.get(name) {
                    *node = json_node(&bound.value, &node.span);
                }
                return;
            }
            let mut out = String::new();
            for part in &t.parts {
                match part {
                    Part::Literal(text) => out.push_str(&text.replace("${", "$${")),
                    Part::Ref(Reference::Param(name), _) => match values.get(name) {
                        Some(bound) => out.push_str(&bound.text().replace("${", "$${")),
                        None => return,
                    },
                    Part::Ref(other, _) => out.push_str(&other.to_string()),
                }
            }
            *s = out;
        }
        NodeValue::Seq(items) => items.iter_mut().for_each(|i| substitute(i, values)),
        NodeValue::Map(entries) => entries.iter_mut().for_each(|(_, v)| substitute(v, values)),
        _ => {}
    }
}

/// A parameter's JSON value as a node at `span` (where the reference was).
fn json_node(value: &Value, span: &Range<usize>) -> Node {
    let value = match value {
        Value::Number(n) => n.as_i64().map_or_else(|| NodeValue::Float(n.to_string()), NodeValue::Int),
        Value::Array(items) => NodeValue::Seq(items.iter().map(|i| json_node(i, span)).collect()),
        Value::String(s) => NodeValue::Str(s.replace("${", "$${")),
        other => NodeValue::Str(other.to_string()),
    };
    Node { value, span: span.clone() }
}

/// A parameter value that is a mapping (or null): no parameter type takes one.
fn not_a_value(name: &str, span: std::ops::Range<usize>) -> SpecDiagnostic {
    SpecDiagnostic::new("spec::wrong-type", span, format!("the value of `{name}` must be a value"))
        .label("expected a string, number or list")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(text: &str) -> IndexMap<String, BoundValue> {
        let mut m = IndexMap::new();
        m.insert("Memory".to_owned(), BoundValue { value: Value::from(512), secret: false, origin: Origin::Default });
        m.insert("Name".to_owned(), BoundValue { value: Value::from(text), secret: false, origin: Origin::Flag });
        m
    }

    #[test]
    fn a_lone_number_parameter_stays_a_number() {
        let mut node = Node { value: NodeValue::Str("${param.Memory}".into()), span: 3..18 };
        substitute(&mut node, &bound("x"));
        assert_eq!(node, Node { value: NodeValue::Int(512), span: 3..18 });
    }

    #[test]
    fn inside_text_the_value_is_spliced_and_other_references_kept() {
        let mut node = Node { value: NodeValue::Str("${stack.Name}-${param.Name}-${param.Memory}".into()), span: 0..1 };
        substitute(&mut node, &bound("a${b"));
        assert_eq!(node.value, NodeValue::Str("${stack.Name}-a$${b-512".into()));
    }

    #[test]
    fn var_flags_need_a_name_and_an_equals_sign() {
        assert_eq!(parse_var("A=b=c").unwrap(), ("A".to_owned(), "b=c".to_owned()));
        assert!(parse_var("A").is_err());
        assert!(parse_var("=1").is_err());
    }
}
