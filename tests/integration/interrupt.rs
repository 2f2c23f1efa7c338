//! Ctrl-C during an apply (issue #12): SIGINT after the first resource is
//! created stops the run cleanly: nothing more starts, what finished is in
//! the state, the S3 lock is released, the run says what it left undone and
//! exits 130; the next apply converges, with no duplicates (boto3 checks).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::cloud::unique;
use crate::support::{boto3_json, stderr, stdout, Scratch};

const GROUPS: usize = 24;

/// `GROUPS` log groups, state in the local cloud's S3.
fn spec(stack: &str, bucket: &str) -> String {
    let mut spec = format!(
        "Stack: {stack}\nEnvironments:\n  local:\n    State:\n      Backend: s3\n      Bucket: {bucket}\n      Key: {stack}/local.json\nResources:\n"
    );
    for i in 0..GROUPS {
        spec.push_str(&format!(
            "  Logs{i:02}:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /strata-tests/{stack}/{i:02}\n      RetentionInDays: 7\n"
        ));
    }
    spec
}

const PRELUDE: &str = "import boto3, json, os\n\
    from botocore.exceptions import ClientError\n\
    def c(name):\n    return boto3.client(name, endpoint_url=os.environ['ENDPOINT'])\n";

/// Log groups of the stack, the state's resource count, and whether the
/// lock object exists.
fn cloud_view(stack: &str, bucket: &str) -> Value {
    boto3_json(
        PRELUDE,
        &format!(
            "logs = c('logs')\n\
             names = [g['logGroupName'] for p in logs.get_paginator('describe_log_groups').paginate(logGroupNamePrefix='/strata-tests/{stack}/') for g in p['logGroups']]\n\
             s3 = c('s3')\n\
             state = json.loads(s3.get_object(Bucket='{bucket}', Key='{stack}/local.json')['Body'].read())\n\
             try:\n    s3.head_object(Bucket='{bucket}', Key='{stack}/local.json.lock'); locked = True\n\
             except ClientError:\n    locked = False\n\
             print(json.dumps({{'groups': len(names), 'distinct': len(set(names)), 'recorded': len(state['resources']), 'locked': locked}}))"
        ),
    )
}

#[test]
fn ctrl_c_during_apply_finishes_in_flight_records_releases_and_exits_130() {
    let stack = unique("intr");
    let bucket = unique("intr-state");
    boto3_json(PRELUDE, &format!("c('s3').create_bucket(Bucket='{bucket}')\nprint(json.dumps(True))"));
    let s = Scratch::with_spec(&spec(&stack, &bucket));

    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["apply", "stack.yaml", "--auto-approve", "--parallelism", "1"])
        .current_dir(s.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("strata starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("a line");
        let created = line.contains(": created after");
        seen.push(line);
        if created {
            // SAFETY: a plain signal to our own child's pid.
            unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
            break;
        }
    }
    seen.extend(lines.map_while(Result::ok));
    let status = child.wait().expect("strata exits");
    let err = std::io::read_to_string(child.stderr.take().expect("stderr")).unwrap_or_default();
    let out = seen.join("\n");
    assert_eq!(status.code(), Some(130), "exit 130 after Ctrl-C:\n{out}\n{err}");
    assert!(out.contains("Interrupted: finishing the operations in flight"), "{out}");
    assert!(out.contains("not started: creating (interrupted)"), "{out}");
    assert!(out.contains("Apply interrupted:"), "{out}");
    assert!(err.contains("not started; everything that finished is recorded"), "{err}");

    let view = cloud_view(&stack, &bucket);
    let created = out.matches(": created after").count() as u64;
    assert!(created < GROUPS as u64, "the interrupt left something undone: {view}");
    assert_eq!(view["groups"], created, "what AWS has is what was reported created: {view}\n{out}");
    assert_eq!(view["recorded"], created, "and all of it is recorded: {view}");
    assert_eq!(view["locked"], false, "the S3 lock is released: {view}");

    let again = s.run(&["apply", "stack.yaml", "--auto-approve"]);
    assert_eq!(again.status.code(), Some(0), "{}{}", stdout(&again), stderr(&again));
    let view = cloud_view(&stack, &bucket);
    assert_eq!(
        (view["groups"].as_u64(), view["distinct"].as_u64()),
        (Some(GROUPS as u64), Some(GROUPS as u64)),
        "{view}"
    );
    assert_eq!(view["recorded"], GROUPS as u64, "{view}");
    assert_eq!(view["locked"], false, "{view}");

    let destroy = s.run(&["destroy", "stack.yaml", "--auto-approve"]);
    assert_eq!(destroy.status.code(), Some(0), "{}{}", stdout(&destroy), stderr(&destroy));
}
