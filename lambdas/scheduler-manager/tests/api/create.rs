//! POST /schedule: what lands in Scheduler and in ScheduleDefinitionsTable,
//! and every validation error.

use acme_core::model::{FlexibleWindow, Priority, ScheduleStatus};
use aws_sdk_scheduler::types::FlexibleTimeWindowMode;
use serde_json::{json, Value};

use crate::support::{event, schedule_body, user, world, EXECUTOR_ARN, ROLE_ARN};

#[tokio::test]
async fn creating_a_schedule_stores_the_schedule_and_its_definition() {
    let world = world().await;
    let alice = user();
    let body = json!({
        "scheduleName": "Monday restock",
        "frequency": "cron(0 8 ? * MON *)",
        "gadgetType": "GIZMO",
        "quantity": 40,
        "timezone": "Europe/Paris",
        "flexibleWindowMinutes": 15,
        "priorityOverride": "HIGH",
        "startDate": "2030-01-01T00:00:00Z",
        "endDate": "2031-01-01T00:00:00Z",
    });

    let reply = world.post_schedule(&alice, &body).await;

    assert_eq!(reply.status, 201, "{}", reply.body);
    let id = reply.body["scheduleId"].as_str().unwrap().to_owned();
    assert_eq!(reply.headers.get("location").unwrap(), &format!("/schedule/{id}"));
    assert_eq!(reply.body["scheduleName"], "Monday restock");
    assert_eq!(reply.body["frequency"], "cron(0 8 ? * MON *)");
    assert_eq!(reply.body["status"], "ACTIVE");
    assert_eq!(reply.body["enabled"], true);
    assert_eq!(reply.body["owner"], alice.as_str());
    assert_eq!(reply.body["startDate"], "2030-01-01T00:00:00.000Z");

    // Scheduler: expression, zone, dates, target, role, input, window, retries.
    let schedule = world
        .scheduler
        .get_schedule()
        .group_name(&world.config.schedule_group)
        .name(&id)
        .send()
        .await
        .expect("the schedule exists");
    assert_eq!(schedule.schedule_expression(), Some("cron(0 8 ? * MON *)"));
    assert_eq!(schedule.schedule_expression_timezone(), Some("Europe/Paris"));
    assert_eq!(schedule.group_name(), Some(world.config.schedule_group.as_str()));
    assert_eq!(schedule.start_date().map(|d| d.secs()), Some(1_893_456_000));
    assert_eq!(schedule.end_date().map(|d| d.secs()), Some(1_924_992_000));
    let window = schedule.flexible_time_window().unwrap();
    assert_eq!(window.mode(), &FlexibleTimeWindowMode::Flexible);
    assert_eq!(window.maximum_window_in_minutes(), Some(15));
    let target = schedule.target().unwrap();
    assert_eq!(target.arn(), EXECUTOR_ARN);
    assert_eq!(target.role_arn(), ROLE_ARN);
    let input: Value = serde_json::from_str(target.input().unwrap()).unwrap();
    assert_eq!(
        input,
        json!({
            "scheduleId": id,
            "scheduledTime": "<aws.scheduler.scheduled-time>",
            "executionId": "<aws.scheduler.execution-id>",
        })
    );
    let retry = target.retry_policy().unwrap();
    assert_eq!(retry.maximum_event_age_in_seconds(), Some(3_600));
    assert_eq!(retry.maximum_retry_attempts(), Some(5));

    // ScheduleDefinitionsTable.
    let definitions = world.definitions_of(&alice).await;
    assert_eq!(definitions.len(), 1);
    let definition = &definitions[0];
    assert_eq!(definition.schedule_id, id);
    assert_eq!(definition.schedule_name, "Monday restock");
    assert_eq!(definition.frequency, "cron(0 8 ? * MON *)");
    assert_eq!(definition.gadget_type, "GIZMO");
    assert_eq!(definition.quantity, 40);
    assert!(definition.enabled);
    assert_eq!(definition.status, ScheduleStatus::Active);
    assert_eq!(definition.owner, alice);
    assert_eq!(definition.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(definition.flexible_window_minutes, Some(FlexibleWindow(15)));
    assert_eq!(definition.priority_override, Some(Priority::High));
    assert_eq!(definition.end_date.as_deref(), Some("2031-01-01T00:00:00.000Z"));
    assert_eq!(definition.created_at, reply.body["createdAt"].as_str().unwrap());
    assert_eq!(serde_json::to_value(definition).unwrap(), reply.body, "the answer is the stored definition");
}

#[tokio::test]
async fn without_a_window_the_schedule_fires_exactly_and_in_utc() {
    let world = world().await;
    let alice = user();
    let id = world.create(&alice, "daily").await;

    let schedule =
        world.scheduler.get_schedule().group_name(&world.config.schedule_group).name(&id).send().await.unwrap();
    let window = schedule.flexible_time_window().unwrap();
    assert_eq!(window.mode(), &FlexibleTimeWindowMode::Off);
    assert_eq!(window.maximum_window_in_minutes(), None);
    assert_eq!(schedule.schedule_expression(), Some("rate(1 day)"));
    assert_eq!(schedule.schedule_expression_timezone(), Some("UTC"), "moto reports UTC when none is set");
}

#[tokio::test]
async fn every_validation_error_is_a_400_naming_the_field_and_creates_nothing() {
    let world = world().await;
    let alice = user();
    let cases: Vec<(&str, Value, &str)> = vec![
        ("scheduleName", json!(null), "scheduleName"),
        ("scheduleName", json!(""), "scheduleName"),
        ("scheduleName", json!("n".repeat(101)), "scheduleName"),
        ("scheduleName", json!(["a"]), "scheduleName"),
        ("frequency", json!(null), "frequency"),
        ("frequency", json!("rate(0 minutes)"), "frequency"),
        ("frequency", json!("rate(5 minute)"), "frequency"),
        ("frequency", json!("cron(0 8 * * MON *)"), "frequency"),
        ("frequency", json!("cron(0 8 * *)"), "frequency"),
        ("frequency", json!("at(2001-01-01T00:00:00)"), "frequency"),
        ("frequency", json!("daily"), "frequency"),
        ("gadgetType", json!(null), "gadgetType"),
        ("gadgetType", json!("FLUX_CAPACITOR"), "gadgetType"),
        ("quantity", json!(null), "quantity"),
        ("quantity", json!(0), "quantity"),
        ("quantity", json!(10_001), "quantity"),
        ("quantity", json!(1.5), "quantity"),
        ("quantity", json!("12"), "quantity"),
        ("timezone", json!("Europe/Atlantis"), "timezone"),
        ("timezone", json!(1), "timezone"),
        ("flexibleWindowMinutes", json!(0), "flexibleWindowMinutes"),
        ("flexibleWindowMinutes", json!(1_441), "flexibleWindowMinutes"),
        ("priorityOverride", json!("CRITICAL"), "priorityOverride"),
        ("startDate", json!("next monday"), "startDate"),
        ("startDate", json!("2001-01-01T00:00:00Z"), "startDate"),
        ("endDate", json!("2001-01-01T00:00:00Z"), "endDate"),
        ("endDate", json!("31/12/2030"), "endDate"),
        ("discount", json!(50), "discount"),
    ];
    for (field, value, expected_field) in &cases {
        let mut body = schedule_body("validation");
        if value.is_null() {
            body.as_object_mut().unwrap().remove(*field);
        } else {
            body[*field] = value.clone();
        }
        let reply = world.post_schedule(&alice, &body).await;
        assert_eq!(reply.status, 400, "{field} = {value}: {}", reply.body);
        assert_eq!(reply.body["error"], "VALIDATION_ERROR", "{field} = {value}");
        assert_eq!(reply.body["details"]["field"], *expected_field, "{field} = {value}: {}", reply.body);
        assert!(reply.body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    // Bodies that are not a JSON object.
    for raw in [None, Some(json!([1, 2])), Some(json!("text"))] {
        let reply = world.call(event("POST", "/schedule", &[], raw.as_ref(), Some(&alice))).await;
        assert_eq!(reply.status, 400, "{raw:?}");
        assert_eq!(reply.body["details"]["field"], "body", "{raw:?}");
    }

    // Several problems at once are all listed.
    let reply = world.post_schedule(&alice, &json!({ "quantity": -1, "gadgetType": "X" })).await;
    let fields: Vec<&str> =
        reply.body["details"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["scheduleName", "frequency", "gadgetType", "quantity"]);

    assert!(world.schedule_names().await.is_empty(), "no schedule was created");
    assert!(world.definitions_of(&alice).await.is_empty(), "no definition was written");
}

#[tokio::test]
async fn an_expression_error_carries_the_parser_hint() {
    let world = world().await;
    let mut body = schedule_body("hint");
    body["frequency"] = json!("rate(5 minute)");

    let reply = world.post_schedule(&user(), &body).await;

    let error = &reply.body["details"]["errors"][0];
    assert_eq!(error["field"], "frequency");
    assert!(error["hint"].as_str().is_some_and(|h| h.contains("minutes")), "{}", reply.body);
}

#[tokio::test]
async fn a_duplicate_name_of_the_same_owner_is_a_409() {
    let world = world().await;
    let (alice, bob) = (user(), user());
    let first = world.create(&alice, "restock").await;

    let again = world.post_schedule(&alice, &schedule_body("restock")).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(again.body["error"], "CONFLICT");
    assert_eq!(again.body["details"]["field"], "scheduleName");
    assert_eq!(again.body["details"]["scheduleId"], first.as_str());

    // Another owner may use the name; a cancelled schedule frees it.
    world.create(&bob, "restock").await;
    assert_eq!(world.delete(&alice, &format!("/schedule/{first}")).await.status, 200);
    let reused = world.post_schedule(&alice, &schedule_body("restock")).await;
    assert_eq!(reused.status, 201, "{}", reused.body);
    assert_eq!(world.schedule_names().await.len(), 2, "bob's and alice's new one");
}
