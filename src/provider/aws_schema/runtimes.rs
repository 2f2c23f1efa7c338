//! Lambda runtime lifecycle (`schemas/aws/lambda-runtimes.json`, from the
//! pinned cfn-lint wheel): after a runtime's create-block date AWS refuses to
//! create functions with it, which the resource schema's enum cannot say.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Lifecycle {
    /// Date (YYYY-MM-DD) after which AWS no longer patches the runtime.
    pub deprecated: Option<String>,
    /// Date after which new functions cannot use it.
    #[serde(rename = "create-block")]
    pub create_block: Option<String>,
    /// Date after which existing functions cannot be updated with it.
    #[serde(rename = "update-block")]
    pub update_block: Option<String>,
    pub successor: Option<String>,
}

static RUNTIMES: LazyLock<BTreeMap<String, Lifecycle>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../schemas/aws/lambda-runtimes.json"))
        .expect("schemas/aws/lambda-runtimes.json is generated JSON")
});

/// The lifecycle of a runtime, when AWS publishes one.
pub fn lifecycle(runtime: &str) -> Option<&'static Lifecycle> {
    RUNTIMES.get(runtime)
}

/// Whether a function can no longer be created with `runtime` on `today`
/// (ISO dates compare as strings).
pub fn create_blocked(runtime: &str, today: &str) -> Option<&'static Lifecycle> {
    lifecycle(runtime).filter(|l| l.create_block.as_deref().is_some_and(|d| d <= today))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_runtimes_are_blocked_current_ones_not() {
        assert!(create_blocked("go1.x", "2026-12-03").is_some());
        assert!(create_blocked("provided.al2023", "2026-12-03").is_none());
    }
}
