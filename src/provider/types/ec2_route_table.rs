//! `AWS::EC2::RouteTable`.
//!
//! Only the table itself: its routes are separate resources in CloudFormation
//! (and a gateway endpoint adds its own), so `read` does not report them.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::ResourceType;
use serde_json::{json, Value};

use super::ec2_common::{self as common, required_str, Ec2Type};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, lookup, Applied, Cx, Live, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    ResourceSchema {
        type_name: "AWS::EC2::RouteTable",
        properties: &[create_only(required("VpcId", String)), optional("Tags", TAG_LIST)],
        attributes: &["RouteTableId"],
        id_attribute: "RouteTableId",
        taggable: true,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type (the EC2 path: `ec2_common::Ec2Type`).
pub struct Provider;

#[async_trait::async_trait]
impl Ec2Type for Provider {
    const DESCRIBE: &'static str = "ec2:DescribeRouteTables";

    async fn read_batch(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<String, Live>, ProviderError> {
        describe_many(cx, ids).await
    }

    /// By strata's identity tags (put on at CreateRouteTable).
    async fn find_many(cx: &Cx, reqs: &[Request<'_>]) -> lookup::Found {
        use aws_sdk_ec2::types::RouteTable as Item;
        let adopt = |id| common::adopt::<Self>(cx, Some(id));
        common::find_tagged(reqs, |filters| describe(cx, filters), Item::route_table_id, Item::tags, adopt).await
    }

    async fn create(cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = req.properties;
        let tags = req.tags.for_properties(props);
        let out = cx
            .clients
            .ec2()
            .create_route_table()
            .vpc_id(required_str(props, "VpcId")?)
            .tag_specifications(common::tag_specification(ResourceType::RouteTable, &tags))
            .send()
            .await
            .map_err(aws_error("ec2:CreateRouteTable"))?;
        let id = out
            .route_table()
            .and_then(|t| t.route_table_id())
            .ok_or_else(|| common::missing("ec2:CreateRouteTable", "RouteTableId"))?;
        let live = common::wait_visible::<Self>(cx, "route table visible", id).await?;
        Ok(common::applied(id, &live))
    }

    /// Only the tags can change (VpcId is createOnly).
    async fn update(cx: &Cx, id: &str, _before: &Value, live: &Live, req: &Request<'_>) -> Result<(), ProviderError> {
        common::sync_tags(cx, id, &live.tags, &req.tags.for_properties(req.properties)).await
    }

    /// Associations and gateway endpoints using the table are deleted first
    /// (they depend on it), so a DependencyViolation is reported, not retried.
    async fn delete(cx: &Cx, id: &str) -> Result<(), ProviderError> {
        let call = cx.clients.ec2().delete_route_table().route_table_id(id);
        call.send().await.map(drop).map_err(aws_error("ec2:DeleteRouteTable"))
    }
}

// ---------------------------------------------------------------- identity --

common::ec2_describe!(
    /// DescribeRouteTables with filters, every page.
    fn describe = describe_route_tables -> aws_sdk_ec2::types::RouteTable, "ec2:DescribeRouteTables"
);

// -------------------------------------------------------------------- read --

/// The live route table in the spec's terms (called by the batched read).
pub(crate) fn live(table: &aws_sdk_ec2::types::RouteTable) -> Live {
    let tags = common::tag_map(table.tags());
    let mut properties = json!({ "Tags": common::tags_property(&tags) });
    if let Some(vpc) = table.vpc_id() {
        properties["VpcId"] = json!(vpc);
    }
    let attributes = BTreeMap::from([("RouteTableId".to_owned(), json!(table.route_table_id().unwrap_or_default()))]);
    Live { properties, attributes, tags }
}

/// Reads many route tables, one DescribeRouteTables per 200 ids.
pub async fn describe_many(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<String, Live>, ProviderError> {
    common::describe_chunked(
        ids,
        |chunk| describe(cx, vec![common::filter("route-table-id", chunk.iter().map(String::as_str))]),
        |item: aws_sdk_ec2::types::RouteTable| Some((item.route_table_id()?.to_owned(), live(&item))),
    )
    .await
}
