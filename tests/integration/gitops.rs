//! The GitOps workflow: `scripts/gitops-local` runs the workflow's own steps
//! (`scripts/gitops plan|apply|drift`) against the local cloud and must come
//! out green; and the workflow file runs strata through those steps only, so
//! the local run and CI cannot drift apart.

use std::process::Command;

use crate::drift::SPEC;
use crate::support::{repo_root, stderr, stdout, Scratch};

#[test]
fn gitops_local_plans_applies_the_reviewed_plan_and_finds_no_drift() {
    let stack = format!("gitops-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let s = Scratch::with_spec(&SPEC.replace("STACK", &stack));
    let out = std::process::Command::new(repo_root().join("scripts/gitops-local"))
        .arg("stack.yaml")
        .current_dir(s.path())
        .env("STRATA", env!("CARGO_BIN_EXE_strata"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    for step in ["== plan (pull request)", "== apply the reviewed plan (merge)", "== drift (nightly)"] {
        assert!(text.contains(step), "{step} missing:\n{text}");
    }
    let work = text.lines().last().and_then(|l| l.split("reports in ").nth(1)).expect("the reports' directory");
    let work = std::path::Path::new(work.trim());
    // The apply was of the saved artifact, and it created the resources.
    let events: Vec<serde_json::Value> = std::fs::read_to_string(work.join("apply.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events[0]["type"], "plan");
    assert!(events.iter().any(|e| e["event"] == "finished" && e["name"] == "Orders"), "{events:#?}");
    assert!(!events.iter().any(|e| e["event"] == "failed"), "{events:#?}");
    assert!(std::fs::read_dir(work.join("reviewed")).unwrap().next().is_some(), "the artifact was kept");
    let drift: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(work.join("drift.json")).unwrap()).unwrap();
    assert!(drift["resources"].as_array().unwrap().iter().all(|r| r["status"] == "IN_SYNC"), "{drift:#}");
    // The review also got the cost estimate.
    assert!(std::fs::read_to_string(work.join("cost.txt")).unwrap().contains("Orders"));
    let _ = std::fs::remove_dir_all(work);
}

#[test]
fn the_workflow_runs_strata_only_through_scripts_gitops() {
    let workflow = std::fs::read_to_string(repo_root().join("docs/workflows/strata.yml")).unwrap();
    let runs: Vec<&str> = workflow.lines().filter_map(|l| l.trim().strip_prefix("run: ")).collect();
    for job in
        ["scripts/gitops plan plans/pr.json", "scripts/gitops apply reviewed/plans/pr.json", "scripts/gitops drift"]
    {
        assert!(runs.contains(&job), "the workflow does not run `{job}`: {runs:#?}");
    }
    for direct in ["strata plan", "strata apply", "strata drift", "/strata plan"] {
        assert!(!runs.iter().any(|r| r.contains(direct)), "`{direct}` outside scripts/gitops: {runs:#?}");
    }
    // The reviewed plan is found by the PR's head commit, not the merge's.
    assert!(
        !workflow.contains("github.event.after"),
        "a push's `after` is the merge commit, which no plan was made for"
    );
    assert_eq!(
        workflow.matches("strata-plan-${{ github.event.pull_request.head.sha }}").count(),
        2,
        "upload and download"
    );
    // Every job installs the pinned toolchain, and the pin is the toolchain
    // these tests were built with, so what CI reviewed is what was tested.
    let rustc = Command::new("rustc").arg("--version").output().expect("rustc runs");
    let tested = String::from_utf8_lossy(&rustc.stdout).split_whitespace().nth(1).unwrap_or_default().to_owned();
    assert!(workflow.contains(&format!("RUST_TOOLCHAIN: \"{tested}\"")), "the workflow pins rustc {tested}");
    assert_eq!(runs.iter().filter(|r| r.starts_with("rustup toolchain install \"$RUST_TOOLCHAIN\"")).count(), 3);
    // Not a root rust-toolchain.toml: rustup would then need a toolchain of
    // exactly that name before any cargo command, which a machine without
    // it and without access to static.rust-lang.org cannot get.
    assert!(!repo_root().join("rust-toolchain.toml").exists());
}
