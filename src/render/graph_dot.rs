//! `strata graph` as Graphviz DOT: one box per resource (name and type),
//! an arrow from each resource to what it depends on (as `terraform graph`
//! draws them), resources grouped in a cluster per service family
//! (`graph::family`), the critical path drawn bold, and, for a saved plan,
//! each box filled with its action's colour and a legend.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::graph::family::Family;
use crate::graph::ResourceGraph;
use crate::plan::Action;

/// What to draw besides the graph itself.
pub struct Picture<'a> {
    pub title: &'a str,
    /// Each resource's action in a saved plan (`None`: no plan, no colours).
    pub actions: Option<&'a HashMap<String, Action>>,
    /// The critical path, first dependency first.
    pub critical: &'a [&'a str],
    /// How the critical path was weighed, for the caption.
    pub weighed_by: &'a str,
}

/// The fill colour of each action (ColorBrewer-like, readable in print).
fn colour(action: Action) -> &'static str {
    match action {
        Action::Create => "#b7e4c7",
        Action::Update => "#ffe08a",
        Action::Replace => "#f4a261",
        Action::Delete => "#e76f51",
        Action::NoOp => "#eeeeee",
    }
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Replace => "replace",
        Action::Delete => "delete",
        Action::NoOp => "no-op",
    }
}

pub fn render(graph: &ResourceGraph, picture: &Picture<'_>) -> String {
    let critical: HashSet<&str> = picture.critical.iter().copied().collect();
    let critical_edges: HashSet<(&str, &str)> = picture.critical.windows(2).map(|w| (w[1], w[0])).collect();
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(picture.title));
    let _ = writeln!(out, "  rankdir=LR;");
    let _ = writeln!(out, "  labelloc=b;");
    let _ = writeln!(
        out,
        "  label={};",
        quote(&format!(
            "{}: critical path in bold, {} resources (weighed by {})",
            picture.title,
            picture.critical.len(),
            picture.weighed_by
        ))
    );
    let _ = writeln!(out, "  node [shape=box, style=\"rounded,filled\", fillcolor=\"white\", fontname=\"Helvetica\"];");
    let _ = writeln!(out, "  edge [color=\"gray50\"];");
    let mut by_family: Vec<(Family, Vec<(&str, &str)>)> = Family::ALL.iter().map(|f| (*f, Vec::new())).collect();
    for (name, type_name) in graph.nodes() {
        let family = Family::of(type_name);
        if let Some((_, nodes)) = by_family.iter_mut().find(|(f, _)| *f == family) {
            nodes.push((name, type_name));
        }
    }
    for (family, nodes) in by_family.iter().filter(|(_, nodes)| !nodes.is_empty()) {
        let _ = writeln!(out, "  subgraph {} {{", quote(family.cluster_id()));
        let _ = writeln!(out, "    label={};", quote(family.label()));
        let _ = writeln!(out, "    style=\"rounded,dashed\";");
        let _ = writeln!(out, "    color=\"gray60\";");
        for (name, type_name) in nodes {
            let mut attrs = vec![format!("label={}", quote(&format!("{name}\n{type_name}")))];
            if let Some(action) = picture.actions.and_then(|a| a.get(*name)) {
                attrs.push(format!("fillcolor=\"{}\"", colour(*action)));
                attrs.push(format!("tooltip={}", quote(action_name(*action))));
            }
            if critical.contains(name) {
                attrs.push("penwidth=3".into());
            }
            let _ = writeln!(out, "    {} [{}];", quote(name), attrs.join(", "));
        }
        let _ = writeln!(out, "  }}");
    }
    for (dependent, dependency) in graph.edges() {
        let bold =
            if critical_edges.contains(&(dependent, dependency)) { " [penwidth=3, color=\"black\"]" } else { "" };
        let _ = writeln!(out, "  {} -> {}{bold};", quote(dependent), quote(dependency));
    }
    if picture.actions.is_some() {
        legend(&mut out);
    }
    out.push_str("}\n");
    out
}

/// One box per action, in the plan's own order of severity.
fn legend(out: &mut String) {
    let _ = writeln!(out, "  subgraph \"cluster_legend\" {{");
    let _ = writeln!(out, "    label=\"Plan actions\";");
    let _ = writeln!(out, "    style=\"rounded\";");
    let _ = writeln!(out, "    color=\"gray60\";");
    let actions = [Action::Create, Action::Update, Action::Replace, Action::Delete, Action::NoOp];
    for action in actions {
        let name = action_name(action);
        let _ = writeln!(out, "    \"legend {name}\" [label=\"{name}\", fillcolor=\"{}\"];", colour(action));
    }
    let _ = writeln!(out, "    \"legend critical\" [label=\"critical path\", penwidth=3];");
    // Invisible edges keep the legend in one column.
    let names: Vec<String> = actions.iter().map(|a| format!("\"legend {}\"", action_name(*a))).collect();
    let _ = writeln!(out, "    {} -> \"legend critical\" [style=invis];", names.join(" -> "));
    let _ = writeln!(out, "  }}");
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}
