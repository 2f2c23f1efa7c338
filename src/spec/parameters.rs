//! The spec's `Parameters`: inputs that differ per environment (a memory
//! size, an alarm threshold, a notification email), declared with
//! CloudFormation's parameter vocabulary so a CloudFormation user reads them
//! without a manual and the export can hand them to CloudFormation as they
//! are. This module knows the declarations and their constraints; where a
//! value comes from is `bind`'s job.

use std::ops::Range;

use indexmap::IndexMap;
use serde_json::Value;

use super::diagnostic::{did_you_mean_hint, SpecDiagnostic};
use super::load::Diagnostics;
use super::yaml::{Node, NodeValue};

const PARAMETER_KEYS: &[&str] = &[
    "Type",
    "Default",
    "Description",
    "AllowedValues",
    "AllowedPattern",
    "MinLength",
    "MaxLength",
    "MinValue",
    "MaxValue",
    "ConstraintDescription",
    "NoEcho",
];

/// CloudFormation's parameter types that mean something without AWS
/// lookups (the `AWS::EC2::...` types would need the account's resources).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Number,
    CommaDelimitedList,
    NumberList,
}

impl ParamType {
    pub const ALL: [(&'static str, ParamType); 4] = [
        ("String", ParamType::String),
        ("Number", ParamType::Number),
        ("CommaDelimitedList", ParamType::CommaDelimitedList),
        ("List<Number>", ParamType::NumberList),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, t)| *t == self).map_or("String", |(n, _)| n)
    }

    fn is_list(self) -> bool {
        matches!(self, ParamType::CommaDelimitedList | ParamType::NumberList)
    }

    fn item_is_number(self) -> bool {
        matches!(self, ParamType::Number | ParamType::NumberList)
    }
}

/// One declared parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    /// The declaration's key, where "no value" is reported.
    pub name_span: Range<usize>,
    pub param_type: ParamType,
    /// The default as text, with its node.
    pub default: Option<(String, Range<usize>)>,
    pub description: Option<String>,
    pub allowed_values: Vec<String>,
    pub allowed_pattern: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
    pub constraint_description: Option<String>,
    /// `NoEcho: true`: a secret, never printed or saved in plain text.
    pub no_echo: bool,
}

/// A value as the text the user wrote: numbers and lists from YAML are
/// turned into CloudFormation's text form (`1,2,3` for a list), so every
/// source (spec, file, `--var`, environment variable) is checked alike.
pub fn value_text(node: &Node) -> Option<String> {
    match &node.value {
        NodeValue::Str(s) | NodeValue::Float(s) => Some(s.clone()),
        NodeValue::Int(i) => Some(i.to_string()),
        NodeValue::Bool(b) => Some(b.to_string()),
        NodeValue::Seq(items) => items.iter().map(value_text).collect::<Option<Vec<_>>>().map(|v| v.join(",")),
        NodeValue::Null | NodeValue::Map(_) => None,
    }
}

/// Reads `Parameters`, reporting unknown keys, wrong kinds and defaults
/// that break their own constraints.
pub fn load(node: &Node, diags: &mut Diagnostics) -> IndexMap<String, Parameter> {
    let mut out = IndexMap::new();
    let Some(entries) = node.as_map() else {
        diags.push(
            SpecDiagnostic::new("spec::wrong-type", node.span.clone(), "`Parameters` must be a mapping")
                .label("expected a mapping"),
        );
        return out;
    };
    for (key, value) in entries {
        let name = key.scalar_text();
        if !super::load::is_logical_name(&name) {
            diags.push(
                SpecDiagnostic::new("spec::invalid-name", key.span.clone(), format!("invalid parameter name `{name}`"))
                    .label("not a valid parameter name")
                    .hint("parameter names are letters and digits, starting with a letter (CloudFormation's rule)"),
            );
            continue;
        }
        if value.as_map().is_none() {
            diags.push(
                SpecDiagnostic::new(
                    "spec::wrong-type",
                    value.span.clone(),
                    format!("parameter `{name}` must be a mapping, found {}", value.kind_name()),
                )
                .label("expected a mapping")
                .hint("e.g. `Type: Number` and `Default: 512`"),
            );
            continue;
        }
        if let Some(parameter) = load_one(&name, key, value, diags) {
            out.insert(name, parameter);
        }
    }
    out
}

fn load_one(name: &str, key: &Node, value: &Node, diags: &mut Diagnostics) -> Option<Parameter> {
    diags.unknown_keys(value, PARAMETER_KEYS, &format!("parameter `{name}`"));
    let param_type = match value.get("Type") {
        None => {
            diags.push(
                SpecDiagnostic::new("spec::missing-key", key.span.clone(), format!("parameter `{name}` has no `Type`"))
                    .label("needs a Type")
                    .hint("one of: String, Number, CommaDelimitedList, List<Number>"),
            );
            return None;
        }
        Some(node) => {
            let text = node.scalar_text();
            let Some((_, t)) = ParamType::ALL.iter().find(|(n, _)| *n == text) else {
                let names = ParamType::ALL.map(|(n, _)| n);
                diags.push(
                    SpecDiagnostic::new(
                        "spec::invalid-value",
                        node.span.clone(),
                        format!("unknown parameter type `{text}`"),
                    )
                    .label("not a parameter type")
                    .hint(
                        did_you_mean_hint(&text, names)
                            .unwrap_or_else(|| format!("parameter types: {}", names.join(", "))),
                    ),
                );
                return None;
            };
            *t
        }
    };
    let text = |diags: &mut Diagnostics, k: &str| value.get(k).and_then(|n| diags.expect_string(n, &format!("`{k}`")));
    let number = |diags: &mut Diagnostics, k: &str| -> Option<f64> {
        let node = value.get(k)?;
        let parsed = value_text(node).and_then(|t| t.parse::<f64>().ok());
        if parsed.is_none() {
            diags.push(
                SpecDiagnostic::new("spec::wrong-type", node.span.clone(), format!("`{k}` must be a number"))
                    .label("expected a number"),
            );
        }
        parsed
    };
    let mut parameter = Parameter {
        name: name.to_owned(),
        name_span: key.span.clone(),
        param_type,
        default: None,
        description: text(diags, "Description"),
        allowed_values: Vec::new(),
        allowed_pattern: text(diags, "AllowedPattern"),
        min_length: number(diags, "MinLength").map(|n| n.max(0.0) as u64),
        max_length: number(diags, "MaxLength").map(|n| n.max(0.0) as u64),
        min_value: number(diags, "MinValue"),
        max_value: number(diags, "MaxValue"),
        constraint_description: text(diags, "ConstraintDescription"),
        no_echo: value.get("NoEcho").and_then(|n| diags.expect_bool(n, "`NoEcho`")).unwrap_or(false),
    };
    if let Some(node) = value.get("AllowedValues") {
        match node.as_seq() {
            Some(items) => parameter.allowed_values = items.iter().filter_map(value_text).collect(),
            None => diags.push(
                SpecDiagnostic::new("spec::wrong-type", node.span.clone(), "`AllowedValues` must be a list")
                    .label("expected a list"),
            ),
        }
    }
    if let (Some(pattern), Some(node)) = (&parameter.allowed_pattern, value.get("AllowedPattern")) {
        if pattern_validator(pattern).is_none() {
            diags.push(
                SpecDiagnostic::new(
                    "spec::invalid-value",
                    node.span.clone(),
                    format!("`{pattern}` is not a valid pattern"),
                )
                .label("invalid regular expression"),
            );
        }
    }
    if let Some(node) = value.get("Default") {
        match value_text(node) {
            Some(default) => {
                if let Err(problem) = parameter.check(&default) {
                    diags.push(
                        SpecDiagnostic::new(
                            "spec::invalid-parameter-value",
                            node.span.clone(),
                            format!("the default of parameter `{name}` {problem}"),
                        )
                        .label("breaks the parameter's constraints")
                        .maybe_hint(parameter.constraint_description.clone()),
                    );
                }
                parameter.default = Some((default, node.span.clone()));
            }
            None => diags.push(
                SpecDiagnostic::new(
                    "spec::wrong-type",
                    node.span.clone(),
                    format!("the default of `{name}` must be a value"),
                )
                .label("expected a string, number or list"),
            ),
        }
    }
    Some(parameter)
}

/// An anchored matcher for `AllowedPattern` (CloudFormation matches the whole
/// value), built with the JSON Schema engine strata already carries.
fn pattern_validator(pattern: &str) -> Option<jsonschema::Validator> {
    jsonschema::validator_for(&serde_json::json!({"type": "string", "pattern": format!("^(?:{pattern})$")})).ok()
}

impl Parameter {
    /// The value as the JSON a property receives: a number for `Number`, a
    /// list for the list types; or what is wrong with it, as the end of a
    /// sentence ("must be a number, not `abc`").
    pub fn check(&self, text: &str) -> Result<Value, String> {
        let items: Vec<&str> =
            if self.param_type.is_list() { text.split(',').map(str::trim).collect() } else { vec![text] };
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            values.push(self.check_item(item)?);
        }
        if self.param_type.is_list() {
            Ok(Value::Array(values))
        } else {
            Ok(values.pop().unwrap_or(Value::Null))
        }
    }

    /// What is wrong with one value (a list's item); a secret's value is
    /// never part of the message.
    fn check_item(&self, item: &str) -> Result<Value, String> {
        let shown = if self.no_echo { String::from("(sensitive)") } else { format!("`{item}`") };
        if !self.allowed_values.is_empty() && !self.allowed_values.iter().any(|a| a == item) {
            return Err(format!("is {shown}, not one of its AllowedValues: {}", self.allowed_values.join(", ")));
        }
        if self.param_type.item_is_number() {
            let number: f64 = item.parse().map_err(|_| format!("must be a number, not {shown}"))?;
            if let Some(min) = self.min_value.filter(|m| number < *m) {
                return Err(format!("is {shown}, below its MinValue {min}"));
            }
            if let Some(max) = self.max_value.filter(|m| number > *m) {
                return Err(format!("is {shown}, above its MaxValue {max}"));
            }
            let json = item.parse::<i64>().map(Value::from).unwrap_or_else(|_| {
                serde_json::Number::from_f64(number).map_or(Value::String(item.to_owned()), Value::Number)
            });
            return Ok(json);
        }
        let len = item.chars().count() as u64;
        if let Some(min) = self.min_length.filter(|m| len < *m) {
            return Err(format!("is {len} characters long, shorter than its MinLength {min}"));
        }
        if let Some(max) = self.max_length.filter(|m| len > *m) {
            return Err(format!("is {len} characters long, longer than its MaxLength {max}"));
        }
        if let Some(pattern) = &self.allowed_pattern {
            if pattern_validator(pattern).is_some_and(|v| !v.is_valid(&Value::String(item.to_owned()))) {
                return Err(format!("{shown} does not match its AllowedPattern `{pattern}`"));
            }
        }
        Ok(Value::String(item.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(yaml: &str) -> (IndexMap<String, Parameter>, Vec<SpecDiagnostic>) {
        let (root, _) = super::super::yaml::parse(yaml).unwrap();
        let mut diags = Diagnostics::default();
        let params = load(&root, &mut diags);
        (params, diags.0)
    }

    #[test]
    fn numbers_are_checked_and_typed() {
        let (p, d) = declared("Memory:\n  Type: Number\n  MinValue: 128\n  MaxValue: 10240\n  Default: 512\n");
        assert!(d.is_empty(), "{d:?}");
        let memory = &p["Memory"];
        assert_eq!(memory.check("256").unwrap(), Value::from(256));
        assert!(memory.check("100").unwrap_err().contains("MinValue 128"));
        assert_eq!(memory.check("100").unwrap_err(), "is `100`, below its MinValue 128");
        assert!(memory.check("lots").unwrap_err().contains("must be a number"));
    }

    #[test]
    fn strings_lists_and_patterns() {
        let (p, d) = declared(
            "Email:\n  Type: String\n  AllowedPattern: '[^@]+@[^@]+'\nZones:\n  Type: CommaDelimitedList\n  AllowedValues: [a, b]\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert!(p["Email"].check("ops@example.com").is_ok());
        assert!(p["Email"].check("ops").unwrap_err().contains("AllowedPattern"));
        let mut secret = p["Email"].clone();
        secret.no_echo = true;
        assert!(!secret.check("hunter2").unwrap_err().contains("hunter2"));
        assert_eq!(p["Zones"].check("a, b").unwrap(), serde_json::json!(["a", "b"]));
        assert!(p["Zones"].check("a,c").unwrap_err().contains("AllowedValues"));
    }

    #[test]
    fn unknown_keys_types_and_bad_defaults_are_reported() {
        let (_, d) =
            declared("A:\n  Type: Numbr\nB:\n  Type: Number\n  Defualt: 1\nC:\n  Type: Number\n  Default: x\n");
        let messages: Vec<_> = d.iter().map(|d| (d.message.clone(), d.hint.clone())).collect();
        assert!(messages.iter().any(|(m, h)| m.contains("Numbr") && h.as_deref() == Some("did you mean `Number`?")));
        assert!(messages.iter().any(|(m, h)| m.contains("Defualt") && h.as_deref() == Some("did you mean `Default`?")));
        assert!(messages.iter().any(|(m, _)| m.contains("default of parameter `C` must be a number")));
    }
}
