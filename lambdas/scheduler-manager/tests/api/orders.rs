//! GET /orders: the caller's orders only, newest first, by status (through
//! the OwnerStatusIndex, the caller's partition only) and by schedule (the
//! caller's schedules only), paginated with sealed page tokens.

use acme_core::model::{OrderMetadata, OrderStatus, Priority, PurchaseOrder, ScheduleDefinition, ScheduleStatus};
use acme_core::table::{order_to_item, schedule_to_item};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::support::{user, world, World};

fn order(owner: &str, schedule_id: &str, minute: u32, status: OrderStatus) -> PurchaseOrder {
    PurchaseOrder {
        order_id: format!("{schedule_id}-{minute:02}"),
        created_at: format!("2025-03-01T08:{minute:02}:00.000Z"),
        schedule_id: schedule_id.into(),
        gadget_type: "WIDGET".into(),
        quantity: 10,
        unit_price: Decimal::new(2500, 2),
        subtotal: Decimal::new(25000, 2),
        discount_rate: Decimal::new(5, 2),
        discount_amount: Decimal::new(1250, 2),
        total: Decimal::new(23750, 2),
        priority: Priority::Low,
        supplier: "Widget Works Ltd".into(),
        status,
        estimated_delivery_days: 3,
        metadata: OrderMetadata {
            schedule_name: "seeded".into(),
            scheduled_time: format!("2025-03-01T08:{minute:02}:00Z"),
            execution_id: format!("exec-{minute}"),
            executor_version: "test".into(),
        },
        owner: owner.into(),
    }
}

/// The ACTIVE definition of a seeded schedule (filtering by schedule checks
/// the schedule is the caller's).
async fn seed_definition(world: &World, owner: &str, schedule_id: &str) {
    let definition = ScheduleDefinition {
        schedule_id: schedule_id.into(),
        created_at: "2025-03-01T07:00:00.000Z".into(),
        schedule_name: format!("seeded {schedule_id}"),
        frequency: "rate(1 minute)".into(),
        timezone: None,
        gadget_type: "WIDGET".into(),
        quantity: 10,
        flexible_window_minutes: None,
        priority_override: None,
        start_date: None,
        end_date: None,
        enabled: true,
        status: ScheduleStatus::Active,
        owner: owner.into(),
        cancelled_at: None,
    };
    world
        .dynamodb
        .put_item()
        .table_name(&world.config.schedule_table)
        .set_item(Some(schedule_to_item(&definition)))
        .send()
        .await
        .expect("seed definition");
}

async fn seed(world: &World, orders: &[PurchaseOrder]) {
    for order in orders {
        world
            .dynamodb
            .put_item()
            .table_name(&world.config.orders_table)
            .set_item(Some(order_to_item(order)))
            .send()
            .await
            .expect("seed order");
    }
}

/// Every page of a listing, following nextToken.
async fn all_pages(world: &World, sub: &str, query: &[(&str, &str)]) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = query.to_vec();
        if let Some(token) = &token {
            params.push(("nextToken", token));
        }
        let reply = world.get(sub, "/orders", &params).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        items.extend(reply.body["items"].as_array().unwrap().iter().cloned());
        pages += 1;
        assert!(pages < 20, "pagination does not end");
        match reply.body["nextToken"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => return (items, pages),
        }
    }
}

fn ids(items: &[Value]) -> Vec<&str> {
    items.iter().map(|o| o["orderId"].as_str().unwrap()).collect()
}

/// alice: schedule A (minutes 1, 3, 5, 7; 3 and 7 pending), schedule B
/// (minutes 2, 4; 4 pending); bob: schedule C (minutes 6, 8; 8 pending).
async fn seeded_world() -> (World, String, String, String, String) {
    let world = world().await;
    let (alice, bob) = (user(), user());
    let (a, b, c) = (format!("A{}", &alice[..8]), format!("B{}", &alice[..8]), format!("C{}", &bob[..8]));
    use OrderStatus::{Created as C, PendingApproval as P};
    seed(
        &world,
        &[
            order(&alice, &a, 1, C),
            order(&alice, &b, 2, C),
            order(&alice, &a, 3, P),
            order(&alice, &b, 4, P),
            order(&alice, &a, 5, C),
            order(&bob, &c, 6, C),
            order(&alice, &a, 7, P),
            order(&bob, &c, 8, P),
        ],
    )
    .await;
    seed_definition(&world, &alice, &a).await;
    seed_definition(&world, &alice, &b).await;
    seed_definition(&world, &bob, &c).await;
    (world, alice, bob, a, c)
}

#[tokio::test]
async fn the_caller_lists_their_orders_newest_first_over_several_pages() {
    let (world, alice, bob, a, _) = seeded_world().await;

    let (items, pages) = all_pages(&world, &alice, &[("limit", "2")]).await;
    assert_eq!(
        ids(&items),
        vec![
            format!("{a}-07"),
            format!("{a}-05"),
            format!("B{}-04", &alice[..8]),
            format!("{a}-03"),
            format!("B{}-02", &alice[..8]),
            format!("{a}-01"),
        ]
    );
    assert!(pages >= 3);
    let first = &items[0];
    assert_eq!(first["total"], "237.50", "money is an exact decimal string");
    assert_eq!(first["discountRate"], "0.05");
    assert_eq!(first["metadata"]["executionId"], "exec-7");

    let (bobs, _) = all_pages(&world, &bob, &[]).await;
    assert_eq!(bobs.len(), 2);
    assert!(bobs.iter().all(|o| o["owner"] == bob.as_str()));
}

#[tokio::test]
async fn filtering_by_status_shows_only_the_callers_orders() {
    let (world, alice, bob, a, c) = seeded_world().await;

    let (pending, pages) = all_pages(&world, &alice, &[("status", "PENDING_APPROVAL"), ("limit", "1")]).await;
    assert_eq!(ids(&pending), vec![format!("{a}-07"), format!("B{}-04", &alice[..8]), format!("{a}-03")]);
    assert!(pages >= 3);
    assert!(pending.iter().all(|o| o["status"] == "PENDING_APPROVAL" && o["owner"] == alice.as_str()));

    let (bob_pending, _) = all_pages(&world, &bob, &[("status", "PENDING_APPROVAL")]).await;
    assert_eq!(ids(&bob_pending), vec![format!("{c}-08")]);
}

#[tokio::test]
async fn filtering_by_schedule_and_status() {
    let (world, alice, bob, a, c) = seeded_world().await;

    let (of_a, _) = all_pages(&world, &alice, &[("scheduleId", &a), ("limit", "3")]).await;
    assert_eq!(ids(&of_a), vec![format!("{a}-07"), format!("{a}-05"), format!("{a}-03"), format!("{a}-01")]);

    let (created_of_a, _) = all_pages(&world, &alice, &[("scheduleId", &a), ("status", "CREATED")]).await;
    assert_eq!(ids(&created_of_a), vec![format!("{a}-05"), format!("{a}-01")]);

    // Another user's schedule id shows nothing, in either direction.
    let (foreign, _) = all_pages(&world, &alice, &[("scheduleId", &c)]).await;
    assert!(foreign.is_empty());
    let (stolen, _) = all_pages(&world, &bob, &[("scheduleId", &a)]).await;
    assert!(stolen.is_empty());
}

#[tokio::test]
async fn bad_order_queries_are_400s_naming_the_parameter() {
    let (world, alice, bob, _, _) = seeded_world().await;
    let cases = [
        ("status", "SHIPPED"),
        ("status", "created"),
        ("limit", "0"),
        ("limit", "-1"),
        ("nextToken", "garbage"),
        ("scheduleId", ""),
        ("owner", "someone-else"),
    ];
    for (name, value) in cases {
        let reply = world.get(&alice, "/orders", &[(name, value)]).await;
        assert_eq!(reply.status, 400, "{name}={value}: {}", reply.body);
        assert_eq!(reply.body["details"]["field"], name, "{name}={value}");
    }

    // A token is bound to its user and to its filter.
    let page = world.get(&alice, "/orders", &[("limit", "1")]).await;
    let token = page.body["nextToken"].as_str().unwrap().to_owned();
    let stolen = world.get(&bob, "/orders", &[("nextToken", &token)]).await;
    assert_eq!(stolen.status, 400);
    let other_filter = world.get(&alice, "/orders", &[("nextToken", &token), ("status", "CREATED")]).await;
    assert_eq!(other_filter.status, 400);
}
