//! `AWS::EC2::RouteTable`.
//!
//! Only the table itself: its routes are separate resources in CloudFormation
//! (and a gateway endpoint adds its own), so `read` does not report them.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::ResourceType;
use serde_json::{json, Value};

use super::ec2_common::{self as common, required_str};
use crate::provider::schema::{ValueType::*, *};
use crate::provider::{aws_error, lookup, Applied, Cx, Live, ProviderError, Request};

common::ec2_describe!(
    /// DescribeRouteTables with filters, every page.
    fn describe = describe_route_tables -> aws_sdk_ec2::types::RouteTable, "ec2:DescribeRouteTables"
);

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::EC2::RouteTable",
    properties: &[create_only(required("VpcId", String)), optional("Tags", TAG_LIST)],
    attributes: &["RouteTableId"],
    id_attribute: "RouteTableId",
    taggable: true,
};

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    fn schema(&self) -> &'static ResourceSchema {
        &SCHEMA
    }

    /// By strata's identity tags (put on at CreateRouteTable).
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        lookup::only(self.find_many(cx, std::slice::from_ref(req)).await)
    }

    async fn find_many(&self, cx: &Cx, reqs: &[Request<'_>]) -> lookup::Found {
        let adopt = |id: std::string::String| async move { Ok(read_one(cx, &id).await?.map(|live| common::applied(&id, &live))) };
        use aws_sdk_ec2::types::RouteTable as Item;
        common::find_tagged(reqs, |filters| describe(cx, filters), Item::route_table_id, Item::tags, adopt).await
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
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
        let live =
            common::wait_visible(
                "route table visible",
                id,
                |id| async move { describe_many(cx, &[id.as_str()]).await },
            )
            .await?;
        Ok(common::applied(id, &live))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        Ok(self.read_many(cx, &[(physical_id, recorded)]).await?.pop().flatten())
    }

    /// One Describe call (per 200 ids) for all of them.
    async fn read_many(&self, cx: &Cx, items: &[(&str, &Value)]) -> Result<Vec<Option<Live>>, ProviderError> {
        let found = describe_many(cx, &common::ids(items)).await?;
        Ok(common::in_order(items, found, common::align_tags))
    }

    fn reads_in_batches(&self) -> bool {
        true
    }

    /// Only the tags can change (VpcId is createOnly).
    async fn update(
        &self,
        cx: &Cx,
        physical_id: &str,
        _before: &Value,
        req: &Request<'_>,
    ) -> Result<Applied, ProviderError> {
        let live =
            read_one(cx, physical_id).await?.ok_or_else(|| common::vanished("ec2:DescribeRouteTables", physical_id))?;
        common::sync_tags(cx, physical_id, &live.tags, &req.tags.for_properties(req.properties)).await?;
        let live =
            read_one(cx, physical_id).await?.ok_or_else(|| common::vanished("ec2:DescribeRouteTables", physical_id))?;
        Ok(common::applied(physical_id, &live))
    }

    /// Associations and gateway endpoints using the table are deleted first
    /// (they depend on it), so a DependencyViolation is reported, not retried.
    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        let deleted = cx
            .clients
            .ec2()
            .delete_route_table()
            .route_table_id(physical_id)
            .send()
            .await
            .map_err(aws_error("ec2:DeleteRouteTable"));
        match deleted {
            Err(err) if !err.is_not_found() => Err(err),
            _ => Ok(()),
        }
    }
}

async fn read_one(cx: &Cx, id: &str) -> Result<Option<Live>, ProviderError> {
    Ok(describe_many(cx, &[id]).await?.remove(id))
}

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
pub async fn describe_many(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<std::string::String, Live>, ProviderError> {
    common::describe_chunked(
        ids,
        |chunk| describe(cx, vec![common::filter("route-table-id", chunk.iter().map(std::string::String::as_str))]),
        |item: aws_sdk_ec2::types::RouteTable| Some((item.route_table_id()?.to_owned(), live(&item))),
    )
    .await
}
