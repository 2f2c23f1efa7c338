//! `strata graph`: the dependency graph of a spec, or of a saved plan with
//! each resource's action, as DOT or as SVG through Graphviz.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::OpsError;
use crate::graph::{NodeSpec, ResourceGraph};
use crate::plan::{Action, Planfile};
use crate::render::graph_dot::{self, Picture};

/// What to draw: a spec, or a saved plan (which records every resource it
/// keeps, changes or deletes, with its dependencies).
pub enum Source<'a> {
    Spec(&'a Path),
    Plan(&'a Path),
}

/// strata has no table of typical durations per resource type (the apply
/// latency bench measures each run's own), so the critical path counts
/// operations: the longest chain of resources the apply must do one after
/// another.
const WEIGHED_BY: &str = "count of resource operations";

pub fn graph_dot(source: Source<'_>) -> Result<String, OpsError> {
    match source {
        Source::Spec(spec_path) => {
            let stack = crate::spec::load_file(spec_path)?;
            let graph = crate::spec::dependency_graph(&stack);
            // Without a plan, every resource is an operation (a first apply).
            let critical = graph.critical_path(|_| 1);
            Ok(graph_dot::render(
                &graph,
                &Picture { title: &stack.name, actions: None, critical: &critical, weighed_by: WEIGHED_BY },
            ))
        }
        Source::Plan(plan_path) => {
            let planfile = Planfile::load(plan_path)?;
            let plan = &planfile.plan;
            // A deposed object shares its name with its replacement: one box.
            let changes: Vec<_> = plan.changes.iter().filter(|c| !c.deposed).collect();
            let graph = ResourceGraph::build(changes.iter().map(|c| NodeSpec {
                name: &c.name,
                label: &c.type_name,
                depends_on: c.dependencies.iter().map(|d| (d.as_str(), 0..0)).collect(),
            }));
            let actions: HashMap<String, Action> = changes.iter().map(|c| (c.name.clone(), c.action)).collect();
            // What the plan leaves alone takes no time.
            let critical = graph.critical_path(|name| u64::from(actions.get(name).is_some_and(|a| *a != Action::NoOp)));
            let title = format!("{} ({})", plan.stack, plan.environment);
            Ok(graph_dot::render(
                &graph,
                &Picture { title: &title, actions: Some(&actions), critical: &critical, weighed_by: WEIGHED_BY },
            ))
        }
    }
}

/// Renders DOT to an SVG file with Graphviz's `dot`.
pub fn render_svg(dot: &str, svg_path: &Path) -> Result<(), OpsError> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .arg("-o")
        .arg(svg_path)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| OpsError::Graphviz { source })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(dot.as_bytes()).map_err(|source| OpsError::Graphviz { source })?;
    }
    let output = child.wait_with_output().map_err(|source| OpsError::Graphviz { source })?;
    if !output.status.success() {
        return Err(OpsError::GraphvizFailed { stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned() });
    }
    Ok(())
}
