//! `AWS::KMS::Key`: a customer-managed KMS key.
//!
//! AWS cannot change a key's spec, usage, origin or multi-Region flag, so those
//! are createOnly: changing one plans a replacement, and the old key is then
//! scheduled for deletion after `PendingWindowInDays` (7 to 30), not deleted at
//! once. (CloudFormation refuses such an update outright.)

use crate::provider::schema::{ValueType::*, *};

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::KMS::Key",
    properties: &[
        optional("Description", String),
        optional("Enabled", Boolean),
        optional("EnableKeyRotation", Boolean),
        optional("RotationPeriodInDays", Integer),
        // Optional: AWS applies the default key policy (account root) without one.
        optional("KeyPolicy", Json),
        optional("BypassPolicyLockoutSafetyCheck", Boolean),
        // KeySpec and KeyUsage are open-ended (AWS keeps adding values): strings.
        create_only(optional("KeySpec", String)),
        create_only(optional("KeyUsage", String)),
        create_only(optional("MultiRegion", Boolean)),
        create_only(optional("Origin", Enum(&["AWS_KMS", "EXTERNAL"]))),
        optional("PendingWindowInDays", Integer),
        optional("Tags", TAG_LIST),
    ],
    attributes: &["KeyId", "Arn"],
    id_attribute: "KeyId",
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
