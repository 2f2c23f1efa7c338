//! `AWS::ApiGateway::RestApi`.
//!
//! CloudFormation's OpenAPI import (`Body`, `BodyS3Location`) is not described,
//! so `Name`, required in CloudFormation whenever there is no body, is required.

use crate::provider::schema::{ValueType::*, *};

const ENDPOINT_CONFIGURATION: ValueType = Object(&[
    optional("Types", List(&Enum(&["EDGE", "REGIONAL", "PRIVATE"]))),
    optional("VpcEndpointIds", List(&String)),
]);

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::ApiGateway::RestApi",
    properties: &[
        required("Name", String),
        optional("Description", String),
        optional("EndpointConfiguration", ENDPOINT_CONFIGURATION),
        optional("ApiKeySourceType", Enum(&["HEADER", "AUTHORIZER"])),
        optional("BinaryMediaTypes", List(&String)),
        optional("DisableExecuteApiEndpoint", Boolean),
        optional("MinimumCompressionSize", Integer),
        optional("Policy", Json),
        optional("Tags", TAG_LIST),
    ],
    attributes: &["RestApiId", "RootResourceId"],
    id_attribute: "RestApiId",
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
