//! `strata package`: builds the stack's Lambda crates, uploads each zip once
//! to an S3 bucket under a key made of its hash, and returns the
//! CloudFormation template whose code parameters default to those objects.
//! An object already there is not uploaded again: the key names its bytes.

use std::path::Path;

use aws_sdk_s3::primitives::ByteStream;
use serde::Serialize;
use serde_json::Value;

use super::{artifacts, connect, OpsError};
use crate::export::cloudformation::{self, artifact_key, Artifacts};
use crate::provider::aws;

pub struct PackageRequest<'a> {
    pub spec_path: &'a Path,
    pub environment: &'a str,
    /// Parameter values beside the spec's (`--var`, `--var-file`, STRATA_VAR_*).
    pub inputs: &'a crate::spec::Inputs,
    pub bucket: &'a str,
}

/// One crate's zip in the bucket.
#[derive(Debug, Clone, Serialize)]
pub struct Upload {
    pub crate_path: String,
    pub key: String,
    pub size: u64,
    /// False when the object was already there.
    pub uploaded: bool,
}

pub struct Packaged {
    pub template: Value,
    pub uploads: Vec<Upload>,
}

pub async fn package(req: &PackageRequest<'_>) -> Result<Packaged, OpsError> {
    let (stack, values) = super::export::template_stack(req.spec_path, req.environment, req.inputs)?;
    let env = super::environment::select(&stack, req.environment)?;
    let built = artifacts::build_all(&stack)?;
    let client = aws::s3_client(&connect::target(&env).await?).await;
    let mut keys = std::collections::BTreeMap::new();
    let mut uploads = Vec::new();
    for (crate_path, artifact) in &built {
        let key = artifact_key(crate_path, &artifact.code_sha256);
        let uploaded = upload_once(&client, req.bucket, &key, &artifact.zip_path).await?;
        uploads.push(Upload { crate_path: crate_path.clone(), key: key.clone(), size: artifact.zip_size, uploaded });
        keys.insert(crate_path.clone(), key);
    }
    let artifacts = Artifacts { bucket: req.bucket.to_owned(), keys };
    let template = cloudformation::template(&stack, &env.name, &values, Some(&artifacts))?;
    Ok(Packaged { template, uploads })
}

/// Puts the zip at `key` unless an object is already there; true when it put.
async fn upload_once(client: &aws_sdk_s3::Client, bucket: &str, key: &str, zip: &Path) -> Result<bool, OpsError> {
    let failed = |message: String| OpsError::ArtifactUpload { bucket: bucket.to_owned(), key: key.to_owned(), message };
    match client.head_object().bucket(bucket).key(key).send().await {
        Ok(_) => return Ok(false),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {}
        Err(e) => return Err(failed(aws_sdk_s3::error::DisplayErrorContext(&e).to_string())),
    }
    let bytes = std::fs::read(zip).map_err(|e| failed(format!("cannot read {}: {e}", zip.display())))?;
    let body = ByteStream::from(bytes);
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .content_type("application/zip")
        .body(body)
        .send()
        .await
        .map_err(|e| failed(aws_sdk_s3::error::DisplayErrorContext(&e).to_string()))?;
    Ok(true)
}
