//! Address-space checks that span resources: a subnet must sit inside its
//! VPC's CIDR block, and subnets of one VPC must not overlap. AWS would
//! reject both, but only halfway through an apply.

use std::ops::Range;

use super::diagnostic::SpecDiagnostic;
use super::load::Diagnostics;
use super::model::Stack;
use super::properties::parse_cidr;
use super::template::{self, Reference};

struct SubnetInfo<'a> {
    name: &'a str,
    vpc: &'a str,
    cidr: ipnet::IpNet,
    span: Range<usize>,
}

pub fn check_network(stack: &Stack, diags: &mut Diagnostics) {
    let mut subnets: Vec<SubnetInfo<'_>> = Vec::new();
    for resource in stack.resources.values().filter(|r| r.type_name == "AWS::EC2::Subnet") {
        let Some(vpc_ref) = resource.properties.get("VpcId").and_then(|n| n.as_str()) else {
            continue;
        };
        let Ok(t) = template::parse(vpc_ref) else {
            continue;
        };
        let Some(Reference::Resource { name: vpc_ref_name, .. }) = t.single_reference() else {
            continue;
        };
        let Some((vpc_name, vpc)) =
            stack.resources.get_key_value(vpc_ref_name.as_str()).filter(|(_, v)| v.type_name == "AWS::EC2::VPC")
        else {
            continue;
        };
        let Some(cidr_node) = resource.properties.get("CidrBlock") else {
            continue;
        };
        let Some(Ok(subnet_cidr)) = cidr_node.as_str().map(|s| parse_cidr(s, cidr_node.span.clone(), "CidrBlock"))
        else {
            continue;
        };
        if let Some(Ok(vpc_cidr)) =
            vpc.properties.get("CidrBlock").and_then(|n| n.as_str().map(|s| parse_cidr(s, n.span.clone(), "CidrBlock")))
        {
            if !vpc_cidr.contains(&subnet_cidr) {
                diags.push(
                    SpecDiagnostic::new(
                        "spec::subnet-outside-vpc",
                        cidr_node.span.clone(),
                        format!(
                            "subnet `{}` ({subnet_cidr}) is not inside VPC `{vpc_name}` ({vpc_cidr})",
                            resource.name
                        ),
                    )
                    .label("outside the VPC's address range")
                    .hint(format!("pick a block inside {vpc_cidr}")),
                );
                continue;
            }
        }
        subnets.push(SubnetInfo {
            name: &resource.name,
            vpc: vpc_name,
            cidr: subnet_cidr,
            span: cidr_node.span.clone(),
        });
    }
    for (i, later) in subnets.iter().enumerate() {
        if let Some(earlier) = subnets[..i].iter().find(|e| {
            e.vpc == later.vpc && (e.cidr.contains(&later.cidr.network()) || later.cidr.contains(&e.cidr.network()))
        }) {
            diags.push(
                SpecDiagnostic::new(
                    "spec::overlapping-subnets",
                    later.span.clone(),
                    format!(
                        "subnet `{}` ({}) overlaps subnet `{}` ({}) in VPC `{}`",
                        later.name, later.cidr, earlier.name, earlier.cidr, later.vpc
                    ),
                )
                .label("overlaps another subnet")
                .hint("give each subnet of a VPC its own address block"),
            );
        }
    }
}
