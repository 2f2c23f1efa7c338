//! Exactly one schedule per name under concurrency, Idempotency-Key replays,
//! and reconcile of a create that died half-way.

use acme_core::model::{ScheduleDefinition, ScheduleStatus};
use acme_core::table::schedule_to_item;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_scheduler::types::{FlexibleTimeWindow, FlexibleTimeWindowMode, Target};
use futures::future::join_all;

use crate::support::{schedule_body, user, world, EXECUTOR_ARN, ROLE_ARN};

#[tokio::test]
async fn concurrent_creates_with_one_name_make_exactly_one_schedule() {
    let world = world().await;
    let alice = user();
    let body = schedule_body("rush");
    let replies = join_all((0..20).map(|_| world.post_schedule(&alice, &body))).await;

    let winners: Vec<_> = replies.iter().filter(|r| r.status == 201).collect();
    assert_eq!(winners.len(), 1, "{:?}", replies.iter().map(|r| (r.status, &r.body)).collect::<Vec<_>>());
    let id = winners[0].body["scheduleId"].as_str().unwrap();
    for loser in replies.iter().filter(|r| r.status != 201) {
        assert_eq!(loser.status, 409, "{}", loser.body);
        assert_eq!(loser.body["details"]["scheduleId"], id);
    }
    assert_eq!(world.schedule_names().await, vec![id.to_owned()]);
    let definitions = world.definitions_of(&alice).await;
    assert_eq!(definitions.len(), 1, "no definition is left behind by the losers");
    assert_eq!(definitions[0].status, ScheduleStatus::Active);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let world = world().await;
    let (alice, bob) = (user(), user());
    let key = "4f1c0e7a-retry-me";
    let first = world.post_with_key(&alice, &schedule_body("weekly"), key).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert!(first.headers.get("idempotent-replayed").is_none());

    let again = world.post_with_key(&alice, &schedule_body("weekly"), key).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.body["scheduleId"], first.body["scheduleId"]);
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(world.schedule_names().await.len(), 1, "the retry made no second schedule");

    let other = world.post_with_key(&alice, &schedule_body("monthly"), key).await;
    assert_eq!((other.status, other.body["error"].as_str()), (422, Some("IDEMPOTENCY_KEY_REUSED")), "{}", other.body);

    // Keys are per user.
    let bobs = world.post_with_key(&bob, &schedule_body("weekly"), key).await;
    assert_eq!(bobs.status, 201, "{}", bobs.body);
    assert_ne!(bobs.body["scheduleId"], first.body["scheduleId"]);

    let bad = world.post_with_key(&alice, &schedule_body("x"), "has space").await;
    assert_eq!((bad.status, bad.body["details"]["field"].as_str()), (400, Some("Idempotency-Key")));
}

/// What a create that crashed after creating its schedule leaves: a PENDING
/// definition from long ago, its name claim, and a schedule.
async fn half_created(world: &crate::support::World, owner: &str, name: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let created_at = "2025-03-01T08:00:00.000Z";
    let definition = ScheduleDefinition {
        schedule_id: id.clone(),
        created_at: created_at.into(),
        schedule_name: name.into(),
        frequency: "rate(1 day)".into(),
        timezone: None,
        gadget_type: "WIDGET".into(),
        quantity: 12,
        flexible_window_minutes: None,
        priority_override: None,
        start_date: None,
        end_date: None,
        enabled: true,
        status: ScheduleStatus::Pending,
        owner: owner.into(),
        cancelled_at: None,
    };
    let s = |v: &str| AttributeValue::S(v.to_owned());
    for item in [
        schedule_to_item(&definition),
        [
            ("scheduleId", s(&format!("name#{owner}#{name}"))),
            ("createdAt", s("claim")),
            ("claimedBy", s(&id)),
            ("claimedAt", s(created_at)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
    ] {
        world.dynamodb.put_item().table_name(&world.config.schedule_table).set_item(Some(item)).send().await.unwrap();
    }
    world
        .scheduler
        .create_schedule()
        .name(&id)
        .group_name(&world.config.schedule_group)
        .schedule_expression("rate(1 day)")
        .flexible_time_window(FlexibleTimeWindow::builder().mode(FlexibleTimeWindowMode::Off).build().unwrap())
        .target(Target::builder().arn(EXECUTOR_ARN).role_arn(ROLE_ARN).build().unwrap())
        .send()
        .await
        .expect("the orphan schedule");
    id
}

#[tokio::test]
async fn a_stale_pending_create_is_reconciled_by_the_next_create_with_its_name() {
    let world = world().await;
    let alice = user();
    let dead = half_created(&world, &alice, "restock").await;

    let reply = world.post_schedule(&alice, &schedule_body("restock")).await;
    assert_eq!(reply.status, 201, "the stuck name is free again: {}", reply.body);
    let id = reply.body["scheduleId"].as_str().unwrap().to_owned();
    assert_eq!(world.schedule_names().await, vec![id.clone()], "the orphan schedule {dead} is gone");
    let definitions = world.definitions_of(&alice).await;
    assert_eq!(definitions.iter().map(|d| d.schedule_id.as_str()).collect::<Vec<_>>(), vec![id.as_str()]);
}

#[tokio::test]
async fn the_owners_listing_sweeps_stale_pending_creates() {
    let world = world().await;
    let alice = user();
    let dead = half_created(&world, &alice, "forgotten").await;

    let listed = world.get(&alice, "/schedules", &[]).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(listed.body["items"].as_array().unwrap().is_empty(), "{}", listed.body);
    assert!(world.schedule_names().await.is_empty(), "the orphan schedule {dead} is deleted");
    assert!(world.definitions_of(&alice).await.is_empty());
    // And the name can be used again.
    assert_eq!(world.post_schedule(&alice, &schedule_body("forgotten")).await.status, 201);
}
