//! The local state belongs to the spec, not to the directory strata was
//! started from (issue #12): the same spec run from two directories finds
//! the same state, and a state left where older versions put it (relative
//! to the working directory) stops the run with the move to make, instead
//! of a plan that creates everything again.

use crate::support::{flat, stderr, stdout, strata, Scratch};

const SPEC: &str = r#"Stack: STACK
Resources:
  AppLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /strata/STACK/app
      RetentionInDays: 7
"#;

#[test]
fn the_state_is_found_next_to_the_spec_from_any_directory() {
    let stack = format!("statepath-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let s = Scratch::with_spec("");
    let dir = s.path().join("infra");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("stack.yaml"), SPEC.replace("STACK", &stack)).unwrap();

    let apply = s.run(&["apply", "infra/stack.yaml", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}{}", stdout(&apply), stderr(&apply));
    let beside = dir.join(format!(".strata/state/{stack}/local.json"));
    assert!(beside.exists(), "state beside the spec at {}", beside.display());
    assert!(!s.path().join(".strata").exists(), "nothing in the working directory");

    // From the spec's own directory: the same state, nothing to do.
    let plan = strata(&dir, &["plan", "stack.yaml", "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "no changes: {}{}", stdout(&plan), stderr(&plan));

    // An older strata's state, relative to the working directory: moved there
    // by hand here, as an upgrade would find it.
    let old = s.path().join(format!(".strata/state/{stack}/local.json"));
    std::fs::create_dir_all(old.parent().unwrap()).unwrap();
    std::fs::rename(&beside, &old).unwrap();
    let plan = s.run(&["plan", "infra/stack.yaml"]);
    let err = flat(&stderr(&plan));
    assert_eq!(plan.status.code(), Some(1), "{}{err}", stdout(&plan));
    assert!(err.contains(&format!("the state is at .strata/state/{stack}/local.json")), "{err}");
    assert!(err.contains(&format!("infra/.strata/state/{stack}/local.json")), "{err}");
    assert!(err.contains("mv "), "says how to move it: {err}");
    assert!(!stdout(&plan).contains("will be created"), "no plan to create it again: {}", stdout(&plan));

    std::fs::create_dir_all(beside.parent().unwrap()).unwrap();
    std::fs::rename(&old, &beside).unwrap();
    let destroy = s.run(&["destroy", "infra/stack.yaml", "--auto-approve"]);
    assert_eq!(destroy.status.code(), Some(0), "{}{}", stdout(&destroy), stderr(&destroy));
}
