//! The command line itself (issue #15): completion scripts for the shells
//! people use, a `--version` (and `strata version`) that names what strata
//! pins, man pages, examples in every `--help`, `-v`/`-vv` logs on stderr,
//! and `--json` output that holds to the schemas in docs/json/.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{repo_root, stderr, stdout, strata, Scratch};

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

/// `strata version` prints exactly what `--version` does; `--json` has the
/// same facts as fields.
#[test]
fn version_subcommand_matches_long_version_and_has_json() {
    let long = strata(&repo_root(), &["--version"]);
    let sub = strata(&repo_root(), &["version"]);
    assert!(sub.status.success());
    assert_eq!(stdout(&sub), stdout(&long));
    let json: Value = serde_json::from_str(&stdout(&strata(&repo_root(), &["version", "--json"]))).expect("JSON");
    assert_eq!(json["format_version"], 1, "{json}");
    assert_eq!(json["strata"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["local_cloud"], "5.2.5");
    assert!(
        json["lambda_build"].as_array().is_some_and(|a| a.iter().any(|r| r.as_str().unwrap().starts_with("ziglang=="))),
        "{json}"
    );
    assert!(json["aws_schemas"]["cfn_lint"].as_str().is_some_and(|v| v.starts_with("1.")), "{json}");
}

/// The commands of the tree, by their man-page names (strata-state-list).
fn command_names(cmd: &clap::Command, prefix: &str, out: &mut BTreeSet<String>) {
    let here = if prefix.is_empty() { cmd.get_name().to_owned() } else { format!("{prefix}-{}", cmd.get_name()) };
    for sub in cmd.get_subcommands() {
        command_names(sub, &here, out);
    }
    out.insert(here);
}

/// `strata man --out DIR` writes strata.1 and a page per subcommand, each a
/// roff page with NAME and SYNOPSIS, the top page listing every command.
#[test]
fn man_writes_a_page_for_strata_and_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = strata(dir.path(), &["man", "--out", "man"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut expected = BTreeSet::new();
    command_names(&strata::cli::command(), "", &mut expected);
    let written: BTreeSet<String> = std::fs::read_dir(dir.path().join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".1").to_owned())
        .collect();
    assert_eq!(written, expected);
    assert!(written.len() > 25 && written.contains("strata-state-unlock"), "{written:?}");
    for page in &written {
        let text = std::fs::read_to_string(dir.path().join("man").join(format!("{page}.1"))).unwrap();
        assert!(text.starts_with(".ie \\n(.g .ds Aq \\(aq") || text.contains(".TH"), "{page} is roff");
        for section in [".SH NAME", ".SH SYNOPSIS", ".SH EXTRA", "Examples:"] {
            assert!(text.contains(section), "{page}.1 lacks {section}");
        }
    }
    let top = std::fs::read_to_string(dir.path().join("man/strata.1")).unwrap();
    for command in strata::cli::command().get_subcommands().map(|c| c.get_name()).filter(|n| *n != "help") {
        assert!(top.contains(&format!("strata\\-{command}(1)")), "strata.1 lists {command}");
    }
}

/// A user reading `--help` of any command finds examples at the end.
#[test]
fn every_help_ends_with_examples() {
    for args in [&["--help"][..], &["plan", "--help"], &["state", "unlock", "-h"], &["local", "run", "--help"]] {
        let out = strata(&repo_root(), args);
        assert!(out.status.success());
        let help = stdout(&out);
        let examples = help.split("Examples:\n").nth(1).unwrap_or_else(|| panic!("{args:?}: no examples in\n{help}"));
        assert!(examples.trim_start().starts_with("strata "), "{args:?}: {examples}");
    }
}

/// `-vv` shows the AWS SDK's own logs (its smithy runtime sending each
/// request) on stderr and leaves stdout's JSON alone; without `-v` none
/// appear; `-v` shows strata's debug logs only; RUST_LOG overrides.
#[test]
fn verbose_logs_go_to_stderr_and_vv_adds_the_sdk() {
    let stack = crate::cloud::unique("verbose");
    let s = Scratch::with_spec(&format!(
        "Stack: {stack}\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /strata-tests/{stack}\n"
    ));
    let sdk_lines = |text: &str| text.lines().filter(|l| l.contains("aws_smithy_runtime")).count();
    // Applied first, so the plan's refresh reads the log group from AWS.
    let applied = s.run(&["apply", "stack.yaml", "--auto-approve"]);
    assert!(applied.status.success(), "{}", stderr(&applied));

    let quiet = s.run(&["plan", "stack.yaml", "--json"]);
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    assert_eq!(sdk_lines(&stderr(&quiet)), 0, "{}", stderr(&quiet));

    let debug = s.run(&["-v", "plan", "stack.yaml", "--json"]);
    assert!(debug.status.success(), "{}", stderr(&debug));
    assert!(stderr(&debug).contains("DEBUG strata"), "strata's own debug logs: {}", stderr(&debug));
    assert_eq!(sdk_lines(&stderr(&debug)), 0, "-v alone leaves the SDK out");

    let trace = s.run(&["plan", "stack.yaml", "--json", "-vv"]);
    assert!(trace.status.success(), "{}", stderr(&trace));
    assert!(sdk_lines(&stderr(&trace)) > 0, "the SDK's request logs: {}", stderr(&trace));
    let plan: Value = serde_json::from_str(&stdout(&trace)).expect("stdout is the plan, logs are elsewhere");
    assert_eq!(plan["changes"][0]["action"], "noop");

    let custom = crate::support::strata_with_env(s.path(), &["-vv", "plan", "stack.yaml"], &[("RUST_LOG", "off")]);
    assert!(custom.status.success());
    assert_eq!(sdk_lines(&stderr(&custom)), 0, "RUST_LOG=off overrides -vv: {}", stderr(&custom));

    let out = s.run(&["destroy", "stack.yaml", "--auto-approve"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A validator for each JSON document strata prints, from docs/json/.
fn validators() -> Vec<(String, jsonschema::Validator)> {
    ["plan", "event", "summary", "outputs", "error"]
        .into_iter()
        .map(|kind| {
            let path = repo_root().join("docs/json").join(format!("{kind}.schema.json"));
            let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            (kind.to_owned(), jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        })
        .collect()
}

/// Checks one document against the schema its `type` names.
fn assert_matches_schema(validators: &[(String, jsonschema::Validator)], doc: &Value) {
    let kind = doc["type"].as_str().unwrap_or_else(|| panic!("no type: {doc}"));
    let (_, validator) = validators.iter().find(|(k, _)| k == kind).unwrap_or_else(|| panic!("no schema for {kind}"));
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{doc}\n{}", errors.join("\n"));
}

/// With `--json`, a failure is one JSON object on stderr (code, message,
/// help), and `apply --json` emits the plan, then an event per resource
/// operation, the summary and the outputs, one JSON document a line, each
/// valid against its schema in docs/json/.
#[test]
fn json_mode_is_json_for_failures_and_for_the_whole_apply() {
    let validators = validators();
    let s = Scratch::with_spec("Stack: broken\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      RetentionInDays: 31\n");
    let out = s.run(&["plan", "stack.yaml", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let err: Value = serde_json::from_str(stderr(&out).trim()).expect("one JSON object");
    assert_eq!(err["error"], true, "{err}");
    assert!(err["code"].as_str().is_some_and(|c| !c.is_empty()), "{err}");
    assert!(err.to_string().contains("RetentionInDays"), "{err}");
    assert_matches_schema(&validators, &err);

    let stack = crate::cloud::unique("jsonapply");
    s.write_spec(&format!(
        "Stack: {stack}\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /strata-tests/{stack}\n      RetentionInDays: 7\n  Errors:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: ${{Logs.LogGroupName}}-errors\nOutputs:\n  Arn:\n    Value: ${{Logs.Arn}}\n"
    ));
    let out = s.run(&["apply", "stack.yaml", "--auto-approve", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let docs: Vec<Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    for doc in &docs {
        assert_matches_schema(&validators, doc);
    }
    let kinds: Vec<&str> = docs.iter().filter_map(|d| d["type"].as_str()).collect();
    assert_eq!(kinds, ["plan", "event", "event", "event", "event", "summary", "outputs"], "{docs:#?}");
    assert_eq!(docs[0]["plan"]["changes"][0]["action"], "create", "{}", docs[0]);
    let events: Vec<(&str, &str)> =
        docs[1..5].iter().map(|e| (e["event"].as_str().unwrap(), e["name"].as_str().unwrap())).collect();
    assert_eq!(events, [("started", "Logs"), ("finished", "Logs"), ("started", "Errors"), ("finished", "Errors")]);
    assert_eq!(docs[5]["succeeded"], 2);
    assert!(docs[6]["outputs"]["Arn"].as_str().is_some_and(|a| a.starts_with("arn:")));

    let out = s.run(&["destroy", "stack.yaml", "--auto-approve", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for line in stdout(&out).lines() {
        assert_matches_schema(&validators, &serde_json::from_str(line).unwrap());
    }
}
