//! Saved plans: the plan plus what it was made against, so applying it to a
//! state that moved on is refused instead of doing something unreviewed.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Plan, PlanError};
use crate::state::State;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Planfile {
    pub strata_version: String,
    pub created_at: String,
    /// Path of the spec file the plan was made from.
    pub spec_path: String,
    pub plan: Plan,
}

impl Planfile {
    pub fn new(plan: Plan, spec_path: &Path) -> Self {
        Self {
            strata_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at: jiff::Timestamp::now().to_string(),
            spec_path: spec_path.display().to_string(),
            plan,
        }
    }

    /// Writes the plan owner-only (0600) like the state: it holds the same
    /// resolved properties and ARNs.
    pub fn save(&self, path: &Path) -> Result<(), PlanError> {
        let err = |source| PlanError::Write { path: path.display().to_string(), source };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let text = serde_json::to_string_pretty(self).unwrap_or_default() + "\n";
        crate::state::local::write_private(path, text.as_bytes()).map_err(err)
    }

    pub fn load(path: &Path) -> Result<Self, PlanError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| PlanError::Read { path: path.display().to_string(), source })?;
        serde_json::from_str(&text).map_err(|source| PlanError::Corrupt { path: path.display().to_string(), source })
    }

    /// Refuses the plan when the state is not the one it was made against:
    /// another lineage (a different state altogether) or another serial
    /// (someone applied since).
    pub fn ensure_current(
        &self,
        path: &Path,
        state: Option<&State>,
        spec_digest: &str,
        artifacts: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), PlanError> {
        let stale = |reason: String| Err(PlanError::Stale { path: path.display().to_string(), reason });
        let (lineage, serial) = match state {
            Some(s) => (Some(s.lineage.as_str()), s.serial),
            None => (None, 0),
        };
        if lineage != self.plan.state_lineage.as_deref() {
            return stale(format!(
                "it was made against state lineage {}, but the state now has lineage {}",
                self.plan.state_lineage.as_deref().unwrap_or("(no state)"),
                lineage.unwrap_or("(no state)")
            ));
        }
        if serial != self.plan.state_serial {
            return stale(format!(
                "it was made against state serial {}, but the state is now at serial {serial} (something was applied since)",
                self.plan.state_serial
            ));
        }
        if spec_digest != self.plan.spec_digest {
            return stale(format!("the spec {} changed since the plan was made", self.spec_path));
        }
        for (crate_path, planned) in &self.plan.artifacts {
            if artifacts.get(crate_path) != Some(planned) {
                return stale(format!(
                    "the Lambda package of {crate_path} changed since the plan was made (CodeSha256 {planned} then, {} now)",
                    artifacts.get(crate_path).map_or("none", String::as_str)
                ));
            }
        }
        Ok(())
    }

    /// Refuses the plan when the parameter values given now are not the ones
    /// it was made with: the reviewed plan was computed from those values,
    /// and apply resolves the properties again from the spec and the values.
    pub fn ensure_same_parameters(
        &self,
        path: &Path,
        now: &indexmap::IndexMap<String, super::parameters::PlannedParameter>,
    ) -> Result<(), PlanError> {
        match super::parameters::difference(&self.plan.parameters, now) {
            Some(reason) => Err(PlanError::Stale { path: path.display().to_string(), reason }),
            None => Ok(()),
        }
    }

    /// `PreventDestroy` again, at apply time: a saved plan is a file, and
    /// one edited after review (or written by another tool) could carry a
    /// delete or replacement the plan command would have refused. The spec
    /// and the state recorded at the apply decide, not the file.
    pub fn ensure_nothing_protected_is_destroyed(
        &self,
        stack: &crate::spec::Stack,
        state: Option<&State>,
    ) -> Result<(), PlanError> {
        for change in &self.plan.changes {
            let action = match change.action {
                crate::plan::Action::Delete if !change.deposed => "destroy",
                crate::plan::Action::Replace => "replace",
                _ => continue,
            };
            let recorded = state.and_then(|s| s.resources.get(&change.name));
            if crate::plan::diff::prevent_destroy(stack, &change.name, recorded) {
                return Err(PlanError::PreventDestroy { name: change.name.clone(), action });
            }
        }
        Ok(())
    }
}
