//! Recorded state: what strata applied, per stack and environment.
//!
//! JSON with a format version, a lineage (fixed for the life of a state) and a
//! serial (bumped on every write), so a saved plan can tell whether the state
//! it was made against is still the current one.

pub mod local;

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use local::{LocalBackend, StateLock};

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
        }
    }
}

/// Errors of the state layer.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StateError {
    #[error("the state {path} is locked by {holder}")]
    #[diagnostic(
        code(state::locked),
        help("another strata command is working on this stack and environment; wait for it to finish. If its process is gone, remove {lock_path}")
    )]
    Locked { path: String, lock_path: String, holder: String },
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
