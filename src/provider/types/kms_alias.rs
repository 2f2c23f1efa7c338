//! `AWS::KMS::Alias`: a friendly name (`alias/...`) for a KMS key.

use crate::provider::schema::{ValueType::*, *};

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::KMS::Alias",
    properties: &[
        create_only(required("AliasName", String)),
        // Key id or key ARN; re-pointing an alias is an in-place update.
        required("TargetKeyId", String),
    ],
    attributes: &["AliasName"],
    id_attribute: "AliasName",
    taggable: false,
};

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    fn schema(&self) -> &'static ResourceSchema {
        &SCHEMA
    }
}
