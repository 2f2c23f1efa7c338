//! The executor in process against the local cloud's DynamoDB: what one
//! Scheduler delivery leaves in PurchaseOrdersTable.

mod common;

use acme_core::model::{Priority, ScheduleInput, ScheduleStatus};
use aws_sdk_dynamodb::types::AttributeValue;
use common::{definition, delivery, n, number, s, world, VERSION};
use order_executor::store::Store;
use order_executor::{ExecutionError, Executor, Outcome, SkipReason};

#[tokio::test]
async fn a_delivery_creates_an_order_with_every_field() {
    let world = world().await;
    let definition = definition("WIDGET", 10);
    world.store_definition(&definition).await;

    let outcome = world
        .executor
        .execute(ScheduleInput {
            schedule_id: definition.schedule_id.clone(),
            scheduled_time: "2025-03-03T07:00:00Z".into(),
            execution_id: "0a1b2c3d-exec".into(),
        })
        .await
        .expect("delivery succeeds");

    let orders = world.orders_of(&definition.schedule_id).await;
    assert_eq!(orders.len(), 1);
    let order = &orders[0];
    let Outcome::Created { order_id, .. } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(order.get("orderId"), Some(&s(order_id)));
    assert_eq!(order.get("createdAt"), Some(&s("2025-03-03T07:00:00.000Z")));
    assert_eq!(order.get("scheduleId"), Some(&s(&definition.schedule_id)));
    assert_eq!(order.get("gadgetType"), Some(&s("WIDGET")));
    assert_eq!(order.get("quantity"), Some(&n("10")));
    assert_eq!(number(order, "unitPrice"), "25.00".parse().unwrap());
    assert_eq!(number(order, "subtotal"), "250.00".parse().unwrap());
    assert_eq!(number(order, "discountRate"), "0.05".parse().unwrap());
    assert_eq!(number(order, "discountAmount"), "12.50".parse().unwrap());
    assert_eq!(number(order, "total"), "237.50".parse().unwrap());
    assert_eq!(order.get("priority"), Some(&s("LOW")));
    assert_eq!(order.get("supplier"), Some(&s("Widget Works Ltd")));
    assert_eq!(order.get("status"), Some(&s("CREATED")));
    assert_eq!(order.get("estimatedDeliveryDays"), Some(&n("3")));
    assert_eq!(order.get("owner"), Some(&s(&definition.owner)));
    let metadata = match order.get("metadata") {
        Some(AttributeValue::M(map)) => map,
        other => panic!("metadata: {other:?}"),
    };
    assert_eq!(metadata.get("scheduleName"), Some(&s("weekly restock")));
    assert_eq!(metadata.get("scheduledTime"), Some(&s("2025-03-03T07:00:00Z")));
    assert_eq!(metadata.get("executionId"), Some(&s("0a1b2c3d-exec")));
    assert_eq!(metadata.get("executorVersion"), Some(&s(VERSION)));
    assert_eq!(metadata.len(), 4);
    // The OwnerStatusIndex key: the owner's orders in one status.
    assert_eq!(order.get("ownerStatus"), Some(&s(&format!("{}#CREATED", definition.owner))));
    assert_eq!(order.len(), 17, "no attribute beyond the contract: {order:?}");
}

#[tokio::test]
async fn a_large_order_is_high_priority_bulk_and_waits_for_approval() {
    let world = world().await;
    let definition = definition("DOOHICKEY", 101);
    world.store_definition(&definition).await;

    world.executor.execute(delivery(&definition.schedule_id, "2025-03-03T07:00:00Z")).await.unwrap();

    let orders = world.orders_of(&definition.schedule_id).await;
    let order = &orders[0];
    assert_eq!(number(order, "subtotal"), "131199.00".parse().unwrap());
    assert_eq!(number(order, "discountRate"), "0.15".parse().unwrap());
    assert_eq!(number(order, "discountAmount"), "19679.85".parse().unwrap());
    assert_eq!(number(order, "total"), "111519.15".parse().unwrap());
    assert_eq!(order.get("priority"), Some(&s("HIGH")));
    assert_eq!(order.get("status"), Some(&s("PENDING_APPROVAL")));
    // 7 base days, +2 for more than 100 units, −1 for HIGH.
    assert_eq!(order.get("estimatedDeliveryDays"), Some(&n("8")));
}

#[tokio::test]
async fn the_schedule_priority_override_wins() {
    let world = world().await;
    let mut definition = definition("GIZMO", 1);
    definition.priority_override = Some(Priority::High);
    world.store_definition(&definition).await;

    world.executor.execute(delivery(&definition.schedule_id, "2025-03-03T07:00:00Z")).await.unwrap();

    let order = &world.orders_of(&definition.schedule_id).await[0];
    assert_eq!(number(order, "total"), "149.99".parse().unwrap());
    assert_eq!(order.get("priority"), Some(&s("HIGH")));
    assert_eq!(order.get("estimatedDeliveryDays"), Some(&n("4")));
}

#[tokio::test]
async fn a_repeated_delivery_creates_no_second_order() {
    let world = world().await;
    let definition = definition("SPROCKET", 50);
    world.store_definition(&definition).await;
    let input = delivery(&definition.schedule_id, "2025-03-03T07:00:00Z");

    let first = world.executor.execute(input.clone()).await.unwrap();
    // Scheduler retried after a lost response, with another execution id and
    // the same instant written with an offset.
    let mut again = input.clone();
    again.execution_id = "retry-execution".into();
    again.scheduled_time = "2025-03-03T08:00:00+01:00".into();
    let second = world.executor.execute(again).await.unwrap();

    let Outcome::Created { order_id, .. } = first else { panic!("{first:?}") };
    assert_eq!(second, Outcome::Duplicate { order_id: order_id.clone() });
    let orders = world.orders_of(&definition.schedule_id).await;
    assert_eq!(orders.len(), 1);
    let metadata = match orders[0].get("metadata") {
        Some(AttributeValue::M(map)) => map,
        other => panic!("metadata: {other:?}"),
    };
    assert_eq!(metadata.get("executionId"), Some(&s(&input.execution_id)), "the first write stays");
}

#[tokio::test]
async fn each_scheduled_time_gets_its_own_order() {
    let world = world().await;
    let definition = definition("WIDGET", 1);
    world.store_definition(&definition).await;

    for time in ["2025-03-03T07:00:00Z", "2025-03-10T07:00:00Z", "2025-03-17T07:00:00Z"] {
        world.executor.execute(delivery(&definition.schedule_id, time)).await.unwrap();
    }

    assert_eq!(world.orders_of(&definition.schedule_id).await.len(), 3);
}

#[tokio::test]
async fn a_cancelled_schedule_produces_no_order() {
    let world = world().await;
    let mut definition = definition("WIDGET", 5);
    definition.status = ScheduleStatus::Cancelled;
    definition.enabled = false;
    definition.cancelled_at = Some("2025-03-01T00:00:00.000Z".into());
    world.store_definition(&definition).await;

    let outcome = world.executor.execute(delivery(&definition.schedule_id, "2025-03-03T07:00:00Z")).await;

    assert_eq!(outcome.unwrap(), Outcome::Skipped { reason: SkipReason::ScheduleCancelled });
    assert!(world.orders_of(&definition.schedule_id).await.is_empty());
}

#[tokio::test]
async fn a_pending_schedule_produces_no_order() {
    let world = world().await;
    let mut definition = definition("WIDGET", 5);
    definition.status = ScheduleStatus::Pending;
    world.store_definition(&definition).await;

    let outcome = world.executor.execute(delivery(&definition.schedule_id, "2025-03-03T07:00:00Z")).await;

    assert_eq!(outcome.unwrap(), Outcome::Skipped { reason: SkipReason::SchedulePending });
    assert!(world.orders_of(&definition.schedule_id).await.is_empty());
}

#[tokio::test]
async fn a_disabled_schedule_produces_no_order() {
    let world = world().await;
    let mut definition = definition("WIDGET", 5);
    definition.enabled = false;
    world.store_definition(&definition).await;

    let outcome = world.executor.execute(delivery(&definition.schedule_id, "2025-03-03T07:00:00Z")).await;

    assert_eq!(outcome.unwrap(), Outcome::Skipped { reason: SkipReason::ScheduleDisabled });
    assert!(world.orders_of(&definition.schedule_id).await.is_empty());
}

#[tokio::test]
async fn a_schedule_without_definition_produces_no_order() {
    let world = world().await;
    let outcome = world.executor.execute(delivery("never-defined", "2025-03-03T07:00:00Z")).await;

    assert_eq!(outcome.unwrap(), Outcome::Skipped { reason: SkipReason::ScheduleNotFound });
    assert!(world.orders_of("never-defined").await.is_empty());
}

#[tokio::test]
async fn an_unsubstituted_placeholder_fails_the_invocation() {
    let world = world().await;
    let definition = definition("WIDGET", 5);
    world.store_definition(&definition).await;

    let template = ScheduleInput::template(&definition.schedule_id);
    let err = world.executor.execute(template).await.unwrap_err();

    assert!(matches!(err, ExecutionError::InvalidInput(_)), "{err:?}");
    assert!(world.orders_of(&definition.schedule_id).await.is_empty());
}

#[tokio::test]
async fn a_dynamodb_error_fails_the_invocation_so_scheduler_retries() {
    let world = world().await;
    let definition = definition("WIDGET", 5);
    world.store_definition(&definition).await;
    // The orders table is gone: every write fails.
    let store = Store::new(world.dynamodb.clone(), world.schedule_table.clone(), "no-such-table".into());
    let executor = Executor::new(store, VERSION.into());

    let err = executor.execute(delivery(&definition.schedule_id, "2025-03-03T07:00:00Z")).await.unwrap_err();

    assert!(matches!(err, ExecutionError::Store(_)), "{err:?}");
    let diagnostic = lambda_runtime::Diagnostic::from(err);
    assert_eq!(diagnostic.error_type, "DynamoDbError");
}
