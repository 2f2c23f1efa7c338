//! Provider tests for the api types against the local cloud (see cloud.rs).
//!
//! Every test drives a provider the way apply will (create, read, update,
//! find, delete) and checks what landed with boto3 from the local cloud's
//! own virtualenv: an independent client, so a provider that misreads what
//! it wrote cannot pass by agreeing with itself. Each test builds its own
//! REST API (tests share one moto server and run in parallel).

use serde_json::{json, Value};
use strata::provider::types::{
    apigateway_authorizer as authorizer, apigateway_deployment as deployment, apigateway_method as method,
    apigateway_resource as resource, apigateway_rest_api as rest_api, apigateway_stage as stage,
};
use strata::provider::{Applied, Cx, ProviderError, ResourceProvider};

use super::cloud;
use super::lifecycle::request as req;

// ---------------------------------------------------------------- oracle --

/// Evaluates the Python expression `expr` with boto3 against the local
/// cloud and returns its value as JSON. In scope: `api` (the apigateway
/// client), `idp` (cognito-idp) and `call(f, **kw)`, which turns a
/// ClientError into `{"error": CODE}`.
fn boto3(expr: &str) -> Value {
    let prelude = "import boto3, json, os\n\
         from botocore.exceptions import ClientError\n\
         api = boto3.client('apigateway', endpoint_url=os.environ['ENDPOINT'])\n\
         idp = boto3.client('cognito-idp', endpoint_url=os.environ['ENDPOINT'])\n\
         def call(f, **kw):\n\
         \x20   try:\n\
         \x20       return f(**kw)\n\
         \x20   except ClientError as e:\n\
         \x20       return {'error': e.response['Error']['Code']}\n";
    let script = format!(
        "out = {expr}\n\
         if isinstance(out, dict):\n\
         \x20   out.pop('ResponseMetadata', None)\n\
         print(json.dumps(out, default=str))\n"
    );
    crate::support::boto3_json(prelude, &script)
}

/// Whether the API still has that deployment (moto answers GetDeployment
/// of an unknown id with a 500, so the list is asked).
fn has_deployment(api: &str, id: &str) -> bool {
    let ids = boto3(&format!("[d['id'] for d in api.get_deployments(restApiId='{api}')['items']]"));
    ids.as_array().expect("a list").iter().any(|d| d == id)
}

/// The AWS error code boto3 got, if any.
fn error_code(v: &Value) -> Option<&str> {
    v.get("error").and_then(Value::as_str)
}

// --------------------------------------------------------------- helpers --

/// Asserts that every property the spec set reads back the same.
fn assert_reads_back(live: &Value, spec: &Value) {
    for (key, want) in spec.as_object().expect("spec is an object") {
        assert_eq!(live.get(key), Some(want), "read's {key} (live: {live})");
    }
}

/// A fresh REST API (through the provider): its id and root resource id.
async fn new_api(cx: &Cx) -> (String, String) {
    let tags = cloud::tags("Api");
    let props = json!({"Name": cloud::unique("api"), "EndpointConfiguration": {"Types": ["REGIONAL"]}});
    let applied = rest_api::Provider.create(cx, &req("Api", &props, &tags)).await.expect("api created");
    let root = applied.attributes["RootResourceId"].as_str().expect("root id").to_owned();
    (applied.physical_id, root)
}

async fn new_resource(cx: &Cx, api: &str, parent: &str, part: &str) -> String {
    let tags = cloud::tags("Res");
    let props = json!({"RestApiId": api, "ParentId": parent, "PathPart": part});
    resource::Provider.create(cx, &req("Res", &props, &tags)).await.expect("resource created").physical_id
}

fn lambda_uri(function: &str) -> String {
    format!(
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{function}/invocations"
    )
}

/// Properties of a Lambda-proxy method as the flagship stack writes them.
fn proxy_method(api: &str, resource: &str, http_method: &str, operation: &str, function: &str) -> Value {
    json!({
        "RestApiId": api,
        "ResourceId": resource,
        "HttpMethod": http_method,
        "OperationName": operation,
        "AuthorizationType": "NONE",
        "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": lambda_uri(function)},
    })
}

/// An API with `/orders` GET wired to a Lambda: enough to deploy.
async fn deployable_api(cx: &Cx) -> (String, String) {
    let (api, root) = new_api(cx).await;
    let orders = new_resource(cx, &api, &root, "orders").await;
    let tags = cloud::tags("GetOrders");
    let props = proxy_method(&api, &orders, "GET", "ListOrders", "orders");
    method::Provider.create(cx, &req("GetOrders", &props, &tags)).await.expect("method created");
    (api, orders)
}

async fn delete_api(cx: &Cx, api: &str) {
    rest_api::Provider.delete(cx, api, &json!({})).await.expect("api deleted");
}

fn expect_unsupported(result: Result<Applied, ProviderError>, what: &str) {
    match result {
        Err(ProviderError::Unsupported { operation, .. }) => assert!(operation.contains(what), "{operation}"),
        other => panic!("expected a clear Unsupported error about {what}, got {other:?}"),
    }
}

// ----------------------------------------------------------------- tests --

#[test]
fn rest_api_create_read_update_find_delete() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let tags = cloud::tags("Api");
        let name = cloud::unique("api");
        let spec = json!({
            "Name": name,
            "Description": "first",
            "EndpointConfiguration": {"Types": ["REGIONAL"]},
            "Tags": [{"Key": "team", "Value": "payments"}],
        });
        let applied = rest_api::Provider.create(&cx, &req("Api", &spec, &tags)).await.expect("create");
        let id = applied.physical_id.clone();
        assert_eq!(applied.attributes["RestApiId"], json!(id));

        let got = boto3(&format!("api.get_rest_api(restApiId='{id}')"));
        assert_eq!(got["name"], json!(name));
        assert_eq!(got["description"], "first");
        assert_eq!(got["endpointConfiguration"]["types"], json!(["REGIONAL"]));
        assert_eq!(got["tags"]["team"], "payments");
        assert_eq!(got["tags"]["project"], "strata-tests", "stack-wide tags are applied");
        assert_eq!(got["tags"]["strata:stack"], json!(tags.stack));
        assert_eq!(got["tags"]["strata:logical-name"], "Api");
        let resources = boto3(&format!("api.get_resources(restApiId='{id}')['items']"));
        let root = resources.as_array().unwrap().iter().find(|r| r["path"] == "/").expect("a root resource");
        assert_eq!(applied.attributes["RootResourceId"], root["id"]);

        let live = rest_api::Provider.read(&cx, &id, &spec).await.expect("read").expect("exists");
        assert_reads_back(
            &live.properties,
            &json!({"Name": name, "Description": "first", "EndpointConfiguration": {"Types": ["REGIONAL"]}}),
        );
        assert_eq!(
            live.properties["Tags"],
            json!([{"Key": "project", "Value": "strata-tests"}, {"Key": "team", "Value": "payments"}]),
            "Tags without strata's own"
        );
        assert_eq!(live.tags.get("strata:environment").map(String::as_str), Some("local"));
        assert_eq!(live.attributes, applied.attributes);

        let renamed = cloud::unique("api");
        let spec2 = json!({
            "Name": renamed,
            "Description": "second",
            "EndpointConfiguration": {"Types": ["EDGE"]},
            "Tags": [{"Key": "team", "Value": "payments"}],
        });
        let updated = rest_api::Provider.update(&cx, &id, &spec, &req("Api", &spec2, &tags)).await.expect("update");
        assert_eq!(updated, applied);
        let got = boto3(&format!("api.get_rest_api(restApiId='{id}')"));
        assert_eq!(got["name"], json!(renamed));
        assert_eq!(got["description"], "second");
        assert_eq!(got["endpointConfiguration"]["types"], json!(["EDGE"]));

        // moto tags a REST API only at creation: a tag change says so.
        let retagged = json!({"Name": renamed, "Description": "second", "EndpointConfiguration": {"Types": ["EDGE"]}});
        expect_unsupported(rest_api::Provider.update(&cx, &id, &spec2, &req("Api", &retagged, &tags)).await, "tags");

        let found = rest_api::Provider.find(&cx, &req("Api", &spec2, &tags)).await.expect("find");
        assert_eq!(found, Some(applied.clone()), "adopted by its strata tags");
        let stranger = cloud::tags("Api");
        assert_eq!(rest_api::Provider.find(&cx, &req("Api", &spec2, &stranger)).await.expect("find"), None);

        rest_api::Provider.delete(&cx, &id, &spec2).await.expect("delete");
        assert_eq!(error_code(&boto3(&format!("call(api.get_rest_api, restApiId='{id}')"))), Some("NotFoundException"));
        assert_eq!(rest_api::Provider.read(&cx, &id, &spec2).await.expect("read"), None);
        rest_api::Provider.delete(&cx, &id, &spec2).await.expect("a second delete succeeds");
    });
}

#[test]
fn authorizer_create_read_update_find_delete() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let (api, _) = new_api(&cx).await;
        let pool_arn = boto3(&format!("idp.create_user_pool(PoolName='{}')['UserPool']['Arn']", cloud::unique("pool")));
        let tags = cloud::tags("ApiAuthorizer");
        let spec = json!({
            "RestApiId": api,
            "Name": "cognito",
            "Type": "COGNITO_USER_POOLS",
            "ProviderARNs": [pool_arn],
            "IdentitySource": "method.request.header.Authorization",
            "AuthorizerResultTtlInSeconds": 300,
        });
        let applied = authorizer::Provider.create(&cx, &req("ApiAuthorizer", &spec, &tags)).await.expect("create");
        let id = applied.physical_id.clone();
        assert_eq!(applied.attributes["AuthorizerId"], json!(id));

        let got = boto3(&format!("api.get_authorizer(restApiId='{api}', authorizerId='{id}')"));
        assert_eq!(got["name"], "cognito");
        assert_eq!(got["type"], "COGNITO_USER_POOLS");
        assert_eq!(got["providerARNs"], json!([pool_arn]));
        assert_eq!(got["identitySource"], "method.request.header.Authorization");
        assert_eq!(got["authorizerResultTtlInSeconds"], 300);

        let live = authorizer::Provider.read(&cx, &id, &spec).await.expect("read").expect("exists");
        assert_eq!(live.properties, spec, "read returns exactly the spec's properties");

        let spec2 = json!({
            "RestApiId": api,
            "Name": "cognito-v2",
            "Type": "COGNITO_USER_POOLS",
            "ProviderARNs": [pool_arn],
            "IdentitySource": "method.request.header.X-Token",
            "AuthorizerResultTtlInSeconds": 60,
        });
        let updated =
            authorizer::Provider.update(&cx, &id, &spec, &req("ApiAuthorizer", &spec2, &tags)).await.expect("update");
        assert_eq!(updated, applied);
        let got = boto3(&format!("api.get_authorizer(restApiId='{api}', authorizerId='{id}')"));
        assert_eq!(got["name"], "cognito-v2");
        assert_eq!(got["identitySource"], "method.request.header.X-Token");
        assert_eq!(got["authorizerResultTtlInSeconds"], 60);

        // moto cannot patch providerARNs: said plainly instead of a 500.
        let mut other_pool = spec2.clone();
        other_pool["ProviderARNs"] = json!(["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_other"]);
        expect_unsupported(
            authorizer::Provider.update(&cx, &id, &spec2, &req("ApiAuthorizer", &other_pool, &tags)).await,
            "ProviderARNs",
        );

        let found = authorizer::Provider.find(&cx, &req("ApiAuthorizer", &spec2, &tags)).await.expect("find");
        assert_eq!(found, Some(applied.clone()), "adopted by its name within the API");
        let mut unknown = spec2.clone();
        unknown["Name"] = json!("nobody");
        assert_eq!(authorizer::Provider.find(&cx, &req("ApiAuthorizer", &unknown, &tags)).await.expect("find"), None);

        authorizer::Provider.delete(&cx, &id, &spec2).await.expect("delete");
        let gone = boto3(&format!("call(api.get_authorizer, restApiId='{api}', authorizerId='{id}')"));
        assert_eq!(error_code(&gone), Some("NotFoundException"));
        assert_eq!(authorizer::Provider.read(&cx, &id, &spec2).await.expect("read"), None);
        authorizer::Provider.delete(&cx, &id, &spec2).await.expect("a second delete succeeds");
        delete_api(&cx, &api).await;
    });
}

#[test]
fn resource_create_read_find_delete() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let (api, root) = new_api(&cx).await;
        let tags = cloud::tags("ScheduleResource");
        let parent_spec = json!({"RestApiId": api, "ParentId": root, "PathPart": "schedule"});
        let parent =
            resource::Provider.create(&cx, &req("ScheduleResource", &parent_spec, &tags)).await.expect("create");
        let child_tags = cloud::tags("ScheduleIdResource");
        let child_spec = json!({"RestApiId": api, "ParentId": parent.physical_id, "PathPart": "{id}"});
        let child =
            resource::Provider.create(&cx, &req("ScheduleIdResource", &child_spec, &child_tags)).await.expect("create");
        assert_eq!(child.attributes["ResourceId"], json!(child.physical_id));

        let got = boto3(&format!("api.get_resource(restApiId='{api}', resourceId='{}')", child.physical_id));
        assert_eq!(got["path"], "/schedule/{id}");
        assert_eq!(got["pathPart"], "{id}");
        assert_eq!(got["parentId"], json!(parent.physical_id));

        let live = resource::Provider.read(&cx, &child.physical_id, &child_spec).await.expect("read").expect("exists");
        assert_eq!(live.properties, child_spec);

        let same = resource::Provider
            .update(&cx, &child.physical_id, &child_spec, &req("ScheduleIdResource", &child_spec, &child_tags))
            .await
            .expect("update is a no-op");
        assert_eq!(same, child);

        let found =
            resource::Provider.find(&cx, &req("ScheduleIdResource", &child_spec, &child_tags)).await.expect("find");
        assert_eq!(found, Some(child.clone()), "adopted by path part under its parent");
        let elsewhere = json!({"RestApiId": api, "ParentId": root, "PathPart": "{id}"});
        assert_eq!(resource::Provider.find(&cx, &req("X", &elsewhere, &child_tags)).await.expect("find"), None);

        resource::Provider.delete(&cx, &child.physical_id, &child_spec).await.expect("delete");
        let gone = boto3(&format!("call(api.get_resource, restApiId='{api}', resourceId='{}')", child.physical_id));
        assert_eq!(error_code(&gone), Some("NotFoundException"));
        assert_eq!(resource::Provider.read(&cx, &child.physical_id, &child_spec).await.expect("read"), None);
        resource::Provider.delete(&cx, &child.physical_id, &child_spec).await.expect("a second delete succeeds");
        resource::Provider.delete(&cx, &parent.physical_id, &parent_spec).await.expect("delete parent");
        delete_api(&cx, &api).await;
    });
}

#[test]
fn method_with_integration_create_read_update_find_delete() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let (api, root) = new_api(&cx).await;
        let schedule = new_resource(&cx, &api, &root, "schedule").await;
        let auth_tags = cloud::tags("ApiAuthorizer");
        let auth_spec = json!({
            "RestApiId": api, "Name": "cognito", "Type": "COGNITO_USER_POOLS",
            "ProviderARNs": ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_test"],
            "IdentitySource": "method.request.header.Authorization",
        });
        let auth =
            authorizer::Provider.create(&cx, &req("ApiAuthorizer", &auth_spec, &auth_tags)).await.expect("authorizer");

        let tags = cloud::tags("PostScheduleMethod");
        let mut spec = proxy_method(&api, &schedule, "POST", "CreateSchedule", "manager");
        spec["AuthorizationType"] = json!("COGNITO_USER_POOLS");
        spec["AuthorizerId"] = json!(auth.physical_id);
        spec["RequestParameters"] = json!({"method.request.header.X-Trace": false});
        let applied = method::Provider.create(&cx, &req("PostScheduleMethod", &spec, &tags)).await.expect("create");
        let id = format!("{api}|{schedule}|POST");
        assert_eq!(applied.physical_id, id);
        assert_eq!(applied.attributes["Id"], json!(id));

        let got = boto3(&format!("api.get_method(restApiId='{api}', resourceId='{schedule}', httpMethod='POST')"));
        assert_eq!(got["authorizationType"], "COGNITO_USER_POOLS");
        assert_eq!(got["authorizerId"], json!(auth.physical_id));
        assert_eq!(got["operationName"], "CreateSchedule");
        assert_eq!(got["requestParameters"], json!({"method.request.header.X-Trace": false}));
        assert_eq!(got["methodIntegration"]["type"], "AWS_PROXY");
        assert_eq!(got["methodIntegration"]["httpMethod"], "POST");
        assert_eq!(got["methodIntegration"]["uri"], json!(lambda_uri("manager")));

        let live = method::Provider.read(&cx, &id, &spec).await.expect("read").expect("exists");
        let mut top = spec.clone();
        let integration = top.as_object_mut().unwrap().remove("Integration").unwrap();
        assert_reads_back(&live.properties, &top);
        assert_reads_back(&live.properties["Integration"], &integration);

        let mut spec2 = spec.clone();
        spec2["OperationName"] = json!("CreateScheduleV2");
        spec2["RequestParameters"] =
            json!({"method.request.header.X-Trace": true, "method.request.querystring.dry": false});
        spec2["Integration"]["Uri"] = json!(lambda_uri("manager-v2"));
        let updated =
            method::Provider.update(&cx, &id, &spec, &req("PostScheduleMethod", &spec2, &tags)).await.expect("update");
        assert_eq!(updated, applied);
        let got = boto3(&format!("api.get_method(restApiId='{api}', resourceId='{schedule}', httpMethod='POST')"));
        assert_eq!(got["operationName"], "CreateScheduleV2");
        assert_eq!(got["authorizerId"], json!(auth.physical_id), "unchanged settings stay");
        assert_eq!(
            got["requestParameters"],
            json!({"method.request.header.X-Trace": true, "method.request.querystring.dry": false})
        );
        assert_eq!(got["methodIntegration"]["uri"], json!(lambda_uri("manager-v2")));

        let found = method::Provider.find(&cx, &req("PostScheduleMethod", &spec2, &tags)).await.expect("find");
        assert_eq!(found, Some(applied.clone()), "adopted at its address");
        let mut get = spec2.clone();
        get["HttpMethod"] = json!("GET");
        assert_eq!(method::Provider.find(&cx, &req("X", &get, &tags)).await.expect("find"), None);

        method::Provider.delete(&cx, &id, &spec2).await.expect("delete");
        let gone =
            boto3(&format!("call(api.get_method, restApiId='{api}', resourceId='{schedule}', httpMethod='POST')"));
        assert_eq!(error_code(&gone), Some("NotFoundException"));
        assert_eq!(method::Provider.read(&cx, &id, &spec2).await.expect("read"), None);
        method::Provider.delete(&cx, &id, &spec2).await.expect("a second delete succeeds");
        delete_api(&cx, &api).await;
    });
}

#[test]
fn deployment_create_read_delete_and_no_adoption() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let (api, _) = deployable_api(&cx).await;
        let tags = cloud::tags("ApiDeployment");
        let spec = json!({"RestApiId": api, "Description": "deployment 1"});
        let applied = deployment::Provider.create(&cx, &req("ApiDeployment", &spec, &tags)).await.expect("create");
        let id = applied.physical_id.clone();
        assert_eq!(applied.attributes["DeploymentId"], json!(id));

        let got = boto3(&format!("api.get_deployment(restApiId='{api}', deploymentId='{id}')"));
        assert_eq!(got["description"], "deployment 1");
        let live = deployment::Provider.read(&cx, &id, &spec).await.expect("read").expect("exists");
        assert_eq!(live.properties, spec);

        // A deployment is never adopted: a fresh snapshot is always right.
        assert_eq!(deployment::Provider.find(&cx, &req("ApiDeployment", &spec, &tags)).await.expect("find"), None);

        deployment::Provider.delete(&cx, &id, &spec).await.expect("delete");
        assert!(!has_deployment(&api, &id));
        assert_eq!(deployment::Provider.read(&cx, &id, &spec).await.expect("read"), None);
        deployment::Provider.delete(&cx, &id, &spec).await.expect("a second delete succeeds");
        delete_api(&cx, &api).await;
    });
}

#[test]
fn deployment_with_stage_name_owns_that_stage() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let (api, _) = deployable_api(&cx).await;
        let tags = cloud::tags("DevDeployment");
        let spec = json!({"RestApiId": api, "Description": "dev", "StageName": "dev"});
        let first = deployment::Provider.create(&cx, &req("DevDeployment", &spec, &tags)).await.expect("create");
        let got = boto3(&format!("api.get_stage(restApiId='{api}', stageName='dev')"));
        assert_eq!(got["deploymentId"], json!(first.physical_id));
        let live = deployment::Provider.read(&cx, &first.physical_id, &spec).await.expect("read").expect("exists");
        assert_eq!(live.properties, spec);

        // Deploying again moves the stage to the new deployment.
        let second = deployment::Provider
            .update(&cx, &first.physical_id, &spec, &req("DevDeployment", &spec, &tags))
            .await
            .expect("update");
        assert_ne!(second.physical_id, first.physical_id);
        let got = boto3(&format!("api.get_stage(restApiId='{api}', stageName='dev')"));
        assert_eq!(got["deploymentId"], json!(second.physical_id));

        // Deleting it deletes its stage first, then itself.
        deployment::Provider.delete(&cx, &second.physical_id, &spec).await.expect("delete");
        assert_eq!(
            error_code(&boto3(&format!("call(api.get_stage, restApiId='{api}', stageName='dev')"))),
            Some("NotFoundException")
        );
        assert!(!has_deployment(&api, &second.physical_id));
        delete_api(&cx, &api).await;
    });
}

#[test]
fn stage_create_read_update_find_delete() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let (api, _) = deployable_api(&cx).await;
        let dep_tags = cloud::tags("ApiDeployment");
        let dep_spec = json!({"RestApiId": api, "Description": "deployment 1"});
        let dep = deployment::Provider.create(&cx, &req("ApiDeployment", &dep_spec, &dep_tags)).await.expect("deployment");

        let tags = cloud::tags("ApiStage");
        let spec = json!({
            "RestApiId": api,
            "StageName": "v1",
            "DeploymentId": dep.physical_id,
            "Description": "Version 1",
            "Variables": {"table": "orders"},
            "TracingEnabled": true,
            "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50}],
            "Tags": [{"Key": "team", "Value": "payments"}],
        });
        let applied = stage::Provider.create(&cx, &req("ApiStage", &spec, &tags)).await.expect("create");
        let id = format!("{api}|v1");
        assert_eq!(applied.physical_id, id);
        assert_eq!(applied.attributes["StageName"], "v1", "the bare name, for alarm dimensions");

        let got = boto3(&format!("api.get_stage(restApiId='{api}', stageName='v1')"));
        assert_eq!(got["deploymentId"], json!(dep.physical_id));
        assert_eq!(got["description"], "Version 1");
        assert_eq!(got["variables"], json!({"table": "orders"}));
        assert_eq!(got["tracingEnabled"], true);
        assert_eq!(got["methodSettings"]["*/*"]["throttlingBurstLimit"], 100);
        assert_eq!(got["methodSettings"]["*/*"]["throttlingRateLimit"], 50.0);
        assert_eq!(got["tags"]["team"], "payments");
        assert_eq!(got["tags"]["strata:logical-name"], "ApiStage");

        let live = stage::Provider.read(&cx, &id, &spec).await.expect("read").expect("exists");
        let mut top = spec.clone();
        let settings = top.as_object_mut().unwrap().remove("MethodSettings").unwrap();
        top.as_object_mut().unwrap().remove("Tags");
        assert_reads_back(&live.properties, &top);
        assert_reads_back(&live.properties["MethodSettings"][0], &settings[0]);
        assert_eq!(
            live.properties["Tags"],
            json!([{"Key": "project", "Value": "strata-tests"}, {"Key": "team", "Value": "payments"}])
        );

        let mut spec2 = spec.clone();
        spec2["Description"] = json!("Version 1, throttled harder");
        spec2["Variables"] = json!({"table": "orders-v2", "mode": "strict"});
        spec2["MethodSettings"][0]["ThrottlingBurstLimit"] = json!(20);
        spec2["Tags"] = json!([{"Key": "env", "Value": "test"}]);
        let updated = stage::Provider.update(&cx, &id, &spec, &req("ApiStage", &spec2, &tags)).await.expect("update");
        assert_eq!(updated, applied);
        let got = boto3(&format!("api.get_stage(restApiId='{api}', stageName='v1')"));
        assert_eq!(got["description"], "Version 1, throttled harder");
        assert_eq!(got["variables"], json!({"table": "orders-v2", "mode": "strict"}));
        assert_eq!(got["methodSettings"]["*/*"]["throttlingBurstLimit"], 20);
        assert_eq!(got["tags"]["env"], "test");
        assert!(got["tags"].get("team").is_none(), "a tag the spec dropped is removed: {}", got["tags"]);
        assert_eq!(got["tags"]["strata:stack"], json!(tags.stack), "strata's tags stay");

        let found = stage::Provider.find(&cx, &req("ApiStage", &spec2, &tags)).await.expect("find");
        assert_eq!(found, Some(applied.clone()), "adopted by its name in the API");
        let mut other = spec2.clone();
        other["StageName"] = json!("v2");
        assert_eq!(stage::Provider.find(&cx, &req("ApiStage", &other, &tags)).await.expect("find"), None);

        stage::Provider.delete(&cx, &id, &spec2).await.expect("delete");
        assert_eq!(error_code(&boto3(&format!("call(api.get_stage, restApiId='{api}', stageName='v1')"))), Some("NotFoundException"));
        assert_eq!(stage::Provider.read(&cx, &id, &spec2).await.expect("read"), None);
        stage::Provider.delete(&cx, &id, &spec2).await.expect("a second delete succeeds");
        delete_api(&cx, &api).await;
    });
}

/// The apply issue's requirement, provider side: deploying again yields a
/// new deployment id; the stage updated to it serves it; the old deployment
/// survives while the stage still uses it, and goes once nothing does.
#[test]
fn a_redeployment_reaches_the_stage() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let (api, orders) = deployable_api(&cx).await;
        let dep_tags = cloud::tags("ApiDeployment");
        let dep_spec = json!({"RestApiId": api, "Description": "ACME API"});
        let first =
            deployment::Provider.create(&cx, &req("ApiDeployment", &dep_spec, &dep_tags)).await.expect("deployment");
        let stage_tags = cloud::tags("ApiStage");
        let stage_spec = json!({"RestApiId": api, "StageName": "v1", "DeploymentId": first.physical_id});
        let stage_id =
            stage::Provider.create(&cx, &req("ApiStage", &stage_spec, &stage_tags)).await.expect("stage").physical_id;

        // A method of the API changes...
        let method_tags = cloud::tags("GetOrders");
        let before = proxy_method(&api, &orders, "GET", "ListOrders", "orders");
        let after = proxy_method(&api, &orders, "GET", "ListOrders", "orders-v2");
        let method_id = format!("{api}|{orders}|GET");
        method::Provider
            .update(&cx, &method_id, &before, &req("GetOrders", &after, &method_tags))
            .await
            .expect("method");

        // ...so the deployment is updated: deployed again, with a new id.
        let second = deployment::Provider
            .update(&cx, &first.physical_id, &dep_spec, &req("ApiDeployment", &dep_spec, &dep_tags))
            .await
            .expect("redeploy");
        assert_ne!(second.physical_id, first.physical_id);
        assert_eq!(second.attributes["DeploymentId"], json!(second.physical_id));
        let got = boto3(&format!("api.get_deployment(restApiId='{api}', deploymentId='{}')", second.physical_id));
        assert_eq!(got["description"], "ACME API");
        assert!(has_deployment(&api, &first.physical_id), "the stage still uses the old deployment, so it stays");

        // The old one cannot go while the stage serves it; the error says why.
        let refused = deployment::Provider.delete(&cx, &first.physical_id, &dep_spec).await;
        match refused {
            Err(err @ ProviderError::Aws { .. }) => {
                assert_eq!(err.aws_code(), Some("BadRequestException"));
                assert!(err.to_string().contains("stage(s) v1"), "{err}");
            }
            other => panic!("expected the delete to be refused, got {other:?}"),
        }

        // The stage, updated to the new id (as `${ApiDeployment.DeploymentId}`
        // now resolves), serves the new deployment.
        let mut stage_spec2 = stage_spec.clone();
        stage_spec2["DeploymentId"] = json!(second.physical_id);
        stage::Provider
            .update(&cx, &stage_id, &stage_spec, &req("ApiStage", &stage_spec2, &stage_tags))
            .await
            .expect("stage update");
        let got = boto3(&format!("api.get_stage(restApiId='{api}', stageName='v1')"));
        assert_eq!(got["deploymentId"], json!(second.physical_id));
        let live = stage::Provider.read(&cx, &stage_id, &stage_spec2).await.expect("read").expect("exists");
        assert_eq!(live.properties["DeploymentId"], json!(second.physical_id));

        // Now nothing uses the old deployment: it can be deleted.
        deployment::Provider.delete(&cx, &first.physical_id, &dep_spec).await.expect("old deployment deleted");
        assert!(!has_deployment(&api, &first.physical_id));

        // A deployment no stage uses is replaced outright when deployed again.
        let spare_spec = json!({"RestApiId": api, "Description": "spare"});
        let spare = deployment::Provider.create(&cx, &req("Spare", &spare_spec, &dep_tags)).await.expect("spare");
        let respun = deployment::Provider
            .update(&cx, &spare.physical_id, &spare_spec, &req("Spare", &spare_spec, &dep_tags))
            .await
            .expect("redeploy spare");
        assert!(!has_deployment(&api, &spare.physical_id), "an unused old deployment is deleted at once");
        assert_ne!(respun.physical_id, spare.physical_id);

        delete_api(&cx, &api).await;
    });
}
