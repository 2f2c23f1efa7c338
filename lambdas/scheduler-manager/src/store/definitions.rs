use acme_core::model::{ScheduleDefinition, ScheduleStatus};
use acme_core::table::{indexes, names, schedule_from_item, schedule_to_item, Item};
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;

use super::records::{self, attrs, Claim, IdempotencyRecord};
use super::{query_page, Listing, StoreError};

/// The key attributes of a ScheduleDefinitionsTable OwnerIndex position.
pub const OWNER_INDEX_KEY: &[&str] = &[names::SCHEDULE_ID, names::CREATED_AT, names::OWNER];

#[derive(Clone)]
pub struct DefinitionStore {
    client: Client,
    table: String,
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

impl DefinitionStore {
    pub fn new(client: Client, table: String) -> Self {
        DefinitionStore { client, table }
    }

    /// Writes a new PENDING definition together with its name claim (and the
    /// request's idempotency record), all or nothing: the definition and the
    /// claim must not exist, the idempotency record must not exist or have
    /// expired. `ClientRequestToken` (the schedule id) makes the SDK's own
    /// retries of a committed transaction succeed instead of failing their
    /// conditions. Any cancellation is `ConditionFailed`; the caller re-reads
    /// to learn who holds what.
    pub async fn insert_pending(
        &self,
        definition: &ScheduleDefinition,
        idempotency: Option<(&str, &IdempotencyRecord)>,
        now_seconds: i64,
    ) -> Result<(), StoreError> {
        let claim = Claim { schedule_id: definition.schedule_id.clone(), claimed_at: definition.created_at.clone() };
        let mut items = vec![
            put(&self.table, schedule_to_item(definition), "attribute_not_exists(#id)", &[], &[])?,
            put(
                &self.table,
                records::claim_item(&definition.owner, &definition.schedule_name, &claim),
                "attribute_not_exists(#id)",
                &[],
                &[],
            )?,
        ];
        if let Some((key, record)) = idempotency {
            items.push(put(
                &self.table,
                records::idempotency_item(&definition.owner, key, record),
                "attribute_not_exists(#id) OR #expiresAt < :now",
                &[("#expiresAt", attrs::EXPIRES_AT)],
                &[(":now", AttributeValue::N(now_seconds.to_string()))],
            )?);
        }
        self.transact(items, Some(&definition.schedule_id)).await
    }

    /// PENDING → ACTIVE once the Scheduler schedule exists. Conditional on
    /// the definition still being PENDING and the caller's: a definition that
    /// reconcile removed in the meantime is not resurrected.
    pub async fn activate(&self, definition: &ScheduleDefinition) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(names::SCHEDULE_ID, s(&definition.schedule_id))
            .key(names::CREATED_AT, s(&definition.created_at))
            .update_expression("SET #status = :active")
            .condition_expression("#status = :pending AND #owner = :owner")
            .expression_attribute_names("#status", names::STATUS)
            .expression_attribute_names("#owner", names::OWNER)
            .expression_attribute_values(":active", s(ScheduleStatus::Active.as_str()))
            .expression_attribute_values(":pending", s(ScheduleStatus::Pending.as_str()))
            .expression_attribute_values(":owner", s(&definition.owner))
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => {
                    StoreError::ConditionFailed { operation: "UpdateItem" }
                }
                _ => StoreError::dynamodb("UpdateItem", err),
            })?;
        Ok(())
    }

    /// Removes a PENDING definition and its claim (if the claim is still
    /// its own), all or nothing. Conditional on PENDING: an ACTIVE definition
    /// is never removed by this.
    pub async fn remove_pending(&self, definition: &ScheduleDefinition) -> Result<(), StoreError> {
        let items = vec![
            delete(
                &self.table,
                definition_key(definition),
                "attribute_not_exists(#id) OR #status = :pending",
                &[("#status", names::STATUS)],
                &[(":pending", s(ScheduleStatus::Pending.as_str()))],
            )?,
            delete(
                &self.table,
                records::claim_key(&definition.owner, &definition.schedule_name),
                "attribute_not_exists(#id) OR #claimedBy = :sid",
                &[("#claimedBy", attrs::CLAIMED_BY)],
                &[(":sid", s(&definition.schedule_id))],
            )?,
        ];
        self.transact(items, None).await
    }

    /// Deletes a claim that points at `schedule_id` (a claim whose definition
    /// is gone or cancelled).
    pub async fn release_claim(&self, owner: &str, schedule_name: &str, schedule_id: &str) -> Result<(), StoreError> {
        self.conditional_delete(
            records::claim_key(owner, schedule_name),
            "#claimedBy = :sid",
            ("#claimedBy", attrs::CLAIMED_BY),
            schedule_id,
        )
        .await
    }

    /// Deletes an idempotency record that points at `schedule_id` (whose
    /// definition is gone).
    pub async fn forget_idempotency(&self, owner: &str, key: &str, schedule_id: &str) -> Result<(), StoreError> {
        self.conditional_delete(
            records::idempotency_key(owner, key),
            "#result = :sid",
            ("#result", attrs::RESULT_SCHEDULE_ID),
            schedule_id,
        )
        .await
    }

    async fn conditional_delete(
        &self,
        key: Item,
        condition: &str,
        name: (&str, &str),
        schedule_id: &str,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .condition_expression(condition)
            .expression_attribute_names(name.0, name.1)
            .expression_attribute_values(":sid", s(schedule_id))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Someone else's now, or already gone: nothing of ours to delete.
            Err(err) if matches!(err.as_service_error(), Some(DeleteItemError::ConditionalCheckFailedException(_))) => {
                Ok(())
            }
            Err(err) => Err(StoreError::dynamodb("DeleteItem", err)),
        }
    }

    /// `owner`'s claim on `schedule_name`, strongly consistent.
    pub async fn get_claim(&self, owner: &str, schedule_name: &str) -> Result<Option<Claim>, StoreError> {
        Ok(self.get(records::claim_key(owner, schedule_name)).await?.as_ref().and_then(records::claim_from_item))
    }

    /// `owner`'s record of Idempotency-Key `key`, strongly consistent, expired
    /// or not.
    pub async fn get_idempotency(&self, owner: &str, key: &str) -> Result<Option<IdempotencyRecord>, StoreError> {
        Ok(self.get(records::idempotency_key(owner, key)).await?.as_ref().and_then(records::idempotency_from_item))
    }

    async fn get(&self, key: Item) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|err| StoreError::dynamodb("GetItem", err))?;
        Ok(output.item)
    }

    async fn transact(&self, items: Vec<TransactWriteItem>, token: Option<&str>) -> Result<(), StoreError> {
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .set_client_request_token(token.map(str::to_owned))
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(_)) => {
                    StoreError::ConditionFailed { operation: "TransactWriteItems" }
                }
                _ => StoreError::dynamodb("TransactWriteItems", err),
            })?;
        Ok(())
    }

    /// The definition with this id, whoever owns it. The key is (scheduleId,
    /// createdAt) and only the id is known: query the id's one-item partition.
    pub async fn find(&self, schedule_id: &str) -> Result<Option<ScheduleDefinition>, StoreError> {
        if records::is_record_id(schedule_id) {
            return Ok(None);
        }
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#id = :id")
            .expression_attribute_names("#id", names::SCHEDULE_ID)
            .expression_attribute_values(":id", s(schedule_id))
            .consistent_read(true)
            .limit(1)
            .send()
            .await
            .map_err(|err| StoreError::dynamodb("Query", err))?;
        output.items().first().map(schedule_from_item).transpose().map_err(StoreError::from)
    }

    /// The owner's definitions, newest first.
    pub async fn list_by_owner(
        &self,
        owner: &str,
        limit: usize,
        start: Option<Item>,
    ) -> Result<Listing<ScheduleDefinition>, StoreError> {
        let query = || {
            self.client
                .query()
                .table_name(&self.table)
                .index_name(indexes::OWNER_INDEX)
                .key_condition_expression("#owner = :owner")
                .expression_attribute_names("#owner", names::OWNER)
                .expression_attribute_values(":owner", s(owner))
                .scan_index_forward(false)
        };
        let page = query_page(query, limit, start).await?;
        let items = page.items.iter().map(schedule_from_item).collect::<Result<_, _>>()?;
        Ok(Listing { items, next_key: page.next_key })
    }

    /// Marks a definition cancelled (kept for history) and frees its name,
    /// in one transaction. Idempotent: a second call keeps the first
    /// `cancelledAt`, and a claim that is no longer this schedule's stays.
    pub async fn mark_cancelled(
        &self,
        definition: &ScheduleDefinition,
        now: &str,
    ) -> Result<ScheduleDefinition, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(definition_key(definition)))
            .update_expression(
                "SET #status = :cancelled, #enabled = :false, #cancelledAt = if_not_exists(#cancelledAt, :now)",
            )
            .condition_expression("attribute_exists(#id) AND #owner = :owner")
            .expression_attribute_names("#status", names::STATUS)
            .expression_attribute_names("#enabled", names::ENABLED)
            .expression_attribute_names("#cancelledAt", names::CANCELLED_AT)
            .expression_attribute_names("#id", names::SCHEDULE_ID)
            .expression_attribute_names("#owner", names::OWNER)
            .expression_attribute_values(":cancelled", s(ScheduleStatus::Cancelled.as_str()))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":now", s(now))
            .expression_attribute_values(":owner", s(&definition.owner))
            .build()
            .map_err(built)?;
        let items = vec![
            TransactWriteItem::builder().update(update).build(),
            delete(
                &self.table,
                records::claim_key(&definition.owner, &definition.schedule_name),
                "attribute_not_exists(#id) OR #claimedBy = :sid",
                &[("#claimedBy", attrs::CLAIMED_BY)],
                &[(":sid", s(&definition.schedule_id))],
            )?,
        ];
        self.transact(items, None).await?;
        self.find(&definition.schedule_id).await?.ok_or(StoreError::ConditionFailed { operation: "Query" })
    }
}

fn definition_key(definition: &ScheduleDefinition) -> Item {
    Item::from([
        (names::SCHEDULE_ID.to_owned(), s(&definition.schedule_id)),
        (names::CREATED_AT.to_owned(), s(&definition.created_at)),
    ])
}

fn built(err: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::DynamoDb { operation: "TransactWriteItems", message: err.to_string() }
}

/// A transaction's Put; `#id` is always the partition key attribute.
fn put(
    table: &str,
    item: Item,
    condition: &str,
    extra_names: &[(&str, &str)],
    values: &[(&str, AttributeValue)],
) -> Result<TransactWriteItem, StoreError> {
    let mut put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression(condition)
        .expression_attribute_names("#id", names::SCHEDULE_ID);
    for (name, attribute) in extra_names {
        put = put.expression_attribute_names(*name, *attribute);
    }
    for (name, value) in values {
        put = put.expression_attribute_values(*name, value.clone());
    }
    Ok(TransactWriteItem::builder().put(put.build().map_err(built)?).build())
}

/// A transaction's Delete; `#id` is always the partition key attribute.
fn delete(
    table: &str,
    key: Item,
    condition: &str,
    extra_names: &[(&str, &str)],
    values: &[(&str, AttributeValue)],
) -> Result<TransactWriteItem, StoreError> {
    let mut delete = Delete::builder()
        .table_name(table)
        .set_key(Some(key))
        .condition_expression(condition)
        .expression_attribute_names("#id", names::SCHEDULE_ID);
    for (name, attribute) in extra_names {
        delete = delete.expression_attribute_names(*name, *attribute);
    }
    for (name, value) in values {
        delete = delete.expression_attribute_values(*name, value.clone());
    }
    Ok(TransactWriteItem::builder().delete(delete.build().map_err(built)?).build())
}
