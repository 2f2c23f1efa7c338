//! Saved plans: `plan --out` records the state lineage, serial and spec
//! digest; `show` (and later `apply`) refuses the plan once any moved on.

use serde_json::{json, Value};

use crate::support::{stderr, stdout, Scratch};

const SPEC: &str = "\
Stack: demo
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /demo
      RetentionInDays: 14
";

fn state(serial: u64) -> Value {
    json!({
        "version": 1, "lineage": "11111111-2222-4333-8444-555555555555", "serial": serial,
        "stack": "demo", "environment": "local",
        "resources": {}
    })
}

#[test]
fn saved_plan_records_what_it_was_made_against() {
    let s = Scratch::with_spec(SPEC);
    s.write_state(&state(3));
    let out = s.run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--out", "plans/next.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Saved the plan to plans/next.json"));
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(s.path().join("plans/next.json")).unwrap()).unwrap();
    assert_eq!(saved["plan"]["state_lineage"], "11111111-2222-4333-8444-555555555555");
    assert_eq!(saved["plan"]["state_serial"], 3);
    assert_eq!(saved["plan"]["spec_digest"].as_str().unwrap().len(), 64);

    let shown = s.run(&["show", "plans/next.json", "--state", "state.json"]);
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    assert!(stdout(&shown).contains("The plan is current"));
}

#[test]
fn saved_plan_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scratch::with_spec(SPEC);
    s.write_state(&state(3));
    // One new file, and one written over a world-readable file of that name.
    std::fs::write(s.path().join("old.json"), "{}").unwrap();
    std::fs::set_permissions(s.path().join("old.json"), std::fs::Permissions::from_mode(0o644)).unwrap();
    for out_path in ["plans/new.json", "old.json"] {
        let out = s.run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--out", out_path]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let mode = std::fs::metadata(s.path().join(out_path)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{out_path} has mode {:o}", mode & 0o777);
        let saved: Value = serde_json::from_str(&std::fs::read_to_string(s.path().join(out_path)).unwrap()).unwrap();
        assert_eq!(saved["plan"]["state_serial"], 3, "{out_path} holds the plan");
    }
    let leftovers: Vec<_> = std::fs::read_dir(s.path().join("plans")).unwrap().filter_map(Result::ok).collect();
    assert_eq!(leftovers.len(), 1, "no temp file is left beside the plan");
}

#[test]
fn saved_plan_is_refused_after_the_state_serial_changed() {
    let s = Scratch::with_spec(SPEC);
    s.write_state(&state(3));
    assert!(s
        .run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--out", "p.json"])
        .status
        .success());
    s.write_state(&state(4));
    let out = s.run(&["show", "p.json", "--state", "state.json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("stale") && err.contains("serial 3") && err.contains("serial 4"), "{err}");
}

#[test]
fn saved_plan_is_refused_against_another_lineage() {
    let s = Scratch::with_spec(SPEC);
    s.write_state(&state(3));
    assert!(s
        .run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--out", "p.json"])
        .status
        .success());
    let mut other = state(3);
    other["lineage"] = json!("99999999-2222-4333-8444-555555555555");
    s.write_state(&other);
    let out = s.run(&["show", "p.json", "--state", "state.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("lineage"), "{}", stderr(&out));
}

#[test]
fn saved_plan_is_refused_after_the_spec_changed() {
    let s = Scratch::with_spec(SPEC);
    s.write_state(&state(3));
    assert!(s
        .run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--out", "p.json"])
        .status
        .success());
    s.write_spec(&SPEC.replace("14", "30"));
    let out = s.run(&["show", "p.json", "--state", "state.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("spec stack.yaml changed"), "{}", stderr(&out));
}

/// A saved plan is a file: one edited after review to destroy a resource
/// that has `PreventDestroy` is refused by the apply, which checks the spec
/// and the state again, before anything is touched.
#[test]
fn an_edited_saved_plan_cannot_destroy_what_the_spec_protects() {
    let protected = SPEC.replace(
        "      RetentionInDays: 14\n",
        "      RetentionInDays: 14\n    Lifecycle:\n      PreventDestroy: true\n",
    );
    let s = Scratch::with_spec(&protected);
    let mut recorded = state(3);
    recorded["resources"]["Logs"] = json!({
        "type": "AWS::Logs::LogGroup", "physical_id": "/demo",
        "properties": {"LogGroupName": "/demo", "RetentionInDays": 14},
        "attributes": {"LogGroupName": "/demo"}, "dependencies": [], "prevent_destroy": true
    });
    s.write_state(&recorded);
    let out = s.run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--out", "p.json"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));

    let path = s.path().join("p.json");
    let mut saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let changes = saved["plan"]["changes"].as_array_mut().unwrap();
    let logs = changes.iter_mut().find(|c| c["name"] == "Logs").expect("Logs is in the plan");
    logs["action"] = json!("delete");
    logs["after"] = Value::Null;
    std::fs::write(&path, serde_json::to_string(&saved).unwrap()).unwrap();

    let out = s.run(&["apply", "p.json", "--state", "state.json", "--auto-approve"]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("`Logs` has PreventDestroy, but this plan would destroy it"), "{}", stderr(&out));
    let after: Value = serde_json::from_str(&std::fs::read_to_string(s.path().join("state.json")).unwrap()).unwrap();
    assert_eq!(after["serial"], 3, "nothing applied");
    assert!(after["resources"]["Logs"].is_object());
}
