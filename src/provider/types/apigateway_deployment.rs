//! `AWS::ApiGateway::Deployment`: an immutable snapshot of a REST API's
//! resources and methods.
//!
//! A deployment cannot change: `update` means "deploy again". It creates a
//! new deployment of the API as it is now and returns the new id, so a stage
//! whose `DeploymentId` reads `${ThisDeployment.DeploymentId}` moves to it
//! when it is updated next in the walk. The old deployment is deleted at once
//! only when no stage uses it any more; otherwise it is left for `delete`,
//! which refuses (clearly) while a stage still serves it.
//!
//! The planner is what keeps a stage from serving a stale API: it should
//! mark the deployment for update whenever a resource of a type in
//! [`REDEPLOY_ON`] with the same `RestApiId` is created, updated, replaced or
//! deleted; the stage then sees a new `${Deployment.DeploymentId}` and is
//! updated after it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::api_common::{self as common, Obj};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, retry, Applied, Cx, Live, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    ResourceSchema {
        type_name: "AWS::ApiGateway::Deployment",
        properties: &[
            create_only(required("RestApiId", String)),
            optional("Description", String),
            // Creates (or points) a stage of that name at this deployment. Leave it
            // out when the stage is its own AWS::ApiGateway::Stage resource.
            optional("StageName", String),
        ],
        attributes: &["DeploymentId"],
        id_attribute: "DeploymentId",
        taggable: false,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type. The physical id is the deployment id.
///
/// `find` never adopts: a deployment carries no tags and no unique name, and
/// adopting an older snapshot could make a stage serve a stale API, while a
/// second, fresh snapshot is always correct and costs nothing.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let id = create_deployment(cx, req.properties).await?;
        Ok(applied(&id))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let api = common::recorded_rest_api_id(recorded)?;
        let found = common::found(get_deployment(cx, api, physical_id).await)?.flatten();
        let Some(d) = found else { return Ok(None) };
        let mut props = Obj::new();
        props.put("RestApiId", api).string("Description", d.description());
        // AWS does not say which stage a deployment created; the recorded
        // stage is reported while it still points at this deployment.
        if let Some(stage) = common::opt_str(recorded, "StageName")? {
            if stages_using(cx, api, physical_id).await?.iter().any(|s| s == stage) {
                props.put("StageName", stage);
            }
        }
        Ok(Some(Live { properties: props.build(), attributes: applied(physical_id).attributes, tags: BTreeMap::new() }))
    }

    /// Deploys again: a new deployment of the API as it is now (with the
    /// wanted description; a `StageName` stage moves to it), whose id is
    /// returned. The previous one is deleted only if no stage uses it.
    async fn update(&self, cx: &Cx, id: &str, _before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let api = common::req_str(req.properties, "RestApiId")?;
        let new_id = create_deployment(cx, req.properties).await?;
        if stages_using(cx, api, id).await?.is_empty() {
            match delete_deployment(cx, api, id).await {
                // A stage moved onto it meanwhile, or (moto) the stage that
                // created it still exists though it points elsewhere now:
                // the old snapshot stays, and the new one is what counts.
                Err(e) if e.aws_code() == Some("BadRequestException") => {}
                other => other?,
            }
        }
        Ok(applied(&new_id))
    }

    /// Deletes the deployment. The stage it created through `StageName` is
    /// deleted with it (as CloudFormation does); any other stage still
    /// pointing at it makes the delete fail with the stages named, since AWS
    /// refuses to delete a deployment a stage serves (moto does not check).
    async fn delete(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<(), ProviderError> {
        let api = common::recorded_rest_api_id(recorded)?;
        let Some(mut users) = common::found(stages_using(cx, api, physical_id).await)? else {
            return Ok(()); // the API is gone, and the deployment with it
        };
        if let Some(own) = common::opt_str(recorded, "StageName")? {
            if users.iter().any(|s| s == own) {
                delete_stage(cx, api, own).await?;
                users.retain(|s| s != own);
            }
        }
        if !users.is_empty() {
            return Err(ProviderError::Aws {
                operation: "apigateway:DeleteDeployment",
                code: "BadRequestException".into(),
                message: format!(
                    "Active stages pointing to this deployment must be moved or deleted: deployment {physical_id} of REST API {api} is used by stage(s) {}",
                    users.join(", ")
                ),
            });
        }
        delete_deployment(cx, api, physical_id).await
    }
}

// ---------------------------------------------------------------- identity --

fn applied(id: &str) -> Applied {
    Applied {
        physical_id: id.to_owned(),
        attributes: BTreeMap::from([("DeploymentId".to_owned(), Value::String(id.to_owned()))]),
    }
}

/// The deployment, looked up in the API's list: moto answers GetDeployment
/// of an unknown id with an internal error rather than NotFound, and the
/// list tells "gone" apart everywhere.
async fn get_deployment(
    cx: &Cx,
    api: &str,
    id: &str,
) -> Result<Option<aws_sdk_apigateway::types::Deployment>, ProviderError> {
    let mut pages =
        cx.clients.apigateway().get_deployments().rest_api_id(api).limit(500).into_paginator().items().send();
    while let Some(item) = pages.next().await {
        let deployment = item.map_err(aws_error("apigateway:GetDeployments"))?;
        if deployment.id() == Some(id) {
            return Ok(Some(deployment));
        }
    }
    Ok(None)
}

// ------------------------------------------------------------------ create --

/// CreateDeployment from the properties; the new deployment's id.
async fn create_deployment(cx: &Cx, p: &Value) -> Result<String, ProviderError> {
    let api = common::req_str(p, "RestApiId")?;
    let client = cx.clients.apigateway();
    let out = retry::with_retries(|| async {
        client
            .create_deployment()
            .rest_api_id(api)
            .set_description(common::opt_str(p, "Description")?.map(str::to_owned))
            .set_stage_name(common::opt_str(p, "StageName")?.map(str::to_owned))
            .send()
            .await
            .map_err(aws_error("apigateway:CreateDeployment"))
    })
    .await?;
    out.id().map(str::to_owned).ok_or_else(|| ProviderError::invalid("DeploymentId", "CreateDeployment returned no id"))
}

// ------------------------------------------------------------------ update --

/// The types whose changes a deployment must be redone for: a deployment is
/// a snapshot of the API's resources, methods (with their integrations) and
/// authorizers, and of the API's own settings (its resource policy, binary
/// media types and endpoint take effect on callers only through a new
/// deployment).
pub const REDEPLOY_ON: &[&str] = &[
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Authorizer",
];

// ------------------------------------------------------------------ delete --

/// Names of the stages of `api` that point at `deployment`. (GetStages can
/// filter by deployment on AWS; moto ignores the filter, so it is applied
/// here too.)
pub async fn stages_using(cx: &Cx, api: &str, deployment: &str) -> Result<Vec<String>, ProviderError> {
    let out = cx
        .clients
        .apigateway()
        .get_stages()
        .rest_api_id(api)
        .deployment_id(deployment)
        .send()
        .await
        .map_err(aws_error("apigateway:GetStages"))?;
    Ok(out
        .item()
        .iter()
        .filter(|s| s.deployment_id() == Some(deployment))
        .filter_map(|s| s.stage_name().map(str::to_owned))
        .collect())
}

async fn delete_deployment(cx: &Cx, api: &str, id: &str) -> Result<(), ProviderError> {
    let client = cx.clients.apigateway();
    common::gone_ok(
        retry::with_retries(|| async {
            client
                .delete_deployment()
                .rest_api_id(api)
                .deployment_id(id)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_error("apigateway:DeleteDeployment"))
        })
        .await,
    )
}

async fn delete_stage(cx: &Cx, api: &str, stage: &str) -> Result<(), ProviderError> {
    let client = cx.clients.apigateway();
    common::gone_ok(
        retry::with_retries(|| async {
            client
                .delete_stage()
                .rest_api_id(api)
                .stage_name(stage)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_error("apigateway:DeleteStage"))
        })
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redeploy_triggers_are_known_types_that_name_their_rest_api() {
        for type_name in REDEPLOY_ON {
            let schema = crate::provider::registry::lookup(type_name).expect("a registered type");
            let names_api = schema.property("RestApiId").is_some() || schema.has_attribute("RestApiId");
            assert!(names_api, "{type_name} can be matched to its REST API");
        }
    }
}
