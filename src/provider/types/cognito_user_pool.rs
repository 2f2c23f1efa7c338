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
    fn schema(&self) -> &'static ResourceSchema {
        &SCHEMA
    }

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
    async fn update(
        &self,
        cx: &Cx,
        physical_id: &str,
        before: &Value,
        req: &Request<'_>,
    ) -> Result<Applied, ProviderError> {
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
                .user_pool_id(physical_id)
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
                    .user_pool_id(physical_id)
                    .set_custom_attributes(Some(added.clone()))
                    .send()
                    .await
                    .map_err(aws_error("cognito-idp:AddCustomAttributes"))
            })
            .await?;
        }
        let pool = describe(cx, physical_id).await?.ok_or_else(|| ProviderError::Aws {
            operation: "cognito-idp:DescribeUserPool",
            code: "ResourceNotFoundException".into(),
            message: format!("user pool {physical_id} disappeared during the update"),
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

// ------------------------------------------------------------------ create --

/// The properties Cognito takes at creation and again, all of them, at
/// every UpdateUserPool (what an update leaves out goes back to AWS's default).
#[derive(Debug, Default, Clone)]
struct Settings {
    policies: Option<UserPoolPolicyType>,
    auto_verified: Option<Vec<VerifiedAttributeType>>,
    mfa: Option<UserPoolMfaType>,
    recovery: Option<AccountRecoverySettingType>,
    admin_create_user: Option<AdminCreateUserConfigType>,
    email: Option<EmailConfigurationType>,
    attribute_update: Option<UserAttributeUpdateSettingsType>,
    add_ons: Option<UserPoolAddOnsType>,
    deletion_protection: Option<DeletionProtectionType>,
    tags: HashMap<String, String>,
}

fn settings(props: &At<'_>, tags: &BTreeMap<String, String>) -> Result<Settings, ProviderError> {
    Ok(Settings {
        policies: props.obj("Policies")?.map(|p| policies(&p)).transpose()?,
        auto_verified: props
            .strings("AutoVerifiedAttributes")?
            .map(|v| v.iter().map(|s| VerifiedAttributeType::from(s.as_str())).collect()),
        mfa: props.str("MfaConfiguration")?.map(|s| UserPoolMfaType::from(s.as_str())),
        recovery: props.obj("AccountRecoverySetting")?.map(|r| recovery(&r)).transpose()?,
        admin_create_user: props.obj("AdminCreateUserConfig")?.map(|a| admin_create_user(&a)).transpose()?,
        email: props.obj("EmailConfiguration")?.map(|e| email(&e)).transpose()?,
        attribute_update: props.obj("UserAttributeUpdateSettings")?.map(|u| attribute_update(&u)).transpose()?,
        add_ons: props.obj("UserPoolAddOns")?.map(|a| add_ons(&a)).transpose()?,
        deletion_protection: props.str("DeletionProtection")?.map(|s| DeletionProtectionType::from(s.as_str())),
        tags: tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
    })
}

fn policies(p: &At<'_>) -> Result<UserPoolPolicyType, ProviderError> {
    let password = match p.obj("PasswordPolicy")? {
        None => None,
        Some(pp) => Some(
            PasswordPolicyType::builder()
                .set_minimum_length(pp.i32("MinimumLength")?)
                .set_require_lowercase(pp.bool("RequireLowercase")?)
                .set_require_numbers(pp.bool("RequireNumbers")?)
                .set_require_symbols(pp.bool("RequireSymbols")?)
                .set_require_uppercase(pp.bool("RequireUppercase")?)
                .set_temporary_password_validity_days(pp.i32("TemporaryPasswordValidityDays")?)
                .set_password_history_size(pp.i32("PasswordHistorySize")?)
                .build(),
        ),
    };
    Ok(UserPoolPolicyType::builder().set_password_policy(password).build())
}

fn recovery(r: &At<'_>) -> Result<AccountRecoverySettingType, ProviderError> {
    let mechanisms = r
        .list("RecoveryMechanisms")?
        .iter()
        .map(|m| {
            RecoveryOptionType::builder()
                .name(RecoveryOptionNameType::from(m.req_str("Name")?.as_str()))
                .set_priority(m.i32("Priority")?)
                .build()
                .map_err(built("AccountRecoverySetting.RecoveryMechanisms"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(AccountRecoverySettingType::builder().set_recovery_mechanisms(Some(mechanisms)).build())
}

fn admin_create_user(a: &At<'_>) -> Result<AdminCreateUserConfigType, ProviderError> {
    let template = match a.obj("InviteMessageTemplate")? {
        None => None,
        Some(t) => Some(
            MessageTemplateType::builder()
                .set_email_message(t.str("EmailMessage")?)
                .set_email_subject(t.str("EmailSubject")?)
                .set_sms_message(t.str("SMSMessage")?)
                .build(),
        ),
    };
    Ok(AdminCreateUserConfigType::builder()
        .set_allow_admin_create_user_only(a.bool("AllowAdminCreateUserOnly")?)
        .set_invite_message_template(template)
        .build())
}

fn email(e: &At<'_>) -> Result<EmailConfigurationType, ProviderError> {
    Ok(EmailConfigurationType::builder()
        .set_email_sending_account(e.str("EmailSendingAccount")?.map(|s| EmailSendingAccountType::from(s.as_str())))
        .set_source_arn(e.str("SourceArn")?)
        .set_from(e.str("From")?)
        .set_reply_to_email_address(e.str("ReplyToEmailAddress")?)
        .set_configuration_set(e.str("ConfigurationSet")?)
        .build())
}

fn attribute_update(u: &At<'_>) -> Result<UserAttributeUpdateSettingsType, ProviderError> {
    let attrs = u.strings("AttributesRequireVerificationBeforeUpdate")?.unwrap_or_default();
    Ok(UserAttributeUpdateSettingsType::builder()
        .set_attributes_require_verification_before_update(Some(
            attrs.iter().map(|s| VerifiedAttributeType::from(s.as_str())).collect(),
        ))
        .build())
}

fn add_ons(a: &At<'_>) -> Result<UserPoolAddOnsType, ProviderError> {
    UserPoolAddOnsType::builder()
        .set_advanced_security_mode(a.str("AdvancedSecurityMode")?.map(|s| AdvancedSecurityModeType::from(s.as_str())))
        .build()
        .map_err(built("UserPoolAddOns"))
}

/// One custom or standard attribute of `Schema`.
fn schema_attribute(s: &At<'_>) -> Result<SchemaAttributeType, ProviderError> {
    let numbers = match s.obj("NumberAttributeConstraints")? {
        None => None,
        Some(n) => Some(
            NumberAttributeConstraintsType::builder()
                .set_min_value(n.str("MinValue")?)
                .set_max_value(n.str("MaxValue")?)
                .build(),
        ),
    };
    let strings = match s.obj("StringAttributeConstraints")? {
        None => None,
        Some(c) => Some(
            StringAttributeConstraintsType::builder()
                .set_min_length(c.str("MinLength")?)
                .set_max_length(c.str("MaxLength")?)
                .build(),
        ),
    };
    Ok(SchemaAttributeType::builder()
        .set_name(s.str("Name")?)
        .set_attribute_data_type(s.str("AttributeDataType")?.map(|t| t.as_str().into()))
        .set_developer_only_attribute(s.bool("DeveloperOnlyAttribute")?)
        .set_mutable(s.bool("Mutable")?)
        .set_required(s.bool("Required")?)
        .set_number_attribute_constraints(numbers)
        .set_string_attribute_constraints(strings)
        .build())
}

fn username_configuration(props: &At<'_>) -> Result<Option<UsernameConfigurationType>, ProviderError> {
    let Some(u) = props.obj("UsernameConfiguration")? else { return Ok(None) };
    UsernameConfigurationType::builder()
        .set_case_sensitive(u.bool("CaseSensitive")?)
        .build()
        .map(Some)
        .map_err(built("UsernameConfiguration"))
}

/// All tags: the stack's, `UserPoolTags`, then strata's identity tags.
fn all_tags(req: &Request<'_>) -> Result<BTreeMap<String, String>, ProviderError> {
    let own: Vec<(String, String)> = At::root(req.properties).string_map("UserPoolTags")?.into_iter().collect();
    Ok(req.tags.merged(&own))
}

// -------------------------------------------------------------------- read --

fn policies_json(p: &UserPoolPolicyType) -> Value {
    let mut out = Map::new();
    if let Some(pp) = p.password_policy() {
        let mut m = Map::new();
        put(&mut m, "MinimumLength", pp.minimum_length().map(Value::from));
        m.insert("RequireLowercase".into(), json!(pp.require_lowercase()));
        m.insert("RequireNumbers".into(), json!(pp.require_numbers()));
        m.insert("RequireSymbols".into(), json!(pp.require_symbols()));
        m.insert("RequireUppercase".into(), json!(pp.require_uppercase()));
        put(&mut m, "TemporaryPasswordValidityDays", Some(json!(pp.temporary_password_validity_days())));
        put(&mut m, "PasswordHistorySize", pp.password_history_size().map(Value::from));
        out.insert("PasswordPolicy".into(), Value::Object(m));
    }
    Value::Object(out)
}

fn put(m: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        m.insert(key.to_owned(), v);
    }
}

fn recovery_json(r: &AccountRecoverySettingType) -> Value {
    let items: Vec<Value> = r
        .recovery_mechanisms()
        .iter()
        .map(|m| json!({ "Name": m.name().as_str(), "Priority": m.priority() }))
        .collect();
    json!({ "RecoveryMechanisms": items })
}

fn admin_create_user_json(a: &AdminCreateUserConfigType) -> Value {
    let mut m = Map::new();
    m.insert("AllowAdminCreateUserOnly".into(), json!(a.allow_admin_create_user_only()));
    if let Some(t) = a.invite_message_template() {
        let mut tm = Map::new();
        put(&mut tm, "EmailMessage", t.email_message().map(Value::from));
        put(&mut tm, "EmailSubject", t.email_subject().map(Value::from));
        put(&mut tm, "SMSMessage", t.sms_message().map(Value::from));
        m.insert("InviteMessageTemplate".into(), Value::Object(tm));
    }
    Value::Object(m)
}

fn email_json(e: &EmailConfigurationType) -> Value {
    let mut m = Map::new();
    put(&mut m, "EmailSendingAccount", e.email_sending_account().map(|a| json!(a.as_str())));
    put(&mut m, "SourceArn", e.source_arn().map(Value::from));
    put(&mut m, "From", e.from().map(Value::from));
    put(&mut m, "ReplyToEmailAddress", e.reply_to_email_address().map(Value::from));
    put(&mut m, "ConfigurationSet", e.configuration_set().map(Value::from));
    Value::Object(m)
}

fn schema_attribute_json(a: &SchemaAttributeType, name: &str) -> Value {
    let mut m = Map::new();
    m.insert("Name".into(), json!(name));
    put(&mut m, "AttributeDataType", a.attribute_data_type().map(|t| json!(t.as_str())));
    put(&mut m, "DeveloperOnlyAttribute", a.developer_only_attribute().map(Value::from));
    put(&mut m, "Mutable", a.mutable().map(Value::from));
    put(&mut m, "Required", a.required().map(Value::from));
    if let Some(n) = a.number_attribute_constraints() {
        let mut c = Map::new();
        put(&mut c, "MinValue", n.min_value().map(Value::from));
        put(&mut c, "MaxValue", n.max_value().map(Value::from));
        m.insert("NumberAttributeConstraints".into(), Value::Object(c));
    }
    if let Some(s) = a.string_attribute_constraints() {
        let mut c = Map::new();
        put(&mut c, "MinLength", s.min_length().map(Value::from));
        put(&mut c, "MaxLength", s.max_length().map(Value::from));
        m.insert("StringAttributeConstraints".into(), Value::Object(c));
    }
    Value::Object(m)
}

/// `Schema` in the spec's terms: AWS lists every standard attribute of
/// the pool, the spec only those it customises. Reported: the recorded
/// ones (custom ones are named `custom:x` by AWS, `x` by the spec), then
/// any other custom attribute (added outside strata: drift).
fn schema_json(pool: &UserPoolType, recorded: &Value) -> Option<Value> {
    let live = pool.schema_attributes();
    let mut out = Vec::new();
    let mut reported: Vec<&str> = Vec::new();
    for item in recorded.get("Schema").and_then(Value::as_array).into_iter().flatten() {
        let Some(name) = item.get("Name").and_then(Value::as_str) else { continue };
        let found = live.iter().find(|a| {
            let n = a.name().unwrap_or_default();
            n == name || n == format!("custom:{name}") || n == format!("dev:custom:{name}")
        });
        if let Some(a) = found {
            reported.push(a.name().unwrap_or_default());
            out.push(schema_attribute_json(a, name));
        }
    }
    for a in live {
        let n = a.name().unwrap_or_default();
        if n.starts_with("custom:") && !reported.contains(&n) {
            out.push(schema_attribute_json(a, n.trim_start_matches("custom:")));
        }
    }
    (!out.is_empty()).then_some(Value::Array(out))
}

fn properties(cx: &Cx, pool: &UserPoolType, recorded: &Value) -> Value {
    let mut m = Map::new();
    put(&mut m, "UserPoolName", pool.name().map(Value::from));
    let usernames: Vec<&str> = pool.username_attributes().iter().map(|a| a.as_str()).collect();
    if !usernames.is_empty() {
        m.insert("UsernameAttributes".into(), json!(usernames));
    }
    let aliases: Vec<&str> = pool.alias_attributes().iter().map(|a| a.as_str()).collect();
    if !aliases.is_empty() {
        m.insert("AliasAttributes".into(), json!(aliases));
    }
    put(
        &mut m,
        "UsernameConfiguration",
        pool.username_configuration().map(|u| json!({ "CaseSensitive": u.case_sensitive() })),
    );
    let verified: Vec<&str> = pool.auto_verified_attributes().iter().map(|a| a.as_str()).collect();
    if !verified.is_empty() {
        m.insert("AutoVerifiedAttributes".into(), json!(verified));
    }
    put(&mut m, "Policies", pool.policies().map(policies_json));
    put(&mut m, "MfaConfiguration", pool.mfa_configuration().map(|c| json!(c.as_str())));
    put(&mut m, "AccountRecoverySetting", pool.account_recovery_setting().map(recovery_json));
    put(&mut m, "AdminCreateUserConfig", pool.admin_create_user_config().map(admin_create_user_json));
    put(&mut m, "EmailConfiguration", pool.email_configuration().map(email_json));
    put(&mut m, "Schema", schema_json(pool, recorded));
    put(
        &mut m,
        "UserAttributeUpdateSettings",
        pool.user_attribute_update_settings().map(|u| {
            let attrs: Vec<&str> =
                u.attributes_require_verification_before_update().iter().map(|a| a.as_str()).collect();
            json!({ "AttributesRequireVerificationBeforeUpdate": attrs })
        }),
    );
    put(
        &mut m,
        "UserPoolAddOns",
        pool.user_pool_add_ons().map(|a| json!({ "AdvancedSecurityMode": a.advanced_security_mode().as_str() })),
    );
    put(&mut m, "DeletionProtection", pool.deletion_protection().map(|d| json!(d.as_str())));
    put(&mut m, "UserPoolTags", spec_tag_map(&pool_tags(pool)));
    if cx.local {
        // moto 5.2.5's UpdateUserPool replaces the whole stored
        // configuration, dropping what only CreateUserPool takes.
        echo_recorded(&mut m, recorded, &["UsernameAttributes", "AliasAttributes", "UsernameConfiguration"]);
    }
    Value::Object(m)
}

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
