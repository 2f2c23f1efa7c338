//! `AWS::KMS::Alias`: a friendly name (`alias/...`) for a KMS key.

use aws_sdk_kms::types::AliasListEntry;
use serde_json::{json, Value};

use crate::provider::retry::with_retries;
use crate::provider::schema::ResourceSchema;
use crate::provider::types::data_common::{attributes, same_key_as_recorded, At};
use crate::provider::{aws_error, Applied, Cx, Live, NotFoundExt, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    ResourceSchema {
        type_name: "AWS::KMS::Alias",
        properties: &[
            create_only(required("AliasName", String)),
            // Key id or key ARN; re-pointing an alias is an in-place update.
            required("TargetKeyId", String),
        ],
        attributes: &["AliasName"],
        id_attribute: "AliasName",
        taggable: false,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    /// By name: an alias name is unique in the account and region. An
    /// alias cannot be tagged, so it is this stack's only when it already
    /// points at the key the spec names (a key strata proved its own);
    /// one pointing elsewhere is someone else's and is never re-pointed.
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let props = At::root(req.properties);
        let name = props.req_str("AliasName")?;
        let Some(alias) = lookup(cx, &name).await? else { return Ok(None) };
        let wanted = props.req_str("TargetKeyId")?;
        let live = alias.target_key_id().unwrap_or_default();
        if same_key_as_recorded(live, Some(&wanted)) != wanted {
            return Err(ProviderError::NotOurs {
                type_name: SCHEMA.type_name,
                physical_id: name,
                why: format!("it points at key `{live}`, not at this stack's `{wanted}`"),
            });
        }
        Ok(Some(applied(&name)))
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = At::root(req.properties);
        let name = props.req_str("AliasName")?;
        let target = props.req_str("TargetKeyId")?;
        with_retries(|| async {
            cx.clients
                .kms()
                .create_alias()
                .alias_name(&name)
                .target_key_id(&target)
                .send()
                .await
                .map_err(aws_error("kms:CreateAlias"))
        })
        .await?;
        Ok(applied(&name))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let Some(alias) = lookup(cx, physical_id).await? else { return Ok(None) };
        // AWS reports the key id; the spec may have named the key by ARN.
        let target = alias
            .target_key_id()
            .map(|live| same_key_as_recorded(live, recorded.get("TargetKeyId").and_then(Value::as_str)));
        Ok(Some(Live {
            properties: json!({ "AliasName": physical_id, "TargetKeyId": target }),
            attributes: applied(physical_id).attributes,
            tags: Default::default(),
        }))
    }

    /// Re-points the alias (the name itself is createOnly).
    async fn update(&self, cx: &Cx, id: &str, _before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let target = At::root(req.properties).req_str("TargetKeyId")?;
        with_retries(|| async {
            cx.clients
                .kms()
                .update_alias()
                .alias_name(id)
                .target_key_id(&target)
                .send()
                .await
                .map_err(aws_error("kms:UpdateAlias"))
        })
        .await?;
        Ok(applied(id))
    }

    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        let deleted = with_retries(|| async {
            cx.clients.kms().delete_alias().alias_name(physical_id).send().await.map_err(aws_error("kms:DeleteAlias"))
        })
        .await;
        deleted.gone_ok()
    }
}

// ---------------------------------------------------------------- identity --

fn applied(alias_name: &str) -> Applied {
    Applied {
        physical_id: alias_name.to_owned(),
        attributes: attributes([("AliasName", Value::String(alias_name.to_owned()))]),
    }
}

/// The alias of that name, or None. ListAliases is the only way to look
/// one alias up (there is no DescribeAlias).
async fn lookup(cx: &Cx, alias_name: &str) -> Result<Option<AliasListEntry>, ProviderError> {
    let aliases = cx
        .clients
        .kms()
        .list_aliases()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(aws_error("kms:ListAliases"))?;
    Ok(aliases.into_iter().find(|a| a.alias_name() == Some(alias_name)))
}
