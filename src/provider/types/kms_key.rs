//! `AWS::KMS::Key`: a customer-managed KMS key.
//!
//! AWS cannot change a key's spec, usage, origin or multi-Region flag, so those
//! are createOnly: changing one plans a replacement, and the old key is then
//! scheduled for deletion after `PendingWindowInDays` (7 to 30), not deleted at
//! once. (CloudFormation refuses such an update outright.)

use std::collections::BTreeMap;

use aws_sdk_kms::types::{KeyMetadata, KeySpec, KeyState, KeyUsageType, OriginType, Tag};
use serde_json::{json, Map, Value};

use crate::provider::retry::{with_retries, IAM_ROLE_PROPAGATION};
use crate::provider::schema::ResourceSchema;
use crate::provider::types::data_common::{attributes, built, echo_recorded, json_document, retry_while, At};
use crate::provider::types::tagging::{self, spec_tag_list, TagApi, Tags};
use crate::provider::{aws_error, Applied, Cx, Live, NotFoundExt, ProviderError, Request};

mod update;
use update::*;

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    ResourceSchema {
        type_name: "AWS::KMS::Key",
        properties: &[
            optional("Description", String),
            optional("Enabled", Boolean),
            optional("EnableKeyRotation", Boolean),
            optional("RotationPeriodInDays", Integer),
            // Optional: AWS applies the default key policy (account root) without one.
            optional("KeyPolicy", Json),
            optional("BypassPolicyLockoutSafetyCheck", Boolean),
            // KeySpec and KeyUsage are open-ended (AWS keeps adding values): strings.
            create_only(optional("KeySpec", String)),
            create_only(optional("KeyUsage", String)),
            create_only(optional("MultiRegion", Boolean)),
            create_only(optional("Origin", Enum(&["AWS_KMS", "EXTERNAL"]))),
            optional("PendingWindowInDays", Integer),
            optional("Tags", TAG_LIST),
        ],
        attributes: &["KeyId", "Arn"],
        id_attribute: "KeyId",
        taggable: true,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    /// A key carrying this resource's strata tags (ListKeys, then the tags of
    /// each); keys pending deletion are deleted as far as strata is concerned.
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let keys = cx
            .clients
            .kms()
            .list_keys()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("kms:ListKeys"))?;
        for key in keys {
            let Some(key_id) = key.key_id() else { continue };
            let tags = match live_tags(cx, key_id).await {
                Ok(tags) => tags,
                // AWS managed keys, or a key deleted meanwhile: not ours.
                Err(e) if e.is_not_found() || e.aws_code() == Some("AccessDeniedException") => continue,
                Err(e) => return Err(e),
            };
            if !req.tags.identifies(&tags) {
                continue;
            }
            if let Some(metadata) = describe(cx, key_id).await? {
                if !is_pending_deletion(&metadata) {
                    return Ok(Some(applied(&metadata)));
                }
            }
        }
        Ok(None)
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = At::root(req.properties);
        let policy = policy_text(&props)?;
        let tags = kms_tags(&req.tags.for_properties(req.properties))?;
        let description = props.str("Description")?;
        let key_spec = props.str("KeySpec")?.map(|s| KeySpec::from(s.as_str()));
        let key_usage = props.str("KeyUsage")?.map(|s| KeyUsageType::from(s.as_str()));
        let origin = props.str("Origin")?.map(|s| OriginType::from(s.as_str()));
        let multi_region = props.bool("MultiRegion")?;
        let bypass = props.bool("BypassPolicyLockoutSafetyCheck")?;
        let out = retry_while(IAM_ROLE_PROPAGATION, is_unpropagated_principal, || {
            with_retries(|| async {
                cx.clients
                    .kms()
                    .create_key()
                    .set_policy(policy.clone())
                    .set_description(description.clone())
                    .set_key_spec(key_spec.clone())
                    .set_key_usage(key_usage.clone())
                    .set_origin(origin.clone())
                    .set_multi_region(multi_region)
                    .set_bypass_policy_lockout_safety_check(bypass)
                    .set_tags(Some(tags.clone()))
                    .send()
                    .await
                    .map_err(aws_error("kms:CreateKey"))
            })
        })
        .await?;
        let metadata = out.key_metadata.ok_or_else(|| ProviderError::Aws {
            operation: "kms:CreateKey",
            code: "EmptyResponse".into(),
            message: "no key metadata in the answer".into(),
        })?;
        let key_id = metadata.key_id().to_owned();
        if props.bool("EnableKeyRotation")? == Some(true) {
            set_rotation(cx, &key_id, true, props.i32("RotationPeriodInDays")?).await?;
        }
        // Rotation can only be changed on an enabled key: disable last.
        if props.bool("Enabled")? == Some(false) {
            set_enabled(cx, &key_id, false).await?;
        }
        Ok(applied(&metadata))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let Some(metadata) = describe(cx, physical_id).await? else { return Ok(None) };
        if is_pending_deletion(&metadata) {
            return Ok(None);
        }
        let mut props = Map::new();
        props.insert("Description".into(), json!(metadata.description().unwrap_or_default()));
        props.insert("Enabled".into(), json!(metadata.enabled()));
        if let Some(spec) = metadata.key_spec() {
            props.insert("KeySpec".into(), json!(spec.as_str()));
        }
        if let Some(usage) = metadata.key_usage() {
            props.insert("KeyUsage".into(), json!(usage.as_str()));
        }
        if let Some(origin) = metadata.origin() {
            props.insert("Origin".into(), json!(origin.as_str()));
        }
        props.insert("MultiRegion".into(), json!(metadata.multi_region().unwrap_or(false)));
        if let Some((enabled, period)) = rotation(cx, physical_id).await? {
            props.insert("EnableKeyRotation".into(), json!(enabled));
            if let (true, Some(days)) = (enabled, period) {
                props.insert("RotationPeriodInDays".into(), json!(days));
            }
        }
        let policy = cx
            .clients
            .kms()
            .get_key_policy()
            .key_id(physical_id)
            .policy_name("default")
            .send()
            .await
            .map_err(aws_error("kms:GetKeyPolicy"))?;
        if let Some(text) = policy.policy() {
            props.insert("KeyPolicy".into(), json_document(text));
        }
        let tags = live_tags(cx, physical_id).await?;
        if let Some(list) = spec_tag_list(&tags, recorded) {
            props.insert("Tags".into(), list);
        }
        // Write-only: AWS never reports them.
        echo_recorded(&mut props, recorded, &["PendingWindowInDays", "BypassPolicyLockoutSafetyCheck"]);
        // moto 5.2.5 keeps no rotation period: keep the recorded one locally.
        if cx.local && props.get("EnableKeyRotation") == Some(&json!(true)) {
            echo_recorded(&mut props, recorded, &["RotationPeriodInDays"]);
        }
        Ok(Some(Live { properties: Value::Object(props), attributes: applied(&metadata).attributes, tags }))
    }

    /// Audited: `read` reports every property AWS holds and echoes the
    /// ones AWS cannot report, so an omitted one was removed.
    fn absent_means_removed(&self) -> bool {
        true
    }

    async fn update(&self, cx: &Cx, id: &str, before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = At::root(req.properties);
        let old = At::root(before);
        let description = props.str("Description")?;
        if description != old.str("Description")? {
            let text = description.unwrap_or_default();
            with_retries(|| async {
                cx.clients
                    .kms()
                    .update_key_description()
                    .key_id(id)
                    .description(&text)
                    .send()
                    .await
                    .map_err(aws_error("kms:UpdateKeyDescription"))
            })
            .await?;
        }
        if props.get("KeyPolicy") != old.get("KeyPolicy") {
            let policy = match policy_text(&props)? {
                Some(p) => p,
                None => default_key_policy(cx).to_string(),
            };
            put_policy(cx, id, &policy, props.bool("BypassPolicyLockoutSafetyCheck")?).await?;
        }
        let enabled = props.bool("Enabled")?.unwrap_or(true);
        let was_enabled = old.bool("Enabled")?.unwrap_or(true);
        // Rotation settings can only change on an enabled key.
        if enabled && !was_enabled {
            set_enabled(cx, id, true).await?;
        }
        let rotation = (props.bool("EnableKeyRotation")?.unwrap_or(false), props.i32("RotationPeriodInDays")?);
        let old_rotation = (old.bool("EnableKeyRotation")?.unwrap_or(false), old.i32("RotationPeriodInDays")?);
        if rotation != old_rotation {
            set_rotation(cx, id, rotation.0, rotation.1).await?;
        }
        if !enabled && was_enabled {
            set_enabled(cx, id, false).await?;
        }
        let live = live_tags(cx, id).await?;
        tagging::converge(&KmsTags, cx, id, &live, &req.tags.for_properties(req.properties)).await?;
        let metadata = describe(cx, id).await?.ok_or_else(|| ProviderError::Aws {
            operation: "kms:DescribeKey",
            code: "NotFoundException".into(),
            message: format!("key {id} disappeared during the update"),
        })?;
        Ok(applied(&metadata))
    }

    /// Schedules the deletion (KMS never deletes a key at once) after
    /// `PendingWindowInDays`, or KMS's minimum of 7 days. A key already
    /// pending deletion counts as deleted.
    async fn delete(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<(), ProviderError> {
        let Some(metadata) = describe(cx, physical_id).await? else { return Ok(()) };
        if is_pending_deletion(&metadata) {
            return Ok(());
        }
        let window = At::root(recorded).i32("PendingWindowInDays")?.unwrap_or(DEFAULT_PENDING_WINDOW_DAYS);
        let scheduled = with_retries(|| async {
            cx.clients
                .kms()
                .schedule_key_deletion()
                .key_id(physical_id)
                .pending_window_in_days(window)
                .send()
                .await
                .map_err(aws_error("kms:ScheduleKeyDeletion"))
        })
        .await;
        match scheduled {
            Ok(_) => {}
            Err(e) if e.is_not_found() => return Ok(()),
            // Scheduled meanwhile by someone else: deleted all the same.
            Err(e) if e.aws_code() == Some("KMSInvalidStateException") => {
                if describe(cx, physical_id).await?.is_none_or(|m| is_pending_deletion(&m)) {
                    return Ok(());
                }
                return Err(e);
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// The window comes from the key's own recorded properties, so
    /// concurrent deletions of different keys each report their own.
    fn delete_note(&self, recorded: &Value) -> Option<String> {
        let days = recorded
            .get("PendingWindowInDays")
            .and_then(Value::as_i64)
            .unwrap_or(i64::from(DEFAULT_PENDING_WINDOW_DAYS));
        Some(format!("scheduled for deletion in {days} days"))
    }
}

// ---------------------------------------------------------------- identity --

fn kms_tags(tags: &BTreeMap<String, String>) -> Result<Vec<Tag>, ProviderError> {
    tags.iter().map(|(k, v)| Tag::builder().tag_key(k).tag_value(v).build().map_err(built("Tags"))).collect()
}

fn applied(metadata: &KeyMetadata) -> Applied {
    let key_id = metadata.key_id().to_owned();
    Applied {
        physical_id: key_id.clone(),
        attributes: attributes([
            ("KeyId", Value::String(key_id)),
            ("Arn", Value::String(metadata.arn().unwrap_or_default().to_owned())),
        ]),
    }
}

/// The key's metadata, or None when it does not exist.
async fn describe(cx: &Cx, key_id: &str) -> Result<Option<KeyMetadata>, ProviderError> {
    Ok(cx
        .clients
        .kms()
        .describe_key()
        .key_id(key_id)
        .send()
        .await
        .map_err(aws_error("kms:DescribeKey"))
        .found()?
        .and_then(|out| out.key_metadata))
}

fn is_pending_deletion(metadata: &KeyMetadata) -> bool {
    matches!(metadata.key_state(), Some(KeyState::PendingDeletion | KeyState::PendingReplicaDeletion))
}

async fn live_tags(cx: &Cx, key_id: &str) -> Result<BTreeMap<String, String>, ProviderError> {
    let tags = cx
        .clients
        .kms()
        .list_resource_tags()
        .key_id(key_id)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(aws_error("kms:ListResourceTags"))?;
    Ok(tags.into_iter().map(|t| (t.tag_key, t.tag_value)).collect())
}

/// KMS tags a key by its id, with `[{TagKey, TagValue}]`.
struct KmsTags;

#[async_trait::async_trait]
impl TagApi for KmsTags {
    async fn tag(&self, cx: &Cx, key_id: &str, tags: &Tags) -> Result<(), ProviderError> {
        let tags = kms_tags(tags)?;
        let call = cx.clients.kms().tag_resource().key_id(key_id).set_tags(Some(tags));
        call.send().await.map(drop).map_err(aws_error("kms:TagResource"))
    }

    async fn untag(&self, cx: &Cx, key_id: &str, keys: &[String]) -> Result<(), ProviderError> {
        let call = cx.clients.kms().untag_resource().key_id(key_id).set_tag_keys(Some(keys.to_vec()));
        call.send().await.map(drop).map_err(aws_error("kms:UntagResource"))
    }
}

// ------------------------------------------------------------------ create --

/// The key policy as text: AWS takes it as a JSON string.
fn policy_text(props: &At<'_>) -> Result<Option<String>, ProviderError> {
    match props.get("KeyPolicy") {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(doc) => {
            serde_json::to_string(doc).map(Some).map_err(|e| ProviderError::invalid("KeyPolicy", e.to_string()))
        }
    }
}

/// KMS refuses a policy naming an IAM principal it cannot see yet (a role
/// created moments ago): that is IAM propagation, not a bad policy. With
/// no role created or changed lately, the principal is really wrong.
fn is_unpropagated_principal(err: &ProviderError) -> bool {
    err.aws_code() == Some("MalformedPolicyDocumentException")
        && err.to_string().to_lowercase().contains("principal")
        && crate::provider::retry::role_recently_changed()
}

// -------------------------------------------------------------------- read --

/// Rotation status; None for keys that cannot rotate (asymmetric, HMAC,
/// imported material), where KMS answers UnsupportedOperationException.
async fn rotation(cx: &Cx, key_id: &str) -> Result<Option<(bool, Option<i32>)>, ProviderError> {
    match cx.clients.kms().get_key_rotation_status().key_id(key_id).send().await {
        Ok(out) => Ok(Some((out.key_rotation_enabled(), out.rotation_period_in_days()))),
        Err(e) => {
            let err = aws_error("kms:GetKeyRotationStatus")(e);
            if err.aws_code() == Some("UnsupportedOperationException") {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

// ------------------------------------------- update (in kms_key/update.rs) --

// ------------------------------------------------------------------ delete --

/// The default deletion window strata asks for when the spec gives none:
/// KMS's minimum, so a replaced or destroyed key stops costing soonest while
/// still leaving a week in which the deletion can be cancelled.
pub const DEFAULT_PENDING_WINDOW_DAYS: i32 = 7;
