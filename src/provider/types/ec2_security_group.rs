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
use crate::provider::schema::{ValueType::*, *};
use crate::provider::{aws_error, retry, Applied, Cx, Live, ProviderError, Request};

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

common::ec2_describe!(
    /// DescribeSecurityGroups with filters, every page.
    fn describe = describe_security_groups -> aws_sdk_ec2::types::SecurityGroup, "ec2:DescribeSecurityGroups"
);

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

const INGRESS: &str = "SecurityGroupIngress";
const EGRESS: &str = "SecurityGroupEgress";

/// CRUD for this type (the EC2 path: `ec2_common::Ec2Type`).
pub struct Provider;

#[async_trait::async_trait]
impl Ec2Type for Provider {
    const SCHEMA: &'static ResourceSchema = &SCHEMA;
    const DESCRIBE: &'static str = "ec2:DescribeSecurityGroups";

    async fn read_batch(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<std::string::String, Live>, ProviderError> {
        describe_many(cx, ids).await
    }

    fn align(live: &mut Live, recorded: &Value) {
        align_rules(live, recorded);
    }

    /// By strata's identity tags (put on at CreateSecurityGroup).
    async fn find(cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let groups = describe(cx, common::identity_filters(req.tags)).await?;
        common::adopt::<Self>(cx, common::first_id(&groups, |g| g.group_id())).await
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

/// CloudFormation's naming for a group without GroupName: stack, logical
/// name and a random suffix, so a replacement never collides with the old one.
fn generated_name(req: &Request<'_>) -> std::string::String {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let name = format!("{}-{}-{}-{}", req.tags.stack, req.tags.environment, req.tags.logical_name, &suffix[..12]);
    // EC2's limit is 255 characters.
    name.chars().rev().take(255).collect::<Vec<_>>().into_iter().rev().collect()
}

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

/// Brings both rule lists from `live` to the desired ones; `egress` None
/// leaves the egress rules as they are.
async fn converge_rules(
    cx: &Cx,
    id: &str,
    live: &Live,
    mut ingress: Vec<Rule>,
    mut egress: Option<Vec<Rule>>,
) -> Result<(), ProviderError> {
    let vpc = live.properties.get("VpcId").and_then(Value::as_str);
    resolve_group_names(cx, vpc, &mut ingress).await?;
    if let Some(egress) = egress.as_mut() {
        resolve_group_names(cx, vpc, egress).await?;
    }
    sync_rules(cx, id, Direction::Ingress, &live_rules(live, Direction::Ingress)?, &ingress).await?;
    if let Some(egress) = egress {
        sync_rules(cx, id, Direction::Egress, &live_rules(live, Direction::Egress)?, &egress).await?;
    }
    Ok(())
}

/// Authorizes `rules`, in one call when it can. A call AWS carried out but
/// whose answer was lost is retried by the SDK and then fails with
/// `InvalidPermission.Duplicate`, as does a rule someone added meanwhile;
/// AWS then adds none of that call's rules, so each is authorized on its
/// own, a duplicate counting as done (the rule is there, as wanted).
async fn authorize(cx: &Cx, id: &str, dir: Direction, rules: &[&Rule]) -> Result<(), ProviderError> {
    let is_duplicate = |e: &ProviderError| e.aws_code() == Some("InvalidPermission.Duplicate");
    match authorize_call(cx, id, dir, rules).await {
        Err(e) if is_duplicate(&e) && rules.len() > 1 => {
            for rule in rules {
                match authorize_call(cx, id, dir, &[rule]).await {
                    Err(e) if !is_duplicate(&e) => return Err(e),
                    _ => {}
                }
            }
            Ok(())
        }
        Err(e) if is_duplicate(&e) => Ok(()),
        other => other,
    }
}

async fn authorize_call(cx: &Cx, id: &str, dir: Direction, rules: &[&Rule]) -> Result<(), ProviderError> {
    let ec2 = cx.clients.ec2();
    let permissions = Some(rules.iter().map(|r| r.permission()).collect());
    match dir {
        Direction::Ingress => ec2
            .authorize_security_group_ingress()
            .group_id(id)
            .set_ip_permissions(permissions)
            .send()
            .await
            .map(drop)
            .map_err(aws_error("ec2:AuthorizeSecurityGroupIngress")),
        Direction::Egress => ec2
            .authorize_security_group_egress()
            .group_id(id)
            .set_ip_permissions(permissions)
            .send()
            .await
            .map(drop)
            .map_err(aws_error("ec2:AuthorizeSecurityGroupEgress")),
    }
}

fn live_rules(live: &Live, dir: Direction) -> Result<Vec<Rule>, ProviderError> {
    let items = live.properties.get(dir.property()).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    items.iter().map(|item| Rule::from_spec(item, dir, dir.property())).collect()
}

/// Authorizes the missing rules, updates changed descriptions, then revokes
/// the extra ones (adding first, so replacing egress never leaves a window
/// with no egress at all).
async fn sync_rules(cx: &Cx, id: &str, dir: Direction, live: &[Rule], desired: &[Rule]) -> Result<(), ProviderError> {
    let find = |rules: &[Rule], rule: &Rule| rules.iter().find(|r| r.identity() == rule.identity()).cloned();
    let add: Vec<&Rule> = desired.iter().filter(|r| find(live, r).is_none()).collect();
    let redescribe: Vec<&Rule> =
        desired.iter().filter(|r| find(live, r).is_some_and(|l| l.description != r.description)).collect();
    let remove: Vec<&Rule> = live.iter().filter(|r| find(desired, r).is_none()).collect();
    let ec2 = cx.clients.ec2();
    if !add.is_empty() {
        authorize(cx, id, dir, &add).await?;
    }
    if !redescribe.is_empty() {
        let permissions = Some(redescribe.iter().map(|r| r.permission()).collect());
        match dir {
            Direction::Ingress => {
                ec2.update_security_group_rule_descriptions_ingress()
                    .group_id(id)
                    .set_ip_permissions(permissions)
                    .send()
                    .await
                    .map_err(aws_error("ec2:UpdateSecurityGroupRuleDescriptionsIngress"))?;
            }
            Direction::Egress => {
                ec2.update_security_group_rule_descriptions_egress()
                    .group_id(id)
                    .set_ip_permissions(permissions)
                    .send()
                    .await
                    .map_err(aws_error("ec2:UpdateSecurityGroupRuleDescriptionsEgress"))?;
            }
        }
    }
    if !remove.is_empty() {
        let permissions = Some(remove.iter().map(|r| r.permission()).collect());
        match dir {
            Direction::Ingress => {
                ec2.revoke_security_group_ingress()
                    .group_id(id)
                    .set_ip_permissions(permissions)
                    .send()
                    .await
                    .map_err(aws_error("ec2:RevokeSecurityGroupIngress"))?;
            }
            Direction::Egress => {
                ec2.revoke_security_group_egress()
                    .group_id(id)
                    .set_ip_permissions(permissions)
                    .send()
                    .await
                    .map_err(aws_error("ec2:RevokeSecurityGroupEgress"))?;
            }
        }
    }
    Ok(())
}

/// AWS reports group peers by id only, so a rule naming its peer group
/// (`SourceSecurityGroupName`) is compared by that group's id.
async fn resolve_group_names(cx: &Cx, vpc: Option<&str>, rules: &mut [Rule]) -> Result<(), ProviderError> {
    let names: Vec<std::string::String> = rules
        .iter()
        .filter_map(|r| match &r.peer {
            Peer::Group { id: None, name: Some(name), .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    let mut call = cx
        .clients
        .ec2()
        .describe_security_groups()
        .filters(common::filter("group-name", names.iter().map(std::string::String::as_str)));
    if let Some(vpc) = vpc {
        call = call.filters(common::filter("vpc-id", [vpc]));
    }
    let out = call.send().await.map_err(aws_error("ec2:DescribeSecurityGroups"))?;
    for rule in rules.iter_mut() {
        if let Peer::Group { id: id @ None, name: Some(name), .. } = &mut rule.peer {
            let found =
                out.security_groups().iter().find(|g| g.group_name() == Some(name.as_str())).and_then(|g| g.group_id());
            let Some(found) = found else {
                return Err(ProviderError::invalid(
                    "SourceSecurityGroupName",
                    format!("no security group named `{name}` in the VPC"),
                ));
            };
            *id = Some(found.to_owned());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- rules --

/// Which list a rule belongs to; the two use different peer property names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn property(self) -> &'static str {
        match self {
            Direction::Ingress => INGRESS,
            Direction::Egress => EGRESS,
        }
    }

    fn prefix_list_key(self) -> &'static str {
        match self {
            Direction::Ingress => "SourcePrefixListId",
            Direction::Egress => "DestinationPrefixListId",
        }
    }

    fn group_id_key(self) -> &'static str {
        match self {
            Direction::Ingress => "SourceSecurityGroupId",
            Direction::Egress => "DestinationSecurityGroupId",
        }
    }
}

/// The one other end of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Peer {
    Ipv4(std::string::String),
    Ipv6(std::string::String),
    PrefixList(std::string::String),
    Group { id: Option<std::string::String>, name: Option<std::string::String>, owner: Option<std::string::String> },
}

/// One rule: what AWS calls an IpPermission with exactly one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    /// Normalized: `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all), or a number.
    protocol: std::string::String,
    /// Only for protocols with ports (ICMP: type and code); None otherwise,
    /// as AWS ignores and does not report them.
    ports: Option<(i32, i32)>,
    peer: Peer,
    description: Option<std::string::String>,
}

/// What makes two rules the same rule for AWS (the description does not).
type Identity = (std::string::String, Option<(i32, i32)>, std::string::String);

impl Rule {
    /// The rule AWS gives every new VPC security group, and CloudFormation
    /// restores when a template stops listing egress rules.
    fn allow_all_egress() -> Rule {
        Rule { protocol: "-1".into(), ports: None, peer: Peer::Ipv4("0.0.0.0/0".into()), description: None }
    }

    fn identity(&self) -> Identity {
        let peer = match &self.peer {
            Peer::Ipv4(cidr) => format!("ipv4:{cidr}"),
            Peer::Ipv6(cidr) => format!("ipv6:{}", cidr.to_ascii_lowercase()),
            Peer::PrefixList(id) => format!("pl:{id}"),
            Peer::Group { id: Some(id), .. } => format!("sg:{id}"),
            Peer::Group { name, .. } => format!("sg-name:{}", name.as_deref().unwrap_or_default()),
        };
        (self.protocol.clone(), self.ports, peer)
    }

    /// Reads one spec item; `path` names it in errors.
    fn from_spec(item: &Value, dir: Direction, path: &str) -> Result<Rule, ProviderError> {
        let at = |key: &str| format!("{path}.{key}");
        let text = |key: &str| -> Result<Option<std::string::String>, ProviderError> {
            str_prop(item, key).map_err(|_| ProviderError::invalid(at(key), "expected a string"))
        };
        let protocol = normalize_protocol(
            &text("IpProtocol")?.ok_or_else(|| ProviderError::invalid(at("IpProtocol"), "is required"))?,
        );
        let port =
            |key: &str| common::int_prop(item, key).map_err(|_| ProviderError::invalid(at(key), "expected an integer"));
        let ports = match protocol.as_str() {
            "tcp" | "udp" => match (port("FromPort")?, port("ToPort")?) {
                (Some(from), Some(to)) => Some((from, to)),
                _ => {
                    return Err(ProviderError::invalid(
                        path,
                        format!("FromPort and ToPort are required for {protocol}"),
                    ));
                }
            },
            "icmp" | "icmpv6" => Some((port("FromPort")?.unwrap_or(-1), port("ToPort")?.unwrap_or(-1))),
            _ => None,
        };
        let mut peers = Vec::new();
        if let Some(cidr) = text("CidrIp")? {
            peers.push(Peer::Ipv4(cidr));
        }
        if let Some(cidr) = text("CidrIpv6")? {
            peers.push(Peer::Ipv6(cidr));
        }
        if let Some(list) = text(dir.prefix_list_key())? {
            peers.push(Peer::PrefixList(list));
        }
        let group_id = text(dir.group_id_key())?;
        let group_name = if dir == Direction::Ingress { text("SourceSecurityGroupName")? } else { None };
        if group_id.is_some() || group_name.is_some() {
            let owner = if dir == Direction::Ingress { text("SourceSecurityGroupOwnerId")? } else { None };
            peers.push(Peer::Group { id: group_id, name: group_name, owner });
        }
        let peer = match peers.len() {
            1 => peers.remove(0),
            0 => {
                return Err(ProviderError::invalid(
                    path,
                    "a rule needs one peer: a CIDR, a prefix list or a security group",
                ));
            }
            _ => {
                return Err(ProviderError::invalid(
                    path,
                    "a rule takes exactly one peer (CIDR, prefix list or security group)",
                ));
            }
        };
        let description = text("Description")?.filter(|d| !d.is_empty());
        Ok(Rule { protocol, ports, peer, description })
    }

    /// The rule as a spec item, as the spec would write it.
    fn to_spec(&self, dir: Direction, account_id: &str) -> Value {
        let mut item = serde_json::Map::new();
        item.insert("IpProtocol".into(), json!(self.protocol));
        if let Some((from, to)) = self.ports {
            item.insert("FromPort".into(), json!(from));
            item.insert("ToPort".into(), json!(to));
        }
        match &self.peer {
            Peer::Ipv4(cidr) => {
                item.insert("CidrIp".into(), json!(cidr));
            }
            Peer::Ipv6(cidr) => {
                item.insert("CidrIpv6".into(), json!(cidr));
            }
            Peer::PrefixList(id) => {
                item.insert(dir.prefix_list_key().into(), json!(id));
            }
            Peer::Group { id, name, owner } => {
                if let Some(id) = id {
                    item.insert(dir.group_id_key().into(), json!(id));
                } else if let Some(name) = name {
                    item.insert("SourceSecurityGroupName".into(), json!(name));
                }
                // Only another account's group needs its owner spelled out.
                if let Some(owner) = owner.as_deref().filter(|o| *o != account_id && dir == Direction::Ingress) {
                    item.insert("SourceSecurityGroupOwnerId".into(), json!(owner));
                }
            }
        }
        if let Some(description) = &self.description {
            item.insert("Description".into(), json!(description));
        }
        Value::Object(item)
    }

    /// Splits one IpPermission (AWS groups peers by protocol and ports) into rules.
    fn from_permission(permission: &IpPermission) -> Vec<Rule> {
        let protocol = normalize_protocol(permission.ip_protocol().unwrap_or("-1"));
        let ports = match protocol.as_str() {
            "tcp" | "udp" | "icmp" | "icmpv6" => {
                Some((permission.from_port().unwrap_or(-1), permission.to_port().unwrap_or(-1)))
            }
            _ => None,
        };
        let rule = |peer: Peer, description: Option<&str>| Rule {
            protocol: protocol.clone(),
            ports,
            peer,
            description: description.filter(|d| !d.is_empty()).map(str::to_owned),
        };
        let mut rules = Vec::new();
        for range in permission.ip_ranges() {
            if let Some(cidr) = range.cidr_ip() {
                rules.push(rule(Peer::Ipv4(cidr.to_owned()), range.description()));
            }
        }
        for range in permission.ipv6_ranges() {
            if let Some(cidr) = range.cidr_ipv6() {
                rules.push(rule(Peer::Ipv6(cidr.to_owned()), range.description()));
            }
        }
        for list in permission.prefix_list_ids() {
            if let Some(id) = list.prefix_list_id() {
                rules.push(rule(Peer::PrefixList(id.to_owned()), list.description()));
            }
        }
        for pair in permission.user_id_group_pairs() {
            let peer = Peer::Group {
                id: pair.group_id().map(str::to_owned),
                name: pair.group_id().is_none().then(|| pair.group_name().map(str::to_owned)).flatten(),
                owner: pair.user_id().map(str::to_owned),
            };
            rules.push(rule(peer, pair.description()));
        }
        rules
    }

    /// The rule as the IpPermission that authorizes, revokes or re-describes it.
    fn permission(&self) -> IpPermission {
        let mut permission = IpPermission::builder().ip_protocol(&self.protocol);
        if let Some((from, to)) = self.ports {
            permission = permission.from_port(from).to_port(to);
        }
        let description = self.description.clone();
        match &self.peer {
            Peer::Ipv4(cidr) => {
                permission.ip_ranges(IpRange::builder().cidr_ip(cidr).set_description(description).build())
            }
            Peer::Ipv6(cidr) => {
                permission.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(cidr).set_description(description).build())
            }
            Peer::PrefixList(id) => permission
                .prefix_list_ids(PrefixListId::builder().prefix_list_id(id).set_description(description).build()),
            Peer::Group { id, name, owner } => permission.user_id_group_pairs(
                UserIdGroupPair::builder()
                    .set_group_id(id.clone())
                    .set_group_name(if id.is_none() { name.clone() } else { None })
                    .set_user_id(owner.clone())
                    .set_description(description)
                    .build(),
            ),
        }
        .build()
    }
}

/// AWS's names for the protocols it also accepts by number, and `-1` for all.
fn normalize_protocol(protocol: &str) -> std::string::String {
    match protocol.trim().to_ascii_lowercase().as_str() {
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        "all" => "-1".into(),
        other => other.to_owned(),
    }
}

/// Reads many security groups (with all their rules), one DescribeSecurityGroups per 200 ids.
pub async fn describe_many(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<std::string::String, Live>, ProviderError> {
    common::describe_chunked(
        ids,
        |chunk| describe(cx, vec![common::filter("group-id", chunk.iter().map(std::string::String::as_str))]),
        |item: aws_sdk_ec2::types::SecurityGroup| Some((item.group_id()?.to_owned(), live(cx, &item))),
    )
    .await
}

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
