//! The command line itself (issue #15): completion scripts for the shells
//! people use, and a `--version` that names what strata pins.

use crate::support::{repo_root, stdout, strata};

#[test]
fn completion_scripts_for_bash_zsh_and_fish() {
    for (shell, marker) in [("bash", "complete -F _strata"), ("zsh", "#compdef strata"), ("fish", "complete -c strata")]
    {
        let out = strata(&repo_root(), &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell} script lacks {marker:?}");
        for command in ["apply", "plan", "output", "drift"] {
            assert!(script.contains(command), "{shell} completes {command}");
        }
    }
    let out = strata(&repo_root(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(1), "an unknown shell is refused");
}

#[test]
fn version_names_the_pinned_local_cloud_build_tools_and_schemas() {
    let out = strata(&repo_root(), &["--version"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with(&format!("strata {}", env!("CARGO_PKG_VERSION"))), "{text}");
    for pinned in ["moto 5.2.5", "cargo-lambda==", "ziglang==", "cfn-lint 1."] {
        assert!(text.contains(pinned), "{pinned} in:\n{text}");
    }
}

/// With `--json`, a failure is one JSON object on stderr (code, message,
/// help), and `apply --json` emits the plan, then the events, then the
/// summary and the outputs, one JSON object a line.
#[test]
fn json_mode_is_json_for_failures_and_for_the_whole_apply() {
    let s = crate::support::Scratch::with_spec("Stack: broken\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      RetentionInDays: 31\n");
    let out = s.run(&["plan", "stack.yaml", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_str(crate::support::stderr(&out).trim()).expect("one JSON object");
    assert_eq!(err["error"], true, "{err}");
    assert!(err["code"].as_str().is_some_and(|c| !c.is_empty()), "{err}");
    assert!(err.to_string().contains("RetentionInDays"), "{err}");

    let stack = crate::cloud::unique("jsonapply");
    s.write_spec(&format!(
        "Stack: {stack}\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /strata-tests/{stack}\n      RetentionInDays: 7\nOutputs:\n  Arn:\n    Value: ${{Logs.Arn}}\n"
    ));
    let out = s.run(&["apply", "stack.yaml", "--auto-approve", "--json"]);
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let events: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(kinds.first(), Some(&"plan"), "{kinds:?}");
    assert_eq!(events[0]["plan"]["changes"][0]["action"], "create", "{}", events[0]);
    let summary = kinds.iter().position(|k| *k == "summary").expect("a summary");
    assert_eq!(kinds.last(), Some(&"outputs"), "{kinds:?}");
    assert!(summary < kinds.len() - 1);
    assert!(events.last().unwrap()["outputs"]["Arn"].as_str().is_some_and(|a| a.starts_with("arn:")));

    let out = s.run(&["destroy", "stack.yaml", "--auto-approve"]);
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
}
