//! `AWS::EC2::SecurityGroup` with its inline ingress and egress rules.
//!
//! As in CloudFormation, a group created with a `SecurityGroupEgress` list has
//! exactly those egress rules: the default allow-all egress rule is replaced.

use crate::provider::schema::{ValueType::*, *};

/// One item of `SecurityGroupIngress` (CloudFormation's `Ingress` type).
const INGRESS_RULE: ValueType = Object(&[
    required("IpProtocol", String),
    optional("FromPort", Integer),
    optional("ToPort", Integer),
    optional("CidrIp", Cidr),
    optional("CidrIpv6", Cidr),
    optional("SourcePrefixListId", String),
    optional("SourceSecurityGroupId", String),
    optional("SourceSecurityGroupName", String),
    optional("SourceSecurityGroupOwnerId", String),
    optional("Description", String),
]);

/// One item of `SecurityGroupEgress` (CloudFormation's `Egress` type).
const EGRESS_RULE: ValueType = Object(&[
    required("IpProtocol", String),
    optional("FromPort", Integer),
    optional("ToPort", Integer),
    optional("CidrIp", Cidr),
    optional("CidrIpv6", Cidr),
    optional("DestinationPrefixListId", String),
    optional("DestinationSecurityGroupId", String),
    optional("Description", String),
]);

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::EC2::SecurityGroup",
    properties: &[
        create_only(required("GroupDescription", String)),
        create_only(optional("GroupName", String)),
        create_only(optional("VpcId", String)),
        optional("SecurityGroupIngress", List(&INGRESS_RULE)),
        optional("SecurityGroupEgress", List(&EGRESS_RULE)),
        optional("Tags", TAG_LIST),
    ],
    attributes: &["GroupId", "VpcId"],
    id_attribute: "GroupId",
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
