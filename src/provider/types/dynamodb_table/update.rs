//! `dynamodb_table`, update section: what `update` converges, and how. Split off by job;
//! the layout is `provider::types`'s.

use super::*;

// ------------------------------------------------------------------ update --

/// A new global secondary index is backfilled and ACTIVE (long on big tables).
pub(super) const INDEX_ACTIVE: Wait = Wait {
    what: "DynamoDB global secondary index ACTIVE",
    limit: Duration::from_secs(60 * 60),
    every: Duration::from_secs(10),
};

/// A deleted global secondary index has left the table.
pub(super) const INDEX_DELETED: Wait = Wait {
    what: "DynamoDB global secondary index deleted",
    limit: Duration::from_secs(30 * 60),
    every: Duration::from_secs(10),
};

/// Runs one UpdateTable (built by `build`), then waits with `wait`.
pub(super) async fn update_table<F>(
    cx: &Cx,
    name: &str,
    wait: Wait,
    build: F,
) -> Result<TableDescription, ProviderError>
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

/// Billing mode and provisioned capacity (table and kept indexes), in one
/// UpdateTable as DynamoDB requires when the mode changes.
pub(super) async fn update_capacity(cx: &Cx, name: &str, old: &At<'_>, new: &At<'_>) -> Result<(), ProviderError> {
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
pub(super) async fn update_indexes(cx: &Cx, name: &str, old: &At<'_>, new: &At<'_>) -> Result<(), ProviderError> {
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
pub(super) const STANDARD_CLASS: &str = "STANDARD";

/// Whether encryption must change. `old` may be the live table
/// (adoption), which names a type and key the spec may leave to AWS: only
/// what the spec sets is compared (a key by id or ARN alike).
pub(super) fn sse_changed(old: &At<'_>, new: &At<'_>) -> Result<bool, ProviderError> {
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
pub(super) async fn update_stream(cx: &Cx, name: &str, old: &At<'_>, new: &At<'_>) -> Result<(), ProviderError> {
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

pub(super) async fn update_ttl(cx: &Cx, name: &str, old: &At<'_>, new: &At<'_>) -> Result<(), ProviderError> {
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

pub(super) async fn update_contributor_insights(
    cx: &Cx,
    name: &str,
    old: &At<'_>,
    new: &At<'_>,
) -> Result<(), ProviderError> {
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
