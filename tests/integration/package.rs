//! `strata package` on the local cloud: the flagship's two Lambda zips land
//! in S3 under keys made of their hashes (checked with boto3), the template
//! names them (and passes cfn-lint), and a second run uploads nothing.

use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{boto3_json, repo_root, stderr};

const PRELUDE: &str = "import boto3, json, os, hashlib, base64\n\
    s3 = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'])\n";

/// strata with the Lambda profile CI uses unless one is set (as lambda_build).
fn strata_package(cwd: &std::path::Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
    cmd.args(args).current_dir(cwd).env("NO_COLOR", "1");
    if std::env::var_os(strata::build::PROFILE_VAR).is_none() {
        cmd.env(strata::build::PROFILE_VAR, "lambda-ci");
    }
    cmd.output().expect("the strata binary runs")
}

#[test]
fn package_uploads_each_zip_once_and_the_template_names_it() {
    let bucket = format!("strata-artifacts-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    boto3_json(PRELUDE, &format!("s3.create_bucket(Bucket='{bucket}')\nprint(json.dumps(True))"));
    let dir = tempfile::tempdir().unwrap();
    let spec = repo_root().join("stacks/acme-scheduling.yaml");
    let args = ["package", spec.to_str().unwrap(), "--bucket", &bucket, "--format", "json", "--out", "t.json"];

    let first = strata_package(dir.path(), &args);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let report = stderr(&first);
    assert_eq!(report.matches("uploaded)").count(), 2, "{report}");
    let template: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("t.json")).unwrap()).unwrap();
    let params = &template["Parameters"];
    assert_eq!(params["ArtifactBucket"]["Default"], bucket.as_str());
    let keys: Vec<String> = ["SchedulerManagerFunctionCodeKey", "OrderExecutorFunctionCodeKey"]
        .iter()
        .map(|p| params[*p]["Default"].as_str().unwrap_or_else(|| panic!("{p} has no default")).to_owned())
        .collect();
    assert!(keys[0].starts_with("strata/scheduler-manager/") && keys[1].starts_with("strata/order-executor/"));

    // With its defaults filled in, the template still passes cfn-lint.
    let findings = crate::export::cfn_lint(&dir.path().join("t.json"), "us-east-1");
    assert!(findings.is_empty(), "{findings:#?}");

    // The objects hold the zips their keys name: hex SHA-256 of the bytes.
    let checked = boto3_json(
        PRELUDE,
        &format!(
            "out = {{}}\nfor k in {keys:?}:\n    body = s3.get_object(Bucket='{bucket}', Key=k)['Body'].read()\n    \
             out[k] = k.endswith('/' + hashlib.sha256(body).hexdigest() + '.zip') and body[:2] == b'PK'\n\
             out['count'] = s3.list_objects_v2(Bucket='{bucket}')['KeyCount']\nprint(json.dumps(out))"
        ),
    );
    for k in &keys {
        assert_eq!(checked[k], true, "{k}: {checked}");
    }
    assert_eq!(checked["count"], 2);

    // The same code again: nothing uploaded, the same template.
    let second = strata_package(dir.path(), &args);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let report = stderr(&second);
    assert_eq!(report.matches("already there)").count(), 2, "{report}");
    assert!(!report.contains("uploaded)"), "{report}");
    let again: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("t.json")).unwrap()).unwrap();
    assert_eq!(again, template);
}
