//! The whole flagship stack on the local cloud, through the `strata` binary:
//! apply, check every resource with an independent client (boto3), a second
//! plan shows no changes, a changed property is exactly one update, and
//! destroy leaves nothing behind and an empty state.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{flat, repo_root, stderr, stdout, strata};

/// The flagship spec under a unique stack name (tests share one local cloud).
pub fn flagship_copy(dir: &Path, stack: &str) -> PathBuf {
    let text = std::fs::read_to_string(repo_root().join("stacks/acme-scheduling.yaml")).unwrap();
    let text = text.replacen("Stack: acme-scheduling", &format!("Stack: {stack}"), 1);
    let path = dir.join("stack.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The two tables' guards in the flagship spec, as written there.
const TABLE_GUARDS: &str = "      DeletionProtectionEnabled: true\n    Lifecycle:\n      PreventDestroy: true\n";

/// The tables' guards off in a flagship copy: no PreventDestroy, AWS's
/// deletion protection off (which only an apply turns off in AWS).
pub fn unprotect(spec: &Path) {
    let text = std::fs::read_to_string(spec).unwrap();
    assert_eq!(text.matches(TABLE_GUARDS).count(), 2, "both tables are guarded");
    std::fs::write(spec, text.replace(TABLE_GUARDS, "      DeletionProtectionEnabled: false\n")).unwrap();
}

/// Takes a flagship copy down on purpose, the way README's "Removing the
/// stack" says: the tables' guards turned off in the spec and applied
/// (deletion protection is a setting of the table in AWS), then destroy.
pub fn destroy_on_purpose(spec: &Path, state: &Path) -> std::process::Output {
    unprotect(spec);
    let (spec_arg, state_arg) = (spec.to_str().unwrap(), state.to_str().unwrap());
    let out = strata(&repo_root(), &["apply", spec_arg, "--state", state_arg, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "guards off:\n{}{}", stdout(&out), stderr(&out));
    strata(&repo_root(), &["destroy", spec_arg, "--state", state_arg, "--auto-approve"])
}

/// boto3 from the local cloud's virtualenv checks what landed.
pub fn oracle(mode: &str, state: &Path) -> (bool, String) {
    let cloud = strata::local::ensure_running().expect("local cloud");
    let cfg = local_cloud::LocalCloudConfig::from_env();
    let python = cfg.install_dir.join("venv/bin/python");
    let out = Command::new(python)
        .arg(repo_root().join("tests/oracle/check_stack.py"))
        .arg(mode)
        .arg(state)
        .arg(&cloud.endpoint)
        .output()
        .expect("the oracle runs");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn unique_stack(prefix: &str) -> String {
    format!("{prefix}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

#[test]
fn flagship_applies_converges_updates_and_destroys() {
    let dir = tempfile::tempdir().unwrap();
    let spec = flagship_copy(dir.path(), &unique_stack("acme-it"));
    let spec_arg = spec.to_str().unwrap();
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().unwrap();

    let out = strata(&repo_root(), &["apply", spec_arg, "--state", state_arg, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "apply failed:\n{}\n{}", stdout(&out), stderr(&out));
    let recorded: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(recorded["resources"].as_object().unwrap().len(), 46, "every resource is recorded");
    let (ok, report) = oracle("present", &state);
    assert!(ok, "what boto3 reads differs from the spec:\n{report}");

    let out = strata(&repo_root(), &["plan", spec_arg, "--state", state_arg, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "a second plan must show no changes:\n{}{}", stdout(&out), stderr(&out));

    // One property changed: exactly one update, applied and visible.
    let text = std::fs::read_to_string(&spec).unwrap();
    let changed = text.replacen("RetentionInDays: 30", "RetentionInDays: 60", 1);
    assert_ne!(text, changed);
    std::fs::write(&spec, changed).unwrap();
    let out = strata(&repo_root(), &["plan", spec_arg, "--state", state_arg, "--json"]);
    let plan: Value = serde_json::from_str(&stdout(&out)).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    let updates: Vec<&Value> = plan["changes"].as_array().unwrap().iter().filter(|c| c["action"] != "noop").collect();
    assert_eq!(updates.len(), 1, "{updates:#?}");
    assert_eq!(updates[0]["action"], "update");
    assert_eq!(updates[0]["changes"][0]["path"], "RetentionInDays");
    let out = strata(&repo_root(), &["apply", spec_arg, "--state", state_arg, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let (ok, report) = oracle("present", &state);
    assert!(ok, "after the update:\n{report}");

    // The orders are guarded twice: strata's PreventDestroy, then AWS's own
    // deletion protection. Each refusal comes before any change.
    let out = strata(&repo_root(), &["destroy", spec_arg, "--state", state_arg, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(
        flat(&stderr(&out)).contains("Table` has PreventDestroy, but this plan would destroy it"),
        "{}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(&spec, text.replace("    Lifecycle:\n      PreventDestroy: true\n", "")).unwrap();
    let out = strata(&repo_root(), &["destroy", spec_arg, "--state", state_arg, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(
        flat(&stderr(&out))
            .contains("Table` has DeletionProtectionEnabled turned on in AWS, so this plan cannot destroy it"),
        "{}",
        stderr(&out)
    );
    std::fs::write(&spec, text).unwrap();
    let (ok, report) = oracle("present", &state);
    assert!(ok, "nothing was destroyed by the refused runs:\n{report}");

    let before_destroy = dir.path().join("before-destroy.json");
    std::fs::copy(&state, &before_destroy).unwrap();
    let out = destroy_on_purpose(&spec, &state);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("scheduled for deletion"), "the KMS key's fate is said:\n{}", stdout(&out));
    let after: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert!(after["resources"].as_object().unwrap().is_empty(), "state is empty after destroy");
    let (ok, report) = oracle("absent", &before_destroy);
    assert!(ok, "left behind after destroy:\n{report}");
}
