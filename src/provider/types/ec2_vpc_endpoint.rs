//! `AWS::EC2::VPCEndpoint`: gateway and interface endpoints.
//!
//! CloudFormation's newer service-network / resource-configuration endpoints
//! (`ServiceNetworkArn`, `ResourceConfigurationArn`) are not described yet, so
//! `ServiceName` is required here.

use crate::provider::schema::{ValueType::*, *};

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::EC2::VPCEndpoint",
    properties: &[
        create_only(required("ServiceName", String)),
        create_only(required("VpcId", String)),
        create_only(optional("VpcEndpointType", Enum(&["Gateway", "Interface", "GatewayLoadBalancer"]))),
        optional("SubnetIds", List(&String)),
        optional("SecurityGroupIds", List(&String)),
        optional("RouteTableIds", List(&String)),
        optional("PrivateDnsEnabled", Boolean),
        optional("PolicyDocument", Json),
        optional("Tags", TAG_LIST),
    ],
    attributes: &["Id", "DnsEntries", "NetworkInterfaceIds", "CreationTimestamp"],
    id_attribute: "Id",
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
