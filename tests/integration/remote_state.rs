//! Remote state on S3 (the local cloud's S3, a real HTTP endpoint) and the
//! `strata state` commands on both backends.
//!
//! The lock race is made deterministic without any test hook in strata: the
//! first `strata apply` runs without --auto-approve on a pseudo-terminal, so
//! it takes the lock and then waits at its confirmation prompt for as long as
//! the test likes, exactly like a user who has not answered yet.

use std::fs::File;
use std::io::Write;
use std::os::fd::FromRawFd;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use strata::provider::aws::Target;
use strata::state::{S3Backend, State, StateError};

use crate::cloud::{runtime, unique};
use crate::fault_proxy::FaultProxy;
use crate::support::{flat, stderr, stdout, Scratch};

/// The local cloud as the S3 backend of the `local` environment reaches it.
fn local_target() -> Target {
    let cloud = strata::local::ensure_running().expect("the local cloud starts");
    Target { region: "us-east-1".into(), profile: None, endpoint: Some(cloud.endpoint) }
}

async fn s3() -> aws_sdk_s3::Client {
    strata::provider::aws::s3_client(&local_target()).await
}

/// A fresh bucket on the local cloud (strata never creates its state bucket).
fn bucket() -> String {
    let name = unique("strata-state");
    runtime().block_on(async { s3().await.create_bucket().bucket(&name).send().await.expect("create bucket") });
    name
}

/// The object's text, or None when there is no such key.
fn object(bucket: &str, key: &str) -> Option<String> {
    runtime().block_on(async {
        match s3().await.get_object().bucket(bucket).key(key).send().await {
            Ok(out) => Some(String::from_utf8(out.body.collect().await.unwrap().into_bytes().to_vec()).unwrap()),
            Err(e) if aws_sdk_s3::error::ProvideErrorMetadata::code(&e) == Some("NoSuchKey") => None,
            Err(e) => panic!("get {key}: {e:?}"),
        }
    })
}

/// Waits until the object exists and returns it.
fn wait_for_object(bucket: &str, key: &str, within: Duration) -> String {
    let started = Instant::now();
    loop {
        if let Some(text) = object(bucket, key) {
            return text;
        }
        assert!(started.elapsed() < within, "s3://{bucket}/{key} did not appear within {within:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A log group and an IAM role, state in s3://<bucket>/<stack>/local.json.
fn s3_stack(stack: &str, bucket: &str) -> String {
    format!(
        r#"Stack: {stack}
Environments:
  local:
    State:
      Backend: s3
      Bucket: {bucket}
      Key: {stack}/local.json
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /strata-tests/{stack}
      RetentionInDays: 7
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: {stack}-role
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
"#
    )
}

/// `strata apply stack.yaml` waiting at its confirmation prompt, on a
/// pseudo-terminal (strata only asks on a terminal).
struct PromptedApply {
    child: Child,
    terminal: File,
}

impl PromptedApply {
    fn start(dir: &Path) -> Self {
        let (mut master, mut slave) = (0, 0);
        // SAFETY: openpty writes two new descriptors, owned by the Files below.
        let rc =
            unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) };
        assert_eq!(rc, 0, "openpty");
        let (terminal, slave) = unsafe { (File::from_raw_fd(master), File::from_raw_fd(slave)) };
        let child = Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(["apply", "stack.yaml"])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::from(slave))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("strata starts");
        Self { child, terminal }
    }

    fn answer(mut self, text: &str) -> Output {
        self.terminal.write_all(text.as_bytes()).unwrap();
        self.child.wait_with_output().unwrap()
    }
}

/// The lock id a refused command printed: the hex digits after "lock id".
fn lock_id_in(report: &str) -> String {
    let flat = flat(report);
    let after = flat.split("lock id ").nth(1).unwrap_or_else(|| panic!("no lock id in:\n{report}"));
    after.chars().take_while(char::is_ascii_hexdigit).collect()
}

#[test]
fn concurrent_applies_one_runs_the_other_is_refused_naming_the_holder() {
    let bucket = bucket();
    let stack = unique("rs-race");
    let s = Scratch::with_spec(&s3_stack(&stack, &bucket));
    let lock_key = format!("{stack}/local.json.lock");

    let first = PromptedApply::start(s.path());
    let lock: Value = serde_json::from_str(&wait_for_object(&bucket, &lock_key, Duration::from_secs(120))).unwrap();
    assert_eq!(lock["pid"], first.child.id(), "the lock names its holder: {lock}");
    assert_eq!(lock["command"], "strata apply");
    for field in ["id", "who", "host", "created_at"] {
        assert!(lock[field].as_str().is_some_and(|v| !v.is_empty()), "{field} in {lock}");
    }

    let second = s.run(&["apply", "stack.yaml", "--auto-approve"]);
    assert_eq!(second.status.code(), Some(1), "{}{}", stdout(&second), stderr(&second));
    let err = flat(&stderr(&second));
    let id = lock["id"].as_str().unwrap();
    assert!(
        err.contains(&format!("is locked by `strata apply` (pid {} on", first.child.id())),
        "names the holder: {err}"
    );
    assert!(err.contains("held for ") && err.contains(&format!("(lock id {id})")), "{err}");
    assert!(err.contains(&format!("strata state unlock {id} --stack stack.yaml --env local")), "{err}");
    assert!(!stdout(&second).contains("created"), "the refused apply changed nothing");

    let first = first.answer("yes\n");
    assert_eq!(first.status.code(), Some(0), "{}{}", stdout(&first), stderr(&first));
    assert_eq!(stdout(&first).matches("created after").count(), 2, "{}", stdout(&first));
    assert!(object(&bucket, &lock_key).is_none(), "the lock is released at the end");
    let state: Value = serde_json::from_str(&object(&bucket, &format!("{stack}/local.json")).unwrap()).unwrap();
    assert_eq!(state["resources"].as_object().unwrap().len(), 2);
    assert_eq!(state["serial"], 2, "written after each resource");

    // Converged: a plan takes and releases the lock, and sees no changes.
    let plan = s.run(&["plan", "stack.yaml", "--detailed-exitcode", "--no-build"]);
    assert_eq!(plan.status.code(), Some(0), "{}{}", stdout(&plan), stderr(&plan));
    assert!(object(&bucket, &lock_key).is_none());
    let destroy = s.run(&["destroy", "stack.yaml", "--auto-approve"]);
    assert_eq!(destroy.status.code(), Some(0), "{}{}", stdout(&destroy), stderr(&destroy));
}

#[test]
fn a_killed_holder_keeps_the_lock_until_unlocked_by_its_id() {
    let bucket = bucket();
    let stack = unique("rs-kill");
    let s = Scratch::with_spec(&s3_stack(&stack, &bucket));
    let lock_key = format!("{stack}/local.json.lock");

    let mut holder = PromptedApply::start(s.path());
    let lock: Value = serde_json::from_str(&wait_for_object(&bucket, &lock_key, Duration::from_secs(120))).unwrap();
    assert_eq!(lock["pid"], holder.child.id());
    holder.child.kill().expect("SIGKILL");
    let _ = holder.child.wait();
    assert!(object(&bucket, &lock_key).is_some(), "a killed process cannot release its lock");

    let refused = s.run(&["apply", "stack.yaml", "--auto-approve"]);
    assert_eq!(refused.status.code(), Some(1), "{}{}", stdout(&refused), stderr(&refused));
    let id = lock_id_in(&stderr(&refused));
    assert_eq!(id, lock["id"].as_str().unwrap(), "the message carries the lock's id");

    // A wrong id is refused and the lock stays.
    assert_eq!(id.len(), 32, "one token, never wrapped: {id}");
    let wrong = s.run(&["state", "unlock", "0000000000004000800000000000dead", "--stack", "stack.yaml"]);
    assert_eq!(wrong.status.code(), Some(1), "{}", stdout(&wrong));
    assert!(flat(&stderr(&wrong)).contains(&format!("it is `{id}`")), "{}", stderr(&wrong));
    assert!(object(&bucket, &lock_key).is_some());

    let unlocked = s.run(&["state", "unlock", &id, "--stack", "stack.yaml"]);
    assert_eq!(unlocked.status.code(), Some(0), "{}", stderr(&unlocked));
    assert!(stdout(&unlocked).contains(&format!("Released lock {id}")), "{}", stdout(&unlocked));
    assert!(object(&bucket, &lock_key).is_none());
    let again = s.run(&["state", "unlock", &id, "--stack", "stack.yaml"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("is not locked"), "{}", stderr(&again));

    let applied = s.run(&["apply", "stack.yaml", "--auto-approve"]);
    assert_eq!(applied.status.code(), Some(0), "{}{}", stdout(&applied), stderr(&applied));
    assert_eq!(stdout(&applied).matches("created after").count(), 2, "{}", stdout(&applied));
    let destroy = s.run(&["destroy", "stack.yaml", "--auto-approve"]);
    assert_eq!(destroy.status.code(), Some(0), "{}{}", stdout(&destroy), stderr(&destroy));
}

/// Through the backend API: an operator breaks A's lock, B takes it and
/// writes; A, still running with its stale view, must lose its write (412 on
/// If-None-Match for the first write, on If-Match after), and releasing its
/// broken lock must not remove B's.
#[test]
fn a_writer_with_a_stale_etag_loses() {
    let bucket = bucket();
    runtime().block_on(async {
        let target = local_target();
        let key = "st/local.json";
        let a = S3Backend::new(target.clone(), &bucket, key, "", None).await;
        let b = S3Backend::new(target.clone(), &bucket, key, "", None).await;

        let lock_a = a.lock("a").await.unwrap();
        assert!(a.read().await.unwrap().is_none());
        assert!(matches!(b.lock("b").await, Err(StateError::RemoteLocked { .. })));
        b.force_unlock(&lock_a.info().id).await.unwrap();
        let lock_b = b.lock("b").await.unwrap();
        assert!(b.read().await.unwrap().is_none());

        let mut state_b = State::new("st", "local");
        b.persist(&lock_b, &mut state_b).await.unwrap();
        let mut state_a = State::new("st", "local");
        let err = a.persist(&lock_a, &mut state_a).await.unwrap_err();
        assert!(matches!(err, StateError::StaleWrite { .. }), "first write over an existing state: {err}");
        assert_eq!(state_a.serial, 0, "a lost write leaves the serial alone");

        b.persist(&lock_b, &mut state_b).await.unwrap();
        let mut state_a = a.read().await.unwrap().unwrap();
        assert_eq!(state_a.serial, 2);
        b.persist(&lock_b, &mut state_b).await.unwrap();
        let err = a.persist(&lock_a, &mut state_a).await.unwrap_err();
        assert!(matches!(err, StateError::StaleWrite { .. }), "If-Match with a stale ETag: {err}");

        let reader = S3Backend::new(target, &bucket, key, "", None).await;
        let stored = reader.read().await.unwrap().unwrap();
        assert_eq!((stored.serial, stored.lineage.as_str()), (3, state_b.lineage.as_str()), "B's state stands");

        a.release(lock_a).await.unwrap();
        let current = reader.current_lock().await.unwrap().expect("B still holds the lock");
        assert_eq!(current.id, lock_b.info().id);
        b.release(lock_b).await.unwrap();
        assert!(reader.current_lock().await.unwrap().is_none());
    });
}

/// A lock dropped without an explicit release (a command that bailed out
/// early) is still released, best effort, by its `Drop`; one broken and
/// retaken by another command is not touched.
#[test]
fn a_dropped_lock_is_released_if_it_is_still_ours() {
    let bucket = bucket();
    runtime().block_on(async {
        let backend = S3Backend::new(local_target(), &bucket, "st/local.json", "", None).await;
        drop(backend.lock("strata plan").await.unwrap());
        assert!(backend.current_lock().await.unwrap().is_none(), "released by Drop");

        let first = backend.lock("first").await.unwrap();
        backend.force_unlock(&first.info().id).await.unwrap();
        let second = backend.lock("second").await.unwrap();
        drop(first);
        let current = backend.current_lock().await.unwrap().expect("the second lock stays");
        assert_eq!(current.id, second.info().id);
        backend.release(second).await.unwrap();
    });
}

/// A release racing a forced unlock and a new locker: whatever the
/// interleaving, a lock that B took is never deleted by A's release or by
/// the operator's unlock of A's lock (both deletes are conditional on the
/// ETag of the lock object they meant; moto honours If-Match on
/// DeleteObject as S3 does).
#[test]
fn a_release_racing_a_forced_unlock_never_deletes_the_next_holders_lock() {
    let bucket = bucket();
    runtime().block_on(async {
        let key = "st/local.json";
        let a = S3Backend::new(local_target(), &bucket, key, "", None).await;
        let operator = S3Backend::new(local_target(), &bucket, key, "", None).await;
        let b = S3Backend::new(local_target(), &bucket, key, "", None).await;
        let reader = S3Backend::new(local_target(), &bucket, key, "", None).await;
        let mut b_held = 0;
        for round in 0..25 {
            let lock_a = a.lock("a").await.unwrap();
            let id_a = lock_a.info().id.clone();
            let release = a.release(lock_a);
            let unlock_then_lock = async {
                let _ = operator.force_unlock(&id_a).await;
                b.lock("b").await.ok()
            };
            let (released, lock_b) = tokio::join!(release, unlock_then_lock);
            released.unwrap();
            let current = reader.current_lock().await.unwrap();
            match lock_b {
                Some(lock_b) => {
                    b_held += 1;
                    assert_eq!(
                        current.map(|c| c.id),
                        Some(lock_b.info().id.clone()),
                        "round {round}: B holds the lock, so it must still be there"
                    );
                    b.release(lock_b).await.unwrap();
                }
                None => assert!(current.is_none() || current.is_some_and(|c| c.id == id_a), "round {round}"),
            }
            assert!(reader.current_lock().await.unwrap().is_none(), "round {round}: all released");
        }
        assert!(b_held > 0, "B took the lock in some rounds");
    });
}

#[test]
fn a_missing_state_bucket_is_a_clear_error() {
    let stack = unique("rs-nobucket");
    let missing = unique("no-such-bucket");
    let s = Scratch::with_spec(&s3_stack(&stack, &missing));
    let out = s.run(&["plan", "stack.yaml", "--no-build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = flat(&stderr(&out));
    assert!(err.contains(&format!("the state bucket `{missing}` does not exist")), "{err}");
    assert!(err.contains("state::no_bucket") && err.contains("s3 mb"), "{err}");
}

/// A state with two resources, one dependent on the other, and a deposed
/// object.
fn recorded_state(stack: &str) -> Value {
    let resource = |ty: &str, id: &str, deps: &[&str]| serde_json::json!({"type": ty, "physical_id": id, "properties": {}, "attributes": {"Arn": format!("arn:{id}")}, "dependencies": deps});
    serde_json::json!({
        "version": 1, "lineage": "0b7e2a8c-0000-4000-8000-000000000001", "serial": 7,
        "stack": stack, "environment": "local",
        "resources": {
            "Logs": resource("AWS::Logs::LogGroup", "/demo", &[]),
            "Alarm": resource("AWS::CloudWatch::Alarm", "demo-alarm", &["Logs"]),
        },
        "deposed": {"Logs": resource("AWS::Logs::LogGroup", "/demo-old", &[])},
    })
}

/// list / show / rm / mv on a state, through `args` that select it. Returns
/// the backups the edits reported, in order.
fn exercise_state_commands(s: &Scratch, select: &[&str]) -> Vec<String> {
    let run = |args: &[&str]| s.run(&[&["state"], args, select].concat());

    let list = run(&["list"]);
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    let text = stdout(&list);
    assert!(
        text.contains("serial 7") && text.contains("AWS::CloudWatch::Alarm") && text.contains("demo-alarm"),
        "{text}"
    );
    let deposed_line = text.lines().find(|l| l.contains("/demo-old")).unwrap_or_default();
    assert!(deposed_line.contains("(deposed"), "deposed objects are marked: {text}");

    let json: Value = serde_json::from_str(&stdout(&run(&["list", "--json"]))).unwrap();
    let entries = json["resources"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries.iter().filter(|e| e["deposed"] == true).count(), 1);

    let show: Value = serde_json::from_str(&stdout(&run(&["show", "Logs", "--json"]))).unwrap();
    assert_eq!(show.as_array().unwrap().len(), 2, "the live object and the deposed one: {show}");
    assert_eq!(show[0]["physical_id"], "/demo");
    assert_eq!(show[1]["deposed"], true);
    let human = stdout(&run(&["show", "Alarm"]));
    assert!(human.contains("demo-alarm") && human.contains("depends on:   Logs"), "{human}");

    let unknown = run(&["rm", "Logss"]);
    assert_eq!(unknown.status.code(), Some(1));
    let err = flat(&stderr(&unknown));
    assert!(err.contains("no resource `Logss`") && err.contains("did you mean `Logs`?"), "{err}");
    assert!(err.contains("recorded: Logs, Alarm"), "{err}");
    let taken = run(&["mv", "Logs", "Alarm"]);
    assert_eq!(taken.status.code(), Some(1));
    assert!(flat(&stderr(&taken)).contains("the state already has a `Alarm`"), "{}", stderr(&taken));

    let mut backups = Vec::new();
    let mv = run(&["mv", "Logs", "AppLogs"]);
    assert_eq!(mv.status.code(), Some(0), "{}", stderr(&mv));
    let text = stdout(&mv);
    assert!(text.contains("Moved `Logs` to `AppLogs`") && text.contains("(serial 8)"), "{text}");
    backups.push(text.lines().find_map(|l| l.strip_prefix("Backup of the previous state: ")).unwrap().to_owned());

    let json: Value = serde_json::from_str(&stdout(&run(&["show", "Alarm", "--json"]))).unwrap();
    assert_eq!(json[0]["dependencies"], serde_json::json!(["AppLogs"]), "dependencies follow the rename");

    let rm = run(&["rm", "Alarm"]);
    assert_eq!(rm.status.code(), Some(0), "{}", stderr(&rm));
    let text = stdout(&rm);
    assert!(
        text.contains("Removed `Alarm` (AWS::CloudWatch::Alarm demo-alarm)") && text.contains("(serial 9)"),
        "{text}"
    );
    backups.push(text.lines().find_map(|l| l.strip_prefix("Backup of the previous state: ")).unwrap().to_owned());

    let json: Value = serde_json::from_str(&stdout(&run(&["list", "--json"]))).unwrap();
    let names: Vec<&str> = json["resources"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["AppLogs", "AppLogs"], "the live AppLogs and its deposed object");
    assert_eq!(json["serial"], 9);
    backups
}

#[test]
fn state_commands_on_a_local_file() {
    let s = Scratch::with_spec(
        "Stack: demo\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /demo\n",
    );
    let path = s.write_state(&recorded_state("demo"));
    let backups = exercise_state_commands(&s, &["--state", "state.json"]);
    let expected = [s.path().join("state.json.7.backup"), s.path().join("state.json.8.backup")];
    assert_eq!(backups, ["state.json.7.backup", "state.json.8.backup"], "beside the state, named by serial");
    let first: Value = serde_json::from_str(&std::fs::read_to_string(&expected[0]).unwrap()).unwrap();
    assert_eq!(first, recorded_state("demo"), "the first backup is the state as it was");
    let second: Value = serde_json::from_str(&std::fs::read_to_string(&expected[1]).unwrap()).unwrap();
    assert!(second["resources"]["AppLogs"].is_object() && second["serial"] == 8);
    let now: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(now["serial"], 9);

    // Without a state or a spec there is nothing to select; with the spec the
    // default backend has no state yet.
    let none = s.run(&["state", "list"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(stderr(&none).contains("--stack <spec>"), "{}", stderr(&none));
    let empty = s.run(&["state", "list", "--stack", "stack.yaml"]);
    assert_eq!(empty.status.code(), Some(1));
    assert!(flat(&stderr(&empty)).contains("there is no state at .strata/state/demo/local.json"), "{}", stderr(&empty));
    // The local lock cannot be broken; unlock says why.
    let unlock = s.run(&["state", "unlock", "whatever", "--state", "state.json"]);
    assert_eq!(unlock.status.code(), Some(1));
    assert!(stderr(&unlock).contains("is not locked"), "{}", stderr(&unlock));
}

#[test]
fn state_commands_on_s3() {
    let bucket = bucket();
    let stack = unique("rs-cmds");
    let s = Scratch::with_spec(&s3_stack(&stack, &bucket));
    let key = format!("{stack}/local.json");
    runtime().block_on(async {
        let body = serde_json::to_vec_pretty(&recorded_state(&stack)).unwrap();
        s3().await.put_object().bucket(&bucket).key(&key).body(body.into()).send().await.unwrap();
    });
    let backups = exercise_state_commands(&s, &["--stack", "stack.yaml"]);
    assert_eq!(backups, [format!("s3://{bucket}/{key}.backup.7"), format!("s3://{bucket}/{key}.backup.8")]);
    let first: Value = serde_json::from_str(&object(&bucket, &format!("{key}.backup.7")).unwrap()).unwrap();
    assert_eq!(first, recorded_state(&stack), "the first backup is the state as it was");
    let second: Value = serde_json::from_str(&object(&bucket, &format!("{key}.backup.8")).unwrap()).unwrap();
    assert_eq!(second["serial"], 8);
    assert!(object(&bucket, &format!("{key}.lock")).is_none(), "every edit released its lock");
}

/// Writes whose answers are lost (issue #12): the lock's create and the
/// first two state writes reach S3, but strata never hears back; the SDK
/// retries each and meets its own precondition (412). strata re-reads the
/// object, recognises its own lock id or its own bytes, and the apply goes
/// on; before, it named itself as the lock's holder, or stopped with
/// "stale write" at the first resource.
#[test]
fn writes_whose_answers_were_lost_are_recognised_as_done() {
    let stack = unique("s3lost");
    let bucket = bucket();
    let s = Scratch::with_spec(&s3_stack(&stack, &bucket));
    let proxy = FaultProxy::start(&local_target().endpoint.expect("local endpoint"), 0.0, 1);
    proxy.drop_answer_of("PUT", &format!("/{stack}/local.json.lock"));
    proxy.drop_answer_of("PUT", &format!("/{stack}/local.json"));
    proxy.drop_answer_of("PUT", &format!("/{stack}/local.json"));

    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["apply", "stack.yaml", "--auto-approve"])
        .current_dir(s.path())
        .env("NO_COLOR", "1")
        .env("STRATA_LOCAL_ENDPOINT", &proxy.endpoint)
        .output()
        .expect("strata runs");
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(proxy.planned_left(), 0, "every planned fault met its request ({})", proxy.counts.summary());
    assert_eq!(proxy.counts.dropped_after.load(std::sync::atomic::Ordering::SeqCst), 3);

    let state: Value = serde_json::from_str(&object(&bucket, &format!("{stack}/local.json")).expect("state")).unwrap();
    // In the order their creates finished, which runs in parallel: compare as a set.
    let recorded: std::collections::BTreeSet<&str> =
        state["resources"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(recorded, ["Logs", "Role"].into(), "both resources recorded");
    assert_eq!(object(&bucket, &format!("{stack}/local.json.lock")), None, "the lock is released");

    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["destroy", "stack.yaml", "--auto-approve"])
        .current_dir(s.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("strata runs");
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
}
