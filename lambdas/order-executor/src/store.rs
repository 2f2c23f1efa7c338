//! The executor's DynamoDB access: read a definition, write an order once.

use acme_core::model::{PurchaseOrder, ScheduleDefinition};
use acme_core::table::{names, order_to_item, schedule_from_item, ItemError};
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// Any DynamoDB failure other than the idempotency condition: throttling,
    /// timeouts, a missing table. Failing the invocation lets Scheduler retry.
    #[error("DynamoDB {operation} failed: {message}")]
    DynamoDb { operation: &'static str, message: String },
    #[error("stored schedule definition is malformed: {0}")]
    MalformedDefinition(#[from] ItemError),
}

impl StoreError {
    fn dynamodb<E, R>(operation: &'static str, err: SdkError<E, R>) -> Self
    where
        E: std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        StoreError::DynamoDb { operation, message: DisplayErrorContext(err).to_string() }
    }
}

/// What the conditional order write found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    Created,
    /// An order with this id was already there: a repeated delivery.
    AlreadyExists,
}

pub struct Store {
    client: Client,
    schedule_table: String,
    orders_table: String,
}

impl Store {
    pub fn new(client: Client, schedule_table: String, orders_table: String) -> Self {
        Store { client, schedule_table, orders_table }
    }

    /// The definition of `schedule_id`. The table's key is (scheduleId,
    /// createdAt) and only the id is known, so this queries the id's
    /// partition (one item), strongly consistent.
    pub async fn load_definition(&self, schedule_id: &str) -> Result<Option<ScheduleDefinition>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.schedule_table)
            .key_condition_expression("#id = :id")
            .expression_attribute_names("#id", names::SCHEDULE_ID)
            .expression_attribute_values(":id", AttributeValue::S(schedule_id.to_owned()))
            .consistent_read(true)
            .limit(1)
            .send()
            .await
            .map_err(|err| StoreError::dynamodb("Query", err))?;
        match output.items().first() {
            Some(item) => Ok(Some(schedule_from_item(item)?)),
            None => Ok(None),
        }
    }

    /// Writes the order unless an item with its key already exists.
    pub async fn insert_order(&self, order: &PurchaseOrder) -> Result<InsertOutcome, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.orders_table)
            .set_item(Some(order_to_item(order)))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", names::ORDER_ID)
            .send()
            .await;
        match result {
            Ok(_) => Ok(InsertOutcome::Created),
            Err(err) if is_condition_failure(&err) => Ok(InsertOutcome::AlreadyExists),
            Err(err) => Err(StoreError::dynamodb("PutItem", err)),
        }
    }
}

fn is_condition_failure<R>(err: &SdkError<PutItemError, R>) -> bool {
    matches!(err.as_service_error(), Some(PutItemError::ConditionalCheckFailedException(_)))
}
