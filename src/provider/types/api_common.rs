//! Shared by the API Gateway (REST v1) providers.
//!
//! API Gateway changes everything through lists of JSON-Patch-like
//! operations (`replace /description`, `add /providerARNs`), addresses
//! sub-resources by the REST API id (so a resource's physical id alone is not
//! enough to find it), and tags by ARN. The helpers here keep those three
//! concerns in one place (tagging itself is `tagging`'s, through [`ApiGatewayTags`]), plus reading CloudFormation-shaped property values
//! with errors that name the property.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_apigateway::types::{Op, PatchOperation};
use serde_json::{Map, Value};

use crate::provider::types::tagging::{TagApi, Tags};
use crate::provider::{aws_error, Cx, NotFoundExt, ProviderError};

// ------------------------------------------------------------ properties --

pub use super::props::{opt_bool, opt_str, req_str};

/// An integer property that fits API Gateway's 32-bit integers. A string of
/// digits is accepted because a `${...}` inside text resolves to a string.
pub fn opt_i32(obj: &Value, name: &str) -> Result<Option<i32>, ProviderError> {
    let out_of_range = || ProviderError::invalid(name, "expected a whole number between -2147483648 and 2147483647");
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().and_then(|i| i32::try_from(i).ok()).map(Some).ok_or_else(out_of_range),
        Some(Value::String(s)) => s.trim().parse::<i32>().map(Some).map_err(|_| out_of_range()),
        Some(_) => Err(out_of_range()),
    }
}

/// A list of strings.
pub fn opt_str_list(obj: &Value, name: &str) -> Result<Option<Vec<String>>, ProviderError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ProviderError::invalid(name, format!("expected a list of strings, found {i}")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(ProviderError::invalid(name, format!("expected a list of strings, got {other}"))),
    }
}

/// A map from names to strings (stage variables, integration parameters).
pub fn opt_str_map(obj: &Value, name: &str) -> Result<Option<BTreeMap<String, String>>, ProviderError> {
    map_of(obj, name, "strings", |v| v.as_str().map(str::to_owned))
}

/// A map from names to booleans (method request parameters: required or not).
pub fn opt_bool_map(obj: &Value, name: &str) -> Result<Option<BTreeMap<String, bool>>, ProviderError> {
    map_of(obj, name, "booleans", |v| match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" || s == "false" => Some(s == "true"),
        _ => None,
    })
}

fn map_of<T>(
    obj: &Value,
    name: &str,
    what: &str,
    item: impl Fn(&Value) -> Option<T>,
) -> Result<Option<BTreeMap<String, T>>, ProviderError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(entries)) => entries
            .iter()
            .map(|(k, v)| {
                item(v)
                    .map(|t| (k.clone(), t))
                    .ok_or_else(|| ProviderError::invalid(format!("{name}.{k}"), format!("expected {what}, got {v}")))
            })
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map(Some),
        Some(other) => Err(ProviderError::invalid(name, format!("expected a map of {what}, got {other}"))),
    }
}

/// A `HashMap` for the SDK from an ordered map.
pub fn to_hash<V: Clone>(map: &BTreeMap<String, V>) -> HashMap<String, V> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The REST API a sub-resource belongs to, as state recorded it. Resources,
/// authorizers and deployments are addressed by (REST API id, own id), and
/// their physical id is only the latter (it is what `${X.ResourceId}` reads).
pub fn recorded_rest_api_id(recorded: &Value) -> Result<&str, ProviderError> {
    req_str(recorded, "RestApiId").map_err(|_| {
        ProviderError::invalid("RestApiId", "the recorded properties name no REST API; cannot address the resource")
    })
}

/// Splits `a|b|c` physical ids (methods, stages) into exactly `N` parts.
pub fn split_id<'a, const N: usize>(physical_id: &'a str, shape: &str) -> Result<[&'a str; N], ProviderError> {
    let parts: Vec<&str> = physical_id.split('|').collect();
    <[&str; N]>::try_from(parts)
        .ok()
        .filter(|p| p.iter().all(|s| !s.is_empty()))
        .ok_or_else(|| ProviderError::invalid("physical id", format!("`{physical_id}` is not of the form {shape}")))
}

// --------------------------------------------------------------- reading --

/// Builds the `read` object: only values AWS actually reported.
#[derive(Default)]
pub struct Obj(Map<String, Value>);

impl Obj {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn put(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    /// Puts a string unless it is missing or empty (AWS reports "" for unset).
    pub fn string(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            self.put(key, v);
        }
        self
    }

    pub fn opt(&mut self, key: &str, value: Option<impl Into<Value>>) -> &mut Self {
        if let Some(v) = value {
            self.put(key, v);
        }
        self
    }

    /// Puts a list unless it is missing or empty.
    pub fn list(&mut self, key: &str, value: Option<&[String]>) -> &mut Self {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            self.put(key, v.to_vec());
        }
        self
    }

    /// Puts a map (sorted, for stable output) unless it is missing or empty.
    pub fn map<V: Clone + Into<Value>>(&mut self, key: &str, value: Option<&HashMap<String, V>>) -> &mut Self {
        if let Some(m) = value.filter(|m| !m.is_empty()) {
            let sorted: Map<String, Value> =
                m.iter().collect::<BTreeMap<_, _>>().into_iter().map(|(k, v)| (k.clone(), v.clone().into())).collect();
            self.put(key, Value::Object(sorted));
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn build(&mut self) -> Value {
        Value::Object(std::mem::take(&mut self.0))
    }
}

// ------------------------------------------------------------- patching --

/// `replace path value`.
pub fn replace(path: impl Into<String>, value: impl Into<String>) -> PatchOperation {
    PatchOperation::builder().op(Op::Replace).path(path).value(value).build()
}

/// `add path [value]`.
pub fn add(path: impl Into<String>, value: Option<String>) -> PatchOperation {
    PatchOperation::builder().op(Op::Add).path(path).set_value(value).build()
}

/// `remove path [value]`.
pub fn remove(path: impl Into<String>, value: Option<String>) -> PatchOperation {
    PatchOperation::builder().op(Op::Remove).path(path).set_value(value).build()
}

/// Escapes one JSON-pointer segment: `application/json` -> `application~1json`.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// `replace` when a scalar property changed; `value_when_removed` is what
/// AWS takes for "unset" (usually "", sometimes the default).
pub fn replace_if_changed(
    ops: &mut Vec<PatchOperation>,
    path: &str,
    before: Option<String>,
    after: Option<String>,
    value_when_removed: &str,
) {
    if before != after {
        ops.push(replace(path, after.unwrap_or_else(|| value_when_removed.to_owned())));
    }
}

/// How a map entry is added: some maps take `add` for a new key, others
/// (stage variables) only `replace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKey {
    Add,
    Replace,
}

/// Patch operations turning map `before` into map `after` under `prefix`
/// (`/requestParameters`): one per added, changed or removed key.
pub fn map_ops(
    prefix: &str,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
    new_key: NewKey,
) -> Vec<PatchOperation> {
    let mut ops = Vec::new();
    for (k, v) in after {
        let path = format!("{prefix}/{}", escape(k));
        match before.get(k) {
            Some(old) if old == v => {}
            Some(_) => ops.push(replace(path, v.clone())),
            None if new_key == NewKey::Add => ops.push(add(path, Some(v.clone()))),
            None => ops.push(replace(path, v.clone())),
        }
    }
    for k in before.keys().filter(|k| !after.contains_key(*k)) {
        ops.push(remove(format!("{prefix}/{}", escape(k)), None));
    }
    ops
}

/// `add`/`remove` with the item as value, for sets addressed by one path
/// (`/providerARNs`, `/authorizationScopes`). Additions come first: some sets
/// may never be empty (an authorizer's provider ARNs).
pub fn set_ops(path: &str, before: &[String], after: &[String]) -> Vec<PatchOperation> {
    let added = after.iter().filter(|a| !before.contains(a)).map(|a| add(path, Some(a.clone())));
    let removed = before.iter().filter(|b| !after.contains(b)).map(|b| remove(path, Some(b.clone())));
    added.chain(removed).collect()
}

/// "true" / "false", as patch values carry booleans.
pub fn bool_text(b: bool) -> String {
    b.to_string()
}

// ----------------------------------------------------------------- tags --

/// The AWS partition of a region (ARNs differ in China and GovCloud).
fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// ARN of an API Gateway object by its path (`/restapis/ID/stages/NAME`).
pub fn arn(cx: &Cx, path: &str) -> String {
    format!("arn:{}:apigateway:{}::{path}", partition(&cx.region), cx.region)
}

/// API Gateway tags anything by its ARN (see [`arn`]), with a map.
pub struct ApiGatewayTags;

#[async_trait::async_trait]
impl TagApi for ApiGatewayTags {
    async fn tag(&self, cx: &Cx, arn: &str, tags: &Tags) -> Result<(), ProviderError> {
        let call = cx.clients.apigateway().tag_resource().resource_arn(arn);
        call.set_tags(Some(tags.clone().into_iter().collect()))
            .send()
            .await
            .map(drop)
            .map_err(aws_error("apigateway:TagResource"))
    }

    async fn untag(&self, cx: &Cx, arn: &str, keys: &[String]) -> Result<(), ProviderError> {
        let call = cx.clients.apigateway().untag_resource().resource_arn(arn).set_tag_keys(Some(keys.to_vec()));
        call.send().await.map(drop).map_err(aws_error("apigateway:UntagResource"))
    }
}

// ------------------------------------------------------------ not found --

/// `Ok(None)` for "it does not exist", the value otherwise (see `NotFoundExt`).
pub fn found<T>(result: Result<T, ProviderError>) -> Result<Option<T>, ProviderError> {
    result.found()
}

/// Success when it is already gone (see `NotFoundExt`).
pub fn gone_ok(result: Result<(), ProviderError>) -> Result<(), ProviderError> {
    result.gone_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shown(ops: &[PatchOperation]) -> Vec<String> {
        ops.iter()
            .map(|o| {
                format!(
                    "{} {} {}",
                    o.op().map(|x| x.as_str()).unwrap_or("?"),
                    o.path().unwrap_or("?"),
                    o.value().unwrap_or("-")
                )
            })
            .collect()
    }

    #[test]
    fn map_ops_add_replace_and_remove_by_key() {
        let before = BTreeMap::from([("a".to_owned(), "1".to_owned()), ("b".to_owned(), "2".to_owned())]);
        let after = BTreeMap::from([
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "3".to_owned()),
            ("c/d".to_owned(), "4".to_owned()),
        ]);
        assert_eq!(
            shown(&map_ops("/variables", &before, &after, NewKey::Replace)),
            ["replace /variables/b 3", "replace /variables/c~1d 4"]
        );
        assert_eq!(
            shown(&map_ops("/m", &after, &BTreeMap::new(), NewKey::Add)),
            ["remove /m/a -", "remove /m/b -", "remove /m/c~1d -"]
        );
        assert_eq!(shown(&map_ops("/m", &BTreeMap::new(), &before, NewKey::Add)), ["add /m/a 1", "add /m/b 2"]);
    }

    #[test]
    fn set_ops_add_before_remove() {
        let ops = set_ops("/providerARNs", &["old".into(), "kept".into()], &["kept".into(), "new".into()]);
        assert_eq!(shown(&ops), ["add /providerARNs new", "remove /providerARNs old"]);
    }

    #[test]
    fn ids_split_into_the_expected_parts() {
        assert_eq!(split_id::<3>("a|b|GET", "api|resource|METHOD").unwrap(), ["a", "b", "GET"]);
        assert!(split_id::<2>("a|b|c", "api|stage").is_err());
        assert!(split_id::<2>("a|", "api|stage").is_err());
    }

    #[test]
    fn properties_are_read_strictly() {
        let p = json!({"S": "x", "N": 300, "T": "42", "B": true, "L": ["a"], "M": {"k": "v"}, "Bad": [1]});
        assert_eq!(opt_str(&p, "S").unwrap(), Some("x"));
        assert_eq!(opt_i32(&p, "N").unwrap(), Some(300));
        assert_eq!(opt_i32(&p, "T").unwrap(), Some(42));
        assert_eq!(opt_bool(&p, "B").unwrap(), Some(true));
        assert_eq!(opt_str_list(&p, "L").unwrap(), Some(vec!["a".to_owned()]));
        assert_eq!(opt_str_map(&p, "M").unwrap().unwrap()["k"], "v");
        assert!(opt_str_list(&p, "Bad").is_err());
        assert!(opt_str(&p, "N").is_err());
        assert!(req_str(&p, "Missing").is_err());
    }
}
