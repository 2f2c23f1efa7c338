//! Bounded retries for AWS's eventual consistency, each case named.
//!
//! The SDK's standard retry mode already retries throttling and 5xx answers
//! (see `aws::RETRY_ATTEMPTS`). What it cannot know is which *semantic* errors
//! are only "not yet": a fresh IAM role that Lambda cannot assume for a few
//! seconds, a security group still used by a Lambda ENI being released, a
//! Lambda function still updating. Those are retried here, by name.

use std::future::Future;
use std::time::Duration;

use super::error::ProviderError;

/// A named backoff policy: what it waits for, and how long at most.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub name: &'static str,
    pub attempts: u32,
    pub initial: Duration,
    pub max_delay: Duration,
}

/// IAM is eventually consistent: a role just created may not be assumable by
/// Lambda or Scheduler for ~10 s ("The role defined for the function cannot be
/// assumed by Lambda").
pub const IAM_ROLE_PROPAGATION: Backoff = Backoff {
    name: "IAM role propagation",
    attempts: 12,
    initial: Duration::from_millis(500),
    max_delay: Duration::from_secs(8),
};

/// Deleting a security group or subnet a Lambda used fails with
/// DependencyViolation until AWS releases the function's ENIs (can take many
/// minutes after the function is gone).
pub const DEPENDENCY_VIOLATION: Backoff = Backoff {
    name: "ENI release (DependencyViolation)",
    attempts: 40,
    initial: Duration::from_secs(1),
    max_delay: Duration::from_secs(30),
};

/// Lambda rejects a change while the previous one is in progress
/// (ResourceConflictException); API Gateway and others answer
/// ConflictException / ConcurrentModificationException likewise.
pub const CONFLICT: Backoff = Backoff {
    name: "concurrent modification",
    attempts: 15,
    initial: Duration::from_millis(300),
    max_delay: Duration::from_secs(5),
};

/// Throttling beyond what the SDK's own retries absorbed.
pub const THROTTLING: Backoff = Backoff {
    name: "throttling",
    attempts: 8,
    initial: Duration::from_millis(500),
    max_delay: Duration::from_secs(10),
};

/// Which named case an error belongs to, if any.
pub fn classify(err: &ProviderError) -> Option<Backoff> {
    let ProviderError::Aws { code, message, .. } = err else { return None };
    match code.as_str() {
        "DependencyViolation" | "ResourceInUse" | "ResourceInUseException" => Some(DEPENDENCY_VIOLATION),
        "ResourceConflictException" | "ConflictException" | "ConcurrentModificationException" | "OperationAborted" => {
            Some(CONFLICT)
        }
        "Throttling" | "ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded" => Some(THROTTLING),
        "InvalidParameterValueException" if message.contains("cannot be assumed") || message.contains("role") => {
            Some(IAM_ROLE_PROPAGATION)
        }
        "MalformedPolicyDocument" if message.contains("Invalid principal") => Some(IAM_ROLE_PROPAGATION),
        "ValidationException" if message.contains("role") && message.contains("assume") => Some(IAM_ROLE_PROPAGATION),
        _ => None,
    }
}

/// Runs `op` and retries it while its error is one of the named cases, with
/// exponential backoff up to that case's limit. Any other error returns at once.
pub async fn with_retries<T, F, Fut>(mut op: F) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let mut attempt = 0u32;
    loop {
        match op().await {
            Ok(v) => return Ok(v),
            Err(err) => {
                let Some(policy) = classify(&err) else { return Err(err) };
                attempt += 1;
                if attempt >= policy.attempts {
                    return Err(err);
                }
                let delay = policy.initial.saturating_mul(1 << attempt.min(16)).min(policy.max_delay);
                tracing_delay(policy.name, attempt, delay);
                tokio::time::sleep(delay).await;
            }
        }
    }
}

fn tracing_delay(name: &str, attempt: u32, delay: Duration) {
    if std::env::var_os("STRATA_DEBUG").is_some() {
        eprintln!("retrying ({name}), attempt {attempt}, waiting {delay:?}");
    }
}

/// Polls `check` until it returns `Some`, every `every`, for at most `limit`.
/// `what` names the wait in the timeout error ("DynamoDB table ACTIVE").
pub async fn wait_until<T, F, Fut>(
    what: &str,
    limit: Duration,
    every: Duration,
    mut check: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, ProviderError>>,
{
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = check().await? {
            return Ok(v);
        }
        if start.elapsed() >= limit {
            return Err(ProviderError::Timeout { waiting_for: what.to_owned(), after: limit });
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aws(code: &str, message: &str) -> ProviderError {
        ProviderError::Aws { operation: "t", code: code.into(), message: message.into() }
    }

    #[test]
    fn each_named_case_is_recognised() {
        assert_eq!(classify(&aws("DependencyViolation", "sg in use")).unwrap().name, DEPENDENCY_VIOLATION.name);
        assert_eq!(classify(&aws("ResourceConflictException", "update in progress")).unwrap().name, CONFLICT.name);
        assert_eq!(
            classify(&aws(
                "InvalidParameterValueException",
                "The role defined for the function cannot be assumed by Lambda."
            ))
            .unwrap()
            .name,
            IAM_ROLE_PROPAGATION.name
        );
        assert!(classify(&aws("AccessDenied", "no")).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn retries_stop_at_success_and_give_up_on_other_errors() {
        let mut calls = 0;
        let out: Result<u32, _> = with_retries(|| {
            calls += 1;
            let n = calls;
            async move {
                if n < 3 {
                    Err(aws("ResourceConflictException", "busy"))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(out.unwrap(), 3);
        let mut calls = 0;
        let out: Result<u32, _> = with_retries(|| {
            calls += 1;
            async { Err(aws("AccessDenied", "no")) }
        })
        .await;
        assert!(out.is_err());
        assert_eq!(calls, 1);
    }
}
