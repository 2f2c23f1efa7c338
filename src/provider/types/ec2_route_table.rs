//! `AWS::EC2::RouteTable`.

use crate::provider::schema::{ValueType::*, *};

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::EC2::RouteTable",
    properties: &[create_only(required("VpcId", String)), optional("Tags", TAG_LIST)],
    attributes: &["RouteTableId"],
    id_attribute: "RouteTableId",
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
