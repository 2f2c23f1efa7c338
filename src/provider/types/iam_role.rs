//! `AWS::IAM::Role`, with inline policies.
//!
//! The role's name is its physical id. When the spec gives none, strata
//! generates `<stack>-<env>-<LogicalName>` (cut to 64 characters), so the
//! name is known before the call and `find` can look the role up after a
//! crash. Inline `Policies` are PutRolePolicy / DeleteRolePolicy,
//! `ManagedPolicyArns` are Attach / DetachRolePolicy; `read` reports both as
//! AWS has them, so a statement or a policy added by hand shows as drift, and
//! `update` converges on the spec from what AWS has (not from what state
//! recorded), which removes such additions.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_iam::types::Tag;
use serde_json::{json, Map, Value};

use super::compute_common::{self as common, opt_i32, opt_str, policy_json, policy_text, policy_value, str_list};
use super::tagging::{self, spec_tag_list, TagApi, Tags};
use crate::provider::schema::ResourceSchema;
use crate::provider::{aws_error, lookup, retry, Applied, Cx, Live, NotFoundExt, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    /// One item of `Policies` (CloudFormation's `Policy` type).
    const INLINE_POLICY: ValueType = Object(&[required("PolicyName", String), required("PolicyDocument", Json)]);

    ResourceSchema {
        type_name: "AWS::IAM::Role",
        properties: &[
            required("AssumeRolePolicyDocument", Json),
            create_only(optional("RoleName", String)),
            create_only(optional("Path", String)),
            optional("Description", String),
            optional("ManagedPolicyArns", List(&String)),
            optional("MaxSessionDuration", Integer),
            optional("PermissionsBoundary", String),
            optional("Policies", List(&INLINE_POLICY)),
            optional("Tags", TAG_LIST),
        ],
        attributes: &["RoleName", "Arn", "RoleId"],
        id_attribute: "RoleName",
        taggable: true,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let name = role_name(req)?;
        let Some(role) = get_role(cx, &name).await? else { return Ok(None) };
        let tags = live_tags(cx, &name).await?;
        req.tags.claim(SCHEMA.type_name, &name, &tags)?;
        if created_lately(&role) {
            // Left by an interrupted run moments ago: it may not have propagated yet.
            retry::note_role_changed();
        }
        Ok(Some(role_applied(&role)))
    }

    /// One ListRoles for all of them. IAM role names are unique regardless
    /// of case, so names are compared in lower case.
    async fn find_many(&self, cx: &Cx, reqs: &[Request<'_>]) -> lookup::Found {
        let name = |req: &Request<'_>| role_name(req).map(|n| n.to_lowercase());
        lookup::by_listed_name(self, cx, reqs, |_| list_names_lowercase(cx), name).await
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = req.properties;
        let name = role_name(req)?;
        let role = cx
            .clients
            .iam()
            .create_role()
            .role_name(&name)
            .assume_role_policy_document(policy_text(props, "AssumeRolePolicyDocument")?)
            .set_path(opt_str(props, "Path")?.map(str::to_owned))
            .set_description(opt_str(props, "Description")?.map(str::to_owned))
            .set_max_session_duration(opt_i32(props, "MaxSessionDuration")?)
            .set_permissions_boundary(opt_str(props, "PermissionsBoundary")?.map(str::to_owned))
            .set_tags(Some(iam_tags(&req.tags.for_properties(props))?))
            .send()
            .await
            .map_err(aws_error("iam:CreateRole"))?
            .role
            .ok_or_else(|| missing("iam:CreateRole", "Role"))?;
        converge_policies(cx, &name, props).await?;
        retry::note_role_changed();
        Ok(role_applied(&role))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let Some(role) = get_role(cx, physical_id).await? else { return Ok(None) };
        let tags = live_tags(cx, physical_id).await?;
        let inline = inline_policies(cx, physical_id).await?;
        let managed = managed_arns(cx, physical_id).await?;
        let mut props = Map::new();
        let trust = role.assume_role_policy_document().unwrap_or("{}");
        props.insert("AssumeRolePolicyDocument".into(), policy_json(trust, "AssumeRolePolicyDocument")?);
        props.insert("RoleName".into(), json!(role.role_name()));
        props.insert("Path".into(), json!(role.path()));
        common::put(&mut props, "Description", role.description().filter(|d| !d.is_empty()).map(|d| json!(d)));
        common::put(&mut props, "MaxSessionDuration", role.max_session_duration().map(|d| json!(d)));
        let boundary = role.permissions_boundary().and_then(|b| b.permissions_boundary_arn());
        common::put(&mut props, "PermissionsBoundary", boundary.map(|b| json!(b)));
        let recorded_managed = str_list(recorded, "ManagedPolicyArns").unwrap_or_default();
        let managed = common::order_like(managed, &recorded_managed, |a| a.as_str());
        common::put(&mut props, "ManagedPolicyArns", (!managed.is_empty()).then(|| json!(managed)));
        let inline: Vec<(String, Value)> =
            common::order_like(inline.into_iter().collect(), &recorded_policy_order(recorded), |(n, _)| n.as_str());
        let policies: Vec<Value> =
            inline.into_iter().map(|(n, d)| json!({ "PolicyName": n, "PolicyDocument": d })).collect();
        common::put(&mut props, "Policies", (!policies.is_empty()).then(|| json!(policies)));
        common::put(&mut props, "Tags", spec_tag_list(&tags, &Value::Null));
        let applied = role_applied(&role);
        Ok(Some(Live { properties: Value::Object(props), attributes: applied.attributes, tags }))
    }

    /// Audited: `read` reports every property AWS holds and echoes the
    /// ones AWS cannot report, so an omitted one was removed.
    fn absent_means_removed(&self) -> bool {
        true
    }

    async fn update(&self, cx: &Cx, id: &str, before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = req.properties;
        let iam = cx.clients.iam();
        let trust_before = before.get("AssumeRolePolicyDocument").map(policy_value);
        let trust_after = props.get("AssumeRolePolicyDocument").map(policy_value);
        if trust_before != trust_after {
            iam.update_assume_role_policy()
                .role_name(id)
                .policy_document(policy_text(props, "AssumeRolePolicyDocument")?)
                .send()
                .await
                .map_err(aws_error("iam:UpdateAssumeRolePolicy"))?;
        }
        if !common::changed_keys(before, props, &["Description", "MaxSessionDuration"]).is_empty() {
            // UpdateRole sets both; a description left out becomes empty.
            iam.update_role()
                .role_name(id)
                .description(opt_str(props, "Description")?.unwrap_or_default())
                .set_max_session_duration(opt_i32(props, "MaxSessionDuration")?.or(Some(DEFAULT_MAX_SESSION)))
                .send()
                .await
                .map_err(aws_error("iam:UpdateRole"))?;
        }
        if !common::changed_keys(before, props, &["PermissionsBoundary"]).is_empty() {
            set_boundary(cx, id, opt_str(props, "PermissionsBoundary")?).await?;
        }
        converge_policies(cx, id, props).await?;
        tagging::converge(&IamTags, cx, id, &live_tags(cx, id).await?, &req.tags.for_properties(props)).await?;
        retry::note_role_changed();
        let role = get_role(cx, id).await?.ok_or_else(|| missing("iam:GetRole", "Role"))?;
        Ok(role_applied(&role))
    }

    /// Inline policies and managed attachments go first: IAM refuses to
    /// delete a role that still has them (DeleteConflict).
    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        let result = async {
            for name in inline_policies(cx, physical_id).await?.into_keys() {
                delete_inline(cx, physical_id, &name).await?;
            }
            for arn in managed_arns(cx, physical_id).await? {
                detach(cx, physical_id, &arn).await?;
            }
            cx.clients.iam().delete_role().role_name(physical_id).send().await.map_err(aws_error("iam:DeleteRole"))?;
            Ok::<(), ProviderError>(())
        }
        .await;
        match result {
            Err(err) if err.is_not_found() => Ok(()),
            other => other,
        }
    }
}

// ---------------------------------------------------------------- identity --

/// True when the role was created less than the propagation window ago.
fn created_lately(role: &aws_sdk_iam::types::Role) -> bool {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let created = u64::try_from(role.create_date().secs()).unwrap_or(0);
    now.saturating_sub(created) <= retry::ROLE_PROPAGATION_WINDOW.as_secs()
}

/// The role's name: the spec's `RoleName`, else the generated one.
fn role_name(req: &Request<'_>) -> Result<String, ProviderError> {
    Ok(match opt_str(req.properties, "RoleName")? {
        Some(name) => name.to_owned(),
        None => common::generated_name(req.tags, |c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)),
    })
}

fn role_applied(role: &aws_sdk_iam::types::Role) -> Applied {
    common::applied(
        role.role_name(),
        &[("RoleName", role.role_name()), ("Arn", role.arn()), ("RoleId", role.role_id())],
    )
}

fn missing(operation: &'static str, field: &str) -> ProviderError {
    ProviderError::Aws { operation, code: "IncompleteResponse".into(), message: format!("no {field} in the answer") }
}

/// The lower-case names of every role in the account.
async fn list_names_lowercase(cx: &Cx) -> Result<BTreeSet<String>, ProviderError> {
    let pages = cx.clients.iam().list_roles().into_paginator().items().send();
    let roles: Vec<aws_sdk_iam::types::Role> = pages.try_collect().await.map_err(aws_error("iam:ListRoles"))?;
    Ok(roles.iter().map(|r| r.role_name().to_lowercase()).collect())
}

/// The role, or None when IAM does not know it.
async fn get_role(cx: &Cx, name: &str) -> Result<Option<aws_sdk_iam::types::Role>, ProviderError> {
    Ok(cx
        .clients
        .iam()
        .get_role()
        .role_name(name)
        .send()
        .await
        .map_err(aws_error("iam:GetRole"))
        .found()?
        .and_then(|out| out.role))
}

async fn live_tags(cx: &Cx, name: &str) -> Result<BTreeMap<String, String>, ProviderError> {
    let tags: Vec<Tag> = cx
        .clients
        .iam()
        .list_role_tags()
        .role_name(name)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(aws_error("iam:ListRoleTags"))?;
    Ok(tags.into_iter().map(|t| (t.key, t.value)).collect())
}

fn iam_tags(tags: &BTreeMap<String, String>) -> Result<Vec<Tag>, ProviderError> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(|e| ProviderError::invalid("Tags", e.to_string())))
        .collect()
}

/// IAM tags a role by its name, with `[{Key, Value}]`.
struct IamTags;

#[async_trait::async_trait]
impl TagApi for IamTags {
    async fn tag(&self, cx: &Cx, role: &str, tags: &Tags) -> Result<(), ProviderError> {
        let call = cx.clients.iam().tag_role().role_name(role).set_tags(Some(iam_tags(tags)?));
        call.send().await.map(drop).map_err(aws_error("iam:TagRole"))
    }

    async fn untag(&self, cx: &Cx, role: &str, keys: &[String]) -> Result<(), ProviderError> {
        let call = cx.clients.iam().untag_role().role_name(role).set_tag_keys(Some(keys.to_vec()));
        call.send().await.map(drop).map_err(aws_error("iam:UntagRole"))
    }
}

// ------------------------------------------------------------------ create --

/// IAM's default session length, what `MaxSessionDuration` left out means.
const DEFAULT_MAX_SESSION: i32 = 3600;

// -------------------------------------------------------------------- read --

/// Inline policies by name, documents as JSON.
async fn inline_policies(cx: &Cx, role: &str) -> Result<BTreeMap<String, Value>, ProviderError> {
    let names: Vec<String> = cx
        .clients
        .iam()
        .list_role_policies()
        .role_name(role)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(aws_error("iam:ListRolePolicies"))?;
    let mut out = BTreeMap::new();
    for name in names {
        let got = cx.clients.iam().get_role_policy().role_name(role).policy_name(&name).send().await;
        match got.map_err(aws_error("iam:GetRolePolicy")) {
            Ok(policy) => {
                let doc = policy_json(&policy.policy_document, &format!("Policies.{name}"))?;
                out.insert(name, doc);
            }
            // Deleted between the list and the get.
            Err(err) if err.is_not_found() => {}
            Err(err) => return Err(err),
        }
    }
    Ok(out)
}

/// ARNs of the attached managed policies.
async fn managed_arns(cx: &Cx, role: &str) -> Result<Vec<String>, ProviderError> {
    let attached = cx
        .clients
        .iam()
        .list_attached_role_policies()
        .role_name(role)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(aws_error("iam:ListAttachedRolePolicies"))?;
    Ok(attached.into_iter().filter_map(|p| p.policy_arn).collect())
}

/// Policy names in the order the recorded properties list them.
fn recorded_policy_order(recorded: &Value) -> Vec<String> {
    recorded
        .get("Policies")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|i| i.get("PolicyName")?.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

// ------------------------------------------------------------------ update --

/// The spec's inline policies by name (documents as JSON).
fn desired_policies(props: &Value) -> Result<BTreeMap<String, Value>, ProviderError> {
    let Some(items) = props.get("Policies").filter(|p| !p.is_null()) else { return Ok(BTreeMap::new()) };
    let items = items.as_array().ok_or_else(|| ProviderError::invalid("Policies", "expected a list"))?;
    let mut out = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let name = item
            .get("PolicyName")
            .and_then(Value::as_str)
            .ok_or_else(|| ProviderError::invalid(format!("Policies[{i}].PolicyName"), "is required"))?;
        let doc = item
            .get("PolicyDocument")
            .ok_or_else(|| ProviderError::invalid(format!("Policies[{i}].PolicyDocument"), "is required"))?;
        if out.insert(name.to_owned(), policy_value(doc)).is_some() {
            return Err(ProviderError::invalid("Policies", format!("policy name `{name}` is used twice")));
        }
    }
    Ok(out)
}

/// Makes AWS's inline policies and managed attachments exactly the spec's:
/// puts new or changed documents, deletes the others, attaches and detaches.
async fn converge_policies(cx: &Cx, role: &str, props: &Value) -> Result<(), ProviderError> {
    let desired = desired_policies(props)?;
    let live = inline_policies(cx, role).await?;
    for (name, doc) in &desired {
        if live.get(name) != Some(doc) {
            cx.clients
                .iam()
                .put_role_policy()
                .role_name(role)
                .policy_name(name)
                .policy_document(doc.to_string())
                .send()
                .await
                .map_err(aws_error("iam:PutRolePolicy"))?;
        }
    }
    for name in live.keys().filter(|n| !desired.contains_key(*n)) {
        delete_inline(cx, role, name).await?;
    }
    let wanted = str_list(props, "ManagedPolicyArns")?;
    let attached = managed_arns(cx, role).await?;
    for arn in wanted.iter().filter(|a| !attached.contains(a)) {
        cx.clients
            .iam()
            .attach_role_policy()
            .role_name(role)
            .policy_arn(arn)
            .send()
            .await
            .map_err(aws_error("iam:AttachRolePolicy"))?;
    }
    for arn in attached.iter().filter(|a| !wanted.contains(a)) {
        detach(cx, role, arn).await?;
    }
    Ok(())
}

async fn delete_inline(cx: &Cx, role: &str, name: &str) -> Result<(), ProviderError> {
    let out = cx.clients.iam().delete_role_policy().role_name(role).policy_name(name).send().await;
    out.map_err(aws_error("iam:DeleteRolePolicy")).gone_ok()
}

async fn detach(cx: &Cx, role: &str, arn: &str) -> Result<(), ProviderError> {
    let out = cx.clients.iam().detach_role_policy().role_name(role).policy_arn(arn).send().await;
    out.map_err(aws_error("iam:DetachRolePolicy")).gone_ok()
}

async fn set_boundary(cx: &Cx, role: &str, boundary: Option<&str>) -> Result<(), ProviderError> {
    let iam = cx.clients.iam();
    match boundary {
        Some(arn) => iam
            .put_role_permissions_boundary()
            .role_name(role)
            .permissions_boundary(arn)
            .send()
            .await
            .map(|_| ())
            .map_err(aws_error("iam:PutRolePermissionsBoundary")),
        None => match iam.delete_role_permissions_boundary().role_name(role).send().await {
            Ok(_) => Ok(()),
            Err(e) => {
                let err = aws_error("iam:DeleteRolePermissionsBoundary")(e);
                if err.is_not_found() {
                    Ok(())
                } else {
                    Err(err)
                }
            }
        },
    }
}
