//! Finds every `${...}` in properties and outputs, checks that it names an
//! existing resource and attribute, and records the dependency edges.

use std::collections::HashSet;
use std::ops::Range;

use super::diagnostic::{did_you_mean_hint, SpecDiagnostic};
use super::load::Diagnostics;
use super::model::Stack;
use super::properties::sub_span;
use super::template::{self, Reference};
use super::yaml::{Node, NodeValue};

/// Calls `f` for every string scalar below `node` (map keys excluded).
pub fn for_each_string<'n>(node: &'n Node, f: &mut dyn FnMut(&'n Node, &'n str)) {
    match &node.value {
        NodeValue::Str(s) => f(node, s),
        NodeValue::Seq(items) => items.iter().for_each(|i| for_each_string(i, f)),
        NodeValue::Map(entries) => entries.iter().for_each(|(_, v)| for_each_string(v, f)),
        _ => {}
    }
}

/// Checks references and fills each resource's `dependencies`.
pub fn check_references(stack: &mut Stack, diags: &mut Diagnostics) {
    let src = stack.source.text.clone();
    let names: Vec<String> = stack.resources.keys().cloned().collect();
    let mut all_deps: Vec<Vec<(String, Range<usize>)>> = Vec::new();
    for resource in stack.resources.values() {
        let mut deps: Vec<(String, Range<usize>)> = Vec::new();
        // A policy may name hundreds of resources: a set keeps the
        // first-seen check linear in the number of references.
        let mut seen: HashSet<String> = HashSet::new();
        let mut check = |node: &Node, text: &str| {
            for (target, span) in check_string(stack, &names, &src, node, text, diags) {
                if seen.insert(target.clone()) {
                    deps.push((target, span));
                }
            }
        };
        for_each_string(&resource.properties, &mut check);
        for (target, span) in &resource.depends_on {
            if !stack.resources.contains_key(target) {
                diags.push(
                    SpecDiagnostic::new(
                        "spec::unknown-resource",
                        span.clone(),
                        format!("`DependsOn` names `{target}`, which is not a resource of this stack"),
                    )
                    .label("unknown resource")
                    .maybe_hint(did_you_mean_hint(target, names.iter().map(String::as_str))),
                );
            } else if target == &resource.name {
                diags.push(
                    SpecDiagnostic::new(
                        "spec::dependency-cycle",
                        span.clone(),
                        format!("`{target}` depends on itself"),
                    )
                    .label("self-dependency")
                    .hint("remove it from its own DependsOn"),
                );
            } else if seen.insert(target.clone()) {
                deps.push((target.clone(), span.clone()));
            }
        }
        all_deps.push(deps);
    }
    for (resource, deps) in stack.resources.values_mut().zip(all_deps) {
        resource.dependencies = deps;
    }
    for output in stack.outputs.values() {
        for_each_string(&output.value, &mut |node, text| {
            check_string(stack, &names, &src, node, text, diags);
        });
    }
}

fn unknown_parameter(stack: &Stack, name: &str, span: Range<usize>) -> SpecDiagnostic {
    SpecDiagnostic::new("spec::unknown-parameter", span, format!("`${{param.{name}}}` names no declared parameter"))
        .label("unknown parameter")
        .hint(did_you_mean_hint(name, stack.parameters.keys().map(String::as_str)).unwrap_or_else(|| {
            String::from("declare it under the top-level `Parameters`, e.g. `Name: {Type: String, Default: x}`")
        }))
}

/// Parses one string's template and checks its references; returns the
/// resources it refers to with the span of each reference.
fn check_string(
    stack: &Stack,
    names: &[String],
    src: &str,
    node: &Node,
    text: &str,
    diags: &mut Diagnostics,
) -> Vec<(String, Range<usize>)> {
    let t = match template::parse(text) {
        Ok(t) => t,
        Err(e) => {
            diags.push(
                SpecDiagnostic::new("spec::invalid-reference", sub_span(src, node, text, e.span.clone()), e.message)
                    .label("malformed reference")
                    .maybe_hint(e.hint),
            );
            return Vec::new();
        }
    };
    let mut found = Vec::new();
    for (reference, inner) in t.references() {
        if let Reference::Param(name) = reference {
            if !stack.parameters.contains_key(name) {
                diags.push(unknown_parameter(stack, name, sub_span(src, node, text, inner.clone())));
            }
            continue;
        }
        let Reference::Resource { name, attribute } = reference else {
            continue;
        };
        let span = sub_span(src, node, text, inner.clone());
        let Some(target) = stack.resources.get(name) else {
            diags.push(
                SpecDiagnostic::new(
                    "spec::unknown-resource",
                    span,
                    format!("`{reference}` refers to `{name}`, which is not a resource of this stack"),
                )
                .label("unknown resource")
                .hint(did_you_mean_hint(name, names.iter().map(String::as_str)).unwrap_or_else(|| {
                    String::from(
                        "references name a logical resource: `${Name.Attribute}`; other roots are `env` and `stack`",
                    )
                })),
            );
            continue;
        };
        if let Some(schema) = target.schema {
            if !schema.has_attribute(attribute) {
                diags.push(
                    SpecDiagnostic::new(
                        "spec::unknown-attribute",
                        span.clone(),
                        format!("`{}` ({}) has no attribute `{attribute}`", name, target.type_name),
                    )
                    .label("unknown attribute")
                    .hint(
                        did_you_mean_hint(attribute, schema.attributes.iter().copied())
                            .unwrap_or_else(|| format!("its attributes are: {}", schema.attributes.join(", "))),
                    ),
                );
                continue;
            }
        }
        found.push((name.clone(), span));
    }
    found
}
