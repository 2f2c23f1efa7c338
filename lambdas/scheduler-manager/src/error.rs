//! The API's error responses: `{"error": code, "message": ..., "details": ...}`.
//!
//! Every failure becomes one of these in one place ([`ApiError::from`] on the
//! service error), so status codes and codes are consistent across routes.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;
use serde_json::{json, Value};

use crate::service::ServiceError;

/// The one answer when EventBridge Scheduler refuses a schedule that passed
/// our validation.
pub const SCHEDULER_REJECTED: &str =
    "EventBridge Scheduler rejected the schedule; check frequency, timezone, startDate and endDate";

/// One rejected input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The request field (`quantity`) or query parameter (`limit`).
    pub field: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError { field: field.to_owned(), message: message.into(), hint: None }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
    /// Extra headers (`Allow` on a 405).
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), details: Value::Null, headers: Vec::new() }
    }

    /// 400 naming every offending field; `details.field` is the first.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let first = errors.first().map(|e| e.field.clone()).unwrap_or_default();
        let message = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        let mut error = Self::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message);
        error.details = json!({ "field": first, "errors": errors });
        error
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    pub fn conflict(message: impl Into<String>, details: Value) -> Self {
        let mut error = Self::new(StatusCode::CONFLICT, "CONFLICT", message);
        error.details = details;
        error
    }

    /// A 409 with its own code (not a name conflict).
    pub fn conflict_code(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "the request carries no authenticated user")
    }

    pub fn method_not_allowed(allowed: &[&str]) -> Self {
        let mut error =
            Self::new(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "method not allowed on this path");
        error.headers.push(("allow", allowed.join(", ")));
        error
    }

    /// 500: the cause is logged by the caller, never sent.
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "internal error; it has been logged")
    }

    pub fn into_response(self) -> Response<Body> {
        let body = json!({ "error": self.code, "message": self.message, "details": self.details });
        let mut response = crate::response::json(self.status, &body);
        for (name, value) in self.headers {
            if let Ok(value) = value.parse() {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Invalid(errors) => ApiError::validation(errors),
            ServiceError::NotFound { schedule_id } => {
                ApiError::not_found(format!("schedule {schedule_id} does not exist"))
            }
            ServiceError::DuplicateName { schedule_name, existing_id } => ApiError::conflict(
                format!("you already have an active schedule named {schedule_name:?}"),
                json!({ "field": "scheduleName", "scheduleId": existing_id }),
            ),
            ServiceError::IdempotencyMismatch => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "IDEMPOTENCY_KEY_REUSED",
                "this Idempotency-Key was already used with a different request body; use a new key for a new request",
            ),
            ServiceError::InProgress => ApiError::conflict_code(
                "IN_PROGRESS",
                "a request with this Idempotency-Key is still being processed; retry it shortly",
            ),
            // Scheduler's text can carry ARNs and account ids: logged only.
            ServiceError::Rejected { message } => {
                tracing::warn!(error = %message, "EventBridge Scheduler rejected a schedule");
                ApiError::validation(vec![FieldError::new("frequency", SCHEDULER_REJECTED)])
            }
            ServiceError::Internal(cause) => {
                tracing::error!(error = %cause, "request failed");
                ApiError::internal()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduler_rejections_never_carry_aws_text() {
        let aws = "Invalid target arn:aws:lambda:eu-west-1:123456789012:function:acme-prod-order-executor";
        let error = ApiError::from(ServiceError::Rejected { message: aws.into() });
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        let body = serde_json::to_string(&json!({ "m": error.message, "d": error.details })).unwrap();
        assert!(!body.contains("arn:") && !body.contains("123456789012"), "{body}");
        assert_eq!(error.details["errors"][0]["message"], SCHEDULER_REJECTED);
    }

    #[test]
    fn idempotency_conflicts_have_their_own_codes() {
        let mismatch = ApiError::from(ServiceError::IdempotencyMismatch);
        assert_eq!((mismatch.status.as_u16(), mismatch.code), (422, "IDEMPOTENCY_KEY_REUSED"));
        let busy = ApiError::from(ServiceError::InProgress);
        assert_eq!((busy.status.as_u16(), busy.code), (409, "IN_PROGRESS"));
    }
}
