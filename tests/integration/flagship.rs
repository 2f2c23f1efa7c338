//! The flagship stack validates, and plans every resource as a create in
//! dependency order on empty state.

use serde_json::Value;

use crate::support::{repo_root, stderr, stdout, strata};

const FLAGSHIP: &str = "stacks/acme-scheduling.yaml";

#[test]
fn flagship_stack_validates() {
    let out = strata(&repo_root(), &["validate", FLAGSHIP]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn flagship_plan_on_empty_state_creates_everything_in_dependency_order() {
    let dir = tempfile::tempdir().unwrap();
    let spec = repo_root().join(FLAGSHIP);
    let state = dir.path().join("state.json");
    let out = strata(&repo_root(), &["plan", spec.to_str().unwrap(), "--state", state.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let changes = plan["changes"].as_array().unwrap();
    assert!(changes.len() >= 40, "the flagship stack has every resource of the system ({} found)", changes.len());
    let mut seen = std::collections::HashSet::new();
    for c in changes {
        assert_eq!(c["action"], "create", "{}", c["name"]);
        for dep in c["dependencies"].as_array().unwrap() {
            assert!(seen.contains(dep.as_str().unwrap()), "{} is planned before its dependency {dep}", c["name"]);
        }
        seen.insert(c["name"].as_str().unwrap().to_owned());
    }
    // The human plan shows the same creates and the summary line.
    let out = strata(&repo_root(), &["plan", spec.to_str().unwrap(), "--state", state.to_str().unwrap()]);
    assert!(stdout(&out).contains(&format!("Plan: {} to add, 0 to change, 0 to replace, 0 to destroy.", changes.len())));
}
