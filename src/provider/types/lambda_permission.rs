//! `AWS::Lambda::Permission`: one statement of a function's resource policy.
//! Lambda cannot edit a statement in place, so every property is createOnly.

use crate::provider::schema::{ValueType::*, *};

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::Lambda::Permission",
    properties: &[
        create_only(required("Action", String)),
        // Function name, ARN or partial ARN.
        create_only(required("FunctionName", String)),
        create_only(required("Principal", String)),
        create_only(optional("SourceArn", String)),
        create_only(optional("SourceAccount", String)),
        create_only(optional("PrincipalOrgID", String)),
        create_only(optional("EventSourceToken", String)),
        create_only(optional("FunctionUrlAuthType", Enum(&["AWS_IAM", "NONE"]))),
    ],
    // The statement id.
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
