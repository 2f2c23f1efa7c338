//! CloudWatch on the local cloud. The Rust SDK speaks CloudWatch's newer
//! Smithy RPC v2 CBOR protocol only; moto 5.2.5 answers CloudWatch in its
//! Query and JSON 1.0 protocols only (getmoto/moto#9195: no CBOR planned).
//! On the local cloud the CloudWatch client therefore carries an interceptor
//! that re-encodes each request as JSON 1.0 (same operation, same members)
//! just before it is sent, and moto's JSON answer back to CBOR before the
//! SDK's deserializer reads it. Only the wire format changes: every call
//! reaches moto and its answer is moto's. Real AWS is never affected.

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
