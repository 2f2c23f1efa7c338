//! `AWS::EC2::SubnetRouteTableAssociation`: puts a subnet on a route table.
//!
//! An association takes no tags and has no Describe call of its own: it is
//! read from DescribeRouteTables' association lists, and found (after a crash)
//! by its subnet and route table, a pair that has at most one association.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::ec2_common::{self as common, required_str};
use crate::provider::schema::{ValueType::*, *};
use crate::provider::{aws_error, Applied, Cx, Live, ProviderError, Request};

common::ec2_describe!(
    /// DescribeRouteTables with filters, every page: associations have no
    /// Describe call of their own.
    fn describe_tables = describe_route_tables -> aws_sdk_ec2::types::RouteTable, "ec2:DescribeRouteTables"
);

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::EC2::SubnetRouteTableAssociation",
    properties: &[create_only(required("RouteTableId", String)), create_only(required("SubnetId", String))],
    // `Id` is the association id (`rtbassoc-...`), CloudFormation's Ref value.
    attributes: &["Id"],
    id_attribute: "Id",
    taggable: false,
};

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    fn schema(&self) -> &'static ResourceSchema {
        &SCHEMA
    }

    /// The association of this subnet with this route table, if there is one
    /// (a subnet has at most one explicit association).
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
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

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
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
        let live = common::wait_visible("route table association visible", id, |id| async move {
            describe_many(cx, &[id.as_str()]).await
        })
        .await?;
        Ok(common::applied(id, &live))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        Ok(self.read_many(cx, &[(physical_id, recorded)]).await?.pop().flatten())
    }

    /// One Describe call (per 200 ids) for all of them.
    async fn read_many(&self, cx: &Cx, items: &[(&str, &Value)]) -> Result<Vec<Option<Live>>, ProviderError> {
        let found = describe_many(cx, &common::ids(items)).await?;
        Ok(common::in_order(items, found, |_, _| {}))
    }

    fn reads_in_batches(&self) -> bool {
        true
    }

    /// Both properties are createOnly, so there is never anything to change
    /// in place; this only reports the association as it is.
    async fn update(
        &self,
        cx: &Cx,
        physical_id: &str,
        _before: &Value,
        _req: &Request<'_>,
    ) -> Result<Applied, ProviderError> {
        let live =
            read_one(cx, physical_id).await?.ok_or_else(|| common::vanished("ec2:DescribeRouteTables", physical_id))?;
        Ok(common::applied(physical_id, &live))
    }

    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        let deleted = cx
            .clients
            .ec2()
            .disassociate_route_table()
            .association_id(physical_id)
            .send()
            .await
            .map_err(aws_error("ec2:DisassociateRouteTable"));
        match deleted {
            Err(err) if !err.is_not_found() => Err(err),
            _ => Ok(()),
        }
    }
}

async fn read_one(cx: &Cx, id: &str) -> Result<Option<Live>, ProviderError> {
    Ok(describe_many(cx, &[id]).await?.remove(id))
}

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
pub async fn describe_many(cx: &Cx, ids: &[&str]) -> Result<BTreeMap<std::string::String, Live>, ProviderError> {
    common::describe_chunked(
        ids,
        |chunk| {
            let filter =
                common::filter("association.route-table-association-id", chunk.iter().map(std::string::String::as_str));
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
