//! `AWS::Scheduler::ScheduleGroup`: an EventBridge Scheduler schedule group.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_scheduler::operation::get_schedule_group::GetScheduleGroupOutput;
use aws_sdk_scheduler::types::{ScheduleGroupState, Tag};
use serde_json::{json, Map, Value};

use crate::provider::retry::with_retries;
use crate::provider::schema::ResourceSchema;
use crate::provider::types::data_common::{attributes, built, physical_name, Wait};
use crate::provider::types::tagging::{self, spec_tag_list, TagApi, Tags};
use crate::provider::{aws_error, Applied, Cx, Live, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    ResourceSchema {
        type_name: "AWS::Scheduler::ScheduleGroup",
        properties: &[create_only(optional("Name", String)), optional("Tags", TAG_LIST)],
        attributes: &["Name", "Arn"],
        id_attribute: "Name",
        taggable: true,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    /// By name: group names are unique per account and region.
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let name = physical_name(req, "Name", MAX_GROUP_NAME)?;
        let Some(group) = describe(cx, &name).await? else { return Ok(None) };
        let arn = group.arn().unwrap_or_default();
        req.tags.claim(SCHEMA.type_name, &name, &live_tags(cx, arn).await?)?;
        Ok(Some(applied(&name, arn)))
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let name = physical_name(req, "Name", MAX_GROUP_NAME)?;
        let tags = scheduler_tags(&req.tags.for_properties(req.properties))?;
        // Not `with_retries`: ConflictException here means the group
        // exists, which `retry::classify` would retry as a conflict.
        let out = cx
            .clients
            .scheduler()
            .create_schedule_group()
            .name(&name)
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(aws_error("scheduler:CreateScheduleGroup"))?;
        Ok(applied(&name, out.schedule_group_arn()))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let Some(group) = describe(cx, physical_id).await? else { return Ok(None) };
        let arn = group.arn().unwrap_or_default();
        let tags = live_tags(cx, arn).await?;
        let mut m = Map::new();
        m.insert("Name".into(), json!(physical_id));
        if let Some(list) = spec_tag_list(&tags, recorded) {
            m.insert("Tags".into(), list);
        }
        Ok(Some(Live { properties: Value::Object(m), attributes: applied(physical_id, arn).attributes, tags }))
    }

    /// Only the tags can change (the name is createOnly).
    async fn update(&self, cx: &Cx, id: &str, _before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let group = describe(cx, id).await?.ok_or_else(|| ProviderError::Aws {
            operation: "scheduler:GetScheduleGroup",
            code: "ResourceNotFoundException".into(),
            message: format!("schedule group {id} is not there"),
        })?;
        let arn = group.arn().unwrap_or_default();
        tagging::converge(
            &SchedulerTags,
            cx,
            arn,
            &live_tags(cx, arn).await?,
            &req.tags.for_properties(req.properties),
        )
        .await?;
        Ok(applied(id, arn))
    }

    /// Deletes the group (AWS deletes its schedules with it) and waits
    /// until it is gone. A group already gone is not asked to delete
    /// (moto 5.2.5 answers 500, not ResourceNotFound, for a missing one).
    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        if describe(cx, physical_id).await?.is_some() {
            let deleted = with_retries(|| async {
                cx.clients
                    .scheduler()
                    .delete_schedule_group()
                    .name(physical_id)
                    .send()
                    .await
                    .map_err(aws_error("scheduler:DeleteScheduleGroup"))
            })
            .await;
            match deleted {
                Err(e) if !e.is_not_found() => return Err(e),
                _ => {}
            }
        }
        GROUP_DELETED.until(cx, physical_id, || async { Ok((!exists(cx, physical_id).await?).then_some(())) }).await
    }
}

// ---------------------------------------------------------------- identity --

/// EventBridge Scheduler's limit on a group name.
const MAX_GROUP_NAME: usize = 64;

/// The group, or None when it does not exist or is being deleted.
async fn describe(cx: &Cx, name: &str) -> Result<Option<GetScheduleGroupOutput>, ProviderError> {
    match cx.clients.scheduler().get_schedule_group().name(name).send().await {
        Ok(out) if out.state() == Some(&ScheduleGroupState::Deleting) => Ok(None),
        Ok(out) => Ok(Some(out)),
        Err(e) => {
            let err = aws_error("scheduler:GetScheduleGroup")(e);
            if err.is_not_found() {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

/// True while the group exists at all, DELETING included.
async fn exists(cx: &Cx, name: &str) -> Result<bool, ProviderError> {
    match cx.clients.scheduler().get_schedule_group().name(name).send().await {
        Ok(_) => Ok(true),
        Err(e) => {
            let err = aws_error("scheduler:GetScheduleGroup")(e);
            if err.is_not_found() {
                Ok(false)
            } else {
                Err(err)
            }
        }
    }
}

fn applied(name: &str, arn: &str) -> Applied {
    Applied { physical_id: name.to_owned(), attributes: attributes([("Name", json!(name)), ("Arn", json!(arn))]) }
}

fn scheduler_tags(tags: &BTreeMap<String, String>) -> Result<Vec<Tag>, ProviderError> {
    tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(built("Tags"))).collect()
}

async fn live_tags(cx: &Cx, arn: &str) -> Result<BTreeMap<String, String>, ProviderError> {
    let out = cx
        .clients
        .scheduler()
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(aws_error("scheduler:ListTagsForResource"))?;
    Ok(out.tags().iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect())
}

/// EventBridge Scheduler tags a group by its ARN, with `[{Key, Value}]`.
struct SchedulerTags;

#[async_trait::async_trait]
impl TagApi for SchedulerTags {
    async fn tag(&self, cx: &Cx, arn: &str, tags: &Tags) -> Result<(), ProviderError> {
        let call = cx.clients.scheduler().tag_resource().resource_arn(arn).set_tags(Some(scheduler_tags(tags)?));
        call.send().await.map(drop).map_err(aws_error("scheduler:TagResource"))
    }

    async fn untag(&self, cx: &Cx, arn: &str, keys: &[String]) -> Result<(), ProviderError> {
        let call = cx.clients.scheduler().untag_resource().resource_arn(arn).set_tag_keys(Some(keys.to_vec()));
        call.send().await.map(drop).map_err(aws_error("scheduler:UntagResource"))
    }
}

// ------------------------------------------------------------------ delete --

/// Deleting a group is asynchronous (DELETING, its schedules deleted
/// with it); the name is only free once the group is gone.
const GROUP_DELETED: Wait = Wait {
    what: "EventBridge Scheduler schedule group deleted",
    limit: Duration::from_secs(5 * 60),
    every: Duration::from_secs(3),
};
