//! Helpers for the Lambdas' integration tests: the local cloud, and tables and
//! schedule groups with the stack's exact key schema under unique names, so
//! tests run in parallel against one shared server.

use std::sync::OnceLock;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType,
};

use crate::table::{indexes, names};

/// Set to an endpoint (`http://127.0.0.1:5099`) to use a server started by
/// hand instead of the shared local cloud.
pub const ENDPOINT_OVERRIDE_VAR: &str = "ACME_TEST_AWS_ENDPOINT";

/// Region of every test resource; the local cloud keeps regions apart.
pub const REGION: &str = "us-east-1";

/// The endpoint of the local cloud, started on first use by this process.
pub fn endpoint() -> String {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT
        .get_or_init(|| {
            if let Ok(endpoint) = std::env::var(ENDPOINT_OVERRIDE_VAR) {
                return endpoint;
            }
            start_local_cloud()
        })
        .clone()
}

/// Starts (or joins) the shared local cloud. `ensure_running` blocks (it may
/// install and start moto); it runs on its own thread so that no async
/// runtime's thread is blocked by it.
fn start_local_cloud() -> String {
    std::thread::spawn(|| {
        let config = local_cloud::LocalCloudConfig::from_env();
        match local_cloud::ensure_running(&config) {
            Ok(cloud) => cloud.endpoint,
            Err(err) => panic!("local cloud unavailable: {err}"),
        }
    })
    .join()
    .unwrap_or_else(|_| panic!("local cloud start-up panicked"))
}

/// SDK configuration pointing at the local cloud with static test credentials.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "acme-tests"))
        .load()
        .await
}

/// `prefix-<random>`: unique per test and per run.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

fn string_attribute(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .expect("attribute definition is complete")
}

fn key(name: &str, key_type: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder().attribute_name(name).key_type(key_type).build().expect("key schema element is complete")
}

fn index(name: &str, hash: &str) -> GlobalSecondaryIndex {
    GlobalSecondaryIndex::builder()
        .index_name(name)
        .key_schema(key(hash, KeyType::Hash))
        .key_schema(key(names::CREATED_AT, KeyType::Range))
        .projection(Projection::builder().projection_type(ProjectionType::All).build())
        .build()
        .expect("index is complete")
}

/// ScheduleDefinitionsTable: HASH scheduleId, RANGE createdAt; GSI OwnerIndex.
pub async fn create_definitions_table(client: &aws_sdk_dynamodb::Client) -> String {
    let name = unique_name("ScheduleDefinitions");
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string_attribute(names::SCHEDULE_ID))
        .attribute_definitions(string_attribute(names::CREATED_AT))
        .attribute_definitions(string_attribute(names::OWNER))
        .key_schema(key(names::SCHEDULE_ID, KeyType::Hash))
        .key_schema(key(names::CREATED_AT, KeyType::Range))
        .global_secondary_indexes(index(indexes::OWNER_INDEX, names::OWNER))
        .send()
        .await
        .expect("create definitions table");
    name
}

/// PurchaseOrdersTable: HASH orderId, RANGE createdAt; GSIs OwnerStatusIndex,
/// OwnerIndex and ScheduleIndex.
pub async fn create_orders_table(client: &aws_sdk_dynamodb::Client) -> String {
    let name = unique_name("PurchaseOrders");
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string_attribute(names::ORDER_ID))
        .attribute_definitions(string_attribute(names::CREATED_AT))
        .attribute_definitions(string_attribute(names::OWNER_STATUS))
        .attribute_definitions(string_attribute(names::OWNER))
        .attribute_definitions(string_attribute(names::SCHEDULE_ID))
        .key_schema(key(names::ORDER_ID, KeyType::Hash))
        .key_schema(key(names::CREATED_AT, KeyType::Range))
        .global_secondary_indexes(index(indexes::OWNER_STATUS_INDEX, names::OWNER_STATUS))
        .global_secondary_indexes(index(indexes::OWNER_INDEX, names::OWNER))
        .global_secondary_indexes(index(indexes::SCHEDULE_INDEX, names::SCHEDULE_ID))
        .send()
        .await
        .expect("create orders table");
    name
}

/// A fresh Scheduler schedule group.
pub async fn create_schedule_group(client: &aws_sdk_scheduler::Client) -> String {
    let name = unique_name("acme");
    client.create_schedule_group().name(&name).send().await.expect("create schedule group");
    name
}
