//! Tags, the one part of every provider that is the same job in every
//! service: the spec-shaped `Tags` a read reports, what to tag and untag to
//! converge, and the order of those calls. A type supplies only its
//! service's two tagging calls (a [`TagApi`]); the SDKs' tag shapes (a map
//! in Logs, Cognito, Lambda and API Gateway; a list of `Tag` in KMS,
//! DynamoDB, Scheduler, CloudWatch, IAM and EC2) and the way a resource is
//! named (key id, ARN, role name, EC2 id) stay inside that impl.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::provider::retry::with_retries;
use crate::provider::types::data_common::order_like;
use crate::provider::{Cx, ProviderError};

/// Tags by key, as every provider handles them.
pub type Tags = BTreeMap<String, String>;

/// strata's identity tags (`strata:stack`, ...): never part of a spec's `Tags`.
pub fn is_strata_tag(key: &str) -> bool {
    key.starts_with("strata:")
}

/// `Tags: [{Key, Value}]` as the spec writes it: every live tag but strata's
/// own (stack-wide tags included: read cannot tell them from the resource's),
/// in the recorded `Tags` order (or AWS's, with `recorded` null), or None
/// when nothing is left.
pub fn spec_tag_list(all: &Tags, recorded: &Value) -> Option<Value> {
    let items: Vec<Value> = all
        .iter()
        .filter(|(k, _)| !is_strata_tag(k))
        .map(|(k, v)| serde_json::json!({ "Key": k, "Value": v }))
        .collect();
    (!items.is_empty()).then(|| Value::Array(order_like(items, recorded.get("Tags"), "Key")))
}

/// A string map of tags (Cognito's `UserPoolTags`) without strata's own.
pub fn spec_tag_map(all: &Tags) -> Option<Value> {
    let map: Map<String, Value> =
        all.iter().filter(|(k, _)| !is_strata_tag(k)).map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    (!map.is_empty()).then_some(Value::Object(map))
}

/// A service's tag map (`HashMap`, as the SDKs hold it) in key order.
pub fn from_hash_map(tags: Option<&HashMap<String, String>>) -> Tags {
    tags.map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default()
}

/// What to tag and untag to go from the live tags to the desired ones.
/// strata is authoritative for a resource's tags, except AWS's reserved
/// `aws:` tags, which cannot be removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TagChanges {
    pub set: Tags,
    pub remove: Vec<String>,
}

impl TagChanges {
    pub fn between(live: &Tags, desired: &Tags) -> Self {
        let set =
            desired.iter().filter(|(k, v)| live.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
        let remove = live.keys().filter(|k| !desired.contains_key(*k) && !k.starts_with("aws:")).cloned().collect();
        TagChanges { set, remove }
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty()
    }

    /// Keys whose value changes (some services, moto's DynamoDB among them,
    /// append a second tag instead of replacing a value: untag these first).
    pub fn changed_keys(&self, live: &Tags) -> Vec<String> {
        self.set.keys().filter(|k| live.contains_key(*k)).cloned().collect()
    }
}

/// One service's tagging calls on one resource `id` (whatever the service
/// tags by: key id, ARN, role name, EC2 id). Each is a single SDK call; the
/// retries and the order are [`converge`]'s.
#[async_trait::async_trait]
pub trait TagApi: Sync {
    /// Adds `tags`, overwriting the values of keys it already has.
    async fn tag(&self, cx: &Cx, id: &str, tags: &Tags) -> Result<(), ProviderError>;
    /// Removes the tags with these keys.
    async fn untag(&self, cx: &Cx, id: &str, keys: &[String]) -> Result<(), ProviderError>;
    /// True when tagging an existing key appends a second tag instead of
    /// replacing its value (moto 5.2.5's DynamoDB): changed keys are then
    /// untagged before they are tagged again.
    fn untags_changed_keys(&self) -> bool {
        false
    }
}

/// Makes the tags of `id` exactly `desired` (strata's identity tags
/// included), given the `live` ones: untags what is no longer wanted (never
/// AWS's reserved `aws:` tags), then tags what is new or changed. Both calls
/// retry what `retry::classify` calls transient; nothing is called when
/// nothing differs.
pub async fn converge(api: &impl TagApi, cx: &Cx, id: &str, live: &Tags, desired: &Tags) -> Result<(), ProviderError> {
    let changes = TagChanges::between(live, desired);
    let mut remove = changes.remove.clone();
    if api.untags_changed_keys() {
        remove.extend(changes.changed_keys(live));
    }
    if !remove.is_empty() {
        with_retries(|| api.untag(cx, id, &remove)).await?;
    }
    if !changes.set.is_empty() {
        with_retries(|| api.tag(cx, id, &changes.set)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tag_changes_are_authoritative_but_keep_aws_tags() {
        let live = BTreeMap::from([
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "2".to_owned()),
            ("aws:x".to_owned(), "y".to_owned()),
        ]);
        let desired = BTreeMap::from([
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "3".to_owned()),
            ("c".to_owned(), "4".to_owned()),
        ]);
        let c = TagChanges::between(&live, &desired);
        assert_eq!(c.set.keys().collect::<Vec<_>>(), ["b", "c"]);
        assert!(c.remove.is_empty());
        assert_eq!(c.changed_keys(&live), ["b"]);
        let c = TagChanges::between(&live, &BTreeMap::new());
        assert_eq!(c.remove, ["a", "b"]);
    }

    #[test]
    fn spec_tags_leave_out_strata_tags_and_follow_the_recorded_order() {
        let all = BTreeMap::from([
            ("strata:stack".to_owned(), "s".to_owned()),
            ("team".to_owned(), "api".to_owned()),
            ("app".to_owned(), "x".to_owned()),
        ]);
        assert_eq!(
            spec_tag_list(&all, &Value::Null),
            Some(json!([{"Key": "app", "Value": "x"}, {"Key": "team", "Value": "api"}]))
        );
        let recorded = json!({"Tags": [{"Key": "team"}, {"Key": "app"}]});
        assert_eq!(
            spec_tag_list(&all, &recorded),
            Some(json!([{"Key": "team", "Value": "api"}, {"Key": "app", "Value": "x"}]))
        );
        assert_eq!(spec_tag_list(&BTreeMap::from([("strata:stack".to_owned(), "s".to_owned())]), &Value::Null), None);
        assert_eq!(spec_tag_map(&all), Some(json!({"app": "x", "team": "api"})));
    }
}
