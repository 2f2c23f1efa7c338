//! `AWS::ApiGateway::Resource`: one path segment of a REST API.

use crate::provider::schema::{ValueType::*, *};

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::ApiGateway::Resource",
    properties: &[
        create_only(required("RestApiId", String)),
        // The RestApi's RootResourceId, or another Resource's ResourceId.
        create_only(required("ParentId", String)),
        // One segment: `orders`, `{id}`, `{proxy+}`.
        create_only(required("PathPart", String)),
    ],
    attributes: &["ResourceId"],
    id_attribute: "ResourceId",
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
