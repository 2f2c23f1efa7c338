//! `AWS::ApiGateway::Method`: one HTTP method of a REST API resource and its
//! integration.

use crate::provider::schema::{ValueType::*, *};

const INTEGRATION_RESPONSE: ValueType = Object(&[
    required("StatusCode", String),
    optional("SelectionPattern", String),
    optional("ResponseParameters", Map(&String)),
    optional("ResponseTemplates", Map(&String)),
    optional("ContentHandling", Enum(&["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"])),
]);

const INTEGRATION: ValueType = Object(&[
    required("Type", Enum(&["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"])),
    // The method API Gateway uses towards the backend: always POST for Lambda.
    optional("IntegrationHttpMethod", String),
    // For Lambda: arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations
    optional("Uri", String),
    optional("TimeoutInMillis", Integer),
    optional("Credentials", String),
    optional("PassthroughBehavior", Enum(&["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"])),
    optional("RequestParameters", Map(&String)),
    optional("RequestTemplates", Map(&String)),
    optional("ConnectionType", Enum(&["INTERNET", "VPC_LINK"])),
    optional("ConnectionId", String),
    optional("ContentHandling", Enum(&["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"])),
    optional("CacheKeyParameters", List(&String)),
    optional("CacheNamespace", String),
    optional("IntegrationResponses", List(&INTEGRATION_RESPONSE)),
]);

const METHOD_RESPONSE: ValueType = Object(&[
    required("StatusCode", String),
    optional("ResponseModels", Map(&String)),
    optional("ResponseParameters", Map(&Boolean)),
]);

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::ApiGateway::Method",
    properties: &[
        create_only(required("RestApiId", String)),
        create_only(required("ResourceId", String)),
        create_only(required("HttpMethod", Enum(&["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"]))),
        optional("AuthorizationType", Enum(&["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"])),
        optional("AuthorizerId", String),
        // With COGNITO_USER_POOLS: no scopes means API Gateway expects the ID
        // token; scopes mean it expects an access token carrying one of them.
        optional("AuthorizationScopes", List(&String)),
        optional("ApiKeyRequired", Boolean),
        optional("Integration", INTEGRATION),
        optional("MethodResponses", List(&METHOD_RESPONSE)),
        // `method.request.path.id: true` = the parameter is required.
        optional("RequestParameters", Map(&Boolean)),
        optional("RequestModels", Map(&String)),
        optional("RequestValidatorId", String),
        optional("OperationName", String),
    ],
    // CloudFormation's Ref value of a method (it has no Fn::GetAtt attribute).
    attributes: &["Id"],
    id_attribute: "Id",
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
