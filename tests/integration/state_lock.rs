//! The state lock, held by another process.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::{stderr, Scratch};

/// A second process (a shell holding `flock` on the lock file, with a holder
/// record like strata's) keeps the lock; `strata plan` must refuse with the
/// holder's name instead of waiting or proceeding.
#[test]
fn plan_refuses_while_another_process_holds_the_lock() {
    let s = Scratch::with_spec(
        "Stack: demo\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /demo\n",
    );
    let lock = s.path().join("state.json.lock");
    std::fs::write(
        &lock,
        r#"{"pid":4242,"host":"ci-runner","user":"deploy","command":"strata apply","started_at":"2026-11-28T08:00:00Z"}"#,
    )
    .unwrap();
    let mut holder = Command::new("flock")
        .arg("--exclusive")
        .arg("--no-fork")
        .arg(&lock)
        .arg("sh")
        .arg("-c")
        .arg("echo locked; exec sleep 30")
        .stdout(Stdio::piped())
        .spawn()
        .expect("flock(1) from util-linux runs");
    let mut line = String::new();
    BufReader::new(holder.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "locked");

    let out = s.run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json"]);
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("is locked by `strata apply` (pid 4242 on ci-runner, user deploy"), "{err}");

    // Once the holder is gone the same command goes through.
    let out = s.run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
