//! Provider tests for the compute types against the local cloud (see cloud.rs).
//!
//! Each test drives one type through create -> read -> update -> find ->
//! delete and checks what landed with an independent client: boto3 from the
//! local cloud's own virtualenv (moto depends on it), run as a small inline
//! script against the same endpoint.

use serde_json::{json, Value};
use strata::build::{archive, code_sha256, Artifact};
use strata::provider::types::{iam_role, lambda_function, lambda_permission};
use strata::provider::{Cx, ProviderError, ResourceProvider, StrataTags};

use crate::cloud;
use crate::lifecycle::request as req;

/// Runs `script` with boto3 against the local cloud and parses the JSON it
/// prints. The script gets `c(service)`, a client on the local cloud, and
/// `json`; `gone(f)` runs `f` and says whether AWS answered "not found".
fn boto3(script: &str) -> Value {
    let prelude = r#"
import json, sys
import boto3
from botocore.exceptions import ClientError
EP = sys.argv[1]
def c(service):
    return boto3.client(service, endpoint_url=EP, region_name="us-east-1")
def gone(f):
    try:
        f()
        return False
    except ClientError as e:
        code = e.response["Error"]["Code"]
        if code in ("NoSuchEntity", "ResourceNotFoundException"):
            return True
        raise
"#;
    crate::support::boto3_json(prelude, script)
}

fn trust(service: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]
    })
}

fn allow(action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
}

/// A customer-managed policy to attach (moto loads no AWS-managed ones).
fn managed_policy(name: &str) -> String {
    let doc = allow("s3:GetObject").to_string();
    let out = boto3(&format!(
        "p = c('iam').create_policy(PolicyName='{name}', PolicyDocument='{doc}')\nprint(json.dumps(p['Policy']['Arn']))"
    ));
    out.as_str().expect("an ARN").to_owned()
}

/// What IAM holds for a role, read by boto3 (documents decoded).
fn iam_oracle(role: &str) -> Value {
    boto3(&format!(
        r#"
iam = c('iam'); n = '{role}'
r = iam.get_role(RoleName=n)['Role']
inline = {{p: iam.get_role_policy(RoleName=n, PolicyName=p)['PolicyDocument'] for p in iam.list_role_policies(RoleName=n)['PolicyNames']}}
managed = [p['PolicyArn'] for p in iam.list_attached_role_policies(RoleName=n)['AttachedPolicies']]
tags = {{t['Key']: t['Value'] for t in iam.list_role_tags(RoleName=n)['Tags']}}
print(json.dumps(dict(arn=r['Arn'], id=r['RoleId'], description=r.get('Description'), trust=r['AssumeRolePolicyDocument'],
                      max_session=r.get('MaxSessionDuration'), inline=inline, managed=managed, tags=tags), default=str))
"#
    ))
}

fn role_gone(role: &str) -> bool {
    boto3(&format!("print(json.dumps(gone(lambda: c('iam').get_role(RoleName='{role}'))))")) == json!(true)
}

#[test]
fn iam_role_lifecycle() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let provider = iam_role::Provider;
        let name = cloud::unique("strata-role");
        let tags = cloud::tags("TestRole");
        let first_managed = managed_policy(&cloud::unique("first"));
        let second_managed = managed_policy(&cloud::unique("second"));
        let props = json!({
            "RoleName": name,
            "Description": "first description",
            "AssumeRolePolicyDocument": trust("lambda.amazonaws.com"),
            "MaxSessionDuration": 7200,
            "Policies": [
                {"PolicyName": "b-logs", "PolicyDocument": allow("logs:PutLogEvents")},
                {"PolicyName": "a-table", "PolicyDocument": allow("dynamodb:GetItem")}
            ],
            "ManagedPolicyArns": [first_managed],
            "Tags": [{"Key": "team", "Value": "compute"}]
        });

        // create
        let applied = provider.create(&cx, &req("TestRole", &props, &tags)).await.expect("create");
        assert_eq!(applied.physical_id, name);
        assert_eq!(applied.attributes["RoleName"], json!(name));
        let landed = iam_oracle(&name);
        assert_eq!(applied.attributes["Arn"], landed["arn"]);
        assert_eq!(applied.attributes["RoleId"], landed["id"]);
        assert_eq!(landed["description"], "first description");
        assert_eq!(landed["trust"], trust("lambda.amazonaws.com"));
        assert_eq!(landed["max_session"], 7200);
        assert_eq!(
            landed["inline"],
            json!({"a-table": allow("dynamodb:GetItem"), "b-logs": allow("logs:PutLogEvents")})
        );
        assert_eq!(landed["managed"], json!([first_managed]));
        assert_eq!(landed["tags"]["team"], "compute");
        assert_eq!(landed["tags"]["project"], "strata-tests", "stack-wide tags");
        assert_eq!(landed["tags"]["strata:stack"], json!(tags.stack));
        assert_eq!(landed["tags"]["strata:logical-name"], "TestRole");

        // read: the spec's properties, policies in the spec's order
        let live = provider.read(&cx, &name, &props).await.expect("read").expect("exists");
        for key in [
            "RoleName",
            "Description",
            "AssumeRolePolicyDocument",
            "MaxSessionDuration",
            "Policies",
            "ManagedPolicyArns",
        ] {
            assert_eq!(live.properties[key], props[key], "{key}");
        }
        assert_eq!(live.properties["Path"], "/");
        assert_eq!(
            live.properties["Tags"],
            json!([{"Key": "project", "Value": "strata-tests"}, {"Key": "team", "Value": "compute"}]),
            "no strata:* tags in Tags"
        );
        assert_eq!(live.tags["strata:environment"], "local");
        assert_eq!(live.attributes, applied.attributes);

        // drift: a statement and a policy added by hand are seen by read
        let widened = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"},
            {"Effect": "Allow", "Action": "dynamodb:DeleteTable", "Resource": "*"}
        ]});
        boto3(&format!(
            "iam = c('iam')\niam.put_role_policy(RoleName='{name}', PolicyName='a-table', PolicyDocument='{widened}')\n\
             iam.put_role_policy(RoleName='{name}', PolicyName='by-hand', PolicyDocument='{}')\nprint('null')",
            allow("iam:*")
        ));
        let drifted = provider.read(&cx, &name, &props).await.expect("read").expect("exists");
        let policies = drifted.properties["Policies"].as_array().expect("policies");
        assert_eq!(policies[1], json!({"PolicyName": "a-table", "PolicyDocument": widened}));
        assert!(policies.iter().any(|p| p["PolicyName"] == "by-hand"), "{policies:?}");

        // update: trust, description, inline add / change / remove, managed swap, tags
        let updated = json!({
            "RoleName": name,
            "Description": "second description",
            "AssumeRolePolicyDocument": trust("scheduler.amazonaws.com"),
            "MaxSessionDuration": 3600,
            "Policies": [
                {"PolicyName": "a-table", "PolicyDocument": allow("dynamodb:Query")},
                {"PolicyName": "c-new", "PolicyDocument": allow("sqs:SendMessage")}
            ],
            "ManagedPolicyArns": [second_managed],
            "Tags": [{"Key": "team", "Value": "platform"}, {"Key": "cost", "Value": "42"}]
        });
        let after = provider.update(&cx, &name, &props, &req("TestRole", &updated, &tags)).await.expect("update");
        assert_eq!(after, applied);
        let landed = iam_oracle(&name);
        assert_eq!(landed["description"], "second description");
        assert_eq!(landed["trust"], trust("scheduler.amazonaws.com"));
        assert_eq!(landed["max_session"], 3600);
        assert_eq!(
            landed["inline"],
            json!({"a-table": allow("dynamodb:Query"), "c-new": allow("sqs:SendMessage")}),
            "changed, added, removed, and the hand-made one gone"
        );
        assert_eq!(landed["managed"], json!([second_managed]));
        assert_eq!(landed["tags"]["team"], "platform");
        assert_eq!(landed["tags"]["cost"], "42");
        assert_eq!(landed["tags"]["strata:logical-name"], "TestRole");

        // find: by the name (and our tags); the same name wanted by another
        // logical name is someone else's role, never adopted
        let found = provider.find(&cx, &req("TestRole", &updated, &tags)).await.expect("find");
        assert_eq!(found, Some(applied.clone()));
        let mut other = tags.clone();
        other.logical_name = "OtherRole".into();
        let err = provider.find(&cx, &req("OtherRole", &updated, &other)).await.expect_err("not ours");
        assert!(matches!(err, ProviderError::NotOurs { .. }), "{err}");
        assert!(err.to_string().contains("logical name `TestRole`"), "{err}");

        // delete: inline and managed go first; a second delete is fine
        provider.delete(&cx, &name, &updated).await.expect("delete");
        assert!(role_gone(&name));
        provider.delete(&cx, &name, &updated).await.expect("second delete");
        assert_eq!(provider.read(&cx, &name, &updated).await.expect("read"), None);
    });
}

#[test]
fn iam_role_without_a_name_gets_one_that_find_adopts_by_tags() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let provider = iam_role::Provider;
        let tags = cloud::tags("UnnamedRoleWithAVeryLongLogicalNameThatWillNotFitInSixtyFourCharacters");
        let props = json!({"AssumeRolePolicyDocument": trust("lambda.amazonaws.com")});
        let request = req(&tags.logical_name, &props, &tags);
        assert_eq!(provider.find(&cx, &request).await.expect("find"), None, "nothing yet");
        let applied = provider.create(&cx, &request).await.expect("create");
        let expected: String = format!("{}-local-{}", tags.stack, tags.logical_name).chars().take(64).collect();
        assert_eq!(applied.physical_id, expected);
        assert_eq!(provider.find(&cx, &request).await.expect("find"), Some(applied.clone()), "adopted after a 'crash'");
        let live = provider.read(&cx, &applied.physical_id, &props).await.expect("read").expect("exists");
        assert_eq!(live.properties["AssumeRolePolicyDocument"], props["AssumeRolePolicyDocument"]);
        assert!(live.properties.get("Policies").is_none());
        provider.delete(&cx, &applied.physical_id, &props).await.expect("delete");
        assert!(role_gone(&applied.physical_id));
    });
}

/// A package standing in for a built crate (provider tests do not compile
/// Lambdas; lambda_build.rs does).
fn fake_artifact(dir: &std::path::Path, crate_path: &str, contents: &[u8]) -> Artifact {
    let zip = archive::bootstrap_zip(contents).expect("zip");
    let zip_path = dir.join(format!("{}.zip", uuid::Uuid::new_v4().simple()));
    std::fs::write(&zip_path, &zip).expect("write zip");
    Artifact { crate_path: crate_path.into(), zip_path, code_sha256: code_sha256(&zip), zip_size: zip.len() as u64 }
}

/// A role Lambda can assume, made with strata's own provider.
async fn lambda_role(cx: &Cx, tags: &StrataTags) -> (String, String) {
    let name = cloud::unique("strata-fn-role");
    let props = json!({"RoleName": name, "AssumeRolePolicyDocument": trust("lambda.amazonaws.com")});
    let applied = iam_role::Provider.create(cx, &req("FnRole", &props, tags)).await.expect("role");
    let arn = applied.attributes["Arn"].as_str().expect("arn").to_owned();
    (name, arn)
}

fn function_oracle(name: &str) -> Value {
    boto3(&format!(
        "f = c('lambda').get_function(FunctionName='{name}')\n\
         print(json.dumps(dict(config=f['Configuration'], tags=f.get('Tags', {{}}), concurrency=f.get('Concurrency')), default=str))"
    ))
}

#[test]
fn lambda_function_lifecycle() {
    cloud::runtime().block_on(async {
        let mut cx = cloud::cx().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let crate_path = "lambdas/test-function";
        let v1 = fake_artifact(dir.path(), crate_path, b"\x7fELF version one");
        cx.artifacts.insert(crate_path.into(), v1.clone());
        let tags = cloud::tags("TestFunction");
        let (role_name, role_arn) = lambda_role(&cx, &tags).await;
        let provider = lambda_function::Provider;
        // No FunctionName: strata generates <stack>-<env>-<LogicalName>.
        let props = json!({
            "Description": "first",
            "Code": {"Crate": crate_path},
            "Runtime": "provided.al2023",
            "Handler": "bootstrap",
            "Architectures": ["x86_64"],
            "Role": role_arn,
            "MemorySize": 256,
            "Timeout": 15,
            "KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/test",
            "VpcConfig": {"SubnetIds": ["subnet-0a"], "SecurityGroupIds": ["sg-0a"]},
            "LoggingConfig": {"LogGroup": "/acme/test", "LogFormat": "JSON"},
            "Environment": {"Variables": {"TABLE": "orders", "MODE": "test"}},
            "ReservedConcurrentExecutions": 5,
            "Tags": [{"Key": "team", "Value": "compute"}]
        });
        let request = req("TestFunction", &props, &tags);
        assert_eq!(provider.find(&cx, &request).await.expect("find"), None);

        // create
        let applied = provider.create(&cx, &request).await.expect("create");
        let name = format!("{}-local-TestFunction", tags.stack);
        assert_eq!(applied.physical_id, name);
        assert_eq!(applied.attributes["FunctionName"], json!(name));
        let landed = function_oracle(&name);
        let config = &landed["config"];
        assert_eq!(applied.attributes["Arn"], config["FunctionArn"]);
        assert_eq!(config["CodeSha256"], json!(v1.code_sha256), "the package's zip was shipped");
        assert_eq!(config["Role"], json!(role_arn));
        assert_eq!(config["Runtime"], "provided.al2023");
        assert_eq!(config["Handler"], "bootstrap");
        assert_eq!(config["MemorySize"], 256);
        assert_eq!(config["Timeout"], 15);
        assert_eq!(config["KMSKeyArn"], "arn:aws:kms:us-east-1:123456789012:key/test");
        assert_eq!(config["VpcConfig"]["SubnetIds"], json!(["subnet-0a"]));
        assert_eq!(config["Environment"]["Variables"], json!({"TABLE": "orders", "MODE": "test"}));
        assert_eq!(config["State"], "Active");
        assert_eq!(landed["tags"]["team"], "compute");
        assert_eq!(landed["tags"]["strata:logical-name"], "TestFunction");
        assert_eq!(landed["concurrency"]["ReservedConcurrentExecutions"], 5);

        // read
        let live = provider.read(&cx, &name, &props).await.expect("read").expect("exists");
        for key in ["Description", "Runtime", "Handler", "Architectures", "Role", "MemorySize", "Timeout", "KmsKeyArn"]
        {
            assert_eq!(live.properties[key], props[key], "{key}");
        }
        for key in ["Environment", "ReservedConcurrentExecutions", "LoggingConfig"] {
            assert_eq!(live.properties[key], props[key], "{key}");
        }
        assert_eq!(live.properties["VpcConfig"], props["VpcConfig"]);
        assert_eq!(live.properties["Code"], json!({"Crate": crate_path, "CodeSha256": v1.code_sha256}));
        assert_eq!(live.properties["FunctionName"], json!(name));
        assert_eq!(live.attributes, applied.attributes);
        assert!(live.properties["Tags"]
            .as_array()
            .expect("tags")
            .contains(&json!({"Key": "team", "Value": "compute"})));

        // update: configuration only (same code): no UpdateFunctionCode
        let mut config_only = props.clone();
        config_only["Timeout"] = json!(20);
        let calls = cx.clients.calls();
        provider.update(&cx, &name, &props, &req("TestFunction", &config_only, &tags)).await.expect("update");
        let config_calls = cx.clients.calls() - calls;
        assert_eq!(function_oracle(&name)["config"]["Timeout"], 20);
        assert_eq!(function_oracle(&name)["config"]["CodeSha256"], json!(v1.code_sha256));

        // update: new code, configuration, environment, concurrency, tags
        let v2 = fake_artifact(dir.path(), crate_path, b"\x7fELF version two");
        cx.artifacts.insert(crate_path.into(), v2.clone());
        let mut updated = config_only.clone();
        updated["Timeout"] = json!(25);
        updated["Description"] = json!("second");
        updated["MemorySize"] = json!(512);
        updated["Environment"] = json!({"Variables": {"TABLE": "orders-v2", "EXTRA": "1"}});
        updated["ReservedConcurrentExecutions"] = json!(7);
        updated["Tags"] = json!([{"Key": "team", "Value": "platform"}]);
        let calls = cx.clients.calls();
        let after =
            provider.update(&cx, &name, &config_only, &req("TestFunction", &updated, &tags)).await.expect("update");
        let full_calls = cx.clients.calls() - calls;
        assert_eq!(after, applied);
        let landed = function_oracle(&name);
        assert_eq!(landed["config"]["CodeSha256"], json!(v2.code_sha256), "new code shipped");
        assert_eq!(landed["config"]["Description"], "second");
        assert_eq!(landed["config"]["MemorySize"], 512);
        assert_eq!(landed["config"]["Timeout"], 25);
        assert_eq!(landed["config"]["Environment"]["Variables"], json!({"TABLE": "orders-v2", "EXTRA": "1"}));
        assert_eq!(landed["concurrency"]["ReservedConcurrentExecutions"], 7);
        assert_eq!(landed["tags"]["team"], "platform");
        assert_eq!(landed["tags"]["strata:stack"], json!(tags.stack));
        // The code update is UpdateFunctionCode + one readiness poll more;
        // tags (untag none, tag one) and concurrency add one call each.
        assert_eq!(full_calls, config_calls + 2 + 2, "config-only update shipped no code");
        let live = provider.read(&cx, &name, &updated).await.expect("read").expect("exists");
        assert_eq!(live.properties["Code"]["CodeSha256"], json!(v2.code_sha256));

        // removing reserved concurrency deletes it
        let mut unreserved = updated.clone();
        unreserved.as_object_mut().expect("object").remove("ReservedConcurrentExecutions");
        provider.update(&cx, &name, &updated, &req("TestFunction", &unreserved, &tags)).await.expect("update");
        assert_eq!(function_oracle(&name)["concurrency"], Value::Null);

        // find: by the generated name and our tags
        assert_eq!(
            provider.find(&cx, &req("TestFunction", &unreserved, &tags)).await.expect("find"),
            Some(applied.clone())
        );

        // delete
        provider.delete(&cx, &name, &unreserved).await.expect("delete");
        let gone = boto3(&format!("print(json.dumps(gone(lambda: c('lambda').get_function(FunctionName='{name}'))))"));
        assert_eq!(gone, json!(true));
        provider.delete(&cx, &name, &unreserved).await.expect("second delete");
        assert_eq!(provider.read(&cx, &name, &unreserved).await.expect("read"), None);
        iam_role::Provider.delete(&cx, &role_name, &json!({})).await.expect("delete role");
    });
}

#[test]
fn lambda_function_refuses_a_crate_that_was_not_built() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let tags = cloud::tags("Unbuilt");
        let props = json!({"Code": {"Crate": "lambdas/not-built"}, "Role": "arn:aws:iam::123456789012:role/x"});
        let err = lambda_function::Provider.create(&cx, &req("Unbuilt", &props, &tags)).await.unwrap_err();
        assert!(err.to_string().contains("Code.Crate"), "{err}");
    });
}

#[test]
fn lambda_permission_lifecycle() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let tags = cloud::tags("ApiInvokePermission");
        let (role_name, role_arn) = lambda_role(&cx, &tags).await;
        // An inline Python function this time (CloudFormation's ZipFile).
        let function_name = cloud::unique("strata-perm-fn");
        let function_props = json!({
            "FunctionName": function_name,
            "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
            "Runtime": "python3.13",
            "Handler": "index.handler",
            "Role": role_arn
        });
        let function = lambda_function::Provider
            .create(&cx, &req("PermFunction", &function_props, &tags))
            .await
            .expect("function");
        let function_arn = function.attributes["Arn"].as_str().expect("arn").to_owned();
        let source_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/*/*/*";
        let props = json!({
            "Action": "lambda:InvokeFunction",
            "FunctionName": function_arn,
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": source_arn,
            "SourceAccount": "123456789012"
        });
        let provider = lambda_permission::Provider;
        let request = req("ApiInvokePermission", &props, &tags);
        assert_eq!(provider.find(&cx, &request).await.expect("find"), None);

        // create
        let applied = provider.create(&cx, &request).await.expect("create");
        assert_eq!(applied.physical_id, format!("{function_arn}|strata-ApiInvokePermission"));
        assert_eq!(applied.attributes["Id"], json!(applied.physical_id));
        let policy = boto3(&format!("print(c('lambda').get_policy(FunctionName='{function_name}')['Policy'])"));
        let statement = &policy["Statement"][0];
        assert_eq!(statement["Sid"], "strata-ApiInvokePermission");
        assert_eq!(statement["Principal"], json!({"Service": "apigateway.amazonaws.com"}));
        assert_eq!(statement["Action"], "lambda:InvokeFunction");
        assert_eq!(statement["Condition"]["ArnLike"]["AWS:SourceArn"], source_arn);

        // read
        let live = provider.read(&cx, &applied.physical_id, &props).await.expect("read").expect("exists");
        assert_eq!(live.properties, props);
        assert_eq!(live.attributes, applied.attributes);

        // update: everything is createOnly, so there is nothing to change
        assert_eq!(provider.update(&cx, &applied.physical_id, &props, &request).await.expect("update"), applied);

        // find: the statement id comes from the logical name
        assert_eq!(provider.find(&cx, &request).await.expect("find"), Some(applied.clone()));
        let other = req("OtherPermission", &props, &tags);
        assert_eq!(provider.find(&cx, &other).await.expect("find"), None);

        // delete
        provider.delete(&cx, &applied.physical_id, &props).await.expect("delete");
        let gone =
            boto3(&format!("print(json.dumps(gone(lambda: c('lambda').get_policy(FunctionName='{function_name}'))))"));
        assert_eq!(gone, json!(true), "no statement left");
        provider.delete(&cx, &applied.physical_id, &props).await.expect("second delete");
        assert_eq!(provider.read(&cx, &applied.physical_id, &props).await.expect("read"), None);

        lambda_function::Provider.delete(&cx, &function_name, &function_props).await.expect("delete function");
        // The function is gone: reading or deleting its permission is still fine.
        assert_eq!(provider.read(&cx, &applied.physical_id, &props).await.expect("read"), None);
        provider.delete(&cx, &applied.physical_id, &props).await.expect("delete after the function");
        iam_role::Provider.delete(&cx, &role_name, &json!({})).await.expect("delete role");
    });
}
