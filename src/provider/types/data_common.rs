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

/// CBOR (RFC 8949) <-> JSON for the CloudWatch adapter, on `minicbor` (the
/// crate the SDK's own CBOR codec uses, so it costs no extra build): what the
/// SDK's encoder writes (maps, arrays, text, integers, floats, booleans,
/// null, timestamps as tag 1) to JSON, and JSON back, with members named
/// `...Timestamp` as tag-1 epoch seconds (the SDK requires the tag there).
/// Only the mapping between the two data models is ours; the wire format is
/// minicbor's.
pub mod cbor {
    use base64::Engine;
    use minicbor::data::{Tag, Token};
    use minicbor::decode::Tokenizer;
    use minicbor::Encoder;
    use serde_json::{Map, Number, Value};

    /// One CBOR data item as JSON (byte strings as base64 text, tags
    /// dropped in favour of their value).
    pub fn decode(bytes: &[u8]) -> Result<Value, String> {
        let mut tokens = Tokenizer::new(bytes);
        item(&mut tokens)?.ok_or_else(|| "unexpected break".to_owned())
    }

    fn next<'b>(tokens: &mut Tokenizer<'_, 'b>) -> Result<Token<'b>, String> {
        tokens.token().map_err(|e| e.to_string())
    }

    /// The next data item, or None at a `break`.
    fn item(tokens: &mut Tokenizer<'_, '_>) -> Result<Option<Value>, String> {
        let required = |v: Option<Value>| v.ok_or_else(|| "unexpected break".to_owned());
        let v = match next(tokens)? {
            Token::Break => return Ok(None),
            Token::Bool(b) => Value::Bool(b),
            Token::Null | Token::Undefined => Value::Null,
            Token::U8(n) => Value::from(n),
            Token::U16(n) => Value::from(n),
            Token::U32(n) => Value::from(n),
            Token::U64(n) => Value::from(n),
            Token::I8(n) => Value::from(n),
            Token::I16(n) => Value::from(n),
            Token::I32(n) => Value::from(n),
            Token::I64(n) => Value::from(n),
            Token::Int(n) => Value::from(i64::try_from(i128::from(n)).map_err(|_| "integer too large")?),
            Token::F16(x) | Token::F32(x) => float(f64::from(x)),
            Token::F64(x) => float(x),
            Token::Bytes(b) => Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
            Token::String(s) => Value::String(s.to_owned()),
            Token::BeginBytes => {
                let chunks = indefinite(tokens, |t| if let Token::Bytes(b) = t { Some(b) } else { None })?;
                Value::String(base64::engine::general_purpose::STANDARD.encode(chunks.concat()))
            }
            Token::BeginString => {
                Value::String(indefinite(tokens, |t| if let Token::String(s) = t { Some(s) } else { None })?.concat())
            }
            Token::Array(n) => Value::Array((0..n).map(|_| required(item(tokens)?)).collect::<Result<_, _>>()?),
            Token::BeginArray => {
                let mut items = Vec::new();
                while let Some(v) = item(tokens)? {
                    items.push(v);
                }
                Value::Array(items)
            }
            Token::Map(n) => {
                let mut map = Map::new();
                for _ in 0..n {
                    entry(tokens, &mut map)?.ok_or("unexpected break")?;
                }
                Value::Object(map)
            }
            Token::BeginMap => {
                let mut map = Map::new();
                while entry(tokens, &mut map)?.is_some() {}
                Value::Object(map)
            }
            // Tags (timestamps: tag 1) carry their value.
            Token::Tag(_) => required(item(tokens)?)?,
            Token::Simple(n) => return Err(format!("unsupported CBOR simple value {n}")),
        };
        Ok(Some(v))
    }

    /// The chunks of an indefinite-length byte or text string, up to its
    /// `break`; `chunk` accepts only chunks of the string's own kind.
    fn indefinite<'b, T>(
        tokens: &mut Tokenizer<'_, 'b>,
        chunk: impl Fn(Token<'b>) -> Option<T>,
    ) -> Result<Vec<T>, String> {
        let mut out = Vec::new();
        loop {
            match next(tokens)? {
                Token::Break => return Ok(out),
                t => out.push(chunk(t).ok_or("mixed chunks in an indefinite CBOR string")?),
            }
        }
    }

    /// One map entry into `map`; None at the `break` of an indefinite map.
    fn entry(tokens: &mut Tokenizer<'_, '_>, map: &mut Map<String, Value>) -> Result<Option<()>, String> {
        let Some(key) = item(tokens)? else { return Ok(None) };
        let key = key.as_str().ok_or("a CBOR map key that is not text")?.to_owned();
        map.insert(key, item(tokens)?.ok_or("unexpected break")?);
        Ok(Some(()))
    }

    fn float(x: f64) -> Value {
        Number::from_f64(x).map(Value::Number).unwrap_or(Value::Null)
    }

    /// JSON as CBOR, the way the SDK's encoder writes it.
    pub fn encode(v: &Value) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        // A Vec's writer error is `Infallible`: writing into it cannot fail.
        write(v, false, &mut e).expect("writing CBOR into a Vec");
        e.into_writer()
    }

    type Written = Result<(), minicbor::encode::Error<core::convert::Infallible>>;

    fn write(v: &Value, timestamp: bool, e: &mut Encoder<Vec<u8>>) -> Written {
        match v {
            Value::Null => e.null().map(drop),
            Value::Bool(b) => e.bool(*b).map(drop),
            Value::Number(n) if timestamp => e.tag(Tag::new(1))?.f64(n.as_f64().unwrap_or_default()).map(drop),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => e.u64(u).map(drop),
                (None, Some(i)) => e.i64(i).map(drop),
                _ => e.f64(n.as_f64().unwrap_or_default()).map(drop),
            },
            Value::String(s) => e.str(s).map(drop),
            Value::Array(items) => {
                e.array(items.len() as u64)?;
                items.iter().try_for_each(|i| write(i, false, e))
            }
            // A JSON null member is an absent member (the SDK's decoder
            // would refuse a null where it expects a string or number).
            Value::Object(map) => {
                let present: Vec<_> = map.iter().filter(|(_, v)| !v.is_null()).collect();
                e.map(present.len() as u64)?;
                present.into_iter().try_for_each(|(k, v)| {
                    e.str(k)?;
                    write(v, k.ends_with("Timestamp"), e)
                })
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
            // Indefinite text and byte strings are joined from their chunks.
            assert_eq!(decode(&[0x7f, 0x61, b'a', 0x61, b'b', 0xff]).unwrap(), json!("ab"));
            assert_eq!(decode(&[0x5f, 0x41, 1, 0x41, 2, 0xff]).unwrap(), json!("AQI="));
            assert!(decode(&[0x7f, 0x41, 1, 0xff]).is_err(), "a byte chunk in a text string");
        }
    }
}
