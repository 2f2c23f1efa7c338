//! Shared by the executor's test binaries: a fresh pair of tables per test
//! and definitions and deliveries to feed the executor.
#![allow(dead_code)]

use acme_core::model::{FlexibleWindow, ScheduleDefinition, ScheduleInput, ScheduleStatus};
use acme_core::table::{schedule_to_item, Item};
use acme_core::test_support;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use order_executor::store::Store;
use order_executor::Executor;

pub const VERSION: &str = "9.9.9-test";

pub struct World {
    pub dynamodb: Client,
    pub schedule_table: String,
    pub orders_table: String,
    pub executor: Executor,
}

pub async fn world() -> World {
    let config = test_support::sdk_config().await;
    let dynamodb = Client::new(&config);
    let schedule_table = test_support::create_definitions_table(&dynamodb).await;
    let orders_table = test_support::create_orders_table(&dynamodb).await;
    let store = Store::new(dynamodb.clone(), schedule_table.clone(), orders_table.clone());
    World { executor: Executor::new(store, VERSION.into()), dynamodb, schedule_table, orders_table }
}

pub fn definition(gadget_type: &str, quantity: u32) -> ScheduleDefinition {
    ScheduleDefinition {
        schedule_id: uuid_like(),
        created_at: "2025-02-01T10:00:00.000Z".into(),
        schedule_name: "weekly restock".into(),
        frequency: "cron(0 8 ? * MON *)".into(),
        timezone: Some("Europe/Paris".into()),
        gadget_type: gadget_type.into(),
        quantity,
        flexible_window_minutes: Some(FlexibleWindow(15)),
        priority_override: None,
        start_date: None,
        end_date: None,
        enabled: true,
        status: ScheduleStatus::Active,
        owner: "9f1c2a7e-0000-4000-8000-00000000beef".into(),
        cancelled_at: None,
    }
}

pub fn uuid_like() -> String {
    test_support::unique_name("sched")
}

pub fn delivery(schedule_id: &str, scheduled_time: &str) -> ScheduleInput {
    ScheduleInput {
        schedule_id: schedule_id.into(),
        scheduled_time: scheduled_time.into(),
        execution_id: format!("exec-{scheduled_time}"),
    }
}

impl World {
    pub async fn store_definition(&self, definition: &ScheduleDefinition) {
        self.dynamodb
            .put_item()
            .table_name(&self.schedule_table)
            .set_item(Some(schedule_to_item(definition)))
            .send()
            .await
            .expect("put definition");
    }

    /// Every order of a schedule, read back through the ScheduleIndex.
    pub async fn orders_of(&self, schedule_id: &str) -> Vec<Item> {
        self.dynamodb
            .query()
            .table_name(&self.orders_table)
            .index_name("ScheduleIndex")
            .key_condition_expression("scheduleId = :id")
            .expression_attribute_values(":id", AttributeValue::S(schedule_id.into()))
            .send()
            .await
            .expect("query orders")
            .items
            .unwrap_or_default()
    }
}

pub fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.into())
}
pub fn n(value: &str) -> AttributeValue {
    AttributeValue::N(value.into())
}

/// DynamoDB may normalise numbers (`12.50` → `12.5`); compare numerically.
pub fn number(item: &Item, name: &str) -> rust_decimal::Decimal {
    match item.get(name) {
        Some(AttributeValue::N(text)) => text.parse().expect("decimal"),
        other => panic!("{name} is not a number: {other:?}"),
    }
}
