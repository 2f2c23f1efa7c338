//! Creates whose answer was lost are never retried blindly.
//!
//! The SDK retries a request whose connection broke or timed out before the
//! answer came. For a read that is right; for a create it is not: the
//! request may have reached AWS and been carried out, and a second CreateVpc
//! or CreateKey makes a second VPC or key (an orphan nobody records), while
//! a second CreateTable fails with "already exists" for a table that is ours.
//! The fault-injection test saw both.
//!
//! So for every `Create*` operation this interceptor turns such a transport
//! failure into [`AmbiguousCreate`], which no retry classifier retries. The
//! provider layer reports it with the code [`AMBIGUOUS_CODE`], and the apply
//! looks the resource up by its identity tags before creating again
//! (`ops::apply`): found, it is adopted; not found, the create is repeated.
//! Throttling and 5xx answers (AWS said it did nothing) are still retried by
//! the SDK as before.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{Metadata, OrchestratorError};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// The `ProviderError::Aws` code of a create whose outcome is unknown.
pub const AMBIGUOUS_CODE: &str = "AmbiguousCreate";

/// The error a lost create answer becomes (its message keeps the cause).
#[derive(Debug, thiserror::Error)]
#[error(
    "{operation}: the connection was lost before AWS answered, so it may or may not have been carried out ({cause})"
)]
pub struct AmbiguousCreate {
    pub operation: String,
    pub cause: String,
}

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
        if !operation.starts_with("Create") {
            return Ok(());
        }
        let Some(Err(error)) = context.output_or_error_mut() else { return Ok(()) };
        if !answer_lost(error) {
            return Ok(());
        }
        let cause = aws_smithy_types::error::display::DisplayErrorContext(&*error).to_string();
        *error = OrchestratorError::other(AmbiguousCreate { operation, cause });
        Ok(())
    }
}

/// Failures where no complete answer from AWS arrived: any connector error
/// (a reset or closed connection is `io` or, from hyper, "other" with a
/// transient kind), a timeout, or a response cut short.
fn answer_lost<E>(error: &OrchestratorError<E>) -> bool {
    error.is_response_error() || error.is_timeout_error() || error.is_connector_error()
}
