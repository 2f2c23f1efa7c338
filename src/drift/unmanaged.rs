//! Resources that carry the stack's identity tags but that state does not
//! know: left by a crash, restored from a backup, or tagged by hand. Found
//! with one paginated Resource Groups Tagging API query for the stack and
//! environment tags.
//!
//! The tagging API covers EC2, KMS, DynamoDB, Lambda, CloudWatch Logs and
//! alarms on both AWS and the local cloud; IAM roles, Cognito, API Gateway
//! and Scheduler are not found this way on the local cloud (moto does not
//! index them), which `docs/decisions.md` records.

use serde::Serialize;

use super::DriftError;
use crate::provider::tags::{ENVIRONMENT_TAG, LOGICAL_NAME_TAG, STACK_TAG};
use crate::provider::types::ec2_vpc_endpoint;
use crate::provider::{aws_error, Cx};
use crate::state::State;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmanaged {
    pub arn: String,
    /// The `strata:logical-name` tag it carries.
    pub logical_name: Option<String>,
}

pub async fn unmanaged(cx: &Cx, stack: &str, environment: &str, state: &State) -> Result<Vec<Unmanaged>, DriftError> {
    let failed = |source| DriftError::Tagged { stack: stack.to_owned(), source };
    let filter = |key: &str, value: &str| {
        aws_sdk_resourcegroupstagging::types::TagFilter::builder().key(key).values(value).build()
    };
    let mappings = cx
        .clients
        .tagging()
        .get_resources()
        .tag_filters(filter(STACK_TAG, stack))
        .tag_filters(filter(ENVIRONMENT_TAG, environment))
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await;
    let mut out = Vec::new();
    for mapping in mappings {
        let mapping = mapping.map_err(aws_error("tag:GetResources")).map_err(failed)?;
        let Some(arn) = mapping.resource_arn() else { continue };
        let logical_name = mapping.tags().iter().find(|t| t.key() == LOGICAL_NAME_TAG).map(|t| t.value().to_owned());
        if is_managed(state, arn, logical_name.as_deref()) || !still_exists(cx, arn).await.map_err(failed)? {
            continue;
        }
        out.push(Unmanaged { arn: arn.to_owned(), logical_name });
    }
    out.sort_by(|a, b| a.arn.cmp(&b.arn));
    Ok(out)
}

/// State knows it: the logical name it is tagged with is recorded with a
/// physical id (or ARN) that this ARN names.
fn is_managed(state: &State, arn: &str, logical_name: Option<&str>) -> bool {
    let names = |r: &crate::state::ResourceState| {
        arn_names(arn, &r.physical_id) || r.attributes.values().any(|v| v.as_str() == Some(arn))
    };
    match logical_name {
        Some(name) => state.resources.get(name).is_some_and(names) || state.deposed.get(name).is_some_and(names),
        None => state.resources.values().any(names),
    }
}

/// The ARN ends with the id, as its last `/` or `:` segment.
fn arn_names(arn: &str, physical_id: &str) -> bool {
    let id = physical_id.rsplit(['/', ':']).next().unwrap_or(physical_id);
    let last = arn.trim_end_matches(":*").rsplit(['/', ':']).next().unwrap_or_default();
    !id.is_empty() && (last == id || arn.ends_with(physical_id))
}

/// The local cloud keeps deleted VPC endpoints (state `deleted`) and their
/// tags; they are not resources any more.
async fn still_exists(cx: &Cx, arn: &str) -> Result<bool, crate::provider::ProviderError> {
    match arn.split_once(":vpc-endpoint/") {
        Some((_, id)) => Ok(!ec2_vpc_endpoint::describe_many(cx, &[id]).await?.is_empty()),
        None => Ok(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_name_their_ids() {
        assert!(arn_names("arn:aws:ec2:us-east-1:123:vpc/vpc-1", "vpc-1"));
        assert!(!arn_names("arn:aws:ec2:us-east-1:123:vpc/vpc-12", "vpc-1"));
        assert!(arn_names("arn:aws:logs:us-east-1:123:log-group:/aws/lambda/x:*", "/aws/lambda/x"));
        assert!(arn_names("arn:aws:lambda:us-east-1:123:function:acme-x", "acme-x"));
        assert!(arn_names("arn:aws:dynamodb:us-east-1:123:table/acme-t", "acme-t"));
    }
}
