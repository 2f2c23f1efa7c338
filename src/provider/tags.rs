//! The tags strata puts on everything it creates, so a resource created just
//! before a crash (AWS has it, state does not) can be found and adopted
//! instead of duplicated, and so drift detection can find unmanaged resources
//! of the stack.

use std::collections::BTreeMap;

pub const STACK_TAG: &str = "strata:stack";
pub const ENVIRONMENT_TAG: &str = "strata:environment";
pub const LOGICAL_NAME_TAG: &str = "strata:logical-name";

/// The complete tag set for one resource: the spec's stack-wide `Tags`, the
/// resource's own `Tags` property (applied by each provider from its
/// properties), and strata's three identity tags, which win.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrataTags {
    pub stack: String,
    pub environment: String,
    pub logical_name: String,
    /// Stack-wide tags from the spec's top-level `Tags`.
    pub stack_tags: BTreeMap<String, String>,
}

impl StrataTags {
    /// Stack-wide tags, then the resource's own, then strata's identity tags.
    pub fn merged(&self, resource_tags: &[(String, String)]) -> BTreeMap<String, String> {
        let mut all = self.stack_tags.clone();
        for (k, v) in resource_tags {
            all.insert(k.clone(), v.clone());
        }
        all.insert(STACK_TAG.to_owned(), self.stack.clone());
        all.insert(ENVIRONMENT_TAG.to_owned(), self.environment.clone());
        all.insert(LOGICAL_NAME_TAG.to_owned(), self.logical_name.clone());
        all
    }

    /// Reads CloudFormation's `Tags: [{Key, Value}]` from properties.
    pub fn from_property(properties: &serde_json::Value) -> Vec<(String, String)> {
        properties
            .get("Tags")
            .and_then(|t| t.as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| Some((i.get("Key")?.as_str()?.to_owned(), i.get("Value")?.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// All tags for a resource with the given properties.
    pub fn for_properties(&self, properties: &serde_json::Value) -> BTreeMap<String, String> {
        self.merged(&Self::from_property(properties))
    }

    /// Adoption's rule, the one place it is decided: a found resource is
    /// this one only when it carries strata's three identity tags with this
    /// stack's, environment's and logical name's values. A same-named
    /// resource without them (lost state, another tool, a colleague's stack)
    /// is `NotOurs`, whatever its name says.
    pub fn claim(
        &self,
        type_name: &'static str,
        physical_id: &str,
        live: &BTreeMap<String, String>,
    ) -> Result<(), crate::provider::ProviderError> {
        if self.identifies(live) {
            return Ok(());
        }
        let why = match (live.get(STACK_TAG), live.get(ENVIRONMENT_TAG), live.get(LOGICAL_NAME_TAG)) {
            (None, None, None) => String::from("it carries no strata tags"),
            (stack, environment, logical) => format!(
                "its strata tags say stack `{}`, environment `{}`, logical name `{}` (this is `{}`/`{}`/`{}`)",
                stack.map_or("-", String::as_str),
                environment.map_or("-", String::as_str),
                logical.map_or("-", String::as_str),
                self.stack,
                self.environment,
                self.logical_name
            ),
        };
        Err(crate::provider::ProviderError::NotOurs { type_name, physical_id: physical_id.to_owned(), why })
    }

    /// True when `tags` mark a resource as this one (same stack, environment
    /// and logical name).
    pub fn identifies(&self, tags: &BTreeMap<String, String>) -> bool {
        tags.get(STACK_TAG) == Some(&self.stack)
            && tags.get(ENVIRONMENT_TAG) == Some(&self.environment)
            && tags.get(LOGICAL_NAME_TAG) == Some(&self.logical_name)
    }
}

#[cfg(test)]
mod claim_tests {
    use super::*;
    use crate::provider::ProviderError;

    fn ours() -> StrataTags {
        StrataTags {
            stack: "acme".into(),
            environment: "dev".into(),
            logical_name: "OrdersTable".into(),
            stack_tags: BTreeMap::new(),
        }
    }

    #[test]
    fn only_this_resources_identity_tags_claim_it() {
        let tags = ours();
        assert!(tags.claim("AWS::DynamoDB::Table", "t", &tags.merged(&[])).is_ok());

        let untagged = tags.claim("AWS::DynamoDB::Table", "t", &BTreeMap::new()).unwrap_err();
        assert!(matches!(untagged, ProviderError::NotOurs { .. }));
        assert!(untagged.to_string().contains("carries no strata tags"), "{untagged}");

        let mut other_env = tags.merged(&[]);
        other_env.insert(ENVIRONMENT_TAG.into(), "prod".into());
        let err = tags.claim("AWS::DynamoDB::Table", "t", &other_env).unwrap_err().to_string();
        assert!(err.contains("environment `prod`") && err.contains("`acme`/`dev`/`OrdersTable`"), "{err}");
    }
}
