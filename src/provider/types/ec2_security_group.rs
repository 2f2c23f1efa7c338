//! `AWS::EC2::SecurityGroup` with its inline ingress and egress rules.
//!
//! As in CloudFormation, a group created with a `SecurityGroupEgress` list has
//! exactly those egress rules: the default allow-all egress rule is replaced.
//!
//! The rule lists are declarative: create and update make AWS hold exactly
//! the spec's rules, comparing with the rules AWS has NOW (not with what state
//! recorded), so a rule added by hand is reported by `read` (drift) and
//! removed by the next update. A rule is identified by protocol, ports and its
//! one peer (IPv4 / IPv6 CIDR, prefix list or security group); a changed
//! description alone is updated in place rather than revoked and re-added.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType, UserIdGroupPair};
use serde_json::{json, Value};

use super::ec2_common::{self as common, required_str, str_prop, Ec2Type};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, lookup, retry, Applied, Cx, Live, ProviderError, Request};

mod rules;
use rules::*;

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
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

    ResourceSchema {
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
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type (the EC2 path: `ec2_common::Ec2Type`).
pub struct Provider;

#[async_trait::async_trait]
impl Ec2Type for Provider {
    const DESCRIBE: &'static str = "ec2:DescribeSecurityGroups";

    async fn read_batch(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<String, Live>, ProviderError> {
        describe_many(cx, ids).await
    }

    fn align(live: &mut Live, recorded: &Value) {
        align_rules(live, recorded);
    }

    /// By strata's identity tags (put on at CreateSecurityGroup).
    async fn find_many(cx: &Cx, reqs: &[Request<'_>]) -> lookup::Found {
        use aws_sdk_ec2::types::SecurityGroup as Item;
        let adopt = |id| common::adopt::<Self>(cx, Some(id));
        common::find_tagged(reqs, |filters| describe(cx, filters), Item::group_id, Item::tags, adopt).await
    }

    /// Creates the group (named like CloudFormation names it when the spec
    /// gives no GroupName), then its ingress rules, then — only when the spec
    /// lists egress rules — replaces the default egress rule with them.
    async fn create(cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = req.properties;
        let desired_ingress = desired_rules(props, Direction::Ingress)?;
        let desired_egress = props.get(EGRESS).map(|_| desired_rules(props, Direction::Egress)).transpose()?;
        let name = match str_prop(props, "GroupName")? {
            Some(name) => name,
            None => generated_name(req),
        };
        let tags = req.tags.for_properties(props);
        let mut call = cx
            .clients
            .ec2()
            .create_security_group()
            .group_name(name)
            .description(required_str(props, "GroupDescription")?)
            .tag_specifications(common::tag_specification(ResourceType::SecurityGroup, &tags));
        if let Some(vpc) = str_prop(props, "VpcId")? {
            call = call.vpc_id(vpc);
        }
        let out = call.send().await.map_err(aws_error("ec2:CreateSecurityGroup"))?;
        let id = out.group_id().ok_or_else(|| common::missing("ec2:CreateSecurityGroup", "GroupId"))?;
        let live = common::wait_visible::<Self>(cx, "security group visible", id).await?;
        converge_rules(cx, id, &live, desired_ingress, desired_egress).await?;
        common::read_applied::<Self>(cx, id).await
    }

    /// Makes the rules exactly the spec's (see the module doc). Without
    /// `SecurityGroupEgress` the egress rules are left alone, unless state
    /// recorded a list: then, as in CloudFormation, the default allow-all
    /// egress rule comes back.
    async fn update(cx: &Cx, id: &str, before: &Value, live: &Live, req: &Request<'_>) -> Result<(), ProviderError> {
        let props = req.properties;
        let desired_ingress = desired_rules(props, Direction::Ingress)?;
        let desired_egress = if props.get(EGRESS).is_some() {
            Some(desired_rules(props, Direction::Egress)?)
        } else if before.get(EGRESS).is_some() {
            Some(vec![Rule::allow_all_egress()])
        } else {
            None
        };
        converge_rules(cx, id, live, desired_ingress, desired_egress).await?;
        common::sync_tags(cx, id, &live.tags, &req.tags.for_properties(props)).await
    }

    /// A Lambda's network interfaces keep the group in use for a while after
    /// the function is gone: DependencyViolation is retried (named policy).
    async fn delete(cx: &Cx, id: &str) -> Result<(), ProviderError> {
        retry::with_retries(|| async {
            let call = cx.clients.ec2().delete_security_group().group_id(id);
            call.send().await.map_err(aws_error("ec2:DeleteSecurityGroup"))
        })
        .await
        .map(drop)
    }
}

// ---------------------------------------------------------------- identity --

common::ec2_describe!(
    /// DescribeSecurityGroups with filters, every page.
    fn describe = describe_security_groups -> aws_sdk_ec2::types::SecurityGroup, "ec2:DescribeSecurityGroups"
);

const INGRESS: &str = "SecurityGroupIngress";

const EGRESS: &str = "SecurityGroupEgress";

/// Reads many security groups (with all their rules), one DescribeSecurityGroups per 200 ids.
pub async fn describe_many(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<String, Live>, ProviderError> {
    common::describe_chunked(
        ids,
        |chunk| describe(cx, vec![common::filter("group-id", chunk.iter().map(String::as_str))]),
        |item: aws_sdk_ec2::types::SecurityGroup| Some((item.group_id()?.to_owned(), live(cx, &item))),
    )
    .await
}

// ------------------------------------------------------------------ create --

/// CloudFormation's naming for a group without GroupName: stack, logical
/// name and a random suffix, so a replacement never collides with the old one.
fn generated_name(req: &Request<'_>) -> String {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let name = format!("{}-{}-{}-{}", req.tags.stack, req.tags.environment, req.tags.logical_name, &suffix[..12]);
    // EC2's limit is 255 characters.
    name.chars().rev().take(255).collect::<Vec<_>>().into_iter().rev().collect()
}

/// The spec's rules for one direction, duplicates refused (AWS would).
fn desired_rules(props: &Value, dir: Direction) -> Result<Vec<Rule>, ProviderError> {
    let items = match props.get(dir.property()) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(ProviderError::invalid(dir.property(), format!("expected a list of rules, got {other}")));
        }
    };
    let mut rules: Vec<Rule> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let rule = Rule::from_spec(item, dir, &format!("{}[{index}]", dir.property()))?;
        if rules.iter().any(|r| r.identity() == rule.identity()) {
            return Err(ProviderError::invalid(
                format!("{}[{index}]", dir.property()),
                "the same rule (protocol, ports and peer) is listed twice",
            ));
        }
        rules.push(rule);
    }
    Ok(rules)
}

// -------------------------------------------------------------------- read --

/// The live group in the spec's terms (called by the batched read).
pub(crate) fn live(cx: &Cx, group: &aws_sdk_ec2::types::SecurityGroup) -> Live {
    let tags = common::tag_map(group.tags());
    let rules = |dir: Direction, permissions: &[IpPermission]| -> Value {
        Value::Array(
            permissions.iter().flat_map(Rule::from_permission).map(|r| r.to_spec(dir, &cx.account_id)).collect(),
        )
    };
    let mut properties = json!({
        INGRESS: rules(Direction::Ingress, group.ip_permissions()),
        EGRESS: rules(Direction::Egress, group.ip_permissions_egress()),
        "Tags": common::tags_property(&tags),
    });
    for (name, value) in
        [("GroupDescription", group.description()), ("GroupName", group.group_name()), ("VpcId", group.vpc_id())]
    {
        if let Some(value) = value {
            properties[name] = json!(value);
        }
    }
    let attributes = BTreeMap::from([
        ("GroupId".to_owned(), json!(group.group_id().unwrap_or_default())),
        ("VpcId".to_owned(), group.vpc_id().map_or(Value::Null, |v| json!(v))),
    ]);
    Live { properties, attributes, tags }
}

/// Orders the live rule lists and tags like the recorded spec's.
fn align_rules(live: &mut Live, recorded: &Value) {
    for dir in [Direction::Ingress, Direction::Egress] {
        common::align_property(&mut live.properties, recorded, dir.property(), |item| {
            Rule::from_spec(item, dir, "").ok().map(|r| r.identity())
        });
    }
    common::align_property(&mut live.properties, recorded, "Tags", common::tag_key);
}

fn live_rules(live: &Live, dir: Direction) -> Result<Vec<Rule>, ProviderError> {
    let items = live.properties.get(dir.property()).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    items.iter().map(|item| Rule::from_spec(item, dir, dir.property())).collect()
}

// --------------------------------- update (in ec2_security_group/rules.rs) --

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_round_trip_through_the_spec_shape() {
        let item = json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "SourceSecurityGroupId": "sg-1", "Description": "d"});
        let rule = Rule::from_spec(&item, Direction::Ingress, "r").unwrap();
        assert_eq!(rule.to_spec(Direction::Ingress, "123"), item);
        let egress = json!({"IpProtocol": "-1", "CidrIp": "127.0.0.1/32"});
        assert_eq!(Rule::from_spec(&egress, Direction::Egress, "r").unwrap().to_spec(Direction::Egress, "123"), egress);
    }

    #[test]
    fn identity_ignores_description_and_protocol_spelling() {
        let a = Rule::from_spec(
            &json!({"IpProtocol": "6", "FromPort": 1, "ToPort": 2, "CidrIp": "10.0.0.0/8"}),
            Direction::Egress,
            "r",
        );
        let b = Rule::from_spec(
            &json!({"IpProtocol": "TCP", "FromPort": 1, "ToPort": 2, "CidrIp": "10.0.0.0/8", "Description": "x"}),
            Direction::Egress,
            "r",
        );
        assert_eq!(a.unwrap().identity(), b.unwrap().identity());
        let all = Rule::from_spec(
            &json!({"IpProtocol": "all", "FromPort": 0, "ToPort": 9, "CidrIp": "0.0.0.0/0"}),
            Direction::Egress,
            "r",
        );
        assert_eq!(all.unwrap().identity(), Rule::allow_all_egress().identity());
    }

    #[test]
    fn a_rule_needs_exactly_one_peer() {
        assert!(Rule::from_spec(&json!({"IpProtocol": "-1"}), Direction::Ingress, "r").is_err());
        let two = json!({"IpProtocol": "-1", "CidrIp": "0.0.0.0/0", "CidrIpv6": "::/0"});
        assert!(Rule::from_spec(&two, Direction::Ingress, "r").is_err());
        let tcp_without_ports = json!({"IpProtocol": "tcp", "CidrIp": "0.0.0.0/0"});
        assert!(Rule::from_spec(&tcp_without_ports, Direction::Ingress, "r").is_err());
    }

    #[test]
    fn permissions_with_several_peers_split_into_rules() {
        let permission = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/16").build())
            .user_id_group_pairs(UserIdGroupPair::builder().group_id("sg-1").user_id("123").build())
            .build();
        let rules = Rule::from_permission(&permission);
        assert_eq!(rules.len(), 2);
        assert_eq!(
            rules[1].to_spec(Direction::Ingress, "123"),
            json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "SourceSecurityGroupId": "sg-1"})
        );
    }
}
