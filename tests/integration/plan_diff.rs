//! The diff, through `strata plan`: every action, createOnly replacement and
//! its cascade, ignore-changes, prevent-destroy, deletes in reverse order, and
//! the human and JSON renderings.

use serde_json::{json, Value};

use crate::support::{plan_actions as actions, stderr, stdout, Scratch};

const SPEC: &str = "\
Stack: demo
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
      EnableDnsSupport: true
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: ${Vpc.VpcId}
      CidrBlock: 10.0.1.0/24
      AvailabilityZone: ${env.Region}a
  Logs:
    Type: AWS::Logs::LogGroup
    Lifecycle:
      IgnoreChanges: [KmsKeyId]
    Properties:
      LogGroupName: /demo/${env.Name}
      RetentionInDays: 30
";

/// The state a successful apply of SPEC would have written.
fn applied_state() -> Value {
    json!({
        "version": 1,
        "lineage": "6f1c8a4e-0000-4000-8000-000000000001",
        "serial": 7,
        "stack": "demo",
        "environment": "local",
        "resources": {
            "Vpc": {
                "type": "AWS::EC2::VPC",
                "physical_id": "vpc-0abc",
                "properties": {"CidrBlock": "10.0.0.0/16", "EnableDnsSupport": true},
                "attributes": {"VpcId": "vpc-0abc", "CidrBlock": "10.0.0.0/16", "DefaultSecurityGroup": "sg-0def"},
                "dependencies": []
            },
            "Subnet": {
                "type": "AWS::EC2::Subnet",
                "physical_id": "subnet-0123",
                "properties": {"VpcId": "vpc-0abc", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"},
                "attributes": {"SubnetId": "subnet-0123", "AvailabilityZone": "us-east-1a"},
                "dependencies": ["Vpc"]
            },
            "Logs": {
                "type": "AWS::Logs::LogGroup",
                "physical_id": "/demo/local",
                "properties": {"LogGroupName": "/demo/local", "RetentionInDays": 30},
                "attributes": {"LogGroupName": "/demo/local", "Arn": "arn:aws:logs:us-east-1:123456789012:log-group:/demo/local"},
                "dependencies": []
            }
        }
    })
}

fn plan_json(s: &Scratch) -> Value {
    let out = s.run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[test]
fn empty_state_creates_everything_in_dependency_order() {
    let s = Scratch::with_spec(SPEC);
    let plan = plan_json(&s);
    assert_eq!(actions(&plan), pairs(&[("Vpc", "create"), ("Subnet", "create"), ("Logs", "create")]));
    let subnet = &plan["changes"][1]["after"];
    assert_eq!(subnet["VpcId"], json!({"$unknown": "${Vpc.VpcId}"}), "the VPC id is known only after apply");
    assert_eq!(subnet["AvailabilityZone"], json!("us-east-1a"));
    assert_eq!(plan["summary"]["add"], 3);
    assert_eq!(plan["state_lineage"], Value::Null);
}

#[test]
fn matching_state_is_no_change_and_detailed_exitcode_is_0() {
    let s = Scratch::with_spec(SPEC);
    s.write_state(&applied_state());
    let out = s.run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("No changes."), "{}", stdout(&out));
}

#[test]
fn changed_updatable_property_is_an_update_and_detailed_exitcode_is_2() {
    let s = Scratch::with_spec(&SPEC.replace("RetentionInDays: 30", "RetentionInDays: 90"));
    s.write_state(&applied_state());
    let plan = plan_json(&s);
    assert_eq!(actions(&plan), pairs(&[("Vpc", "noop"), ("Subnet", "noop"), ("Logs", "update")]));
    assert_eq!(
        plan["changes"][2]["changes"],
        json!([{"path": "RetentionInDays", "before": 30, "after": 90, "forces_replacement": false}])
    );
    let out = s.run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn create_only_change_replaces_and_cascades_to_dependents() {
    let s = Scratch::with_spec(&SPEC.replace("10.0.0.0/16", "10.8.0.0/16").replace("10.0.1.0/24", "10.8.1.0/24"));
    s.write_state(&applied_state());
    let plan = plan_json(&s);
    assert_eq!(actions(&plan), pairs(&[("Vpc", "replace"), ("Subnet", "replace"), ("Logs", "noop")]));
    assert_eq!(
        plan["changes"][0]["reason"],
        json!("`CidrBlock` forces replacement; create before destroy: the new object can exist beside the old one")
    );
    assert_eq!(plan["changes"][0]["create_before_destroy"], json!(true));
    // A new subnet may overlap the old one's CIDR: the old one goes first.
    assert_eq!(plan["changes"][1]["create_before_destroy"], Value::Null);
    assert!(plan["changes"][1]["reason"].as_str().unwrap().contains("destroy before create"), "{plan:#}");
    assert_eq!(plan["changes"][0]["requires_replace"], json!(["CidrBlock"]));
    // The subnet's VpcId becomes unknown because its VPC is replaced.
    let subnet_changes = plan["changes"][1]["changes"].as_array().unwrap();
    let vpc_id = subnet_changes.iter().find(|c| c["path"] == "VpcId").unwrap();
    assert_eq!(vpc_id["after"], json!({"$unknown": "${Vpc.VpcId}"}));
    assert_eq!(vpc_id["forces_replacement"], json!(true));
}

#[test]
fn ignored_property_changes_are_not_planned() {
    let s = Scratch::with_spec(&SPEC.replace(
        "RetentionInDays: 30",
        "RetentionInDays: 30\n      KmsKeyId: arn:aws:kms:us-east-1:123456789012:key/abc",
    ));
    s.write_state(&applied_state());
    let plan = plan_json(&s);
    assert_eq!(plan["summary"]["change"], 0, "{plan}");
}

#[test]
fn removed_resources_are_deleted_dependents_first() {
    let mut state = applied_state();
    let resources = state["resources"].as_object_mut().unwrap();
    resources.insert(
        "OldTable".into(),
        json!({
            "type": "AWS::DynamoDB::Table", "physical_id": "old", "properties": {"TableName": "old"},
            "attributes": {"TableName": "old"}, "dependencies": ["OldKey"]
        }),
    );
    resources.insert(
        "OldKey".into(),
        json!({
            "type": "AWS::KMS::Key", "physical_id": "k-1", "properties": {"Description": "old"},
            "attributes": {"KeyId": "k-1"}, "dependencies": []
        }),
    );
    resources.insert("OldAlias".into(), json!({
        "type": "AWS::KMS::Alias", "physical_id": "alias/old", "properties": {"AliasName": "alias/old", "TargetKeyId": "k-1"},
        "attributes": {"AliasName": "alias/old"}, "dependencies": ["OldKey"]
    }));
    let s = Scratch::with_spec(SPEC);
    s.write_state(&state);
    let plan = plan_json(&s);
    let deletes: Vec<_> = actions(&plan).into_iter().filter(|(_, a)| a == "delete").map(|(n, _)| n).collect();
    assert_eq!(deletes, vec!["OldAlias", "OldTable", "OldKey"], "dependents are deleted before the key they use");
}

#[test]
fn prevent_destroy_refuses_a_plan_that_would_destroy() {
    let mut state = applied_state();
    state["resources"].as_object_mut().unwrap().insert(
        "Precious".into(),
        json!({
            "type": "AWS::KMS::Key", "physical_id": "k-2", "properties": {}, "attributes": {"KeyId": "k-2"},
            "dependencies": [], "prevent_destroy": true
        }),
    );
    let s = Scratch::with_spec(SPEC);
    s.write_state(&state);
    let out = s.run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("`Precious` has PreventDestroy"), "{}", stderr(&out));
}

#[test]
fn prevent_destroy_refuses_a_replacement() {
    let spec = SPEC
        .replace("    Type: AWS::EC2::VPC\n", "    Type: AWS::EC2::VPC\n    Lifecycle:\n      PreventDestroy: true\n");
    let s = Scratch::with_spec(&spec.replace("10.0.0.0/16", "10.8.0.0/16").replace("10.0.1.0/24", "10.8.1.0/24"));
    s.write_state(&applied_state());
    let out = s.run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("would replace it"), "{}", stderr(&out));
}

/// A plan with one of each action, for the rendering snapshots.
fn mixed_plan_scratch() -> Scratch {
    let mut state = applied_state();
    state["resources"].as_object_mut().unwrap().insert("OldKey".into(), json!({
        "type": "AWS::KMS::Key", "physical_id": "k-1", "properties": {"Description": "old", "EnableKeyRotation": true},
        "attributes": {"KeyId": "k-1"}, "dependencies": []
    }));
    let spec = SPEC
        .replace("10.0.1.0/24", "10.0.2.0/24")
        .replace("RetentionInDays: 30", "RetentionInDays: 90")
        + "  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n      TableName: demo-${env.Name}\n      AttributeDefinitions:\n        - AttributeName: id\n          AttributeType: S\n      KeySchema:\n        - AttributeName: id\n          KeyType: HASH\n";
    let s = Scratch::with_spec(&spec);
    s.write_state(&state);
    s
}

#[test]
fn human_plan_rendering() {
    let s = mixed_plan_scratch();
    let out = s.run(&["plan", "stack.yaml", "--refresh=false", "--state", "state.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains('\u{1b}'), "no colour codes when piped");
    assert!(text.contains("Plan: 1 to add, 1 to change, 1 to replace, 1 to destroy."), "{text}");
    insta::assert_snapshot!("plan_human_mixed", text);
}

#[test]
fn json_plan_rendering() {
    let s = mixed_plan_scratch();
    let plan = plan_json(&s);
    insta::assert_json_snapshot!("plan_json_mixed", plan);
}

const API_SPEC: &str = "\
Stack: demo
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: demo
  Orders:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: ${Api.RestApiId}
      ParentId: ${Api.RootResourceId}
      PathPart: orders
  GetOrders:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: ${Api.RestApiId}
      ResourceId: ${Orders.ResourceId}
      HttpMethod: GET
      AuthorizationType: NONE
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: [GetOrders]
    Properties:
      RestApiId: ${Api.RestApiId}
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: ${Api.RestApiId}
      StageName: v1
      DeploymentId: ${Deployment.DeploymentId}
";

fn api_state() -> Value {
    json!({
        "version": 1, "lineage": "6f1c8a4e-0000-4000-8000-000000000009", "serial": 5,
        "stack": "demo", "environment": "local",
        "resources": {
            "Api": {"type": "AWS::ApiGateway::RestApi", "physical_id": "api1", "properties": {"Name": "demo"},
                    "attributes": {"RestApiId": "api1", "RootResourceId": "root1"}, "dependencies": []},
            "Orders": {"type": "AWS::ApiGateway::Resource", "physical_id": "res1",
                       "properties": {"RestApiId": "api1", "ParentId": "root1", "PathPart": "orders"},
                       "attributes": {"ResourceId": "res1"}, "dependencies": ["Api"]},
            "GetOrders": {"type": "AWS::ApiGateway::Method", "physical_id": "api1|res1|GET",
                          "properties": {"RestApiId": "api1", "ResourceId": "res1", "HttpMethod": "GET", "AuthorizationType": "NONE"},
                          "attributes": {"Id": "api1|res1|GET"}, "dependencies": ["Api", "Orders"]},
            "Deployment": {"type": "AWS::ApiGateway::Deployment", "physical_id": "dep1", "properties": {"RestApiId": "api1"},
                           "attributes": {"DeploymentId": "dep1"}, "dependencies": ["Api", "GetOrders"]},
            "Stage": {"type": "AWS::ApiGateway::Stage", "physical_id": "api1|v1",
                      "properties": {"RestApiId": "api1", "StageName": "v1", "DeploymentId": "dep1"},
                      "attributes": {"StageName": "v1"}, "dependencies": ["Api", "Deployment"]}
        }
    })
}

#[test]
fn a_changed_method_redeploys_the_api_and_moves_the_stage() {
    let s = Scratch::with_spec(&API_SPEC.replace("AuthorizationType: NONE", "AuthorizationType: AWS_IAM"));
    s.write_state(&api_state());
    let plan = plan_json(&s);
    assert_eq!(
        actions(&plan),
        pairs(&[
            ("Api", "noop"),
            ("Orders", "noop"),
            ("GetOrders", "update"),
            ("Deployment", "replace"),
            ("Stage", "update")
        ])
    );
    // A new snapshot first; the old one goes once the stage has moved.
    assert_eq!(plan["changes"][3]["create_before_destroy"], json!(true));
    let reason = plan["changes"][3]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("the API changed since this deployment: deploy it again; create before destroy"),
        "{reason}"
    );
    assert_eq!(plan["changes"][4]["changes"][0]["after"], json!({"$unknown": "${Deployment.DeploymentId}"}));
    // Unchanged API: nothing to deploy.
    s.write_spec(API_SPEC);
    let plan = plan_json(&s);
    assert_eq!(plan["summary"]["change"], 0);
}

/// Where AWS's schema says a list's order means nothing (`insertionOrder:
/// false`, e.g. a security group's rules), reordering it is no change; where
/// order matters (a table's KeySchema), it still is.
#[test]
fn reordering_an_unordered_list_is_no_change() {
    let spec = "\
Stack: demo
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: vpc-0abc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/16}
        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 10.0.0.0/16}
";
    let rule = |port: u16| json!({"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": "10.0.0.0/16"});
    let state = |rules: Value| {
        json!({
            "version": 1, "lineage": "6f1c8a4e-0000-4000-8000-000000000002", "serial": 1,
            "stack": "demo", "environment": "local",
            "resources": {"Group": {
                "type": "AWS::EC2::SecurityGroup", "physical_id": "sg-0abc",
                "properties": {"GroupDescription": "web", "VpcId": "vpc-0abc", "SecurityGroupIngress": rules},
                "attributes": {"GroupId": "sg-0abc"}, "dependencies": []
            }}
        })
    };
    let s = Scratch::with_spec(spec);
    s.write_state(&state(json!([rule(80), rule(443)])));
    assert_eq!(actions(&plan_json(&s)), pairs(&[("Group", "noop")]), "same rules, other order");
    s.write_state(&state(json!([rule(80), rule(8443)])));
    assert_eq!(actions(&plan_json(&s)), pairs(&[("Group", "update")]), "a different rule is a change");
}
