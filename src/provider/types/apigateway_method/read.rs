//! `apigateway_method`, read section: the live resource in the spec's terms. Split off by job;
//! the layout is `provider::types`'s.

use super::*;

// -------------------------------------------------------------------- read --

/// The method in the spec's terms.
pub(super) fn properties(key: &Key<'_>, m: &GetMethodOutput) -> Value {
    let mut obj = Obj::new();
    obj.put("RestApiId", key.api)
        .put("ResourceId", key.resource)
        .put("HttpMethod", m.http_method().unwrap_or(key.method))
        .string("AuthorizationType", m.authorization_type())
        .string("AuthorizerId", m.authorizer_id())
        .list("AuthorizationScopes", Some(m.authorization_scopes()))
        .opt("ApiKeyRequired", m.api_key_required())
        .map("RequestParameters", m.request_parameters())
        .map("RequestModels", m.request_models())
        .string("RequestValidatorId", m.request_validator_id())
        .string("OperationName", m.operation_name())
        .opt("MethodResponses", m.method_responses().filter(|r| !r.is_empty()).map(method_responses_json))
        .opt("Integration", m.method_integration().map(integration_json));
    obj.build()
}

pub(super) fn method_responses_json(
    responses: &std::collections::HashMap<String, aws_sdk_apigateway::types::MethodResponse>,
) -> Value {
    let sorted: BTreeMap<_, _> = responses.iter().collect();
    Value::Array(
        sorted
            .into_iter()
            .map(|(code, r)| {
                let mut obj = Obj::new();
                obj.put("StatusCode", r.status_code().unwrap_or(code))
                    .map("ResponseModels", r.response_models())
                    .map("ResponseParameters", r.response_parameters());
                obj.build()
            })
            .collect(),
    )
}

pub(super) fn integration_json(i: &aws_sdk_apigateway::types::Integration) -> Value {
    let mut obj = Obj::new();
    obj.opt("Type", i.r#type().map(|t| t.as_str().to_owned()))
        .string("IntegrationHttpMethod", i.http_method())
        .string("Uri", i.uri())
        // 0 is the SDK's stand-in for "not reported" (moto leaves it out).
        .opt("TimeoutInMillis", Some(i.timeout_in_millis()).filter(|t| *t > 0))
        .string("Credentials", i.credentials())
        .string("PassthroughBehavior", i.passthrough_behavior())
        .map("RequestParameters", i.request_parameters())
        .map("RequestTemplates", i.request_templates())
        .opt("ConnectionType", i.connection_type().map(|c| c.as_str().to_owned()))
        .string("ConnectionId", i.connection_id())
        .opt("ContentHandling", i.content_handling().map(|c| c.as_str().to_owned()))
        .list("CacheKeyParameters", Some(i.cache_key_parameters()))
        .string("CacheNamespace", i.cache_namespace())
        .opt(
            "IntegrationResponses",
            i.integration_responses().filter(|r| !r.is_empty()).map(integration_responses_json),
        );
    obj.build()
}

pub(super) fn integration_responses_json(
    responses: &std::collections::HashMap<String, aws_sdk_apigateway::types::IntegrationResponse>,
) -> Value {
    let sorted: BTreeMap<_, _> = responses.iter().collect();
    Value::Array(
        sorted
            .into_iter()
            .map(|(code, r)| {
                let mut obj = Obj::new();
                obj.put("StatusCode", r.status_code().unwrap_or(code))
                    .string("SelectionPattern", r.selection_pattern())
                    .map("ResponseParameters", r.response_parameters())
                    .map("ResponseTemplates", r.response_templates())
                    .opt("ContentHandling", r.content_handling().map(|c| c.as_str().to_owned()));
                obj.build()
            })
            .collect(),
    )
}
