//! `AWS::ApiGateway::Deployment`: an immutable snapshot of a REST API's
//! resources and methods.
//!
//! As in CloudFormation, changing a method does not change its deployment: a
//! deployment that should pick up method changes must itself change (its
//! `Description`, say), which creates a new snapshot.

use crate::provider::schema::{ValueType::*, *};

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::ApiGateway::Deployment",
    properties: &[
        create_only(required("RestApiId", String)),
        optional("Description", String),
        // Creates (or points) a stage of that name at this deployment. Leave it
        // out when the stage is its own AWS::ApiGateway::Stage resource.
        optional("StageName", String),
    ],
    attributes: &["DeploymentId"],
    id_attribute: "DeploymentId",
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
