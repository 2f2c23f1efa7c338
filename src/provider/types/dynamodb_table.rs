//! `AWS::DynamoDB::Table`.

use crate::provider::schema::{ValueType::*, *};

const ATTRIBUTE_DEFINITION: ValueType =
    Object(&[required("AttributeName", String), required("AttributeType", Enum(&["S", "N", "B"]))]);

/// A table's or an index's key: one HASH element and at most one RANGE element.
const KEY_SCHEMA: ValueType =
    List(&Object(&[required("AttributeName", String), required("KeyType", Enum(&["HASH", "RANGE"]))]));

const PROJECTION: ValueType = Object(&[
    optional("ProjectionType", Enum(&["ALL", "KEYS_ONLY", "INCLUDE"])),
    optional("NonKeyAttributes", List(&String)),
]);

const PROVISIONED_THROUGHPUT: ValueType =
    Object(&[required("ReadCapacityUnits", Integer), required("WriteCapacityUnits", Integer)]);

const CONTRIBUTOR_INSIGHTS: ValueType = Object(&[required("Enabled", Boolean)]);

const GLOBAL_SECONDARY_INDEX: ValueType = Object(&[
    required("IndexName", String),
    required("KeySchema", KEY_SCHEMA),
    required("Projection", PROJECTION),
    optional("ProvisionedThroughput", PROVISIONED_THROUGHPUT),
    optional("ContributorInsightsSpecification", CONTRIBUTOR_INSIGHTS),
]);

const LOCAL_SECONDARY_INDEX: ValueType =
    Object(&[required("IndexName", String), required("KeySchema", KEY_SCHEMA), required("Projection", PROJECTION)]);

const SSE_SPECIFICATION: ValueType = Object(&[
    required("SSEEnabled", Boolean),
    optional("SSEType", Enum(&["AES256", "KMS"])),
    // Key id, key ARN or alias; only with SSEType KMS.
    optional("KMSMasterKeyId", String),
]);

const POINT_IN_TIME_RECOVERY: ValueType = Object(&[optional("PointInTimeRecoveryEnabled", Boolean)]);

const STREAM_SPECIFICATION: ValueType =
    Object(&[required("StreamViewType", Enum(&["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]))]);

const TIME_TO_LIVE: ValueType = Object(&[required("Enabled", Boolean), optional("AttributeName", String)]);

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::DynamoDB::Table",
    properties: &[
        create_only(optional("TableName", String)),
        // Conditional in CloudFormation only because of ImportSourceSpecification,
        // which strata does not describe: every table strata creates needs it.
        required("AttributeDefinitions", List(&ATTRIBUTE_DEFINITION)),
        create_only(required("KeySchema", KEY_SCHEMA)),
        optional("BillingMode", Enum(&["PROVISIONED", "PAY_PER_REQUEST"])),
        optional("ProvisionedThroughput", PROVISIONED_THROUGHPUT),
        optional("GlobalSecondaryIndexes", List(&GLOBAL_SECONDARY_INDEX)),
        create_only(optional("LocalSecondaryIndexes", List(&LOCAL_SECONDARY_INDEX))),
        optional("SSESpecification", SSE_SPECIFICATION),
        optional("PointInTimeRecoverySpecification", POINT_IN_TIME_RECOVERY),
        optional("StreamSpecification", STREAM_SPECIFICATION),
        optional("TimeToLiveSpecification", TIME_TO_LIVE),
        optional("TableClass", Enum(&["STANDARD", "STANDARD_INFREQUENT_ACCESS"])),
        optional("DeletionProtectionEnabled", Boolean),
        optional("ContributorInsightsSpecification", CONTRIBUTOR_INSIGHTS),
        optional("Tags", TAG_LIST),
    ],
    attributes: &["TableName", "Arn", "StreamArn"],
    id_attribute: "TableName",
    taggable: true,
};

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    fn schema(&self) -> &'static ResourceSchema {
        &SCHEMA
    }
}
