//! Creates whose answer was lost are never retried blindly.
//!
//! The SDK retries a request whose connection broke or timed out before the
//! answer came. For a read that is right; for a create it is not: the
//! request may have reached AWS and been carried out, and a second CreateVpc
//! or CreateKey makes a second VPC or key (an orphan nobody records), while
//! a second CreateTable fails with "already exists" for a table that is ours.
//! The fault-injection test saw both.
//!
//! AWS says the same of its 500 InternalError: the request may have
//! succeeded (the error-retry guidance of the AWS SDKs and APIs). So for
//! every `Create*` operation this interceptor turns a transport failure or a
//! 500 answer into [`AmbiguousCreate`], which [`NeverRetryAmbiguousCreates`]
//! keeps the SDK from retrying. The
//! provider layer reports it with the code [`AMBIGUOUS_CODE`], and the apply
//! looks the resource up by its identity tags before creating again
//! (`ops::apply`): found, it is adopted; not found, the create is repeated.
//! Throttling and 503 answers (AWS said it did nothing) are still retried by
//! the SDK as before.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{Metadata, OrchestratorError};
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction, RetryClassifierPriority};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// The `ProviderError::Aws` code of a create whose outcome is unknown.
pub const AMBIGUOUS_CODE: &str = "AmbiguousCreate";

/// The error a lost create answer becomes (its message keeps the cause).
#[derive(Debug, thiserror::Error)]
#[error("{operation}: {what}, so it may or may not have been carried out ({cause})")]
pub struct AmbiguousCreate {
    pub operation: String,
    /// What made the outcome unknown, in words.
    pub what: &'static str,
    pub cause: String,
}

/// `Create*` operations that a second call does not repeat: EC2's
/// CreateTags sets the same tags again.
const REPEATABLE_CREATES: &[&str] = &["CreateTags"];

#[derive(Debug, Clone, Default)]
pub struct NoBlindRetryOfCreates;

impl Intercept for NoBlindRetryOfCreates {
    fn name(&self) -> &'static str {
        "NoBlindRetryOfCreates"
    }

    fn modify_before_attempt_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(operation) = cfg.load::<Metadata>().map(|m| m.name().to_owned()) else { return Ok(()) };
        if !operation.starts_with("Create") || REPEATABLE_CREATES.contains(&operation.as_str()) {
            return Ok(());
        }
        let internal_error = context.response().is_some_and(|r| r.status().as_u16() == 500);
        let Some(Err(error)) = context.output_or_error_mut() else { return Ok(()) };
        let what = if answer_lost(error) {
            "the connection was lost before AWS answered"
        } else if internal_error {
            "AWS answered 500 InternalError"
        } else {
            return Ok(());
        };
        let cause = aws_smithy_types::error::display::DisplayErrorContext(&*error).to_string();
        *error = OrchestratorError::other(AmbiguousCreate { operation, what, cause });
        Ok(())
    }
}

/// Failures where no complete answer from AWS arrived: any connector error
/// (a reset or closed connection is `io` or, from hyper, "other" with a
/// transient kind), a timeout, or a response cut short.
fn answer_lost<E>(error: &OrchestratorError<E>) -> bool {
    error.is_response_error() || error.is_timeout_error() || error.is_connector_error()
}

/// Forbids retrying an [`AmbiguousCreate`]. Replacing the error is not
/// enough for a 500: the SDK's status-code classifier looks at the HTTP
/// response, which still says 500. This one runs first and its verdict ends
/// the classification.
#[derive(Debug, Clone, Default)]
pub struct NeverRetryAmbiguousCreates;

impl ClassifyRetry for NeverRetryAmbiguousCreates {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(e)) if super::error::find_in_chain::<AmbiguousCreate>(e).is_some() => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "NeverRetryAmbiguousCreates"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_before(RetryClassifierPriority::http_status_code_classifier())
    }
}
