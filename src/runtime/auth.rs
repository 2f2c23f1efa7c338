//! API Gateway's Cognito user pool authorizer: the `Authorization` header
//! must hold an ID token signed by one of the authorizer's user pools (RS256,
//! key from the pool's JWKS), issued by that pool, for one of its app
//! clients (`aud`), with `token_use` = `id`, and not expired. Anything else
//! is a 401 before the function runs. The claims reach the function as a
//! REST (v1) proxy event's `requestContext.authorizer.claims`.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::RuntimeError;

/// One user pool an authorizer trusts.
#[derive(Debug, Clone)]
pub struct TrustedPool {
    pub issuer: String,
    pub client_ids: Vec<String>,
    pub keys: JwkSet,
}

#[derive(Debug, Clone, Default)]
pub struct CognitoAuthorizer {
    pub pools: Vec<TrustedPool>,
}

/// Why a token was refused (said in the log, never to the caller: API
/// Gateway answers a bare 401 `Unauthorized`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no Authorization header")]
    Missing,
    #[error("not a JWT: {0}")]
    Malformed(String),
    #[error("signed with a key no trusted pool has")]
    UnknownKey,
    #[error("rejected: {0}")]
    Invalid(String),
    #[error("token_use is `{0}`, not `id`")]
    NotAnIdToken(String),
}

impl TrustedPool {
    /// Reads the pool's JWKS from the local cloud (`/<pool id>/.well-known/jwks.json`).
    pub async fn fetch(
        endpoint: &str,
        region: &str,
        pool_id: &str,
        client_ids: Vec<String>,
    ) -> Result<Self, RuntimeError> {
        let url = format!("{endpoint}/{pool_id}/.well-known/jwks.json");
        let keys = tokio::task::spawn_blocking(move || -> Result<JwkSet, String> {
            let mut answer = ureq::get(&url).call().map_err(|e| format!("{url}: {e}"))?;
            answer.body_mut().read_json::<JwkSet>().map_err(|e| format!("{url}: {e}"))
        })
        .await
        .map_err(|e| RuntimeError::Jwks { pool: pool_id.to_owned(), message: e.to_string() })?
        .map_err(|message| RuntimeError::Jwks { pool: pool_id.to_owned(), message })?;
        Ok(Self { issuer: format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}"), client_ids, keys })
    }
}

impl CognitoAuthorizer {
    /// The token's claims when it is valid for one of the pools.
    pub fn verify(&self, authorization: Option<&str>) -> Result<Map<String, Value>, AuthError> {
        let raw = authorization.map(str::trim).filter(|v| !v.is_empty()).ok_or(AuthError::Missing)?;
        let token = raw.strip_prefix("Bearer ").unwrap_or(raw).trim();
        let header = decode_header(token).map_err(|e| AuthError::Malformed(e.to_string()))?;
        let kid = header.kid.ok_or_else(|| AuthError::Malformed(String::from("no `kid` in the header")))?;
        let mut last = AuthError::UnknownKey;
        for pool in &self.pools {
            let Some(jwk) = pool.keys.find(&kid) else { continue };
            let key = DecodingKey::from_jwk(jwk).map_err(|e| AuthError::Malformed(e.to_string()))?;
            let mut validation = Validation::new(Algorithm::RS256);
            validation.set_issuer(&[&pool.issuer]);
            validation.set_audience(&pool.client_ids);
            validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
            validation.leeway = 5;
            match decode::<Map<String, Value>>(token, &key, &validation) {
                Ok(data) => {
                    let token_use = data.claims.get("token_use").and_then(Value::as_str).unwrap_or_default();
                    if token_use != "id" {
                        return Err(AuthError::NotAnIdToken(token_use.to_owned()));
                    }
                    return Ok(data.claims);
                }
                Err(e) => last = AuthError::Invalid(e.to_string()),
            }
        }
        Err(last)
    }
}

/// Claims as API Gateway passes them: every value a string.
pub fn claims_for_event(claims: &Map<String, Value>) -> Value {
    Value::Object(
        claims
            .iter()
            .map(|(k, v)| {
                let s = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), Value::String(s))
            })
            .collect(),
    )
}
