//! `AWS::Logs::LogGroup`.
//!
//! `RetentionInDays` accepts only CloudWatch Logs' fixed set of values (1, 3,
//! 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
//! 2557, 2922, 3288, 3653); the schema has no integer enum, so AWS checks it.
//!
//! CloudFormation's `Arn` attribute of a log group ends in `:*`
//! (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*`); a policy that needs the
//! log-stream form is clearer built from `LogGroupName`.

use crate::provider::schema::{ValueType::*, *};

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::Logs::LogGroup",
    properties: &[
        create_only(optional("LogGroupName", String)),
        optional("RetentionInDays", Integer),
        // A KMS key ARN; its key policy must let logs.REGION.amazonaws.com use it.
        optional("KmsKeyId", String),
        // STANDARD, INFREQUENT_ACCESS, ...: a string, AWS adds classes.
        create_only(optional("LogGroupClass", String)),
        optional("DataProtectionPolicy", Json),
        optional("Tags", TAG_LIST),
    ],
    attributes: &["LogGroupName", "Arn"],
    id_attribute: "LogGroupName",
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
