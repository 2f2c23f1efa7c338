//! Neither a schedule without its definition nor a definition without its
//! schedule, whichever call fails; and no internals in a 500.

use acme_core::config::ManagerConfig;
use acme_core::test_support;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType,
};
use scheduler_manager::App;

use crate::support::{schedule_body, user, world, World, EXECUTOR_ARN, ROLE_ARN};

fn assert_bare_500(reply: &crate::support::Reply, secrets: &[&str]) {
    assert_eq!(reply.status, 500, "{}", reply.body);
    assert_eq!(reply.body["error"], "INTERNAL_ERROR");
    let text = reply.body.to_string();
    for secret in secrets {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

#[tokio::test]
async fn when_creating_the_schedule_fails_no_definition_is_written() {
    let world = world().await;
    let sdk = test_support::sdk_config().await;
    // A schedule group that does not exist: Scheduler refuses the schedule.
    let config = ManagerConfig { schedule_group: test_support::unique_name("missing-group"), ..world.config.clone() };
    let world = World { app: App::new(&config, &sdk), config: config.clone(), ..world };
    let alice = user();

    let reply = world.post_schedule(&alice, &schedule_body("doomed")).await;

    assert_bare_500(&reply, &[&config.schedule_group, "KeyError", "Scheduler"]);
    assert!(world.definitions_of(&alice).await.is_empty(), "no definition without its schedule");
}

/// A definitions table whose `createdAt` key is a number: queries work, but
/// every definition write is refused by DynamoDB.
async fn table_refusing_definitions(dynamodb: &aws_sdk_dynamodb::Client) -> String {
    let name = test_support::unique_name("BrokenDefinitions");
    let attribute =
        |name: &str, kind| AttributeDefinition::builder().attribute_name(name).attribute_type(kind).build().unwrap();
    let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build().unwrap();
    dynamodb
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("scheduleId", ScalarAttributeType::S))
        .attribute_definitions(attribute("createdAt", ScalarAttributeType::N))
        .attribute_definitions(attribute("owner", ScalarAttributeType::S))
        .key_schema(key("scheduleId", KeyType::Hash))
        .key_schema(key("createdAt", KeyType::Range))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("OwnerIndex")
                .key_schema(key("owner", KeyType::Hash))
                .key_schema(key("createdAt", KeyType::Range))
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("create broken table");
    name
}

#[tokio::test]
async fn when_writing_the_definition_fails_the_schedule_is_deleted_again() {
    let world = world().await;
    let sdk = test_support::sdk_config().await;
    let broken_table = table_refusing_definitions(&world.dynamodb).await;
    let config = ManagerConfig {
        schedule_table: broken_table.clone(),
        order_executor_arn: EXECUTOR_ARN.into(),
        scheduler_role_arn: ROLE_ARN.into(),
        ..world.config.clone()
    };
    let world = World { app: App::new(&config, &sdk), config, ..world };

    let reply = world.post_schedule(&user(), &schedule_body("half-made")).await;

    assert_bare_500(&reply, &[&broken_table, "ValidationException", "createdAt"]);
    assert!(world.schedule_names().await.is_empty(), "no schedule without its definition");
}
