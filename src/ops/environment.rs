//! Picks the target environment and its state backend.

use std::path::{Path, PathBuf};

use super::OpsError;
use crate::local::{LOCAL_ACCOUNT_ID, LOCAL_REGION};
use crate::plan::EnvValues;
use crate::spec::{Environment, Stack, StateBackendSpec};
use crate::state::{LocalBackend, S3Backend, StateBackend};

/// The spec at `path` bound to `environment`'s parameter values.
pub fn load_for(path: &Path, environment: &str, inputs: &crate::spec::Inputs) -> Result<Stack, OpsError> {
    let binding = crate::spec::Binding { environment: environment.to_owned(), inputs: inputs.clone() };
    Ok(crate::spec::load_file_for(path, &binding)?)
}

pub fn select(stack: &Stack, name: &str) -> Result<Environment, OpsError> {
    stack.environment(name).ok_or_else(|| {
        let mut known: Vec<String> = stack.environments.keys().cloned().collect();
        if !known.iter().any(|k| k == crate::spec::DEFAULT_ENVIRONMENT) {
            known.insert(0, crate::spec::DEFAULT_ENVIRONMENT.to_owned());
        }
        OpsError::UnknownEnvironment {
            name: name.to_owned(),
            spec: stack.source.path.display().to_string(),
            known: known.join(", "),
        }
    })
}

/// `${env.*}` values as far as they are known without calling AWS.
pub fn env_values(stack: &Stack, env: &Environment) -> EnvValues {
    let (region, account_id) = if env.is_local() {
        (Some(LOCAL_REGION.to_owned()), Some(LOCAL_ACCOUNT_ID.to_owned()))
    } else {
        (env.region.clone(), env.account_id.clone())
    };
    EnvValues { stack: stack.name.clone(), environment: env.name.clone(), region, account_id }
}

/// The state backend: `--state` wins, then the environment's setting, then
/// `.strata/state/<stack>/<env>.json`. A path from the spec (its own or the
/// default) is relative to the spec's directory, not to wherever strata
/// was started: the same spec run from another directory must find the
/// same state, or it would plan to create everything again. An S3 backend of the `local`
/// environment lives in the local cloud (started when needed); elsewhere in
/// the backend's `Region`, or the environment's.
pub async fn backend(
    stack: &Stack,
    env: &Environment,
    state_override: Option<&Path>,
) -> Result<StateBackend, OpsError> {
    if let Some(path) = state_override {
        return Ok(StateBackend::Local(LocalBackend::new(path)));
    }
    match &env.state {
        StateBackendSpec::Local { path } => {
            let relative =
                path.as_ref().map_or_else(|| LocalBackend::default_path(&stack.name, &env.name), PathBuf::from);
            let resolved = next_to_spec(stack, &relative);
            refuse_state_left_behind(&relative, &resolved)?;
            Ok(StateBackend::Local(LocalBackend::new(resolved)))
        }
        StateBackendSpec::S3 { bucket, key, region } => {
            let mut target = super::connect::target(env).await?;
            if let (Some(region), None) = (region, &target.endpoint) {
                target.region = region.clone();
            }
            let selector = format!("--stack {} --env {}", stack.source.path.display(), env.name);
            // The local cloud has one fixed account and does not check owners.
            let owner = env.account_id.clone().filter(|_| !env.is_local());
            Ok(StateBackend::S3(S3Backend::new(target, bucket, key, &selector, owner).await))
        }
    }
}

/// `path` relative to the spec's directory (an absolute path stays as is).
fn next_to_spec(stack: &Stack, path: &Path) -> PathBuf {
    stack.source.path.parent().map_or_else(|| path.to_path_buf(), |dir| dir.join(path))
}

/// Before state paths followed the spec, they were relative to the working
/// directory. A state still there, and none where the spec now puts it, is
/// not an empty stack: say where to move it instead of planning to create
/// everything again.
fn refuse_state_left_behind(relative: &Path, resolved: &Path) -> Result<(), OpsError> {
    if relative.is_absolute() || resolved.exists() || !relative.exists() {
        return Ok(());
    }
    Err(OpsError::StateLeftBehind { old: relative.display().to_string(), new: resolved.display().to_string() })
}

/// SHA-256 of the spec file's bytes, hex.
pub fn spec_digest(stack: &Stack) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(stack.source.text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
