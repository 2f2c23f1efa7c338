//! GET /schedules, GET and DELETE /schedule/{id}: ownership, pagination,
//! cancellation.

use std::collections::HashSet;

use acme_core::model::ScheduleStatus;
use aws_sdk_scheduler::operation::get_schedule::GetScheduleError;

use crate::support::{event, user, world};

#[tokio::test]
async fn the_owner_reads_a_schedule_and_nobody_else_does() {
    let world = world().await;
    let (alice, bob) = (user(), user());
    let id = world.create(&alice, "mine").await;

    let own = world.get(&alice, &format!("/schedule/{id}"), &[]).await;
    assert_eq!(own.status, 200);
    assert_eq!(own.body["scheduleId"], id.as_str());
    assert_eq!(own.body["owner"], alice.as_str());

    let foreign = world.get(&bob, &format!("/schedule/{id}"), &[]).await;
    assert_eq!(foreign.status, 404);
    assert_eq!(foreign.body["error"], "NOT_FOUND");
    let missing = world.get(&alice, "/schedule/00000000-0000-4000-8000-000000000000", &[]).await;
    assert_eq!(missing.status, 404);
    assert_eq!(foreign.body["message"].as_str().map(|m| m.contains("does not exist")), Some(true));
}

#[tokio::test]
async fn cancelling_deletes_the_schedule_keeps_the_definition_and_can_be_repeated() {
    let world = world().await;
    let alice = user();
    let id = world.create(&alice, "to cancel").await;
    let path = format!("/schedule/{id}");

    let first = world.delete(&alice, &path).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["status"], "CANCELLED");
    assert_eq!(first.body["enabled"], false);
    let cancelled_at = first.body["cancelledAt"].as_str().unwrap().to_owned();

    let gone = world.scheduler.get_schedule().group_name(&world.config.schedule_group).name(&id).send().await;
    assert!(matches!(
        gone.as_ref().map_err(|e| e.as_service_error()),
        Err(Some(GetScheduleError::ResourceNotFoundException(_)))
    ));
    let definitions = world.definitions_of(&alice).await;
    assert_eq!(definitions.len(), 1, "kept for history");
    assert_eq!(definitions[0].status, ScheduleStatus::Cancelled);
    assert!(!definitions[0].enabled);

    let second = world.delete(&alice, &path).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.body["cancelledAt"], cancelled_at.as_str(), "the first cancellation time stays");
    assert_eq!(world.get(&alice, &path, &[]).await.body["status"], "CANCELLED");
}

#[tokio::test]
async fn nobody_cancels_another_users_schedule() {
    let world = world().await;
    let (alice, mallory) = (user(), user());
    let id = world.create(&alice, "precious").await;

    let reply = world.delete(&mallory, &format!("/schedule/{id}")).await;

    assert_eq!(reply.status, 404);
    assert_eq!(world.schedule_names().await, vec![id.clone()], "the schedule is untouched");
    assert_eq!(world.definitions_of(&alice).await[0].status, ScheduleStatus::Active);
}

#[tokio::test]
async fn listing_pages_through_the_callers_schedules_newest_first() {
    let world = world().await;
    let (alice, bob) = (user(), user());
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(world.create(&alice, &format!("schedule {i}")).await);
        // createdAt has millisecond precision; keep the order unambiguous.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    world.create(&bob, "bob's").await;

    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut query = vec![("limit", "2")];
        if let Some(token) = &token {
            query.push(("nextToken", token.as_str()));
        }
        let reply = world.get(&alice, "/schedules", &query).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let items = reply.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        for item in items {
            assert_eq!(item["owner"], alice.as_str());
            seen.push(item["scheduleId"].as_str().unwrap().to_owned());
        }
        pages += 1;
        match reply.body["nextToken"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 10, "pagination does not end");
    }

    assert!(pages >= 3, "5 items at 2 a page: {pages} pages");
    let expected: Vec<String> = created.iter().rev().cloned().collect();
    assert_eq!(seen, expected, "every schedule once, newest first");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 5);
}

#[tokio::test]
async fn a_page_token_only_works_for_its_owner() {
    let world = world().await;
    let (alice, bob) = (user(), user());
    for i in 0..3 {
        world.create(&alice, &format!("s{i}")).await;
    }
    let first = world.get(&alice, "/schedules", &[("limit", "1")]).await;
    let token = first.body["nextToken"].as_str().expect("more pages").to_owned();

    let stolen = world.get(&bob, "/schedules", &[("nextToken", &token)]).await;
    assert_eq!(stolen.status, 400);
    assert_eq!(stolen.body["details"]["field"], "nextToken");

    for (name, value) in
        [("nextToken", "not-a-token"), ("limit", "0"), ("limit", "1000"), ("limit", "x"), ("owner", "x")]
    {
        let reply = world.get(&alice, "/schedules", &[(name, value)]).await;
        assert_eq!(reply.status, 400, "{name}={value}");
        assert_eq!(reply.body["details"]["field"], name, "{name}={value}");
    }
}

#[tokio::test]
async fn requests_without_an_authenticated_user_or_route_are_refused() {
    let world = world().await;
    let anonymous = world.call(event("GET", "/schedules", &[], None, None)).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.body["error"], "UNAUTHORIZED");

    let unknown = world.get(&user(), "/gadgets", &[]).await;
    assert_eq!(unknown.status, 404);

    let wrong_method = world.call(event("PUT", "/schedule/abc", &[], None, Some(&user()))).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.headers.get("allow").unwrap(), "GET, DELETE");
}
