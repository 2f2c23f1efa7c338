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
