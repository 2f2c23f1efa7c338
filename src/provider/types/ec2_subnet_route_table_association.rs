//! `AWS::EC2::SubnetRouteTableAssociation`: puts a subnet on a route table.

use crate::provider::schema::{ValueType::*, *};

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::EC2::SubnetRouteTableAssociation",
    properties: &[create_only(required("RouteTableId", String)), create_only(required("SubnetId", String))],
    // `Id` is the association id (`rtbassoc-...`), CloudFormation's Ref value.
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
