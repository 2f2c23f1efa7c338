//! `AWS::Cognito::UserPool` (the commonly used subset of its properties).
//!
//! Cognito takes its tags as a string map in `UserPoolTags`, not as the usual
//! `Tags` list; strata's own tags go there.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, AdminCreateUserConfigType, AdvancedSecurityModeType, AliasAttributeType,
    DeletionProtectionType, EmailConfigurationType, EmailSendingAccountType, MessageTemplateType,
    NumberAttributeConstraintsType, PasswordPolicyType, RecoveryOptionNameType, RecoveryOptionType,
    SchemaAttributeType, StringAttributeConstraintsType, UserAttributeUpdateSettingsType, UserPoolAddOnsType,
    UserPoolMfaType, UserPoolPolicyType, UserPoolType, UsernameAttributeType, UsernameConfigurationType,
    VerifiedAttributeType,
};
use serde_json::{json, Map, Value};

use crate::provider::retry::with_retries;
use crate::provider::schema::ResourceSchema;
use crate::provider::types::data_common::{attributes, built, echo_recorded, physical_name, At};
use crate::provider::types::tagging::{self, spec_tag_map, TagApi, Tags};
use crate::provider::{aws_error, Applied, Cx, Live, NotFoundExt, ProviderError, Request};

mod create;
mod read;
use create::*;
use read::*;

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    const USERNAME_ATTRIBUTE: ValueType = Enum(&["email", "phone_number"]);

    const ALIAS_ATTRIBUTE: ValueType = Enum(&["email", "phone_number", "preferred_username"]);

    const PASSWORD_POLICY: ValueType = Object(&[
        optional("MinimumLength", Integer),
        optional("RequireLowercase", Boolean),
        optional("RequireNumbers", Boolean),
        optional("RequireSymbols", Boolean),
        optional("RequireUppercase", Boolean),
        optional("TemporaryPasswordValidityDays", Integer),
        optional("PasswordHistorySize", Integer),
    ]);

    const POLICIES: ValueType = Object(&[optional("PasswordPolicy", PASSWORD_POLICY)]);

    const RECOVERY_OPTION: ValueType = Object(&[
        required("Name", Enum(&["verified_email", "verified_phone_number", "admin_only"])),
        required("Priority", Integer),
    ]);

    const ACCOUNT_RECOVERY_SETTING: ValueType = Object(&[optional("RecoveryMechanisms", List(&RECOVERY_OPTION))]);

    const INVITE_MESSAGE_TEMPLATE: ValueType =
        Object(&[optional("EmailMessage", String), optional("EmailSubject", String), optional("SMSMessage", String)]);

    const ADMIN_CREATE_USER_CONFIG: ValueType = Object(&[
        optional("AllowAdminCreateUserOnly", Boolean),
        optional("InviteMessageTemplate", INVITE_MESSAGE_TEMPLATE),
    ]);

    const EMAIL_CONFIGURATION: ValueType = Object(&[
        optional("EmailSendingAccount", Enum(&["COGNITO_DEFAULT", "DEVELOPER"])),
        optional("SourceArn", String),
        optional("From", String),
        optional("ReplyToEmailAddress", String),
        optional("ConfigurationSet", String),
    ]);

    const USERNAME_CONFIGURATION: ValueType = Object(&[optional("CaseSensitive", Boolean)]);

    /// One item of `Schema` (CloudFormation's `SchemaAttribute`).
    const SCHEMA_ATTRIBUTE: ValueType = Object(&[
        optional("Name", String),
        optional("AttributeDataType", Enum(&["String", "Number", "DateTime", "Boolean"])),
        optional("DeveloperOnlyAttribute", Boolean),
        optional("Mutable", Boolean),
        optional("Required", Boolean),
        optional("NumberAttributeConstraints", Object(&[optional("MinValue", String), optional("MaxValue", String)])),
        optional("StringAttributeConstraints", Object(&[optional("MinLength", String), optional("MaxLength", String)])),
    ]);

    const USER_ATTRIBUTE_UPDATE_SETTINGS: ValueType =
        Object(&[required("AttributesRequireVerificationBeforeUpdate", List(&USERNAME_ATTRIBUTE))]);

    const USER_POOL_ADD_ONS: ValueType =
        Object(&[optional("AdvancedSecurityMode", Enum(&["OFF", "AUDIT", "ENFORCED"]))]);

    ResourceSchema {
        type_name: "AWS::Cognito::UserPool",
        properties: &[
            optional("UserPoolName", String),
            // How users sign in cannot be changed on an existing pool.
            create_only(optional("UsernameAttributes", List(&USERNAME_ATTRIBUTE))),
            create_only(optional("AliasAttributes", List(&ALIAS_ATTRIBUTE))),
            create_only(optional("UsernameConfiguration", USERNAME_CONFIGURATION)),
            optional("AutoVerifiedAttributes", List(&USERNAME_ATTRIBUTE)),
            optional("Policies", POLICIES),
            optional("MfaConfiguration", Enum(&["OFF", "ON", "OPTIONAL"])),
            optional("AccountRecoverySetting", ACCOUNT_RECOVERY_SETTING),
            optional("AdminCreateUserConfig", ADMIN_CREATE_USER_CONFIG),
            optional("EmailConfiguration", EMAIL_CONFIGURATION),
            optional("Schema", List(&SCHEMA_ATTRIBUTE)),
            optional("UserAttributeUpdateSettings", USER_ATTRIBUTE_UPDATE_SETTINGS),
            optional("UserPoolAddOns", USER_POOL_ADD_ONS),
            optional("DeletionProtection", Enum(&["ACTIVE", "INACTIVE"])),
            optional("UserPoolTags", Map(&String)),
        ],
        attributes: &["UserPoolId", "Arn", "ProviderName", "ProviderURL"],
        id_attribute: "UserPoolId",
        taggable: true,
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    /// A pool of the expected name (names are not unique in Cognito)
    /// whose `UserPoolTags` carry this resource's strata tags.
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let name = physical_name(req, "UserPoolName", MAX_POOL_NAME)?;
        let pools = cx
            .clients
            .cognito()
            .list_user_pools()
            .max_results(60)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("cognito-idp:ListUserPools"))?;
        for listed in pools.iter().filter(|p| p.name() == Some(name.as_str())) {
            let Some(id) = listed.id() else { continue };
            if let Some(pool) = describe(cx, id).await? {
                if req.tags.identifies(&pool_tags(&pool)) {
                    return Ok(Some(applied(cx, &pool)));
                }
            }
        }
        Ok(None)
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = At::root(req.properties);
        let name = physical_name(req, "UserPoolName", MAX_POOL_NAME)?;
        let s = settings(&props, &all_tags(req)?)?;
        let usernames = props
            .strings("UsernameAttributes")?
            .map(|v| v.iter().map(|a| UsernameAttributeType::from(a.as_str())).collect::<Vec<_>>());
        let aliases =
            props.strings("AliasAttributes")?.map(|v| v.iter().map(|a| AliasAttributeType::from(a.as_str())).collect());
        let username_config = username_configuration(&props)?;
        let schema = props.list("Schema")?.iter().map(schema_attribute).collect::<Result<Vec<_>, _>>()?;
        let out = with_retries(|| async {
            cx.clients
                .cognito()
                .create_user_pool()
                .pool_name(&name)
                .set_username_attributes(usernames.clone())
                .set_alias_attributes(aliases.clone())
                .set_username_configuration(username_config.clone())
                .set_schema((!schema.is_empty()).then(|| schema.clone()))
                .set_policies(s.policies.clone())
                .set_auto_verified_attributes(s.auto_verified.clone())
                .set_mfa_configuration(s.mfa.clone())
                .set_account_recovery_setting(s.recovery.clone())
                .set_admin_create_user_config(s.admin_create_user.clone())
                .set_email_configuration(s.email.clone())
                .set_user_attribute_update_settings(s.attribute_update.clone())
                .set_user_pool_add_ons(s.add_ons.clone())
                .set_deletion_protection(s.deletion_protection.clone())
                .set_user_pool_tags(Some(s.tags.clone()))
                .send()
                .await
                .map_err(aws_error("cognito-idp:CreateUserPool"))
        })
        .await?;
        let pool = out.user_pool.ok_or_else(|| ProviderError::Aws {
            operation: "cognito-idp:CreateUserPool",
            code: "EmptyResponse".into(),
            message: "no user pool in the answer".into(),
        })?;
        Ok(applied(cx, &pool))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let Some(pool) = describe(cx, physical_id).await? else { return Ok(None) };
        Ok(Some(Live {
            properties: properties(cx, &pool, recorded),
            attributes: applied(cx, &pool).attributes,
            tags: pool_tags(&pool),
        }))
    }

    /// UpdateUserPool with every updatable setting (Cognito resets what
    /// an update omits), new custom attributes, and the tags.
    async fn update(&self, cx: &Cx, id: &str, before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let props = At::root(req.properties);
        if cx.local && At::root(before).str("UserPoolName")? != props.str("UserPoolName")? {
            // moto 5.2.5's UpdateUserPool ignores PoolName.
            return Err(ProviderError::invalid(
                "UserPoolName",
                "the local cloud (moto 5.2.5) cannot rename a user pool (UpdateUserPool ignores PoolName)",
            ));
        }
        let added = added_schema_attributes(&At::root(before), &props)?;
        let tags = all_tags(req)?;
        let s = settings(&props, &tags)?;
        let name = physical_name(req, "UserPoolName", MAX_POOL_NAME)?;
        with_retries(|| async {
            cx.clients
                .cognito()
                .update_user_pool()
                .user_pool_id(id)
                .pool_name(&name)
                .set_policies(s.policies.clone())
                .set_auto_verified_attributes(s.auto_verified.clone())
                .set_mfa_configuration(s.mfa.clone())
                .set_account_recovery_setting(s.recovery.clone())
                .set_admin_create_user_config(s.admin_create_user.clone())
                .set_email_configuration(s.email.clone())
                .set_user_attribute_update_settings(s.attribute_update.clone())
                .set_user_pool_add_ons(s.add_ons.clone())
                .set_deletion_protection(s.deletion_protection.clone())
                .set_user_pool_tags(Some(s.tags.clone()))
                .send()
                .await
                .map_err(aws_error("cognito-idp:UpdateUserPool"))
        })
        .await?;
        if !added.is_empty() {
            with_retries(|| async {
                cx.clients
                    .cognito()
                    .add_custom_attributes()
                    .user_pool_id(id)
                    .set_custom_attributes(Some(added.clone()))
                    .send()
                    .await
                    .map_err(aws_error("cognito-idp:AddCustomAttributes"))
            })
            .await?;
        }
        let pool = describe(cx, id).await?.ok_or_else(|| ProviderError::Aws {
            operation: "cognito-idp:DescribeUserPool",
            code: "ResourceNotFoundException".into(),
            message: format!("user pool {id} disappeared during the update"),
        })?;
        if !cx.local {
            // Whether UpdateUserPool's UserPoolTags replace or merge, the
            // tagging API settles it (moto 5.2.5 has no tagging API; its
            // UpdateUserPool replaces the tags).
            let arn = pool.arn().unwrap_or_default();
            tagging::converge(&CognitoTags, cx, arn, &pool_tags(&pool), &tags).await?;
        }
        Ok(applied(cx, &pool))
    }

    /// Deletion protection is respected: AWS refuses, and says why.
    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        let deleted = with_retries(|| async {
            cx.clients
                .cognito()
                .delete_user_pool()
                .user_pool_id(physical_id)
                .send()
                .await
                .map_err(aws_error("cognito-idp:DeleteUserPool"))
        })
        .await;
        deleted.gone_ok()
    }
}

// ---------------------------------------------------------------- identity --

/// Cognito's limit on a user pool name.
const MAX_POOL_NAME: usize = 128;

fn provider_name(cx: &Cx, pool_id: &str) -> String {
    format!("cognito-idp.{}.amazonaws.com/{pool_id}", cx.region)
}

fn applied(cx: &Cx, pool: &UserPoolType) -> Applied {
    let id = pool.id().unwrap_or_default().to_owned();
    let name = provider_name(cx, &id);
    Applied {
        physical_id: id.clone(),
        attributes: attributes([
            ("UserPoolId", json!(id)),
            ("Arn", json!(pool.arn().unwrap_or_default())),
            ("ProviderName", json!(name)),
            ("ProviderURL", json!(format!("https://{name}"))),
        ]),
    }
}

async fn describe(cx: &Cx, pool_id: &str) -> Result<Option<UserPoolType>, ProviderError> {
    Ok(cx
        .clients
        .cognito()
        .describe_user_pool()
        .user_pool_id(pool_id)
        .send()
        .await
        .map_err(aws_error("cognito-idp:DescribeUserPool"))
        .found()?
        .and_then(|out| out.user_pool))
}

fn pool_tags(pool: &UserPoolType) -> Tags {
    tagging::from_hash_map(pool.user_pool_tags())
}

/// Cognito tags a user pool by its ARN, with a map.
struct CognitoTags;

#[async_trait::async_trait]
impl TagApi for CognitoTags {
    async fn tag(&self, cx: &Cx, arn: &str, tags: &Tags) -> Result<(), ProviderError> {
        let call =
            cx.clients.cognito().tag_resource().resource_arn(arn).set_tags(Some(tags.clone().into_iter().collect()));
        call.send().await.map(drop).map_err(aws_error("cognito-idp:TagResource"))
    }

    async fn untag(&self, cx: &Cx, arn: &str, keys: &[String]) -> Result<(), ProviderError> {
        let call = cx.clients.cognito().untag_resource().resource_arn(arn).set_tag_keys(Some(keys.to_vec()));
        call.send().await.map(drop).map_err(aws_error("cognito-idp:UntagResource"))
    }
}

// --------------------------------- create (in cognito_user_pool/create.rs) --

// ------------------------------------- read (in cognito_user_pool/read.rs) --

// ------------------------------------------------------------------ update --

/// Custom attributes the spec adds to `Schema`. Cognito can add
/// attributes to a pool but never change or remove one. `before` may be
/// the live pool (adoption), where AWS fills in what the spec left out,
/// so an attribute counts as changed only where the spec sets a value
/// that differs.
fn added_schema_attributes(before: &At<'_>, after: &At<'_>) -> Result<Vec<SchemaAttributeType>, ProviderError> {
    let name_of = |item: &At<'_>| item.value().get("Name").and_then(Value::as_str).unwrap_or_default().to_owned();
    let old = before.list("Schema")?;
    let new = after.list("Schema")?;
    for item in &old {
        let name = name_of(item);
        let Some(wanted) = new.iter().find(|n| name_of(n) == name) else {
            return Err(ProviderError::invalid(
                "Schema",
                format!("attribute `{name}` is removed: Cognito cannot remove an attribute of a user pool"),
            ));
        };
        let differs = wanted.value().as_object().into_iter().flatten().any(|(k, v)| item.value().get(k) != Some(v));
        if differs {
            return Err(ProviderError::invalid(
                "Schema",
                format!("attribute `{name}` is changed: Cognito can only add attributes to an existing user pool"),
            ));
        }
    }
    new.iter().filter(|n| !old.iter().any(|o| name_of(o) == name_of(n))).map(schema_attribute).collect()
}
