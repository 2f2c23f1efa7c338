//! `ec2_security_group`, update section: the rule model (a rule is protocol,
//! ports and one peer) and the diffing that makes AWS hold exactly the spec's
//! rules. Split off by job; the layout is `provider::types`'s.

use super::*;

// ------------------------------------------------------------------ update --

/// Brings both rule lists from `live` to the desired ones; `egress` None
/// leaves the egress rules as they are.
pub(super) async fn converge_rules(
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
pub(super) async fn authorize(cx: &Cx, id: &str, dir: Direction, rules: &[&Rule]) -> Result<(), ProviderError> {
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

pub(super) async fn authorize_call(cx: &Cx, id: &str, dir: Direction, rules: &[&Rule]) -> Result<(), ProviderError> {
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

/// Authorizes the missing rules, updates changed descriptions, then revokes
/// the extra ones (adding first, so replacing egress never leaves a window
/// with no egress at all).
pub(super) async fn sync_rules(
    cx: &Cx,
    id: &str,
    dir: Direction,
    live: &[Rule],
    desired: &[Rule],
) -> Result<(), ProviderError> {
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
pub(super) async fn resolve_group_names(cx: &Cx, vpc: Option<&str>, rules: &mut [Rule]) -> Result<(), ProviderError> {
    let names: Vec<String> = rules
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
        .filters(common::filter("group-name", names.iter().map(String::as_str)));
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

/// Which list a rule belongs to; the two use different peer property names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub(super) fn property(self) -> &'static str {
        match self {
            Direction::Ingress => INGRESS,
            Direction::Egress => EGRESS,
        }
    }

    pub(super) fn prefix_list_key(self) -> &'static str {
        match self {
            Direction::Ingress => "SourcePrefixListId",
            Direction::Egress => "DestinationPrefixListId",
        }
    }

    pub(super) fn group_id_key(self) -> &'static str {
        match self {
            Direction::Ingress => "SourceSecurityGroupId",
            Direction::Egress => "DestinationSecurityGroupId",
        }
    }
}

/// The one other end of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Peer {
    Ipv4(String),
    Ipv6(String),
    PrefixList(String),
    Group { id: Option<String>, name: Option<String>, owner: Option<String> },
}

/// One rule: what AWS calls an IpPermission with exactly one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rule {
    /// Normalized: `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all), or a number.
    pub(super) protocol: String,
    /// Only for protocols with ports (ICMP: type and code); None otherwise,
    /// as AWS ignores and does not report them.
    pub(super) ports: Option<(i32, i32)>,
    pub(super) peer: Peer,
    pub(super) description: Option<String>,
}

/// What makes two rules the same rule for AWS (the description does not).
pub(super) type Identity = (String, Option<(i32, i32)>, String);

impl Rule {
    /// The rule AWS gives every new VPC security group, and CloudFormation
    /// restores when a template stops listing egress rules.
    pub(super) fn allow_all_egress() -> Rule {
        Rule { protocol: "-1".into(), ports: None, peer: Peer::Ipv4("0.0.0.0/0".into()), description: None }
    }

    pub(super) fn identity(&self) -> Identity {
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
    pub(super) fn from_spec(item: &Value, dir: Direction, path: &str) -> Result<Rule, ProviderError> {
        let at = |key: &str| format!("{path}.{key}");
        let text = |key: &str| -> Result<Option<String>, ProviderError> {
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
    pub(super) fn to_spec(&self, dir: Direction, account_id: &str) -> Value {
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
    pub(super) fn from_permission(permission: &IpPermission) -> Vec<Rule> {
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
    pub(super) fn permission(&self) -> IpPermission {
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
pub(super) fn normalize_protocol(protocol: &str) -> String {
    match protocol.trim().to_ascii_lowercase().as_str() {
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        "all" => "-1".into(),
        other => other.to_owned(),
    }
}
