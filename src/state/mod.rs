//! Recorded state: what strata applied, per stack and environment.
//!
//! JSON with a format version, a lineage (fixed for the life of a state) and a
//! serial (bumped on every write), so a saved plan can tell whether the state
//! it was made against is still the current one.
//!
//! Where it lives is a [`StateBackend`]: a local file (flock) or an S3 object
//! (a lock object created with `If-None-Match: *`, writes with `If-Match`).

pub mod backend;
pub mod edit;
pub mod local;
pub mod lock_info;
pub mod s3;

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use backend::{StateBackend, StateLock};
pub use edit::Removed;
pub use local::{LocalBackend, LocalLock};
pub use lock_info::LockInfo;
pub use s3::{S3Backend, S3Lock};

/// The state file format this build reads and writes.
pub const STATE_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    pub lineage: String,
    pub serial: u64,
    pub stack: String,
    pub environment: String,
    /// By logical name, in the order they were first recorded.
    pub resources: IndexMap<String, ResourceState>,
    /// Old objects of resources replaced create-before-destroy, by logical
    /// name, between the new object's creation and the old one's deletion.
    /// Kept so a run that dies in between leaves nothing unrecorded: the
    /// next plan deletes them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub deposed: IndexMap<String, ResourceState>,
    /// The spec's `Outputs` as of the last apply, those whose values were
    /// known (`strata output`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceState {
    #[serde(rename = "type")]
    pub type_name: String,
    pub physical_id: String,
    /// The properties as applied, with every reference resolved.
    pub properties: Value,
    /// Attributes AWS returned (ids, ARNs), readable by `${Name.Attribute}`.
    pub attributes: BTreeMap<String, Value>,
    /// Logical names this resource depended on when applied; orders deletes
    /// of resources that are no longer in the spec.
    #[serde(default)]
    pub dependencies: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prevent_destroy: bool,
}

impl State {
    /// A fresh, empty state with a new lineage.
    pub fn new(stack: &str, environment: &str) -> Self {
        Self {
            version: STATE_FORMAT_VERSION,
            lineage: uuid::Uuid::new_v4().to_string(),
            serial: 0,
            stack: stack.to_owned(),
            environment: environment.to_owned(),
            resources: IndexMap::new(),
            deposed: IndexMap::new(),
            outputs: IndexMap::new(),
        }
    }

    /// Parses state text read from `location`, checking the format version.
    pub fn parse(text: &str, location: &str) -> Result<State, StateError> {
        let state: State =
            serde_json::from_str(text).map_err(|source| StateError::Corrupt { path: location.to_owned(), source })?;
        if state.version != STATE_FORMAT_VERSION {
            return Err(StateError::Version {
                path: location.to_owned(),
                found: state.version,
                expected: STATE_FORMAT_VERSION,
            });
        }
        Ok(state)
    }

    /// Checks the state belongs to this stack and environment.
    pub fn ensure_belongs(&self, location: &str, stack: &str, environment: &str) -> Result<(), StateError> {
        if self.stack != stack || self.environment != environment {
            return Err(StateError::Mismatch {
                path: location.to_owned(),
                found_stack: self.stack.clone(),
                found_env: self.environment.clone(),
                stack: stack.to_owned(),
                env: environment.to_owned(),
            });
        }
        Ok(())
    }

    /// The text both backends write: pretty JSON and a final newline.
    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Errors of the state layer.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StateError {
    #[error("the state {path} is locked by {holder}")]
    #[diagnostic(
        code(state::locked),
        help("another strata command is working on this stack and environment; wait for it to finish. The lock ({lock_path}) is an OS file lock: it is released by itself when that process exits")
    )]
    Locked { path: String, lock_path: String, holder: String },
    #[error("the state {location} is locked by {holder}; held for {age} (lock id {id})")]
    #[diagnostic(
        code(state::locked),
        help("another strata command is working on this state; wait for it to finish. If that process is gone: {unlock_command}")
    )]
    RemoteLocked { location: String, holder: String, age: String, id: String, unlock_command: String },
    #[error("the state {location} changed under us: another writer saved it after this command read it")]
    #[diagnostic(
        code(state::stale_write),
        help("nothing was overwritten. Someone broke this command's lock or wrote without one; run the command again: it re-reads the state")
    )]
    StaleWrite { location: String },
    #[error("the state bucket `{bucket}` does not exist (state {location})")]
    #[diagnostic(code(state::no_bucket), help("{help}"))]
    NoBucket { bucket: String, location: String, help: String },
    #[error("cannot {action} {location}: {message}")]
    #[diagnostic(code(state::s3), help("check the bucket, its region and your credentials for it"))]
    S3 { action: &'static str, location: String, message: String },
    #[error("the state {location} is not locked")]
    #[diagnostic(code(state::not_locked), help("there is nothing to unlock"))]
    NotLocked { location: String },
    #[error("lock id `{given}` does not match the lock on {location}: it is `{current}`, held by {holder}")]
    #[diagnostic(
        code(state::unlock_mismatch),
        help("unlock takes the id of the current lock, as the refused command printed it; a lock held by a live process must not be broken")
    )]
    UnlockMismatch { location: String, given: String, current: String, holder: String },
    #[error("the state {location} is locked by a live process: {holder}")]
    #[diagnostic(
        code(state::local_lock_held),
        help("a local state lock is an OS file lock and cannot be broken; it is released when that process exits (stop it if it is stuck)")
    )]
    LocalLockHeld { location: String, holder: String },
    #[error("no resource `{name}` in the state")]
    #[diagnostic(code(state::unknown_resource), help("{help}"))]
    UnknownResource { name: String, help: String },
    #[error("no output `{name}` in the state")]
    #[diagnostic(code(state::unknown_output), help("{help}"))]
    UnknownOutput { name: String, help: String },
    #[error("cannot rename `{old}` to `{name}`: the state already has a `{name}`")]
    #[diagnostic(code(state::name_taken), help("remove or rename `{name}` first"))]
    NameTaken { name: String, old: String },
    #[error("there is no state at {location} yet")]
    #[diagnostic(code(state::empty), help("apply the stack first, or pass the right --state, --stack or --env"))]
    NoState { location: String },
    #[error("cannot {action} the state file {path}")]
    #[diagnostic(code(state::io))]
    Io {
        action: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the state file {path} is not valid strata state")]
    #[diagnostic(code(state::corrupt), help("restore it from the backup next to it, or from version control"))]
    Corrupt {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("the state file {path} has format version {found}; this strata reads version {expected}")]
    #[diagnostic(code(state::version), help("use the strata release that wrote it, or a newer one"))]
    Version { path: String, found: u32, expected: u32 },
    #[error("the state file {path} belongs to stack `{found_stack}` / `{found_env}`, not `{stack}` / `{env}`")]
    #[diagnostic(code(state::mismatch), help("pass the right --state file or --env"))]
    Mismatch { path: String, found_stack: String, found_env: String, stack: String, env: String },
}
