//! Checks resource properties against the type registry: unknown and missing
//! properties, value kinds, enums, CIDR blocks and schedule expressions.

use std::ops::Range;

use super::diagnostic::{did_you_mean_hint, SpecDiagnostic};
use super::load::Diagnostics;
use super::template;
use super::yaml::{Node, NodeValue};
use crate::provider::schema::{PropertySchema, ValueType};

/// Checks one resource's `Properties` mapping against its schema.
pub fn check_properties(
    src: &str,
    properties: &Node,
    schema_props: &'static [PropertySchema],
    owner_span: Range<usize>,
    context: &str,
    diags: &mut Diagnostics,
) {
    check_object(src, properties, schema_props, owner_span, context, diags);
}

fn check_object(
    src: &str,
    node: &Node,
    props: &'static [PropertySchema],
    owner_span: Range<usize>,
    context: &str,
    diags: &mut Diagnostics,
) {
    let Some(entries) = node.as_map() else { return };
    // A misspelt required property is reported once, as the misspelling.
    let mut suggested: Vec<&str> = Vec::new();
    for (key, value) in entries {
        let name = key.scalar_text();
        match props.iter().find(|p| p.name == name) {
            Some(p) => check_value(src, value, &p.ty, &format!("{context}.{name}"), diags),
            None => {
                if let Some(s) = super::diagnostic::did_you_mean(&name, props.iter().map(|p| p.name)) {
                    suggested.push(s);
                }
                diags.push(
                    SpecDiagnostic::new(
                        "spec::unknown-property",
                        key.span.clone(),
                        format!("unknown property `{name}` in {context}"),
                    )
                    .label("not a property of this type")
                    .hint(did_you_mean_hint(&name, props.iter().map(|p| p.name)).unwrap_or_else(
                        || {
                            let names: Vec<_> = props.iter().map(|p| p.name).collect();
                            format!("known properties: {}", names.join(", "))
                        },
                    )),
                )
            }
        }
    }
    for p in props.iter().filter(|p| p.required && !suggested.contains(&p.name)) {
        if node.get(p.name).is_none() {
            diags.push(
                SpecDiagnostic::new(
                    "spec::missing-property",
                    owner_span.clone(),
                    format!("{context} is missing the required property `{}`", p.name),
                )
                .label(format!("`{}` is required here", p.name))
                .hint(format!("add `{}:` under this mapping", p.name)),
            );
        }
    }
}

/// A lone `${...}` stands in for any type: its value is known after apply.
fn is_lone_reference(node: &Node) -> bool {
    node.as_str().and_then(|s| template::parse(s).ok()).is_some_and(|t| t.single_reference().is_some())
}

fn wrong_type(node: &Node, expected: &str, context: &str) -> SpecDiagnostic {
    let mut d = SpecDiagnostic::new(
        "spec::wrong-type",
        node.span.clone(),
        format!("{context} must be {expected}, found {}", node.kind_name()),
    )
    .label(format!("expected {expected}"));
    if let NodeValue::Str(s) = &node.value {
        if expected == "an integer" && s.trim().parse::<i64>().is_ok() {
            d = d.hint("remove the quotes so YAML reads it as a number");
        } else if expected == "a boolean" && matches!(s.as_str(), "true" | "false") {
            d = d.hint("remove the quotes so YAML reads it as a boolean");
        }
    }
    d
}

fn check_value(src: &str, node: &Node, ty: &ValueType, context: &str, diags: &mut Diagnostics) {
    if is_lone_reference(node) {
        return;
    }
    match (ty, &node.value) {
        (ValueType::Json, _) => {}
        (ValueType::String, NodeValue::Str(_) | NodeValue::Int(_) | NodeValue::Float(_)) => {}
        (ValueType::Integer, NodeValue::Int(_)) => {}
        (ValueType::Boolean, NodeValue::Bool(_)) => {}
        (ValueType::Enum(allowed), NodeValue::Str(s)) => {
            if !allowed.contains(&s.as_str()) && !has_reference(s) {
                diags.push(
                    SpecDiagnostic::new(
                        "spec::invalid-value",
                        node.span.clone(),
                        format!("`{s}` is not a valid value for {context}"),
                    )
                    .label("not one of the allowed values")
                    .hint(
                        did_you_mean_hint(s, allowed.iter().copied())
                            .unwrap_or_else(|| format!("allowed: {}", allowed.join(", "))),
                    ),
                );
            }
        }
        (ValueType::Cidr, NodeValue::Str(s)) => {
            if !has_reference(s) {
                if let Err(d) = parse_cidr(s, node.span.clone(), context) {
                    diags.push(d);
                }
            }
        }
        (ValueType::ScheduleExpression, NodeValue::Str(s)) => {
            if !has_reference(s) {
                if let Err(e) = schedule_expr::parse(s) {
                    let span = sub_span(src, node, s, e.span.clone());
                    diags.push(
                        SpecDiagnostic::new(
                            "spec::invalid-schedule",
                            span,
                            format!("invalid schedule expression for {context}: {}", e.message),
                        )
                        .label("invalid here")
                        .maybe_hint(e.hint.clone()),
                    );
                }
            }
        }
        (ValueType::List(item_ty), NodeValue::Seq(items)) => {
            for (i, item) in items.iter().enumerate() {
                check_value(src, item, item_ty, &format!("{context}[{i}]"), diags);
            }
        }
        (ValueType::Map(value_ty), NodeValue::Map(entries)) => {
            for (k, v) in entries {
                check_value(src, v, value_ty, &format!("{context}.{}", k.scalar_text()), diags);
            }
        }
        (ValueType::Object(props), NodeValue::Map(_)) => {
            check_object(src, node, props, node.span.clone(), context, diags)
        }
        (expected, _) => diags.push(wrong_type(node, expected_name(expected), context)),
    }
}

fn has_reference(s: &str) -> bool {
    template::parse(s).map(|t| t.has_references()).unwrap_or(true)
}

fn expected_name(ty: &ValueType) -> &'static str {
    match ty {
        ValueType::String => "a string",
        ValueType::Integer => "an integer",
        ValueType::Boolean => "a boolean",
        ValueType::Enum(_) => "one of a fixed set of strings",
        ValueType::Cidr => "a CIDR block string",
        ValueType::ScheduleExpression => "a schedule expression string",
        ValueType::List(_) => "a list",
        ValueType::Map(_) | ValueType::Object(_) => "a mapping",
        ValueType::Json => "any value",
    }
}

/// Maps `inner` (a byte range inside the string value `text` of `node`) to
/// the file. Plain and simply quoted scalars hold the value verbatim; when
/// escapes or folding make source and value differ, the whole node is used.
pub fn sub_span(src: &str, node: &Node, text: &str, inner: Range<usize>) -> Range<usize> {
    let span = node.span.clone();
    let Some(raw) = src.get(span.clone()) else {
        return span;
    };
    match raw.find(text) {
        Some(at) if inner.end <= text.len() => span.start + at + inner.start..span.start + at + inner.end,
        _ => span,
    }
}

/// Parses an IPv4 or IPv6 CIDR block, rejecting host bits.
pub fn parse_cidr(s: &str, span: Range<usize>, context: &str) -> Result<ipnet::IpNet, SpecDiagnostic> {
    let net: ipnet::IpNet = s.parse().map_err(|_| {
        SpecDiagnostic::new(
            "spec::invalid-cidr",
            span.clone(),
            format!("`{s}` is not a valid CIDR block for {context}"),
        )
        .label("invalid CIDR")
        .hint("write an address and a prefix length, e.g. 10.0.1.0/24")
    })?;
    if net.network() != net.addr() {
        return Err(SpecDiagnostic::new("spec::invalid-cidr", span, format!("`{s}` has host bits set"))
            .label("not a network address")
            .hint(format!("did you mean `{}`?", net.trunc())));
    }
    Ok(net)
}
