//! `cognito_user_pool`, create section: the spec's properties as the create request. Split off by job;
//! the layout is `provider::types`'s.

use super::*;

// ------------------------------------------------------------------ create --

/// The properties Cognito takes at creation and again, all of them, at
/// every UpdateUserPool (what an update leaves out goes back to AWS's default).
#[derive(Debug, Default, Clone)]
pub(super) struct Settings {
    pub(super) policies: Option<UserPoolPolicyType>,
    pub(super) auto_verified: Option<Vec<VerifiedAttributeType>>,
    pub(super) mfa: Option<UserPoolMfaType>,
    pub(super) recovery: Option<AccountRecoverySettingType>,
    pub(super) admin_create_user: Option<AdminCreateUserConfigType>,
    pub(super) email: Option<EmailConfigurationType>,
    pub(super) attribute_update: Option<UserAttributeUpdateSettingsType>,
    pub(super) add_ons: Option<UserPoolAddOnsType>,
    pub(super) deletion_protection: Option<DeletionProtectionType>,
    pub(super) tags: HashMap<String, String>,
}

pub(super) fn settings(props: &At<'_>, tags: &BTreeMap<String, String>) -> Result<Settings, ProviderError> {
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

pub(super) fn policies(p: &At<'_>) -> Result<UserPoolPolicyType, ProviderError> {
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

pub(super) fn recovery(r: &At<'_>) -> Result<AccountRecoverySettingType, ProviderError> {
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

pub(super) fn admin_create_user(a: &At<'_>) -> Result<AdminCreateUserConfigType, ProviderError> {
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

pub(super) fn email(e: &At<'_>) -> Result<EmailConfigurationType, ProviderError> {
    Ok(EmailConfigurationType::builder()
        .set_email_sending_account(e.str("EmailSendingAccount")?.map(|s| EmailSendingAccountType::from(s.as_str())))
        .set_source_arn(e.str("SourceArn")?)
        .set_from(e.str("From")?)
        .set_reply_to_email_address(e.str("ReplyToEmailAddress")?)
        .set_configuration_set(e.str("ConfigurationSet")?)
        .build())
}

pub(super) fn attribute_update(u: &At<'_>) -> Result<UserAttributeUpdateSettingsType, ProviderError> {
    let attrs = u.strings("AttributesRequireVerificationBeforeUpdate")?.unwrap_or_default();
    Ok(UserAttributeUpdateSettingsType::builder()
        .set_attributes_require_verification_before_update(Some(
            attrs.iter().map(|s| VerifiedAttributeType::from(s.as_str())).collect(),
        ))
        .build())
}

pub(super) fn add_ons(a: &At<'_>) -> Result<UserPoolAddOnsType, ProviderError> {
    UserPoolAddOnsType::builder()
        .set_advanced_security_mode(a.str("AdvancedSecurityMode")?.map(|s| AdvancedSecurityModeType::from(s.as_str())))
        .build()
        .map_err(built("UserPoolAddOns"))
}

/// One custom or standard attribute of `Schema`.
pub(super) fn schema_attribute(s: &At<'_>) -> Result<SchemaAttributeType, ProviderError> {
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

pub(super) fn username_configuration(props: &At<'_>) -> Result<Option<UsernameConfigurationType>, ProviderError> {
    let Some(u) = props.obj("UsernameConfiguration")? else { return Ok(None) };
    UsernameConfigurationType::builder()
        .set_case_sensitive(u.bool("CaseSensitive")?)
        .build()
        .map(Some)
        .map_err(built("UsernameConfiguration"))
}

/// All tags: the stack's, `UserPoolTags`, then strata's identity tags.
pub(super) fn all_tags(req: &Request<'_>) -> Result<BTreeMap<String, String>, ProviderError> {
    let own: Vec<(String, String)> = At::root(req.properties).string_map("UserPoolTags")?.into_iter().collect();
    Ok(req.tags.merged(&own))
}
