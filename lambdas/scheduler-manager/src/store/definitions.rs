use acme_core::model::{ScheduleDefinition, ScheduleStatus};
use acme_core::table::{indexes, names, schedule_from_item, schedule_to_item, Item};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;

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

    /// Writes a new definition; never overwrites one.
    pub async fn insert(&self, definition: &ScheduleDefinition) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(schedule_to_item(definition)))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", names::SCHEDULE_ID)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(_)) => {
                    StoreError::ConditionFailed { operation: "PutItem" }
                }
                _ => StoreError::dynamodb("PutItem", err),
            })?;
        Ok(())
    }

    /// The definition with this id, whoever owns it. The key is (scheduleId,
    /// createdAt) and only the id is known: query the id's one-item partition.
    pub async fn find(&self, schedule_id: &str) -> Result<Option<ScheduleDefinition>, StoreError> {
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

    /// The id of the owner's active schedule with this name, if any. Reads
    /// the owner's OwnerIndex partition only.
    pub async fn find_active_by_name(&self, owner: &str, schedule_name: &str) -> Result<Option<String>, StoreError> {
        let mut start: Option<Item> = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(indexes::OWNER_INDEX)
                .key_condition_expression("#owner = :owner")
                .filter_expression("#name = :name AND #status = :active")
                .expression_attribute_names("#owner", names::OWNER)
                .expression_attribute_names("#name", names::SCHEDULE_NAME)
                .expression_attribute_names("#status", names::STATUS)
                .expression_attribute_values(":owner", s(owner))
                .expression_attribute_values(":name", s(schedule_name))
                .expression_attribute_values(":active", s(ScheduleStatus::Active.as_str()))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|err| StoreError::dynamodb("Query", err))?;
            if let Some(item) = output.items().first() {
                return Ok(Some(schedule_from_item(item)?.schedule_id));
            }
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(None),
            }
        }
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

    /// Marks a definition cancelled (kept for history). Idempotent: a second
    /// call keeps the first `cancelledAt`.
    pub async fn mark_cancelled(
        &self,
        definition: &ScheduleDefinition,
        now: &str,
    ) -> Result<ScheduleDefinition, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(names::SCHEDULE_ID, s(&definition.schedule_id))
            .key(names::CREATED_AT, s(&definition.created_at))
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
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => {
                    StoreError::ConditionFailed { operation: "UpdateItem" }
                }
                _ => StoreError::dynamodb("UpdateItem", err),
            })?;
        let item = output.attributes.unwrap_or_default();
        Ok(schedule_from_item(&item)?)
    }
}
