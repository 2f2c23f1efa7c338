//! `AWS::Logs::LogGroup`.
//!
//! `RetentionInDays` accepts only CloudWatch Logs' fixed set of values (1, 3,
//! 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
//! 2557, 2922, 3288, 3653); the schema has no integer enum, so AWS checks it.
//!
//! CloudFormation's `Arn` attribute of a log group ends in `:*`
//! (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*`); a policy that needs the
//! log-stream form is clearer built from `LogGroupName`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_cloudwatchlogs::types::{LogGroup, LogGroupClass};
use serde_json::{json, Map, Value};

use crate::provider::retry::with_retries;
use crate::provider::schema::ResourceSchema;
use crate::provider::types::data_common::{
    attributes, echo_recorded, json_document, physical_name, same_key_as_recorded, At,
};
use crate::provider::types::tagging::{self, spec_tag_list, TagApi, Tags};
use crate::provider::{aws_error, lookup, Applied, Cx, Live, NotFoundExt, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    ResourceSchema {
        type_name: "AWS::Logs::LogGroup",
        properties: &[
            create_only(optional("LogGroupName", String)),
            optional("RetentionInDays", Integer),
            // A KMS key ARN; its key policy must let logs.REGION.amazonaws.com use it.
            optional("KmsKeyId", String),
            // STANDARD, INFREQUENT_ACCESS, ...: a string, AWS adds classes.
            create_only(optional("LogGroupClass", String)),
            optional("DataProtectionPolicy", Json),
            optional("Tags", TAG_LIST),
        ],
        attributes: &["LogGroupName", "Arn"],
        id_attribute: "LogGroupName",
        taggable: true,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    /// By name: log group names are unique per account and region.
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let name = physical_name(req, "LogGroupName", MAX_LOG_GROUP_NAME)?;
        let Some(group) = describe(cx, &name).await? else { return Ok(None) };
        req.tags.claim(SCHEMA.type_name, &name, &live_tags(cx, &arn_of(&group)).await?)?;
        Ok(Some(applied(&group)))
    }

    /// One listing of the groups under the names' common prefix.
    async fn find_many(&self, cx: &Cx, reqs: &[Request<'_>]) -> lookup::Found {
        let name = |req: &Request<'_>| physical_name(req, "LogGroupName", MAX_LOG_GROUP_NAME);
        lookup::by_listed_name(self, cx, reqs, |names| list_names(cx, lookup::common_prefix(&names).to_owned()), name)
            .await
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = At::root(req.properties);
        let name = physical_name(req, "LogGroupName", MAX_LOG_GROUP_NAME)?;
        let policy = data_protection_text(&props)?;
        if policy.is_some() {
            refuse_on_local_cloud(cx, "data protection policies", "DataProtectionPolicy")?;
        }
        let key = props.str("KmsKeyId")?;
        let class = props.str("LogGroupClass")?.map(|c| LogGroupClass::from(c.as_str()));
        let tags: HashMap<String, String> = req.tags.for_properties(req.properties).into_iter().collect();
        with_retries(|| async {
            cx.clients
                .logs()
                .create_log_group()
                .log_group_name(&name)
                .set_kms_key_id(key.clone())
                .set_log_group_class(class.clone())
                .set_tags(Some(tags.clone()))
                .send()
                .await
                .map_err(aws_error("logs:CreateLogGroup"))
        })
        .await?;
        if let Some(days) = props.i32("RetentionInDays")? {
            put_retention(cx, &name, Some(days)).await?;
        }
        if let Some(doc) = &policy {
            put_data_protection(cx, &name, Some(doc)).await?;
        }
        Ok(applied(&must_describe(cx, &name).await?))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let Some(group) = describe(cx, physical_id).await? else { return Ok(None) };
        let mut m = Map::new();
        m.insert("LogGroupName".into(), json!(physical_id));
        if let Some(days) = group.retention_in_days() {
            m.insert("RetentionInDays".into(), json!(days));
        }
        if let Some(key) = group.kms_key_id() {
            m.insert(
                "KmsKeyId".into(),
                json!(same_key_as_recorded(key, recorded.get("KmsKeyId").and_then(Value::as_str))),
            );
        }
        if let Some(class) = group.log_group_class() {
            m.insert("LogGroupClass".into(), json!(class.as_str()));
        }
        if cx.local {
            // moto 5.2.5 stores no log group class.
            echo_recorded(&mut m, recorded, &["LogGroupClass"]);
        } else {
            let policy = cx
                .clients
                .logs()
                .get_data_protection_policy()
                .log_group_identifier(physical_id)
                .send()
                .await
                .map_err(aws_error("logs:GetDataProtectionPolicy"));
            match policy {
                Ok(out) => {
                    if let Some(doc) = out.policy_document().filter(|d| !d.is_empty()) {
                        m.insert("DataProtectionPolicy".into(), json_document(doc));
                    }
                }
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        let tags = live_tags(cx, &arn_of(&group)).await?;
        if let Some(list) = spec_tag_list(&tags, recorded) {
            m.insert("Tags".into(), list);
        }
        Ok(Some(Live { properties: Value::Object(m), attributes: applied(&group).attributes, tags }))
    }

    /// Audited: `read` reports every property AWS holds and echoes the
    /// ones AWS cannot report, so an omitted one was removed.
    fn absent_means_removed(&self) -> bool {
        true
    }

    async fn update(&self, cx: &Cx, id: &str, before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let (old, new) = (At::root(before), At::root(req.properties));
        // Refused before anything changes, not halfway.
        if new.str("KmsKeyId")? != old.str("KmsKeyId")? {
            refuse_on_local_cloud(cx, "changing a log group's KMS key (AssociateKmsKey)", "KmsKeyId")?;
        }
        if new.get("DataProtectionPolicy") != old.get("DataProtectionPolicy") {
            refuse_on_local_cloud(cx, "data protection policies", "DataProtectionPolicy")?;
        }
        let days = new.i32("RetentionInDays")?;
        if days != old.i32("RetentionInDays")? {
            put_retention(cx, id, days).await?;
        }
        let key = new.str("KmsKeyId")?;
        if key != old.str("KmsKeyId")? {
            set_kms_key(cx, id, key.as_deref()).await?;
        }
        let policy = data_protection_text(&new)?;
        if new.get("DataProtectionPolicy") != old.get("DataProtectionPolicy") {
            put_data_protection(cx, id, policy.as_deref()).await?;
        }
        let group = must_describe(cx, id).await?;
        let arn = arn_of(&group);
        let live = live_tags(cx, &arn).await?;
        tagging::converge(&LogsTags, cx, &arn, &live, &req.tags.for_properties(req.properties)).await?;
        Ok(applied(&group))
    }

    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        let deleted = with_retries(|| async {
            cx.clients
                .logs()
                .delete_log_group()
                .log_group_name(physical_id)
                .send()
                .await
                .map_err(aws_error("logs:DeleteLogGroup"))
        })
        .await;
        deleted.gone_ok()
    }
}

// ---------------------------------------------------------------- identity --

/// CloudWatch Logs' limit on a log group name.
const MAX_LOG_GROUP_NAME: usize = 512;

/// The log group's ARN without CloudFormation's trailing `:*` (the form
/// the tagging API and IAM resource ARNs of the group itself use).
fn arn_of(group: &LogGroup) -> String {
    match group.log_group_arn() {
        Some(arn) => arn.to_owned(),
        None => group.arn().unwrap_or_default().trim_end_matches(":*").to_owned(),
    }
}

fn applied(group: &LogGroup) -> Applied {
    let name = group.log_group_name().unwrap_or_default().to_owned();
    Applied {
        physical_id: name.clone(),
        attributes: attributes([("LogGroupName", json!(name)), ("Arn", json!(arn_of(group)))]),
    }
}

/// The names of the log groups that start with `prefix`.
async fn list_names(cx: &Cx, prefix: String) -> Result<BTreeSet<String>, ProviderError> {
    let mut call = cx.clients.logs().describe_log_groups();
    if !prefix.is_empty() {
        call = call.log_group_name_prefix(prefix);
    }
    let groups: Vec<LogGroup> =
        call.into_paginator().items().send().try_collect().await.map_err(aws_error("logs:DescribeLogGroups"))?;
    Ok(groups.iter().filter_map(|g| g.log_group_name()).map(str::to_owned).collect())
}

/// The log group of exactly that name, or None (DescribeLogGroups only
/// filters by prefix).
async fn describe(cx: &Cx, name: &str) -> Result<Option<LogGroup>, ProviderError> {
    let groups = cx
        .clients
        .logs()
        .describe_log_groups()
        .log_group_name_prefix(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(aws_error("logs:DescribeLogGroups"))?;
    Ok(groups.into_iter().find(|g| g.log_group_name() == Some(name)))
}

async fn must_describe(cx: &Cx, name: &str) -> Result<LogGroup, ProviderError> {
    describe(cx, name).await?.ok_or_else(|| ProviderError::Aws {
        operation: "logs:DescribeLogGroups",
        code: "ResourceNotFoundException".into(),
        message: format!("log group {name} is not there"),
    })
}

async fn live_tags(cx: &Cx, arn: &str) -> Result<BTreeMap<String, String>, ProviderError> {
    let out = cx
        .clients
        .logs()
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(aws_error("logs:ListTagsForResource"))?;
    Ok(tagging::from_hash_map(out.tags()))
}

/// Logs tags a group by its ARN, with a map.
struct LogsTags;

#[async_trait::async_trait]
impl TagApi for LogsTags {
    async fn tag(&self, cx: &Cx, arn: &str, tags: &Tags) -> Result<(), ProviderError> {
        let call = cx.clients.logs().tag_resource().resource_arn(arn);
        call.set_tags(Some(tags.clone().into_iter().collect()))
            .send()
            .await
            .map(drop)
            .map_err(aws_error("logs:TagResource"))
    }

    async fn untag(&self, cx: &Cx, arn: &str, keys: &[String]) -> Result<(), ProviderError> {
        let call = cx.clients.logs().untag_resource().resource_arn(arn).set_tag_keys(Some(keys.to_vec()));
        call.send().await.map(drop).map_err(aws_error("logs:UntagResource"))
    }
}

// ------------------------------------------------------------------ create --

/// The data protection policy as text (AWS takes and returns a string).
fn data_protection_text(props: &At<'_>) -> Result<Option<String>, ProviderError> {
    match props.get("DataProtectionPolicy") {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(doc) => serde_json::to_string(doc)
            .map(Some)
            .map_err(|e| ProviderError::invalid("DataProtectionPolicy", e.to_string())),
    }
}

async fn put_retention(cx: &Cx, name: &str, days: Option<i32>) -> Result<(), ProviderError> {
    match days {
        Some(days) => {
            with_retries(|| async {
                cx.clients
                    .logs()
                    .put_retention_policy()
                    .log_group_name(name)
                    .retention_in_days(days)
                    .send()
                    .await
                    .map_err(aws_error("logs:PutRetentionPolicy"))
            })
            .await?;
        }
        None => {
            with_retries(|| async {
                cx.clients
                    .logs()
                    .delete_retention_policy()
                    .log_group_name(name)
                    .send()
                    .await
                    .map_err(aws_error("logs:DeleteRetentionPolicy"))
            })
            .await?;
        }
    }
    Ok(())
}

// ------------------------------------------------------------------ update --

async fn put_data_protection(cx: &Cx, name: &str, policy: Option<&str>) -> Result<(), ProviderError> {
    refuse_on_local_cloud(cx, "data protection policies", "DataProtectionPolicy")?;
    match policy {
        Some(doc) => {
            with_retries(|| async {
                cx.clients
                    .logs()
                    .put_data_protection_policy()
                    .log_group_identifier(name)
                    .policy_document(doc)
                    .send()
                    .await
                    .map_err(aws_error("logs:PutDataProtectionPolicy"))
            })
            .await?;
        }
        None => {
            with_retries(|| async {
                cx.clients
                    .logs()
                    .delete_data_protection_policy()
                    .log_group_identifier(name)
                    .send()
                    .await
                    .map_err(aws_error("logs:DeleteDataProtectionPolicy"))
            })
            .await?;
        }
    }
    Ok(())
}

async fn set_kms_key(cx: &Cx, name: &str, key: Option<&str>) -> Result<(), ProviderError> {
    refuse_on_local_cloud(cx, "changing a log group's KMS key (AssociateKmsKey)", "KmsKeyId")?;
    match key {
        Some(key) => {
            with_retries(|| async {
                cx.clients
                    .logs()
                    .associate_kms_key()
                    .log_group_name(name)
                    .kms_key_id(key)
                    .send()
                    .await
                    .map_err(aws_error("logs:AssociateKmsKey"))
            })
            .await?;
        }
        None => {
            with_retries(|| async {
                cx.clients
                    .logs()
                    .disassociate_kms_key()
                    .log_group_name(name)
                    .send()
                    .await
                    .map_err(aws_error("logs:DisassociateKmsKey"))
            })
            .await?;
        }
    }
    Ok(())
}

// ------------------------------------------------------------- local cloud --

/// moto 5.2.5 implements neither data protection policies nor
/// AssociateKmsKey / DisassociateKmsKey (it answers 500): say so.
fn refuse_on_local_cloud(cx: &Cx, what: &str, property: &str) -> Result<(), ProviderError> {
    if cx.local {
        return Err(ProviderError::invalid(
            property,
            format!("the local cloud (moto 5.2.5) does not implement {what}"),
        ));
    }
    Ok(())
}
