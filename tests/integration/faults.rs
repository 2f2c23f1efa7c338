//! Applies and destroys through the fault proxy (issue #12): at a fixed
//! seed and rate, throttling, 5xx and dropped connections (before and after
//! the cloud acted) are injected into every AWS call strata makes; the run
//! must converge with no duplicates and no orphans, and the state must match
//! the cloud (boto3, straight to the local cloud, checks).

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::cloud::unique;
use crate::fault_proxy::FaultProxy;
use crate::fault_stack::SPEC;
use crate::flagship_apply::{flagship_copy, oracle, unprotect};
use crate::support::{boto3_json, repo_root, stderr, stdout, Scratch};

fn run(cwd: &Path, proxy: &FaultProxy, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("STRATA_LOCAL_ENDPOINT", &proxy.endpoint)
        .output()
        .expect("strata runs")
}

const PRELUDE: &str = "import boto3, json, os\n\
    from botocore.exceptions import ClientError\n\
    def c(name):\n    return boto3.client(name, endpoint_url=os.environ['ENDPOINT'])\n";

/// What the local cloud holds of the stack, straight from boto3 (not
/// through the proxy): the physical ids of each resource of the spec, found
/// by the stack's strata tag or its name.
fn what_the_cloud_holds(stack: &str) -> Value {
    boto3_json(
        PRELUDE,
        &format!(
            "ec2 = c('ec2')\n\
             tag = [{{'Name': 'tag:strata:stack', 'Values': ['{stack}']}}]\n\
             vpcs = [v['VpcId'] for v in ec2.describe_vpcs(Filters=tag)['Vpcs']]\n\
             subnets = [x['SubnetId'] for x in ec2.describe_subnets(Filters=tag)['Subnets']]\n\
             sgs = [g['GroupId'] for g in ec2.describe_security_groups(Filters=tag)['SecurityGroups']]\n\
             ddb = c('dynamodb')\n\
             tables = [t for p in ddb.get_paginator('list_tables').paginate() for t in p['TableNames'] if t.startswith('{stack}-')]\n\
             logs = c('logs')\n\
             groups = [g['logGroupName'] for g in logs.describe_log_groups(logGroupNamePrefix='/strata-tests/{stack}')['logGroups']]\n\
             iam = c('iam')\n\
             roles = [r['RoleName'] for p in iam.get_paginator('list_roles').paginate() for r in p['Roles'] if r['RoleName'].startswith('{stack}-')]\n\
             kms = c('kms')\n\
             def ours(k):\n    meta = kms.describe_key(KeyId=k)['KeyMetadata']\n    tags = {{t['TagKey']: t['TagValue'] for t in kms.list_resource_tags(KeyId=k).get('Tags', [])}}\n    return meta['KeyState'] != 'PendingDeletion' and tags.get('strata:stack') == '{stack}'\n\
             keys = [k['KeyId'] for p in kms.get_paginator('list_keys').paginate() for k in p['Keys'] if ours(k['KeyId'])]\n\
             print(json.dumps({{'Vpc': vpcs, 'Subnet': subnets, 'Sg': sgs, 'Orders': tables, 'Logs': groups, 'Role': roles, 'Key': keys}}))"
        ),
    )
}

/// The state's physical id of each resource, in the same shape.
fn what_the_state_records(s: &Scratch) -> Value {
    let state: Value = serde_json::from_str(&std::fs::read_to_string(s.path().join("state.json")).unwrap()).unwrap();
    let mut out = serde_json::Map::new();
    for (name, r) in state["resources"].as_object().unwrap() {
        out.insert(name.clone(), Value::Array(vec![r["physical_id"].clone()]));
    }
    Value::Object(out)
}

/// Re-runs `args` until it succeeds, as a user (or CI) would after a
/// failure, at most `attempts` times; returns the runs it took.
fn until_ok(cwd: &Path, proxy: &FaultProxy, args: &[&str], attempts: usize) -> usize {
    for attempt in 1..=attempts {
        let out = run(cwd, proxy, args);
        if out.status.success() {
            return attempt;
        }
        eprintln!("attempt {attempt} of {args:?} failed:\n{}\n{}", stdout(&out), stderr(&out));
    }
    panic!("{args:?} did not converge in {attempts} runs ({})", proxy.counts.summary());
}

#[test]
fn apply_and_destroy_converge_through_injected_faults() {
    let stack = unique("faults");
    let s = Scratch::with_spec(&SPEC.replace("STACK", &stack));
    let cloud = strata::local::ensure_running().expect("local cloud");
    // CI runs the fixed seed and rate; STRATA_FAULT_SEED / STRATA_FAULT_RATE
    // explore others (the bench runs several).
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<f64>().ok());
    let (seed, rate) = (var("STRATA_FAULT_SEED").map_or(7, |s| s as u64), var("STRATA_FAULT_RATE").unwrap_or(0.15));
    let proxy = FaultProxy::start(&cloud.endpoint, rate, seed);

    let applies = until_ok(s.path(), &proxy, &["apply", "stack.yaml", "--state", "state.json", "--auto-approve"], 3);
    let held = what_the_cloud_holds(&stack);
    assert_eq!(held, what_the_state_records(&s), "one of each, and the state names exactly those");

    let destroys = until_ok(s.path(), &proxy, &["destroy", "stack.yaml", "--state", "state.json", "--auto-approve"], 3);
    let left = what_the_cloud_holds(&stack);
    assert!(left.as_object().unwrap().values().all(|ids| ids.as_array().unwrap().is_empty()), "orphans: {left}");
    eprintln!("faults: {} (apply runs {applies}, destroy runs {destroys})", proxy.counts.summary());
    assert!(proxy.counts.injected() > 0, "faults were injected");
}

/// The whole flagship (46 resources, both Lambdas) through the same faults:
/// it converges, boto3 finds every resource once and as the spec says, and
/// the destroy (guards off first, as README says) leaves nothing behind.
#[test]
fn the_flagship_converges_through_injected_faults() {
    // Like every flagship test: from the repository (the Lambdas' crates are
    // its workspace), with the spec and state in a temporary directory.
    let dir = tempfile::tempdir().unwrap();
    let spec = flagship_copy(dir.path(), &unique("acme-faults"));
    let state = dir.path().join("state.json");
    let (spec_arg, state_arg) = (spec.to_str().unwrap(), state.to_str().unwrap());
    let root = repo_root();
    let cloud = strata::local::ensure_running().expect("local cloud");
    let proxy = FaultProxy::start(&cloud.endpoint, 0.15, 11);
    let apply = ["apply", spec_arg, "--state", state_arg, "--auto-approve"];

    let applies = until_ok(&root, &proxy, &apply, 3);
    let (ok, report) = oracle("present", &state);
    assert!(ok, "after the apply:\n{report}");
    let (ok, report) = oracle("unique", &state);
    assert!(ok, "duplicates:\n{report}");

    unprotect(&spec);
    until_ok(&root, &proxy, &apply, 3);
    let before_destroy = dir.path().join("before-destroy.json");
    std::fs::copy(&state, &before_destroy).unwrap();
    let destroys = until_ok(&root, &proxy, &["destroy", spec_arg, "--state", state_arg, "--auto-approve"], 3);
    let (ok, report) = oracle("absent", &before_destroy);
    assert!(ok, "left behind:\n{report}");
    eprintln!("flagship faults: {} (apply runs {applies}, destroy runs {destroys})", proxy.counts.summary());
}

/// Calls AWS carried out whose answers said otherwise. AWS documents that
/// a request answered 500 InternalError may have succeeded: CreateVpc and
/// CreateTable are carried out and answered 500, and strata must find both
/// by their tags, not make a second VPC (an orphan) or fail on "table
/// already exists". An AuthorizeSecurityGroupIngress whose answer is lost is
/// retried by the SDK and meets `InvalidPermission.Duplicate`: the rules are
/// there, which is what was asked.
#[test]
fn calls_carried_out_but_answered_500_or_lost_are_recognised_not_repeated() {
    let stack = unique("f500");
    let spec = SPEC.replace("STACK", &stack).replace(
        "      GroupDescription: faults\n",
        "      GroupDescription: faults\n      SecurityGroupIngress:\n        - { IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.77.0.0/16 }\n        - { IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 10.77.0.0/16 }\n",
    );
    assert!(spec.contains("FromPort: 80,"), "the spec has the rules");
    let s = Scratch::with_spec(&spec);
    let cloud = strata::local::ensure_running().expect("local cloud");
    let proxy = FaultProxy::start(&cloud.endpoint, 0.0, 1);
    proxy.fail_after("CreateVpc");
    proxy.fail_after("CreateTable");
    proxy.drop_answer_of_operation("AuthorizeSecurityGroupIngress");

    let out = run(s.path(), &proxy, &["apply", "stack.yaml", "--state", "state.json", "--auto-approve"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(proxy.planned_left(), 0, "every planned fault met its call ({})", proxy.counts.summary());
    assert_eq!(stdout(&out).matches("found by its tags").count(), 2, "{}", stdout(&out));
    assert_eq!(what_the_cloud_holds(&stack), what_the_state_records(&s), "one of each, and the state names those");
    let sg = what_the_state_records(&s)["Sg"][0].as_str().unwrap().to_owned();
    let ports = boto3_json(
        PRELUDE,
        &format!(
            "g = c('ec2').describe_security_groups(GroupIds=['{sg}'])['SecurityGroups'][0]\n\
             print(json.dumps(sorted(p['FromPort'] for p in g['IpPermissions'])))"
        ),
    );
    assert_eq!(ports, serde_json::json!([80, 443]), "both rules, once");

    let out = run(s.path(), &proxy, &["destroy", "stack.yaml", "--state", "state.json", "--auto-approve"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
}
