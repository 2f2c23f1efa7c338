//! Provider tests for the data types against the local cloud (see cloud.rs).
//!
//! Each test drives one provider through create -> read -> update -> find ->
//! delete, and checks what landed with an independent client: boto3 from the
//! local cloud's own virtualenv, against the same endpoint.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::{json, Value};
use strata::provider::registry;
use strata::provider::{Applied, Cx, Request, ResourceProvider, StrataTags};

use crate::cloud;

// ------------------------------------------------------------- helpers --

/// Runs a small boto3 script against the local cloud and parses the JSON it
/// prints last. The script gets `boto3`, `json` and `client(name)` (a client
/// on the local cloud's endpoint) in scope and must print one JSON value.
fn boto(script: &str) -> Value {
    let cloud = strata::local::ensure_running().expect("the local cloud runs");
    let home = std::env::var_os("HOME").expect("HOME");
    let python = std::path::Path::new(&home).join(".cache/strata/moto-5.2.5/venv/bin/python");
    let python = std::env::var_os("STRATA_HOME")
        .map(|h| std::path::Path::new(&h).join("moto-5.2.5/venv/bin/python"))
        .filter(|p| p.exists())
        .unwrap_or(python);
    let prelude = format!(
        "import boto3, json, datetime\n\
         def client(name):\n    return boto3.client(name, endpoint_url='{}')\n\
         def default(o):\n    return o.isoformat() if isinstance(o, datetime.datetime) else str(o)\n",
        cloud.endpoint
    );
    let out = Command::new(python)
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "boto3 script failed:\n{script}\n{}", String::from_utf8_lossy(&out.stderr));
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("boto3 printed no JSON ({e}): {stdout}"))
}

fn provider(type_name: &str) -> &'static dyn ResourceProvider {
    registry::provider(type_name).expect("a provider for the type")
}

fn request<'a>(logical_name: &'a str, properties: &'a Value, tags: &'a StrataTags) -> Request<'a> {
    Request { logical_name, properties, tags }
}

/// Every attribute of the schema is present, and the id attribute is the physical id.
fn assert_attributes(p: &dyn ResourceProvider, applied: &Applied) {
    let schema = p.schema();
    for name in schema.attributes {
        assert!(applied.attributes.contains_key(*name), "{} lacks attribute {name}: {applied:?}", schema.type_name);
    }
    assert_eq!(applied.attributes[schema.id_attribute], json!(applied.physical_id), "{}", schema.type_name);
}

/// Reads the resource and checks that every property of `expected` is live
/// with the same value (the read may report more: AWS defaults). `Tags` also
/// hold the stack-wide tags (not strata's own), in the spec's order first.
async fn assert_reads_back(cx: &Cx, p: &dyn ResourceProvider, applied: &Applied, expected: &Value, tags: &StrataTags) {
    let live = p.read(cx, &applied.physical_id, expected).await.expect("read").expect("the resource exists");
    for (name, want) in expected.as_object().expect("properties object") {
        let got = live.properties.get(name);
        if name == "Tags" {
            let mut want_all = tags.stack_tags.clone();
            want_all.extend(tag_map(want));
            assert_eq!(tag_map(got.unwrap_or(&Value::Null)), want_all, "Tags of {}", p.schema().type_name);
            let got_keys: Vec<_> = tag_map(got.unwrap_or(&Value::Null)).into_keys().collect();
            assert!(got_keys.iter().all(|k| !k.starts_with("strata:")), "strata tags in Tags: {got_keys:?}");
            continue;
        }
        assert_eq!(got, Some(want), "{name} of {}: {:#}", p.schema().type_name, live.properties);
    }
    assert_eq!(live.attributes, applied.attributes);
    assert_tagged(&live.tags, tags, &[]);
}

/// strata's three identity tags, for oracle checks.
fn identity(tags: &StrataTags) -> BTreeMap<String, String> {
    tags.merged(&[]).into_iter().filter(|(k, _)| k.starts_with("strata:")).collect()
}

fn tag_map(list: &Value) -> BTreeMap<String, String> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let key = t.get("Key").or_else(|| t.get("TagKey")).and_then(Value::as_str).unwrap_or_default();
            let value = t.get("Value").or_else(|| t.get("TagValue")).and_then(Value::as_str).unwrap_or_default();
            (key.to_owned(), value.to_owned())
        })
        .collect()
}

/// Asserts `all` holds strata's identity tags and the `expected` ones.
fn assert_tagged(all: &BTreeMap<String, String>, tags: &StrataTags, expected: &[(&str, &str)]) {
    for (k, v) in identity(tags) {
        assert_eq!(all.get(&k), Some(&v), "identity tag {k} in {all:?}");
    }
    for (k, v) in expected {
        assert_eq!(all.get(*k).map(String::as_str), Some(*v), "tag {k} in {all:?}");
    }
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
        assert_eq!(p.delete_note().as_deref(), Some("scheduled for deletion in 10 days"));
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
        assert_eq!(p.delete_note().as_deref(), Some("scheduled for deletion in 7 days"));
        // A key that does not exist at all is deleted too.
        p.delete(&cx, "00000000-0000-0000-0000-000000000000", &props).await.expect("delete of a missing key");
    });
}
