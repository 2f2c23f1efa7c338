//! `AWS::Cognito::UserPoolClient`: an app client of a user pool.
//!
//! CloudFormation also exposes `ClientSecret`; strata deliberately does not,
//! because state never holds a secret.

use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, OAuthFlowType, PreventUserExistenceErrorTypes, TimeUnitsType, TokenValidityUnitsType,
    UserPoolClientType,
};
use serde_json::{json, Map, Value};

use crate::provider::retry::with_retries;
use crate::provider::schema::ResourceSchema;
use crate::provider::types::data_common::{attributes, physical_name, At};
use crate::provider::{aws_error, Applied, Cx, Live, NotFoundExt, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    const TOKEN_UNIT: ValueType = Enum(&["seconds", "minutes", "hours", "days"]);

    const TOKEN_VALIDITY_UNITS: ValueType = Object(&[
        optional("AccessToken", TOKEN_UNIT),
        optional("IdToken", TOKEN_UNIT),
        optional("RefreshToken", TOKEN_UNIT),
    ]);

    ResourceSchema {
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
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    /// The pool's one app client of that name (several: refuse to guess).
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let pool_id = pool_id_of(req.properties)?;
        let name = physical_name(req, "ClientName", MAX_CLIENT_NAME)?;
        let listed = cx
            .clients
            .cognito()
            .list_user_pool_clients()
            .user_pool_id(&pool_id)
            .max_results(60)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("cognito-idp:ListUserPoolClients"));
        let clients = match listed {
            Ok(c) => c,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut named = clients.iter().filter(|c| c.client_name() == Some(name.as_str()));
        let (Some(first), None) = (named.next(), named.next()) else {
            return match clients.iter().filter(|c| c.client_name() == Some(name.as_str())).count() {
                0 => Ok(None),
                n => Err(ProviderError::invalid(
                    "ClientName",
                    format!("{n} app clients of user pool {pool_id} are named `{name}`; strata cannot tell which is this one"),
                )),
            };
        };
        let id = first.client_id().unwrap_or_default();
        Ok(describe(cx, &pool_id, id).await?.as_ref().map(applied))
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let pool_id = pool_id_of(req.properties)?;
        let s = settings(req, &[])?;
        let generate_secret = At::root(req.properties).bool("GenerateSecret")?;
        let out = with_retries(|| async {
            cx.clients
                .cognito()
                .create_user_pool_client()
                .user_pool_id(&pool_id)
                .client_name(&s.name)
                .set_generate_secret(generate_secret)
                .set_explicit_auth_flows(s.explicit_auth_flows.clone())
                .set_access_token_validity(s.access_token_validity)
                .set_id_token_validity(s.id_token_validity)
                .set_refresh_token_validity(s.refresh_token_validity)
                .set_token_validity_units(s.token_validity_units.clone())
                .set_auth_session_validity(s.auth_session_validity)
                .set_prevent_user_existence_errors(s.prevent_user_existence_errors.clone())
                .set_enable_token_revocation(s.enable_token_revocation)
                .set_allowed_o_auth_flows(s.allowed_oauth_flows.clone())
                .set_allowed_o_auth_flows_user_pool_client(s.allowed_oauth_flows_user_pool_client)
                .set_allowed_o_auth_scopes(s.allowed_oauth_scopes.clone())
                .set_callback_urls(s.callback_urls.clone())
                .set_logout_urls(s.logout_urls.clone())
                .set_default_redirect_uri(s.default_redirect_uri.clone())
                .set_supported_identity_providers(s.supported_identity_providers.clone())
                .set_read_attributes(s.read_attributes.clone())
                .set_write_attributes(s.write_attributes.clone())
                .send()
                .await
                .map_err(aws_error("cognito-idp:CreateUserPoolClient"))
        })
        .await?;
        let client = out.user_pool_client.map(without_secret).ok_or_else(|| ProviderError::Aws {
            operation: "cognito-idp:CreateUserPoolClient",
            code: "EmptyResponse".into(),
            message: "no app client in the answer".into(),
        })?;
        Ok(applied(&client))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let pool_id = pool_id_of(recorded)?;
        let Some(client) = describe(cx, &pool_id, physical_id).await? else { return Ok(None) };
        Ok(Some(Live {
            properties: properties(&client),
            attributes: applied(&client).attributes,
            tags: Default::default(),
        }))
    }

    async fn update(&self, cx: &Cx, id: &str, before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let pool_id = pool_id_of(req.properties)?;
        let cleared: Vec<&str> =
            LISTS.iter().copied().filter(|l| At::root(before).has(l) && !At::root(req.properties).has(l)).collect();
        let s = settings(req, &cleared)?;
        let out = with_retries(|| async {
            cx.clients
                .cognito()
                .update_user_pool_client()
                .user_pool_id(&pool_id)
                .client_id(id)
                .client_name(&s.name)
                .set_explicit_auth_flows(s.explicit_auth_flows.clone())
                .set_access_token_validity(s.access_token_validity)
                .set_id_token_validity(s.id_token_validity)
                .set_refresh_token_validity(s.refresh_token_validity)
                .set_token_validity_units(s.token_validity_units.clone())
                .set_auth_session_validity(s.auth_session_validity)
                .set_prevent_user_existence_errors(s.prevent_user_existence_errors.clone())
                .set_enable_token_revocation(s.enable_token_revocation)
                .set_allowed_o_auth_flows(s.allowed_oauth_flows.clone())
                .set_allowed_o_auth_flows_user_pool_client(s.allowed_oauth_flows_user_pool_client)
                .set_allowed_o_auth_scopes(s.allowed_oauth_scopes.clone())
                .set_callback_urls(s.callback_urls.clone())
                .set_logout_urls(s.logout_urls.clone())
                .set_default_redirect_uri(s.default_redirect_uri.clone())
                .set_supported_identity_providers(s.supported_identity_providers.clone())
                .set_read_attributes(s.read_attributes.clone())
                .set_write_attributes(s.write_attributes.clone())
                .send()
                .await
                .map_err(aws_error("cognito-idp:UpdateUserPoolClient"))
        })
        .await?;
        let client = out.user_pool_client.map(without_secret).ok_or_else(|| ProviderError::Aws {
            operation: "cognito-idp:UpdateUserPoolClient",
            code: "EmptyResponse".into(),
            message: "no app client in the answer".into(),
        })?;
        Ok(applied(&client))
    }

    async fn delete(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<(), ProviderError> {
        let pool_id = pool_id_of(recorded)?;
        let deleted = with_retries(|| async {
            cx.clients
                .cognito()
                .delete_user_pool_client()
                .user_pool_id(&pool_id)
                .client_id(physical_id)
                .send()
                .await
                .map_err(aws_error("cognito-idp:DeleteUserPoolClient"))
        })
        .await;
        deleted.gone_ok()
    }
}

// ---------------------------------------------------------------- identity --

/// Cognito's limit on an app client name.
const MAX_CLIENT_NAME: usize = 128;

fn applied(client: &Client) -> Applied {
    let client = &client.client;
    let id = client.client_id().unwrap_or_default().to_owned();
    Applied {
        physical_id: id.clone(),
        attributes: attributes([("ClientId", json!(id)), ("Name", json!(client.client_name().unwrap_or_default()))]),
    }
}

/// The app client without its secret, or None when it (or its pool) is gone.
async fn describe(cx: &Cx, pool_id: &str, client_id: &str) -> Result<Option<Client>, ProviderError> {
    let out = cx.clients.cognito().describe_user_pool_client().user_pool_id(pool_id).client_id(client_id).send().await;
    match out {
        Ok(out) => Ok(out.user_pool_client.map(without_secret)),
        Err(e) => {
            let err = aws_error("cognito-idp:DescribeUserPoolClient")(e);
            if err.is_not_found() {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

/// An app client as strata keeps it in memory: the secret dropped as
/// soon as AWS returns it, only the fact that there is one kept.
#[derive(Debug)]
struct Client {
    client: UserPoolClientType,
    has_secret: bool,
}

fn without_secret(mut client: UserPoolClientType) -> Client {
    let has_secret = client.client_secret.take().is_some();
    Client { client, has_secret }
}

fn pool_id_of(properties: &Value) -> Result<String, ProviderError> {
    At::root(properties).req_str("UserPoolId")
}

// ------------------------------------------------------------------ create --

/// The list properties; an update sends an empty list for one the spec
/// dropped, so it is cleared (and not left as it was).
const LISTS: &[&str] = &[
    "ExplicitAuthFlows",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "CallbackURLs",
    "LogoutURLs",
    "SupportedIdentityProviders",
    "ReadAttributes",
    "WriteAttributes",
];

/// Everything CreateUserPoolClient and UpdateUserPoolClient share (an
/// update must repeat all of it: Cognito resets what it omits).
#[derive(Debug, Default, Clone)]
struct Settings {
    name: String,
    explicit_auth_flows: Option<Vec<ExplicitAuthFlowsType>>,
    access_token_validity: Option<i32>,
    id_token_validity: Option<i32>,
    refresh_token_validity: Option<i32>,
    token_validity_units: Option<TokenValidityUnitsType>,
    auth_session_validity: Option<i32>,
    prevent_user_existence_errors: Option<PreventUserExistenceErrorTypes>,
    enable_token_revocation: Option<bool>,
    allowed_oauth_flows: Option<Vec<OAuthFlowType>>,
    allowed_oauth_flows_user_pool_client: Option<bool>,
    allowed_oauth_scopes: Option<Vec<String>>,
    callback_urls: Option<Vec<String>>,
    logout_urls: Option<Vec<String>>,
    default_redirect_uri: Option<String>,
    supported_identity_providers: Option<Vec<String>>,
    read_attributes: Option<Vec<String>>,
    write_attributes: Option<Vec<String>>,
}

/// A list property; when `cleared` names it, an empty list instead of none.
fn list(props: &At<'_>, name: &str, cleared: &[&str]) -> Result<Option<Vec<String>>, ProviderError> {
    Ok(props.strings(name)?.or_else(|| cleared.contains(&name).then(Vec::new)))
}

fn settings(req: &Request<'_>, cleared: &[&str]) -> Result<Settings, ProviderError> {
    let props = At::root(req.properties);
    let units = match props.obj("TokenValidityUnits")? {
        None => None,
        Some(u) => {
            let unit = |name: &str| -> Result<Option<TimeUnitsType>, ProviderError> {
                Ok(u.str(name)?.map(|s| TimeUnitsType::from(s.as_str())))
            };
            Some(
                TokenValidityUnitsType::builder()
                    .set_access_token(unit("AccessToken")?)
                    .set_id_token(unit("IdToken")?)
                    .set_refresh_token(unit("RefreshToken")?)
                    .build(),
            )
        }
    };
    Ok(Settings {
        name: physical_name(req, "ClientName", MAX_CLIENT_NAME)?,
        explicit_auth_flows: list(&props, "ExplicitAuthFlows", cleared)?
            .map(|v| v.iter().map(|f| ExplicitAuthFlowsType::from(f.as_str())).collect()),
        access_token_validity: props.i32("AccessTokenValidity")?,
        id_token_validity: props.i32("IdTokenValidity")?,
        refresh_token_validity: props.i32("RefreshTokenValidity")?,
        token_validity_units: units,
        auth_session_validity: props.i32("AuthSessionValidity")?,
        prevent_user_existence_errors: props
            .str("PreventUserExistenceErrors")?
            .map(|s| PreventUserExistenceErrorTypes::from(s.as_str())),
        enable_token_revocation: props.bool("EnableTokenRevocation")?,
        allowed_oauth_flows: list(&props, "AllowedOAuthFlows", cleared)?
            .map(|v| v.iter().map(|f| OAuthFlowType::from(f.as_str())).collect()),
        allowed_oauth_flows_user_pool_client: props.bool("AllowedOAuthFlowsUserPoolClient")?,
        allowed_oauth_scopes: list(&props, "AllowedOAuthScopes", cleared)?,
        callback_urls: list(&props, "CallbackURLs", cleared)?,
        logout_urls: list(&props, "LogoutURLs", cleared)?,
        default_redirect_uri: props.str("DefaultRedirectURI")?,
        supported_identity_providers: list(&props, "SupportedIdentityProviders", cleared)?,
        read_attributes: list(&props, "ReadAttributes", cleared)?,
        write_attributes: list(&props, "WriteAttributes", cleared)?,
    })
}

// -------------------------------------------------------------------- read --

fn strings(items: &[String]) -> Option<Value> {
    (!items.is_empty()).then(|| json!(items))
}

fn properties(described: &Client) -> Value {
    let client = &described.client;
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(k.to_owned(), v);
        }
    };
    put("UserPoolId", client.user_pool_id().map(Value::from));
    put("ClientName", client.client_name().map(Value::from));
    put("GenerateSecret", Some(json!(described.has_secret)));
    let flows: Vec<&str> = client.explicit_auth_flows().iter().map(|f| f.as_str()).collect();
    put("ExplicitAuthFlows", (!flows.is_empty()).then(|| json!(flows)));
    put("AccessTokenValidity", client.access_token_validity().map(Value::from));
    put("IdTokenValidity", client.id_token_validity().map(Value::from));
    put("RefreshTokenValidity", Some(json!(client.refresh_token_validity())));
    put(
        "TokenValidityUnits",
        client.token_validity_units().map(|u| {
            let mut units = Map::new();
            for (k, v) in
                [("AccessToken", u.access_token()), ("IdToken", u.id_token()), ("RefreshToken", u.refresh_token())]
            {
                if let Some(v) = v {
                    units.insert(k.to_owned(), json!(v.as_str()));
                }
            }
            Value::Object(units)
        }),
    );
    put("AuthSessionValidity", client.auth_session_validity().map(Value::from));
    put("PreventUserExistenceErrors", client.prevent_user_existence_errors().map(|p| json!(p.as_str())));
    put("EnableTokenRevocation", client.enable_token_revocation().map(Value::from));
    let oauth: Vec<&str> = client.allowed_o_auth_flows().iter().map(|f| f.as_str()).collect();
    put("AllowedOAuthFlows", (!oauth.is_empty()).then(|| json!(oauth)));
    put("AllowedOAuthFlowsUserPoolClient", client.allowed_o_auth_flows_user_pool_client().map(Value::from));
    put("AllowedOAuthScopes", strings(client.allowed_o_auth_scopes()));
    put("CallbackURLs", strings(client.callback_urls()));
    put("LogoutURLs", strings(client.logout_urls()));
    put("DefaultRedirectURI", client.default_redirect_uri().map(Value::from));
    put("SupportedIdentityProviders", strings(client.supported_identity_providers()));
    put("ReadAttributes", strings(client.read_attributes()));
    put("WriteAttributes", strings(client.write_attributes()));
    Value::Object(m)
}
