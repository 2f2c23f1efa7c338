//! Crash safety: strata is killed with SIGKILL at several points of an apply
//! of the flagship, and interrupted with SIGINT (Ctrl-C) once; the
//! interrupted run stops cleanly with a state that matches AWS, and the next
//! apply converges with no duplicate resources and a correct state.
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
    apply_and_signal(spec, state, after, libc::SIGKILL).0
}

/// Starts an apply and sends it `signal` once `after` resources finished;
/// returns how many had finished by then, everything it printed, and its
/// exit code (None when the signal killed it).
fn apply_and_signal(spec: &str, state: &str, after: usize, signal: libc::c_int) -> (usize, String, Option<i32>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["apply", spec, "--state", state, "--auto-approve", "--parallelism", "4"])
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("strata starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut finished, mut printed) = (0, Vec::new());
    for line in lines.by_ref().map_while(Result::ok) {
        let created = line.contains("): created after ");
        printed.push(line);
        if created {
            finished += 1;
            if finished >= after {
                break;
            }
        }
    }
    // SAFETY: a plain signal to our own child's pid.
    unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    printed.extend(lines.map_while(Result::ok));
    let status = child.wait().expect("strata exits");
    (finished, printed.join("\n"), status.code())
}

#[test]
fn killed_applies_converge_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let stack = format!("acme-crash-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let spec = flagship_copy(dir.path(), &stack);
    let (spec, state) = (spec.to_str().unwrap().to_owned(), dir.path().join("state.json"));
    let state_arg = state.to_str().unwrap().to_owned();

    let mut total = apply_and_kill(&spec, &state_arg, 3);

    // Ctrl-C: what is in flight finishes and is recorded, nothing new
    // starts, exit 130; what state records is exactly what AWS has.
    let (finished, printed, code) = apply_and_signal(&spec, &state_arg, 9, libc::SIGINT);
    assert_eq!(code, Some(130), "Ctrl-C exits 130:\n{printed}");
    assert!(printed.contains("Apply interrupted:") && printed.contains("not started"), "{printed}");
    let (ok, report) = oracle("present", &state);
    assert!(ok, "after Ctrl-C every recorded resource is in AWS as recorded:\n{report}");
    total += finished;

    total += apply_and_kill(&spec, &state_arg, 9);
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
