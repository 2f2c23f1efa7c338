//! Plans: what apply would do, computed purely from the spec and the state.

pub mod action;
pub mod diff;
pub mod outputs;
pub mod parameters;
pub mod planfile;
pub mod replacement;
pub mod resolve;

use serde::{Deserialize, Serialize};

pub use action::{Action, PropertyChange, ResourceChange};
pub use planfile::Planfile;
pub use resolve::EnvValues;

/// The planfile / JSON plan format version.
pub const PLAN_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    pub stack: String,
    pub environment: String,
    /// The state this plan was made against (None: no state yet).
    pub state_lineage: Option<String>,
    pub state_serial: u64,
    /// SHA-256 of the spec file's bytes.
    pub spec_digest: String,
    /// CodeSha256 of each Lambda package the plan was made with, by crate path.
    #[serde(default)]
    pub artifacts: std::collections::BTreeMap<String, String>,
    /// Creates and updates in dependency order, then deletes in reverse order.
    pub changes: Vec<ResourceChange>,
    pub summary: Summary,
    /// What changed outside strata, found by the refresh before planning:
    /// shown apart from the spec's changes, and replayed onto the recorded
    /// state when a saved plan is applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<crate::drift::ResourceDrift>,
    /// `--refresh-only`: no changes to AWS; applying it records the drift
    /// (the live values) in state.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refresh_only: bool,
    /// `--target`: the plan covers only these and what they depend on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// The spec's outputs as they will be after this plan is applied; a
    /// value that depends on what the apply creates is an unknown marker.
    #[serde(default, skip_serializing_if = "indexmap::IndexMap::is_empty")]
    pub outputs: indexmap::IndexMap<String, serde_json::Value>,
    /// The parameter values the plan was computed from (a secret as its
    /// digest only); a saved plan applies only with the same values.
    #[serde(default, skip_serializing_if = "indexmap::IndexMap::is_empty")]
    pub parameters: indexmap::IndexMap<String, parameters::PlannedParameter>,
}

/// `--target` / `--replace` on plan and apply, as Terraform has them.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Plan only these resources and what they depend on (transitively).
    pub targets: Vec<String>,
    /// Replace these even though nothing in the spec forces it (a resource
    /// broken in a way no property shows).
    pub replace: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub replace: usize,
    pub destroy: usize,
    pub unchanged: usize,
}

impl Summary {
    pub fn of(changes: &[ResourceChange]) -> Self {
        let mut s = Summary::default();
        for c in changes {
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Replace => s.replace += 1,
                Action::Delete => s.destroy += 1,
                Action::NoOp => s.unchanged += 1,
            }
        }
        s
    }

    pub fn has_changes(&self) -> bool {
        self.add + self.change + self.replace + self.destroy > 0
    }
}

impl Plan {
    /// Changes to AWS, or (refresh-only) drift to record in state.
    pub fn has_changes(&self) -> bool {
        self.summary.has_changes() || (self.refresh_only && !self.drift.is_empty())
    }

    /// Turns the plan into a refresh-only one: no changes, just the drift.
    pub fn keep_only_drift(&mut self) {
        self.changes.clear();
        self.summary = Summary::default();
        self.refresh_only = true;
    }
}

/// Errors of the plan layer.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PlanError {
    #[error("dependency cycle: {0}")]
    #[diagnostic(code(plan::cycle))]
    Cycle(String),
    #[error("`{name}` has PreventDestroy, but this plan would {action} it")]
    #[diagnostic(
        code(plan::prevent_destroy),
        help("remove `PreventDestroy: true` from its Lifecycle first if you really mean to {action} it")
    )]
    PreventDestroy { name: String, action: &'static str },
    #[error("{flag} {name}: no resource `{name}` in the spec{also}")]
    #[diagnostic(code(plan::unknown_selection), help("{help}"))]
    UnknownSelection { flag: &'static str, name: String, also: &'static str, help: String },
    /// AWS itself refuses to delete it (DynamoDB's `DeletionProtectionEnabled`,
    /// Cognito's `DeletionProtection: ACTIVE`): better said by the plan than
    /// by a destroy that fails halfway, after deleting its dependents.
    #[error("`{name}` has {property} turned on in AWS, so this plan cannot {action} it")]
    #[diagnostic(
        code(plan::deletion_protected),
        help(
            "if you really mean to {action} it: set `{property}` off in the spec and apply that first, then {action}"
        )
    )]
    DeletionProtected { name: String, property: &'static str, action: &'static str },
    #[error("the saved plan {path} is stale: {reason}")]
    #[diagnostic(code(plan::stale), help("make a new plan with `strata plan --out`, review it, and apply that"))]
    Stale { path: String, reason: String },
    #[error("cannot read the saved plan {path}")]
    #[diagnostic(code(plan::unreadable))]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the saved plan {path}")]
    #[diagnostic(code(plan::unwritable))]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a strata plan file")]
    #[diagnostic(code(plan::corrupt))]
    Corrupt {
        path: String,
        #[source]
        source: serde_json::Error,
    },
}
