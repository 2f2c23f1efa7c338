//! `AWS::DynamoDB::Table`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, ContributorInsightsAction, ContributorInsightsStatus,
    CreateGlobalSecondaryIndexAction, DeleteGlobalSecondaryIndexAction, GlobalSecondaryIndex,
    GlobalSecondaryIndexDescription, GlobalSecondaryIndexUpdate, IndexStatus, KeySchemaElement, KeyType,
    LocalSecondaryIndex, PointInTimeRecoverySpecification, PointInTimeRecoveryStatus, Projection, ProjectionType,
    ProvisionedThroughput, ProvisionedThroughputDescription, ScalarAttributeType, SseSpecification, SseStatus, SseType,
    StreamSpecification, StreamViewType, TableClass, TableDescription, TableStatus, Tag, TimeToLiveSpecification,
    TimeToLiveStatus, UpdateGlobalSecondaryIndexAction,
};
use serde_json::{json, Map, Value};

use crate::provider::retry::with_retries;
use crate::provider::schema::ResourceSchema;
use crate::provider::types::data_common::{
    attributes, built, echo_recorded, order_like, physical_name, same_key_as_recorded, At, Wait,
};
use crate::provider::types::tagging::{self, spec_tag_list, TagApi, Tags};
use crate::provider::{aws_error, lookup, Applied, Cx, Live, NotFoundExt, ProviderError, Request};

mod create;
mod read;
mod update;
use create::*;
use read::*;
use update::*;

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    const ATTRIBUTE_DEFINITION: ValueType =
        Object(&[required("AttributeName", String), required("AttributeType", Enum(&["S", "N", "B"]))]);

    /// A table's or an index's key: one HASH element and at most one RANGE element.
    const KEY_SCHEMA: ValueType =
        List(&Object(&[required("AttributeName", String), required("KeyType", Enum(&["HASH", "RANGE"]))]));

    const PROJECTION: ValueType = Object(&[
        optional("ProjectionType", Enum(&["ALL", "KEYS_ONLY", "INCLUDE"])),
        optional("NonKeyAttributes", List(&String)),
    ]);

    const PROVISIONED_THROUGHPUT: ValueType =
        Object(&[required("ReadCapacityUnits", Integer), required("WriteCapacityUnits", Integer)]);

    const CONTRIBUTOR_INSIGHTS: ValueType = Object(&[required("Enabled", Boolean)]);

    const GLOBAL_SECONDARY_INDEX: ValueType = Object(&[
        required("IndexName", String),
        required("KeySchema", KEY_SCHEMA),
        required("Projection", PROJECTION),
        optional("ProvisionedThroughput", PROVISIONED_THROUGHPUT),
        optional("ContributorInsightsSpecification", CONTRIBUTOR_INSIGHTS),
    ]);

    const LOCAL_SECONDARY_INDEX: ValueType =
        Object(&[required("IndexName", String), required("KeySchema", KEY_SCHEMA), required("Projection", PROJECTION)]);

    const SSE_SPECIFICATION: ValueType = Object(&[
        required("SSEEnabled", Boolean),
        optional("SSEType", Enum(&["AES256", "KMS"])),
        // Key id, key ARN or alias; only with SSEType KMS.
        optional("KMSMasterKeyId", String),
    ]);

    const POINT_IN_TIME_RECOVERY: ValueType = Object(&[optional("PointInTimeRecoveryEnabled", Boolean)]);

    const STREAM_SPECIFICATION: ValueType =
        Object(&[required("StreamViewType", Enum(&["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]))]);

    const TIME_TO_LIVE: ValueType = Object(&[required("Enabled", Boolean), optional("AttributeName", String)]);

    ResourceSchema {
        type_name: "AWS::DynamoDB::Table",
        properties: &[
            create_only(optional("TableName", String)),
            // Conditional in CloudFormation only because of ImportSourceSpecification,
            // which strata does not describe: every table strata creates needs it.
            required("AttributeDefinitions", List(&ATTRIBUTE_DEFINITION)),
            create_only(required("KeySchema", KEY_SCHEMA)),
            optional("BillingMode", Enum(&["PROVISIONED", "PAY_PER_REQUEST"])),
            optional("ProvisionedThroughput", PROVISIONED_THROUGHPUT),
            optional("GlobalSecondaryIndexes", List(&GLOBAL_SECONDARY_INDEX)),
            create_only(optional("LocalSecondaryIndexes", List(&LOCAL_SECONDARY_INDEX))),
            optional("SSESpecification", SSE_SPECIFICATION),
            optional("PointInTimeRecoverySpecification", POINT_IN_TIME_RECOVERY),
            optional("StreamSpecification", STREAM_SPECIFICATION),
            optional("TimeToLiveSpecification", TIME_TO_LIVE),
            optional("TableClass", Enum(&["STANDARD", "STANDARD_INFREQUENT_ACCESS"])),
            optional("DeletionProtectionEnabled", Boolean),
            optional("ContributorInsightsSpecification", CONTRIBUTOR_INSIGHTS),
            optional("Tags", TAG_LIST),
        ],
        attributes: &["TableName", "Arn", "StreamArn"],
        id_attribute: "TableName",
        taggable: true,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    /// By name (table names are unique per account and region); waits
    /// for a table still being created, and one being deleted is none.
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let name = physical_name(req, "TableName", MAX_TABLE_NAME)?;
        let Some(table) = describe(cx, &name).await? else { return Ok(None) };
        if table.table_status() == Some(&TableStatus::Deleting) {
            wait_deleted(cx, &name).await?;
            return Ok(None);
        }
        req.tags.claim(SCHEMA.type_name, &name, &live_tags(cx, table.table_arn().unwrap_or_default()).await?)?;
        Ok(Some(applied(&wait_settled(cx, &name, INDEX_ACTIVE).await?)))
    }

    /// One ListTables for all of them.
    async fn find_many(&self, cx: &Cx, reqs: &[Request<'_>]) -> lookup::Found {
        let name = |req: &Request<'_>| physical_name(req, "TableName", MAX_TABLE_NAME);
        lookup::by_listed_name(self, cx, reqs, |_| list_names(cx), name).await
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = At::root(req.properties);
        refuse_on_local_cloud(cx, &props)?;
        let name = physical_name(req, "TableName", MAX_TABLE_NAME)?;
        let definitions = attribute_definitions(&props)?;
        let keys = key_schema(&props)?;
        let mode = props.str("BillingMode")?.map(|m| BillingMode::from(m.as_str()));
        let table_throughput = throughput(&props)?;
        let globals = props.list("GlobalSecondaryIndexes")?.iter().map(global_index).collect::<Result<Vec<_>, _>>()?;
        let locals = props.list("LocalSecondaryIndexes")?.iter().map(local_index).collect::<Result<Vec<_>, _>>()?;
        let encryption = sse(&props)?;
        let streams = stream(&props)?;
        let class = props.str("TableClass")?.map(|c| TableClass::from(c.as_str()));
        let protection = props.bool("DeletionProtectionEnabled")?;
        let tags = dynamo_tags(&req.tags.for_properties(req.properties))?;
        // Not `with_retries`: ResourceInUseException here means the table
        // exists, which `retry::classify` would retry for minutes.
        cx.clients
            .dynamodb()
            .create_table()
            .table_name(&name)
            .set_attribute_definitions(Some(definitions.clone()))
            .set_key_schema(Some(keys.clone()))
            .set_billing_mode(mode.clone())
            .set_provisioned_throughput(table_throughput.clone())
            .set_global_secondary_indexes((!globals.is_empty()).then(|| globals.clone()))
            .set_local_secondary_indexes((!locals.is_empty()).then(|| locals.clone()))
            .set_sse_specification(encryption.clone())
            .set_stream_specification(streams.clone())
            .set_table_class(class.clone())
            .set_deletion_protection_enabled(protection)
            .set_tags(Some(tags.clone()))
            .send()
            .await
            .map_err(aws_error("dynamodb:CreateTable"))?;
        let wait = if globals.is_empty() { TABLE_ACTIVE } else { INDEX_ACTIVE };
        wait_settled(cx, &name, wait).await?;
        apply_extras(cx, &name, &props).await?;
        let table = wait_settled(cx, &name, TABLE_ACTIVE).await?;
        Ok(applied(&table))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let Some(table) = describe(cx, physical_id).await? else { return Ok(None) };
        if table.table_status() == Some(&TableStatus::Deleting) {
            return Ok(None);
        }
        let mut props = table_properties(&table, recorded);
        props.insert(
            "PointInTimeRecoverySpecification".into(),
            json!({ "PointInTimeRecoveryEnabled": point_in_time_recovery(cx, physical_id).await? }),
        );
        if let Some(ttl) = time_to_live(cx, physical_id).await? {
            props.insert("TimeToLiveSpecification".into(), ttl);
        }
        if cx.local {
            // moto 5.2.5 stores no table class and has no contributor
            // insights: what state recorded stands.
            echo_recorded(&mut props, recorded, &["TableClass", "ContributorInsightsSpecification"]);
        } else {
            let on = contributor_insights(cx, physical_id, None).await?;
            props.insert("ContributorInsightsSpecification".into(), json!({ "Enabled": on }));
            if let Some(Value::Array(globals)) = props.get_mut("GlobalSecondaryIndexes") {
                for index in globals.iter_mut() {
                    let index_name = index.get("IndexName").and_then(Value::as_str).unwrap_or_default().to_owned();
                    let on = contributor_insights(cx, physical_id, Some(&index_name)).await?;
                    index["ContributorInsightsSpecification"] = json!({ "Enabled": on });
                }
            }
            if !props.contains_key("TableClass") {
                props.insert("TableClass".into(), json!("STANDARD"));
            }
        }
        let tags = live_tags(cx, table.table_arn().unwrap_or_default()).await?;
        if let Some(list) = spec_tag_list(&tags, recorded) {
            props.insert("Tags".into(), list);
        }
        Ok(Some(Live { properties: Value::Object(props), attributes: applied(&table).attributes, tags }))
    }

    async fn update(&self, cx: &Cx, id: &str, before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let (old, new) = (At::root(before), At::root(req.properties));
        refuse_on_local_cloud(cx, &new)?;
        if cx.local && sse_changed(&old, &new)? {
            // moto 5.2.5 ignores SSESpecification in UpdateTable.
            return Err(ProviderError::invalid(
                "SSESpecification",
                "the local cloud (moto 5.2.5) cannot change a table's encryption (UpdateTable ignores it)",
            ));
        }
        let name = id;
        wait_settled(cx, name, INDEX_ACTIVE).await?;
        update_capacity(cx, name, &old, &new).await?;
        update_indexes(cx, name, &old, &new).await?;
        if sse_changed(&old, &new)? {
            let spec = sse(&new)?.unwrap_or_else(|| SseSpecification::builder().enabled(false).build());
            update_table(cx, name, TABLE_ACTIVE, |b| b.sse_specification(spec.clone())).await?;
        }
        update_stream(cx, name, &old, &new).await?;
        let class = new.str("TableClass")?.unwrap_or_else(|| STANDARD_CLASS.to_owned());
        if old.str("TableClass")?.unwrap_or_else(|| STANDARD_CLASS.to_owned()) != class {
            let class = TableClass::from(class.as_str());
            update_table(cx, name, TABLE_ACTIVE, |b| b.table_class(class.clone())).await?;
        }
        let protection = new.bool("DeletionProtectionEnabled")?.unwrap_or(false);
        if old.bool("DeletionProtectionEnabled")?.unwrap_or(false) != protection {
            update_table(cx, name, TABLE_ACTIVE, |b| b.deletion_protection_enabled(protection)).await?;
        }
        let pitr = "PointInTimeRecoverySpecification";
        let recovery = enabled(&new, pitr, "PointInTimeRecoveryEnabled")?;
        if enabled(&old, pitr, "PointInTimeRecoveryEnabled")? != recovery {
            set_point_in_time_recovery(cx, name, recovery).await?;
        }
        update_ttl(cx, name, &old, &new).await?;
        update_contributor_insights(cx, name, &old, &new).await?;
        let table = wait_settled(cx, name, TABLE_ACTIVE).await?;
        let arn = table.table_arn().unwrap_or_default();
        tagging::converge(&DynamoTags, cx, arn, &live_tags(cx, arn).await?, &req.tags.for_properties(req.properties))
            .await?;
        Ok(applied(&table))
    }

    /// Deletes and waits until the table is gone (its name is then free
    /// for a replacement). Deletion protection is respected.
    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        // A table still being created or updated refuses deletion.
        match describe(cx, physical_id).await? {
            None => return Ok(()),
            Some(t) if t.table_status() == Some(&TableStatus::Deleting) => return wait_deleted(cx, physical_id).await,
            Some(t) if !settled(&t) => {
                wait_settled(cx, physical_id, INDEX_ACTIVE).await?;
            }
            Some(_) => {}
        }
        let deleted = with_retries(|| async {
            cx.clients
                .dynamodb()
                .delete_table()
                .table_name(physical_id)
                .send()
                .await
                .map_err(aws_error("dynamodb:DeleteTable"))
        })
        .await;
        match deleted {
            Ok(_) => {}
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        }
        wait_deleted(cx, physical_id).await
    }
}

// ---------------------------------------------------------------- identity --

/// DynamoDB's limit on a table name.
const MAX_TABLE_NAME: usize = 255;

fn dynamo_tags(tags: &BTreeMap<String, String>) -> Result<Vec<Tag>, ProviderError> {
    tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(built("Tags"))).collect()
}

/// The table, or None when it does not exist.
/// The names of every table in the account and region.
async fn list_names(cx: &Cx) -> Result<BTreeSet<String>, ProviderError> {
    let pages = cx.clients.dynamodb().list_tables().into_paginator().items().send();
    pages.try_collect().await.map(BTreeSet::from_iter).map_err(aws_error("dynamodb:ListTables"))
}

async fn describe(cx: &Cx, name: &str) -> Result<Option<TableDescription>, ProviderError> {
    Ok(cx
        .clients
        .dynamodb()
        .describe_table()
        .table_name(name)
        .send()
        .await
        .map_err(aws_error("dynamodb:DescribeTable"))
        .found()?
        .and_then(|out| out.table))
}

/// ACTIVE, with every index ACTIVE and no encryption change under way.
fn settled(table: &TableDescription) -> bool {
    table.table_status() == Some(&TableStatus::Active)
        && table.global_secondary_indexes().iter().all(|i| i.index_status() == Some(&IndexStatus::Active))
        && !table
            .sse_description()
            .and_then(|s| s.status())
            .is_some_and(|s| matches!(s, SseStatus::Updating | SseStatus::Enabling | SseStatus::Disabling))
}

async fn wait_settled(cx: &Cx, name: &str, wait: Wait) -> Result<TableDescription, ProviderError> {
    wait.until(cx, name, || async {
        match describe(cx, name).await? {
            Some(t) if settled(&t) => Ok(Some(t)),
            Some(_) => Ok(None),
            None => Err(ProviderError::Aws {
                operation: "dynamodb:DescribeTable",
                code: "ResourceNotFoundException".into(),
                message: format!("table {name} disappeared while strata waited for it"),
            }),
        }
    })
    .await
}

fn applied(table: &TableDescription) -> Applied {
    let name = table.table_name().unwrap_or_default().to_owned();
    Applied {
        physical_id: name.clone(),
        attributes: attributes([
            ("TableName", json!(name)),
            ("Arn", json!(table.table_arn().unwrap_or_default())),
            // None without a stream: there is no stream to refer to.
            ("StreamArn", table.latest_stream_arn().map_or(Value::Null, Value::from)),
        ]),
    }
}

async fn live_tags(cx: &Cx, arn: &str) -> Result<BTreeMap<String, String>, ProviderError> {
    let mut tags = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let out = cx
            .clients
            .dynamodb()
            .list_tags_of_resource()
            .resource_arn(arn)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(aws_error("dynamodb:ListTagsOfResource"))?;
        tags.extend(out.tags().iter().map(|t| (t.key().to_owned(), t.value().to_owned())));
        match out.next_token() {
            Some(next) if Some(next) != token.as_deref() => token = Some(next.to_owned()),
            _ => return Ok(tags),
        }
    }
}

/// DynamoDB tags a table by its ARN, with `[{Key, Value}]`.
struct DynamoTags;

#[async_trait::async_trait]
impl TagApi for DynamoTags {
    async fn tag(&self, cx: &Cx, arn: &str, tags: &Tags) -> Result<(), ProviderError> {
        let call = cx.clients.dynamodb().tag_resource().resource_arn(arn).set_tags(Some(dynamo_tags(tags)?));
        call.send().await.map(drop).map_err(aws_error("dynamodb:TagResource"))
    }

    async fn untag(&self, cx: &Cx, arn: &str, keys: &[String]) -> Result<(), ProviderError> {
        let call = cx.clients.dynamodb().untag_resource().resource_arn(arn).set_tag_keys(Some(keys.to_vec()));
        call.send().await.map(drop).map_err(aws_error("dynamodb:UntagResource"))
    }

    /// DynamoDB's TagResource replaces a value; moto 5.2.5 appends a
    /// second tag of the same key instead.
    fn untags_changed_keys(&self) -> bool {
        true
    }
}

// ------------------------------------ create (in dynamodb_table/create.rs) --

// ---------------------------------------- read (in dynamodb_table/read.rs) --

// ------------------------------------ update (in dynamodb_table/update.rs) --

// ------------------------------------------------------------------ delete --

/// A deleted table is gone (its name is free again).
const TABLE_DELETED: Wait =
    Wait { what: "DynamoDB table deleted", limit: Duration::from_secs(10 * 60), every: Duration::from_secs(5) };

async fn wait_deleted(cx: &Cx, name: &str) -> Result<(), ProviderError> {
    TABLE_DELETED.until(cx, name, || async { Ok(describe(cx, name).await?.is_none().then_some(())) }).await
}

// ------------------------------------------------------------- local cloud --

/// moto 5.2.5 has no contributor insights API (it answers 500): say so
/// instead of failing obscurely.
fn refuse_on_local_cloud(cx: &Cx, props: &At<'_>) -> Result<(), ProviderError> {
    if !cx.local {
        return Ok(());
    }
    let mut wanted = enabled(props, "ContributorInsightsSpecification", "Enabled")?;
    for index in props.list("GlobalSecondaryIndexes")? {
        wanted |= enabled(&index, "ContributorInsightsSpecification", "Enabled")?;
    }
    if wanted {
        return Err(ProviderError::invalid(
            "ContributorInsightsSpecification",
            "the local cloud (moto 5.2.5) does not implement DynamoDB contributor insights",
        ));
    }
    Ok(())
}
