//! The lifecycle every provider test drives, in one place, so a new type's
//! test is its specs and its oracle: create -> an independent look with
//! boto3 -> read back -> update -> boto3 -> read back -> `find` adopts it by
//! strata's identity (and finds nothing for another identity) -> delete ->
//! boto3 sees it gone, `read` says gone, and a second delete succeeds.
//! Tests with more to say (local-cloud refusals, drift, a second variant)
//! call the steps one by one between their own checks.
#![allow(dead_code)] // each provider test module uses a part

use std::collections::BTreeMap;

use serde_json::{json, Value};
use strata::provider::registry;
use strata::provider::schema::ResourceSchema;
use strata::provider::{Applied, Cx, Request, ResourceProvider, StrataTags};

/// What boto3 says about the resource now (its assertions are the caller's):
/// given what `create` or `update` applied and the spec that should be live.
pub type Oracle<'a> = &'a dyn Fn(&Applied, &Value);

/// One resource of one type through its whole life.
pub struct Lifecycle<'a> {
    pub type_name: &'static str,
    pub logical_name: &'a str,
    pub tags: StrataTags,
    /// The spec it is created with, then the one it is updated to.
    pub create: Value,
    pub update: Value,
    /// Checks AWS's view after create and after update.
    pub oracle: Oracle<'a>,
    /// Whether boto3 sees the resource gone, after delete.
    pub gone: &'a dyn Fn(&Applied) -> bool,
    /// A spec (same tags) that must find nothing: another name, for the
    /// types found by name; None when another logical name is the test.
    pub stranger: Option<Value>,
}

impl Lifecycle<'_> {
    pub fn provider(&self) -> Typed {
        provider(self.type_name)
    }

    /// Creates it, checks the attributes, AWS's view and the read.
    pub async fn create(&self, cx: &Cx) -> Applied {
        let p = self.provider();
        let applied = p.create(cx, &request(self.logical_name, &self.create, &self.tags)).await.expect("create");
        assert_attributes(p, &applied);
        (self.oracle)(&applied, &self.create);
        assert_reads_back(cx, p, &applied, &self.create, &self.tags).await;
        applied
    }

    /// Updates it in place (same physical id and attributes), checks AWS's
    /// view and the read.
    pub async fn update(&self, cx: &Cx, applied: &Applied) {
        let p = self.provider();
        let req = request(self.logical_name, &self.update, &self.tags);
        let after = p.update(cx, &applied.physical_id, &self.create, &req).await.expect("update");
        assert_eq!(&after, applied, "{}: update keeps the resource", self.type_name);
        (self.oracle)(applied, &self.update);
        assert_reads_back(cx, p, applied, &self.update, &self.tags).await;
    }

    /// `find` adopts it; a stranger finds nothing.
    pub async fn find(&self, cx: &Cx, applied: &Applied) {
        let p = self.provider();
        let found = p.find(cx, &request(self.logical_name, &self.update, &self.tags)).await.expect("find");
        assert_eq!(found.as_ref(), Some(applied), "{}: find adopts it", self.type_name);
        let other_tags = StrataTags { logical_name: format!("{}Other", self.logical_name), ..self.tags.clone() };
        let (spec, tags) = match &self.stranger {
            Some(spec) => (spec, &self.tags),
            None => (&self.update, &other_tags),
        };
        let found = p.find(cx, &request(&tags.logical_name, spec, tags)).await.expect("find");
        assert_eq!(found, None, "{}: a stranger finds nothing", self.type_name);
    }

    /// Deletes it: gone for boto3 and for `read`; deleting again succeeds.
    pub async fn delete(&self, cx: &Cx, applied: &Applied) {
        let p = self.provider();
        p.delete(cx, &applied.physical_id, &self.update).await.expect("delete");
        assert!((self.gone)(applied), "{}: boto3 still sees {}", self.type_name, applied.physical_id);
        assert!(p.read(cx, &applied.physical_id, &self.update).await.expect("read").is_none());
        p.delete(cx, &applied.physical_id, &self.update).await.expect("second delete");
    }

    /// All four steps.
    pub async fn run(&self, cx: &Cx) -> Applied {
        let applied = self.create(cx).await;
        self.update(cx, &applied).await;
        self.find(cx, &applied).await;
        self.delete(cx, &applied).await;
        applied
    }
}

/// A type's provider with its schema (the registry pairs them; a provider
/// does not carry its schema). Derefs to the provider.
#[derive(Clone, Copy)]
pub struct Typed {
    pub schema: &'static ResourceSchema,
    provider: &'static dyn ResourceProvider,
}

impl std::ops::Deref for Typed {
    type Target = dyn ResourceProvider;

    fn deref(&self) -> &Self::Target {
        self.provider
    }
}

impl Typed {
    /// `schema()`, as the assertions below spell it.
    pub fn schema(&self) -> &'static ResourceSchema {
        self.schema
    }
}

pub fn provider(type_name: &str) -> Typed {
    Typed {
        schema: registry::lookup(type_name).expect("a schema for the type"),
        provider: registry::provider(type_name).expect("a provider for the type"),
    }
}

pub fn request<'a>(logical_name: &'a str, properties: &'a Value, tags: &'a StrataTags) -> Request<'a> {
    Request { logical_name, properties, tags }
}

/// Every attribute of the schema is present, and the id attribute is the physical id.
pub fn assert_attributes(p: Typed, applied: &Applied) {
    let schema = p.schema();
    for name in schema.attributes {
        assert!(applied.attributes.contains_key(*name), "{} lacks attribute {name}: {applied:?}", schema.type_name);
    }
    assert_eq!(applied.attributes[schema.id_attribute], json!(applied.physical_id), "{}", schema.type_name);
}

/// Reads the resource and checks that every property of `expected` is live
/// with the same value (the read may report more, also inside objects: AWS
/// defaults). `Tags` also hold the stack-wide tags (not strata's own).
pub async fn assert_reads_back(cx: &Cx, p: Typed, applied: &Applied, expected: &Value, tags: &StrataTags) {
    let live = p.read(cx, &applied.physical_id, expected).await.expect("read").expect("the resource exists");
    for (name, want) in expected.as_object().expect("properties object") {
        let got = live.properties.get(name);
        if name == "Tags" {
            let mut want_all = tags.stack_tags.clone();
            want_all.extend(tag_map(want));
            assert_eq!(tag_map(got.unwrap_or(&Value::Null)), want_all, "Tags of {}", p.schema().type_name);
            let got_keys: Vec<_> = tag_map(got.unwrap_or(&Value::Null)).into_keys().collect();
            assert!(got_keys.iter().all(|k| !k.starts_with("strata:")), "strata tags in Tags: {got_keys:?}");
            continue;
        }
        let got = got.unwrap_or_else(|| panic!("{name} of {} not read: {:#}", p.schema().type_name, live.properties));
        assert_subset(want, got, &format!("{}.{name}", p.schema().type_name));
    }
    assert_eq!(live.attributes, applied.attributes);
    if p.schema().taggable {
        assert_tagged(&live.tags, tags, &[]);
    }
}

/// `got` has everything `want` has: objects may hold more keys (what AWS
/// fills in that the spec left out), lists match item by item.
pub fn assert_subset(want: &Value, got: &Value, path: &str) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, v) in w {
                let Some(gv) = g.get(k) else { panic!("{path}.{k} missing in {got:#}") };
                assert_subset(v, gv, &format!("{path}.{k}"));
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            assert_eq!(w.len(), g.len(), "{path}: {got:#}");
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                assert_subset(wv, gv, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(got, want, "{path}"),
    }
}

/// strata's three identity tags, for oracle checks.
pub fn identity(tags: &StrataTags) -> BTreeMap<String, String> {
    tags.merged(&[]).into_iter().filter(|(k, _)| k.starts_with("strata:")).collect()
}

pub fn tag_map(list: &Value) -> BTreeMap<String, String> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let key = t.get("Key").or_else(|| t.get("TagKey")).and_then(Value::as_str).unwrap_or_default();
            let value = t.get("Value").or_else(|| t.get("TagValue")).and_then(Value::as_str).unwrap_or_default();
            (key.to_owned(), value.to_owned())
        })
        .collect()
}

/// Asserts `all` holds strata's identity tags and the `expected` ones.
pub fn assert_tagged(all: &BTreeMap<String, String>, tags: &StrataTags, expected: &[(&str, &str)]) {
    for (k, v) in identity(tags) {
        assert_eq!(all.get(&k), Some(&v), "identity tag {k} in {all:?}");
    }
    for (k, v) in expected {
        assert_eq!(all.get(*k).map(String::as_str), Some(*v), "tag {k} in {all:?}");
    }
}

/// What apply does with a resource an interrupted run left behind: find it,
/// read it, and update it from the live state to the spec.
pub async fn adopt(cx: &Cx, p: Typed, req: &Request<'_>) -> Applied {
    let found = p.find(cx, req).await.expect("find").expect("found");
    let live = p.read(cx, &found.physical_id, req.properties).await.expect("read").expect("exists");
    let applied = p.update(cx, &found.physical_id, &live.properties, req).await.expect("update from the live state");
    assert_eq!(applied.physical_id, found.physical_id);
    applied
}
