//! Rules AWS enforces that its CloudFormation schemas do not say, each a
//! deploy would otherwise discover: IAM policy documents (every action must
//! exist), Lambda runtimes past their create-block date, Lambda memory outside
//! a capacity provider, EC2 IP protocols and DynamoDB table names. The data
//! behind them (IAM actions, runtime lifecycle) comes from the same pinned
//! cfn-lint wheel as the schemas; the limits are the service APIs' own
//! documented ones, cited at each rule.

use super::aws_schema_check::KnownValues;
use super::diagnostic::SpecDiagnostic;
use super::load::Diagnostics;
use super::model::{Resource, Stack};
use super::template;
use super::yaml::{Node, NodeValue};
use crate::provider::aws_schema::iam::{self, ActionProblem};
use crate::provider::aws_schema::runtimes;

/// Runs every service rule on every resource.
pub fn check(stack: &Stack, known: &KnownValues, today: &str, diags: &mut Diagnostics) {
    for resource in stack.resources.values() {
        let at = format!("`{}` ({})", resource.name, resource.type_name);
        check_policies(&resource.properties, &at, diags);
        match resource.type_name.as_str() {
            "AWS::Lambda::Function" => check_function(resource, &at, today, diags),
            "AWS::EC2::SecurityGroup" => check_security_group(resource, &at, diags),
            "AWS::DynamoDB::Table" => check_table_name(resource, known, &at, diags),
            "AWS::CloudWatch::Alarm" => check_alarm_periods(resource, &at, diags),
            "AWS::ApiGateway::Authorizer" => check_authorizer_ttl(resource, &at, diags),
            _ => {}
        }
    }
}

/// A known string value: not a `${...}` reference (checked once resolved).
fn literal(node: &Node) -> Option<&str> {
    let s = node.as_str()?;
    template::parse(s).ok().filter(|t| !t.has_references()).map(|_| s)
}

/// Every mapping with a `Statement` key is an IAM policy document (role
/// policies, trust policies, key policies, endpoint policies).
fn check_policies(node: &Node, at: &str, diags: &mut Diagnostics) {
    match &node.value {
        NodeValue::Map(entries) => {
            if node.get("Statement").is_some() {
                check_policy(node, at, diags);
            }
            for (_, value) in entries {
                check_policies(value, at, diags);
            }
        }
        NodeValue::Seq(items) => items.iter().for_each(|i| check_policies(i, at, diags)),
        _ => {}
    }
}

fn check_policy(policy: &Node, at: &str, diags: &mut Diagnostics) {
    if let Some(version) = policy.get("Version") {
        if let Some(v) = literal(version).filter(|v| !matches!(*v, "2012-10-17" | "2008-10-17")) {
            diags.push_new(
                SpecDiagnostic::new(
                    "aws::iam-policy",
                    version.span.clone(),
                    format!("`{v}` is not an IAM policy version, in {at}"),
                )
                .label("not a policy language version")
                .hint("use `2012-10-17`"),
            );
        }
    }
    let statements = policy.get("Statement").into_iter().flat_map(|s| match &s.value {
        NodeValue::Seq(items) => items.iter().collect::<Vec<_>>(),
        _ => vec![s],
    });
    for statement in statements {
        match statement.get("Effect") {
            None if statement.as_map().is_some() => diags.push_new(
                SpecDiagnostic::new(
                    "aws::iam-policy",
                    statement.span.clone(),
                    format!("an IAM policy statement in {at} has no `Effect`"),
                )
                .label("needs `Effect: Allow` or `Effect: Deny`"),
            ),
            Some(effect) => {
                if let Some(e) = literal(effect).filter(|e| !matches!(*e, "Allow" | "Deny")) {
                    diags.push_new(
                        SpecDiagnostic::new(
                            "aws::iam-policy",
                            effect.span.clone(),
                            format!("`{e}` is not an IAM `Effect`, in {at}"),
                        )
                        .label("must be `Allow` or `Deny`")
                        .hint("IAM is case-sensitive here: `Allow` or `Deny`"),
                    );
                }
            }
            None => {}
        }
        for key in ["Action", "NotAction"] {
            let Some(actions) = statement.get(key) else { continue };
            let items: Vec<&Node> = match &actions.value {
                NodeValue::Seq(items) => items.iter().collect(),
                _ => vec![actions],
            };
            for item in items {
                if let Some(action) = literal(item) {
                    if let Err(problem) = iam::check_action(action) {
                        diags.push_new(action_diagnostic(item, action, problem, at));
                    }
                }
            }
        }
    }
}

fn action_diagnostic(node: &Node, action: &str, problem: ActionProblem, at: &str) -> SpecDiagnostic {
    let (message, hint) = match problem {
        ActionProblem::Malformed => (
            format!("`{action}` is not an IAM action, in {at}"),
            Some("write `service:Action`, e.g. `dynamodb:PutItem`".to_string()),
        ),
        ActionProblem::UnknownService { suggestion } => (
            format!(
                "`{action}`: no AWS service has the IAM prefix `{}`, in {at}",
                action.split(':').next().unwrap_or("")
            ),
            suggestion.map(|s| format!("did you mean the prefix `{s}`?")),
        ),
        ActionProblem::UnknownAction { suggestion } => (
            format!("`{action}` is not an IAM action of its service, in {at}"),
            suggestion.map(|s| format!("did you mean `{s}`?")),
        ),
    };
    SpecDiagnostic::new("aws::iam-action", node.span.clone(), message)
        .label("unknown IAM action")
        .maybe_hint(hint.or_else(|| Some("the service authorization reference lists each service's actions".into())))
}

/// Lambda: the runtime must still accept new functions, and memory above
/// 10,240 MB exists only on capacity providers (Lambda's CreateFunction API:
/// "MemorySize: 128 - 10240"; the schema's 32,768 is the capacity-provider
/// limit).
fn check_function(resource: &Resource, at: &str, today: &str, diags: &mut Diagnostics) {
    let props = &resource.properties;
    if let Some(runtime) = props.get("Runtime") {
        if let Some(blocked) = literal(runtime).and_then(|r| runtimes::create_blocked(r, today).map(|l| (r, l))) {
            let (name, lifecycle) = blocked;
            diags.push_new(
                SpecDiagnostic::new(
                    "aws::runtime",
                    runtime.span.clone(),
                    format!(
                        "AWS no longer creates functions with runtime `{name}` (blocked since {}), in {at}",
                        lifecycle.create_block.as_deref().unwrap_or("?")
                    ),
                )
                .label("deprecated runtime")
                .maybe_hint(lifecycle.successor.as_ref().map(|s| format!("use `{s}`"))),
            );
        }
    }
    let on_capacity_provider = props.get("CapacityProviderConfig").is_some();
    if let (Some(memory), false) = (props.get("MemorySize"), on_capacity_provider) {
        if let NodeValue::Int(mb) = memory.value {
            if mb > 10_240 {
                diags.push_new(
                    SpecDiagnostic::new(
                        "aws::range",
                        memory.span.clone(),
                        format!("{at}.MemorySize is {mb}; Lambda allows at most 10240 MB"),
                    )
                    .label("above the maximum of 10240")
                    .hint("more memory is available only with a `CapacityProviderConfig`"),
                );
            }
        }
    }
}

/// EC2's AuthorizeSecurityGroupIngress/Egress: `IpProtocol` is `tcp`, `udp`,
/// `icmp`, `icmpv6`, `-1` (all) or a protocol number 0-255.
fn check_security_group(resource: &Resource, at: &str, diags: &mut Diagnostics) {
    for list in ["SecurityGroupIngress", "SecurityGroupEgress"] {
        let Some(rules) = resource.properties.get(list).and_then(Node::as_seq) else { continue };
        for (i, rule) in rules.iter().enumerate() {
            let Some(protocol) = rule.get("IpProtocol") else { continue };
            let text = match &protocol.value {
                NodeValue::Int(n) => n.to_string(),
                _ => match literal(protocol) {
                    Some(s) => s.to_string(),
                    None => continue,
                },
            };
            let named = matches!(text.to_ascii_lowercase().as_str(), "tcp" | "udp" | "icmp" | "icmpv6" | "-1");
            let numbered = text.parse::<u16>().is_ok_and(|n| n <= 255);
            if !named && !numbered {
                diags.push_new(
                    SpecDiagnostic::new(
                        "aws::enum",
                        protocol.span.clone(),
                        format!("`{text}` is not an IP protocol, in {at}.{list}[{i}].IpProtocol"),
                    )
                    .label("not a protocol EC2 accepts")
                    .hint(
                        super::diagnostic::did_you_mean_hint(&text, ["tcp", "udp", "icmp", "icmpv6", "-1"])
                            .unwrap_or_else(|| {
                                "use tcp, udp, icmp, icmpv6, -1 (all) or a protocol number 0-255".into()
                            }),
                    ),
                );
            }
        }
    }
}

/// CloudWatch's PutMetricAlarm: a period is 10, 30, or a multiple of 60
/// seconds. The alarm's own `Period` is checked by cfn-lint's extension rule
/// (aws_schema_check); this covers each metric of a math alarm, which that
/// rule does not reach.
fn check_alarm_periods(resource: &Resource, at: &str, diags: &mut Diagnostics) {
    let props = &resource.properties;
    let metric_periods =
        props.get("Metrics").and_then(Node::as_seq).into_iter().flatten().enumerate().filter_map(|(i, m)| {
            m.get("MetricStat").and_then(|s| s.get("Period")).map(|p| (format!("Metrics[{i}].MetricStat.Period"), p))
        });
    for (path, node) in metric_periods {
        let NodeValue::Int(seconds) = node.value else { continue };
        if !(seconds == 10 || seconds == 30 || (seconds > 0 && seconds % 60 == 0)) {
            diags.push_new(
                SpecDiagnostic::new(
                    "aws::range",
                    node.span.clone(),
                    format!("{at}.{path} is {seconds}; CloudWatch allows 10, 30 or a multiple of 60 seconds"),
                )
                .label("not a valid alarm period")
                .hint(format!("use {}", if seconds < 60 { 60 } else { seconds / 60 * 60 })),
            );
        }
    }
}

/// API Gateway's CreateAuthorizer: `authorizerResultTtlInSeconds` is 0
/// (no caching) to 3600, whatever the authorizer's type (cfn-lint checks it
/// only for TOKEN and REQUEST authorizers).
fn check_authorizer_ttl(resource: &Resource, at: &str, diags: &mut Diagnostics) {
    let Some(node) = resource.properties.get("AuthorizerResultTtlInSeconds") else { return };
    let NodeValue::Int(ttl) = node.value else { return };
    if !(0..=3600).contains(&ttl) {
        diags.push_new(
            SpecDiagnostic::new(
                "aws::range",
                node.span.clone(),
                format!("{at}.AuthorizerResultTtlInSeconds is {ttl}; API Gateway allows 0 to 3600"),
            )
            .label("outside 0 - 3600")
            .hint("0 turns caching off; 300 is API Gateway's default"),
        );
    }
}

/// DynamoDB's CreateTable: a table name is 3-255 characters of `a-z A-Z 0-9
/// _ - .` (the CloudFormation schema only bounds its length).
fn check_table_name(resource: &Resource, known: &KnownValues, at: &str, diags: &mut Diagnostics) {
    let Some(node) = resource.properties.get("TableName") else { return };
    let Some(name) = node.as_str().and_then(|s| known.resolve(s)) else { return };
    let name = name.as_str();
    let bad: Vec<char> =
        name.chars().filter(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))).collect();
    let len = name.chars().count();
    if !bad.is_empty() || !(3..=255).contains(&len) {
        let what = if bad.is_empty() {
            format!("is {len} characters long")
        } else {
            format!("contains {}", bad.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "))
        };
        diags.push_new(
            SpecDiagnostic::new(
                "aws::name",
                node.span.clone(),
                format!("table name `{name}` {what}, in {at}.TableName"),
            )
            .label("not a valid DynamoDB table name")
            .hint("DynamoDB table names are 3-255 characters: letters, digits, `_`, `-` and `.`"),
        );
    }
}
