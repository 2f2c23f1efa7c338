//! From an environment to a connected provider context: the `local`
//! environment starts the embedded local cloud when it is not running; others
//! use their region and profile (and check the account guard).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::OpsError;
use crate::build::Artifact;
use crate::provider::aws::Target;
use crate::provider::Cx;
use crate::spec::Environment;

pub async fn connect(
    env: &Environment,
    artifacts: BTreeMap<String, Artifact>,
    workspace_root: PathBuf,
) -> Result<Cx, OpsError> {
    let target = target(env).await?;
    let cx = Cx::connect(&target, artifacts, workspace_root).await?;
    if let Some(expected) = &env.account_id {
        if !env.is_local() && &cx.account_id != expected {
            return Err(OpsError::WrongAccount {
                env: env.name.clone(),
                expected: expected.clone(),
                actual: cx.account_id,
            });
        }
    }
    Ok(cx)
}

/// Where the environment's API calls go: the local cloud (started when it is
/// not running) for `local`, the environment's region and profile otherwise.
/// The S3 state backend uses the same target, so a `local` stack keeps its
/// state in the local cloud too.
pub async fn target(env: &Environment) -> Result<Target, OpsError> {
    let target = target_of(env).await?;
    tracing::debug!(environment = %env.name, region = %target.region, endpoint = ?target.endpoint, "API calls go here");
    Ok(target)
}

async fn target_of(env: &Environment) -> Result<Target, OpsError> {
    if let Some(endpoint) = local_endpoint_override().filter(|_| env.is_local()) {
        return Ok(Target { region: crate::local::LOCAL_REGION.to_owned(), profile: None, endpoint: Some(endpoint) });
    }
    if env.is_local() {
        let cloud = tokio::task::spawn_blocking(crate::local::ensure_running)
            .await
            .map_err(|e| OpsError::Internal { message: format!("local cloud task: {e}") })??;
        return Ok(Target {
            region: crate::local::LOCAL_REGION.to_owned(),
            profile: None,
            endpoint: Some(cloud.endpoint),
        });
    }
    Ok(Target { region: env.region.clone().unwrap_or_default(), profile: env.profile.clone(), endpoint: None })
}

/// `STRATA_LOCAL_ENDPOINT` points the `local` environment at another endpoint
/// that speaks for the local cloud (the latency bench puts a delaying proxy
/// there). Never used for other environments.
fn local_endpoint_override() -> Option<String> {
    std::env::var("STRATA_LOCAL_ENDPOINT").ok().filter(|v| !v.is_empty())
}

/// The local cloud's endpoint (started when it is not running), or the
/// `STRATA_LOCAL_ENDPOINT` override.
pub async fn local_endpoint() -> Result<String, OpsError> {
    if let Some(endpoint) = local_endpoint_override() {
        return Ok(endpoint);
    }
    let cloud = tokio::task::spawn_blocking(crate::local::ensure_running)
        .await
        .map_err(|e| OpsError::Internal { message: format!("local cloud task: {e}") })??;
    Ok(cloud.endpoint)
}
