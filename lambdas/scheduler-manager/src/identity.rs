//! Who is calling: the Cognito user's `sub`, which API Gateway's Cognito
//! authorizer has already verified and put into the request context.

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub sub: String,
}

/// `requestContext.authorizer.claims.sub` of a REST (v1) proxy event. `None`
/// when the function is reached without the authorizer — a deployment error,
/// never served.
pub fn caller(request: &Request) -> Option<Caller> {
    let Some(RequestContext::ApiGatewayV1(context)) = request.request_context_ref() else {
        return None;
    };
    let sub = context.authorizer.fields.get("claims")?.get("sub")?.as_str()?;
    let sub = sub.trim();
    (!sub.is_empty()).then(|| Caller { sub: sub.to_owned() })
}
