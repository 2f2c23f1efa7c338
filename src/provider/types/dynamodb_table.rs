//! `AWS::DynamoDB::Table`.

use std::collections::BTreeMap;
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
use crate::provider::{aws_error, Applied, Cx, Live, NotFoundExt, ProviderError, Request};

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

/// CRUD for this type.
pub struct Provider;

/// DynamoDB's limit on a table name.
const MAX_TABLE_NAME: usize = 255;

/// A new or updated table (and its existing indexes) becomes ACTIVE.
const TABLE_ACTIVE: Wait =
    Wait { what: "DynamoDB table ACTIVE", limit: Duration::from_secs(10 * 60), every: Duration::from_secs(5) };
/// A new global secondary index is backfilled and ACTIVE (long on big tables).
const INDEX_ACTIVE: Wait = Wait {
    what: "DynamoDB global secondary index ACTIVE",
    limit: Duration::from_secs(60 * 60),
    every: Duration::from_secs(10),
};
/// A deleted global secondary index has left the table.
const INDEX_DELETED: Wait = Wait {
    what: "DynamoDB global secondary index deleted",
    limit: Duration::from_secs(30 * 60),
    every: Duration::from_secs(10),
};
/// A deleted table is gone (its name is free again).
const TABLE_DELETED: Wait =
    Wait { what: "DynamoDB table deleted", limit: Duration::from_secs(10 * 60), every: Duration::from_secs(5) };
/// Right after creation, UpdateContinuousBackups answers
/// ContinuousBackupsUnavailableException until backups are set up.
const BACKUPS_AVAILABLE: Wait = Wait {
    what: "DynamoDB continuous backups available",
    limit: Duration::from_secs(5 * 60),
    every: Duration::from_secs(5),
};

// ------------------------------------------------------ spec -> SDK --

fn key_schema(at: &At<'_>) -> Result<Vec<KeySchemaElement>, ProviderError> {
    at.list("KeySchema")?
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(k.req_str("AttributeName")?)
                .key_type(KeyType::from(k.req_str("KeyType")?.as_str()))
                .build()
                .map_err(built("KeySchema"))
        })
        .collect()
}

fn attribute_definitions(props: &At<'_>) -> Result<Vec<AttributeDefinition>, ProviderError> {
    props
        .list("AttributeDefinitions")?
        .iter()
        .map(|a| {
            AttributeDefinition::builder()
                .attribute_name(a.req_str("AttributeName")?)
                .attribute_type(ScalarAttributeType::from(a.req_str("AttributeType")?.as_str()))
                .build()
                .map_err(built("AttributeDefinitions"))
        })
        .collect()
}

fn projection(index: &At<'_>) -> Result<Projection, ProviderError> {
    let Some(p) = index.obj("Projection")? else { return Ok(Projection::builder().build()) };
    Ok(Projection::builder()
        .set_projection_type(p.str("ProjectionType")?.map(|t| ProjectionType::from(t.as_str())))
        .set_non_key_attributes(p.strings("NonKeyAttributes")?)
        .build())
}

fn throughput(at: &At<'_>) -> Result<Option<ProvisionedThroughput>, ProviderError> {
    let Some(t) = at.obj("ProvisionedThroughput")? else { return Ok(None) };
    ProvisionedThroughput::builder()
        .set_read_capacity_units(t.i64("ReadCapacityUnits")?)
        .set_write_capacity_units(t.i64("WriteCapacityUnits")?)
        .build()
        .map(Some)
        .map_err(built("ProvisionedThroughput"))
}

fn global_index(index: &At<'_>) -> Result<GlobalSecondaryIndex, ProviderError> {
    GlobalSecondaryIndex::builder()
        .index_name(index.req_str("IndexName")?)
        .set_key_schema(Some(key_schema(index)?))
        .projection(projection(index)?)
        .set_provisioned_throughput(throughput(index)?)
        .build()
        .map_err(built("GlobalSecondaryIndexes"))
}

fn local_index(index: &At<'_>) -> Result<LocalSecondaryIndex, ProviderError> {
    LocalSecondaryIndex::builder()
        .index_name(index.req_str("IndexName")?)
        .set_key_schema(Some(key_schema(index)?))
        .projection(projection(index)?)
        .build()
        .map_err(built("LocalSecondaryIndexes"))
}

/// CloudFormation's `SSESpecification` (`SSEEnabled`) as the API's (`Enabled`).
fn sse(props: &At<'_>) -> Result<Option<SseSpecification>, ProviderError> {
    let Some(s) = props.obj("SSESpecification")? else { return Ok(None) };
    Ok(Some(
        SseSpecification::builder()
            .set_enabled(s.bool("SSEEnabled")?)
            .set_sse_type(s.str("SSEType")?.map(|t| SseType::from(t.as_str())))
            .set_kms_master_key_id(s.str("KMSMasterKeyId")?)
            .build(),
    ))
}

fn stream(props: &At<'_>) -> Result<Option<StreamSpecification>, ProviderError> {
    let Some(s) = props.obj("StreamSpecification")? else { return Ok(None) };
    StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(StreamViewType::from(s.req_str("StreamViewType")?.as_str()))
        .build()
        .map(Some)
        .map_err(built("StreamSpecification"))
}

fn dynamo_tags(tags: &BTreeMap<String, String>) -> Result<Vec<Tag>, ProviderError> {
    tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(built("Tags"))).collect()
}

fn billing_mode(props: &At<'_>) -> Result<String, ProviderError> {
    Ok(props.str("BillingMode")?.unwrap_or_else(|| "PROVISIONED".to_owned()))
}

/// A `{ Enabled: bool }` object's flag (contributor insights, PITR-like).
fn enabled(at: &At<'_>, object: &str, flag: &str) -> Result<bool, ProviderError> {
    Ok(match at.obj(object)? {
        Some(o) => o.bool(flag)?.unwrap_or(false),
        None => false,
    })
}

/// Global secondary indexes by name.
fn indexes<'a>(props: &At<'a>) -> Result<BTreeMap<String, At<'a>>, ProviderError> {
    props.list("GlobalSecondaryIndexes")?.into_iter().map(|i| Ok((i.req_str("IndexName")?, i))).collect()
}

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

// ------------------------------------------------------------ AWS --

/// The table, or None when it does not exist.
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

async fn wait_deleted(cx: &Cx, name: &str) -> Result<(), ProviderError> {
    TABLE_DELETED.until(cx, name, || async { Ok(describe(cx, name).await?.is_none().then_some(())) }).await
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

/// Runs one UpdateTable (built by `build`), then waits with `wait`.
async fn update_table<F>(cx: &Cx, name: &str, wait: Wait, build: F) -> Result<TableDescription, ProviderError>
where
    F: Fn(
        aws_sdk_dynamodb::operation::update_table::builders::UpdateTableFluentBuilder,
    ) -> aws_sdk_dynamodb::operation::update_table::builders::UpdateTableFluentBuilder,
{
    with_retries(|| async {
        build(cx.clients.dynamodb().update_table().table_name(name))
            .send()
            .await
            .map_err(aws_error("dynamodb:UpdateTable"))
    })
    .await?;
    wait_settled(cx, name, wait).await
}

async fn set_point_in_time_recovery(cx: &Cx, name: &str, on: bool) -> Result<(), ProviderError> {
    let spec = PointInTimeRecoverySpecification::builder()
        .point_in_time_recovery_enabled(on)
        .build()
        .map_err(built("PointInTimeRecoverySpecification"))?;
    BACKUPS_AVAILABLE
        .until(cx, name, || async {
            let out = cx
                .clients
                .dynamodb()
                .update_continuous_backups()
                .table_name(name)
                .point_in_time_recovery_specification(spec.clone())
                .send()
                .await
                .map_err(aws_error("dynamodb:UpdateContinuousBackups"));
            match out {
                Ok(_) => Ok(Some(())),
                Err(e) if e.aws_code() == Some("ContinuousBackupsUnavailableException") => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await
}

async fn set_time_to_live(cx: &Cx, name: &str, on: bool, attribute: &str) -> Result<(), ProviderError> {
    let spec = TimeToLiveSpecification::builder()
        .enabled(on)
        .attribute_name(attribute)
        .build()
        .map_err(built("TimeToLiveSpecification"))?;
    with_retries(|| async {
        cx.clients
            .dynamodb()
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(spec.clone())
            .send()
            .await
            .map_err(aws_error("dynamodb:UpdateTimeToLive"))
    })
    .await?;
    Ok(())
}

async fn set_contributor_insights(cx: &Cx, name: &str, index: Option<&str>, on: bool) -> Result<(), ProviderError> {
    let action = if on { ContributorInsightsAction::Enable } else { ContributorInsightsAction::Disable };
    with_retries(|| async {
        cx.clients
            .dynamodb()
            .update_contributor_insights()
            .table_name(name)
            .set_index_name(index.map(str::to_owned))
            .contributor_insights_action(action.clone())
            .send()
            .await
            .map_err(aws_error("dynamodb:UpdateContributorInsights"))
    })
    .await?;
    Ok(())
}

/// The TTL attribute and whether TTL is on, from `TimeToLiveSpecification`.
fn ttl(props: &At<'_>) -> Result<Option<(bool, Option<String>)>, ProviderError> {
    let Some(t) = props.obj("TimeToLiveSpecification")? else { return Ok(None) };
    Ok(Some((t.bool("Enabled")?.unwrap_or(false), t.str("AttributeName")?)))
}

/// After CreateTable: the settings DynamoDB takes only through other calls.
async fn apply_extras(cx: &Cx, name: &str, props: &At<'_>) -> Result<(), ProviderError> {
    if enabled(props, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled")? {
        set_point_in_time_recovery(cx, name, true).await?;
    }
    if let Some((true, attribute)) = ttl(props)? {
        let attribute = attribute.ok_or_else(|| {
            ProviderError::invalid("TimeToLiveSpecification.AttributeName", "is required to enable TTL")
        })?;
        set_time_to_live(cx, name, true, &attribute).await?;
    }
    if enabled(props, "ContributorInsightsSpecification", "Enabled")? {
        set_contributor_insights(cx, name, None, true).await?;
    }
    for (index_name, index) in indexes(props)? {
        if enabled(&index, "ContributorInsightsSpecification", "Enabled")? {
            set_contributor_insights(cx, name, Some(&index_name), true).await?;
        }
    }
    Ok(())
}

// ------------------------------------------------------ SDK -> spec --

fn key_schema_json(keys: &[KeySchemaElement]) -> Value {
    keys.iter().map(|k| json!({ "AttributeName": k.attribute_name(), "KeyType": k.key_type().as_str() })).collect()
}

fn projection_json(p: Option<&Projection>) -> Value {
    let mut m = Map::new();
    if let Some(p) = p {
        if let Some(t) = p.projection_type() {
            m.insert("ProjectionType".into(), json!(t.as_str()));
        }
        if !p.non_key_attributes().is_empty() {
            m.insert("NonKeyAttributes".into(), json!(p.non_key_attributes()));
        }
    }
    Value::Object(m)
}

fn throughput_json(t: Option<&ProvisionedThroughputDescription>) -> Value {
    json!({
        "ReadCapacityUnits": t.and_then(|t| t.read_capacity_units()).unwrap_or(0),
        "WriteCapacityUnits": t.and_then(|t| t.write_capacity_units()).unwrap_or(0),
    })
}

fn global_index_json(index: &GlobalSecondaryIndexDescription, provisioned: bool) -> Value {
    let mut m = Map::new();
    m.insert("IndexName".into(), json!(index.index_name().unwrap_or_default()));
    m.insert("KeySchema".into(), key_schema_json(index.key_schema()));
    m.insert("Projection".into(), projection_json(index.projection()));
    if provisioned {
        m.insert("ProvisionedThroughput".into(), throughput_json(index.provisioned_throughput()));
    }
    Value::Object(m)
}

fn sse_json(table: &TableDescription, recorded: &Value) -> Value {
    let Some(sse) = table.sse_description().filter(|s| !matches!(s.status(), Some(SseStatus::Disabled) | None)) else {
        return json!({ "SSEEnabled": false });
    };
    let mut m = Map::new();
    m.insert("SSEEnabled".into(), json!(true));
    if let Some(t) = sse.sse_type() {
        m.insert("SSEType".into(), json!(t.as_str()));
    }
    if let Some(arn) = sse.kms_master_key_arn() {
        let spec = recorded.pointer("/SSESpecification/KMSMasterKeyId").and_then(Value::as_str);
        m.insert("KMSMasterKeyId".into(), json!(same_key_as_recorded(arn, spec)));
    }
    Value::Object(m)
}

/// The table's own properties, as DescribeTable reports them.
fn table_properties(table: &TableDescription, recorded: &Value) -> Map<String, Value> {
    let mut m = Map::new();
    let mode = table.billing_mode_summary().and_then(|b| b.billing_mode()).map_or("PROVISIONED", |b| b.as_str());
    let provisioned = mode == "PROVISIONED";
    m.insert("TableName".into(), json!(table.table_name().unwrap_or_default()));
    let definitions: Vec<Value> = table
        .attribute_definitions()
        .iter()
        .map(|a| json!({ "AttributeName": a.attribute_name(), "AttributeType": a.attribute_type().as_str() }))
        .collect();
    m.insert(
        "AttributeDefinitions".into(),
        Value::Array(order_like(definitions, recorded.get("AttributeDefinitions"), "AttributeName")),
    );
    m.insert("KeySchema".into(), key_schema_json(table.key_schema()));
    m.insert("BillingMode".into(), json!(mode));
    if provisioned {
        m.insert("ProvisionedThroughput".into(), throughput_json(table.provisioned_throughput()));
    }
    let globals: Vec<Value> =
        table.global_secondary_indexes().iter().map(|i| global_index_json(i, provisioned)).collect();
    if !globals.is_empty() {
        m.insert(
            "GlobalSecondaryIndexes".into(),
            Value::Array(order_like(globals, recorded.get("GlobalSecondaryIndexes"), "IndexName")),
        );
    }
    let locals: Vec<Value> = table
        .local_secondary_indexes()
        .iter()
        .map(|i| {
            json!({
                "IndexName": i.index_name().unwrap_or_default(),
                "KeySchema": key_schema_json(i.key_schema()),
                "Projection": projection_json(i.projection()),
            })
        })
        .collect();
    if !locals.is_empty() {
        m.insert(
            "LocalSecondaryIndexes".into(),
            Value::Array(order_like(locals, recorded.get("LocalSecondaryIndexes"), "IndexName")),
        );
    }
    m.insert("SSESpecification".into(), sse_json(table, recorded));
    if let Some(s) = table.stream_specification().filter(|s| s.stream_enabled()) {
        if let Some(view) = s.stream_view_type() {
            m.insert("StreamSpecification".into(), json!({ "StreamViewType": view.as_str() }));
        }
    }
    if let Some(class) = table.table_class_summary().and_then(|c| c.table_class()) {
        m.insert("TableClass".into(), json!(class.as_str()));
    }
    m.insert("DeletionProtectionEnabled".into(), json!(table.deletion_protection_enabled().unwrap_or(false)));
    m
}

async fn point_in_time_recovery(cx: &Cx, name: &str) -> Result<bool, ProviderError> {
    let out = cx
        .clients
        .dynamodb()
        .describe_continuous_backups()
        .table_name(name)
        .send()
        .await
        .map_err(aws_error("dynamodb:DescribeContinuousBackups"))?;
    Ok(out
        .continuous_backups_description()
        .and_then(|d| d.point_in_time_recovery_description())
        .and_then(|p| p.point_in_time_recovery_status())
        == Some(&PointInTimeRecoveryStatus::Enabled))
}

async fn time_to_live(cx: &Cx, name: &str) -> Result<Option<Value>, ProviderError> {
    let out = cx
        .clients
        .dynamodb()
        .describe_time_to_live()
        .table_name(name)
        .send()
        .await
        .map_err(aws_error("dynamodb:DescribeTimeToLive"))?;
    let Some(d) = out.time_to_live_description() else { return Ok(None) };
    let on = matches!(d.time_to_live_status(), Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling));
    let mut m = Map::new();
    m.insert("Enabled".into(), json!(on));
    if let Some(attribute) = d.attribute_name() {
        m.insert("AttributeName".into(), json!(attribute));
    }
    Ok((on || d.attribute_name().is_some()).then_some(Value::Object(m)))
}

async fn contributor_insights(cx: &Cx, name: &str, index: Option<&str>) -> Result<bool, ProviderError> {
    let out = cx
        .clients
        .dynamodb()
        .describe_contributor_insights()
        .table_name(name)
        .set_index_name(index.map(str::to_owned))
        .send()
        .await
        .map_err(aws_error("dynamodb:DescribeContributorInsights"))?;
    Ok(matches!(
        out.contributor_insights_status(),
        Some(ContributorInsightsStatus::Enabled | ContributorInsightsStatus::Enabling)
    ))
}

// ---------------------------------------------------------- update --

/// Billing mode and provisioned capacity (table and kept indexes), in one
/// UpdateTable as DynamoDB requires when the mode changes.
async fn update_capacity(cx: &Cx, name: &str, old: &At<'_>, new: &At<'_>) -> Result<(), ProviderError> {
    let (old_mode, new_mode) = (billing_mode(old)?, billing_mode(new)?);
    let mode_changed = old_mode != new_mode;
    let provisioned = new_mode == "PROVISIONED";
    let table_throughput = (provisioned
        && (mode_changed || old.get("ProvisionedThroughput") != new.get("ProvisionedThroughput")))
    .then(|| throughput(new))
    .transpose()?
    .flatten();
    let old_indexes = indexes(old)?;
    let mut index_updates = Vec::new();
    for (index_name, index) in indexes(new)? {
        let Some(before) = old_indexes.get(&index_name) else { continue };
        let same_definition =
            before.get("KeySchema") == index.get("KeySchema") && before.get("Projection") == index.get("Projection");
        let changed = before.get("ProvisionedThroughput") != index.get("ProvisionedThroughput");
        if provisioned && same_definition && (mode_changed || changed) {
            if let Some(t) = throughput(&index)? {
                let action = UpdateGlobalSecondaryIndexAction::builder()
                    .index_name(&index_name)
                    .provisioned_throughput(t)
                    .build()
                    .map_err(built("GlobalSecondaryIndexes"))?;
                index_updates.push(GlobalSecondaryIndexUpdate::builder().update(action).build());
            }
        }
    }
    if !mode_changed && table_throughput.is_none() && index_updates.is_empty() {
        return Ok(());
    }
    let mode = mode_changed.then(|| BillingMode::from(new_mode.as_str()));
    let updates = (!index_updates.is_empty()).then_some(index_updates);
    update_table(cx, name, TABLE_ACTIVE, |b| {
        b.set_billing_mode(mode.clone())
            .set_provisioned_throughput(table_throughput.clone())
            .set_global_secondary_index_updates(updates.clone())
    })
    .await?;
    Ok(())
}

/// Index changes one at a time (DynamoDB's rule): deletions, then
/// creations, each awaited. An index whose key or projection changes is
/// deleted and created again.
async fn update_indexes(cx: &Cx, name: &str, old: &At<'_>, new: &At<'_>) -> Result<(), ProviderError> {
    let old_indexes = indexes(old)?;
    let new_indexes = indexes(new)?;
    let redefined = |index_name: &str| match (old_indexes.get(index_name), new_indexes.get(index_name)) {
        (Some(a), Some(b)) => a.get("KeySchema") != b.get("KeySchema") || a.get("Projection") != b.get("Projection"),
        _ => false,
    };
    for index_name in old_indexes.keys().filter(|n| !new_indexes.contains_key(*n) || redefined(n)) {
        let action = DeleteGlobalSecondaryIndexAction::builder()
            .index_name(index_name)
            .build()
            .map_err(built("GlobalSecondaryIndexes"))?;
        let update = GlobalSecondaryIndexUpdate::builder().delete(action).build();
        update_table(cx, name, INDEX_DELETED, |b| b.global_secondary_index_updates(update.clone())).await?;
    }
    let definitions = attribute_definitions(new)?;
    for (index_name, index) in new_indexes.iter().filter(|(n, _)| !old_indexes.contains_key(*n) || redefined(n)) {
        let action = CreateGlobalSecondaryIndexAction::builder()
            .index_name(index_name)
            .set_key_schema(Some(key_schema(index)?))
            .projection(projection(index)?)
            .set_provisioned_throughput(throughput(index)?)
            .build()
            .map_err(built("GlobalSecondaryIndexes"))?;
        let update = GlobalSecondaryIndexUpdate::builder().create(action).build();
        update_table(cx, name, INDEX_ACTIVE, |b| {
            b.set_attribute_definitions(Some(definitions.clone())).global_secondary_index_updates(update.clone())
        })
        .await?;
    }
    Ok(())
}

/// The table class of a table created without one.
const STANDARD_CLASS: &str = "STANDARD";

/// Whether encryption must change. `old` may be the live table
/// (adoption), which names a type and key the spec may leave to AWS: only
/// what the spec sets is compared (a key by id or ARN alike).
fn sse_changed(old: &At<'_>, new: &At<'_>) -> Result<bool, ProviderError> {
    let settings = |at: &At<'_>| -> Result<(bool, String, Option<String>), ProviderError> {
        let Some(s) = at.obj("SSESpecification")? else { return Ok((false, String::new(), None)) };
        let on = s.bool("SSEEnabled")?.unwrap_or(false);
        Ok((on, s.str("SSEType")?.unwrap_or_else(|| "KMS".to_owned()), s.str("KMSMasterKeyId")?))
    };
    let (was_on, old_type, old_key) = settings(old)?;
    let (now_on, new_type, new_key) = settings(new)?;
    if was_on != now_on {
        return Ok(true);
    }
    if !now_on {
        return Ok(false);
    }
    let key_changed = match (new_key, old_key) {
        (Some(n), Some(o)) => same_key_as_recorded(&o, Some(&n)) != n,
        (Some(_), None) => true,
        (None, _) => false,
    };
    Ok(old_type != new_type || key_changed)
}

/// A stream's view type cannot change in place: disable, then enable.
async fn update_stream(cx: &Cx, name: &str, old: &At<'_>, new: &At<'_>) -> Result<(), ProviderError> {
    if old.get("StreamSpecification") == new.get("StreamSpecification") {
        return Ok(());
    }
    if old.has("StreamSpecification") {
        let off = StreamSpecification::builder().stream_enabled(false).build().map_err(built("StreamSpecification"))?;
        update_table(cx, name, TABLE_ACTIVE, |b| b.stream_specification(off.clone())).await?;
    }
    if let Some(on) = stream(new)? {
        update_table(cx, name, TABLE_ACTIVE, |b| b.stream_specification(on.clone())).await?;
    }
    Ok(())
}

async fn update_ttl(cx: &Cx, name: &str, old: &At<'_>, new: &At<'_>) -> Result<(), ProviderError> {
    let (before, after) = (ttl(old)?, ttl(new)?);
    if before == after {
        return Ok(());
    }
    let was_on = matches!(before, Some((true, _)));
    let now_on = matches!(after, Some((true, _)));
    let old_attribute = before.and_then(|(_, a)| a);
    let new_attribute = after.and_then(|(_, a)| a);
    if was_on && (!now_on || old_attribute != new_attribute) {
        if let Some(a) = &old_attribute {
            set_time_to_live(cx, name, false, a).await?;
        }
    }
    if now_on && (!was_on || old_attribute != new_attribute) {
        let a = new_attribute.ok_or_else(|| {
            ProviderError::invalid("TimeToLiveSpecification.AttributeName", "is required to enable TTL")
        })?;
        set_time_to_live(cx, name, true, &a).await?;
    }
    Ok(())
}

async fn update_contributor_insights(cx: &Cx, name: &str, old: &At<'_>, new: &At<'_>) -> Result<(), ProviderError> {
    let key = "ContributorInsightsSpecification";
    if enabled(old, key, "Enabled")? != enabled(new, key, "Enabled")? {
        set_contributor_insights(cx, name, None, enabled(new, key, "Enabled")?).await?;
    }
    let old_indexes = indexes(old)?;
    for (index_name, index) in indexes(new)? {
        let before = old_indexes.get(&index_name).map(|i| enabled(i, key, "Enabled")).transpose()?.unwrap_or(false);
        // A new index was created without insights: enable when asked.
        if before != enabled(&index, key, "Enabled")? {
            set_contributor_insights(cx, name, Some(&index_name), enabled(&index, key, "Enabled")?).await?;
        }
    }
    Ok(())
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

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    fn schema(&self) -> &'static ResourceSchema {
        &SCHEMA
    }

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

    async fn update(
        &self,
        cx: &Cx,
        physical_id: &str,
        before: &Value,
        req: &Request<'_>,
    ) -> Result<Applied, ProviderError> {
        let (old, new) = (At::root(before), At::root(req.properties));
        refuse_on_local_cloud(cx, &new)?;
        if cx.local && sse_changed(&old, &new)? {
            // moto 5.2.5 ignores SSESpecification in UpdateTable.
            return Err(ProviderError::invalid(
                "SSESpecification",
                "the local cloud (moto 5.2.5) cannot change a table's encryption (UpdateTable ignores it)",
            ));
        }
        let name = physical_id;
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
