//! `dynamodb_table`, create section: the spec's properties as the create request. Split off by job;
//! the layout is `provider::types`'s.

use super::*;

// ------------------------------------------------------------------ create --

/// A new or updated table (and its existing indexes) becomes ACTIVE.
pub(super) const TABLE_ACTIVE: Wait =
    Wait { what: "DynamoDB table ACTIVE", limit: Duration::from_secs(10 * 60), every: Duration::from_secs(5) };

/// Right after creation, UpdateContinuousBackups answers
/// ContinuousBackupsUnavailableException until backups are set up.
pub(super) const BACKUPS_AVAILABLE: Wait = Wait {
    what: "DynamoDB continuous backups available",
    limit: Duration::from_secs(5 * 60),
    every: Duration::from_secs(5),
};

pub(super) fn key_schema(at: &At<'_>) -> Result<Vec<KeySchemaElement>, ProviderError> {
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

pub(super) fn attribute_definitions(props: &At<'_>) -> Result<Vec<AttributeDefinition>, ProviderError> {
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

pub(super) fn projection(index: &At<'_>) -> Result<Projection, ProviderError> {
    let Some(p) = index.obj("Projection")? else { return Ok(Projection::builder().build()) };
    Ok(Projection::builder()
        .set_projection_type(p.str("ProjectionType")?.map(|t| ProjectionType::from(t.as_str())))
        .set_non_key_attributes(p.strings("NonKeyAttributes")?)
        .build())
}

pub(super) fn throughput(at: &At<'_>) -> Result<Option<ProvisionedThroughput>, ProviderError> {
    let Some(t) = at.obj("ProvisionedThroughput")? else { return Ok(None) };
    ProvisionedThroughput::builder()
        .set_read_capacity_units(t.i64("ReadCapacityUnits")?)
        .set_write_capacity_units(t.i64("WriteCapacityUnits")?)
        .build()
        .map(Some)
        .map_err(built("ProvisionedThroughput"))
}

pub(super) fn global_index(index: &At<'_>) -> Result<GlobalSecondaryIndex, ProviderError> {
    GlobalSecondaryIndex::builder()
        .index_name(index.req_str("IndexName")?)
        .set_key_schema(Some(key_schema(index)?))
        .projection(projection(index)?)
        .set_provisioned_throughput(throughput(index)?)
        .build()
        .map_err(built("GlobalSecondaryIndexes"))
}

pub(super) fn local_index(index: &At<'_>) -> Result<LocalSecondaryIndex, ProviderError> {
    LocalSecondaryIndex::builder()
        .index_name(index.req_str("IndexName")?)
        .set_key_schema(Some(key_schema(index)?))
        .projection(projection(index)?)
        .build()
        .map_err(built("LocalSecondaryIndexes"))
}

/// CloudFormation's `SSESpecification` (`SSEEnabled`) as the API's (`Enabled`).
pub(super) fn sse(props: &At<'_>) -> Result<Option<SseSpecification>, ProviderError> {
    let Some(s) = props.obj("SSESpecification")? else { return Ok(None) };
    Ok(Some(
        SseSpecification::builder()
            .set_enabled(s.bool("SSEEnabled")?)
            .set_sse_type(s.str("SSEType")?.map(|t| SseType::from(t.as_str())))
            .set_kms_master_key_id(s.str("KMSMasterKeyId")?)
            .build(),
    ))
}

pub(super) fn stream(props: &At<'_>) -> Result<Option<StreamSpecification>, ProviderError> {
    let Some(s) = props.obj("StreamSpecification")? else { return Ok(None) };
    StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(StreamViewType::from(s.req_str("StreamViewType")?.as_str()))
        .build()
        .map(Some)
        .map_err(built("StreamSpecification"))
}

pub(super) fn billing_mode(props: &At<'_>) -> Result<String, ProviderError> {
    Ok(props.str("BillingMode")?.unwrap_or_else(|| "PROVISIONED".to_owned()))
}

/// A `{ Enabled: bool }` object's flag (contributor insights, PITR-like).
pub(super) fn enabled(at: &At<'_>, object: &str, flag: &str) -> Result<bool, ProviderError> {
    Ok(match at.obj(object)? {
        Some(o) => o.bool(flag)?.unwrap_or(false),
        None => false,
    })
}

/// Global secondary indexes by name.
pub(super) fn indexes<'a>(props: &At<'a>) -> Result<BTreeMap<String, At<'a>>, ProviderError> {
    props.list("GlobalSecondaryIndexes")?.into_iter().map(|i| Ok((i.req_str("IndexName")?, i))).collect()
}

pub(super) async fn set_point_in_time_recovery(cx: &Cx, name: &str, on: bool) -> Result<(), ProviderError> {
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

pub(super) async fn set_time_to_live(cx: &Cx, name: &str, on: bool, attribute: &str) -> Result<(), ProviderError> {
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

pub(super) async fn set_contributor_insights(
    cx: &Cx,
    name: &str,
    index: Option<&str>,
    on: bool,
) -> Result<(), ProviderError> {
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
pub(super) fn ttl(props: &At<'_>) -> Result<Option<(bool, Option<String>)>, ProviderError> {
    let Some(t) = props.obj("TimeToLiveSpecification")? else { return Ok(None) };
    Ok(Some((t.bool("Enabled")?.unwrap_or(false), t.str("AttributeName")?)))
}

/// After CreateTable: the settings DynamoDB takes only through other calls.
pub(super) async fn apply_extras(cx: &Cx, name: &str, props: &At<'_>) -> Result<(), ProviderError> {
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
