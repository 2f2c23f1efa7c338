//! `AWS::ApiGateway::Authorizer`: a Lambda (TOKEN / REQUEST) or Cognito user
//! pool authorizer of a REST API.

use crate::provider::schema::{ValueType::*, *};

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::ApiGateway::Authorizer",
    properties: &[
        create_only(required("RestApiId", String)),
        required("Name", String),
        required("Type", Enum(&["TOKEN", "REQUEST", "COGNITO_USER_POOLS"])),
        // User pool ARNs, for COGNITO_USER_POOLS.
        optional("ProviderARNs", List(&String)),
        // e.g. `method.request.header.Authorization`.
        optional("IdentitySource", String),
        optional("IdentityValidationExpression", String),
        // For TOKEN / REQUEST: the authorizer Lambda's invocation URI.
        optional("AuthorizerUri", String),
        optional("AuthorizerCredentials", String),
        optional("AuthorizerResultTtlInSeconds", Integer),
        optional("AuthType", String),
    ],
    attributes: &["AuthorizerId"],
    id_attribute: "AuthorizerId",
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
