//! `AWS::Cognito::UserPool` (the commonly used subset of its properties).
//!
//! Cognito takes its tags as a string map in `UserPoolTags`, not as the usual
//! `Tags` list; strata's own tags go there.

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

const USER_POOL_ADD_ONS: ValueType = Object(&[optional("AdvancedSecurityMode", Enum(&["OFF", "AUDIT", "ENFORCED"]))]);

pub const SCHEMA: ResourceSchema = ResourceSchema {
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
};

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    fn schema(&self) -> &'static ResourceSchema {
        &SCHEMA
    }
}
