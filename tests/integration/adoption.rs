//! Adoption only of what is provably strata's own (issue #12): a
//! same-named table, role and log group that strata did not create stop the
//! plan and the apply before any change, and boto3 (an independent client)
//! sees them untouched; a leftover that carries this stack's identity tags
//! is adopted, and the plan says so.

use serde_json::Value;

use crate::cloud::unique;
use crate::support::{boto3_json, flat, plan_actions, stderr, stdout, Scratch};

const SPEC: &str = r#"Stack: STACK
Resources:
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
  Audit:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ${stack.Name}-audit
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
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
"#;

const PRELUDE: &str = "import boto3, json, os\n\
    from botocore.exceptions import ClientError\n\
    def c(name):\n    return boto3.client(name, endpoint_url=os.environ['ENDPOINT'])\n";

fn boto(script: &str) -> Value {
    boto3_json(PRELUDE, script)
}

/// What someone else made under the spec's names, with no strata tags: a
/// table with an index of theirs, a role with a policy of theirs, a log
/// group kept for 7 days.
fn make_theirs(stack: &str) {
    boto(&format!(
        "ddb = c('dynamodb')\n\
         ddb.create_table(TableName='{stack}-orders', BillingMode='PAY_PER_REQUEST',\n\
           AttributeDefinitions=[{{'AttributeName':'id','AttributeType':'S'}},{{'AttributeName':'g','AttributeType':'S'}}],\n\
           KeySchema=[{{'AttributeName':'id','KeyType':'HASH'}}],\n\
           GlobalSecondaryIndexes=[{{'IndexName':'TheirIndex','KeySchema':[{{'AttributeName':'g','KeyType':'HASH'}}],'Projection':{{'ProjectionType':'ALL'}}}}])\n\
         iam = c('iam')\n\
         iam.create_role(RoleName='{stack}-fn', AssumeRolePolicyDocument=json.dumps({{'Version':'2012-10-17','Statement':[{{'Effect':'Allow','Principal':{{'Service':'lambda.amazonaws.com'}},'Action':'sts:AssumeRole'}}]}}))\n\
         iam.put_role_policy(RoleName='{stack}-fn', PolicyName='theirs', PolicyDocument=json.dumps({{'Version':'2012-10-17','Statement':[{{'Effect':'Allow','Action':'s3:GetObject','Resource':'*'}}]}}))\n\
         logs = c('logs')\n\
         logs.create_log_group(logGroupName='/strata/{stack}')\n\
         logs.put_retention_policy(logGroupName='/strata/{stack}', retentionInDays=7)\n\
         print(json.dumps(True))"
    ));
}

/// What boto3 sees of those three, and whether the spec's other table exists.
fn theirs_now(stack: &str) -> Value {
    boto(&format!(
        "ddb = c('dynamodb')\n\
         t = ddb.describe_table(TableName='{stack}-orders')['Table']\n\
         iam = c('iam')\n\
         pols = iam.list_role_policies(RoleName='{stack}-fn')['PolicyNames']\n\
         logs = c('logs')\n\
         g = [x for x in logs.describe_log_groups(logGroupNamePrefix='/strata/{stack}')['logGroups'] if x['logGroupName'] == '/strata/{stack}'][0]\n\
         try:\n    ddb.describe_table(TableName='{stack}-audit'); audit = True\n\
         except ClientError:\n    audit = False\n\
         print(json.dumps({{'indexes': [i['IndexName'] for i in t.get('GlobalSecondaryIndexes', [])],\n\
           'policies': pols, 'retention': g.get('retentionInDays'), 'audit_created': audit}}))"
    ))
}

#[test]
fn same_named_resources_strata_did_not_create_stop_the_plan_and_the_apply() {
    let stack = unique("adopt");
    let s = Scratch::with_spec(&SPEC.replace("STACK", &stack));
    make_theirs(&stack);
    let before = theirs_now(&stack);

    let plan = s.run(&["plan", "stack.yaml", "--state", "state.json"]);
    let err = flat(&stderr(&plan));
    assert_eq!(plan.status.code(), Some(1), "{}{err}", stdout(&plan));
    assert!(err.contains("3 resource(s) the plan would create already exist and are not this stack's"), "{err}");
    for (name, physical) in
        [("Orders", format!("{stack}-orders")), ("FnRole", format!("{stack}-fn")), ("Logs", format!("/strata/{stack}"))]
    {
        assert!(err.contains(&format!("`{name}`")) && err.contains(&physical), "names {name} ({physical}): {err}");
    }
    assert!(err.contains("it carries no strata tags"), "{err}");
    assert!(err.contains("strata import"), "offers import: {err}");
    assert!(!err.contains("`Audit`"), "the table nobody else has is fine: {err}");

    let apply = s.run(&["apply", "stack.yaml", "--state", "state.json", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(1), "{}{}", stdout(&apply), stderr(&apply));
    assert!(flat(&stderr(&apply)).contains("nothing was changed"), "{}", stderr(&apply));

    let after = theirs_now(&stack);
    assert_eq!(after, before, "their table's index, their role's policy and their retention are untouched");
    assert_eq!(after["indexes"], serde_json::json!(["TheirIndex"]), "{after}");
    assert_eq!(after["policies"], serde_json::json!(["theirs"]), "{after}");
    assert_eq!(after["retention"], 7, "{after}");
    assert_eq!(after["audit_created"], false, "nothing at all was created: {after}");
    let state = std::fs::read_to_string(s.path().join("state.json")).unwrap_or_default();
    assert!(!state.contains("\"Orders\""), "nothing recorded: {state}");
}

#[test]
fn a_leftover_with_this_stacks_tags_is_adopted_and_the_plan_says_so() {
    let stack = unique("adopt");
    let spec = SPEC.replace("STACK", &stack);
    // Only the table: as if a run died right after AWS created it.
    let s = Scratch::with_spec(&spec);
    boto(&format!(
        "ddb = c('dynamodb')\n\
         ddb.create_table(TableName='{stack}-orders', BillingMode='PAY_PER_REQUEST',\n\
           AttributeDefinitions=[{{'AttributeName':'id','AttributeType':'S'}}], KeySchema=[{{'AttributeName':'id','KeyType':'HASH'}}],\n\
           Tags=[{{'Key':'strata:stack','Value':'{stack}'}},{{'Key':'strata:environment','Value':'local'}},{{'Key':'strata:logical-name','Value':'Orders'}}])\n\
         print(json.dumps(True))"
    ));
    // Tagged for another logical name of the same stack: not this one.
    boto(&format!(
        "c('dynamodb').create_table(TableName='{stack}-audit', BillingMode='PAY_PER_REQUEST',\n\
           AttributeDefinitions=[{{'AttributeName':'id','AttributeType':'S'}}], KeySchema=[{{'AttributeName':'id','KeyType':'HASH'}}],\n\
           Tags=[{{'Key':'strata:stack','Value':'{stack}'}},{{'Key':'strata:environment','Value':'local'}},{{'Key':'strata:logical-name','Value':'Orders'}}])\n\
         print(json.dumps(True))"
    ));
    let plan = s.run(&["plan", "stack.yaml", "--state", "state.json"]);
    let err = flat(&stderr(&plan));
    assert_eq!(plan.status.code(), Some(1), "{}{err}", stdout(&plan));
    assert!(err.contains("`Audit`") && err.contains("logical name `Orders`"), "{err}");
    assert!(!err.contains("`Orders`:"), "the table tagged as Orders is ours: {err}");

    boto(&format!("c('dynamodb').delete_table(TableName='{stack}-audit')\nprint(json.dumps(True))"));
    let plan = s.run(&["plan", "stack.yaml", "--state", "state.json", "--json"]);
    assert_eq!(plan.status.code(), Some(0), "{}{}", stdout(&plan), stderr(&plan));
    let json: Value = serde_json::from_str(&stdout(&plan)).unwrap();
    assert!(plan_actions(&json).contains(&("Orders".into(), "create".into())), "{json:#}");
    let orders = json["changes"].as_array().unwrap().iter().find(|c| c["name"] == "Orders").unwrap();
    assert!(
        orders["reason"].as_str().unwrap_or_default().starts_with(&format!("adopt: `{stack}-orders` was left")),
        "{orders:#}"
    );
    let human = s.run(&["plan", "stack.yaml", "--state", "state.json"]);
    assert!(stdout(&human).contains("# adopt: "), "{}", stdout(&human));

    let apply = s.run(&["apply", "stack.yaml", "--state", "state.json", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}{}", stdout(&apply), stderr(&apply));
    assert!(stdout(&apply).contains("adopted an existing resource"), "{}", stdout(&apply));
    let destroy = s.run(&["destroy", "stack.yaml", "--state", "state.json", "--auto-approve"]);
    assert_eq!(destroy.status.code(), Some(0), "{}{}", stdout(&destroy), stderr(&destroy));
}

/// A stack of `n` VPCs, each with a subnet, `n` log groups and `n` roles.
fn many_spec(stack: &str, n: usize) -> String {
    let mut spec = format!("Stack: {stack}\nResources:\n");
    for i in 0..n {
        spec.push_str(&format!(
            "  Vpc{i}:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.{i}.0.0/16\n\
             \x20 Subnet{i}:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: ${{Vpc{i}.VpcId}}\n      CidrBlock: 10.{i}.1.0/24\n\
             \x20 Logs{i}:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /strata/${{stack.Name}}/g{i}\n\
             \x20 Role{i}:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: ${{stack.Name}}-r{i}\n\
             \x20     AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n\
             \x20         - Effect: Allow\n            Principal: {{ Service: lambda.amazonaws.com }}\n            Action: sts:AssumeRole\n"
        ));
    }
    spec
}

#[test]
fn many_creates_are_looked_up_with_one_listing_per_type_and_still_caught() {
    const N: usize = 20;
    let stack = unique("adopt-many");
    let s = Scratch::with_spec(&many_spec(&stack, N));
    let cloud = strata::local::ensure_running().expect("local cloud");
    let proxy = crate::fault_proxy::FaultProxy::start(&cloud.endpoint, 0.0, 1);
    let through_proxy = |args: &[&str]| crate::support::strata_with_env(s.path(), args, &[("STRATA_LOCAL_ENDPOINT", &proxy.endpoint)]);
    // Someone else's log group and role under two of the spec's names; what
    // an interrupted run of this stack left: a VPC, and a subnet (in a VPC
    // of its own).
    let ours = |logical: &str| {
        format!("[{{'Key':'strata:stack','Value':'{stack}'}},{{'Key':'strata:environment','Value':'local'}},{{'Key':'strata:logical-name','Value':'{logical}'}}]")
    };
    boto(&format!(
        "c('logs').create_log_group(logGroupName='/strata/{stack}/g7')\n\
         c('iam').create_role(RoleName='{stack}-r3', AssumeRolePolicyDocument=json.dumps({{'Version':'2012-10-17','Statement':[]}}))\n\
         ec2 = c('ec2')\n\
         ec2.create_vpc(CidrBlock='10.5.0.0/16', TagSpecifications=[{{'ResourceType':'vpc','Tags':{vpc5}}}])\n\
         other = ec2.create_vpc(CidrBlock='10.200.0.0/16')['Vpc']['VpcId']\n\
         ec2.create_subnet(VpcId=other, CidrBlock='10.200.1.0/24', TagSpecifications=[{{'ResourceType':'subnet','Tags':{subnet2}}}])\n\
         print(json.dumps(True))",
        vpc5 = ours("Vpc5"),
        subnet2 = ours("Subnet2"),
    ));

    let plan = through_proxy(&["plan", "stack.yaml", "--state", "state.json"]);
    let err = flat(&stderr(&plan));
    assert_eq!(plan.status.code(), Some(1), "{}{err}", stdout(&plan));
    assert!(err.contains("2 resource(s) the plan would create already exist and are not this stack's"), "{err}");
    assert!(err.contains("`Logs7`") && err.contains("`Role3`"), "{err}");
    let calls = proxy.counts.requests.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!("figures: ownership lookups of {} creates: {calls} AWS calls", 4 * N);
    // One listing per type (a few pages for the roles every test of the
    // shared local cloud made), and a find only for the two names that
    // exist; one find per create is at least one call each.
    assert!(calls < 2 * N as u64, "{calls} calls for {} creates", 4 * N);

    boto(&format!(
        "c('logs').delete_log_group(logGroupName='/strata/{stack}/g7')\nc('iam').delete_role(RoleName='{stack}-r3')\nprint(json.dumps(True))"
    ));
    let plan = through_proxy(&["plan", "stack.yaml", "--state", "state.json", "--json"]);
    assert_eq!(plan.status.code(), Some(0), "{}{}", stdout(&plan), stderr(&plan));
    let json: Value = serde_json::from_str(&stdout(&plan)).unwrap();
    let adopted: Vec<&str> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["reason"].as_str().is_some_and(|r| r.starts_with("adopt:")))
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(adopted, ["Subnet2", "Vpc5"], "exactly the two leftovers are adopted: {json:#}");
}
