//! `ec2_vpc_endpoint`, read section: the live resource in the spec's terms. Split off by job;
//! the layout is `provider::types`'s.

use super::*;

// -------------------------------------------------------------------- read --

/// The live endpoint in the spec's terms (called by the batched read). Only
/// the properties that apply to its type are reported (a gateway endpoint
/// has route tables; an interface endpoint subnets, groups and private DNS).
pub(crate) fn live(endpoint: &aws_sdk_ec2::types::VpcEndpoint) -> Live {
    let tags = common::tag_map(endpoint.tags());
    let endpoint_type = endpoint.vpc_endpoint_type().map(|t| t.as_str().to_owned());
    let mut properties = json!({ "Tags": common::tags_property(&tags) });
    for (name, value) in [("ServiceName", endpoint.service_name()), ("VpcId", endpoint.vpc_id())] {
        if let Some(value) = value {
            properties[name] = json!(value);
        }
    }
    if let Some(endpoint_type) = &endpoint_type {
        properties["VpcEndpointType"] = json!(endpoint_type);
    }
    match endpoint_type.as_deref() {
        Some("Gateway") => {
            properties[ROUTE_TABLES] = json!(endpoint.route_table_ids());
        }
        Some("Interface") => {
            properties[SUBNETS] = json!(endpoint.subnet_ids());
            let groups: Vec<&str> = endpoint.groups().iter().filter_map(|g| g.group_id()).collect();
            properties[SECURITY_GROUPS] = json!(groups);
            if let Some(private_dns) = endpoint.private_dns_enabled() {
                properties["PrivateDnsEnabled"] = json!(private_dns);
            }
        }
        _ => {
            properties[SUBNETS] = json!(endpoint.subnet_ids());
        }
    }
    if let Some(policy) = endpoint.policy_document() {
        // A policy AWS stores is JSON text; keep it as text if it ever is not.
        properties["PolicyDocument"] = serde_json::from_str(policy).unwrap_or_else(|_| json!(policy));
    }
    let dns_entries: Vec<String> = endpoint
        .dns_entries()
        .iter()
        .filter_map(|e| Some(format!("{}:{}", e.hosted_zone_id().unwrap_or_default(), e.dns_name()?)))
        .collect();
    let attributes = BTreeMap::from([
        ("Id".to_owned(), json!(endpoint.vpc_endpoint_id().unwrap_or_default())),
        ("DnsEntries".to_owned(), json!(dns_entries)),
        ("NetworkInterfaceIds".to_owned(), json!(endpoint.network_interface_ids())),
        (
            "CreationTimestamp".to_owned(),
            endpoint
                .creation_timestamp()
                .and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
                .map_or(Value::Null, Value::String),
        ),
    ]);
    Live { properties, attributes, tags }
}

/// Lists and tags in the order state recorded them (AWS answers its own order).
pub(super) fn align_lists(live: &mut Live, recorded: &Value) {
    for name in [ROUTE_TABLES, SUBNETS, SECURITY_GROUPS] {
        common::align_property(&mut live.properties, recorded, name, |v| v.as_str().map(str::to_owned));
    }
    common::align_tags(live, recorded);
}

/// Reads many VPC endpoints, one DescribeVpcEndpoints per 200 ids. Endpoints
/// in state `deleted` count as gone. DescribeVpcEndpoints fails the whole
/// call when one listed id is unknown (and the local cloud has no
/// `vpc-endpoint-id` filter), so on NotFound a batch falls back to one call
/// per id.
pub async fn describe_many(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<String, Live>, ProviderError> {
    common::describe_chunked(
        ids,
        |chunk| async move {
            match endpoints_by_id(cx, &chunk).await {
                Err(err) if err.is_not_found() && chunk.len() > 1 => {
                    let mut found = Vec::new();
                    for id in &chunk {
                        match endpoints_by_id(cx, std::slice::from_ref(id)).await {
                            Ok(one) => found.extend(one),
                            Err(err) if err.is_not_found() => {}
                            Err(err) => return Err(err),
                        }
                    }
                    Ok(found)
                }
                Err(err) if err.is_not_found() => Ok(Vec::new()),
                answer => answer,
            }
        },
        |endpoint: aws_sdk_ec2::types::VpcEndpoint| {
            let id = endpoint.vpc_endpoint_id().filter(|_| !is_deleted(&endpoint))?;
            Some((id.to_owned(), live(&endpoint)))
        },
    )
    .await
}

pub(super) async fn endpoints_by_id(
    cx: &Cx,
    ids: &[String],
) -> Result<Vec<aws_sdk_ec2::types::VpcEndpoint>, ProviderError> {
    cx.clients
        .ec2()
        .describe_vpc_endpoints()
        .set_vpc_endpoint_ids(Some(ids.to_vec()))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(aws_error("ec2:DescribeVpcEndpoints"))
}
