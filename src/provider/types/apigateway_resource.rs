//! `AWS::ApiGateway::Resource`: one path segment of a REST API.

use std::collections::BTreeMap;

use serde_json::Value;

use super::api_common::{self as common, Obj};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, retry, Applied, Cx, Live, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    ResourceSchema {
        type_name: "AWS::ApiGateway::Resource",
        properties: &[
            create_only(required("RestApiId", String)),
            // The RestApi's RootResourceId, or another Resource's ResourceId.
            create_only(required("ParentId", String)),
            // One segment: `orders`, `{id}`, `{proxy+}`.
            create_only(required("PathPart", String)),
        ],
        attributes: &["ResourceId"],
        id_attribute: "ResourceId",
        taggable: false,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type. The physical id is the resource id (what
/// `${X.ResourceId}` reads); the REST API comes from the properties. Every
/// property is createOnly, so there is nothing to update in place. `find`
/// adopts the resource with the same path part under the same parent: API
/// Gateway allows only one.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let p = req.properties;
        let (api, parent, part) =
            (common::req_str(p, "RestApiId")?, common::req_str(p, "ParentId")?, common::req_str(p, "PathPart")?);
        let client = cx.clients.apigateway();
        // Creating several resources of one API at once draws
        // ConflictException / TooManyRequests from AWS: retried by name.
        let out = retry::with_retries(|| async {
            client
                .create_resource()
                .rest_api_id(api)
                .parent_id(parent)
                .path_part(part)
                .send()
                .await
                .map_err(aws_error("apigateway:CreateResource"))
        })
        .await?;
        let id = out.id().ok_or_else(|| ProviderError::invalid("ResourceId", "CreateResource returned no id"))?;
        Ok(applied(id))
    }

    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let p = req.properties;
        let (api, parent, part) =
            (common::req_str(p, "RestApiId")?, common::req_str(p, "ParentId")?, common::req_str(p, "PathPart")?);
        let mut pages =
            cx.clients.apigateway().get_resources().rest_api_id(api).limit(500).into_paginator().items().send();
        while let Some(item) = pages.next().await {
            let resource = match common::found(item.map_err(aws_error("apigateway:GetResources")))? {
                Some(r) => r,
                None => return Ok(None), // the API itself is gone
            };
            if resource.parent_id() == Some(parent) && resource.path_part() == Some(part) {
                return Ok(resource.id().map(applied));
            }
        }
        Ok(None)
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let api = common::recorded_rest_api_id(recorded)?;
        let Some(r) = get_resource(cx, api, physical_id).await? else { return Ok(None) };
        let mut props = Obj::new();
        props.put("RestApiId", api).string("ParentId", r.parent_id()).string("PathPart", r.path_part());
        Ok(Some(Live { properties: props.build(), attributes: applied(physical_id).attributes, tags: BTreeMap::new() }))
    }

    /// Nothing is updatable (all properties are createOnly: a change is a
    /// replacement upstream), so the resource is what it was.
    async fn update(
        &self,
        _cx: &Cx,
        physical_id: &str,
        _before: &Value,
        _req: &Request<'_>,
    ) -> Result<Applied, ProviderError> {
        Ok(applied(physical_id))
    }

    /// Deletes the resource; AWS removes its methods and child resources with it.
    async fn delete(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<(), ProviderError> {
        let api = common::recorded_rest_api_id(recorded)?;
        // moto answers a delete of an unknown resource with an internal
        // error, not NotFound, so "already gone" is asked first.
        if get_resource(cx, api, physical_id).await?.is_none() {
            return Ok(());
        }
        let client = cx.clients.apigateway();
        common::gone_ok(
            retry::with_retries(|| async {
                client
                    .delete_resource()
                    .rest_api_id(api)
                    .resource_id(physical_id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(aws_error("apigateway:DeleteResource"))
            })
            .await,
        )
    }
}

// ---------------------------------------------------------------- identity --

fn applied(id: &str) -> Applied {
    Applied {
        physical_id: id.to_owned(),
        attributes: BTreeMap::from([("ResourceId".to_owned(), Value::String(id.to_owned()))]),
    }
}

async fn get_resource(
    cx: &Cx,
    api: &str,
    id: &str,
) -> Result<Option<aws_sdk_apigateway::operation::get_resource::GetResourceOutput>, ProviderError> {
    common::found(
        cx.clients
            .apigateway()
            .get_resource()
            .rest_api_id(api)
            .resource_id(id)
            .send()
            .await
            .map_err(aws_error("apigateway:GetResource")),
    )
}
