//! `AWS::Lambda::Permission`: one statement of a function's resource policy.
//! Lambda cannot edit a statement in place, so every property is createOnly.
//!
//! The statement id is derived from the logical name (`strata-<LogicalName>`),
//! so `find` can look for it in the function's policy after a crash, and the
//! physical id is `<function>|<statement id>` (both are needed to read or
//! remove it). Statements carry no tags.

use serde_json::{json, Map, Value};

use super::compute_common::{self as common, opt_str, req_str};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, retry, Applied, Cx, Live, NotFoundExt, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    ResourceSchema {
        type_name: "AWS::Lambda::Permission",
        properties: &[
            create_only(required("Action", String)),
            // Function name, ARN or partial ARN.
            create_only(required("FunctionName", String)),
            create_only(required("Principal", String)),
            create_only(optional("SourceArn", String)),
            create_only(optional("SourceAccount", String)),
            create_only(optional("PrincipalOrgID", String)),
            create_only(optional("EventSourceToken", String)),
            create_only(optional("FunctionUrlAuthType", Enum(&["AWS_IAM", "NONE"]))),
        ],
        // The statement id.
        attributes: &["Id"],
        id_attribute: "Id",
        taggable: false,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let function = req_str(req.properties, "FunctionName")?;
        let sid = statement_id(req.logical_name);
        Ok(find_statement(cx, function, &sid).await?.map(|_| permission_applied(function, &sid)))
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = req.properties;
        let function = req_str(props, "FunctionName")?;
        let sid = statement_id(req.logical_name);
        let owned = |name: &str| opt_str(props, name).map(|v| v.map(str::to_owned));
        let (source_arn, source_account, org) =
            (owned("SourceArn")?, owned("SourceAccount")?, owned("PrincipalOrgID")?);
        let (token, auth) = (owned("EventSourceToken")?, opt_str(props, "FunctionUrlAuthType")?);
        // Two statements added to one policy at once conflict
        // (ResourceConflictException): retried under retry::CONFLICT. A
        // retried call whose first attempt AWS carried out (its answer lost)
        // finds its own statement id taken: that statement is ours (the
        // ownership check found none before the create), and it is done.
        retry::with_retries(|| async {
            let added = cx
                .clients
                .lambda()
                .add_permission()
                .function_name(function)
                .statement_id(&sid)
                .action(req_str(props, "Action")?)
                .principal(req_str(props, "Principal")?)
                .set_source_arn(source_arn.clone())
                .set_source_account(source_account.clone())
                .set_principal_org_id(org.clone())
                .set_event_source_token(token.clone())
                .set_function_url_auth_type(auth.map(aws_sdk_lambda::types::FunctionUrlAuthType::from))
                .send()
                .await
                .map(drop)
                .map_err(aws_error("lambda:AddPermission"));
            match added {
                Err(e) if already_exists(&e) && find_statement(cx, function, &sid).await?.is_some() => Ok(()),
                other => other,
            }
        })
        .await?;
        Ok(permission_applied(function, &sid))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let (function, sid) = split_id(physical_id)?;
        let Some(statement) = find_statement(cx, function, sid).await? else { return Ok(None) };
        let mut props = statement_properties(&statement, recorded);
        // AWS keeps no function name in the statement: as recorded, else from the id.
        let name = recorded.get("FunctionName").cloned().unwrap_or_else(|| json!(function));
        props.insert("FunctionName".into(), name);
        let applied = permission_applied(function, sid);
        Ok(Some(Live { properties: Value::Object(props), attributes: applied.attributes, tags: Default::default() }))
    }

    /// Every property is createOnly, so a change is a replacement and never
    /// reaches here: nothing to do but report the same statement.
    async fn update(
        &self,
        _cx: &Cx,
        physical_id: &str,
        _before: &Value,
        _req: &Request<'_>,
    ) -> Result<Applied, ProviderError> {
        let (function, sid) = split_id(physical_id)?;
        Ok(permission_applied(function, sid))
    }

    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        let (function, sid) = split_id(physical_id)?;
        let out = retry::with_retries(|| async {
            cx.clients
                .lambda()
                .remove_permission()
                .function_name(function)
                .statement_id(sid)
                .send()
                .await
                .map_err(aws_error("lambda:RemovePermission"))
        })
        .await;
        out.gone_ok()
    }
}

// ---------------------------------------------------------------- identity --

/// Separates the function from the statement id in the physical id. Neither
/// a function name, an ARN nor a statement id can contain it.
const SEPARATOR: char = '|';

/// Longest statement id Lambda accepts.
const MAX_STATEMENT_ID: usize = 100;

/// `strata-<LogicalName>`, with characters a statement id cannot hold
/// replaced by `-`, cut to 100.
pub fn statement_id(logical_name: &str) -> String {
    format!("strata-{logical_name}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .take(MAX_STATEMENT_ID)
        .collect()
}

fn permission_applied(function: &str, sid: &str) -> Applied {
    let id = format!("{function}{SEPARATOR}{sid}");
    common::applied(&id, &[("Id", &id)])
}

fn split_id(physical_id: &str) -> Result<(&str, &str), ProviderError> {
    physical_id
        .rsplit_once(SEPARATOR)
        .ok_or_else(|| ProviderError::invalid("Id", format!("`{physical_id}` is not `<function>|<statement id>`")))
}

/// The statement `sid` of the function's policy, or None when the function,
/// its policy or the statement does not exist.
async fn find_statement(cx: &Cx, function: &str, sid: &str) -> Result<Option<Value>, ProviderError> {
    let policy = match cx
        .clients
        .lambda()
        .get_policy()
        .function_name(function)
        .send()
        .await
        .map_err(aws_error("lambda:GetPolicy"))
    {
        Ok(out) => out.policy.unwrap_or_default(),
        Err(err) if err.is_not_found() => return Ok(None),
        Err(err) => return Err(err),
    };
    let policy: Value = serde_json::from_str(&policy)
        .map_err(|e| ProviderError::invalid("FunctionName", format!("the function's policy is not JSON: {e}")))?;
    let statements = match policy.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    };
    Ok(statements.into_iter().find(|s| s.get("Sid").and_then(Value::as_str) == Some(sid)))
}

// ------------------------------------------------------------------ create --

/// AddPermission's answer when the statement id is taken.
fn already_exists(e: &ProviderError) -> bool {
    e.aws_code() == Some("ResourceConflictException") && e.to_string().contains("already exists")
}

// -------------------------------------------------------------------- read --

/// The spec's properties from a policy statement:
/// `Principal: {Service: x}` -> `x`, conditions -> SourceArn, SourceAccount,
/// PrincipalOrgID, FunctionUrlAuthType. `EventSourceToken` is not reported
/// by AWS: as recorded.
fn statement_properties(statement: &Value, recorded: &Value) -> Map<String, Value> {
    let mut props = Map::new();
    common::put(&mut props, "Action", statement.get("Action").map(first_string));
    common::put(&mut props, "Principal", principal(statement.get("Principal"), recorded));
    let condition = statement.get("Condition");
    let cond = |op: &str, key: &str| {
        let block = condition?.get(op)?.as_object()?;
        block.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| first_string(v))
    };
    common::put(
        &mut props,
        "SourceArn",
        cond("ArnLike", "AWS:SourceArn").or_else(|| cond("ArnEquals", "AWS:SourceArn")),
    );
    common::put(&mut props, "SourceAccount", cond("StringEquals", "AWS:SourceAccount"));
    common::put(&mut props, "PrincipalOrgID", cond("StringEquals", "aws:PrincipalOrgID"));
    common::put(&mut props, "FunctionUrlAuthType", cond("StringEquals", "lambda:FunctionUrlAuthType"));
    common::put(&mut props, "EventSourceToken", recorded.get("EventSourceToken").cloned());
    props
}

/// A string, or the first of a list of strings.
fn first_string(v: &Value) -> Value {
    match v {
        Value::Array(items) => items.first().cloned().unwrap_or(Value::Null),
        other => other.clone(),
    }
}

/// `{Service: s}` -> `s`; `{AWS: arn:aws:iam::<acct>:root}` -> the account id
/// when that is how the spec wrote it; `*` stays `*`.
fn principal(p: Option<&Value>, recorded: &Value) -> Option<Value> {
    let value = match p? {
        Value::Object(map) => {
            map.get("Service").or_else(|| map.get("AWS")).or_else(|| map.values().next()).map(first_string)?
        }
        other => other.clone(),
    };
    let recorded = recorded.get("Principal").and_then(Value::as_str);
    if let (Some(text), Some(rec)) = (value.as_str(), recorded) {
        if text == format!("arn:aws:iam::{rec}:root") {
            return Some(json!(rec));
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_ids_are_deterministic_and_valid() {
        assert_eq!(statement_id("ApiInvokePermission"), "strata-ApiInvokePermission");
        assert_eq!(statement_id("a.b"), "strata-a-b");
        assert_eq!(statement_id(&"x".repeat(200)).len(), MAX_STATEMENT_ID);
    }

    #[test]
    fn ids_split_at_the_last_separator() {
        let id = permission_applied("arn:aws:lambda:us-east-1:1:function:f", "strata-P").physical_id;
        assert_eq!(split_id(&id).unwrap(), ("arn:aws:lambda:us-east-1:1:function:f", "strata-P"));
        assert!(split_id("nope").is_err());
    }

    #[test]
    fn aws_statement_maps_back_to_properties() {
        let statement = json!({
            "Sid": "strata-P", "Effect": "Allow", "Action": "lambda:InvokeFunction",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Resource": "arn:aws:lambda:us-east-1:1:function:f",
            "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:1:abc/*/*/*"},
                          "StringEquals": {"AWS:SourceAccount": "1"}}
        });
        let props = statement_properties(&statement, &json!({}));
        assert_eq!(props["Action"], "lambda:InvokeFunction");
        assert_eq!(props["Principal"], "apigateway.amazonaws.com");
        assert_eq!(props["SourceArn"], "arn:aws:execute-api:us-east-1:1:abc/*/*/*");
        assert_eq!(props["SourceAccount"], "1");
        let by_account = json!({"Principal": {"AWS": "arn:aws:iam::123456789012:root"}});
        let props = statement_properties(&by_account, &json!({"Principal": "123456789012"}));
        assert_eq!(props["Principal"], "123456789012");
    }
}
