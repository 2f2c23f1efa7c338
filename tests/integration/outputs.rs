//! Stack outputs (issue #15): resolved after apply, stored in state, shown
//! at the end of apply, read back by `strata output` without AWS.

use serde_json::Value;

use crate::cloud::unique;
use crate::support::{stderr, stdout, Scratch};

fn spec(stack: &str, extra_output: &str) -> String {
    format!(
        r#"Stack: {stack}
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /strata-tests/{stack}
      RetentionInDays: 7
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ${{stack.Name}}-orders
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
Outputs:
  TableName:
    Value: ${{Orders.TableName}}
    Description: the orders table
  LogsArn:
    Value: ${{Logs.Arn}}
  Where:
    Value: ${{env.Name}}/${{Orders.TableName}}
{extra_output}"#
    )
}

#[test]
fn outputs_are_shown_after_apply_stored_and_read_back_by_strata_output() {
    let stack = unique("outs");
    let s = Scratch::with_spec(&spec(&stack, ""));
    let table = format!("{stack}-orders");

    // The plan says what the outputs will be: unknown until the table exists.
    let plan = s.run(&["plan", "stack.yaml", "--json"]);
    let plan: Value = serde_json::from_str(&stdout(&plan)).expect("plan JSON");
    assert!(plan["outputs"]["TableName"]["$unknown"].is_string(), "{}", plan["outputs"]);
    let human = stdout(&s.run(&["plan", "stack.yaml"]));
    assert!(
        human.contains("Outputs after this apply:") && human.contains("TableName = (known after apply)"),
        "{human}"
    );

    let out = s.run(&["apply", "stack.yaml", "--auto-approve"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    let section = &text[text.find("\nOutputs:\n").unwrap_or_else(|| panic!("no outputs section:\n{text}"))..];
    assert!(section.contains(&format!("  TableName = {table}\n")), "{section}");
    assert!(section.contains(&format!("  Where     = local/{table}\n")), "{section}");

    let all = s.run(&["output", "--stack", "stack.yaml", "--json"]);
    assert!(all.status.success(), "{}", stderr(&all));
    let all: Value = serde_json::from_str(&stdout(&all)).expect("JSON");
    assert_eq!(all.as_object().unwrap().keys().collect::<Vec<_>>(), ["TableName", "LogsArn", "Where"]);
    assert_eq!(all["TableName"], table.as_str());
    let arn = all["LogsArn"].as_str().expect("an ARN");
    assert!(arn.starts_with("arn:aws:logs:") && arn.contains(&format!("/strata-tests/{stack}")), "{arn}");

    let one = s.run(&["output", "TableName", "--stack", "stack.yaml"]);
    assert_eq!(stdout(&one), format!("{table}\n"), "the bare value, for scripts");

    let wrong = s.run(&["output", "Tablename", "--stack", "stack.yaml"]);
    assert_eq!(wrong.status.code(), Some(1));
    let err = stderr(&wrong);
    assert!(err.contains("no output `Tablename`") && err.contains("TableName"), "{err}");

    // An output added later is no change to AWS, and still stored.
    s.write_spec(&spec(&stack, "  Region:\n    Value: ${env.Region}\n"));
    let plan = s.run(&["plan", "stack.yaml", "--json"]);
    let plan: Value = serde_json::from_str(&stdout(&plan)).expect("plan JSON");
    assert_eq!(plan["outputs"]["TableName"], table.as_str(), "known from state when the table stays");
    assert_eq!(plan["outputs"]["Region"], "us-east-1");
    let out = s.run(&["apply", "stack.yaml", "--auto-approve"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("No changes"), "{}", stdout(&out));
    let region = s.run(&["output", "Region", "--stack", "stack.yaml", "--json"]);
    assert_eq!(stdout(&region).trim(), "\"us-east-1\"", "{}", stderr(&region));

    let out = s.run(&["destroy", "stack.yaml", "--auto-approve"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let after = s.run(&["output", "--stack", "stack.yaml", "--json"]);
    assert_eq!(stdout(&after).trim(), "{}", "no outputs once destroyed: {}", stderr(&after));
}
