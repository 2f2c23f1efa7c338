//! Checks each resource's `Properties` against AWS's own CloudFormation
//! resource schema (and the extra rules cfn-lint ships beside it), so that a
//! value AWS would reject fails `strata validate` at its line and column, not
//! `apply` halfway through on a real account.
//!
//! Values that hold `${...}` references are not known yet: a rule whose
//! verdict depends on one is skipped here (the value is checked again once
//! resolved, at plan time). strata's own checks (properties.rs) run first and
//! say more about kinds and unknown names, so an AWS finding at a place they
//! already reported is dropped rather than repeated.

use std::ops::Range;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::ValidationError;
use serde_json::Value;

use super::diagnostic::{did_you_mean_hint, SpecDiagnostic};
use super::load::Diagnostics;
use super::model::{Resource, Stack, DEFAULT_ENVIRONMENT};
use super::pointer;
use super::template::{self, EnvKey, Part, Reference};
use super::yaml::{Node, NodeValue};
use crate::provider::aws_schema::{self, AwsSchema};

/// The values of `${...}` known at validate time: the stack's name, and the
/// environment's name taken as the longest declared one (the worst case for
/// AWS's name-length limits). Everything else is known only at plan time.
pub struct KnownValues {
    pub stack_name: String,
    pub env_name: String,
}

impl KnownValues {
    pub fn of(stack: &Stack) -> Self {
        let longest =
            stack.environments.keys().chain([&DEFAULT_ENVIRONMENT.to_string()]).max_by_key(|n| n.len()).cloned();
        Self { stack_name: stack.name.clone(), env_name: longest.unwrap_or_default() }
    }

    /// The string with its references filled in, when all of them are known.
    pub fn resolve(&self, text: &str) -> Option<String> {
        let parsed = template::parse(text).ok()?;
        let mut out = String::new();
        for part in parsed.parts {
            match part {
                Part::Literal(l) => out.push_str(&l),
                Part::Ref(Reference::StackName, _) => out.push_str(&self.stack_name),
                Part::Ref(Reference::Env(EnvKey::Name), _) => out.push_str(&self.env_name),
                Part::Ref(..) => return None,
            }
        }
        Some(out)
    }

    /// The node as JSON, with known references filled in (unknown ones stay
    /// `${...}` and make any verdict that depends on them wait for the plan).
    pub fn to_json(&self, node: &Node) -> Value {
        match &node.value {
            NodeValue::Str(s) if s.contains("${") => Value::String(self.resolve(s).unwrap_or_else(|| s.clone())),
            NodeValue::Seq(items) => Value::Array(items.iter().map(|i| self.to_json(i)).collect()),
            NodeValue::Map(entries) => {
                Value::Object(entries.iter().map(|(k, v)| (k.scalar_text(), self.to_json(v))).collect())
            }
            _ => node.to_json(),
        }
    }
}

/// Checks every resource whose type has an embedded AWS schema.
pub fn check(stack: &Stack, known: &KnownValues, diags: &mut Diagnostics) {
    for resource in stack.resources.values() {
        check_resource(resource, known.to_json(&resource.properties), known, diags);
    }
}

/// The plan-time pass: the same rules on the values the plan resolved
/// (`${env.Region}`, attributes of resources already applied), before any
/// mutating call. A value still unknown (`{"$unknown": ...}`) waits for
/// apply. Validation already passed, so whatever this finds depended on a
/// reference; it is reported at the same YAML place.
pub fn check_resolved<'a>(stack: &Stack, resolved: impl Iterator<Item = (&'a str, &'a Value)>) -> Vec<SpecDiagnostic> {
    let known = KnownValues::of(stack);
    let mut diags = Diagnostics::default();
    for (name, properties) in resolved {
        if let Some(resource) = stack.resources.get(name) {
            check_resource(resource, properties.clone(), &known, &mut diags);
        }
    }
    diags.0
}

fn check_resource(resource: &Resource, properties: Value, known: &KnownValues, diags: &mut Diagnostics) {
    let Some(schema) = aws_schema::for_type(&resource.type_name) else { return };
    let instance = aws_view(&resource.type_name, properties);
    let mut found = Vec::new();
    for error in schema.validator.iter_errors(&instance) {
        found.push(Finding::from_error(&error, "", None));
    }
    for rule in schema.extensions.iter().filter(|r| !r.rule.starts_with('W')) {
        for (at, value) in values_at(&instance, &pointer::segments(&rule.path)) {
            for error in rule.validator.iter_errors(value) {
                let mut finding = Finding::from_error(&error, &at, rule.description.as_deref());
                finding.trigger = trigger_pointer(value, &at, &rule.trigger);
                found.push(finding);
            }
        }
    }
    for finding in found {
        if let Some((d, place)) = finding.diagnostic(resource, schema, known) {
            let misspelt = finding.names_misspelt_property(&diags.0, &resource.properties.span);
            if !misspelt && !already_reported(&diags.0, &d, &place, finding.subject(), finding.is_broad()) {
                diags.push(d);
            }
        }
    }
}

/// The spec's properties as AWS sees them: strata's own additions are
/// replaced by what strata sends in their place.
pub fn aws_view(type_name: &str, mut properties: Value) -> Value {
    if type_name == "AWS::Lambda::Function" {
        // `Code: {Crate: path}` is built and uploaded by strata, which then
        // passes the zip itself (CreateFunction's ZipFile); the closest
        // CloudFormation form is an S3 location.
        if let Some(code) = properties.get_mut("Code").and_then(Value::as_object_mut) {
            if code.remove("Crate").is_some() {
                // The plan adds the built package's hash beside the crate.
                code.remove("CodeSha256");
                code.insert("S3Bucket".into(), Value::from("strata-artifacts"));
                code.insert("S3Key".into(), Value::from("lambda.zip"));
            }
        }
    }
    properties
}

/// The values at a path with `*` wildcards over list items (cfn-lint's
/// rule paths), each with its JSON pointer.
fn values_at<'v>(root: &'v Value, segments: &[String]) -> Vec<(String, &'v Value)> {
    let mut current = vec![(String::new(), root)];
    for segment in segments {
        let mut next = Vec::new();
        for (at, value) in current {
            match (segment.as_str(), value) {
                ("*", Value::Array(items)) => {
                    next.extend(items.iter().enumerate().map(|(i, v)| (format!("{at}/{i}"), v)))
                }
                (key, Value::Object(map)) => {
                    if let Some(v) = map.get(key) {
                        next.push((format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")), v));
                    }
                }
                _ => {}
            }
        }
        current = next;
    }
    current
}

/// One AWS rule a value broke, in the terms needed to report it.
struct Finding {
    /// Pointer to the value (for `required`, to the mapping missing a key).
    pointer: String,
    kind: Kind,
    /// Whether the verdict depends on a value that is still a `${...}`.
    unknown: bool,
    /// The rule's own explanation (cfn-lint extension rules carry one).
    why: Option<String>,
    /// For a conditional rule: the property whose value made it apply.
    trigger: Option<String>,
}

/// The first of a conditional rule's `if` properties that the value sets.
fn trigger_pointer(value: &Value, at: &str, trigger: &[String]) -> Option<String> {
    trigger.iter().find(|t| value.get(t.as_str()).is_some()).map(|t| format!("{at}/{t}"))
}

enum Kind {
    Enum { value: String, allowed: Vec<String> },
    Const { value: String, expected: String },
    Pattern { value: String, pattern: String },
    Minimum { value: String, limit: String },
    Maximum { value: String, limit: String },
    MultipleOf { value: String, of: String },
    MinLength { len: usize, limit: u64 },
    MaxLength { len: usize, limit: u64 },
    MinItems { len: usize, limit: u64 },
    MaxItems { len: usize, limit: u64 },
    UniqueItems,
    Required { property: String },
    Unknown { property: String },
    Type { expected: String },
    OneOf { reasons: Vec<String> },
    AnyOf { reasons: Vec<String> },
    Not,
    Custom { message: String },
}

impl Finding {
    fn from_error(error: &ValidationError<'_>, prefix: &str, why: Option<&str>) -> Finding {
        let instance: &Value = error.instance();
        let pointer = format!("{prefix}{}", error.instance_path().as_str());
        let shown = || short(instance);
        let length = || instance.as_str().map(|s| s.chars().count()).unwrap_or(0);
        let items = || instance.as_array().map(Vec::len).unwrap_or(0);
        let kind = match error.kind() {
            ValidationErrorKind::Enum { options } => Kind::Enum {
                value: shown(),
                allowed: options.as_array().map(|a| a.iter().map(short).collect()).unwrap_or_default(),
            },
            ValidationErrorKind::Constant { expected_value } => {
                Kind::Const { value: shown(), expected: short(expected_value) }
            }
            ValidationErrorKind::Pattern { pattern } => Kind::Pattern { value: shown(), pattern: pattern.clone() },
            ValidationErrorKind::Minimum { limit } | ValidationErrorKind::ExclusiveMinimum { limit } => {
                Kind::Minimum { value: shown(), limit: limit.to_string() }
            }
            ValidationErrorKind::Maximum { limit } | ValidationErrorKind::ExclusiveMaximum { limit } => {
                Kind::Maximum { value: shown(), limit: limit.to_string() }
            }
            ValidationErrorKind::MultipleOf { multiple_of } => {
                Kind::MultipleOf { value: shown(), of: format!("{multiple_of}") }
            }
            ValidationErrorKind::MinLength { limit } => Kind::MinLength { len: length(), limit: *limit },
            ValidationErrorKind::MaxLength { limit } => Kind::MaxLength { len: length(), limit: *limit },
            ValidationErrorKind::MinItems { limit } => Kind::MinItems { len: items(), limit: *limit },
            ValidationErrorKind::MaxItems { limit } => Kind::MaxItems { len: items(), limit: *limit },
            ValidationErrorKind::UniqueItems => Kind::UniqueItems,
            ValidationErrorKind::Required { property } => {
                Kind::Required { property: property.as_str().unwrap_or_default().to_string() }
            }
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                Kind::Unknown { property: unexpected.join("`, `") }
            }
            ValidationErrorKind::Type { kind } => Kind::Type { expected: type_names(kind) },
            ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::OneOfMultipleValid { context } => {
                Kind::OneOf { reasons: reasons(context) }
            }
            ValidationErrorKind::AnyOf { context } => Kind::AnyOf { reasons: reasons(context) },
            ValidationErrorKind::Not { .. } => Kind::Not,
            ValidationErrorKind::Custom { message, .. } => Kind::Custom { message: message.clone() },
            _ => Kind::Custom { message: error.to_string() },
        };
        // A missing key or a count is known even when other values are references.
        let unknown = match kind {
            Kind::Required { .. } | Kind::Unknown { .. } | Kind::MinItems { .. } | Kind::MaxItems { .. } => false,
            _ => holds_reference(instance),
        };
        Finding { pointer, kind, unknown, why: why.map(str::to_string), trigger: None }
    }

    /// Whether the finding is about a whole place rather than one value.
    fn is_broad(&self) -> bool {
        self.trigger.is_some() || matches!(self.kind, Kind::OneOf { .. } | Kind::AnyOf { .. })
    }

    /// The property a missing/unknown finding is about (others are about a place).
    /// Whether the finding says a property is missing that an earlier
    /// diagnostic in the same Properties already found misspelt ("did you
    /// mean `CidrBlock`?"): fixing the spelling fixes both.
    fn names_misspelt_property(&self, existing: &[SpecDiagnostic], properties: &Range<usize>) -> bool {
        let names: Vec<String> = match &self.kind {
            Kind::Required { property } => vec![property.clone()],
            Kind::Custom { message } => message.split('`').skip(1).step_by(2).map(str::to_string).collect(),
            _ => return false,
        };
        existing.iter().filter(|d| properties.start <= d.span.start && d.span.end <= properties.end).any(|d| {
            let hint = d.hint.as_deref().unwrap_or_default();
            names.iter().any(|n| hint.contains(&format!("did you mean `{n}`")))
        })
    }

    fn subject(&self) -> Option<&str> {
        match &self.kind {
            Kind::Required { property } | Kind::Unknown { property } => Some(property),
            _ => None,
        }
    }

    /// The diagnostic, and the span of the whole place it is about (for
    /// telling whether a more precise finding inside it exists already).
    fn diagnostic(
        &self,
        resource: &Resource,
        schema: &AwsSchema,
        known: &KnownValues,
    ) -> Option<(SpecDiagnostic, Range<usize>)> {
        if self.unknown {
            return None;
        }
        let segments = pointer::segments(&self.pointer);
        let root = &resource.properties;
        let (node, key_span) = pointer::locate_nearest(root, &segments);
        let trigger = self.trigger.as_ref().and_then(|t| pointer::locate(root, &pointer::segments(t)));
        // A conditional rule is reported where its condition was set (the
        // line the user wrote), not at the mapping that lacks something.
        let (node, key_span) = match trigger {
            Some((trigger_node, _)) => (trigger_node, Some(trigger_node.span.clone())),
            None => (node, key_span),
        };
        let place = node.span.clone();
        let path = pointer::display(&segments, root);
        let at = if path.is_empty() {
            format!("`{}` ({})", resource.name, resource.type_name)
        } else {
            format!("`{}` ({}).{path}", resource.name, resource.type_name)
        };
        // Errors about the whole Properties mapping point at the resource's name.
        let container_span = |key: &Option<Range<usize>>| {
            key.clone()
                .unwrap_or_else(|| if segments.is_empty() { resource.name_span.clone() } else { node.span.clone() })
        };
        // Most findings are about one value: a message and a label on it.
        let on_value = |code: &'static str, message: String, label: &str| {
            SpecDiagnostic::new(code, node.span.clone(), message).label(label)
        };
        let d = match &self.kind {
            Kind::Enum { value, allowed } => {
                on_value("aws::enum", format!("{value} is not a value AWS allows for {at}"), "not one of AWS's values")
                    .hint(
                        did_you_mean_hint(value.trim_matches('`'), allowed.iter().map(|a| a.trim_matches('`')))
                            .unwrap_or_else(|| format!("allowed: {}", allowed.join(", "))),
                    )
            }
            Kind::Const { value, expected } => on_value(
                "aws::value",
                format!("{at} is {value}; AWS requires {expected} here"),
                &format!("must be {expected}"),
            ),
            Kind::Pattern { value, pattern } => on_value(
                "aws::pattern",
                format!("{value} does not match the pattern AWS requires for {at}"),
                "not allowed by AWS",
            )
            .hint(format!("AWS's pattern: {pattern}")),
            Kind::Minimum { value, limit } => on_value(
                "aws::range",
                format!("{at} is {value}; AWS requires at least {limit}"),
                &format!("below the minimum of {limit}"),
            ),
            Kind::Maximum { value, limit } => on_value(
                "aws::range",
                format!("{at} is {value}; AWS allows at most {limit}"),
                &format!("above the maximum of {limit}"),
            ),
            Kind::MultipleOf { value, of } => on_value(
                "aws::range",
                format!("{at} is {value}; AWS requires a multiple of {of}"),
                &format!("not a multiple of {of}"),
            ),
            Kind::MinLength { len, limit } => on_value(
                "aws::length",
                format!("{at} is {len} characters long; AWS requires at least {limit}"),
                "too short",
            ),
            Kind::MaxLength { len, limit } => on_value(
                "aws::length",
                format!("{at} is {len} characters long; AWS allows at most {limit}"),
                "too long",
            ),
            Kind::MinItems { len, limit } => on_value(
                "aws::items",
                format!("{at} has {len} item(s); AWS requires at least {limit}"),
                "too few items",
            ),
            Kind::MaxItems { len, limit } => {
                on_value("aws::items", format!("{at} has {len} items; AWS allows at most {limit}"), "too many items")
            }
            Kind::UniqueItems => {
                on_value("aws::items", format!("{at} repeats an item; AWS requires unique items"), "duplicate items")
            }
            Kind::Required { property } => SpecDiagnostic::new(
                "aws::required",
                container_span(&key_span),
                format!("{at} is missing `{property}`, which AWS requires here"),
            )
            .label(format!("`{property}` is required"))
            .hint(format!("add `{property}:` under this mapping")),
            Kind::Unknown { property } => {
                let known = pointer_schema_keys(schema, &segments);
                let span = property_key_span(node, property).unwrap_or_else(|| container_span(&key_span));
                SpecDiagnostic::new(
                    "aws::unknown-property",
                    span,
                    format!("`{property}` is not a property AWS knows in {at}"),
                )
                .label("unknown to AWS")
                .maybe_hint(did_you_mean_hint(property, known.iter().map(String::as_str)))
            }
            Kind::Type { expected } => on_value(
                "aws::type",
                format!("{at} must be {expected} for AWS, found {}", node.kind_name()),
                &format!("expected {expected}"),
            ),
            Kind::OneOf { reasons } => SpecDiagnostic::new(
                "aws::one-of",
                container_span(&key_span),
                format!("{at} must match exactly one of the forms AWS accepts"),
            )
            .label("matches none, or more than one")
            .maybe_hint(join_reasons(reasons)),
            Kind::AnyOf { reasons } => SpecDiagnostic::new(
                "aws::any-of",
                container_span(&key_span),
                format!("{at} must match one of the forms AWS accepts"),
            )
            .label("matches none")
            .maybe_hint(join_reasons(reasons)),
            Kind::Not => on_value("aws::value", format!("{at} has a value AWS does not allow here"), "not allowed"),
            Kind::Custom { message } => {
                SpecDiagnostic::new("aws::dependent", container_span(&key_span), format!("{at}: {message}"))
                    .label("AWS rule broken here")
            }
        };
        let d = match (&self.kind, node.as_str().filter(|s| s.contains("${"))) {
            (Kind::MinLength { .. } | Kind::MaxLength { .. } | Kind::Pattern { .. }, Some(_)) => {
                let counted = format!(
                    "counting `${{stack.Name}}` as `{}` and `${{env.Name}}` as `{}`, the longest environment name",
                    known.stack_name, known.env_name
                );
                let hint = d.hint.clone().map(|h| format!("{h}; {counted}")).unwrap_or(counted);
                d.hint(hint)
            }
            _ => d,
        };
        let d = match &self.why {
            Some(why) => {
                let hint = d.hint.clone().map(|h| format!("{why} ({h})")).unwrap_or_else(|| why.clone());
                d.hint(hint)
            }
            None => d,
        };
        Some((d, place))
    }
}

/// Whether an earlier check (strata's own) already reported this place:
/// the same span (and, for a missing or unknown property, the same name), or
/// a place inside a value already reported as the wrong kind.
///
/// A finding about a whole place (one-of, any-of, a conditional rule) is
/// dropped when something more precise inside that place is reported
/// already: the user fixes that and the broad finding goes away with it.
fn already_reported(
    existing: &[SpecDiagnostic],
    new: &SpecDiagnostic,
    place: &Range<usize>,
    subject: Option<&str>,
    broad: bool,
) -> bool {
    let within = |inner: &Range<usize>, outer: &Range<usize>| outer.start <= inner.start && inner.end <= outer.end;
    existing.iter().any(|d| {
        let inside_wrong_kind = d.code == "spec::wrong-type" && within(&new.span, &d.span);
        let same_subject = subject.is_none_or(|p| d.message.contains(&format!("`{p}`")));
        inside_wrong_kind || (d.span == new.span && same_subject) || (broad && within(&d.span, place))
    })
}

/// The span of key `property` in mapping `node`.
fn property_key_span(node: &Node, property: &str) -> Option<Range<usize>> {
    node.as_map()?.iter().find(|(k, _)| k.scalar_text() == property).map(|(k, _)| k.span.clone())
}

/// The property names the AWS schema allows at a path (for "did you mean").
fn pointer_schema_keys(schema: &AwsSchema, segments: &[String]) -> Vec<String> {
    let mut current = &schema.raw;
    for segment in segments {
        let deref = schema.deref(current);
        current = match deref.get("properties").and_then(|p| p.get(segment)) {
            Some(next) => next,
            None => match deref.get("items") {
                Some(items) if segment.parse::<usize>().is_ok() => items,
                _ => return Vec::new(),
            },
        };
    }
    schema.deref(current)["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default()
}

fn holds_reference(value: &Value) -> bool {
    match value {
        Value::String(s) => template::parse(s).map(|t| t.has_references()).unwrap_or(true),
        Value::Array(items) => items.iter().any(holds_reference),
        Value::Object(map) => map.values().any(holds_reference),
        _ => false,
    }
}

/// A value as it appears in a message: strings in backticks, short.
fn short(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 80 {
        format!("`{}…`", text.chars().take(77).collect::<String>())
    } else {
        format!("`{text}`")
    }
}

fn type_names(kind: &TypeKind) -> String {
    let name = |t: &jsonschema::JsonType| match t.to_string().as_str() {
        "integer" => "an integer".to_string(),
        "object" => "a mapping".to_string(),
        "array" => "a list".to_string(),
        "boolean" => "a boolean".to_string(),
        "number" => "a number".to_string(),
        "string" => "a string".to_string(),
        other => other.to_string(),
    };
    match kind {
        TypeKind::Single(t) => name(t),
        TypeKind::Multiple(set) => set.iter().map(|t| name(&t)).collect::<Vec<_>>().join(" or "),
    }
}

/// Why the closest alternative failed (the branch with the fewest errors,
/// preferring one whose value at least has the right kind), said briefly:
/// the other branches are forms the user did not mean.
fn reasons(context: &[Vec<ValidationError<'static>>]) -> Vec<String> {
    let kind_mismatch =
        |b: &Vec<ValidationError<'static>>| b.iter().any(|e| matches!(e.kind(), ValidationErrorKind::Type { .. }));
    let best = context.iter().filter(|b| !b.is_empty()).min_by_key(|b| (b.len(), kind_mismatch(b)));
    best.into_iter().flatten().map(reason).collect()
}

fn reason(e: &ValidationError<'_>) -> String {
    let at = e.instance_path().as_str().trim_start_matches('/').replace('/', ".");
    let what = match e.kind() {
        ValidationErrorKind::MaxItems { limit } => format!("at most {limit} items"),
        ValidationErrorKind::MinItems { limit } => format!("at least {limit} items"),
        ValidationErrorKind::MaxLength { limit } => format!("at most {limit} characters"),
        ValidationErrorKind::MinLength { limit } => format!("at least {limit} characters"),
        ValidationErrorKind::Maximum { limit } => format!("at most {limit}"),
        ValidationErrorKind::Minimum { limit } => format!("at least {limit}"),
        ValidationErrorKind::Required { property } => format!("needs {property}"),
        ValidationErrorKind::Type { kind } => format!("must be {}", type_names(kind)),
        ValidationErrorKind::Enum { options } => format!("one of {options}"),
        ValidationErrorKind::Pattern { pattern } => format!("must match {pattern}"),
        _ => {
            let text = e.to_string();
            if text.chars().count() > 100 {
                format!("{}…", text.chars().take(97).collect::<String>())
            } else {
                text
            }
        }
    };
    if at.is_empty() {
        what
    } else {
        format!("{at}: {what}")
    }
}

fn join_reasons(reasons: &[String]) -> Option<String> {
    (!reasons.is_empty()).then(|| {
        let mut shown: Vec<&str> = reasons.iter().map(String::as_str).take(4).collect();
        shown.dedup();
        format!("AWS's schema says: {}", shown.join("; "))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn wildcard_paths_reach_every_list_item() {
        let v = json!({"Rules": [{"A": 1}, {"A": 2}]});
        let found: Vec<String> = values_at(&v, &pointer::segments("/Rules/*")).into_iter().map(|(p, _)| p).collect();
        assert_eq!(found, vec!["/Rules/0", "/Rules/1"]);
        assert_eq!(values_at(&v, &[]).len(), 1);
    }

    #[test]
    fn crate_code_is_seen_by_aws_as_an_s3_location() {
        let v = aws_view("AWS::Lambda::Function", json!({"Code": {"Crate": "lambdas/x"}}));
        assert_eq!(v["Code"], json!({"S3Bucket": "strata-artifacts", "S3Key": "lambda.zip"}));
    }

    #[test]
    fn references_make_a_verdict_unknown() {
        assert!(holds_reference(&json!("${Table.Arn}")));
        assert!(holds_reference(&json!({"A": ["x", "arn:${env.Region}"]})));
        assert!(!holds_reference(&json!({"A": ["x", 3]})));
    }
}
