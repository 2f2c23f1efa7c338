//! Drift on the local cloud: a stack is applied, then changed by hand with
//! boto3 (an independent client) in seven ways; `strata drift` reports each
//! with expected and actual values, `plan` shows them apart from the spec's
//! changes, `apply --refresh-only` accepts them, `apply` puts them back.

use serde_json::{json, Value};

use crate::support::{boto3_json, stderr, stdout, Scratch};

/// A stack of seven types, named by replacing `STACK` (also the GitOps test's).
pub(crate) const SPEC: &str = r#"Stack: STACK
Tags:
  team: platform
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.40.0.0/16
  WebSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: https in
      VpcId: ${Vpc.VpcId}
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 10.40.0.0/16
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ${stack.Name}-orders
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
  Key:
    Type: AWS::KMS::Key
    Properties:
      Description: drift test key
      EnableKeyRotation: true
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /strata/${stack.Name}
      RetentionInDays: 30
  FnRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: ${stack.Name}-fn
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
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: ${stack.Name}-fn
      Runtime: python3.13
      Handler: index.handler
      Role: ${FnRole.Arn}
      MemorySize: 256
      Code:
        ZipFile: |
          def handler(event, context):
              return event
      Tags:
        - Key: tier
          Value: app
"#;

const PRELUDE: &str = "import boto3, json, os\n\
    from botocore.exceptions import ClientError\n\
    def c(name):\n    return boto3.client(name, endpoint_url=os.environ['ENDPOINT'])\n";

fn boto(script: &str) -> Value {
    boto3_json(PRELUDE, script)
}

fn state(s: &Scratch) -> Value {
    serde_json::from_str(&std::fs::read_to_string(s.path().join("state.json")).unwrap()).unwrap()
}

fn id(s: &Scratch, name: &str) -> String {
    state(s)["resources"][name]["physical_id"].as_str().unwrap().to_owned()
}

fn drift_json(s: &Scratch) -> (Option<i32>, Value) {
    let out = s.run(&["drift", "stack.yaml", "--state", "state.json", "--json"]);
    let report = serde_json::from_str(&stdout(&out)).unwrap_or_else(|_| panic!("{}{}", stdout(&out), stderr(&out)));
    (out.status.code(), report)
}

fn status_of<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["resources"].as_array().unwrap().iter().find(|r| r["name"] == name).expect("reported")
}

/// The property drifts of one resource, by path.
fn drifted_paths(report: &Value, name: &str) -> Vec<String> {
    status_of(report, name)["properties"]
        .as_array()
        .map(|a| a.iter().map(|p| p["path"].as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

fn apply(s: &Scratch, extra: &[&str]) -> String {
    let mut args = vec!["apply", "stack.yaml", "--state", "state.json", "--auto-approve"];
    args.extend_from_slice(extra);
    let out = s.run(&args);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    stdout(&out)
}

/// The seven hand changes of the issue, made with boto3.
fn change_by_hand(s: &Scratch, stack: &str) {
    let (sg, key, role, fn_name) = (id(s, "WebSg"), id(s, "Key"), id(s, "FnRole"), id(s, "Fn"));
    boto(&format!(
        "ec2 = c('ec2')\n\
         ec2.authorize_security_group_ingress(GroupId='{sg}', IpPermissions=[{{'IpProtocol': 'tcp', 'FromPort': 22, 'ToPort': 22, 'IpRanges': [{{'CidrIp': '0.0.0.0/0'}}]}}])\n\
         c('dynamodb').delete_table(TableName='{stack}-orders')\n\
         c('lambda').update_function_configuration(FunctionName='{fn_name}', MemorySize=512)\n\
         arn = c('lambda').get_function(FunctionName='{fn_name}')['Configuration']['FunctionArn']\n\
         c('lambda').tag_resource(Resource=arn, Tags={{'owner': 'bob'}})\n\
         c('iam').put_role_policy(RoleName='{role}', PolicyName='read-orders', PolicyDocument=json.dumps({{'Version': '2012-10-17', 'Statement': [{{'Effect': 'Allow', 'Action': 'dynamodb:*', 'Resource': '*'}}]}}))\n\
         c('kms').disable_key_rotation(KeyId='{key}')\n\
         c('logs').put_retention_policy(logGroupName='/strata/{stack}', retentionInDays=7)\n\
         print('null')"
    ));
}

#[test]
fn hand_changes_are_reported_accepted_and_put_back() {
    let stack = format!("drift-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let s = Scratch::with_spec(&SPEC.replace("STACK", &stack));
    apply(&s, &[]);
    let (code, report) = drift_json(&s);
    assert_eq!(code, Some(0), "freshly applied is in sync: {report:#}");
    assert!(report["resources"].as_array().unwrap().iter().all(|r| r["status"] == "IN_SYNC"), "{report:#}");

    change_by_hand(&s, &stack);
    let (code, report) = drift_json(&s);
    assert_eq!(code, Some(2), "{report:#}");
    assert_eq!(status_of(&report, "Orders")["status"], "DELETED");
    assert_eq!(drifted_paths(&report, "WebSg"), ["SecurityGroupIngress"]);
    let ingress = &status_of(&report, "WebSg")["properties"][0];
    assert_eq!(ingress["expected"].as_array().unwrap().len(), 1);
    assert_eq!(ingress["actual"].as_array().unwrap().len(), 2, "the added rule is in the actual value: {ingress:#}");
    let mut fn_paths = drifted_paths(&report, "Fn");
    fn_paths.sort();
    assert_eq!(fn_paths, ["MemorySize", "Tags"], "{report:#}");
    let memory = status_of(&report, "Fn")["properties"].as_array().unwrap().iter().find(|p| p["path"] == "MemorySize");
    assert_eq!(memory.unwrap()["expected"], json!(256));
    assert_eq!(memory.unwrap()["actual"], json!(512));
    assert_eq!(drifted_paths(&report, "FnRole"), ["Policies"]);
    let rotation = &status_of(&report, "Key")["properties"][0];
    assert_eq!(
        (rotation["path"].as_str(), &rotation["expected"], &rotation["actual"]),
        (Some("EnableKeyRotation"), &json!(true), &json!(false))
    );
    let retention = &status_of(&report, "Logs")["properties"][0];
    assert_eq!((&retention["expected"], &retention["actual"]), (&json!(30), &json!(7)));
    assert_eq!(status_of(&report, "Vpc")["status"], "IN_SYNC");

    // The human report says the same, and the plan shows the drift apart.
    let out = s.run(&["drift", "stack.yaml", "--state", "state.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("MemorySize: expected 256, actual 512"), "{}", stdout(&out));
    let out = s.run(&["plan", "stack.yaml", "--state", "state.json"]);
    let text = stdout(&out);
    assert!(text.contains("Changed outside strata since the last apply:"), "{text}");
    assert!(text.contains("+ Orders (AWS::DynamoDB::Table) will be created"), "a deleted table comes back: {text}");
    assert!(text.contains("~ MemorySize = 512 -> 256"), "{text}");

    // --refresh-only accepts what AWS has: no more drift, nothing changed in AWS.
    let keep = s.path().join("before-refresh.json");
    std::fs::copy(s.path().join("state.json"), &keep).unwrap();
    apply(&s, &["--refresh-only"]);
    let accepted = state(&s);
    assert_eq!(accepted["resources"]["Fn"]["properties"]["MemorySize"], json!(512));
    assert!(accepted["resources"].get("Orders").is_none(), "the deleted table left state");
    let (code, report) = drift_json(&s);
    assert_eq!(code, Some(0), "after --refresh-only the state is what AWS has: {report:#}");
    assert_eq!(
        boto(&format!(
            "print(c('lambda').get_function(FunctionName='{}')['Configuration']['MemorySize'])",
            id(&s, "Fn")
        )),
        json!(512)
    );

    // From the state before accepting, apply puts everything back.
    std::fs::copy(&keep, s.path().join("state.json")).unwrap();
    apply(&s, &[]);
    let (code, report) = drift_json(&s);
    assert_eq!(code, Some(0), "apply restored the spec: {report:#}");
    let fn_name = id(&s, "Fn");
    let live = boto(&format!(
        "print(json.dumps({{'memory': c('lambda').get_function(FunctionName='{fn_name}')['Configuration']['MemorySize'], \
         'rotation': c('kms').get_key_rotation_status(KeyId='{key}')['KeyRotationEnabled'], \
         'retention': c('logs').describe_log_groups(logGroupNamePrefix='/strata/{stack}')['logGroups'][0]['retentionInDays'], \
         'table': c('dynamodb').describe_table(TableName='{stack}-orders')['Table']['TableStatus'], \
         'rules': len(c('ec2').describe_security_groups(GroupIds=['{sg}'])['SecurityGroups'][0]['IpPermissions'])}}))",
        key = id(&s, "Key"),
        sg = id(&s, "WebSg"),
    ));
    assert_eq!(live, json!({"memory": 256, "rotation": true, "retention": 30, "table": "ACTIVE", "rules": 1}));

    let out = s.run(&["destroy", "stack.yaml", "--state", "state.json", "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn unmanaged_resources_and_import() {
    let stack = format!("drift-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let s = Scratch::with_spec(&SPEC.replace("STACK", &stack));
    apply(&s, &[]);
    // A table state forgets about is unmanaged: it still carries the stack's tags.
    let mut forgotten = state(&s);
    let table = forgotten["resources"].as_object_mut().unwrap().remove("Orders").unwrap();
    s.write_state(&forgotten);
    let (code, report) = drift_json(&s);
    assert_eq!(code, Some(2), "{report:#}");
    let unmanaged = report["unmanaged"].as_array().unwrap();
    assert_eq!(unmanaged.len(), 1, "{report:#}");
    assert_eq!(unmanaged[0]["logical_name"], "Orders");
    assert!(unmanaged[0]["arn"].as_str().unwrap().ends_with(&format!("table/{stack}-orders")), "{report:#}");

    // Importing it brings it back under management; the next plan is empty.
    let out =
        s.run(&["import", "Orders", &format!("{stack}-orders"), "--stack", "stack.yaml", "--state", "state.json"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(state(&s)["resources"]["Orders"]["attributes"]["Arn"], table["attributes"]["Arn"]);
    let out = s.run(&["plan", "stack.yaml", "--state", "state.json", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let (code, report) = drift_json(&s);
    assert_eq!(code, Some(0), "{report:#}");

    // Bad imports say what is wrong and change nothing.
    let before = std::fs::read_to_string(s.path().join("state.json")).unwrap();
    let out = s.run(&["import", "Orders", "x", "--stack", "stack.yaml", "--state", "state.json"]);
    assert!(stderr(&out).contains("already in state"), "{}", stderr(&out));
    let out = s.run(&["import", "Nope", "x", "--stack", "stack.yaml", "--state", "state.json"]);
    assert!(stderr(&out).contains("`Nope` is not a resource of"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(s.path().join("state.json")).unwrap(), before);

    let out = s.run(&["destroy", "stack.yaml", "--state", "state.json", "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

/// Properties a hand change removes, which the readers then omit: the
/// Lambda taken out of its VPC, the log group's retention cleared, the
/// role's only inline policy deleted.
const REMOVED_SPEC: &str = r#"Stack: STACK
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.41.0.0/16
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: ${Vpc.VpcId}
      CidrBlock: 10.41.1.0/24
  FnSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: lambda
      VpcId: ${Vpc.VpcId}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /strata/${stack.Name}
      RetentionInDays: 14
  FnRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: ${stack.Name}-fn
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
      Policies:
        - PolicyName: tls-only
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: logs:PutLogEvents
                Resource: "*"
                Condition:
                  Bool: { "aws:SecureTransport": "true" }
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: ${stack.Name}-fn
      Runtime: python3.13
      Handler: index.handler
      Role: ${FnRole.Arn}
      VpcConfig:
        SubnetIds: [ "${Subnet.SubnetId}" ]
        SecurityGroupIds: [ "${FnSg.GroupId}" ]
      Code:
        ZipFile: |
          def handler(event, context):
              return event
"#;

#[test]
fn removed_properties_are_reported_and_put_back() {
    let stack = format!("drift-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let s = Scratch::with_spec(&REMOVED_SPEC.replace("STACK", &stack));
    apply(&s, &[]);
    let (code, report) = drift_json(&s);
    assert_eq!(code, Some(0), "freshly applied is in sync: {report:#}");

    let (fn_name, role, subnet, sg) = (id(&s, "Fn"), id(&s, "FnRole"), id(&s, "Subnet"), id(&s, "FnSg"));
    boto(&format!(
        "c('lambda').update_function_configuration(FunctionName='{fn_name}', VpcConfig={{'SubnetIds': [], 'SecurityGroupIds': []}})\n\
         c('logs').delete_retention_policy(logGroupName='/strata/{stack}')\n\
         c('iam').delete_role_policy(RoleName='{role}', PolicyName='tls-only')\n\
         print('null')"
    ));
    let (code, report) = drift_json(&s);
    assert_eq!(code, Some(2), "{report:#}");
    let removed = |name: &str, path: &str| -> Value {
        let drift = status_of(&report, name)["properties"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["path"] == path).cloned())
            .unwrap_or_else(|| panic!("{name}.{path} is not reported: {report:#}"));
        assert_eq!(drift["actual"], Value::Null, "{drift:#}");
        drift["expected"].clone()
    };
    assert_eq!(removed("Fn", "VpcConfig"), json!({"SubnetIds": [subnet], "SecurityGroupIds": [sg]}));
    assert_eq!(removed("Logs", "RetentionInDays"), json!(14));
    let policies = removed("FnRole", "Policies");
    assert_eq!(
        policies[0]["PolicyDocument"]["Statement"][0]["Condition"],
        json!({"Bool": {"aws:SecureTransport": "true"}})
    );
    let out = s.run(&["drift", "stack.yaml", "--state", "state.json"]);
    assert!(stdout(&out).contains("RetentionInDays: removed (expected 14)"), "{}", stdout(&out));

    apply(&s, &[]);
    let (code, report) = drift_json(&s);
    assert_eq!(code, Some(0), "apply put everything back: {report:#}");
    let live = boto(&format!(
        "vpc = c('lambda').get_function(FunctionName='{fn_name}')['Configuration'].get('VpcConfig', {{}})\n\
         group = c('logs').describe_log_groups(logGroupNamePrefix='/strata/{stack}')['logGroups'][0]\n\
         doc = c('iam').get_role_policy(RoleName='{role}', PolicyName='tls-only')['PolicyDocument']\n\
         doc = json.loads(doc) if isinstance(doc, str) else doc\n\
         print(json.dumps({{'subnets': vpc.get('SubnetIds'), 'groups': vpc.get('SecurityGroupIds'), \
         'retention': group.get('retentionInDays'), 'condition': doc['Statement'][0].get('Condition')}}))"
    ));
    assert_eq!(
        live,
        json!({"subnets": [subnet], "groups": [sg], "retention": 14, "condition": {"Bool": {"aws:SecureTransport": "true"}}})
    );

    let out = s.run(&["destroy", "stack.yaml", "--state", "state.json", "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}
