//! `AWS::IAM::Role`, with inline policies.

use crate::provider::schema::{ValueType::*, *};

/// One item of `Policies` (CloudFormation's `Policy` type).
const INLINE_POLICY: ValueType = Object(&[required("PolicyName", String), required("PolicyDocument", Json)]);

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::IAM::Role",
    properties: &[
        required("AssumeRolePolicyDocument", Json),
        create_only(optional("RoleName", String)),
        create_only(optional("Path", String)),
        optional("Description", String),
        optional("ManagedPolicyArns", List(&String)),
        optional("MaxSessionDuration", Integer),
        optional("PermissionsBoundary", String),
        optional("Policies", List(&INLINE_POLICY)),
        optional("Tags", TAG_LIST),
    ],
    attributes: &["RoleName", "Arn", "RoleId"],
    id_attribute: "RoleName",
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
