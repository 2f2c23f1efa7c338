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
use crate::provider::types::props;
use crate::provider::types::tagging::{self, TagApi, Tags};
use futures::stream::{self, StreamExt};

use crate::provider::{aws_error, lookup, retry, Applied, Cx, Live, ProviderError, Request, ResourceProvider, StrataTags};

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

/// EC2 tags anything by its id (CreateTags / DeleteTags), with `[{Key, Value}]`.
pub struct Ec2Tags;

#[async_trait::async_trait]
impl TagApi for Ec2Tags {
    async fn tag(&self, cx: &Cx, id: &str, tags: &Tags) -> Result<(), ProviderError> {
        let call = cx.clients.ec2().create_tags().resources(id).set_tags(Some(sdk_tags(tags)));
        call.send().await.map(drop).map_err(aws_error("ec2:CreateTags"))
    }

    async fn untag(&self, cx: &Cx, id: &str, keys: &[String]) -> Result<(), ProviderError> {
        let keys = keys.iter().map(|k| Tag::builder().key(k).build()).collect();
        let call = cx.clients.ec2().delete_tags().resources(id).set_tags(Some(keys));
        call.send().await.map(drop).map_err(aws_error("ec2:DeleteTags"))
    }
}

/// Makes the resource's tags exactly `desired` (see `tagging::converge`).
pub async fn sync_tags(cx: &Cx, id: &str, live: &Tags, desired: &Tags) -> Result<(), ProviderError> {
    tagging::converge(&Ec2Tags, cx, id, live, desired).await
}

// ------------------------------------------------------------ properties --

/// A string property, or None when absent; anything but a string is invalid.
pub fn str_prop(props: &Value, name: &str) -> Result<Option<String>, ProviderError> {
    Ok(props::opt_str(props, name)?.map(str::to_owned))
}

/// A required string property.
pub fn required_str(props: &Value, name: &str) -> Result<String, ProviderError> {
    props::req_str(props, name).map(str::to_owned)
}

pub use super::props::opt_bool as bool_prop;

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

/// Polls until `T`'s batched read sees `id` and returns it (EC2 is
/// eventually consistent: a Describe right after a Create may not know the
/// new id yet), bounded.
pub async fn wait_visible<T: Ec2Type>(cx: &Cx, what: &str, id: &str) -> Result<Live, ProviderError> {
    retry::wait_until(what, CREATE_VISIBLE_WAIT, POLL_EVERY, || read_one::<T>(cx, id)).await
}

/// Ids in chunks a single filter accepts.
pub fn chunks<'a>(ids: &'a [&'a str]) -> impl Iterator<Item = &'a [&'a str]> {
    ids.chunks(FILTER_VALUES_PER_CALL)
}

// ------------------------------------------------------------- provider --

/// What an EC2 network type supplies; its `ResourceProvider` follows from
/// it (the blanket impl below), so every EC2 type reads in batches, finds,
/// updates and deletes along the same path. `read` is `read_batch` with one
/// id, so refresh batches over many ids along the very path the tests cover.
#[async_trait::async_trait]
pub trait Ec2Type: Send + Sync + 'static {
    /// The Describe call behind `read_batch`, named in "vanished" errors
    /// (`ec2:DescribeVpcs`).
    const DESCRIBE: &'static str;

    /// Reads many by id, one Describe per chunk of ids (by filter, so an id
    /// that no longer exists is simply absent instead of failing the call).
    async fn read_batch(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<String, Live>, ProviderError>;

    /// Orders a live resource's lists like the recorded spec's (a shape for
    /// [`in_order`]): the tags, unless the type says more.
    fn align(live: &mut Live, recorded: &Value) {
        align_tags(live, recorded);
    }

    /// The resources `reqs` describe, if AWS has them (see
    /// `ResourceProvider::find_many`): [`find_tagged`] with the type's
    /// Describe. `find` is this with one request, so both match alike.
    async fn find_many(cx: &Cx, reqs: &[Request<'_>]) -> lookup::Found;

    async fn create(cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError>;

    /// Converges `live` (read just before) on `req`; the provider reads the
    /// result afterwards.
    async fn update(cx: &Cx, id: &str, before: &Value, live: &Live, req: &Request<'_>) -> Result<(), ProviderError>;

    /// The delete call; "not found" is success (the provider says so).
    async fn delete(cx: &Cx, id: &str) -> Result<(), ProviderError>;
}

#[async_trait::async_trait]
impl<T: Ec2Type> ResourceProvider for T {
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        lookup::only(T::find_many(cx, std::slice::from_ref(req)).await)
    }

    async fn find_many(&self, cx: &Cx, reqs: &[Request<'_>]) -> lookup::Found {
        T::find_many(cx, reqs).await
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        T::create(cx, req).await
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        Ok(self.read_many(cx, &[(physical_id, recorded)]).await?.pop().flatten())
    }

    /// One Describe call (per 200 ids) for all of them.
    async fn read_many(&self, cx: &Cx, items: &[(&str, &Value)]) -> Result<Vec<Option<Live>>, ProviderError> {
        let ids: Vec<&str> = items.iter().map(|(id, _)| *id).collect();
        Ok(in_order(items, T::read_batch(cx, &ids).await?, T::align))
    }

    fn reads_in_batches(&self) -> bool {
        true
    }

    /// Compares with what AWS has now (not with what state recorded), so a
    /// change made by hand is converged too.
    async fn update(&self, cx: &Cx, id: &str, before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let live = must_read::<T>(cx, id).await?;
        T::update(cx, id, before, &live, req).await?;
        read_applied::<T>(cx, id).await
    }

    async fn delete(&self, cx: &Cx, id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        match T::delete(cx, id).await {
            Err(err) if !err.is_not_found() => Err(err),
            _ => Ok(()),
        }
    }
}

/// `T`'s resource `id` as AWS has it now, or None.
pub async fn read_one<T: Ec2Type>(cx: &Cx, id: &str) -> Result<Option<Live>, ProviderError> {
    Ok(T::read_batch(cx, &[id]).await?.remove(id))
}

/// `T`'s resource `id`, which must exist (just created, or being updated).
pub async fn must_read<T: Ec2Type>(cx: &Cx, id: &str) -> Result<Live, ProviderError> {
    read_one::<T>(cx, id).await?.ok_or_else(|| vanished(T::DESCRIBE, id))
}

/// The `Applied` of `T`'s resource `id`, which must exist.
pub async fn read_applied<T: Ec2Type>(cx: &Cx, id: &str) -> Result<Applied, ProviderError> {
    Ok(applied(id, &must_read::<T>(cx, id).await?))
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

/// What `find` answers for the id a lookup settled on (see [`first_id`]).
pub async fn adopt<T: Ec2Type>(cx: &Cx, id: Option<String>) -> Result<Option<Applied>, ProviderError> {
    let Some(id) = id else { return Ok(None) };
    Ok(read_one::<T>(cx, &id).await?.map(|live| applied(&id, &live)))
}

// ---------------------------------------------------------- batched reads --

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
