//! Crash safety: strata is killed with SIGKILL at several points of an apply;
//! the next apply converges with no duplicate resources and a correct state.
//! And the narrowest window, "AWS created it, state did not record it", is
//! reproduced exactly by dropping entries from the state: they are adopted.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::flagship_apply::{destroy_on_purpose, flagship_copy, oracle};
use crate::support::{repo_root, stderr, stdout, strata};

/// Starts an apply and kills it with SIGKILL once `after` resources finished.
fn apply_and_kill(spec: &str, state: &str, after: usize) -> usize {
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["apply", spec, "--state", state, "--auto-approve", "--parallelism", "4"])
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("strata starts");
    let reader = BufReader::new(child.stdout.take().unwrap());
    let mut finished = 0;
    for line in reader.lines().map_while(Result::ok) {
        if line.contains("): created after ") {
            finished += 1;
            if finished >= after {
                break;
            }
        }
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    finished
}

#[test]
fn killed_applies_converge_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let stack = format!("acme-crash-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let spec = flagship_copy(dir.path(), &stack);
    let (spec, state) = (spec.to_str().unwrap().to_owned(), dir.path().join("state.json"));
    let state_arg = state.to_str().unwrap().to_owned();

    let mut total = 0;
    for after in [3, 9, 9] {
        total += apply_and_kill(&spec, &state_arg, after);
    }
    assert!(total >= 3, "the killed runs got somewhere ({total} finished)");
    let recorded: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert!(recorded["serial"].as_u64().unwrap() >= 3, "state was written after every operation");

    let out = strata(&repo_root(), &["apply", &spec, "--state", &state_arg, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "the next apply converges:\n{}{}", stdout(&out), stderr(&out));
    let (ok, report) = oracle("present", &state);
    assert!(ok, "{report}");
    let (ok, report) = oracle("unique", &state);
    assert!(ok, "duplicates after the crashes:\n{report}");

    // The exact crash window: AWS has them, state does not.
    let mut recorded: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    let resources = recorded["resources"].as_object_mut().unwrap();
    for name in ["CognitoSignInFailuresAlarm", "ScheduleDefinitionsThrottleAlarm", "DataKeyAlias"] {
        assert!(resources.remove(name).is_some(), "{name} was recorded");
    }
    std::fs::write(&state, serde_json::to_string_pretty(&recorded).unwrap()).unwrap();
    let out = strata(&repo_root(), &["apply", &spec, "--state", &state_arg, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out).matches("adopted an existing resource").count(), 3, "{}", stdout(&out));
    let (ok, report) = oracle("unique", &state);
    assert!(ok, "{report}");
    let out = strata(&repo_root(), &["plan", &spec, "--state", &state_arg, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "converged:\n{}", stdout(&out));

    let out = destroy_on_purpose(Path::new(&spec), &state);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}
