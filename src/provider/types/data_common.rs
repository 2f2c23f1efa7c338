//! Helpers shared by the data group's providers (KMS, Cognito, DynamoDB,
//! CloudWatch Logs, EventBridge Scheduler, CloudWatch alarms): typed access
//! to resolved properties with precise error paths, spec-shaped tags and tag
//! reconciliation, generated physical names, named bounded waits, the small
//! normalisations that keep `read` in the spec's own terms, and
//! (`cloudwatch_local`, `cbor`) the JSON 1.0 adapter that lets the SDK's
//! CloudWatch client talk to moto, which has no CBOR.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::provider::retry::{self, Backoff};
use crate::provider::{Cx, ProviderError, Request};

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

// ------------------------------------------------------------------ tags --

/// strata's identity tags (`strata:stack`, ...): never part of a spec's `Tags`.
pub fn is_strata_tag(key: &str) -> bool {
    key.starts_with("strata:")
}

/// `Tags: [{Key, Value}]` as the spec writes it: every live tag but strata's
/// own (stack-wide tags included: read cannot tell them from the resource's),
/// in the recorded `Tags` order, or None when nothing is left.
pub fn spec_tag_list(all: &BTreeMap<String, String>, recorded: &Value) -> Option<Value> {
    let items: Vec<Value> = all
        .iter()
        .filter(|(k, _)| !is_strata_tag(k))
        .map(|(k, v)| serde_json::json!({ "Key": k, "Value": v }))
        .collect();
    (!items.is_empty()).then(|| Value::Array(order_like(items, recorded.get("Tags"), "Key")))
}

/// A string map of tags (Cognito's `UserPoolTags`) without strata's own.
pub fn spec_tag_map(all: &BTreeMap<String, String>) -> Option<Value> {
    let map: Map<String, Value> =
        all.iter().filter(|(k, _)| !is_strata_tag(k)).map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    (!map.is_empty()).then_some(Value::Object(map))
}

/// What to tag and untag to go from the live tags to the desired ones.
/// strata is authoritative for a resource's tags, except AWS's reserved
/// `aws:` tags, which cannot be removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TagChanges {
    pub set: BTreeMap<String, String>,
    pub remove: Vec<String>,
}

impl TagChanges {
    pub fn between(live: &BTreeMap<String, String>, desired: &BTreeMap<String, String>) -> Self {
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
    pub fn changed_keys(&self, live: &BTreeMap<String, String>) -> Vec<String> {
        self.set.keys().filter(|k| live.contains_key(*k)).cloned().collect()
    }
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

/// CloudWatch on the local cloud. The Rust SDK speaks CloudWatch's newer
/// Smithy RPC v2 CBOR protocol only; moto 5.2.5 answers CloudWatch in its
/// Query and JSON 1.0 protocols only (getmoto/moto#9195: no CBOR planned).
/// On the local cloud the CloudWatch client therefore carries an interceptor
/// that re-encodes each request as JSON 1.0 (same operation, same members)
/// just before it is sent, and moto's JSON answer back to CBOR before the
/// SDK's deserializer reads it. Only the wire format changes: every call
/// reaches moto and its answer is moto's. Real AWS is never affected.
pub mod cloudwatch_local {
    use aws_smithy_runtime_api::box_error::BoxError;
    use aws_smithy_runtime_api::client::interceptors::context::{
        BeforeTransmitInterceptorContextMut, FinalizerInterceptorContextMut,
    };
    use aws_smithy_runtime_api::client::interceptors::Intercept;
    use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
    use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
    use aws_smithy_runtime_api::client::ser_de::{DeserializeResponse, SharedResponseDeserializer};
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::config_bag::ConfigBag;
    use serde_json::Value;

    use super::cbor;
    use crate::provider::Cx;

    /// CloudWatch's JSON 1.0 target prefix (`X-Amz-Target: <prefix>.<Operation>`).
    const TARGET_PREFIX: &str = "GraniteServiceVersion20100801";

    /// The CloudWatch client to use: the shared one, or on the local cloud
    /// the same client configuration (call counter included) plus the
    /// JSON 1.0 adapter.
    pub fn client(cx: &Cx) -> aws_sdk_cloudwatch::Client {
        let shared = cx.clients.cloudwatch();
        if !cx.local {
            return shared.clone();
        }
        aws_sdk_cloudwatch::Client::from_conf(shared.config().to_builder().interceptor(JsonOverCbor).build())
    }

    #[derive(Debug)]
    struct JsonOverCbor;

    impl Intercept for JsonOverCbor {
        fn name(&self) -> &'static str {
            "strata-local-cloudwatch-json"
        }

        fn modify_before_transmit(
            &self,
            context: &mut BeforeTransmitInterceptorContextMut<'_>,
            _runtime_components: &RuntimeComponents,
            _cfg: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            to_json_request(context.request_mut()).map_err(BoxError::from)
        }

        /// By now the orchestrator has read the body into memory and the
        /// CBOR deserializer has failed on moto's JSON: re-encode the body
        /// and deserialize again, replacing that outcome (before the retry
        /// strategy looks at it).
        fn modify_before_attempt_completion(
            &self,
            context: &mut FinalizerInterceptorContextMut<'_>,
            _runtime_components: &RuntimeComponents,
            cfg: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            let Some(deserializer) = cfg.load::<SharedResponseDeserializer>() else { return Ok(()) };
            let Some(response) = context.response_mut() else { return Ok(()) };
            if !to_cbor_response(response) {
                return Ok(());
            }
            let outcome = deserializer.deserialize_nonstreaming_with_config(response, &*cfg);
            if let Some(slot) = context.output_or_error_mut() {
                *slot = outcome;
            }
            Ok(())
        }
    }

    /// `POST /service/<Service>/operation/<Op>` with a CBOR body becomes
    /// `POST /` with `X-Amz-Target: <Service>.<Op>` and a JSON body.
    fn to_json_request(request: &mut HttpRequest) -> Result<(), String> {
        let uri = request.uri().to_owned();
        let (base, path) = uri.split_once("/service/").ok_or_else(|| format!("not an RPC v2 request: {uri}"))?;
        let operation = path.rsplit('/').next().unwrap_or_default().to_owned();
        let body = request.body().bytes().ok_or("the request body is not in memory")?;
        let json = if body.is_empty() { Value::Object(Default::default()) } else { cbor::decode(body)? };
        let text = json.to_string();
        request.set_uri(format!("{base}/")).map_err(|e| e.to_string())?;
        for name in ["smithy-protocol", "accept", "x-amzn-query-mode"] {
            request.headers_mut().remove(name);
        }
        request.headers_mut().insert("content-type", "application/x-amz-json-1.0");
        request.headers_mut().insert("x-amz-target", format!("{TARGET_PREFIX}.{operation}"));
        request.headers_mut().insert("content-length", text.len().to_string());
        *request.body_mut() = SdkBody::from(text);
        Ok(())
    }

    /// Re-encodes moto's JSON answer (or error) as CBOR; false when the body
    /// is not JSON (a moto crash page), which is left for the SDK to report.
    fn to_cbor_response(response: &mut HttpResponse) -> bool {
        let Some(body) = response.body().bytes() else { return false };
        let json = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Default::default())
        } else {
            match serde_json::from_slice::<Value>(body) {
                Ok(v) => v,
                Err(_) => return false,
            }
        };
        let encoded = cbor::encode(&json);
        response.headers_mut().insert("content-type", "application/cbor");
        response.headers_mut().insert("smithy-protocol", "rpc-v2-cbor");
        response.headers_mut().insert("content-length", encoded.len().to_string());
        *response.body_mut() = SdkBody::from(encoded);
        true
    }
}

/// The part of CBOR (RFC 8949) the CloudWatch adapter needs: what the SDK's
/// encoder writes (maps, arrays, text, integers, floats, booleans, null,
/// timestamps as tag 1) to JSON, and JSON back, with members named
/// `...Timestamp` as tag-1 epoch seconds (the SDK requires the tag there).
pub mod cbor {
    use base64::Engine;
    use serde_json::{Map, Number, Value};

    pub fn decode(bytes: &[u8]) -> Result<Value, String> {
        let mut r = Reader { bytes, pos: 0 };
        let v = r.item()?.ok_or("unexpected break")?;
        Ok(v)
    }

    struct Reader<'a> {
        bytes: &'a [u8],
        pos: usize,
    }

    impl Reader<'_> {
        fn take(&mut self, n: usize) -> Result<&[u8], String> {
            let end = self.pos.checked_add(n).filter(|e| *e <= self.bytes.len()).ok_or("truncated CBOR")?;
            let s = &self.bytes[self.pos..end];
            self.pos = end;
            Ok(s)
        }

        fn uint(&mut self, n: usize) -> Result<u64, String> {
            Ok(self.take(n)?.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
        }

        /// The head's argument; None for indefinite length.
        fn argument(&mut self, info: u8) -> Result<Option<u64>, String> {
            match info {
                0..=23 => Ok(Some(u64::from(info))),
                24 => self.uint(1).map(Some),
                25 => self.uint(2).map(Some),
                26 => self.uint(4).map(Some),
                27 => self.uint(8).map(Some),
                31 => Ok(None),
                _ => Err(format!("reserved CBOR additional information {info}")),
            }
        }

        fn length(&mut self, info: u8) -> Result<Option<usize>, String> {
            self.argument(info)?.map(|n| usize::try_from(n).map_err(|_| "CBOR length too large".to_owned())).transpose()
        }

        /// One data item, or None at a `break`.
        fn item(&mut self) -> Result<Option<Value>, String> {
            let head = self.take(1)?[0];
            let (major, info) = (head >> 5, head & 0x1f);
            let v = match major {
                0 => Value::from(self.argument(info)?.ok_or("indefinite integer")?),
                1 => {
                    let n = self.argument(info)?.ok_or("indefinite integer")?;
                    let n = i64::try_from(n).map_err(|_| "negative integer too large")?;
                    Value::from(-1 - n)
                }
                2 => Value::String(base64::engine::general_purpose::STANDARD.encode(self.chunks(info, 2)?)),
                3 => Value::String(String::from_utf8(self.chunks(info, 3)?).map_err(|e| e.to_string())?),
                4 => {
                    let mut items = Vec::new();
                    match self.length(info)? {
                        Some(n) => {
                            for _ in 0..n {
                                items.push(self.item()?.ok_or("unexpected break")?);
                            }
                        }
                        None => {
                            while let Some(v) = self.item()? {
                                items.push(v);
                            }
                        }
                    }
                    Value::Array(items)
                }
                5 => {
                    let mut map = Map::new();
                    let n = self.length(info)?;
                    let mut read = 0usize;
                    loop {
                        if n == Some(read) {
                            break;
                        }
                        let Some(key) = self.item()? else { break };
                        let key = key.as_str().ok_or("a CBOR map key that is not text")?.to_owned();
                        map.insert(key, self.item()?.ok_or("unexpected break")?);
                        read += 1;
                    }
                    Value::Object(map)
                }
                // Tags (timestamps: tag 1) carry their value.
                6 => {
                    self.argument(info)?;
                    self.item()?.ok_or("unexpected break")?
                }
                _ => match info {
                    20 => Value::Bool(false),
                    21 => Value::Bool(true),
                    22 | 23 => Value::Null,
                    25 => float(half_to_f64(self.uint(2)? as u16)),
                    26 => float(f64::from(f32::from_bits(self.uint(4)? as u32))),
                    27 => float(f64::from_bits(self.uint(8)?)),
                    31 => return Ok(None),
                    _ => return Err(format!("unsupported CBOR simple value {info}")),
                },
            };
            Ok(Some(v))
        }

        /// A byte or text string, definite or in indefinite-length chunks.
        fn chunks(&mut self, info: u8, major: u8) -> Result<Vec<u8>, String> {
            match self.length(info)? {
                Some(n) => Ok(self.take(n)?.to_vec()),
                None => {
                    let mut out = Vec::new();
                    loop {
                        let head = self.take(1)?[0];
                        if head == 0xff {
                            return Ok(out);
                        }
                        if head >> 5 != major {
                            return Err("mixed chunks in an indefinite CBOR string".into());
                        }
                        let n = self.length(head & 0x1f)?.ok_or("nested indefinite CBOR string")?;
                        out.extend_from_slice(self.take(n)?);
                    }
                }
            }
        }
    }

    fn float(x: f64) -> Value {
        Number::from_f64(x).map(Value::Number).unwrap_or(Value::Null)
    }

    /// IEEE 754 half precision to double.
    fn half_to_f64(h: u16) -> f64 {
        let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
        let exponent = i32::from((h >> 10) & 0x1f);
        let fraction = f64::from(h & 0x3ff);
        sign * match exponent {
            0 => fraction * 2f64.powi(-24),
            31 if fraction == 0.0 => f64::INFINITY,
            31 => f64::NAN,
            e => (1.0 + fraction / 1024.0) * 2f64.powi(e - 15),
        }
    }

    pub fn encode(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        write(v, false, &mut out);
        out
    }

    fn head(major: u8, n: u64, out: &mut Vec<u8>) {
        let m = major << 5;
        match n {
            0..=23 => out.push(m | n as u8),
            24..=0xff => out.extend_from_slice(&[m | 24, n as u8]),
            0x100..=0xffff => {
                out.push(m | 25);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                out.push(m | 26);
                out.extend_from_slice(&(n as u32).to_be_bytes());
            }
            _ => {
                out.push(m | 27);
                out.extend_from_slice(&n.to_be_bytes());
            }
        }
    }

    fn write(v: &Value, timestamp: bool, out: &mut Vec<u8>) {
        match v {
            Value::Null => out.push(0xf6),
            Value::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
            Value::Number(n) if timestamp => {
                out.push(0xc1);
                out.push(0xfb);
                out.extend_from_slice(&n.as_f64().unwrap_or_default().to_be_bytes());
            }
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => head(0, u, out),
                (None, Some(i)) => head(1, (-1 - i) as u64, out),
                _ => {
                    out.push(0xfb);
                    out.extend_from_slice(&n.as_f64().unwrap_or_default().to_be_bytes());
                }
            },
            Value::String(s) => {
                head(3, s.len() as u64, out);
                out.extend_from_slice(s.as_bytes());
            }
            Value::Array(items) => {
                head(4, items.len() as u64, out);
                for i in items {
                    write(i, false, out);
                }
            }
            // A JSON null member is an absent member (the SDK's decoder
            // would refuse a null where it expects a string or number).
            Value::Object(map) => {
                let present: Vec<_> = map.iter().filter(|(_, v)| !v.is_null()).collect();
                head(5, present.len() as u64, out);
                for (k, v) in present {
                    head(3, k.len() as u64, out);
                    out.extend_from_slice(k.as_bytes());
                    write(v, k.ends_with("Timestamp"), out);
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use serde_json::json;

        #[test]
        fn json_survives_a_cbor_round_trip() {
            let v = json!({"AlarmName": "a", "Threshold": 5.5, "EvaluationPeriods": 3, "Neg": -300,
                "Metrics": [{"Id": "e", "ReturnData": true}], "Big": 70000, "Empty": {}, "List": [null, 1]});
            assert_eq!(decode(&encode(&v)).unwrap(), v);
            // Null members are left out.
            assert_eq!(decode(&encode(&json!({"Label": null, "Id": "x"}))).unwrap(), json!({"Id": "x"}));
        }

        #[test]
        fn indefinite_lengths_half_floats_and_tags_decode() {
            // {_ "a": [_ 1, 1.5 (f16)], "t": 1(10)}
            let bytes = [0xbf, 0x61, b'a', 0x9f, 0x01, 0xf9, 0x3e, 0x00, 0xff, 0x61, b't', 0xc1, 0x0a, 0xff];
            assert_eq!(decode(&bytes).unwrap(), json!({"a": [1, 1.5], "t": 10}));
            // Timestamps are written as tag 1 + double.
            assert_eq!(
                encode(&json!({"StateUpdatedTimestamp": 2})),
                [
                    0xa1, 0x75, b'S', b't', b'a', b't', b'e', b'U', b'p', b'd', b'a', b't', b'e', b'd', b'T', b'i',
                    b'm', b'e', b's', b't', b'a', b'm', b'p', 0xc1, 0xfb, 0x40, 0, 0, 0, 0, 0, 0, 0
                ]
            );
            assert!(decode(&[0x62, b'a']).is_err(), "truncated");
        }
    }
}
