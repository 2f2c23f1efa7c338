//! Compares what strata applied with what AWS reports, both in the spec's
//! terms. Pure: no I/O.
//!
//! Only what the spec set is compared: AWS reports defaults for much the spec
//! leaves out (a Lambda's memory size, an integration's timeout), and those
//! are not drift. Inside a reported object every key counts, so a variable
//! added to a Lambda's environment by hand shows. Lists compare as a whole,
//! order aside, so a rule or statement added by hand shows too.
//!
//! A top-level property state recorded but the live read omits is drift
//! ("removed", with the expected value) when the provider's reader is
//! complete ([`crate::provider::ResourceProvider::absent_means_removed`]):
//! readers omit a property once AWS holds nothing for it (a Lambda taken out
//! of its VPC, a log group's KMS key or retention cleared), and those are the
//! changes drift exists to catch. For readers not yet audited as complete an
//! omitted property is skipped as before, since it may be one the reader
//! cannot see at all (write-only), and reporting it would make every plan
//! "restore" it, or replace the resource for a createOnly one.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::PropertyDrift;
use crate::provider::schema::{ResourceSchema, ValueType};
use crate::provider::Live;
use crate::state::ResourceState;

const TAGS: &str = "Tags";

/// Whether a top-level property the live read omits counts as removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    /// The reader reports everything AWS holds: an omitted property is gone.
    Removed,
    /// The reader may not see every property: an omitted one is skipped.
    Skipped,
}

/// The properties of `recorded` that differ in `live`. `stack_tags` are the
/// spec's stack-wide tags, which every taggable resource carries as well;
/// `absent` says what a property missing from `live` means.
pub fn compare(
    recorded: &ResourceState,
    live: &Live,
    schema: Option<&ResourceSchema>,
    stack_tags: &BTreeMap<String, String>,
    absent: Absent,
) -> Vec<PropertyDrift> {
    let mut out = Vec::new();
    if let (Some(expected), Some(actual)) = (recorded.properties.as_object(), live.properties.as_object()) {
        for (key, want) in expected {
            if key == TAGS {
                continue;
            }
            match actual.get(key) {
                Some(have) => {
                    let ty = schema.and_then(|s| s.property(key)).map(|p| &p.ty);
                    compare_values(key, Some(want), Some(have), ty, &mut out);
                }
                // AWS never returns a write-only property (its schema's
                // `writeOnlyProperties`), so its absence says nothing.
                None if absent == Absent::Removed && !is_empty_form(want) && !write_only(schema, key) => {
                    out.push(PropertyDrift { path: key.clone(), expected: Some(want.clone()), actual: None });
                }
                None => {}
            }
        }
    }
    if schema.is_some_and(|s| s.taggable) {
        let expected = expected_tags(&recorded.properties, stack_tags);
        let actual: BTreeMap<String, String> =
            live.tags.iter().filter(|(k, _)| !k.starts_with("strata:")).map(|(k, v)| (k.clone(), v.clone())).collect();
        if expected != actual {
            out.push(PropertyDrift {
                path: TAGS.to_owned(),
                expected: Some(tag_object(&expected)),
                actual: Some(tag_object(&actual)),
            });
        }
    }
    out
}

/// Whether AWS's schema marks top-level `key` of the type write-only.
fn write_only(schema: Option<&ResourceSchema>, key: &str) -> bool {
    schema
        .and_then(|s| crate::provider::aws_schema::for_type(s.type_name))
        .is_some_and(|aws| aws.write_only().contains(&key))
}

/// Empty values readers leave out because AWS answers nothing for them (an
/// empty layer list, an empty description): recorded so, absent live is the
/// same thing.
fn is_empty_form(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_empty_form),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// The spec's own tags over the stack-wide ones.
fn expected_tags(properties: &Value, stack_tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut tags = stack_tags.clone();
    tags.extend(crate::provider::StrataTags::from_property(properties));
    tags
}

fn tag_object(tags: &BTreeMap<String, String>) -> Value {
    Value::Object(tags.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
}

/// `ty` is the schema's type of the value where known: inside an object of
/// fixed keys, keys only AWS reports are its extras, not drift; inside a
/// free-form map (environment variables) every key counts.
fn compare_values(
    path: &str,
    expected: Option<&Value>,
    actual: Option<&Value>,
    ty: Option<&ValueType>,
    out: &mut Vec<PropertyDrift>,
) {
    match (expected, actual) {
        (Some(Value::Object(e)), Some(Value::Object(a))) if descendable(e) && descendable(a) => {
            let mut keys: Vec<&String> = e.keys().collect();
            if !matches!(ty, Some(ValueType::Object(_))) {
                keys.extend(a.keys().filter(|k| !e.contains_key(*k)));
            }
            for k in keys {
                let child = match ty {
                    Some(ValueType::Object(props)) => props.iter().find(|p| p.name == k.as_str()).map(|p| &p.ty),
                    Some(ValueType::Map(inner)) => Some(*inner),
                    _ => None,
                };
                compare_values(&format!("{path}.{k}"), e.get(k), a.get(k), child, out);
            }
        }
        (e, a) => {
            let same = match (e, a) {
                (Some(e), Some(a)) => equivalent_as(e, a, ty),
                (None, None) => true,
                _ => false,
            };
            if !same {
                out.push(PropertyDrift { path: path.to_owned(), expected: e.cloned(), actual: a.cloned() });
            }
        }
    }
}

/// Objects whose keys hold dots are compared whole, so a dotted path always
/// names one place.
fn descendable(m: &Map<String, Value>) -> bool {
    !m.keys().any(|k| k.contains('.'))
}

/// [`equivalent`], except that inside objects of fixed keys (a stage's
/// method settings) only the keys the spec set count: AWS fills in the rest.
fn equivalent_as(e: &Value, a: &Value, ty: Option<&ValueType>) -> bool {
    match (ty, e, a) {
        (Some(ValueType::Object(props)), Value::Object(x), Value::Object(y)) => x.iter().all(|(k, v)| {
            let child = props.iter().find(|p| p.name == k.as_str()).map(|p| &p.ty);
            y.get(k).is_some_and(|w| equivalent_as(v, w, child))
        }),
        (Some(ValueType::List(inner)), Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return false;
            }
            let mut unmatched: Vec<&Value> = y.iter().collect();
            x.iter().all(|item| match unmatched.iter().position(|other| equivalent_as(item, other, Some(inner))) {
                Some(i) => {
                    unmatched.swap_remove(i);
                    true
                }
                None => false,
            })
        }
        _ => equivalent(e, a),
    }
}

/// Equal, with lists as multisets and numbers and booleans equal to their
/// string forms (some APIs answer `"30"` for 30).
pub fn equivalent(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return false;
            }
            let mut unmatched: Vec<&Value> = y.iter().collect();
            x.iter().all(|item| match unmatched.iter().position(|other| equivalent(item, other)) {
                Some(i) => {
                    unmatched.swap_remove(i);
                    true
                }
                None => false,
            })
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equivalent(v, w)))
        }
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(s), Value::Number(n)) | (Value::Number(n), Value::String(s)) => {
            s.parse::<f64>().ok() == n.as_f64()
        }
        (Value::String(s), Value::Bool(b)) | (Value::Bool(b), Value::String(s)) => s == &b.to_string(),
        _ => a == b,
    }
}

/// `properties` with the live values of `drifts` in place of the applied
/// ones: the state a plan diffs against after a refresh, and what
/// `--refresh-only` records.
pub fn with_live_values(properties: &Value, drifts: &[PropertyDrift], stack_tags: &BTreeMap<String, String>) -> Value {
    let mut out = properties.clone();
    for d in drifts {
        if d.path == TAGS {
            set_tags(&mut out, d.actual.as_ref(), stack_tags);
            continue;
        }
        let segments: Vec<&str> = d.path.split('.').collect();
        set_path(&mut out, &segments, d.actual.clone());
    }
    out
}

/// The resource's own tags as AWS has them: all but the stack-wide tags
/// that still carry the stack's value.
fn set_tags(properties: &mut Value, actual: Option<&Value>, stack_tags: &BTreeMap<String, String>) {
    let Some(obj) = properties.as_object_mut() else { return };
    let own: Vec<Value> = actual
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(k, v)| stack_tags.get(*k).map(String::as_str) != v.as_str())
        .map(|(k, v)| serde_json::json!({"Key": k, "Value": v}))
        .collect();
    if own.is_empty() {
        obj.remove(TAGS);
    } else {
        obj.insert(TAGS.to_owned(), Value::Array(own));
    }
}

fn set_path(value: &mut Value, segments: &[&str], new: Option<Value>) {
    let Some((first, rest)) = segments.split_first() else { return };
    let Some(obj) = value.as_object_mut() else { return };
    if rest.is_empty() {
        match new {
            Some(v) => obj.insert((*first).to_owned(), v),
            None => obj.remove(*first),
        };
        return;
    }
    let child = obj.entry((*first).to_owned()).or_insert_with(|| Value::Object(Map::new()));
    set_path(child, rest, new);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn recorded(properties: Value) -> ResourceState {
        ResourceState {
            type_name: "AWS::Test::Thing".into(),
            physical_id: "id-1".into(),
            properties,
            attributes: BTreeMap::new(),
            dependencies: vec![],
            prevent_destroy: false,
        }
    }

    fn live(properties: Value, tags: &[(&str, &str)]) -> Live {
        Live {
            properties,
            attributes: BTreeMap::new(),
            tags: tags.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        }
    }

    #[test]
    fn defaults_aws_adds_and_write_only_properties_are_not_drift() {
        let rec = recorded(json!({"Runtime": "provided.al2023", "Code": {"Crate": "lambdas/x"}}));
        let l = live(json!({"Runtime": "provided.al2023", "MemorySize": 128}), &[]);
        assert_eq!(compare(&rec, &l, None, &BTreeMap::new(), Absent::Skipped), vec![]);
        // A key AWS adds inside an object of fixed keys is not drift either.
        let code = recorded(json!({"Code": {"ZipFile": "x"}}));
        let l = live(json!({"Code": {"ZipFile": "x", "CodeSha256": "abc"}}), &[]);
        let schema = crate::provider::registry::lookup("AWS::Lambda::Function");
        assert_eq!(compare(&code, &l, schema, &BTreeMap::new(), Absent::Skipped), vec![]);
    }

    #[test]
    fn a_changed_value_and_an_added_variable_are_drift() {
        let rec = recorded(json!({"MemorySize": 256, "Environment": {"Variables": {"A": "1"}}}));
        let l = live(json!({"MemorySize": 512, "Environment": {"Variables": {"A": "1", "B": "2"}}}), &[]);
        let schema = crate::provider::registry::lookup("AWS::Lambda::Function");
        let d = compare(&rec, &l, schema, &BTreeMap::new(), Absent::Skipped);
        assert_eq!(d.len(), 2, "{d:#?}");
        assert_eq!(
            d[0],
            PropertyDrift { path: "MemorySize".into(), expected: Some(json!(256)), actual: Some(json!(512)) }
        );
        assert_eq!(d[1].path, "Environment.Variables.B");
        assert_eq!(d[1].expected, None);
    }

    #[test]
    fn an_added_rule_is_drift_but_order_is_not() {
        let a = json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/16"});
        let b = json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"});
        let rec = recorded(json!({"SecurityGroupIngress": [a.clone(), b.clone()]}));
        assert_eq!(
            compare(
                &rec,
                &live(json!({"SecurityGroupIngress": [b.clone(), a.clone()]}), &[]),
                None,
                &BTreeMap::new(),
                Absent::Skipped
            ),
            vec![]
        );
        let extra = json!({"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"});
        let d = compare(
            &rec,
            &live(json!({"SecurityGroupIngress": [a, b, extra]}), &[]),
            None,
            &BTreeMap::new(),
            Absent::Skipped,
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "SecurityGroupIngress");
    }

    #[test]
    fn tags_count_stack_tags_and_ignore_strata_tags() {
        let stack: BTreeMap<String, String> = [("team".to_owned(), "acme".to_owned())].into();
        let rec = recorded(json!({"Tags": [{"Key": "tier", "Value": "data"}]}));
        let ok = live(json!({}), &[("team", "acme"), ("tier", "data"), ("strata:stack", "s")]);
        let table = crate::provider::registry::lookup("AWS::DynamoDB::Table");
        assert_eq!(compare(&rec, &ok, table, &stack, Absent::Skipped), vec![]);
        let added = live(json!({}), &[("team", "acme"), ("tier", "data"), ("owner", "bob")]);
        let d = compare(&rec, &added, table, &stack, Absent::Skipped);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].actual, Some(json!({"team": "acme", "tier": "data", "owner": "bob"})));
        // The refreshed properties carry the hand-added tag, not the stack tag.
        let refreshed = with_live_values(&rec.properties, &d, &stack);
        assert!(equivalent(
            &refreshed["Tags"],
            &json!([{"Key": "owner", "Value": "bob"}, {"Key": "tier", "Value": "data"}])
        ));
    }

    #[test]
    fn live_values_replace_the_applied_ones_at_their_paths() {
        let props = json!({"MemorySize": 256, "Environment": {"Variables": {"A": "1"}}});
        let drifts = vec![
            PropertyDrift { path: "MemorySize".into(), expected: Some(json!(256)), actual: Some(json!(512)) },
            PropertyDrift { path: "Environment.Variables.A".into(), expected: Some(json!("1")), actual: None },
        ];
        assert_eq!(
            with_live_values(&props, &drifts, &BTreeMap::new()),
            json!({"MemorySize": 512, "Environment": {"Variables": {}}})
        );
    }

    #[test]
    fn defaults_inside_listed_objects_are_not_drift() {
        let stage = crate::provider::registry::lookup("AWS::ApiGateway::Stage");
        let setting = json!({"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": 100});
        let rec = recorded(json!({"MethodSettings": [setting]}));
        let filled =
            json!({"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": 100, "CachingEnabled": false});
        assert_eq!(
            compare(&rec, &live(json!({"MethodSettings": [filled]}), &[]), stage, &BTreeMap::new(), Absent::Skipped),
            vec![]
        );
        let changed =
            json!({"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": 5, "CachingEnabled": false});
        assert_eq!(
            compare(&rec, &live(json!({"MethodSettings": [changed]}), &[]), stage, &BTreeMap::new(), Absent::Skipped)
                .len(),
            1
        );
    }

    #[test]
    fn a_property_the_live_read_omits_is_removed_with_its_expected_value() {
        let vpc = json!({"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]});
        let rec = recorded(json!({"MemorySize": 256, "VpcConfig": vpc, "KmsKeyArn": "arn:aws:kms:k"}));
        // The Lambda was taken out of its VPC and its key cleared: the reader omits both.
        let l = live(json!({"MemorySize": 256}), &[]);
        let schema = crate::provider::registry::lookup("AWS::Lambda::Function");
        let mut d = compare(&rec, &l, schema, &BTreeMap::new(), Absent::Removed);
        d.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(
            d,
            vec![
                PropertyDrift { path: "KmsKeyArn".into(), expected: Some(json!("arn:aws:kms:k")), actual: None },
                PropertyDrift { path: "VpcConfig".into(), expected: Some(vpc), actual: None },
            ]
        );
        // A reader not audited as complete: an omitted property may be one it cannot see.
        assert_eq!(compare(&rec, &l, schema, &BTreeMap::new(), Absent::Skipped), vec![]);
    }

    #[test]
    fn a_write_only_property_absent_live_is_not_drift() {
        // AWS never returns a key's PendingWindowInDays (writeOnlyProperties).
        let rec = recorded(json!({"PendingWindowInDays": 30, "Description": "k"}));
        let schema = crate::provider::registry::lookup("AWS::KMS::Key");
        let d = compare(&rec, &live(json!({}), &[]), schema, &BTreeMap::new(), Absent::Removed);
        assert_eq!(d, vec![PropertyDrift { path: "Description".into(), expected: Some(json!("k")), actual: None }]);
    }

    #[test]
    fn recorded_empty_forms_absent_live_are_not_drift() {
        let rec = recorded(json!({"Layers": [], "Description": "", "Environment": {"Variables": {}}, "Timeout": 3}));
        let l = live(json!({"Timeout": 3}), &[]);
        assert_eq!(compare(&rec, &l, None, &BTreeMap::new(), Absent::Removed), vec![]);
        // A zero or false is a value, not an empty form.
        let rec = recorded(json!({"ReservedConcurrentExecutions": 0}));
        assert_eq!(compare(&rec, &l, None, &BTreeMap::new(), Absent::Removed).len(), 1);
    }

    #[test]
    fn a_removed_property_leaves_the_refreshed_properties() {
        let props = json!({"LogGroupName": "/x", "RetentionInDays": 30});
        let drifts = vec![PropertyDrift { path: "RetentionInDays".into(), expected: Some(json!(30)), actual: None }];
        assert_eq!(with_live_values(&props, &drifts, &BTreeMap::new()), json!({"LogGroupName": "/x"}));
    }

    #[test]
    fn string_forms_of_numbers_are_equal() {
        assert!(equivalent(&json!("30"), &json!(30)));
        assert!(equivalent(&json!("true"), &json!(true)));
        assert!(!equivalent(&json!("31"), &json!(30)));
    }
}
