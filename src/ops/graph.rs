//! `strata graph`: the dependency graph as DOT, or SVG through Graphviz.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::OpsError;

pub fn graph_dot(spec_path: &Path) -> Result<String, OpsError> {
    let stack = crate::spec::load_file(spec_path)?;
    Ok(crate::spec::dependency_graph(&stack).to_dot(&stack.name))
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
