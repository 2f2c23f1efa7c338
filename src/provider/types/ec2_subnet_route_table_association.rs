//! `AWS::EC2::SubnetRouteTableAssociation`: puts a subnet on a route table.
//!
//! An association takes no tags and has no Describe call of its own: it is
//! read from DescribeRouteTables' association lists, and found (after a crash)
//! by its subnet and route table, a pair that has at most one association.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::ec2_common::{self as common, required_str, Ec2Type};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, lookup, Applied, Cx, Live, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    ResourceSchema {
        type_name: "AWS::EC2::SubnetRouteTableAssociation",
        properties: &[create_only(required("RouteTableId", String)), create_only(required("SubnetId", String))],
        // `Id` is the association id (`rtbassoc-...`), CloudFormation's Ref value.
        attributes: &["Id"],
        id_attribute: "Id",
        taggable: false,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type (the EC2 path: `ec2_common::Ec2Type`).
pub struct Provider;

/// The association of this subnet with this route table, if there is one
/// (a subnet has at most one explicit association).
async fn find(cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
    let route_table = required_str(req.properties, "RouteTableId")?;
    let subnet = required_str(req.properties, "SubnetId")?;
    let tables = describe_tables(
        cx,
        vec![
            common::filter("route-table-id", [route_table.as_str()]),
            common::filter("association.subnet-id", [subnet.as_str()]),
        ],
    )
    .await?;
    let found = tables
        .iter()
        .flat_map(|t| t.associations())
        .filter(|a| a.route_table_id() == Some(route_table.as_str()) && a.subnet_id() == Some(subnet.as_str()))
        .find_map(|a| Some((a.route_table_association_id()?, live(a)?)));
    Ok(found.map(|(id, live)| common::applied(id, &live)))
}

#[async_trait::async_trait]
impl Ec2Type for Provider {
    const DESCRIBE: &'static str = "ec2:DescribeRouteTables";

    async fn read_batch(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<String, Live>, ProviderError> {
        describe_many(cx, ids).await
    }

    /// Untagged: nothing to align.
    fn align(_live: &mut Live, _recorded: &Value) {}

    /// One lookup per request: an association is found through its route
    /// table and subnet, which a plan of new ones rarely knows yet.
    async fn find_many(cx: &Cx, reqs: &[Request<'_>]) -> lookup::Found {
        lookup::each(reqs.len(), |i| find(cx, &reqs[i])).await
    }

    async fn create(cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let out = cx
            .clients
            .ec2()
            .associate_route_table()
            .route_table_id(required_str(req.properties, "RouteTableId")?)
            .subnet_id(required_str(req.properties, "SubnetId")?)
            .send()
            .await
            .map_err(aws_error("ec2:AssociateRouteTable"))?;
        let id = out.association_id().ok_or_else(|| common::missing("ec2:AssociateRouteTable", "AssociationId"))?;
        let live = common::wait_visible::<Self>(cx, "route table association visible", id).await?;
        Ok(common::applied(id, &live))
    }

    /// Both properties are createOnly, so there is never anything to change
    /// in place; the provider only reports the association as it is.
    async fn update(_: &Cx, _: &str, _: &Value, _: &Live, _: &Request<'_>) -> Result<(), ProviderError> {
        Ok(())
    }

    async fn delete(cx: &Cx, id: &str) -> Result<(), ProviderError> {
        let call = cx.clients.ec2().disassociate_route_table().association_id(id);
        call.send().await.map(drop).map_err(aws_error("ec2:DisassociateRouteTable"))
    }
}

// ---------------------------------------------------------------- identity --

common::ec2_describe!(
    /// DescribeRouteTables with filters, every page: associations have no
    /// Describe call of their own.
    fn describe_tables = describe_route_tables -> aws_sdk_ec2::types::RouteTable, "ec2:DescribeRouteTables"
);

// -------------------------------------------------------------------- read --

/// The live association in the spec's terms (called by the batched read);
/// None for the main association, a gateway's, or one being taken down.
pub(crate) fn live(association: &aws_sdk_ec2::types::RouteTableAssociation) -> Option<Live> {
    let subnet = association.subnet_id()?;
    let route_table = association.route_table_id()?;
    let state = association.association_state().and_then(|s| s.state()).map(|s| s.as_str().to_owned());
    if matches!(state.as_deref(), Some("disassociating" | "disassociated" | "failed")) {
        return None;
    }
    let id = association.route_table_association_id()?;
    Some(Live {
        properties: json!({ "RouteTableId": route_table, "SubnetId": subnet }),
        attributes: BTreeMap::from([("Id".to_owned(), json!(id))]),
        tags: BTreeMap::new(),
    })
}

/// Reads many subnet route table associations (by association id), one
/// DescribeRouteTables per 200 ids: associations have no Describe of their own.
pub async fn describe_many(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<String, Live>, ProviderError> {
    common::describe_chunked(
        ids,
        |chunk| {
            let filter = common::filter("association.route-table-association-id", chunk.iter().map(String::as_str));
            describe_tables(cx, vec![filter])
        },
        |table: aws_sdk_ec2::types::RouteTable| {
            table
                .associations()
                .iter()
                .filter_map(|association| {
                    let id = association.route_table_association_id().filter(|id| ids.contains(id))?;
                    Some((id.to_owned(), live(association)?))
                })
                .collect::<Vec<_>>()
        },
    )
    .await
}
