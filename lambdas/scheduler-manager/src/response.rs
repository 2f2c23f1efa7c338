//! JSON responses.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response<Body> {
    match serde_json::to_string(body) {
        Ok(text) => Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Body::Text(text))
            .unwrap_or_else(|_| fallback()),
        Err(err) => {
            tracing::error!(error = %err, "response serialisation failed");
            fallback()
        }
    }
}

/// A fixed 500 for the (unreachable in practice) failure to build a response.
fn fallback() -> Response<Body> {
    let mut response = Response::new(Body::Text(
        r#"{"error":"INTERNAL_ERROR","message":"internal error; it has been logged","details":null}"#.into(),
    ));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}
