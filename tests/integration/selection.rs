//! `--target` and `--replace` on plan and apply (issue #15), through the
//! binary against the local cloud.

use serde_json::Value;

use crate::cloud::unique;
use crate::support::{plan_actions, stderr, stdout, Scratch};

fn spec(stack: &str, retention: u32, with_new: bool) -> String {
    let mut spec = format!(
        "Stack: {stack}\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /strata-tests/{stack}/a\n      RetentionInDays: {retention}\n"
    );
    if with_new {
        spec.push_str(&format!(
            "  NewLogs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /strata-tests/{stack}/b\n      RetentionInDays: 7\n  \
             Reader:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal: {{ Service: lambda.amazonaws.com }}\n            Action: sts:AssumeRole\n      Policies:\n        - PolicyName: read\n          PolicyDocument:\n            Version: \"2012-10-17\"\n            Statement:\n              - Effect: Allow\n                Action: logs:GetLogEvents\n                Resource: ${{NewLogs.Arn}}\n"
        ));
    }
    spec
}

fn plan_json(s: &Scratch, extra: &[&str]) -> Value {
    let mut args = vec!["plan", "stack.yaml", "--json"];
    args.extend_from_slice(extra);
    let out = s.run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("plan JSON")
}

fn pairs(names: &[(&str, &str)]) -> Vec<(String, String)> {
    names.iter().map(|(n, a)| (n.to_string(), a.to_string())).collect()
}

#[test]
fn target_plans_only_the_targets_and_their_dependencies_and_replace_forces_a_replacement() {
    let stack = unique("select");
    let s = Scratch::with_spec(&spec(&stack, 7, false));
    let out = s.run(&["apply", "stack.yaml", "--auto-approve"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    // --replace: nothing changed, and still a replacement, said why.
    let plan = plan_json(&s, &["--replace", "Logs"]);
    assert_eq!(plan_actions(&plan), pairs(&[("Logs", "replace")]));
    let human = stdout(&s.run(&["plan", "stack.yaml", "--replace", "Logs"]));
    assert!(human.contains("replacement requested with --replace"), "{human}");
    let out = s.run(&["apply", "stack.yaml", "--auto-approve", "--replace", "Logs"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let again = s.run(&["plan", "stack.yaml", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "converged after the replacement:\n{}", stdout(&again));

    // --target: the role and the log group it reads; not the other change.
    s.write_spec(&spec(&stack, 14, true));
    let plan = plan_json(&s, &["--target", "Reader"]);
    let mut planned = plan_actions(&plan);
    planned.sort();
    assert_eq!(planned, pairs(&[("NewLogs", "create"), ("Reader", "create")]), "{plan}");
    assert_eq!(plan["targets"], serde_json::json!(["Reader"]));
    let human = stdout(&s.run(&["plan", "stack.yaml", "--target", "Reader"]));
    assert!(human.contains("Targeting is in effect: only `Reader`"), "{human}");
    let out = s.run(&["apply", "stack.yaml", "--auto-approve", "--target", "Reader"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let rest = plan_json(&s, &[]);
    let left: Vec<_> = plan_actions(&rest).into_iter().filter(|(_, action)| action != "noop").collect();
    assert_eq!(left, pairs(&[("Logs", "update")]), "only the untargeted change is left");

    let wrong = s.run(&["plan", "stack.yaml", "--target", "Readr"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(stderr(&wrong).contains("--target Readr") && stderr(&wrong).contains("Reader"), "{}", stderr(&wrong));
    let wrong = s.run(&["plan", "stack.yaml", "--replace", "Nope"]);
    assert_eq!(wrong.status.code(), Some(1), "{}", stderr(&wrong));

    s.write_spec(&spec(&stack, 7, true));
    let out = s.run(&["destroy", "stack.yaml", "--auto-approve"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}
