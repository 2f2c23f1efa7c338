//! Parameters (#15) through the binary: values per environment reaching the
//! plan, the sources' precedence, located errors for a missing, invalid or
//! misspelt one, secrets kept out of every plan, saved plans refused when
//! the values changed, and the CloudFormation export (judged by cfn-lint).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{flat, stderr, stdout, Scratch};

const SPEC: &str = "\
Stack: demo
Parameters:
  Retention:
    Type: Number
    Description: days the logs are kept
    Default: 14
    MinValue: 1
  Team:
    Type: String
    AllowedPattern: '[a-z]+'
    ConstraintDescription: lower-case letters only
  ApiToken:
    Type: String
    NoEcho: true
    MinLength: 8
Environments:
  local:
    Parameters:
      Team: dev
  prod:
    Region: eu-west-1
    Parameters:
      Retention: 90
      Team: core
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /demo/${param.Team}/${env.Name}
      RetentionInDays: ${param.Retention}
      Tags:
        - Key: token
          Value: ${param.ApiToken}
";

const TOKEN: &str = "tok-0123456789";

/// strata in `dir` with extra environment variables (STRATA_VAR_*).
fn run_with(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("STRATA_VAR_")) {
        command.env_remove(&k);
    }
    command.envs(env.iter().copied()).output().expect("the strata binary runs")
}

/// A command that must fail: its report as one line.
fn refused(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let out = run_with(dir, env, args);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    flat(&stderr(&out))
}

/// The plan as JSON (no AWS call: no refresh, a state file of our own).
fn plan_json(s: &Scratch, env: &[(&str, &str)], extra: &[&str]) -> Value {
    let mut args = vec!["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--json"];
    args.extend_from_slice(extra);
    let out = run_with(s.path(), env, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("plan JSON")
}

fn logs_after(plan: &Value) -> &Value {
    &plan["changes"][0]["after"]
}

#[test]
fn each_environment_gets_its_values_in_the_plan() {
    let s = Scratch::with_spec(SPEC);
    let token = [("STRATA_VAR_ApiToken", TOKEN)];
    let local = plan_json(&s, &token, &[]);
    assert_eq!(logs_after(&local)["LogGroupName"], "/demo/dev/local");
    // A Number parameter alone stays a number: AWS's schema sees 14, not "14".
    assert_eq!(logs_after(&local)["RetentionInDays"], 14);
    assert_eq!(local["parameters"]["Retention"], serde_json::json!({"value": 14}));

    let prod = plan_json(&s, &token, &["--env", "prod"]);
    assert_eq!(logs_after(&prod)["LogGroupName"], "/demo/core/prod");
    assert_eq!(logs_after(&prod)["RetentionInDays"], 90);

    let validated = run_with(s.path(), &token, &["validate", "stack.yaml", "--env", "prod"]);
    assert_eq!(validated.status.code(), Some(0), "{}", stderr(&validated));
}

#[test]
fn later_sources_win_default_spec_variable_file_flag() {
    let s = Scratch::with_spec(SPEC);
    std::fs::write(s.path().join("values.yaml"), "Team: file\n").unwrap();
    let name = |env: &[(&str, &str)], extra: &[&str]| {
        let mut all = vec![("STRATA_VAR_ApiToken", TOKEN)];
        all.extend_from_slice(env);
        logs_after(&plan_json(&s, &all, extra))["LogGroupName"].as_str().unwrap().to_owned()
    };
    assert_eq!(name(&[], &[]), "/demo/dev/local");
    assert_eq!(name(&[("STRATA_VAR_Team", "variable")], &[]), "/demo/variable/local");
    assert_eq!(name(&[("STRATA_VAR_Team", "variable")], &["--var-file", "values.yaml"]), "/demo/file/local");
    assert_eq!(
        name(&[("STRATA_VAR_Team", "variable")], &["--var-file", "values.yaml", "--var", "Team=flag"]),
        "/demo/flag/local"
    );
}

#[test]
fn a_parameter_without_a_value_is_reported_at_its_declaration() {
    let s = Scratch::with_spec(SPEC);
    let report = refused(s.path(), &[], &["validate", "stack.yaml"]);
    assert!(report.contains("spec::missing-parameter-value"), "{report}");
    assert!(report.contains("stack.yaml:12:3"), "points at `ApiToken:`: {report}");
    assert!(report.contains("--var ApiToken=..."), "says how to give it: {report}");

    // A misspelt environment is that, not every parameter lacking a value there.
    let report = refused(s.path(), &[], &["validate", "stack.yaml", "--env", "prdo"]);
    assert!(report.contains("prdo") && !report.contains("missing-parameter-value"), "{report}");
}

#[test]
fn an_invalid_value_is_reported_where_it_came_from() {
    let s = Scratch::with_spec(SPEC);
    let token = [("STRATA_VAR_ApiToken", TOKEN)];
    // From the values file: its own file, line and column.
    std::fs::write(s.path().join("values.yaml"), "# prod overrides\nTeam: Core\n").unwrap();
    let report = refused(s.path(), &token, &["validate", "stack.yaml", "--var-file", "values.yaml"]);
    assert!(report.contains("values.yaml:2:7"), "{report}");
    assert!(report.contains("does not match its AllowedPattern"), "{report}");
    assert!(report.contains("lower-case letters only"), "the ConstraintDescription is the hint: {report}");

    // From a flag: named by the flag.
    let report = refused(s.path(), &token, &["validate", "stack.yaml", "--var", "Retention=0"]);
    assert!(report.contains("--var Retention: parameter `Retention` is `0`, below its MinValue 1"), "{report}");

    // From the spec's environment: at its line, whichever environment is used.
    s.write_spec(&SPEC.replace("Retention: 90", "Retention: ninety"));
    let report = refused(s.path(), &token, &["validate", "stack.yaml"]);
    assert!(report.contains("stack.yaml:23:18"), "{report}");
    assert!(report.contains("in environment `prod` must be a number, not `ninety`"), "{report}");

    // An undeclared name given on the command line.
    s.write_spec(SPEC);
    let report = refused(s.path(), &token, &["validate", "stack.yaml", "--var", "Retension=7"]);
    assert!(report.contains("did you mean `Retention`?"), "{report}");
}

#[test]
fn aws_rules_judge_the_resolved_value() {
    let s = Scratch::with_spec(SPEC);
    // 8 keeps the parameter's own MinValue, but CloudWatch Logs has no 8-day retention.
    let report =
        refused(s.path(), &[("STRATA_VAR_ApiToken", TOKEN)], &["validate", "stack.yaml", "--var", "Retention=8"]);
    assert!(report.contains("RetentionInDays"), "{report}");
    assert!(report.contains("stack.yaml:30:24"), "at the property that uses it: {report}");
}

#[test]
fn an_aws_rule_never_quotes_a_secret() {
    // A log group name may not hold spaces: AWS's pattern rejects it, and says so without the value.
    let s = Scratch::with_spec(&SPEC.replace("/demo/${param.Team}/${env.Name}", "${param.ApiToken}"));
    let report = refused(s.path(), &[("STRATA_VAR_ApiToken", "secret token!")], &["validate", "stack.yaml"]);
    assert!(report.contains("LogGroupName"), "{report}");
    assert!(!report.contains("secret token!"), "{report}");
}

#[test]
fn an_unknown_parameter_reference_gets_did_you_mean() {
    let s = Scratch::with_spec(&SPEC.replace("${param.Retention}", "${param.Retension}"));
    let report = refused(s.path(), &[("STRATA_VAR_ApiToken", TOKEN)], &["validate", "stack.yaml"]);
    assert!(report.contains("spec::unknown-parameter"), "{report}");
    assert!(report.contains("stack.yaml:30:24"), "{report}");
    assert!(report.contains("did you mean `Retention`?"), "{report}");
}

#[test]
fn a_secret_is_never_in_a_plan_shown_or_saved() {
    let s = Scratch::with_spec(SPEC);
    let token = [("STRATA_VAR_ApiToken", TOKEN)];
    let human = run_with(s.path(), &token, &["plan", "stack.yaml", "--refresh=false", "--state", "state.json"]);
    assert_eq!(human.status.code(), Some(0), "{}", stderr(&human));
    let json = run_with(s.path(), &token, &["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--json"]);
    let saved = run_with(
        s.path(),
        &token,
        &["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--out", "plans/p.json"],
    );
    assert_eq!(saved.status.code(), Some(0), "{}", stderr(&saved));
    let file = std::fs::read_to_string(s.path().join("plans/p.json")).unwrap();
    for (what, text) in [("human plan", stdout(&human)), ("plan JSON", stdout(&json)), ("saved plan", file.clone())] {
        assert!(!text.contains(TOKEN), "the secret is in the {what}:\n{text}");
        assert!(text.contains("(sensitive)"), "the {what} marks it:\n{text}");
    }
    assert!(
        stdout(&human).contains("Parameters: Retention = 14, Team = \"dev\", ApiToken = (sensitive)"),
        "the human plan says what it was computed from:\n{}",
        stdout(&human)
    );
    let saved: Value = serde_json::from_str(&file).unwrap();
    assert_eq!(saved["plan"]["parameters"]["ApiToken"]["sensitive"], true);
    assert_eq!(saved["plan"]["parameters"]["ApiToken"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(saved["plan"]["parameters"]["Team"]["value"], "dev");
}

#[test]
fn a_saved_plan_is_refused_when_its_values_changed() {
    let s = Scratch::with_spec(SPEC);
    let out = run_with(
        s.path(),
        &[("STRATA_VAR_ApiToken", TOKEN)],
        &["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--out", "p.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let apply = |env: &[(&str, &str)], extra: &[&str]| {
        let mut args = vec!["apply", "p.json", "--state", "state.json"];
        args.extend_from_slice(extra);
        refused(s.path(), env, &args)
    };
    let other_secret = apply(&[("STRATA_VAR_ApiToken", "another-token")], &[]);
    assert!(other_secret.contains("plan::stale"), "{other_secret}");
    assert!(other_secret.contains("the secret parameter `ApiToken` has another value"), "{other_secret}");
    assert!(!other_secret.contains("another-token") && !other_secret.contains(TOKEN), "{other_secret}");

    let other_value = apply(&[("STRATA_VAR_ApiToken", TOKEN)], &["--var", "Retention=30"]);
    assert!(other_value.contains("parameter `Retention` is 30 now, but the plan was made with 14"), "{other_value}");
}

#[test]
fn the_export_declares_the_parameters_and_passes_cfn_lint() {
    let s = Scratch::with_spec(SPEC);
    let out = run_with(
        s.path(),
        &[("STRATA_VAR_ApiToken", TOKEN)],
        &["export", "cloudformation", "stack.yaml", "--env", "prod", "--format", "json", "--out", "t.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(s.path().join("t.json")).unwrap();
    assert!(!text.contains(TOKEN), "no secret in a template:\n{text}");
    let t: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(t["Parameters"]["Retention"]["Default"], "90", "prod's value is the default");
    assert_eq!(t["Parameters"]["Team"]["AllowedPattern"], "[a-z]+");
    assert_eq!(t["Parameters"]["ApiToken"], serde_json::json!({"Type": "String", "MinLength": 8, "NoEcho": true}));
    let logs = &t["Resources"]["Logs"]["Properties"];
    assert_eq!(logs["RetentionInDays"], serde_json::json!({"Ref": "Retention"}));
    assert_eq!(logs["LogGroupName"], serde_json::json!({"Fn::Sub": "/demo/${Team}/${EnvironmentName}"}));
    let findings = crate::export::cfn_lint(&s.path().join("t.json"), "eu-west-1");
    assert!(findings.is_empty(), "cfn-lint: {findings:#?}");
}
