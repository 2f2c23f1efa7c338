//! `AWS::EC2::Subnet`.

use crate::provider::schema::{ValueType::*, *};

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::EC2::Subnet",
    properties: &[
        create_only(required("VpcId", String)),
        // Conditional in CloudFormation (an IPv6-only subnet has none).
        create_only(optional("CidrBlock", Cidr)),
        create_only(optional("AvailabilityZone", String)),
        create_only(optional("AvailabilityZoneId", String)),
        optional("MapPublicIpOnLaunch", Boolean),
        optional("Ipv6CidrBlock", Cidr),
        optional("AssignIpv6AddressOnCreation", Boolean),
        optional("EnableDns64", Boolean),
        create_only(optional("Ipv6Native", Boolean)),
        create_only(optional("OutpostArn", String)),
        optional("Tags", TAG_LIST),
    ],
    attributes: &["SubnetId", "AvailabilityZone", "AvailabilityZoneId", "CidrBlock", "VpcId"],
    id_attribute: "SubnetId",
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
