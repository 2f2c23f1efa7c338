//! What the EC2 network types share: tags (TagSpecifications at create time,
//! the identity-tag filters `find` uses, tag sync on update), reading typed
//! values out of resolved properties, the bounded waits, and the BATCHED reads.
//!
//! Every type's `read` goes through a `describe_*` function here that reads
//! MANY ids in one Describe call (by filter, so an id that no longer exists is
//! simply absent instead of failing the whole call). `read` calls it with one
//! id, so refresh can batch over many ids along the very path the tests cover.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use serde_json::{json, Value};

use crate::provider::tags::{ENVIRONMENT_TAG, LOGICAL_NAME_TAG, STACK_TAG};
use futures::stream::{self, StreamExt};

use crate::provider::{aws_error, lookup, retry, Applied, Cx, Live, ProviderError, Request, StrataTags};

/// How long a freshly created VPC, subnet, route table, security group or
/// association may take to show up (and be `available`) in Describe calls.
pub const CREATE_VISIBLE_WAIT: Duration = Duration::from_secs(120);
/// How often those waits poll.
pub const POLL_EVERY: Duration = Duration::from_secs(2);

/// EC2 accepts at most 200 values in one filter; bigger batches are split.
const FILTER_VALUES_PER_CALL: usize = 200;

// ------------------------------------------------------------------ tags --

/// The TagSpecification that puts `tags` on a resource as it is created, so
/// it is never visible untagged (and so always findable by `find`).
pub fn tag_specification(resource_type: ResourceType, tags: &BTreeMap<String, String>) -> TagSpecification {
    TagSpecification::builder().resource_type(resource_type).set_tags(Some(sdk_tags(tags))).build()
}

fn sdk_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}

/// EC2's tag list as a map (all of them, strata's identity tags included).
pub fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter().filter_map(|t| Some((t.key()?.to_owned(), t.value().unwrap_or_default().to_owned()))).collect()
}

/// Tags that are strata's or AWS's own bookkeeping, never the spec's.
fn is_managed_tag(key: &str) -> bool {
    key.starts_with("strata:") || key.starts_with("aws:")
}

/// The `Tags` property in the spec's shape, `[{Key, Value}]`, without
/// strata's identity tags (and AWS's reserved `aws:*` ones, which no spec can set).
pub fn tags_property(tags: &BTreeMap<String, String>) -> Value {
    Value::Array(tags.iter().filter(|(k, _)| !is_managed_tag(k)).map(|(k, v)| json!({"Key": k, "Value": v})).collect())
}

/// `tag:strata:stack`, `tag:strata:environment`, `tag:strata:logical-name`:
/// the Describe filters that find the resource this request describes.
pub fn identity_filters(tags: &StrataTags) -> Vec<Filter> {
    let mut filters = stack_filters(tags);
    filters.push(filter(&format!("tag:{LOGICAL_NAME_TAG}"), [tags.logical_name.as_str()]));
    filters
}

/// A Describe filter.
pub fn filter<'a>(name: &str, values: impl IntoIterator<Item = &'a str>) -> Filter {
    Filter::builder().name(name).set_values(Some(values.into_iter().map(str::to_owned).collect())).build()
}

/// Makes the resource's tags exactly `desired`: removes the ones no longer
/// wanted (except AWS's reserved `aws:*`), then adds or overwrites the rest.
pub async fn sync_tags(
    cx: &Cx,
    resource_id: &str,
    live: &BTreeMap<String, String>,
    desired: &BTreeMap<String, String>,
) -> Result<(), ProviderError> {
    let stale: Vec<Tag> = live
        .keys()
        .filter(|k| !desired.contains_key(*k) && !k.starts_with("aws:"))
        .map(|k| Tag::builder().key(k).build())
        .collect();
    if !stale.is_empty() {
        cx.clients
            .ec2()
            .delete_tags()
            .resources(resource_id)
            .set_tags(Some(stale))
            .send()
            .await
            .map_err(aws_error("ec2:DeleteTags"))?;
    }
    let changed: BTreeMap<String, String> =
        desired.iter().filter(|(k, v)| live.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
    if !changed.is_empty() {
        cx.clients
            .ec2()
            .create_tags()
            .resources(resource_id)
            .set_tags(Some(sdk_tags(&changed)))
            .send()
            .await
            .map_err(aws_error("ec2:CreateTags"))?;
    }
    Ok(())
}

// ------------------------------------------------------------ properties --

/// A string property, or None when absent; anything but a string is invalid.
pub fn str_prop(props: &Value, name: &str) -> Result<Option<String>, ProviderError> {
    match props.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ProviderError::invalid(name, format!("expected a string, got {other}"))),
    }
}

/// A required string property.
pub fn required_str(props: &Value, name: &str) -> Result<String, ProviderError> {
    str_prop(props, name)?.ok_or_else(|| ProviderError::invalid(name, "is required"))
}

/// A boolean property (`true`, or the strings `"true"` / `"false"` a
/// resolved reference may produce).
pub fn bool_prop(props: &Value, name: &str) -> Result<Option<bool>, ProviderError> {
    match props.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" => Ok(Some(false)),
        Some(other) => Err(ProviderError::invalid(name, format!("expected true or false, got {other}"))),
    }
}

/// An integer property that fits an i32 (EC2's integers), also from a
/// numeric string a resolved reference may produce.
pub fn int_prop(props: &Value, name: &str) -> Result<Option<i32>, ProviderError> {
    let Some(value) = props.get(name).filter(|v| !v.is_null()) else { return Ok(None) };
    let parsed = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    parsed
        .and_then(|n| i32::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| ProviderError::invalid(name, format!("expected an integer, got {value}")))
}

/// A list-of-strings property (absent = empty).
pub fn str_list_prop(props: &Value, name: &str) -> Result<Vec<String>, ProviderError> {
    match props.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ProviderError::invalid(name, format!("expected a list of strings, got item {i}")))
            })
            .collect(),
        Some(other) => Err(ProviderError::invalid(name, format!("expected a list of strings, got {other}"))),
    }
}

/// Orders `live` items like the recorded spec list (matched by `key`), then
/// the items the spec does not have, so a list whose members are equal is
/// never reported as changed only because AWS returns another order.
pub fn align<K: PartialEq>(
    mut live: Vec<Value>,
    recorded: Option<&Value>,
    key: impl Fn(&Value) -> Option<K>,
) -> Vec<Value> {
    let Some(recorded) = recorded.and_then(Value::as_array) else { return live };
    let mut ordered = Vec::with_capacity(live.len());
    for wanted in recorded.iter().filter_map(&key) {
        if let Some(pos) = live.iter().position(|item| key(item).as_ref() == Some(&wanted)) {
            ordered.push(live.remove(pos));
        }
    }
    ordered.extend(live);
    ordered
}

/// Applies `align` to the list property `name` of a live property object.
pub fn align_property<K: PartialEq>(
    properties: &mut Value,
    recorded: &Value,
    name: &str,
    key: impl Fn(&Value) -> Option<K>,
) {
    if let Some(slot) = properties.get_mut(name) {
        if let Value::Array(items) = slot.take() {
            *slot = Value::Array(align(items, recorded.get(name), key));
        }
    }
}

/// `Tags` and plain id lists align on their whole value / on `Key`.
pub fn tag_key(item: &Value) -> Option<String> {
    item.get("Key").and_then(Value::as_str).map(str::to_owned)
}

// ------------------------------------------------------------------ misc --

/// AWS answered successfully but without a field the contract needs.
pub fn missing(operation: &'static str, field: &str) -> ProviderError {
    ProviderError::Aws { operation, code: "MissingField".into(), message: format!("the answer has no {field}") }
}

/// The Applied (physical id + every attribute) of a live resource.
pub fn applied(physical_id: &str, live: &Live) -> Applied {
    Applied { physical_id: physical_id.to_owned(), attributes: live.attributes.clone() }
}

/// A resource that must exist (just created or updated) but is not there.
pub fn vanished(operation: &'static str, id: &str) -> ProviderError {
    ProviderError::Aws {
        operation,
        code: "NotFound".into(),
        message: format!("{id} is not there any more (deleted while strata was working on it?)"),
    }
}

/// Polls until the batched read sees `id` (EC2 is eventually consistent: a
/// Describe right after a Create may not know the new id yet), bounded.
pub async fn wait_visible<F, Fut>(what: &str, id: &str, read: F) -> Result<Live, ProviderError>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<BTreeMap<String, Live>, ProviderError>>,
{
    retry::wait_until(what, CREATE_VISIBLE_WAIT, POLL_EVERY, || {
        let read = read(id.to_owned());
        async move { Ok(read.await?.remove(id)) }
    })
    .await
}

/// Ids in chunks a single filter accepts.
pub fn chunks<'a>(ids: &'a [&'a str]) -> impl Iterator<Item = &'a [&'a str]> {
    ids.chunks(FILTER_VALUES_PER_CALL)
}

// ---------------------------------------------------------- batched reads --

/// The ids of a `read_many` request.
pub fn ids<'a>(items: &[(&'a str, &Value)]) -> Vec<&'a str> {
    items.iter().map(|(id, _)| *id).collect()
}

/// A batched describe's answers in the order `read_many` was asked, each
/// shaped against what state recorded (`shape`), None for the missing.
pub fn in_order(
    items: &[(&str, &Value)],
    mut found: BTreeMap<String, Live>,
    shape: impl Fn(&mut Live, &Value),
) -> Vec<Option<Live>> {
    items
        .iter()
        .map(|(id, recorded)| {
            found.remove(*id).map(|mut live| {
                shape(&mut live, recorded);
                live
            })
        })
        .collect()
}

/// Tags in the order state recorded them (a shape for [`in_order`]).
pub fn align_tags(live: &mut Live, recorded: &Value) {
    align_property(&mut live.properties, recorded, "Tags", tag_key);
}

/// Defines `async fn $name(cx, filters) -> Vec<$item>`: one EC2 Describe
/// with `filters`, every page. A macro because each Describe call has its own
/// builder and paginator types, with no trait in common to be generic over.
macro_rules! ec2_describe {
    ($(#[$doc:meta])* fn $name:ident = $operation:ident -> $item:ty, $label:literal) => {
        $(#[$doc])*
        pub async fn $name(
            cx: &crate::provider::Cx,
            filters: Vec<aws_sdk_ec2::types::Filter>,
        ) -> Result<Vec<$item>, crate::provider::ProviderError> {
            cx.clients
                .ec2()
                .$operation()
                .set_filters(Some(filters))
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(crate::provider::aws_error($label))
        }
    };
}
pub(crate) use ec2_describe;

/// The id a lookup by strata's identity tags settles on when a crash left
/// more than one candidate: the smallest, so every run picks the same one.
pub fn first_id<T>(items: &[T], id: impl Fn(&T) -> Option<&str>) -> Option<std::string::String> {
    items.iter().filter_map(id).min().map(str::to_owned)
}

/// `find_many` of an EC2 type, which strata finds by its identity tags:
/// `describe` answers a Describe with filters, `id` and `tags` read an item,
/// `adopt` turns the id a request settled on into what `find` returns.
///
/// Many creates (a new stack) are looked up with one Describe of everything
/// carrying this stack's and environment's tags, matched to each request by
/// its logical-name tag; a few (and a Describe that failed) with one
/// Describe each that also filters on the logical name. Either way, when a
/// crash left several candidates the smallest id is the one (`first_id`).
pub async fn find_tagged<T, D, DFut, A, AFut>(
    reqs: &[Request<'_>],
    describe: D,
    id: impl Fn(&T) -> Option<&str>,
    tags: impl Fn(&T) -> &[Tag],
    adopt: A,
) -> lookup::Found
where
    D: Fn(Vec<Filter>) -> DFut,
    DFut: std::future::Future<Output = Result<Vec<T>, ProviderError>>,
    A: Fn(String) -> AFut,
    AFut: std::future::Future<Output = Result<Option<Applied>, ProviderError>>,
{
    let one_stack = reqs
        .windows(2)
        .all(|w| w[0].tags.stack == w[1].tags.stack && w[0].tags.environment == w[1].tags.environment);
    let stack_wide = match reqs.first() {
        Some(first) if one_stack && reqs.len() >= lookup::BATCH_FROM => describe(stack_filters(first.tags)).await.ok(),
        _ => None,
    };
    let candidates: Vec<Result<Option<String>, ProviderError>> = match stack_wide {
        Some(items) => {
            let mut smallest: BTreeMap<&str, &str> = BTreeMap::new();
            for item in &items {
                let logical = tags(item).iter().find(|t| t.key() == Some(LOGICAL_NAME_TAG)).and_then(Tag::value);
                if let (Some(logical), Some(id)) = (logical, id(item)) {
                    let entry = smallest.entry(logical).or_insert(id);
                    *entry = (*entry).min(id);
                }
            }
            reqs.iter().map(|req| Ok(smallest.get(req.tags.logical_name.as_str()).map(|id| (*id).to_owned()))).collect()
        }
        None => {
            let (describe, id) = (&describe, &id);
            stream::iter(0..reqs.len())
                .map(|i| async move { describe(identity_filters(reqs[i].tags)).await.map(|items| first_id(&items, id)) })
                .buffered(lookup::PARALLEL_FINDS)
                .collect()
                .await
        }
    };
    let adopt = &adopt;
    stream::iter(candidates)
        .map(|candidate| async move {
            match candidate? {
                Some(id) => adopt(id).await,
                None => Ok(None),
            }
        })
        .buffered(lookup::PARALLEL_FINDS)
        .collect()
        .await
}

/// `tag:strata:stack` and `tag:strata:environment`: everything of a stack
/// in one environment.
fn stack_filters(tags: &StrataTags) -> Vec<Filter> {
    vec![
        filter(&format!("tag:{STACK_TAG}"), [tags.stack.as_str()]),
        filter(&format!("tag:{ENVIRONMENT_TAG}"), [tags.environment.as_str()]),
    ]
}

/// Runs a batched Describe once per chunk of ids a filter accepts (`describe`
/// gets the chunk) and keys what `live` makes of each answered item by its id;
/// the one loop behind every EC2 type's `read_many`.
pub async fn describe_chunked<T, I, F, Fut>(
    ids: &[&str],
    describe: F,
    mut live: impl FnMut(T) -> I,
) -> Result<BTreeMap<String, Live>, ProviderError>
where
    I: IntoIterator<Item = (String, Live)>,
    F: Fn(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, ProviderError>>,
{
    let mut out = BTreeMap::new();
    for chunk in chunks(ids) {
        for item in describe(chunk.iter().map(|id| (*id).to_owned()).collect()).await? {
            out.extend(live(item));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_property_hides_strata_and_aws_tags() {
        let tags = BTreeMap::from([
            ("Name".to_owned(), "x".to_owned()),
            ("strata:stack".to_owned(), "s".to_owned()),
            ("aws:cloudformation:stack-name".to_owned(), "c".to_owned()),
        ]);
        assert_eq!(tags_property(&tags), json!([{"Key": "Name", "Value": "x"}]));
    }

    #[test]
    fn align_follows_the_recorded_order_and_keeps_extras_last() {
        let live = vec![json!("c"), json!("a"), json!("b")];
        let recorded = json!(["b", "a"]);
        let key = |v: &Value| v.as_str().map(str::to_owned);
        assert_eq!(align(live, Some(&recorded), key), vec![json!("b"), json!("a"), json!("c")]);
    }

    #[test]
    fn typed_properties_reject_wrong_shapes() {
        let props = json!({"A": "x", "B": true, "C": 5, "D": "7", "E": ["p", "q"], "F": [1]});
        assert_eq!(str_prop(&props, "A").unwrap().as_deref(), Some("x"));
        assert!(str_prop(&props, "B").is_err());
        assert_eq!(bool_prop(&props, "B").unwrap(), Some(true));
        assert_eq!(int_prop(&props, "C").unwrap(), Some(5));
        assert_eq!(int_prop(&props, "D").unwrap(), Some(7));
        assert_eq!(str_list_prop(&props, "E").unwrap(), vec!["p", "q"]);
        assert!(str_list_prop(&props, "F").is_err());
        assert_eq!(str_prop(&props, "Z").unwrap(), None);
    }
}
