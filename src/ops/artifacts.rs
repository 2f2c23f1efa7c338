//! Builds the Lambda packages a stack ships (`Code: { Crate: ... }`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::OpsError;
use crate::build::{self, Artifact};
use crate::spec::Stack;

/// Crate paths named by `Code.Crate` anywhere in the stack, sorted, once each.
pub fn crates_of(stack: &Stack) -> Vec<String> {
    let mut crates: Vec<String> = stack
        .resources
        .values()
        .filter_map(|r| r.properties.get("Code")?.get("Crate")?.as_str().map(str::to_owned))
        .collect();
    crates.sort();
    crates.dedup();
    crates
}

/// The workspace root the crate paths are relative to: the nearest directory
/// at or above the spec file that has a Cargo.toml with `[workspace]`.
pub fn workspace_root(spec_path: &Path) -> PathBuf {
    let start = spec_path.canonicalize().unwrap_or_else(|_| spec_path.to_path_buf());
    let mut dir = start.parent();
    while let Some(d) = dir {
        let manifest = d.join("Cargo.toml");
        if std::fs::read_to_string(&manifest).is_ok_and(|t| t.contains("[workspace]")) {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    std::env::current_dir().unwrap_or_default()
}

/// Builds every package of the stack.
pub fn build_all(stack: &Stack) -> Result<BTreeMap<String, Artifact>, OpsError> {
    let root = workspace_root(&stack.source.path);
    let mut out = BTreeMap::new();
    for crate_path in crates_of(stack) {
        let artifact = build::package(&root, &crate_path)?;
        out.insert(crate_path, artifact);
    }
    Ok(out)
}

/// crate path -> CodeSha256.
pub fn hashes(artifacts: &BTreeMap<String, Artifact>) -> BTreeMap<String, String> {
    artifacts.iter().map(|(k, a)| (k.clone(), a.code_sha256.clone())).collect()
}
