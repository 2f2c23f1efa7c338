//! `apigateway_method`, update section: what `update` converges, and how. Split off by job;
//! the layout is `provider::types`'s.

use super::*;

// ------------------------------------------------------------------ update --

pub(super) async fn update_method(cx: &Cx, key: &Key<'_>, ops: Vec<PatchOperation>) -> Result<(), ProviderError> {
    let client = cx.clients.apigateway();
    retry::with_retries(|| async {
        client
            .update_method()
            .rest_api_id(key.api)
            .resource_id(key.resource)
            .http_method(key.method)
            .set_patch_operations(Some(ops.clone()))
            .send()
            .await
            .map_err(aws_error("apigateway:UpdateMethod"))
    })
    .await
    .map(|_| ())
}

/// Deletes the method responses that are gone or changed and puts the
/// changed and new ones (PutMethodResponse refuses an existing status code).
pub(super) async fn replace_method_responses(
    cx: &Cx,
    key: &Key<'_>,
    before: &Value,
    after: &Value,
) -> Result<(), ProviderError> {
    let old = list(before, "MethodResponses")?;
    let new = list(after, "MethodResponses")?;
    let client = cx.clients.apigateway();
    for gone in old.iter().filter(|r| !new.contains(r)) {
        let code = common::req_str(gone, "StatusCode")?;
        common::gone_ok(
            client
                .delete_method_response()
                .rest_api_id(key.api)
                .resource_id(key.resource)
                .http_method(key.method)
                .status_code(code)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_error("apigateway:DeleteMethodResponse")),
        )?;
    }
    for changed in new.iter().filter(|r| !old.contains(r)) {
        put_method_response(cx, key, changed).await?;
    }
    Ok(())
}

/// Puts the integration again (PutIntegration replaces it), deleting
/// integration responses that are no longer wanted; or deletes it.
pub(super) async fn replace_integration(
    cx: &Cx,
    key: &Key<'_>,
    before: &Value,
    after: &Value,
) -> Result<(), ProviderError> {
    let client = cx.clients.apigateway();
    let Some(new) = after.get("Integration").filter(|i| !i.is_null()) else {
        return common::gone_ok(
            client
                .delete_integration()
                .rest_api_id(key.api)
                .resource_id(key.resource)
                .http_method(key.method)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_error("apigateway:DeleteIntegration")),
        );
    };
    let old_codes = before.get("Integration").map(|i| status_codes(i, "IntegrationResponses")).transpose()?;
    let new_codes = status_codes(new, "IntegrationResponses")?;
    for code in old_codes.unwrap_or_default().iter().filter(|c| !new_codes.contains(c)) {
        common::gone_ok(
            client
                .delete_integration_response()
                .rest_api_id(key.api)
                .resource_id(key.resource)
                .http_method(key.method)
                .status_code(code)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_error("apigateway:DeleteIntegrationResponse")),
        )?;
    }
    put_integration(cx, key, new).await
}

/// The UpdateMethod patch from the recorded to the wanted method settings
/// (responses and the integration are put separately).
pub(super) fn method_patch(before: &Value, after: &Value) -> Result<Vec<PatchOperation>, ProviderError> {
    let mut ops = Vec::new();
    common::replace_if_changed(
        &mut ops,
        "/authorizationType",
        text(before, "AuthorizationType")?,
        text(after, "AuthorizationType")?,
        "NONE",
    );
    for (property, path) in [
        ("AuthorizerId", "/authorizerId"),
        ("OperationName", "/operationName"),
        ("RequestValidatorId", "/requestValidatorId"),
    ] {
        common::replace_if_changed(&mut ops, path, text(before, property)?, text(after, property)?, "");
    }
    let key_required = |v: &Value| common::opt_bool(v, "ApiKeyRequired").map(|b| b.map(common::bool_text));
    common::replace_if_changed(&mut ops, "/apiKeyRequired", key_required(before)?, key_required(after)?, "false");
    let scopes = |v: &Value| common::opt_str_list(v, "AuthorizationScopes").map(Option::unwrap_or_default);
    ops.extend(common::set_ops("/authorizationScopes", &scopes(before)?, &scopes(after)?));
    let params = |v: &Value| -> Result<BTreeMap<String, String>, ProviderError> {
        Ok(common::opt_bool_map(v, "RequestParameters")?
            .unwrap_or_default()
            .into_iter()
            .map(|(k, b)| (k, common::bool_text(b)))
            .collect())
    };
    ops.extend(common::map_ops("/requestParameters", &params(before)?, &params(after)?, NewKey::Add));
    let models = |v: &Value| common::opt_str_map(v, "RequestModels").map(Option::unwrap_or_default);
    ops.extend(common::map_ops("/requestModels", &models(before)?, &models(after)?, NewKey::Add));
    Ok(ops)
}
