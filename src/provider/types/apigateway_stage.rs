//! `AWS::ApiGateway::Stage`: a named, invocable stage of a REST API that
//! points at one deployment.

use crate::provider::schema::{ValueType::*, *};

/// One item of `MethodSettings`.
const METHOD_SETTING: ValueType = Object(&[
    // `/*` and `*` for every resource and method; a resource path's `/` is
    // written `~1` (`/~1orders/GET`).
    optional("ResourcePath", String),
    optional("HttpMethod", String),
    optional("LoggingLevel", Enum(&["OFF", "ERROR", "INFO"])),
    optional("DataTraceEnabled", Boolean),
    optional("MetricsEnabled", Boolean),
    optional("ThrottlingBurstLimit", Integer),
    // A Double in CloudFormation; strata's schema has no number type yet, so
    // whole requests per second for now.
    optional("ThrottlingRateLimit", Integer),
    optional("CachingEnabled", Boolean),
    optional("CacheTtlInSeconds", Integer),
    optional("CacheDataEncrypted", Boolean),
]);

const ACCESS_LOG_SETTING: ValueType = Object(&[optional("DestinationArn", String), optional("Format", String)]);

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::ApiGateway::Stage",
    properties: &[
        create_only(required("RestApiId", String)),
        create_only(optional("StageName", String)),
        optional("DeploymentId", String),
        optional("Description", String),
        optional("MethodSettings", List(&METHOD_SETTING)),
        optional("AccessLogSetting", ACCESS_LOG_SETTING),
        optional("TracingEnabled", Boolean),
        optional("Variables", Map(&String)),
        optional("CacheClusterEnabled", Boolean),
        optional("CacheClusterSize", String),
        optional("ClientCertificateId", String),
        optional("DocumentationVersion", String),
        optional("Tags", TAG_LIST),
    ],
    attributes: &["StageName"],
    id_attribute: "StageName",
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
