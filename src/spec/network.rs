//! Address-space checks that span resources: a subnet must sit inside its
//! VPC's CIDR block, and subnets of one VPC must not overlap. AWS would
//! reject both, but only halfway through an apply.

use std::collections::HashMap;
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

/// Reports subnets outside their VPC's block and subnets overlapping an
/// earlier subnet of the same VPC (each named against the first it overlaps).
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
    for (later, earlier) in overlapping_pairs(&subnets) {
        let (later, earlier) = (&subnets[later], &subnets[earlier]);
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

/// For each subnet that overlaps an earlier one of the same VPC: its index
/// and the index of the first (in spec order) earlier subnet it overlaps,
/// ordered by the later index.
///
/// Comparing every pair is quadratic: 50,000 subnets made `validate` take
/// seconds. Instead the subnets are grouped by VPC (and address family)
/// and each group is sorted by (first address, prefix length). CIDR blocks
/// never partly overlap: two blocks are disjoint or one contains the other.
/// In that order a block's ancestors (the blocks containing it) are the
/// still-open blocks before it, and its descendants (blocks inside it) are
/// the run of blocks after it that start before it ends. Tracking the
/// smallest spec index among the open blocks, and a range-minimum table over
/// the sorted spec indices, finds the first overlapping subnet of each in
/// O(n log n), with the same answer as the pairwise scan.
fn overlapping_pairs(subnets: &[SubnetInfo<'_>]) -> Vec<(usize, usize)> {
    let mut groups: HashMap<(&str, bool), Vec<usize>> = HashMap::new();
    for (i, s) in subnets.iter().enumerate() {
        groups.entry((s.vpc, s.cidr.addr().is_ipv4())).or_default().push(i);
    }
    let mut pairs = Vec::new();
    for members in groups.into_values() {
        let blocks: Vec<(u128, u128, u8, usize)> = members
            .iter()
            .map(|&i| {
                let (first, last) = address_range(&subnets[i].cidr);
                (first, last, subnets[i].cidr.prefix_len(), i)
            })
            .collect();
        pairs.extend(overlaps_in_group(blocks));
    }
    pairs.sort_unstable();
    pairs
}

/// [`overlapping_pairs`] for one VPC and address family. Each block is
/// (first address, last address, prefix length, spec index).
fn overlaps_in_group(mut blocks: Vec<(u128, u128, u8, usize)>) -> Vec<(usize, usize)> {
    blocks.sort_unstable_by_key(|&(first, _, prefix, index)| (first, prefix, index));
    let firsts: Vec<u128> = blocks.iter().map(|b| b.0).collect();
    let indices: Vec<usize> = blocks.iter().map(|b| b.3).collect();
    let table = RangeMin::new(&indices);
    // Open blocks: (last address, smallest spec index of it and all below it).
    let mut open: Vec<(u128, usize)> = Vec::new();
    let mut pairs = Vec::new();
    for (position, &(first, last, _, index)) in blocks.iter().enumerate() {
        while open.last().is_some_and(|&(open_last, _)| open_last < first) {
            open.pop();
        }
        let ancestors = open.last().map_or(usize::MAX, |&(_, min)| min);
        let inside_end = firsts.partition_point(|&f| f <= last);
        let descendants = table.min(position + 1, inside_end);
        let earliest = ancestors.min(descendants);
        if earliest < index {
            pairs.push((index, earliest));
        }
        open.push((last, ancestors.min(index)));
    }
    pairs
}

/// First and last address of a block, IPv4 widened to u128.
fn address_range(net: &ipnet::IpNet) -> (u128, u128) {
    match net {
        ipnet::IpNet::V4(n) => (u32::from(n.network()).into(), u32::from(n.broadcast()).into()),
        ipnet::IpNet::V6(n) => (n.network().into(), n.broadcast().into()),
    }
}

/// A sparse table: the minimum of any range of a fixed slice in O(1), after
/// O(n log n) to build.
struct RangeMin {
    /// `levels[k][i]` is the minimum of `values[i .. i + 2^k]`.
    levels: Vec<Vec<usize>>,
}

impl RangeMin {
    fn new(values: &[usize]) -> Self {
        let mut levels = vec![values.to_vec()];
        let mut width = 1;
        while width * 2 <= values.len() {
            let previous = levels.last().map(Vec::as_slice).unwrap_or_default();
            let next = (0..=values.len() - width * 2).map(|i| previous[i].min(previous[i + width])).collect();
            levels.push(next);
            width *= 2;
        }
        Self { levels }
    }

    /// Minimum of `values[start..end]`; `usize::MAX` for an empty range.
    fn min(&self, start: usize, end: usize) -> usize {
        if start >= end {
            return usize::MAX;
        }
        let level = (end - start).ilog2() as usize;
        let row = &self.levels[level];
        row[start].min(row[end - (1 << level)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pairwise scan this module used to run: the reference the fast
    /// version must agree with.
    fn pairwise(subnets: &[SubnetInfo<'_>]) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        for (i, later) in subnets.iter().enumerate() {
            if let Some(earlier) = subnets[..i].iter().position(|e| {
                e.vpc == later.vpc && (e.cidr.contains(&later.cidr.network()) || later.cidr.contains(&e.cidr.network()))
            }) {
                pairs.push((i, earlier));
            }
        }
        pairs
    }

    fn subnet<'a>(vpc: &'a str, cidr: &str) -> SubnetInfo<'a> {
        SubnetInfo { name: "s", vpc, cidr: cidr.parse().unwrap(), span: 0..0 }
    }

    #[test]
    fn nested_equal_and_disjoint_blocks() {
        let subnets = [
            subnet("a", "10.0.1.0/24"),
            subnet("a", "10.0.2.0/24"),
            subnet("b", "10.0.1.0/24"),   // other VPC: no overlap
            subnet("a", "10.0.0.0/22"),   // contains both earlier ones: first is 0
            subnet("a", "10.0.2.128/25"), // inside 1 and 3: first is 1
            subnet("a", "10.0.2.0/24"),   // equal to 1
            subnet("a", "10.0.8.0/24"),   // alone
            subnet("a", "fd00::/64"),     // other family
        ];
        assert_eq!(overlapping_pairs(&subnets), vec![(3, 0), (4, 1), (5, 1)]);
        assert_eq!(overlapping_pairs(&subnets), pairwise(&subnets));
    }

    /// Random blocks of a few VPCs, many of them overlapping: the sweep
    /// finds the same first overlap as the pairwise scan for every subnet.
    #[test]
    fn agrees_with_the_pairwise_scan_on_random_blocks() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |bound: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound
        };
        let vpcs = ["a", "b", "c"];
        let mut overlaps = 0;
        for _ in 0..200 {
            let count = 1 + next(60) as usize;
            let subnets: Vec<SubnetInfo<'_>> = (0..count)
                .map(|_| {
                    let prefix = 20 + next(9) as u8;
                    // Inside one /20, so blocks of /20../28 overlap often.
                    let addr = std::net::Ipv4Addr::from(0x0a00_0000 | next(1 << 12) as u32);
                    let net = ipnet::Ipv4Net::new(addr, prefix).unwrap().trunc();
                    SubnetInfo { name: "s", vpc: vpcs[next(3) as usize], cidr: net.into(), span: 0..0 }
                })
                .collect();
            let expected = pairwise(&subnets);
            assert_eq!(overlapping_pairs(&subnets), expected);
            overlaps += expected.len();
        }
        assert!(overlaps > 1000, "the blocks overlap often enough to test something: {overlaps}");
    }

    #[test]
    fn range_min_over_every_range() {
        let values = [5, 3, 8, 1, 9, 2, 7];
        let table = RangeMin::new(&values);
        for start in 0..=values.len() {
            for end in start..=values.len() {
                let expected = values[start..end].iter().copied().min().unwrap_or(usize::MAX);
                assert_eq!(table.min(start, end), expected, "{start}..{end}");
            }
        }
    }
}
