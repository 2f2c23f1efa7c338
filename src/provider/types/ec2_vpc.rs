//! `AWS::EC2::VPC`: a virtual private cloud.

use crate::provider::schema::{ValueType::*, *};

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::EC2::VPC",
    properties: &[
        // CloudFormation requires a CidrBlock unless an IPAM pool supplies one,
        // so none of the three is marked required here.
        create_only(optional("CidrBlock", Cidr)),
        create_only(optional("Ipv4IpamPoolId", String)),
        create_only(optional("Ipv4NetmaskLength", Integer)),
        optional("EnableDnsHostnames", Boolean),
        optional("EnableDnsSupport", Boolean),
        optional("InstanceTenancy", Enum(&["default", "dedicated", "host"])),
        optional("Tags", TAG_LIST),
    ],
    attributes: &["VpcId", "CidrBlock", "DefaultNetworkAcl", "DefaultSecurityGroup"],
    id_attribute: "VpcId",
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
