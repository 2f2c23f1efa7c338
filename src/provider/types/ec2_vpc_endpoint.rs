//! `AWS::EC2::VPCEndpoint`: gateway and interface endpoints.
//!
//! CloudFormation's newer service-network / resource-configuration endpoints
//! (`ServiceNetworkArn`, `ResourceConfigurationArn`) are not described yet, so
//! `ServiceName` is required here.
//!
//! Endpoints are asynchronous: CreateVpcEndpoint answers `pending` (an
//! interface endpoint takes minutes to place its network interfaces), and
//! DeleteVpcEndpoints answers before the interfaces are gone, which the
//! subnets and security groups deleted after it would trip over. Both wait,
//! bounded. Route tables, subnets and security groups are lists on one
//! ModifyVpcEndpoint call, sent as additions and removals against what AWS
//! has now.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2::types::{ResourceType, VpcEndpointType};
use serde_json::{json, Value};

use super::ec2_common::{self as common, bool_prop, required_str, str_list_prop, str_prop, Ec2Type};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, lookup, retry, Applied, Cx, Live, ProviderError, Request};

mod read;
pub use read::describe_many;
use read::*;

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    ResourceSchema {
        type_name: "AWS::EC2::VPCEndpoint",
        properties: &[
            create_only(required("ServiceName", String)),
            create_only(required("VpcId", String)),
            create_only(optional("VpcEndpointType", Enum(&["Gateway", "Interface", "GatewayLoadBalancer"]))),
            optional("SubnetIds", List(&String)),
            optional("SecurityGroupIds", List(&String)),
            optional("RouteTableIds", List(&String)),
            optional("PrivateDnsEnabled", Boolean),
            optional("PolicyDocument", Json),
            optional("Tags", TAG_LIST),
        ],
        attributes: &["Id", "DnsEntries", "NetworkInterfaceIds", "CreationTimestamp"],
        id_attribute: "Id",
        taggable: true,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type (the EC2 path: `ec2_common::Ec2Type`).
pub struct Provider;

#[async_trait::async_trait]
impl Ec2Type for Provider {
    const DESCRIBE: &'static str = "ec2:DescribeVpcEndpoints";

    async fn read_batch(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<String, Live>, ProviderError> {
        describe_many(cx, ids).await
    }

    fn align(live: &mut Live, recorded: &Value) {
        align_lists(live, recorded);
    }

    /// By strata's identity tags (put on at CreateVpcEndpoint), skipping
    /// endpoints that are deleted or on their way out.
    async fn find_many(cx: &Cx, reqs: &[Request<'_>]) -> lookup::Found {
        use aws_sdk_ec2::types::VpcEndpoint as Item;
        // Endpoints on their way out are not this resource any more.
        let current = |e: &Item| !is_deleted(e) && !matches!(state(e), Some("deleting" | "failed" | "rejected" | "expired"));
        let describe_current =
            |filters| async move { Ok(describe(cx, filters).await?.into_iter().filter(current).collect::<Vec<_>>()) };
        let adopt = |id: String| async move { Ok(Some(common::applied(&id, &wait_available(cx, &id).await?))) };
        common::find_tagged(reqs, describe_current, Item::vpc_endpoint_id, Item::tags, adopt).await
    }

    async fn create(cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = req.properties;
        let tags = req.tags.for_properties(props);
        let endpoint_type = str_prop(props, "VpcEndpointType")?.unwrap_or_else(|| "Gateway".to_owned());
        let mut call = cx
            .clients
            .ec2()
            .create_vpc_endpoint()
            .vpc_id(required_str(props, "VpcId")?)
            .service_name(required_str(props, "ServiceName")?)
            .vpc_endpoint_type(VpcEndpointType::from(endpoint_type.as_str()))
            .set_route_table_ids(non_empty(str_list_prop(props, ROUTE_TABLES)?))
            .set_subnet_ids(non_empty(str_list_prop(props, SUBNETS)?))
            .set_security_group_ids(non_empty(str_list_prop(props, SECURITY_GROUPS)?))
            .tag_specifications(common::tag_specification(ResourceType::VpcEndpoint, &tags));
        if let Some(policy) = desired_policy(props)? {
            call = call.policy_document(policy_text(&policy)?);
        }
        if let Some(private_dns) = bool_prop(props, "PrivateDnsEnabled")? {
            call = call.private_dns_enabled(private_dns);
        }
        let out = call.send().await.map_err(aws_error("ec2:CreateVpcEndpoint"))?;
        let id = out
            .vpc_endpoint()
            .and_then(|e| e.vpc_endpoint_id())
            .ok_or_else(|| common::missing("ec2:CreateVpcEndpoint", "VpcEndpointId"))?;
        let live = wait_available(cx, id).await?;
        Ok(common::applied(id, &live))
    }

    /// One ModifyVpcEndpoint with everything that differs from AWS's view
    /// (lists as additions and removals, policy, private DNS), a wait until
    /// the endpoint is available again, then the tags.
    async fn update(cx: &Cx, id: &str, before: &Value, live: &Live, req: &Request<'_>) -> Result<(), ProviderError> {
        let props = req.properties;
        let mut call = cx.clients.ec2().modify_vpc_endpoint().vpc_endpoint_id(id);
        let mut changed = false;
        let route_tables =
            list_changes(&str_list_prop(&live.properties, ROUTE_TABLES)?, &str_list_prop(props, ROUTE_TABLES)?);
        for name in [ROUTE_TABLES, SUBNETS, SECURITY_GROUPS] {
            let (add, remove) = list_changes(&str_list_prop(&live.properties, name)?, &str_list_prop(props, name)?);
            changed |= add.is_some() || remove.is_some();
            call = match name {
                ROUTE_TABLES => call.set_add_route_table_ids(add).set_remove_route_table_ids(remove),
                SUBNETS => call.set_add_subnet_ids(add).set_remove_subnet_ids(remove),
                _ => call.set_add_security_group_ids(add).set_remove_security_group_ids(remove),
            };
        }
        match desired_policy(props)? {
            Some(policy) if live.properties.get("PolicyDocument") != Some(&policy) => {
                call = call.policy_document(policy_text(&policy)?);
                changed = true;
            }
            // No policy any more: back to AWS's default full-access policy.
            None if before.get("PolicyDocument").is_some() => {
                call = call.reset_policy(true);
                changed = true;
            }
            _ => {}
        }
        if let Some(private_dns) = bool_prop(props, "PrivateDnsEnabled")? {
            if live.properties.get("PrivateDnsEnabled").and_then(Value::as_bool) != Some(private_dns) {
                call = call.private_dns_enabled(private_dns);
                changed = true;
            }
        }
        if changed {
            call.send().await.map_err(aws_error("ec2:ModifyVpcEndpoint"))?;
            if cx.local && live.properties.get("VpcEndpointType") == Some(&json!("Gateway")) {
                local_cloud_gateway_routes(cx, id, live, route_tables).await?;
            }
            wait_available(cx, id).await?;
        }
        common::sync_tags(cx, id, &live.tags, &req.tags.for_properties(props)).await
    }

    /// Deletes and waits until AWS reports it gone, so that the subnets and
    /// security groups its network interfaces used can be deleted next.
    async fn delete(cx: &Cx, id: &str) -> Result<(), ProviderError> {
        // Already deleted: AWS and the local cloud keep listing it for a while,
        // and the local cloud fails a second DeleteVpcEndpoints of a gateway
        // endpoint (it removes the endpoint's routes again).
        if common::read_one::<Self>(cx, id).await?.is_none() {
            return Ok(());
        }
        let out = match cx
            .clients
            .ec2()
            .delete_vpc_endpoints()
            .vpc_endpoint_ids(id)
            .send()
            .await
            .map_err(aws_error("ec2:DeleteVpcEndpoints"))
        {
            Ok(out) => out,
            Err(err) if is_unknown_endpoint(&err) => return Ok(()),
            Err(err) => return Err(err),
        };
        // DeleteVpcEndpoints reports per-endpoint failures in its answer, not as an error.
        if let Some(error) = out.unsuccessful().iter().find_map(|item| item.error()) {
            let err = ProviderError::Aws {
                operation: "ec2:DeleteVpcEndpoints",
                code: error.code().unwrap_or("Unknown").to_owned(),
                message: error.message().unwrap_or_default().to_owned(),
            };
            if !is_unknown_endpoint(&err) {
                return Err(err);
            }
        }
        retry::wait_until("VPC endpoint deleted", DELETED_WAIT, POLL_EVERY, || async {
            Ok(common::read_one::<Self>(cx, id).await?.is_none().then_some(()))
        })
        .await
    }
}

// ---------------------------------------------------------------- identity --

common::ec2_describe!(
    /// DescribeVpcEndpoints with filters, every page.
    fn describe = describe_vpc_endpoints -> aws_sdk_ec2::types::VpcEndpoint, "ec2:DescribeVpcEndpoints"
);

const POLL_EVERY: Duration = Duration::from_secs(5);

/// The list properties and which endpoint types they apply to.
const ROUTE_TABLES: &str = "RouteTableIds";

const SUBNETS: &str = "SubnetIds";

const SECURITY_GROUPS: &str = "SecurityGroupIds";

fn state(endpoint: &aws_sdk_ec2::types::VpcEndpoint) -> Option<&str> {
    endpoint.state().map(|s| s.as_str())
}

/// AWS (and the local cloud) keep listing a deleted endpoint for a while.
pub(crate) fn is_deleted(endpoint: &aws_sdk_ec2::types::VpcEndpoint) -> bool {
    state(endpoint) == Some("deleted")
}

// ------------------------------------------------------------------ create --

/// An interface endpoint places a network interface in every subnet; AWS
/// usually takes one to three minutes.
pub const AVAILABLE_WAIT: Duration = Duration::from_secs(600);

/// Waits until the endpoint is `available` and returns it; a failed or
/// rejected endpoint ends the wait with AWS's reason.
async fn wait_available(cx: &Cx, id: &str) -> Result<Live, ProviderError> {
    retry::wait_until("VPC endpoint available", AVAILABLE_WAIT, POLL_EVERY, || async {
        let out = cx
            .clients
            .ec2()
            .describe_vpc_endpoints()
            .vpc_endpoint_ids(id)
            .send()
            .await
            .map_err(aws_error("ec2:DescribeVpcEndpoints"));
        let endpoint = match out {
            Ok(out) => out.vpc_endpoints().first().cloned(),
            // Not visible yet right after CreateVpcEndpoint.
            Err(err) if err.is_not_found() => None,
            Err(err) => return Err(err),
        };
        let Some(endpoint) = endpoint else { return Ok(None) };
        match state(&endpoint) {
            Some("available") => Ok(Some(live(&endpoint))),
            Some(bad @ ("failed" | "rejected" | "expired" | "deleted" | "deleting")) => Err(ProviderError::Aws {
                operation: "ec2:CreateVpcEndpoint",
                code: format!("VpcEndpoint.{bad}"),
                message: endpoint
                    .failure_reason()
                    .or_else(|| endpoint.last_error().and_then(|e| e.message()))
                    .unwrap_or("the endpoint did not become available")
                    .to_owned(),
            }),
            _ => Ok(None),
        }
    })
    .await
}

/// The spec's policy as JSON (a policy written as JSON text is parsed, so it
/// compares with what AWS reports).
fn desired_policy(props: &Value) -> Result<Option<Value>, ProviderError> {
    match props.get("PolicyDocument") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => serde_json::from_str(text)
            .map(Some)
            .map_err(|e| ProviderError::invalid("PolicyDocument", format!("not a JSON policy: {e}"))),
        Some(policy) => Ok(Some(policy.clone())),
    }
}

fn policy_text(policy: &Value) -> Result<String, ProviderError> {
    serde_json::to_string(policy).map_err(|e| ProviderError::invalid("PolicyDocument", e.to_string()))
}

fn non_empty(items: Vec<String>) -> Option<Vec<String>> {
    (!items.is_empty()).then_some(items)
}

// -------------------------------------- read (in ec2_vpc_endpoint/read.rs) --

// ------------------------------------------------------------------ update --

/// (ids to add, ids to remove), each None when empty.
fn list_changes(live: &[String], desired: &[String]) -> (Option<Vec<String>>, Option<Vec<String>>) {
    let add = desired.iter().filter(|id| !live.contains(id)).cloned().collect();
    let remove = live.iter().filter(|id| !desired.contains(id)).cloned().collect();
    (non_empty(add), non_empty(remove))
}

// ------------------------------------------------------------------ delete --

/// Deleting takes about as long (the interfaces are released).
pub const DELETED_WAIT: Duration = Duration::from_secs(600);

/// Only "this endpoint does not exist" means already deleted (another
/// NotFound, of a route or a subnet, is a real failure).
fn is_unknown_endpoint(err: &ProviderError) -> bool {
    err.aws_code().is_some_and(|c| c.starts_with("InvalidVpcEndpoint") && c.ends_with("NotFound"))
}

// ------------------------------------------------------------- local cloud --

/// The local cloud (moto 5.2.5) applies ModifyVpcEndpoint's route table
/// changes to the endpoint's list but not to the route tables: AWS adds the
/// service's prefix-list route to an added table and removes it from a
/// removed one, moto does neither, and its DeleteVpcEndpoints then fails on
/// the route it expects in the new table. On the local cloud only, strata
/// makes those route changes itself.
async fn local_cloud_gateway_routes(
    cx: &Cx,
    endpoint_id: &str,
    live: &Live,
    (added, removed): (Option<Vec<String>>, Option<Vec<String>>),
) -> Result<(), ProviderError> {
    let Some(service) = live.properties.get("ServiceName").and_then(Value::as_str) else { return Ok(()) };
    let lists = cx
        .clients
        .ec2()
        .describe_prefix_lists()
        .filters(common::filter("prefix-list-name", [service]))
        .send()
        .await
        .map_err(aws_error("ec2:DescribePrefixLists"))?;
    let Some(prefix_list) = lists.prefix_lists().iter().find_map(|p| p.prefix_list_id()) else { return Ok(()) };
    for table in added.unwrap_or_default() {
        cx.clients
            .ec2()
            .create_route()
            .route_table_id(table)
            .destination_prefix_list_id(prefix_list)
            .gateway_id(endpoint_id)
            .send()
            .await
            .map_err(aws_error("ec2:CreateRoute"))?;
    }
    for table in removed.unwrap_or_default() {
        let deleted = cx
            .clients
            .ec2()
            .delete_route()
            .route_table_id(table)
            .destination_prefix_list_id(prefix_list)
            .send()
            .await
            .map_err(aws_error("ec2:DeleteRoute"));
        match deleted {
            Err(err) if !err.is_not_found() => return Err(err),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_changes_are_additions_and_removals() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(list_changes(&s(&["a", "b"]), &s(&["b", "c"])), (Some(s(&["c"])), Some(s(&["a"]))));
        assert_eq!(list_changes(&s(&["a"]), &s(&["a"])), (None, None));
    }

    #[test]
    fn a_policy_given_as_text_is_parsed() {
        let props = json!({"PolicyDocument": "{\"Version\": \"2012-10-17\"}"});
        assert_eq!(desired_policy(&props).unwrap(), Some(json!({"Version": "2012-10-17"})));
        assert!(desired_policy(&json!({"PolicyDocument": "nope"})).is_err());
    }
}
