//! Helpers shared by the data group's providers (KMS, Cognito, DynamoDB,
//! CloudWatch Logs, EventBridge Scheduler, CloudWatch alarms): typed access
//! to resolved properties with precise error paths, generated physical names, named bounded waits, the small
//! normalisations that keep `read` in the spec's own terms, and
//! (`cloudwatch_local`, `cbor`) the JSON 1.0 adapter that lets the SDK's
//! CloudWatch client talk to moto, which has no CBOR.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::provider::retry::{self, Backoff};
use crate::provider::{Cx, ProviderError, Request};

pub mod cbor;
pub mod cloudwatch_local;

/// A position inside a resource's resolved properties: a JSON value and its
/// path (`Policies.PasswordPolicy.MinimumLength`), so an unmappable value is
/// reported where it is.
#[derive(Debug, Clone)]
pub struct At<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> At<'a> {
    /// The top of a resource's properties.
    pub fn root(value: &'a Value) -> Self {
        At { value, path: String::new() }
    }

    pub fn value(&self) -> &'a Value {
        self.value
    }

    pub fn path_of(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    /// The value of `name`, treating JSON null as absent.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.value.get(name).filter(|v| !v.is_null())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    fn invalid(&self, name: &str, expected: &str) -> ProviderError {
        ProviderError::invalid(self.path_of(name), format!("expected {expected}"))
    }

    /// A string; numbers and booleans are refused (the schema said string).
    pub fn str(&self, name: &str) -> Result<Option<String>, ProviderError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.invalid(name, "a string")),
        }
    }

    pub fn req_str(&self, name: &str) -> Result<String, ProviderError> {
        self.str(name)?.ok_or_else(|| ProviderError::invalid(self.path_of(name), "is required"))
    }

    /// A boolean, or the strings `true` / `false` (a `${...}` reference
    /// resolves to a string).
    pub fn bool(&self, name: &str) -> Result<Option<bool>, ProviderError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s == "true" => Ok(Some(true)),
            Some(Value::String(s)) if s == "false" => Ok(Some(false)),
            Some(_) => Err(self.invalid(name, "true or false")),
        }
    }

    /// A whole number, or a string holding one.
    pub fn i64(&self, name: &str) -> Result<Option<i64>, ProviderError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| self.invalid(name, "a whole number")),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| self.invalid(name, "a whole number")),
            Some(_) => Err(self.invalid(name, "a whole number")),
        }
    }

    /// A whole number that fits AWS's 32-bit integer fields.
    pub fn i32(&self, name: &str) -> Result<Option<i32>, ProviderError> {
        match self.i64(name)? {
            None => Ok(None),
            Some(n) => i32::try_from(n).map(Some).map_err(|_| self.invalid(name, "a number that fits 32 bits")),
        }
    }

    /// A list of strings.
    pub fn strings(&self, name: &str) -> Result<Option<Vec<String>>, ProviderError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned).ok_or_else(|| self.invalid(name, "a list of strings")))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(self.invalid(name, "a list of strings")),
        }
    }

    /// A nested object.
    pub fn obj(&self, name: &str) -> Result<Option<At<'a>>, ProviderError> {
        match self.get(name) {
            None => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some(At { value: v, path: self.path_of(name) })),
            Some(_) => Err(self.invalid(name, "an object")),
        }
    }

    /// The items of a list (empty when absent).
    pub fn list(&self, name: &str) -> Result<Vec<At<'a>>, ProviderError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, v)| At { value: v, path: format!("{}[{i}]", self.path_of(name)) })
                .collect()),
            Some(_) => Err(self.invalid(name, "a list")),
        }
    }

    /// A map of strings to strings (Cognito's `UserPoolTags`).
    pub fn string_map(&self, name: &str) -> Result<BTreeMap<String, String>, ProviderError> {
        match self.get(name) {
            None => Ok(BTreeMap::new()),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| {
                    v.as_str().map(|s| (k.clone(), s.to_owned())).ok_or_else(|| self.invalid(name, "string values"))
                })
                .collect(),
            Some(_) => Err(self.invalid(name, "a map of strings")),
        }
    }
}

/// Maps an SDK builder's missing-field error to an invalid property.
pub fn built(property: &'static str) -> impl Fn(aws_smithy_types::error::operation::BuildError) -> ProviderError {
    move |err| ProviderError::invalid(property, err.to_string())
}

// ----------------------------------------------------------------- names --

/// The physical name of a resource whose name property is optional: the
/// given one, or `<stack>-<environment>-<logical name>` cut to `max_len`.
/// Deterministic, so `find` can look a crashed create up by name.
pub fn physical_name(req: &Request<'_>, property: &str, max_len: usize) -> Result<String, ProviderError> {
    if let Some(name) = At::root(req.properties).str(property)? {
        return Ok(name);
    }
    let generated = format!("{}-{}-{}", req.tags.stack, req.tags.environment, req.logical_name);
    Ok(generated.chars().take(max_len).collect())
}

// ----------------------------------------------------------------- waits --

/// A named, bounded wait for an asynchronous AWS change.
#[derive(Debug, Clone, Copy)]
pub struct Wait {
    /// What is awaited, completed with the resource's name in messages.
    pub what: &'static str,
    pub limit: Duration,
    pub every: Duration,
}

/// How often the local cloud is polled: moto answers final states at once.
const LOCAL_POLL: Duration = Duration::from_millis(100);

impl Wait {
    /// Polls `check` until it yields a value, within the limit.
    pub async fn until<T, F, Fut>(&self, cx: &Cx, name: &str, check: F) -> Result<T, ProviderError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>, ProviderError>>,
    {
        let every = if cx.local { LOCAL_POLL } else { self.every };
        retry::wait_until(&format!("{} ({name})", self.what), self.limit, every, check).await
    }
}

/// Retries `op` under `policy` while `retryable` says its error is only
/// "not yet", and returns any other error at once. For cases
/// `retry::with_retries` cannot use: KMS rejecting a principal IAM has not
/// propagated yet (a code `retry::classify` does not know), or a create
/// whose ConflictException / ResourceInUseException means "already exists"
/// (which `classify` would retry for minutes as a conflict). Waits are full
/// jitter, like `with_retries`.
pub async fn retry_while<T, F, Fut>(
    policy: Backoff,
    retryable: impl Fn(&ProviderError) -> bool,
    mut op: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let mut attempt = 0u32;
    let mut rng = fastrand::Rng::new();
    loop {
        match op().await {
            Err(err) if retryable(&err) && attempt + 1 < policy.attempts => {
                attempt += 1;
                let delay = policy.delay(attempt, &mut rng);
                tokio::time::sleep(delay).await;
            }
            other => return other,
        }
    }
}

/// True when `retry::classify` names the error IAM role propagation (a role
/// created moments ago that a service cannot assume yet).
pub fn is_role_propagation(err: &ProviderError) -> bool {
    retry::classify(err).is_some_and(|p| p.name == retry::IAM_ROLE_PROPAGATION.name)
}

// ------------------------------------------------------- read normalising --

/// Attributes from `(name, value)` pairs.
pub fn attributes<const N: usize>(pairs: [(&str, Value); N]) -> BTreeMap<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Copies write-only properties (AWS never reports them, e.g. a KMS key's
/// `PendingWindowInDays`) from what state recorded, so drift does not see
/// them vanish.
pub fn echo_recorded(props: &mut Map<String, Value>, recorded: &Value, names: &[&str]) {
    for name in names {
        if let Some(v) = recorded.get(*name).filter(|v| !v.is_null()) {
            props.entry((*name).to_owned()).or_insert_with(|| v.clone());
        }
    }
}

/// Orders live list items (`AttributeDefinitions`, indexes, ...) as the
/// recorded list had them, matching on `key`; AWS returns its own order,
/// which is not a change. Items state does not know come last, in AWS's order.
pub fn order_like(mut live: Vec<Value>, recorded: Option<&Value>, key: &str) -> Vec<Value> {
    let Some(Value::Array(rec)) = recorded else { return live };
    let position = |item: &Value| {
        let id = item.get(key);
        rec.iter().position(|r| r.get(key) == id).unwrap_or(usize::MAX)
    };
    live.sort_by_key(position);
    live
}

/// A KMS key reference as the spec wrote it when it names the same key as
/// the live value: AWS reports a key ARN where the spec may have used the key
/// id (or the other way round).
pub fn same_key_as_recorded(live: &str, recorded: Option<&str>) -> String {
    match recorded {
        Some(rec) if rec == live || live.ends_with(&format!("/{rec}")) || rec.ends_with(&format!("/{live}")) => {
            rec.to_owned()
        }
        _ => live.to_owned(),
    }
}

/// Parses an ISO 8601 / RFC 3339 instant (`2030-01-01T00:00:00Z`).
pub fn parse_timestamp(property: &str, text: &str) -> Result<aws_smithy_types::DateTime, ProviderError> {
    let ts: jiff::Timestamp = text.parse().map_err(|e: jiff::Error| {
        ProviderError::invalid(property, format!("`{text}` is not an RFC 3339 timestamp: {e}"))
    })?;
    Ok(aws_smithy_types::DateTime::from_secs_and_nanos(ts.as_second(), ts.subsec_nanosecond().unsigned_abs()))
}

/// An AWS timestamp in the spec's terms: the recorded text when it names the
/// same instant (so `2030-01-01T00:00:00Z` and `...00.000Z` are no change),
/// RFC 3339 otherwise.
pub fn timestamp_text(live: &aws_smithy_types::DateTime, recorded: Option<&str>) -> String {
    if let Some(rec) = recorded {
        if parse_timestamp("", rec).is_ok_and(|r| r == *live) {
            return rec.to_owned();
        }
    }
    jiff::Timestamp::new(live.secs(), live.subsec_nanos() as i32)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| live.secs().to_string())
}

/// A JSON document AWS returns as text (key policies, data protection
/// policies); text that is not JSON stays a string.
pub fn json_document(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// A whole-number JSON value for an AWS double that holds one (alarm
/// thresholds), otherwise the double.
pub fn number_from_f64(x: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if x.fract() == 0.0 && x.abs() < EXACT {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map(Value::Number).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_the_bad_value() {
        let v = json!({"Policies": {"PasswordPolicy": {"MinimumLength": "x"}}});
        let at = At::root(&v).obj("Policies").unwrap().unwrap().obj("PasswordPolicy").unwrap().unwrap();
        let err = at.i32("MinimumLength").unwrap_err().to_string();
        assert!(err.contains("Policies.PasswordPolicy.MinimumLength"), "{err}");
        assert_eq!(At::root(&json!({"N": "12"})).i32("N").unwrap(), Some(12));
        assert_eq!(At::root(&json!({"B": "true"})).bool("B").unwrap(), Some(true));
    }

    #[test]
    fn timestamps_keep_the_recorded_spelling() {
        let dt = parse_timestamp("StartDate", "2030-01-01T00:00:00Z").unwrap();
        assert_eq!(timestamp_text(&dt, Some("2030-01-01T00:00:00.000Z")), "2030-01-01T00:00:00.000Z");
        assert_eq!(timestamp_text(&dt, None), "2030-01-01T00:00:00Z");
        assert!(parse_timestamp("StartDate", "tomorrow").is_err());
    }

    #[test]
    fn lists_follow_the_recorded_order_and_numbers_stay_whole() {
        let live = vec![json!({"N": "b"}), json!({"N": "c"}), json!({"N": "a"})];
        let rec = json!([{"N": "a"}, {"N": "b"}]);
        let ordered = order_like(live, Some(&rec), "N");
        assert_eq!(ordered, vec![json!({"N": "a"}), json!({"N": "b"}), json!({"N": "c"})]);
        assert_eq!(number_from_f64(5.0), json!(5));
        assert_eq!(number_from_f64(0.5), json!(0.5));
        assert_eq!(same_key_as_recorded("arn:aws:kms:r:1:key/abc", Some("abc")), "abc");
        assert_eq!(same_key_as_recorded("abc", Some("arn:aws:kms:r:1:key/abc")), "arn:aws:kms:r:1:key/abc");
    }
}
