//! `AWS::EC2::Subnet`.
//!
//! CreateSubnet sets the addressing; the launch behaviour
//! (`MapPublicIpOnLaunch`, `AssignIpv6AddressOnCreation`, `EnableDns64`) is a
//! set of subnet attributes changed one per ModifySubnetAttribute call, on
//! create as on update.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType};
use serde_json::{json, Value};

use super::ec2_common::{self as common, bool_prop, required_str, str_prop, Ec2Type};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, lookup, retry, Applied, Cx, Live, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    ResourceSchema {
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
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type (the EC2 path: `ec2_common::Ec2Type`).
pub struct Provider;

#[async_trait::async_trait]
impl Ec2Type for Provider {
    const DESCRIBE: &'static str = "ec2:DescribeSubnets";

    async fn read_batch(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<String, Live>, ProviderError> {
        describe_many(cx, ids).await
    }

    /// By strata's identity tags (put on at CreateSubnet).
    async fn find_many(cx: &Cx, reqs: &[Request<'_>]) -> lookup::Found {
        use aws_sdk_ec2::types::Subnet as Item;
        let adopt = |id| common::adopt::<Self>(cx, Some(id));
        common::find_tagged(reqs, |filters| describe(cx, filters), Item::subnet_id, Item::tags, adopt).await
    }

    async fn create(cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = req.properties;
        let tags = req.tags.for_properties(props);
        let mut call = cx
            .clients
            .ec2()
            .create_subnet()
            .vpc_id(required_str(props, "VpcId")?)
            .tag_specifications(common::tag_specification(ResourceType::Subnet, &tags));
        if let Some(cidr) = str_prop(props, "CidrBlock")? {
            call = call.cidr_block(cidr);
        }
        if let Some(zone) = str_prop(props, "AvailabilityZone")? {
            call = call.availability_zone(zone);
        }
        if let Some(zone_id) = str_prop(props, "AvailabilityZoneId")? {
            call = call.availability_zone_id(zone_id);
        }
        if let Some(cidr) = str_prop(props, "Ipv6CidrBlock")? {
            call = call.ipv6_cidr_block(cidr);
        }
        if let Some(native) = bool_prop(props, "Ipv6Native")? {
            call = call.ipv6_native(native);
        }
        if let Some(outpost) = str_prop(props, "OutpostArn")? {
            call = call.outpost_arn(outpost);
        }
        let out = call.send().await.map_err(aws_error("ec2:CreateSubnet"))?;
        let id =
            out.subnet().and_then(|s| s.subnet_id()).ok_or_else(|| common::missing("ec2:CreateSubnet", "SubnetId"))?;
        wait_available(cx, id).await?;
        converge_flags(cx, id, props, &common::must_read::<Self>(cx, id).await?).await?;
        common::read_applied::<Self>(cx, id).await
    }

    /// The launch attributes, the IPv6 block and tags.
    async fn update(cx: &Cx, id: &str, _before: &Value, live: &Live, req: &Request<'_>) -> Result<(), ProviderError> {
        let props = req.properties;
        // AWS refuses to drop the IPv6 block while addresses are assigned from it
        // on creation, so that is switched off before the block changes.
        if bool_prop(props, "AssignIpv6AddressOnCreation")? != Some(true)
            && live.properties.get("AssignIpv6AddressOnCreation") == Some(&json!(true))
            && str_prop(props, "Ipv6CidrBlock")?.as_deref()
                != live.properties.get("Ipv6CidrBlock").and_then(Value::as_str)
        {
            set_flag(cx, id, Flag::AssignIpv6AddressOnCreation, false).await?;
        }
        converge_ipv6_block(cx, id, props, live).await?;
        let live = common::must_read::<Self>(cx, id).await?;
        converge_flags(cx, id, props, &live).await?;
        common::sync_tags(cx, id, &live.tags, &req.tags.for_properties(props)).await
    }

    /// A Lambda's network interfaces keep the subnet in use for a while after
    /// the function is gone: DependencyViolation is retried (named policy).
    async fn delete(cx: &Cx, id: &str) -> Result<(), ProviderError> {
        retry::with_retries(|| async {
            cx.clients.ec2().delete_subnet().subnet_id(id).send().await.map_err(aws_error("ec2:DeleteSubnet"))
        })
        .await
        .map(drop)
    }
}

// ---------------------------------------------------------------- identity --

common::ec2_describe!(
    /// DescribeSubnets with filters, every page.
    fn describe = describe_subnets -> aws_sdk_ec2::types::Subnet, "ec2:DescribeSubnets"
);

// ------------------------------------------------------------------ create --

/// CreateSubnet may answer while the subnet is still `pending`.
async fn wait_available(cx: &Cx, id: &str) -> Result<(), ProviderError> {
    retry::wait_until("subnet available", common::CREATE_VISIBLE_WAIT, common::POLL_EVERY, || async {
        let out = cx
            .clients
            .ec2()
            .describe_subnets()
            .filters(common::filter("subnet-id", [id]))
            .send()
            .await
            .map_err(aws_error("ec2:DescribeSubnets"))?;
        let available = out.subnets().iter().any(|s| s.state().is_some_and(|s| s.as_str() == "available"));
        Ok(available.then_some(()))
    })
    .await
}

// -------------------------------------------------------------------- read --

/// The live subnet in the spec's terms (called by the batched read). Values
/// AWS leaves out of its answer are left out here too, not guessed.
pub(crate) fn live(subnet: &aws_sdk_ec2::types::Subnet) -> Live {
    let tags = common::tag_map(subnet.tags());
    let mut properties = serde_json::Map::new();
    let mut put = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            properties.insert(name.to_owned(), value);
        }
    };
    put("VpcId", subnet.vpc_id().map(|v| json!(v)));
    put("CidrBlock", subnet.cidr_block().map(|v| json!(v)));
    put("AvailabilityZone", subnet.availability_zone().map(|v| json!(v)));
    put("AvailabilityZoneId", subnet.availability_zone_id().map(|v| json!(v)));
    put("MapPublicIpOnLaunch", subnet.map_public_ip_on_launch().map(|v| json!(v)));
    put("Ipv6CidrBlock", ipv6_association(subnet).and_then(|a| a.ipv6_cidr_block()).map(|v| json!(v)));
    put("AssignIpv6AddressOnCreation", subnet.assign_ipv6_address_on_creation().map(|v| json!(v)));
    put("EnableDns64", subnet.enable_dns64().map(|v| json!(v)));
    put("Ipv6Native", subnet.ipv6_native().map(|v| json!(v)));
    put("OutpostArn", subnet.outpost_arn().map(|v| json!(v)));
    properties.insert("Tags".to_owned(), common::tags_property(&tags));
    let attribute = |v: Option<&str>| v.map_or(Value::Null, |v| json!(v));
    let attributes = BTreeMap::from([
        ("SubnetId".to_owned(), attribute(subnet.subnet_id())),
        ("AvailabilityZone".to_owned(), attribute(subnet.availability_zone())),
        ("AvailabilityZoneId".to_owned(), attribute(subnet.availability_zone_id())),
        ("CidrBlock".to_owned(), attribute(subnet.cidr_block())),
        ("VpcId".to_owned(), attribute(subnet.vpc_id())),
    ]);
    Live { properties: Value::Object(properties), attributes, tags }
}

/// The subnet's current IPv6 block association (at most one is associated).
fn ipv6_association(
    subnet: &aws_sdk_ec2::types::Subnet,
) -> Option<&aws_sdk_ec2::types::SubnetIpv6CidrBlockAssociation> {
    subnet.ipv6_cidr_block_association_set().iter().find(|a| {
        a.ipv6_cidr_block_state()
            .and_then(|s| s.state())
            .is_none_or(|s| matches!(s.as_str(), "associated" | "associating"))
    })
}

/// Reads many subnets, one DescribeSubnets per 200 ids.
pub async fn describe_many(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<String, Live>, ProviderError> {
    common::describe_chunked(
        ids,
        |chunk| describe(cx, vec![common::filter("subnet-id", chunk.iter().map(String::as_str))]),
        |item: aws_sdk_ec2::types::Subnet| Some((item.subnet_id()?.to_owned(), live(&item))),
    )
    .await
}

// ------------------------------------------------------------------ update --

/// The boolean subnet attributes, each its own ModifySubnetAttribute call.
#[derive(Debug, Clone, Copy)]
enum Flag {
    MapPublicIpOnLaunch,
    AssignIpv6AddressOnCreation,
    EnableDns64,
}

impl Flag {
    fn property(self) -> &'static str {
        match self {
            Flag::MapPublicIpOnLaunch => "MapPublicIpOnLaunch",
            Flag::AssignIpv6AddressOnCreation => "AssignIpv6AddressOnCreation",
            Flag::EnableDns64 => "EnableDns64",
        }
    }
}

/// Sets each launch attribute the spec gives where it differs from `live`.
async fn converge_flags(cx: &Cx, id: &str, props: &Value, live: &Live) -> Result<(), ProviderError> {
    for flag in [Flag::MapPublicIpOnLaunch, Flag::AssignIpv6AddressOnCreation, Flag::EnableDns64] {
        let Some(want) = bool_prop(props, flag.property())? else { continue };
        // An attribute AWS does not report is at its default, false.
        let have = live.properties.get(flag.property()).and_then(Value::as_bool).unwrap_or(false);
        if want != have {
            set_flag(cx, id, flag, want).await?;
        }
    }
    Ok(())
}

async fn set_flag(cx: &Cx, id: &str, flag: Flag, value: bool) -> Result<(), ProviderError> {
    let value = AttributeBooleanValue::builder().value(value).build();
    let call = cx.clients.ec2().modify_subnet_attribute().subnet_id(id);
    let call = match flag {
        Flag::MapPublicIpOnLaunch => call.map_public_ip_on_launch(value),
        Flag::AssignIpv6AddressOnCreation => call.assign_ipv6_address_on_creation(value),
        Flag::EnableDns64 => call.enable_dns64(value),
    };
    call.send().await.map_err(aws_error("ec2:ModifySubnetAttribute"))?;
    Ok(())
}

/// Moves the subnet to the spec's IPv6 block: the old association is removed,
/// the new block associated (a subnet holds one IPv6 block).
async fn converge_ipv6_block(cx: &Cx, id: &str, props: &Value, live: &Live) -> Result<(), ProviderError> {
    let want = str_prop(props, "Ipv6CidrBlock")?;
    let have = live.properties.get("Ipv6CidrBlock").and_then(Value::as_str);
    if want.as_deref() == have {
        return Ok(());
    }
    if have.is_some() {
        let out = cx
            .clients
            .ec2()
            .describe_subnets()
            .filters(common::filter("subnet-id", [id]))
            .send()
            .await
            .map_err(aws_error("ec2:DescribeSubnets"))?;
        let association = out.subnets().iter().find_map(ipv6_association).and_then(|a| a.association_id());
        if let Some(association) = association {
            cx.clients
                .ec2()
                .disassociate_subnet_cidr_block()
                .association_id(association)
                .send()
                .await
                .map_err(aws_error("ec2:DisassociateSubnetCidrBlock"))?;
        }
    }
    if let Some(block) = want {
        cx.clients
            .ec2()
            .associate_subnet_cidr_block()
            .subnet_id(id)
            .ipv6_cidr_block(block)
            .send()
            .await
            .map_err(aws_error("ec2:AssociateSubnetCidrBlock"))?;
    }
    Ok(())
}
