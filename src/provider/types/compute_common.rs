//! Helpers shared by the compute types (IAM role, Lambda function and
//! permission): reading typed values out of the JSON properties, the names
//! strata generates, and the small conversions IAM
//! and Lambda need.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::provider::{Applied, ProviderError, StrataTags};

/// Longest IAM role name and Lambda function name.
pub const MAX_NAME_LEN: usize = 64;

pub use super::props::{opt_str, req_str};

/// `props[name]` as an i32 (AWS's integers here are all 32-bit); strings
/// holding an integer are accepted, since resolved references are strings.
pub fn opt_i32(props: &Value, name: &str) -> Result<Option<i32>, ProviderError> {
    let invalid = |v: &Value| ProviderError::invalid(name, format!("expected an integer, got {v}"));
    match props.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Number(n)) => {
            n.as_i64().and_then(|n| i32::try_from(n).ok()).map(Some).ok_or_else(|| invalid(v))
        }
        Some(v @ Value::String(s)) => s.trim().parse::<i32>().map(Some).map_err(|_| invalid(v)),
        Some(v) => Err(invalid(v)),
    }
}

/// `props[name]` as a boolean (or the strings "true"/"false").
pub fn opt_bool(props: &Value, name: &str) -> Result<Option<bool>, ProviderError> {
    match props.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" || s == "false" => Ok(Some(s == "true")),
        Some(v) => Err(ProviderError::invalid(name, format!("expected a boolean, got {v}"))),
    }
}

/// `props[name]` as a list of strings (absent: empty).
pub fn str_list(props: &Value, name: &str) -> Result<Vec<String>, ProviderError> {
    match props.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ProviderError::invalid(name, format!("expected strings, got {i}")))
            })
            .collect(),
        Some(v) => Err(ProviderError::invalid(name, format!("expected a list, got {v}"))),
    }
}

/// `props[name]` as a map of strings (absent: empty).
pub fn str_map(props: &Value, name: &str) -> Result<BTreeMap<String, String>, ProviderError> {
    match props.get(name) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    other => {
                        return Err(ProviderError::invalid(
                            format!("{name}.{k}"),
                            format!("expected a string, got {other}"),
                        ))
                    }
                };
                Ok((k.clone(), v))
            })
            .collect(),
        Some(v) => Err(ProviderError::invalid(name, format!("expected a map, got {v}"))),
    }
}

/// The name strata gives a resource whose name the spec leaves out:
/// `<stack>-<env>-<LogicalName>`, characters AWS does not allow replaced by
/// `-`, cut to [`MAX_NAME_LEN`]. Deterministic, so `find` can look it up
/// after a crash.
pub fn generated_name(tags: &StrataTags, allowed: impl Fn(char) -> bool) -> String {
    let raw = format!("{}-{}-{}", tags.stack, tags.environment, tags.logical_name);
    raw.chars().map(|c| if allowed(c) { c } else { '-' }).take(MAX_NAME_LEN).collect()
}

/// Orders `items` (identified by `key`) like `recorded`: first those the
/// recorded list names, in its order, then the rest in AWS's order. AWS
/// lists policies alphabetically, the spec in any order; without this a
/// mere ordering would look like drift.
pub fn order_like<T>(items: Vec<T>, recorded: &[String], key: impl Fn(&T) -> &str) -> Vec<T> {
    let mut rest = items;
    let mut out = Vec::with_capacity(rest.len());
    for name in recorded {
        if let Some(pos) = rest.iter().position(|i| key(i) == name) {
            out.push(rest.remove(pos));
        }
    }
    out.extend(rest);
    out
}

/// IAM returns policy documents URL-encoded (RFC 3986); the SDK passes them
/// on as they came. Decodes `%XX` (and `+` is left alone: IAM encodes spaces
/// as `%20`).
pub fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = hex_byte(bytes[i + 1], bytes[i + 2]) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_byte(hi: u8, lo: u8) -> Option<u8> {
    let digit = |c: u8| (c as char).to_digit(16);
    Some((digit(hi)? * 16 + digit(lo)?) as u8)
}

/// A policy document as IAM returned it (URL-encoded or not) as JSON.
pub fn policy_json(document: &str, what: &str) -> Result<Value, ProviderError> {
    let text = if document.trim_start().starts_with('{') { document.to_owned() } else { url_decode(document) };
    serde_json::from_str(&text)
        .map_err(|e| ProviderError::invalid(what, format!("AWS returned a policy that is not JSON: {e}")))
}

/// A policy document property as the JSON text IAM takes (a string value is
/// taken as already being JSON text).
pub fn policy_text(props: &Value, name: &str) -> Result<String, ProviderError> {
    match props.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v @ Value::Object(_)) => Ok(v.to_string()),
        Some(v) => Err(ProviderError::invalid(name, format!("expected a policy document, got {v}"))),
        None => Err(ProviderError::invalid(name, "is required")),
    }
}

/// A policy document property as JSON (so text and object forms compare).
pub fn policy_value(doc: &Value) -> Value {
    match doc {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| doc.clone()),
        other => other.clone(),
    }
}

/// `Applied` with string attributes.
pub fn applied(physical_id: &str, attributes: &[(&str, &str)]) -> Applied {
    Applied {
        physical_id: physical_id.to_owned(),
        attributes: attributes.iter().map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned()))).collect(),
    }
}

/// Inserts `value` under `key` unless it is None.
pub fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v);
    }
}

/// Keys that differ between two property objects (absent counts as null).
pub fn changed_keys<'a>(before: &Value, after: &Value, keys: &[&'a str]) -> BTreeSet<&'a str> {
    keys.iter()
        .copied()
        .filter(|k| before.get(*k).unwrap_or(&Value::Null) != after.get(*k).unwrap_or(&Value::Null))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tags() -> StrataTags {
        StrataTags {
            stack: "acme".into(),
            environment: "dev".into(),
            logical_name: "OrderRole".into(),
            stack_tags: BTreeMap::new(),
        }
    }

    #[test]
    fn generated_names_are_cut_and_cleaned() {
        assert_eq!(generated_name(&tags(), |c| c.is_ascii_alphanumeric() || c == '-'), "acme-dev-OrderRole");
        let mut long = tags();
        long.logical_name = "L".repeat(80);
        assert_eq!(generated_name(&long, |_| true).len(), MAX_NAME_LEN);
        long.logical_name = "a.b".into();
        assert_eq!(generated_name(&long, |c| c != '.'), "acme-dev-a-b");
    }

    #[test]
    fn url_decoding_of_iam_documents() {
        assert_eq!(url_decode("%7B%22a%22%3A%20%22b%22%7D"), r#"{"a": "b"}"#);
        assert_eq!(url_decode("100%"), "100%");
        assert_eq!(url_decode("%zz"), "%zz");
        assert_eq!(policy_json("%7B%7D", "x").unwrap(), json!({}));
        assert_eq!(policy_json(r#"{"Version":"2012-10-17"}"#, "x").unwrap(), json!({"Version": "2012-10-17"}));
    }

    #[test]
    fn ordering_follows_the_recorded_names() {
        let ordered = order_like(vec!["a", "b", "c"], &["c".to_owned(), "a".to_owned()], |s| s);
        assert_eq!(ordered, vec!["c", "a", "b"]);
    }

    #[test]
    fn integers_accept_numbers_and_numeric_strings() {
        let props = json!({"A": 5, "B": "7", "C": "x", "D": 1.5});
        assert_eq!(opt_i32(&props, "A").unwrap(), Some(5));
        assert_eq!(opt_i32(&props, "B").unwrap(), Some(7));
        assert!(opt_i32(&props, "C").is_err());
        assert!(opt_i32(&props, "D").is_err());
        assert_eq!(opt_i32(&props, "E").unwrap(), None);
    }
}
