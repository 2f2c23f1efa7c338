//! Provider tests for the data types against the local cloud (see cloud.rs).
//!
//! Each test drives one provider through create -> read -> update -> find ->
//! delete, and checks what landed with an independent client: boto3 from the
//! local cloud's own virtualenv, against the same endpoint.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use strata::provider::{Applied, Cx, StrataTags};

use crate::cloud;
use crate::lifecycle::{
    adopt, assert_attributes, assert_reads_back, assert_tagged, provider, request, tag_map, Lifecycle,
};

// ------------------------------------------------------------- helpers --

/// Runs a small boto3 script against the local cloud and parses the JSON it
/// prints last. The script gets `boto3`, `json` and `client(name)` (a client
/// on the local cloud's endpoint) in scope and must print one JSON value.
fn boto(script: &str) -> Value {
    let prelude = "import boto3, json, datetime, os\n\
         def client(name):\n    return boto3.client(name, endpoint_url=os.environ['ENDPOINT'])\n\
         def default(o):\n    return o.isoformat() if isinstance(o, datetime.datetime) else str(o)\n";
    crate::support::boto3_json(prelude, script)
}

// ---------------------------------------------------------------- KMS --

#[test]
fn kms_key_lifecycle() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let p = provider("AWS::KMS::Key");
        let tags = cloud::tags("DataKey");
        let props = json!({
            "Description": "strata test key",
            "EnableKeyRotation": true,
            "PendingWindowInDays": 10,
            "KeyPolicy": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "Root",
                    "Effect": "Allow",
                    "Principal": { "AWS": "arn:aws:iam::123456789012:root" },
                    "Action": "kms:*",
                    "Resource": "*"
                }]
            },
            "Tags": [{ "Key": "team", "Value": "data" }]
        });
        let req = request("DataKey", &props, &tags);
        let applied = p.create(&cx, &req).await.expect("create");
        assert_attributes(p, &applied);
        let key_id = applied.physical_id.clone();
        assert!(applied.attributes["Arn"].as_str().unwrap().ends_with(&format!(":key/{key_id}")));

        let seen = boto(&format!(
            "k = client('kms')\n\
             m = k.describe_key(KeyId='{key_id}')['KeyMetadata']\n\
             print(json.dumps({{'description': m['Description'], 'enabled': m['Enabled'],\n\
               'rotation': k.get_key_rotation_status(KeyId='{key_id}')['KeyRotationEnabled'],\n\
               'policy': json.loads(k.get_key_policy(KeyId='{key_id}', PolicyName='default')['Policy']),\n\
               'tags': k.list_resource_tags(KeyId='{key_id}')['Tags']}}))"
        ));
        assert_eq!(seen["description"], "strata test key");
        assert_eq!(seen["enabled"], true);
        assert_eq!(seen["rotation"], true);
        assert_eq!(seen["policy"], props["KeyPolicy"]);
        assert_tagged(&tag_map(&seen["tags"]), &tags, &[("team", "data"), ("project", "strata-tests")]);

        assert_reads_back(&cx, p, &applied, &props, &tags).await;

        // Update: description, rotation off, disabled, tags changed.
        let updated = json!({
            "Description": "strata test key, updated",
            "EnableKeyRotation": false,
            "Enabled": false,
            "PendingWindowInDays": 10,
            "KeyPolicy": props["KeyPolicy"],
            "Tags": [{ "Key": "tier", "Value": "gold" }]
        });
        let after = p.update(&cx, &key_id, &props, &request("DataKey", &updated, &tags)).await.expect("update");
        assert_eq!(after, applied);
        let seen = boto(&format!(
            "k = client('kms')\n\
             m = k.describe_key(KeyId='{key_id}')['KeyMetadata']\n\
             print(json.dumps({{'description': m['Description'], 'enabled': m['Enabled'],\n\
               'rotation': k.get_key_rotation_status(KeyId='{key_id}')['KeyRotationEnabled'],\n\
               'tags': k.list_resource_tags(KeyId='{key_id}')['Tags']}}))"
        ));
        assert_eq!(seen["description"], "strata test key, updated");
        assert_eq!(seen["enabled"], false);
        assert_eq!(seen["rotation"], false);
        let live_tags = tag_map(&seen["tags"]);
        assert_tagged(&live_tags, &tags, &[("tier", "gold")]);
        assert!(!live_tags.contains_key("team"), "removed tag still there: {live_tags:?}");
        assert_reads_back(&cx, p, &applied, &updated, &tags).await;

        // find adopts it by its tags; another logical name finds nothing.
        assert_eq!(p.find(&cx, &request("DataKey", &updated, &tags)).await.expect("find"), Some(applied.clone()));
        let other = StrataTags { logical_name: "OtherKey".into(), ..tags.clone() };
        assert_eq!(p.find(&cx, &request("OtherKey", &updated, &other)).await.expect("find"), None);

        // delete schedules the deletion with the recorded window.
        p.delete(&cx, &key_id, &updated).await.expect("delete");
        let seen = boto(&format!(
            "m = client('kms').describe_key(KeyId='{key_id}')['KeyMetadata']\n\
             import time\n\
             print(json.dumps({{'state': m['KeyState'], 'days': round((m['DeletionDate'].timestamp() - time.time()) / 86400)}}))"
        ));
        assert_eq!(seen["state"], "PendingDeletion");
        assert_eq!(seen["days"], 10);
        assert_eq!(p.delete_note(&updated).as_deref(), Some("scheduled for deletion in 10 days"));
        // Pending deletion is deleted: read says gone, find adopts nothing,
        // and a second delete succeeds without rescheduling.
        assert!(p.read(&cx, &key_id, &updated).await.expect("read").is_none());
        assert_eq!(p.find(&cx, &request("DataKey", &updated, &tags)).await.expect("find"), None);
        p.delete(&cx, &key_id, &updated).await.expect("second delete");

        // Without PendingWindowInDays: KMS's minimum, 7 days. (In this same
        // test: the note is process-wide, see kms_key.rs.)
        let tags = cloud::tags("ShortKey");
        let props = json!({ "Description": "no window given" });
        let applied = p.create(&cx, &request("ShortKey", &props, &tags)).await.expect("create");
        // No KeyPolicy: AWS's default policy (account root).
        let live = p.read(&cx, &applied.physical_id, &props).await.expect("read").expect("exists");
        assert_eq!(live.properties["KeyPolicy"]["Statement"][0]["Principal"]["AWS"], "arn:aws:iam::123456789012:root");
        p.delete(&cx, &applied.physical_id, &props).await.expect("delete");
        let id = &applied.physical_id;
        let seen = boto(&format!(
            "import time\nm = client('kms').describe_key(KeyId='{id}')['KeyMetadata']\n\
             print(json.dumps(round((m['DeletionDate'].timestamp() - time.time()) / 86400)))"
        ));
        assert_eq!(seen, 7);
        assert_eq!(p.delete_note(&props).as_deref(), Some("scheduled for deletion in 7 days"));
        // A key that does not exist at all is deleted too.
        p.delete(&cx, "00000000-0000-0000-0000-000000000000", &props).await.expect("delete of a missing key");
    });
}

#[test]
fn kms_alias_lifecycle() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let keys = provider("AWS::KMS::Key");
        let key_tags = cloud::tags("AliasKey");
        let first = keys.create(&cx, &request("AliasKey", &json!({}), &key_tags)).await.expect("first key");
        let second = keys.create(&cx, &request("AliasKey2", &json!({}), &key_tags)).await.expect("second key");

        let name = format!("alias/{}", cloud::unique("strata-test"));
        let target_of = |name: &str| {
            boto(&format!(
                "a = [a for a in client('kms').list_aliases()['Aliases'] if a['AliasName'] == '{name}']\n\
                 print(json.dumps(a[0]['TargetKeyId'] if a else None))"
            ))
        };
        // AWS reports the key id, whichever way the spec named the key.
        let key_id = |spec: &Value| if spec["TargetKeyId"] == first.attributes["Arn"] { &first } else { &second };
        let applied = Lifecycle {
            type_name: "AWS::KMS::Alias",
            logical_name: "DataKeyAlias",
            tags: cloud::tags("DataKeyAlias"),
            // Created naming the key by ARN, re-pointed to the second key by id.
            create: json!({ "AliasName": name, "TargetKeyId": first.attributes["Arn"] }),
            update: json!({ "AliasName": name, "TargetKeyId": second.physical_id }),
            oracle: &|applied, spec| {
                assert_eq!(applied.physical_id, name);
                assert_eq!(target_of(&name), json!(key_id(spec).physical_id));
            },
            gone: &|_| target_of(&name).is_null(),
            stranger: Some(json!({ "AliasName": format!("{name}-not-there"), "TargetKeyId": second.physical_id })),
        }
        .run(&cx)
        .await;
        assert_eq!(applied.physical_id, name);

        for key in [first, second] {
            keys.delete(&cx, &key.physical_id, &json!({})).await.expect("key deleted");
        }
    });
}

// ------------------------------------------------------------ Cognito --

fn user_pool_props(name: &str) -> Value {
    json!({
        "UserPoolName": name,
        "UsernameAttributes": ["email"],
        "AutoVerifiedAttributes": ["email"],
        "UsernameConfiguration": { "CaseSensitive": false },
        "Policies": { "PasswordPolicy": {
            "MinimumLength": 12, "RequireLowercase": true, "RequireUppercase": true,
            "RequireNumbers": true, "RequireSymbols": true, "TemporaryPasswordValidityDays": 7
        }},
        "AdminCreateUserConfig": { "AllowAdminCreateUserOnly": true },
        "AccountRecoverySetting": { "RecoveryMechanisms": [{ "Name": "verified_email", "Priority": 1 }] },
        "MfaConfiguration": "OFF",
        "Schema": [{ "Name": "tier", "AttributeDataType": "String", "Mutable": true }],
        "UserPoolTags": { "team": "identity" }
    })
}

#[test]
fn cognito_user_pool_lifecycle() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let p = provider("AWS::Cognito::UserPool");
        let tags = cloud::tags("UserPool");
        let name = cloud::unique("strata-users");
        let props = user_pool_props(&name);
        let applied = p.create(&cx, &request("UserPool", &props, &tags)).await.expect("create");
        assert_attributes(p, &applied);
        let id = applied.physical_id.clone();
        assert_eq!(applied.attributes["ProviderName"], json!(format!("cognito-idp.us-east-1.amazonaws.com/{id}")));
        assert_eq!(applied.attributes["ProviderURL"], json!(format!("https://cognito-idp.us-east-1.amazonaws.com/{id}")));
        assert!(applied.attributes["Arn"].as_str().unwrap().ends_with(&format!(":userpool/{id}")));

        let describe = |id: &str| {
            boto(&format!(
                "print(json.dumps(client('cognito-idp').describe_user_pool(UserPoolId='{id}')['UserPool'], default=default))"
            ))
        };
        let seen = describe(&id);
        assert_eq!(seen["Name"], json!(name));
        assert_eq!(seen["UsernameAttributes"], json!(["email"]));
        assert_eq!(seen["Policies"]["PasswordPolicy"]["MinimumLength"], 12);
        assert_eq!(seen["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"], true);
        let pool_tags: BTreeMap<String, String> = serde_json::from_value(seen["UserPoolTags"].clone()).unwrap();
        assert_tagged(&pool_tags, &tags, &[("team", "identity"), ("project", "strata-tests")]);
        let custom: Vec<&str> =
            seen["SchemaAttributes"].as_array().unwrap().iter().filter_map(|a| a["Name"].as_str()).collect();
        assert!(custom.contains(&"custom:tier"), "{custom:?}");

        // read: UserPoolTags holds the stack's and the pool's own tags, not strata's.
        let live = p.read(&cx, &id, &props).await.expect("read").expect("exists");
        for key in ["UserPoolName", "UsernameAttributes", "AutoVerifiedAttributes", "UsernameConfiguration", "MfaConfiguration", "AccountRecoverySetting"] {
            assert_eq!(live.properties[key], props[key], "{key}: {:#}", live.properties);
        }
        assert_eq!(live.properties["Policies"], props["Policies"]);
        assert_eq!(live.properties["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"], true);
        assert_eq!(live.properties["Schema"][0]["Name"], "tier");
        assert_eq!(live.properties["Schema"][0]["AttributeDataType"], "String");
        assert_eq!(live.properties["UserPoolTags"], json!({ "project": "strata-tests", "team": "identity" }));
        assert_eq!(live.attributes, applied.attributes);

        // Update: password policy, admin-only off, a tag changed, one custom attribute added.
        let mut updated = props.clone();
        updated["Policies"]["PasswordPolicy"]["MinimumLength"] = json!(16);
        updated["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] = json!(false);
        updated["UserPoolTags"] = json!({ "team": "security" });
        updated["Schema"].as_array_mut().unwrap().push(json!({ "Name": "region", "AttributeDataType": "String", "Mutable": true }));
        let after = p.update(&cx, &id, &props, &request("UserPool", &updated, &tags)).await.expect("update");
        assert_eq!(after, applied);
        let seen = describe(&id);
        assert_eq!(seen["Policies"]["PasswordPolicy"]["MinimumLength"], 16);
        assert_eq!(seen["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"], false);
        let pool_tags: BTreeMap<String, String> = serde_json::from_value(seen["UserPoolTags"].clone()).unwrap();
        assert_tagged(&pool_tags, &tags, &[("team", "security")]);
        let custom: Vec<&str> =
            seen["SchemaAttributes"].as_array().unwrap().iter().filter_map(|a| a["Name"].as_str()).collect();
        assert!(custom.contains(&"custom:region"), "{custom:?}");
        let live = p.read(&cx, &id, &updated).await.expect("read").expect("exists");
        assert_eq!(live.properties["Policies"], updated["Policies"]);
        assert_eq!(live.properties["UsernameAttributes"], json!(["email"]));
        assert_eq!(live.properties["Schema"].as_array().map(Vec::len), Some(2));

        // The local cloud cannot rename a pool: refused plainly.
        let mut renamed = updated.clone();
        renamed["UserPoolName"] = json!(format!("{name}-renamed"));
        let err = p.update(&cx, &id, &updated, &request("UserPool", &renamed, &tags)).await.expect_err("refused");
        assert!(err.to_string().contains("rename"), "{err}");

        // A Schema attribute cannot change in place.
        let mut changed = updated.clone();
        changed["Schema"][0]["Mutable"] = json!(false);
        let err = p.update(&cx, &id, &updated, &request("UserPool", &changed, &tags)).await.expect_err("refused");
        assert!(err.to_string().contains("tier"), "{err}");

        // find: by name and tags; same name, other logical name: nothing.
        assert_eq!(p.find(&cx, &request("UserPool", &updated, &tags)).await.expect("find"), Some(applied.clone()));
        let other = StrataTags { logical_name: "OtherPool".into(), ..tags.clone() };
        assert_eq!(p.find(&cx, &request("OtherPool", &updated, &other)).await.expect("find"), None);

        p.delete(&cx, &id, &updated).await.expect("delete");
        let gone = boto(&format!(
            "try:\n    client('cognito-idp').describe_user_pool(UserPoolId='{id}')\n    print('true')\n\
             except client('cognito-idp').exceptions.ResourceNotFoundException:\n    print('false')"
        ));
        assert_eq!(gone, false);
        assert!(p.read(&cx, &id, &updated).await.expect("read").is_none());
        p.delete(&cx, &id, &updated).await.expect("second delete");
    });
}

#[test]
fn cognito_user_pool_client_lifecycle() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let pools = provider("AWS::Cognito::UserPool");
        let p = provider("AWS::Cognito::UserPoolClient");
        let tags = cloud::tags("UserPoolClient");
        let pool =
            pools.create(&cx, &request("UserPool", &user_pool_props(&cloud::unique("strata-clients")), &tags)).await.expect("pool");
        let pool_id = pool.physical_id.clone();
        let name = cloud::unique("strata-api-client");
        let props = json!({
            "UserPoolId": pool_id,
            "ClientName": name,
            "GenerateSecret": false,
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "PreventUserExistenceErrors": "ENABLED",
            "EnableTokenRevocation": true,
            "IdTokenValidity": 60,
            "AccessTokenValidity": 60,
            "RefreshTokenValidity": 30,
            "TokenValidityUnits": { "IdToken": "minutes", "AccessToken": "minutes", "RefreshToken": "days" },
            "CallbackURLs": ["https://example.com/callback"]
        });
        let applied = p.create(&cx, &request("UserPoolClient", &props, &tags)).await.expect("create");
        assert_attributes(p, &applied);
        assert_eq!(applied.attributes["Name"], json!(name));
        let client_id = applied.physical_id.clone();
        let describe = |client_id: &str| {
            boto(&format!(
                "print(json.dumps(client('cognito-idp').describe_user_pool_client(UserPoolId='{pool_id}', ClientId='{client_id}')['UserPoolClient'], default=default))"
            ))
        };
        let seen = describe(&client_id);
        assert_eq!(seen["ClientName"], json!(name));
        assert_eq!(seen["ExplicitAuthFlows"], props["ExplicitAuthFlows"]);
        assert_eq!(seen["TokenValidityUnits"], props["TokenValidityUnits"]);
        assert_eq!(seen["IdTokenValidity"], 60);
        assert!(seen.get("ClientSecret").is_none());
        assert_reads_back(&cx, p, &applied, &props, &tags).await;

        // Update: validity, flows; CallbackURLs dropped (cleared, not kept).
        let mut updated = props.clone();
        updated["IdTokenValidity"] = json!(30);
        updated["ExplicitAuthFlows"] = json!(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
        updated.as_object_mut().unwrap().remove("CallbackURLs");
        let after = p.update(&cx, &client_id, &props, &request("UserPoolClient", &updated, &tags)).await.expect("update");
        assert_eq!(after, applied);
        let seen = describe(&client_id);
        assert_eq!(seen["IdTokenValidity"], 30);
        assert_eq!(seen["ExplicitAuthFlows"], updated["ExplicitAuthFlows"]);
        assert_eq!(seen.get("CallbackURLs").cloned().unwrap_or(json!([])), json!([]));
        assert_reads_back(&cx, p, &applied, &updated, &tags).await;
        let live = p.read(&cx, &client_id, &updated).await.expect("read").expect("exists");
        assert!(live.properties.get("CallbackURLs").is_none(), "{:#}", live.properties);

        assert_eq!(p.find(&cx, &request("UserPoolClient", &updated, &tags)).await.expect("find"), Some(applied.clone()));
        let mut unknown = updated.clone();
        unknown["ClientName"] = json!(format!("{name}-not-there"));
        assert_eq!(p.find(&cx, &request("UserPoolClient", &unknown, &tags)).await.expect("find"), None);

        // A confidential client: the secret never reaches attributes or read.
        let secret_props = json!({ "UserPoolId": pool_id, "ClientName": format!("{name}-secret"), "GenerateSecret": true });
        let with_secret = p.create(&cx, &request("SecretClient", &secret_props, &tags)).await.expect("create");
        let secret = boto(&format!(
            "print(json.dumps(client('cognito-idp').describe_user_pool_client(UserPoolId='{pool_id}', ClientId='{}')['UserPoolClient']['ClientSecret']))",
            with_secret.physical_id
        ));
        let secret = secret.as_str().expect("moto generated a secret").to_owned();
        let live = p.read(&cx, &with_secret.physical_id, &secret_props).await.expect("read").expect("exists");
        assert_eq!(live.properties["GenerateSecret"], true);
        let everything = format!("{with_secret:?} {live:?}");
        assert!(!everything.contains(&secret), "the client secret leaked: {everything}");

        p.delete(&cx, &client_id, &updated).await.expect("delete");
        let gone = boto(&format!(
            "print(json.dumps([c['ClientId'] for c in client('cognito-idp').list_user_pool_clients(UserPoolId='{pool_id}', MaxResults=60)['UserPoolClients']]))"
        ));
        assert!(!gone.as_array().unwrap().contains(&json!(client_id)), "{gone}");
        assert!(p.read(&cx, &client_id, &updated).await.expect("read").is_none());
        p.delete(&cx, &client_id, &updated).await.expect("second delete");

        pools.delete(&cx, &pool_id, &json!({})).await.expect("pool deleted");
        // With its pool gone, the client is gone too.
        p.delete(&cx, &with_secret.physical_id, &secret_props).await.expect("delete after the pool");
    });
}

// ----------------------------------------------------------- DynamoDB --

#[test]
fn dynamodb_table_lifecycle() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let keys = provider("AWS::KMS::Key");
        let p = provider("AWS::DynamoDB::Table");
        let tags = cloud::tags("OrdersTable");
        let key = keys.create(&cx, &request("TableKey", &json!({}), &tags)).await.expect("key");
        let name = cloud::unique("strata-orders");
        let props = json!({
            "TableName": name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                { "AttributeName": "orderId", "AttributeType": "S" },
                { "AttributeName": "createdAt", "AttributeType": "S" },
                { "AttributeName": "owner", "AttributeType": "S" }
            ],
            "KeySchema": [
                { "AttributeName": "orderId", "KeyType": "HASH" },
                { "AttributeName": "createdAt", "KeyType": "RANGE" }
            ],
            "GlobalSecondaryIndexes": [{
                "IndexName": "OwnerIndex",
                "KeySchema": [
                    { "AttributeName": "owner", "KeyType": "HASH" },
                    { "AttributeName": "createdAt", "KeyType": "RANGE" }
                ],
                "Projection": { "ProjectionType": "ALL" }
            }],
            "SSESpecification": { "SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.attributes["Arn"] },
            "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": true },
            "TimeToLiveSpecification": { "Enabled": true, "AttributeName": "expiresAt" },
            "Tags": [{ "Key": "data-class", "Value": "orders" }]
        });
        let applied = p.create(&cx, &request("OrdersTable", &props, &tags)).await.expect("create");
        assert_attributes(p, &applied);
        assert_eq!(applied.physical_id, name);
        assert!(applied.attributes["Arn"].as_str().unwrap().ends_with(&format!(":table/{name}")));
        assert_eq!(applied.attributes["StreamArn"], Value::Null, "no stream yet");

        let describe = |name: &str| {
            boto(&format!(
                "d = client('dynamodb')\n\
                 t = d.describe_table(TableName='{name}')['Table']\n\
                 print(json.dumps({{'table': t,\n\
                   'pitr': d.describe_continuous_backups(TableName='{name}')['ContinuousBackupsDescription']['PointInTimeRecoveryDescription']['PointInTimeRecoveryStatus'],\n\
                   'ttl': d.describe_time_to_live(TableName='{name}')['TimeToLiveDescription'],\n\
                   'tags': d.list_tags_of_resource(ResourceArn=t['TableArn'])['Tags']}}, default=default))"
            ))
        };
        let seen = describe(&name);
        assert_eq!(seen["table"]["TableStatus"], "ACTIVE");
        assert_eq!(seen["table"]["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST");
        assert_eq!(seen["table"]["KeySchema"], props["KeySchema"]);
        assert_eq!(seen["table"]["GlobalSecondaryIndexes"][0]["IndexName"], "OwnerIndex");
        assert_eq!(seen["table"]["SSEDescription"]["KMSMasterKeyArn"], key.attributes["Arn"]);
        assert_eq!(seen["pitr"], "ENABLED");
        assert_eq!(seen["ttl"]["TimeToLiveStatus"], "ENABLED");
        assert_eq!(seen["ttl"]["AttributeName"], "expiresAt");
        assert_tagged(&tag_map(&seen["tags"]), &tags, &[("data-class", "orders"), ("project", "strata-tests")]);
        assert_reads_back(&cx, p, &applied, &props, &tags).await;

        // Update: one index removed and another added (one change per
        // UpdateTable), PITR off, a stream, tags changed.
        let mut updated = props.clone();
        updated["AttributeDefinitions"] = json!([
            { "AttributeName": "orderId", "AttributeType": "S" },
            { "AttributeName": "createdAt", "AttributeType": "S" },
            { "AttributeName": "status", "AttributeType": "S" }
        ]);
        updated["GlobalSecondaryIndexes"] = json!([{
            "IndexName": "StatusIndex",
            "KeySchema": [
                { "AttributeName": "status", "KeyType": "HASH" },
                { "AttributeName": "createdAt", "KeyType": "RANGE" }
            ],
            "Projection": { "ProjectionType": "KEYS_ONLY" }
        }]);
        updated["PointInTimeRecoverySpecification"] = json!({ "PointInTimeRecoveryEnabled": false });
        updated["StreamSpecification"] = json!({ "StreamViewType": "NEW_AND_OLD_IMAGES" });
        updated["Tags"] = json!([{ "Key": "data-class", "Value": "purchase-orders" }]);
        let after = p.update(&cx, &name, &props, &request("OrdersTable", &updated, &tags)).await.expect("update");
        assert_eq!(after.physical_id, name);
        assert!(after.attributes["StreamArn"].as_str().is_some_and(|s| s.contains("/stream/")), "{after:?}");
        let seen = describe(&name);
        let index_names: Vec<&str> = seen["table"]["GlobalSecondaryIndexes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["IndexName"].as_str())
            .collect();
        assert_eq!(index_names, ["StatusIndex"]);
        assert_eq!(seen["pitr"], "DISABLED");
        assert_eq!(seen["table"]["StreamSpecification"]["StreamViewType"], "NEW_AND_OLD_IMAGES");
        let live_tags = tag_map(&seen["tags"]);
        assert_tagged(&live_tags, &tags, &[("data-class", "purchase-orders")]);
        assert_eq!(seen["tags"].as_array().unwrap().len(), live_tags.len(), "no duplicate tag keys: {}", seen["tags"]);
        assert_reads_back(&cx, p, &after, &updated, &tags).await;

        // find: by name; another name finds nothing.
        assert_eq!(p.find(&cx, &request("OrdersTable", &updated, &tags)).await.expect("find"), Some(after.clone()));
        let mut unknown = updated.clone();
        unknown["TableName"] = json!(format!("{name}-not-there"));
        assert_eq!(p.find(&cx, &request("OrdersTable", &unknown, &tags)).await.expect("find"), None);

        p.delete(&cx, &name, &updated).await.expect("delete");
        let gone = boto(&format!(
            "pages = client('dynamodb').get_paginator('list_tables').paginate()\n\
             print(json.dumps('{name}' in [t for p in pages for t in p['TableNames']]))"
        ));
        assert_eq!(gone, false);
        assert!(p.read(&cx, &name, &updated).await.expect("read").is_none());
        p.delete(&cx, &name, &updated).await.expect("second delete");
        keys.delete(&cx, &key.physical_id, &json!({})).await.expect("key deleted");
    });
}

#[test]
fn dynamodb_table_generated_name_provisioned_and_local_limits() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let p = provider("AWS::DynamoDB::Table");
        let tags = cloud::tags("EventsTable");
        // No TableName: <stack>-<environment>-<logical name>, so find works by name.
        let props = json!({
            "AttributeDefinitions": [{ "AttributeName": "id", "AttributeType": "S" }],
            "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }],
            "ProvisionedThroughput": { "ReadCapacityUnits": 2, "WriteCapacityUnits": 1 }
        });
        let applied = p.create(&cx, &request("EventsTable", &props, &tags)).await.expect("create");
        assert_eq!(applied.physical_id, format!("{}-local-EventsTable", tags.stack));
        let live = p.read(&cx, &applied.physical_id, &props).await.expect("read").expect("exists");
        assert_eq!(live.properties["BillingMode"], "PROVISIONED");
        assert_eq!(live.properties["ProvisionedThroughput"], props["ProvisionedThroughput"]);
        assert_eq!(p.find(&cx, &request("EventsTable", &props, &tags)).await.expect("find"), Some(applied.clone()));
        // Creating it again fails at once (not retried as "in use").
        let started = std::time::Instant::now();
        let err = p.create(&cx, &request("EventsTable", &props, &tags)).await.expect_err("the table exists");
        assert_eq!(err.aws_code(), Some("ResourceInUseException"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "took {:?}", started.elapsed());

        // Provisioned -> on demand.
        let mut on_demand = props.clone();
        on_demand.as_object_mut().unwrap().remove("ProvisionedThroughput");
        on_demand["BillingMode"] = json!("PAY_PER_REQUEST");
        p.update(&cx, &applied.physical_id, &props, &request("EventsTable", &on_demand, &tags)).await.expect("update");
        let name = &applied.physical_id;
        let seen = boto(&format!(
            "print(json.dumps(client('dynamodb').describe_table(TableName='{name}')['Table']['BillingModeSummary']['BillingMode']))"
        ));
        assert_eq!(seen, "PAY_PER_REQUEST");

        // The local cloud cannot change encryption: refused plainly.
        let mut encrypted = on_demand.clone();
        encrypted["SSESpecification"] = json!({ "SSEEnabled": true });
        let err =
            p.update(&cx, name, &on_demand, &request("EventsTable", &encrypted, &tags)).await.expect_err("refused");
        assert!(err.to_string().contains("encryption"), "{err}");

        // The local cloud cannot do contributor insights: refused plainly.
        let mut insights = on_demand.clone();
        insights["ContributorInsightsSpecification"] = json!({ "Enabled": true });
        let err = p
            .update(&cx, name, &on_demand, &request("EventsTable", &insights, &tags))
            .await
            .expect_err("refused on the local cloud");
        assert!(err.to_string().contains("contributor insights"), "{err}");

        p.delete(&cx, name, &on_demand).await.expect("delete");
        assert!(p.read(&cx, name, &on_demand).await.expect("read").is_none());
    });
}

// ---------------------------------------------------------------- Logs --

#[test]
fn logs_log_group_lifecycle() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let keys = provider("AWS::KMS::Key");
        let p = provider("AWS::Logs::LogGroup");
        let tags = cloud::tags("ManagerLogGroup");
        let key = keys.create(&cx, &request("LogKey", &json!({}), &tags)).await.expect("key");
        let name = format!("/aws/lambda/{}", cloud::unique("strata-manager"));
        let props = json!({
            "LogGroupName": name,
            "RetentionInDays": 30,
            "KmsKeyId": key.attributes["Arn"],
            "Tags": [{ "Key": "component", "Value": "scheduler-manager" }]
        });
        let applied = p.create(&cx, &request("ManagerLogGroup", &props, &tags)).await.expect("create");
        assert_attributes(p, &applied);
        let arn = applied.attributes["Arn"].as_str().unwrap().to_owned();
        assert_eq!(arn, format!("arn:aws:logs:us-east-1:123456789012:log-group:{name}"), "no trailing :*");

        let describe = |name: &str, arn: &str| {
            boto(&format!(
                "l = client('logs')\n\
                 g = [g for g in l.describe_log_groups(logGroupNamePrefix='{name}')['logGroups'] if g['logGroupName'] == '{name}']\n\
                 print(json.dumps({{'group': g[0] if g else None, 'tags': l.list_tags_for_resource(resourceArn='{arn}')['tags'] if g else None}}))"
            ))
        };
        let seen = describe(&name, &arn);
        assert_eq!(seen["group"]["retentionInDays"], 30);
        assert_eq!(seen["group"]["kmsKeyId"], key.attributes["Arn"]);
        let live_tags: BTreeMap<String, String> = serde_json::from_value(seen["tags"].clone()).unwrap();
        assert_tagged(&live_tags, &tags, &[("component", "scheduler-manager"), ("project", "strata-tests")]);
        assert_reads_back(&cx, p, &applied, &props, &tags).await;

        // Update: retention changed, then removed; tags changed.
        let mut updated = props.clone();
        updated["RetentionInDays"] = json!(90);
        updated["Tags"] = json!([{ "Key": "component", "Value": "manager" }, { "Key": "tier", "Value": "1" }]);
        let after = p.update(&cx, &name, &props, &request("ManagerLogGroup", &updated, &tags)).await.expect("update");
        assert_eq!(after, applied);
        let seen = describe(&name, &arn);
        assert_eq!(seen["group"]["retentionInDays"], 90);
        let live_tags: BTreeMap<String, String> = serde_json::from_value(seen["tags"].clone()).unwrap();
        assert_tagged(&live_tags, &tags, &[("component", "manager"), ("tier", "1")]);
        assert_reads_back(&cx, p, &applied, &updated, &tags).await;

        let mut forever = updated.clone();
        forever.as_object_mut().unwrap().remove("RetentionInDays");
        p.update(&cx, &name, &updated, &request("ManagerLogGroup", &forever, &tags)).await.expect("update");
        let seen = describe(&name, &arn);
        assert!(seen["group"].get("retentionInDays").is_none(), "{}", seen["group"]);
        let live = p.read(&cx, &name, &forever).await.expect("read").expect("exists");
        assert!(live.properties.get("RetentionInDays").is_none());

        // The local cloud cannot change a group's key: refused plainly.
        let mut no_key = forever.clone();
        no_key.as_object_mut().unwrap().remove("KmsKeyId");
        let err = p.update(&cx, &name, &forever, &request("ManagerLogGroup", &no_key, &tags)).await.expect_err("refused");
        assert!(err.to_string().contains("AssociateKmsKey"), "{err}");

        assert_eq!(p.find(&cx, &request("ManagerLogGroup", &forever, &tags)).await.expect("find"), Some(applied.clone()));
        let mut unknown = forever.clone();
        unknown["LogGroupName"] = json!(format!("{name}-not-there"));
        assert_eq!(p.find(&cx, &request("ManagerLogGroup", &unknown, &tags)).await.expect("find"), None);

        p.delete(&cx, &name, &forever).await.expect("delete");
        assert_eq!(describe(&name, &arn)["group"], Value::Null);
        assert!(p.read(&cx, &name, &forever).await.expect("read").is_none());
        p.delete(&cx, &name, &forever).await.expect("second delete");
        keys.delete(&cx, &key.physical_id, &json!({})).await.expect("key deleted");
    });
}

// ----------------------------------------------------------- Scheduler --

#[test]
fn scheduler_schedule_group_lifecycle() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let tags = cloud::tags("ScheduleGroup");
        let name = cloud::unique("strata-group");
        let describe = |name: &str, arn: &str| {
            boto(&format!(
                "s = client('scheduler')\n\
                 try:\n    g = s.get_schedule_group(Name='{name}')\n\
                 except s.exceptions.ResourceNotFoundException:\n    g = None\n\
                 print(json.dumps({{'group': g and {{'Name': g['Name'], 'State': g['State']}},\n\
                   'tags': g and s.list_tags_for_resource(ResourceArn='{arn}')['Tags']}}))"
            ))
        };
        let arn = |applied: &Applied| applied.attributes["Arn"].as_str().unwrap().to_owned();
        let oracle = |applied: &Applied, spec: &Value| {
            assert!(arn(applied).ends_with(&format!(":schedule-group/{name}")), "{}", arn(applied));
            let seen = describe(&name, &arn(applied));
            assert_eq!(seen["group"]["State"], "ACTIVE");
            let owner = spec["Tags"][0]["Value"].as_str().unwrap();
            assert_tagged(&tag_map(&seen["tags"]), &tags, &[("owner", owner), ("project", "strata-tests")]);
        };
        Lifecycle {
            type_name: "AWS::Scheduler::ScheduleGroup",
            logical_name: "ScheduleGroup",
            tags: tags.clone(),
            create: json!({ "Name": name, "Tags": [{ "Key": "owner", "Value": "orders" }] }),
            update: json!({ "Name": name, "Tags": [{ "Key": "owner", "Value": "platform" }] }),
            oracle: &oracle,
            gone: &|applied| describe(&name, &arn(applied))["group"].is_null(),
            stranger: Some(json!({ "Name": format!("{name}-x") })),
        }
        .run(&cx)
        .await;
    });
}

#[test]
fn scheduler_schedule_lifecycle() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let groups = provider("AWS::Scheduler::ScheduleGroup");
        let p = provider("AWS::Scheduler::Schedule");
        let tags = cloud::tags("NightlySchedule");
        let group = cloud::unique("strata-sched");
        let other_group = cloud::unique("strata-sched-2");
        for g in [&group, &other_group] {
            groups.create(&cx, &request("Group", &json!({ "Name": g }), &tags)).await.expect("group");
        }
        let name = cloud::unique("nightly");
        let target_arn = "arn:aws:lambda:us-east-1:123456789012:function:order-executor";
        let role_arn = "arn:aws:iam::123456789012:role/scheduler-invoke";
        let props = json!({
            "Name": name,
            "GroupName": group,
            "Description": "nightly purchase order",
            "ScheduleExpression": "cron(0 2 * * ? *)",
            "ScheduleExpressionTimezone": "Europe/Berlin",
            "StartDate": "2030-01-01T00:00:00Z",
            "EndDate": "2031-01-01T00:00:00Z",
            "State": "ENABLED",
            "FlexibleTimeWindow": { "Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15 },
            "Target": {
                "Arn": target_arn,
                "RoleArn": role_arn,
                "Input": "{\"scheduleId\":\"s-1\"}",
                "RetryPolicy": { "MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3 }
            }
        });
        let applied = p.create(&cx, &request("NightlySchedule", &props, &tags)).await.expect("create");
        assert_attributes(p, &applied);
        assert_eq!(applied.physical_id, format!("arn:aws:scheduler:us-east-1:123456789012:schedule/{group}/{name}"));

        let describe = |group: &str, name: &str| {
            boto(&format!(
                "s = client('scheduler')\n\
                 try:\n    r = s.get_schedule(GroupName='{group}', Name='{name}')\n    r.pop('ResponseMetadata')\n\
                 except s.exceptions.ResourceNotFoundException:\n    r = None\n\
                 print(json.dumps(r, default=default))"
            ))
        };
        let seen = describe(&group, &name);
        assert_eq!(seen["ScheduleExpression"], "cron(0 2 * * ? *)");
        assert_eq!(seen["ScheduleExpressionTimezone"], "Europe/Berlin");
        assert_eq!(seen["FlexibleTimeWindow"], props["FlexibleTimeWindow"]);
        assert_eq!(seen["Target"]["Input"], props["Target"]["Input"]);
        assert_eq!(seen["Target"]["RetryPolicy"], props["Target"]["RetryPolicy"]);
        assert!(seen["StartDate"].as_str().unwrap().starts_with("2030-01-01T00:00:00"), "{}", seen["StartDate"]);
        assert_reads_back(&cx, p, &applied, &props, &tags).await;
        // Creating it again fails at once (ConflictException: it exists).
        let started = std::time::Instant::now();
        let err = p.create(&cx, &request("NightlySchedule", &props, &tags)).await.expect_err("the schedule exists");
        assert_eq!(err.aws_code(), Some("ConflictException"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "took {:?}", started.elapsed());

        // Update: expression, window off, disabled, new input.
        let mut updated = props.clone();
        updated["ScheduleExpression"] = json!("rate(1 hour)");
        updated["FlexibleTimeWindow"] = json!({ "Mode": "OFF" });
        updated["State"] = json!("DISABLED");
        updated["Target"]["Input"] = json!("{\"scheduleId\":\"s-2\"}");
        let after = p
            .update(&cx, &applied.physical_id, &props, &request("NightlySchedule", &updated, &tags))
            .await
            .expect("update");
        assert_eq!(after, applied);
        let seen = describe(&group, &name);
        assert_eq!(seen["ScheduleExpression"], "rate(1 hour)");
        assert_eq!(seen["State"], "DISABLED");
        assert_eq!(seen["FlexibleTimeWindow"]["Mode"], "OFF");
        assert_reads_back(&cx, p, &applied, &updated, &tags).await;

        // A new GroupName moves it: a new ARN, the old one gone.
        let mut moved = updated.clone();
        moved["GroupName"] = json!(other_group);
        let moved_to = p
            .update(&cx, &applied.physical_id, &updated, &request("NightlySchedule", &moved, &tags))
            .await
            .expect("move");
        assert_eq!(
            moved_to.physical_id,
            format!("arn:aws:scheduler:us-east-1:123456789012:schedule/{other_group}/{name}")
        );
        assert_eq!(describe(&group, &name), Value::Null);
        assert_eq!(describe(&other_group, &name)["ScheduleExpression"], "rate(1 hour)");

        assert_eq!(
            p.find(&cx, &request("NightlySchedule", &moved, &tags)).await.expect("find"),
            Some(moved_to.clone())
        );
        assert_eq!(p.find(&cx, &request("NightlySchedule", &updated, &tags)).await.expect("find"), None);

        p.delete(&cx, &moved_to.physical_id, &moved).await.expect("delete");
        assert_eq!(describe(&other_group, &name), Value::Null);
        assert!(p.read(&cx, &moved_to.physical_id, &moved).await.expect("read").is_none());
        p.delete(&cx, &moved_to.physical_id, &moved).await.expect("second delete");
        for g in [&group, &other_group] {
            groups.delete(&cx, g, &json!({})).await.expect("group deleted");
        }
    });
}

// ---------------------------------------------------------- CloudWatch --

#[test]
fn cloudwatch_alarm_lifecycle() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;
        let p = provider("AWS::CloudWatch::Alarm");
        let tags = cloud::tags("ErrorRateAlarm");
        let name = cloud::unique("strata-error-rate");
        let query = |id: &str, metric: &str| {
            json!({
                "Id": id,
                "ReturnData": false,
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/Lambda",
                        "MetricName": metric,
                        "Dimensions": [{ "Name": "FunctionName", "Value": "scheduler-manager" }]
                    },
                    "Period": 300,
                    "Stat": "Sum"
                }
            })
        };
        // The flagship's metric-math form.
        let props = json!({
            "AlarmName": name,
            "AlarmDescription": "more than 5 % of invocations failed",
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 5,
            "EvaluationPeriods": 1,
            "TreatMissingData": "notBreaching",
            "Metrics": [
                query("errors", "Errors"),
                query("invocations", "Invocations"),
                { "Id": "errorRate", "Expression": "100 * errors / invocations", "Label": "Error rate (%)", "ReturnData": true }
            ],
            "Tags": [{ "Key": "severity", "Value": "high" }]
        });
        let calls = cx.clients.calls();
        let applied = p.create(&cx, &request("ErrorRateAlarm", &props, &tags)).await.expect("create");
        assert!(cx.clients.calls() > calls, "CloudWatch calls are counted on the local cloud too");
        assert_attributes(p, &applied);
        let arn = applied.attributes["Arn"].as_str().unwrap().to_owned();
        assert_eq!(arn, format!("arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"));
        let describe = |name: &str, arn: &str| {
            boto(&format!(
                "c = client('cloudwatch')\n\
                 a = c.describe_alarms(AlarmNames=['{name}'])['MetricAlarms']\n\
                 print(json.dumps({{'alarm': a[0] if a else None, 'tags': c.list_tags_for_resource(ResourceARN='{arn}')['Tags'] if a else None}}, default=default))"
            ))
        };
        let seen = describe(&name, &arn);
        assert_eq!(seen["alarm"]["Threshold"], 5.0);
        assert_eq!(seen["alarm"]["TreatMissingData"], "notBreaching");
        assert_eq!(seen["alarm"]["Metrics"].as_array().map(Vec::len), Some(3));
        assert_eq!(seen["alarm"]["Metrics"][2]["Expression"], "100 * errors / invocations");
        assert_eq!(seen["alarm"]["Metrics"][0]["MetricStat"]["Metric"]["MetricName"], "Errors");
        assert_tagged(&tag_map(&seen["tags"]), &tags, &[("severity", "high"), ("project", "strata-tests")]);
        assert_reads_back(&cx, p, &applied, &props, &tags).await;

        // Update (the same upsert): now the single-metric p99 form.
        let updated = json!({
            "AlarmName": name,
            "AlarmDescription": "p99 latency above 1 s",
            "Namespace": "AWS/ApiGateway",
            "MetricName": "Latency",
            "Dimensions": [{ "Name": "ApiName", "Value": "acme-api" }, { "Name": "Stage", "Value": "v1" }],
            "ExtendedStatistic": "p99",
            "Period": 300,
            "EvaluationPeriods": 3,
            "DatapointsToAlarm": 2,
            "Threshold": 1000,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "Tags": [{ "Key": "severity", "Value": "low" }]
        });
        let after = p.update(&cx, &name, &props, &request("ErrorRateAlarm", &updated, &tags)).await.expect("update");
        assert_eq!(after, applied);
        let seen = describe(&name, &arn);
        assert_eq!(seen["alarm"]["ExtendedStatistic"], "p99");
        assert_eq!(seen["alarm"]["Threshold"], 1000.0);
        assert_eq!(seen["alarm"].get("Metrics").cloned().unwrap_or(json!([])), json!([]));
        assert_tagged(&tag_map(&seen["tags"]), &tags, &[("severity", "low")]);
        assert_reads_back(&cx, p, &applied, &updated, &tags).await;

        assert_eq!(p.find(&cx, &request("ErrorRateAlarm", &updated, &tags)).await.expect("find"), Some(applied.clone()));
        let mut unknown = updated.clone();
        unknown["AlarmName"] = json!(format!("{name}-not-there"));
        assert_eq!(p.find(&cx, &request("ErrorRateAlarm", &unknown, &tags)).await.expect("find"), None);

        p.delete(&cx, &name, &updated).await.expect("delete");
        assert_eq!(describe(&name, &arn)["alarm"], Value::Null);
        assert!(p.read(&cx, &name, &updated).await.expect("read").is_none());
        p.delete(&cx, &name, &updated).await.expect("second delete");
    });
}

// ------------------------------------------------------------ adoption --

/// Creates with `first`, then adopts with `second` (a changed spec) and
/// checks every property of `second` reads back.
async fn create_then_adopt(cx: &Cx, type_name: &str, logical: &str, first: &Value, second: &Value) -> Applied {
    let p = provider(type_name);
    let tags = cloud::tags(logical);
    let created = p.create(cx, &request(logical, first, &tags)).await.expect("create");
    let adopted = adopt(cx, p, &request(logical, second, &tags)).await;
    assert_eq!(adopted.physical_id, created.physical_id, "{type_name}");
    assert_reads_back(cx, p, &adopted, second, &tags).await;
    adopted
}

#[test]
fn adoption_brings_what_a_crash_left_to_the_spec() {
    cloud::runtime().block_on(async {
        let cx = cloud::cx().await;

        let key_a = json!({ "Description": "left by a crash", "PendingWindowInDays": 7 });
        let key_b = json!({ "Description": "adopted", "EnableKeyRotation": true, "PendingWindowInDays": 7,
            "Tags": [{ "Key": "a", "Value": "b" }] });
        let key = create_then_adopt(&cx, "AWS::KMS::Key", "CrashKey", &key_a, &key_b).await;

        // SSE with AWS's key (no type, no key in the spec), no TableClass.
        let table = cloud::unique("strata-adopt");
        let table_a = json!({
            "TableName": table, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{ "AttributeName": "id", "AttributeType": "S" }, { "AttributeName": "owner", "AttributeType": "S" }],
            "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }],
            "GlobalSecondaryIndexes": [{ "IndexName": "OwnerIndex",
                "KeySchema": [{ "AttributeName": "owner", "KeyType": "HASH" }], "Projection": { "ProjectionType": "ALL" } }],
            "SSESpecification": { "SSEEnabled": true }
        });
        let mut table_b = table_a.clone();
        table_b["PointInTimeRecoverySpecification"] = json!({ "PointInTimeRecoveryEnabled": true });
        let p = provider("AWS::DynamoDB::Table");
        let tags = cloud::tags("CrashTable");
        p.create(&cx, &request("CrashTable", &table_a, &tags)).await.expect("create");
        adopt(&cx, p, &request("CrashTable", &table_b, &tags)).await;
        let live = p.read(&cx, &table, &table_b).await.expect("read").expect("exists");
        assert_eq!(live.properties["PointInTimeRecoverySpecification"], table_b["PointInTimeRecoverySpecification"]);
        assert_eq!(live.properties["SSESpecification"]["SSEEnabled"], true);
        p.delete(&cx, &table, &table_b).await.expect("delete");

        // A pool with a custom attribute: the live Schema has more detail
        // than the spec, which is no change.
        let pool_name = cloud::unique("strata-adopt-users");
        let pool_a = user_pool_props(&pool_name);
        let mut pool_b = pool_a.clone();
        pool_b["Policies"]["PasswordPolicy"]["MinimumLength"] = json!(14);
        let pool = create_then_adopt(&cx, "AWS::Cognito::UserPool", "CrashPool", &pool_a, &pool_b).await;

        let log_group = cloud::unique("/strata/adopt");
        let group_a = json!({ "LogGroupName": log_group, "RetentionInDays": 7 });
        let group_b = json!({ "LogGroupName": log_group, "RetentionInDays": 14 });
        let logs = create_then_adopt(&cx, "AWS::Logs::LogGroup", "CrashLogs", &group_a, &group_b).await;

        let alarm_name = cloud::unique("strata-adopt-alarm");
        let alarm_a = json!({ "AlarmName": alarm_name, "Namespace": "AWS/Lambda", "MetricName": "Errors",
            "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold" });
        let mut alarm_b = alarm_a.clone();
        alarm_b["Threshold"] = json!(3);
        let alarm = create_then_adopt(&cx, "AWS::CloudWatch::Alarm", "CrashAlarm", &alarm_a, &alarm_b).await;

        provider("AWS::KMS::Key").delete(&cx, &key.physical_id, &key_b).await.expect("delete");
        provider("AWS::Cognito::UserPool").delete(&cx, &pool.physical_id, &pool_b).await.expect("delete");
        provider("AWS::Logs::LogGroup").delete(&cx, &logs.physical_id, &group_b).await.expect("delete");
        provider("AWS::CloudWatch::Alarm").delete(&cx, &alarm.physical_id, &alarm_b).await.expect("delete");
    });
}
