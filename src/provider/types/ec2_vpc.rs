//! `AWS::EC2::VPC`: a virtual private cloud.
//!
//! The DNS settings are not part of CreateVpc: they are VPC attributes, set
//! (and read) one at a time with ModifyVpcAttribute / DescribeVpcAttribute.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, Tenancy, VpcAttributeName, VpcTenancy};
use serde_json::{json, Value};

use super::ec2_common::{self as common, bool_prop, int_prop, str_prop, Ec2Type};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, lookup, Applied, Cx, Live, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    ResourceSchema {
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
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type (the EC2 path: `ec2_common::Ec2Type`).
pub struct Provider;

#[async_trait::async_trait]
impl Ec2Type for Provider {
    const DESCRIBE: &'static str = "ec2:DescribeVpcs";

    async fn read_batch(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<String, Live>, ProviderError> {
        describe_many(cx, ids).await
    }

    /// By strata's identity tags (put on at CreateVpc, so never missing).
    async fn find_many(cx: &Cx, reqs: &[Request<'_>]) -> lookup::Found {
        use aws_sdk_ec2::types::Vpc as Item;
        let adopt = |id| common::adopt::<Self>(cx, Some(id));
        common::find_tagged(reqs, |filters| describe(cx, filters), Item::vpc_id, Item::tags, adopt).await
    }

    async fn create(cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = req.properties;
        let tags = req.tags.for_properties(props);
        let mut call =
            cx.clients.ec2().create_vpc().tag_specifications(common::tag_specification(ResourceType::Vpc, &tags));
        if let Some(cidr) = str_prop(props, "CidrBlock")? {
            call = call.cidr_block(cidr);
        }
        if let Some(pool) = str_prop(props, "Ipv4IpamPoolId")? {
            call = call.ipv4_ipam_pool_id(pool);
        }
        if let Some(length) = int_prop(props, "Ipv4NetmaskLength")? {
            call = call.ipv4_netmask_length(length);
        }
        if let Some(tenancy) = str_prop(props, "InstanceTenancy")? {
            call = call.instance_tenancy(Tenancy::from(tenancy.as_str()));
        }
        let out = call.send().await.map_err(aws_error("ec2:CreateVpc"))?;
        let id = out.vpc().and_then(|v| v.vpc_id()).ok_or_else(|| common::missing("ec2:CreateVpc", "VpcId"))?;
        wait_available(cx, id).await?;
        converge_dns(cx, id, props, &common::must_read::<Self>(cx, id).await?).await?;
        common::read_applied::<Self>(cx, id).await
    }

    /// DNS attributes, tenancy (only dedicated -> default is possible in
    /// place) and tags.
    async fn update(cx: &Cx, id: &str, _before: &Value, live: &Live, req: &Request<'_>) -> Result<(), ProviderError> {
        converge_tenancy(cx, id, req.properties, live).await?;
        converge_dns(cx, id, req.properties, live).await?;
        common::sync_tags(cx, id, &live.tags, &req.tags.for_properties(req.properties)).await
    }

    /// Subnets, security groups and endpoints are deleted (and waited for)
    /// before their VPC, so a DependencyViolation here is a real dependency
    /// strata does not manage and is reported rather than retried.
    async fn delete(cx: &Cx, id: &str) -> Result<(), ProviderError> {
        cx.clients.ec2().delete_vpc().vpc_id(id).send().await.map(drop).map_err(aws_error("ec2:DeleteVpc"))
    }
}

// ---------------------------------------------------------------- identity --

common::ec2_describe!(
    /// DescribeVpcs with filters, every page.
    fn describe = describe_vpcs -> aws_sdk_ec2::types::Vpc, "ec2:DescribeVpcs"
);

// ------------------------------------------------------------------ create --

/// CreateVpc answers while the VPC may still be `pending`.
async fn wait_available(cx: &Cx, id: &str) -> Result<(), ProviderError> {
    crate::provider::retry::wait_until("VPC available", common::CREATE_VISIBLE_WAIT, common::POLL_EVERY, || async {
        let vpcs = cx
            .clients
            .ec2()
            .describe_vpcs()
            .filters(common::filter("vpc-id", [id]))
            .send()
            .await
            .map_err(aws_error("ec2:DescribeVpcs"))?;
        let available = vpcs.vpcs().iter().any(|v| v.state().is_some_and(|s| s.as_str() == "available"));
        Ok(available.then_some(()))
    })
    .await
}

// -------------------------------------------------------------------- read --

/// The VPC's two DNS attributes, as DescribeVpcAttribute reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dns {
    pub support: bool,
    pub hostnames: bool,
}

/// Reads both DNS attributes of one VPC; None when the VPC is gone.
pub(crate) async fn dns_attributes(cx: &Cx, id: &str) -> Result<Option<Dns>, ProviderError> {
    let read = |attribute: VpcAttributeName| async move {
        cx.clients
            .ec2()
            .describe_vpc_attribute()
            .vpc_id(id)
            .attribute(attribute)
            .send()
            .await
            .map_err(aws_error("ec2:DescribeVpcAttribute"))
    };
    let (support, hostnames) =
        match tokio::try_join!(read(VpcAttributeName::EnableDnsSupport), read(VpcAttributeName::EnableDnsHostnames)) {
            Ok(both) => both,
            Err(err) if err.is_not_found() => return Ok(None),
            Err(err) => return Err(err),
        };
    Ok(Some(Dns {
        // AWS's defaults when an answer leaves the value out.
        support: support.enable_dns_support().and_then(|v| v.value()).unwrap_or(true),
        hostnames: hostnames.enable_dns_hostnames().and_then(|v| v.value()).unwrap_or(false),
    }))
}

/// The live VPC in the spec's terms (called by the batched read).
pub(crate) fn live(
    vpc: &aws_sdk_ec2::types::Vpc,
    dns: Dns,
    default_network_acl: Option<String>,
    default_security_group: Option<String>,
) -> Live {
    let id = vpc.vpc_id().unwrap_or_default();
    let tags = common::tag_map(vpc.tags());
    let mut properties = json!({
        "EnableDnsSupport": dns.support,
        "EnableDnsHostnames": dns.hostnames,
        "Tags": common::tags_property(&tags),
    });
    if let Some(cidr) = vpc.cidr_block() {
        properties["CidrBlock"] = json!(cidr);
    }
    if let Some(tenancy) = vpc.instance_tenancy() {
        properties["InstanceTenancy"] = json!(tenancy.as_str());
    }
    let attributes = BTreeMap::from([
        ("VpcId".to_owned(), json!(id)),
        ("CidrBlock".to_owned(), vpc.cidr_block().map_or(Value::Null, |c| json!(c))),
        ("DefaultNetworkAcl".to_owned(), default_network_acl.map_or(Value::Null, Value::String)),
        ("DefaultSecurityGroup".to_owned(), default_security_group.map_or(Value::Null, Value::String)),
    ]);
    Live { properties, attributes, tags }
}

/// Reads many VPCs: one DescribeVpcs, one DescribeNetworkAcls and one
/// DescribeSecurityGroups for all of them (their defaults), plus the two DNS
/// attributes per VPC (DescribeVpcAttribute takes one VPC and one attribute).
pub async fn describe_many(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<String, Live>, ProviderError> {
    let mut out = BTreeMap::new();
    for chunk in common::chunks(ids) {
        let vpcs = describe(cx, vec![common::filter("vpc-id", chunk.iter().copied())]).await?;
        if vpcs.is_empty() {
            continue;
        }
        let acls = default_network_acls(cx, chunk).await?;
        let groups = default_security_groups(cx, chunk).await?;
        for vpc in vpcs {
            let Some(id) = vpc.vpc_id().map(str::to_owned) else { continue };
            let Some(dns) = dns_attributes(cx, &id).await? else { continue };
            let live = live(&vpc, dns, acls.get(&id).cloned(), groups.get(&id).cloned());
            out.insert(id, live);
        }
    }
    Ok(out)
}

/// VPC id -> its default network ACL id.
async fn default_network_acls(cx: &Cx, vpc_ids: &[&str]) -> Result<BTreeMap<String, String>, ProviderError> {
    let acls = cx
        .clients
        .ec2()
        .describe_network_acls()
        .filters(common::filter("vpc-id", vpc_ids.iter().copied()))
        .filters(common::filter("default", ["true"]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(aws_error("ec2:DescribeNetworkAcls"))?;
    Ok(acls
        .iter()
        .filter(|a| a.is_default() == Some(true))
        .filter_map(|a| Some((a.vpc_id()?.to_owned(), a.network_acl_id()?.to_owned())))
        .collect())
}

/// VPC id -> its default security group id (the group named `default`).
async fn default_security_groups(cx: &Cx, vpc_ids: &[&str]) -> Result<BTreeMap<String, String>, ProviderError> {
    let groups = cx
        .clients
        .ec2()
        .describe_security_groups()
        .filters(common::filter("vpc-id", vpc_ids.iter().copied()))
        .filters(common::filter("group-name", ["default"]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(aws_error("ec2:DescribeSecurityGroups"))?;
    Ok(groups
        .iter()
        .filter(|g| g.group_name() == Some("default"))
        .filter_map(|g| Some((g.vpc_id()?.to_owned(), g.group_id()?.to_owned())))
        .collect())
}

// ------------------------------------------------------------------ update --

/// Sets the DNS attributes the spec gives where they differ from `live`.
/// Hostnames need DNS support: support is switched on first and off last.
async fn converge_dns(cx: &Cx, id: &str, props: &Value, live: &Live) -> Result<(), ProviderError> {
    let live_support = live.properties["EnableDnsSupport"].as_bool().unwrap_or(true);
    let live_hostnames = live.properties["EnableDnsHostnames"].as_bool().unwrap_or(false);
    let support = bool_prop(props, "EnableDnsSupport")?.filter(|want| *want != live_support);
    let hostnames = bool_prop(props, "EnableDnsHostnames")?.filter(|want| *want != live_hostnames);
    if support == Some(true) {
        set_dns_attribute(cx, id, VpcAttributeName::EnableDnsSupport, true).await?;
    }
    if let Some(want) = hostnames {
        set_dns_attribute(cx, id, VpcAttributeName::EnableDnsHostnames, want).await?;
    }
    if support == Some(false) {
        set_dns_attribute(cx, id, VpcAttributeName::EnableDnsSupport, false).await?;
    }
    Ok(())
}

/// ModifyVpcAttribute takes exactly one attribute per call.
async fn set_dns_attribute(cx: &Cx, id: &str, attribute: VpcAttributeName, value: bool) -> Result<(), ProviderError> {
    let value = AttributeBooleanValue::builder().value(value).build();
    let call = cx.clients.ec2().modify_vpc_attribute().vpc_id(id);
    let call = match attribute {
        VpcAttributeName::EnableDnsSupport => call.enable_dns_support(value),
        _ => call.enable_dns_hostnames(value),
    };
    call.send().await.map_err(aws_error("ec2:ModifyVpcAttribute"))?;
    Ok(())
}

/// EC2 can only move a VPC from `dedicated` to `default` tenancy in place.
async fn converge_tenancy(cx: &Cx, id: &str, props: &Value, live: &Live) -> Result<(), ProviderError> {
    let Some(want) = str_prop(props, "InstanceTenancy")? else { return Ok(()) };
    if live.properties.get("InstanceTenancy").and_then(Value::as_str) == Some(want.as_str()) {
        return Ok(());
    }
    if want != "default" {
        return Err(ProviderError::invalid(
            "InstanceTenancy",
            format!(
                "EC2 can only change a VPC's tenancy to `default` in place, not to `{want}`; replace the VPC instead"
            ),
        ));
    }
    cx.clients
        .ec2()
        .modify_vpc_tenancy()
        .vpc_id(id)
        .instance_tenancy(VpcTenancy::Default)
        .send()
        .await
        .map_err(aws_error("ec2:ModifyVpcTenancy"))?;
    Ok(())
}
