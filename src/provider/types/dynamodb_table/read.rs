//! `dynamodb_table`, read section: the live resource in the spec's terms. Split off by job;
//! the layout is `provider::types`'s.

use super::*;

// -------------------------------------------------------------------- read --

pub(super) fn key_schema_json(keys: &[KeySchemaElement]) -> Value {
    keys.iter().map(|k| json!({ "AttributeName": k.attribute_name(), "KeyType": k.key_type().as_str() })).collect()
}

pub(super) fn projection_json(p: Option<&Projection>) -> Value {
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

pub(super) fn throughput_json(t: Option<&ProvisionedThroughputDescription>) -> Value {
    json!({
        "ReadCapacityUnits": t.and_then(|t| t.read_capacity_units()).unwrap_or(0),
        "WriteCapacityUnits": t.and_then(|t| t.write_capacity_units()).unwrap_or(0),
    })
}

pub(super) fn global_index_json(index: &GlobalSecondaryIndexDescription, provisioned: bool) -> Value {
    let mut m = Map::new();
    m.insert("IndexName".into(), json!(index.index_name().unwrap_or_default()));
    m.insert("KeySchema".into(), key_schema_json(index.key_schema()));
    m.insert("Projection".into(), projection_json(index.projection()));
    if provisioned {
        m.insert("ProvisionedThroughput".into(), throughput_json(index.provisioned_throughput()));
    }
    Value::Object(m)
}

pub(super) fn sse_json(table: &TableDescription, recorded: &Value) -> Value {
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
pub(super) fn table_properties(table: &TableDescription, recorded: &Value) -> Map<String, Value> {
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

pub(super) async fn point_in_time_recovery(cx: &Cx, name: &str) -> Result<bool, ProviderError> {
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

pub(super) async fn time_to_live(cx: &Cx, name: &str) -> Result<Option<Value>, ProviderError> {
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

pub(super) async fn contributor_insights(cx: &Cx, name: &str, index: Option<&str>) -> Result<bool, ProviderError> {
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
