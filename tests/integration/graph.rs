//! `strata graph`: DOT grouped by service family with the critical path in
//! bold; a saved plan coloured by action with a legend; SVG through Graphviz.

use serde_json::json;

use crate::support::{stderr, stdout, Scratch};

/// Three families, and a chain (Vpc -> Subnet -> Alarm) longer than the
/// user pool's (Users -> Alarm).
const SPEC: &str = r#"Stack: demo
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: ${Vpc.VpcId}
      CidrBlock: 10.0.2.0/24
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /demo/${env.Name}
      RetentionInDays: 7
  Users:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolName: ${stack.Name}-users
  Alarm:
    Type: AWS::CloudWatch::Alarm
    DependsOn: [Subnet, Users]
    Properties:
      MetricName: Errors
      Namespace: AWS/Lambda
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
"#;

#[test]
fn graph_prints_dot_with_an_edge_per_dependency() {
    let s = Scratch::with_spec(
        "Stack: demo\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n  Subnet:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: ${Vpc.VpcId}\n      CidrBlock: 10.0.1.0/24\n",
    );
    let out = s.run(&["graph", "stack.yaml"]);
    assert!(out.status.success());
    insta::assert_snapshot!("graph_dot_small", stdout(&out));
}

/// Clusters per family; the longest chain (by count) bold.
#[test]
fn graph_groups_by_family_and_marks_the_critical_path() {
    let s = Scratch::with_spec(SPEC);
    let out = s.run(&["graph", "stack.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dot = stdout(&out);
    for cluster in ["cluster_network", "cluster_api", "cluster_operations"] {
        assert!(dot.contains(cluster), "{cluster} in {dot}");
    }
    assert!(dot.contains("critical path in bold, 3 resources"), "Vpc -> Subnet -> Alarm: {dot}");
    insta::assert_snapshot!("graph_dot_families", dot);
}

/// The state a first apply of SPEC with the subnet at 10.0.1.0/24, the log
/// group at 30 days and a second log group (since removed from the spec)
/// would have left; the user pool is new.
fn state() -> serde_json::Value {
    let resource = |ty: &str, id: &str, props: serde_json::Value, attrs: serde_json::Value, deps: &[&str]| json!({"type": ty, "physical_id": id, "properties": props, "attributes": attrs, "dependencies": deps});
    json!({
        "version": 1,
        "lineage": "6f1c8a4e-0000-4000-8000-000000000002",
        "serial": 3,
        "stack": "demo",
        "environment": "local",
        "resources": {
            "Vpc": resource("AWS::EC2::VPC", "vpc-0abc", json!({"CidrBlock": "10.0.0.0/16"}),
                json!({"VpcId": "vpc-0abc", "CidrBlock": "10.0.0.0/16", "DefaultSecurityGroup": "sg-0def"}), &[]),
            "Subnet": resource("AWS::EC2::Subnet", "subnet-0123", json!({"VpcId": "vpc-0abc", "CidrBlock": "10.0.1.0/24"}),
                json!({"SubnetId": "subnet-0123"}), &["Vpc"]),
            "Logs": resource("AWS::Logs::LogGroup", "/demo/local", json!({"LogGroupName": "/demo/local", "RetentionInDays": 30}),
                json!({"LogGroupName": "/demo/local", "Arn": "arn:aws:logs:us-east-1:123456789012:log-group:/demo/local"}), &[]),
            "OldLogs": resource("AWS::Logs::LogGroup", "/demo/old", json!({"LogGroupName": "/demo/old"}),
                json!({"LogGroupName": "/demo/old", "Arn": "arn:aws:logs:us-east-1:123456789012:log-group:/demo/old"}), &[])
        }
    })
}

/// Every action of a saved plan has its colour, the legend names them all,
/// the critical path counts only what the plan changes, and Graphviz
/// renders it to an SVG naming every resource.
#[test]
fn graph_of_a_saved_plan_colours_each_action_and_renders_to_svg() {
    let s = Scratch::with_spec(SPEC);
    s.write_state(&state());
    let out = s.run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--out", "plan.json"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let out = s.run(&["graph", "--plan", "plan.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dot = stdout(&out);
    let node =
        |name: &str| dot.lines().find(|l| l.trim_start().starts_with(&format!("\"{name}\" ["))).unwrap_or_default();
    for (name, action) in
        [("Vpc", "no-op"), ("Subnet", "replace"), ("Logs", "update"), ("Users", "create"), ("OldLogs", "delete")]
    {
        assert!(node(name).contains(&format!("tooltip=\"{action}\"")), "{name} is {action}: {}", node(name));
    }
    assert!(!node("Vpc").contains("penwidth"), "an unchanged VPC takes no time: {dot}");
    assert!(node("Subnet").contains("penwidth=3") && node("Alarm").contains("penwidth=3"), "{dot}");
    insta::assert_snapshot!("graph_dot_plan", dot);

    let out = s.run(&["graph", "--plan", "plan.json", "--svg", "plan.svg"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let svg = std::fs::read_to_string(s.path().join("plan.svg")).expect("an SVG file");
    assert!(svg.contains("<svg"), "{svg}");
    for text in ["Subnet", "OldLogs", "Plan actions", "Network (EC2)", "critical path"] {
        assert!(svg.contains(text), "{text} drawn in the SVG");
    }
}

/// The flagship's critical path is the longest chain its header comment
/// documents (by count: 12 resources, Vpc to ApiLatencyAlarm).
#[test]
fn the_flagship_critical_path_is_its_documented_longest_chain() {
    let out = crate::support::strata(&crate::support::repo_root(), &["graph", "stacks/acme-scheduling.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dot = stdout(&out);
    let bold: Vec<&str> = dot
        .lines()
        .filter(|l| l.contains("penwidth=3") && !l.contains("->"))
        .filter_map(|l| l.trim_start().strip_prefix('"')?.split('"').next())
        .collect();
    let mut expected = vec![
        "Vpc",
        "LambdaSecurityGroup",
        "EndpointSecurityGroup",
        "LogsEndpoint",
        "OrderExecutorFunction",
        "SchedulerInvokeRole",
        "SchedulerManagerRole",
        "SchedulerManagerFunction",
        "PostScheduleMethod",
        "ApiDeployment",
        "ApiStage",
        "ApiLatencyAlarm",
    ];
    let mut bold_sorted = bold.clone();
    bold_sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(bold_sorted, expected, "{dot}");
    assert_eq!(dot.lines().filter(|l| l.contains("->") && l.contains("penwidth=3")).count(), 11);
}
