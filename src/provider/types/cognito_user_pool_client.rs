//! `AWS::Cognito::UserPoolClient`: an app client of a user pool.
//!
//! CloudFormation also exposes `ClientSecret`; strata deliberately does not,
//! because state never holds a secret.

use crate::provider::schema::{ValueType::*, *};

const TOKEN_UNIT: ValueType = Enum(&["seconds", "minutes", "hours", "days"]);

const TOKEN_VALIDITY_UNITS: ValueType = Object(&[
    optional("AccessToken", TOKEN_UNIT),
    optional("IdToken", TOKEN_UNIT),
    optional("RefreshToken", TOKEN_UNIT),
]);

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::Cognito::UserPoolClient",
    properties: &[
        create_only(required("UserPoolId", String)),
        optional("ClientName", String),
        create_only(optional("GenerateSecret", Boolean)),
        // ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ...: AWS keeps
        // adding flows, so plain strings.
        optional("ExplicitAuthFlows", List(&String)),
        optional("AccessTokenValidity", Integer),
        optional("IdTokenValidity", Integer),
        optional("RefreshTokenValidity", Integer),
        optional("TokenValidityUnits", TOKEN_VALIDITY_UNITS),
        optional("AuthSessionValidity", Integer),
        optional("PreventUserExistenceErrors", Enum(&["ENABLED", "LEGACY"])),
        optional("EnableTokenRevocation", Boolean),
        optional("AllowedOAuthFlows", List(&Enum(&["code", "implicit", "client_credentials"]))),
        optional("AllowedOAuthFlowsUserPoolClient", Boolean),
        optional("AllowedOAuthScopes", List(&String)),
        optional("CallbackURLs", List(&String)),
        optional("LogoutURLs", List(&String)),
        optional("DefaultRedirectURI", String),
        optional("SupportedIdentityProviders", List(&String)),
        optional("ReadAttributes", List(&String)),
        optional("WriteAttributes", List(&String)),
    ],
    attributes: &["ClientId", "Name"],
    id_attribute: "ClientId",
    taggable: false,
};

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    fn schema(&self) -> &'static ResourceSchema {
        &SCHEMA
    }
}
