//! `AWS::Scheduler::ScheduleGroup`: an EventBridge Scheduler schedule group.

use crate::provider::schema::{ValueType::*, *};

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::Scheduler::ScheduleGroup",
    properties: &[create_only(optional("Name", String)), optional("Tags", TAG_LIST)],
    attributes: &["Name", "Arn"],
    id_attribute: "Name",
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
