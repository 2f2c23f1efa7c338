//! Drift: what changed in AWS outside strata. `refresh` reads every recorded
//! resource (in parallel, batched where an API describes many ids at once),
//! `compare` says how each differs from what strata applied, `unmanaged`
//! finds resources that carry the stack's tags but that state does not know.
//!
//! Plans refresh first, so they can show changes made outside strata apart
//! from the changes the spec asks for, and diff against what really exists.

pub mod compare;
pub mod refresh;
pub mod unmanaged;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use refresh::{refresh, RefreshOptions, Refreshed};
pub use unmanaged::Unmanaged;

/// How one recorded resource compares with AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DriftStatus {
    InSync,
    Modified,
    Deleted,
}

/// One property that differs: what strata applied and what AWS has.
/// `None` is "absent". Lists compare as a whole (order aside), so an ingress
/// rule or a policy statement added by hand shows here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertyDrift {
    /// Dotted path, e.g. `Environment.Variables.TABLE`, or `Tags`.
    pub path: String,
    pub expected: Option<Value>,
    pub actual: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceDrift {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub physical_id: String,
    pub status: DriftStatus,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<PropertyDrift>,
}

impl ResourceDrift {
    pub fn drifted(&self) -> bool {
        self.status != DriftStatus::InSync
    }
}

/// Errors of the drift layer.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DriftError {
    #[error("cannot read {name} ({type_name} {physical_id}) from AWS")]
    #[diagnostic(code(drift::read), help("check the credentials' read permissions, or plan with --refresh=false"))]
    Read {
        name: String,
        type_name: String,
        physical_id: String,
        #[source]
        source: crate::provider::ProviderError,
    },
    #[error("cannot list the resources tagged for stack `{stack}`")]
    #[diagnostic(code(drift::unmanaged), help("the Resource Groups Tagging API (tag:GetResources) must be allowed"))]
    Tagged {
        stack: String,
        #[source]
        source: crate::provider::ProviderError,
    },
    #[error("there is no provider for {type_name}")]
    #[diagnostic(code(drift::unknown_type))]
    UnknownType { type_name: String },
}

/// `state` as AWS has it, according to `drift`: drifted properties carry
/// their live values and deleted resources are gone. Plans diff the spec
/// against it; `--refresh-only` records it. Pure, so applying a saved plan
/// rebuilds exactly the state the plan was made against.
pub fn refreshed_state(
    state: &crate::state::State,
    drift: &[ResourceDrift],
    stack_tags: &std::collections::BTreeMap<String, String>,
) -> crate::state::State {
    let mut out = state.clone();
    for d in drift {
        match d.status {
            DriftStatus::InSync => {}
            DriftStatus::Deleted => {
                out.resources.shift_remove(&d.name);
            }
            DriftStatus::Modified => {
                if let Some(r) = out.resources.get_mut(&d.name) {
                    r.properties = compare::with_live_values(&r.properties, &d.properties, stack_tags);
                }
            }
        }
    }
    out
}
