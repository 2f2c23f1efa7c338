//! Replacements on the local cloud, through the `strata` binary: a new table
//! name is created before the old table is destroyed, and the role that
//! points at it moves in between; an unchanged name forces destroy-first;
//! an old object an interrupted run left in `deposed` is deleted next run.

use serde_json::{json, Value};

use crate::support::{boto3_json, stderr, stdout, Scratch};

const SPEC: &str = r#"Stack: STACK
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ${stack.Name}-orders-NAME
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: KEY
          AttributeType: S
      KeySchema:
        - AttributeName: KEY
          KeyType: HASH
  Reader:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read-orders
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: dynamodb:GetItem
                Resource: ${Orders.Arn}
"#;

fn spec(stack: &str, name: &str, key: &str) -> String {
    SPEC.replace("STACK", stack).replace("NAME", name).replace("KEY", key)
}

fn stack_name() -> String {
    format!("cbd-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

fn apply_events(s: &Scratch) -> Vec<Value> {
    let out = s.run(&["apply", "stack.yaml", "--state", "state.json", "--auto-approve", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    stdout(&out).lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).collect()
}

/// Position of the first finished event for `name` with `action`.
fn finished(events: &[Value], name: &str, action: &str) -> usize {
    events
        .iter()
        .position(|e| e["event"] == "finished" && e["name"] == name && e["action"] == action)
        .unwrap_or_else(|| panic!("no finished {action} of {name} in {events:#?}"))
}

fn tables(stack: &str) -> Value {
    boto3_json(
        "import boto3, json, os\nddb = boto3.client('dynamodb', endpoint_url=os.environ['ENDPOINT'])",
        // Paginated: a long-lived local cloud holds more than one page of tables.
        &format!(
            "names = [t for page in ddb.get_paginator('list_tables').paginate() for t in page['TableNames']]\n\
             print(json.dumps(sorted(t for t in names if t.startswith('{stack}-'))))"
        ),
    )
}

fn role_policy_resource(role: &str) -> Value {
    boto3_json(
        "import boto3, json, os\niam = boto3.client('iam', endpoint_url=os.environ['ENDPOINT'])",
        &format!(
            "d = iam.get_role_policy(RoleName='{role}', PolicyName='read-orders')['PolicyDocument']\n\
             d = json.loads(d) if isinstance(d, str) else d\n\
             print(json.dumps(d['Statement'][0]['Resource']))"
        ),
    )
}

fn state(s: &Scratch) -> Value {
    serde_json::from_str(&std::fs::read_to_string(s.path().join("state.json")).unwrap()).unwrap()
}

#[test]
fn a_renamed_table_is_created_before_the_old_one_is_destroyed() {
    let stack = stack_name();
    let s = Scratch::with_spec(&spec(&stack, "v1", "id"));
    apply_events(&s);
    let role = state(&s)["resources"]["Reader"]["physical_id"].as_str().unwrap().to_owned();

    // A new name: both tables may exist at once, so the new one comes first.
    s.write_spec(&spec(&stack, "v2", "id"));
    let out = s.run(&["plan", "stack.yaml", "--state", "state.json"]);
    let text = stdout(&out);
    assert!(text.contains("+/- Orders (AWS::DynamoDB::Table) must be replaced"), "{text}");
    assert!(text.contains("create before destroy: the new object can exist beside the old one"), "{text}");
    let events = apply_events(&s);
    let created = finished(&events, "Orders", "replace");
    let moved = finished(&events, "Reader", "update");
    let old_gone = finished(&events, "Orders", "delete");
    assert!(created < moved && moved < old_gone, "new table, then the role moves, then the old table goes");
    assert!(events[old_gone]["note"].as_str().unwrap_or_default().starts_with("old object"), "{:#}", events[old_gone]);
    assert_eq!(tables(&stack), json!([format!("{stack}-orders-v2")]));
    let arn = state(&s)["resources"]["Orders"]["attributes"]["Arn"].clone();
    assert_eq!(role_policy_resource(&role), arn);
    assert!(state(&s).get("deposed").is_none(), "nothing is left deposed");

    // Same name, new key: the old table must go first.
    s.write_spec(&spec(&stack, "v2", "pk"));
    let out = s.run(&["plan", "stack.yaml", "--state", "state.json"]);
    let text = stdout(&out);
    assert!(text.contains("-/+ Orders (AWS::DynamoDB::Table) must be replaced"), "{text}");
    assert!(text.contains("destroy before create: `TableName` stays the same and must be unique"), "{text}");
    let events = apply_events(&s);
    assert!(finished(&events, "Orders", "delete") < finished(&events, "Orders", "replace"));
    assert_eq!(tables(&stack), json!([format!("{stack}-orders-v2")]));

    let out = s.run(&["destroy", "stack.yaml", "--state", "state.json", "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(tables(&stack), json!([]));
}

/// The state a run leaves when it dies after creating the new object of a
/// create-before-destroy replacement and before deleting the old one.
#[test]
fn an_old_object_left_by_an_interrupted_replacement_is_deleted_next_run() {
    let stack = stack_name();
    let s = Scratch::with_spec(&spec(&stack, "v1", "id"));
    apply_events(&s);
    let v1 = state(&s)["resources"]["Orders"].clone();
    s.write_spec(&spec(&stack, "v2", "id"));
    apply_events(&s);
    // Put the v1 table back in AWS and in `deposed`, as the crash would have.
    boto3_json(
        "import boto3, json, os\nddb = boto3.client('dynamodb', endpoint_url=os.environ['ENDPOINT'])",
        &format!(
            "ddb.create_table(TableName='{stack}-orders-v1', BillingMode='PAY_PER_REQUEST', \
             AttributeDefinitions=[{{'AttributeName': 'id', 'AttributeType': 'S'}}], \
             KeySchema=[{{'AttributeName': 'id', 'KeyType': 'HASH'}}])\nprint('null')"
        ),
    );
    let mut crashed = state(&s);
    crashed["deposed"] = json!({"Orders": v1});
    s.write_state(&crashed);
    assert_eq!(tables(&stack).as_array().unwrap().len(), 2);

    let out = s.run(&["plan", "stack.yaml", "--state", "state.json", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(2), "the old object is a change:\n{}", stdout(&out));
    assert!(
        stdout(&out).contains("- Orders (old object) (AWS::DynamoDB::Table) will be destroyed"),
        "{}",
        stdout(&out)
    );
    let events = apply_events(&s);
    finished(&events, "Orders", "delete");
    assert_eq!(tables(&stack), json!([format!("{stack}-orders-v2")]));
    assert!(state(&s).get("deposed").is_none());
    let out = s.run(&["plan", "stack.yaml", "--state", "state.json", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let out = s.run(&["destroy", "stack.yaml", "--state", "state.json", "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

/// A MOCK-integrated REST API, `GET /orders`, deployed to stage v1 (also
/// the local runtime's greedy-path test).
pub(crate) const API_SPEC: &str = r#"Stack: STACK
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: ${stack.Name}
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
      Integration:
        Type: MOCK
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
"#;

/// A changed method is deployed again: the stage moves to the new snapshot
/// and the old deployment is deleted, so nothing is left behind.
#[test]
fn a_redeployment_moves_the_stage_and_removes_the_old_snapshot() {
    let stack = stack_name();
    let s = Scratch::with_spec(&API_SPEC.replace("STACK", &stack));
    apply_events(&s);
    let api = state(&s)["resources"]["Api"]["physical_id"].as_str().unwrap().to_owned();
    let first = state(&s)["resources"]["Deployment"]["physical_id"].as_str().unwrap().to_owned();

    s.write_spec(&API_SPEC.replace("STACK", &stack).replace("AuthorizationType: NONE", "AuthorizationType: AWS_IAM"));
    let events = apply_events(&s);
    let redeployed = finished(&events, "Deployment", "replace");
    assert!(finished(&events, "Stage", "update") > redeployed, "the stage moves after the new deployment");
    assert!(finished(&events, "Deployment", "delete") > finished(&events, "Stage", "update"), "then the old one goes");
    let second = state(&s)["resources"]["Deployment"]["physical_id"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    let live = boto3_json(
        "import boto3, json, os\napi = boto3.client('apigateway', endpoint_url=os.environ['ENDPOINT'])",
        &format!(
            "print(json.dumps({{'deployments': sorted(d['id'] for d in api.get_deployments(restApiId='{api}')['items']), \
             'stage': api.get_stage(restApiId='{api}', stageName='v1')['deploymentId']}}))"
        ),
    );
    assert_eq!(live, json!({"deployments": [second.clone()], "stage": second}));

    let out = s.run(&["destroy", "stack.yaml", "--state", "state.json", "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}
