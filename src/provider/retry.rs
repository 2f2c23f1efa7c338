//! Bounded retries for AWS's eventual consistency, each case named.
//!
//! The SDK's standard retry mode already retries throttling and 5xx answers
//! (see `aws::RETRY_ATTEMPTS`). What it cannot know is which *semantic* errors
//! are only "not yet": a fresh IAM role that Lambda cannot assume for a few
//! seconds, a security group still used by a Lambda ENI being released, a
//! Lambda function still updating. Those are retried here, by name.
//!
//! Every wait is "full jitter" (AWS Architecture Blog, "Exponential Backoff
//! And Jitter"): uniformly random in `[0, min(max_delay, initial·2^attempt)]`,
//! so operations that failed together (ten functions waiting on one new role,
//! a burst of throttled calls) do not all retry in the same instant again.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::error::ProviderError;

/// A named backoff policy: what it waits for, and how long at most.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub name: &'static str,
    pub attempts: u32,
    pub initial: Duration,
    pub max_delay: Duration,
}

impl Backoff {
    /// The longest wait before retry number `attempt` (1 for the first retry):
    /// `initial·2^attempt`, at most `max_delay`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        self.initial.saturating_mul(1 << attempt.min(16)).min(self.max_delay)
    }

    /// The wait before retry number `attempt`: full jitter, uniform in
    /// `[0, ceiling(attempt)]`.
    pub fn delay(&self, attempt: u32, rng: &mut fastrand::Rng) -> Duration {
        let ceiling = u64::try_from(self.ceiling(attempt).as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rng.u64(0..=ceiling))
    }
}

/// IAM is eventually consistent: a role just created may not be assumable by
/// Lambda or Scheduler for ~10 s ("The role defined for the function cannot be
/// assumed by Lambda"). Retried only while a role changed recently (see
/// [`note_role_changed`]): with no young role, the role is really wrong.
pub const IAM_ROLE_PROPAGATION: Backoff = Backoff {
    name: "IAM role propagation",
    attempts: 12,
    initial: Duration::from_millis(500),
    max_delay: Duration::from_secs(8),
};

/// Deleting a security group or subnet a Lambda used fails with
/// DependencyViolation until AWS releases the function's ENIs (can take many
/// minutes after the function is gone). Full jitter halves the expected wait
/// of a given number of attempts, so this case, the one that must last many
/// minutes on real AWS, has twice the attempts it had before jitter.
pub const DEPENDENCY_VIOLATION: Backoff = Backoff {
    name: "ENI release (DependencyViolation)",
    attempts: 75,
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

/// How long after strata created or changed a role its "cannot be assumed"
/// errors are taken for IAM propagation. AWS documents propagation in
/// seconds; two minutes leaves room for a slow region without retrying a
/// wrong role for long.
pub const ROLE_PROPAGATION_WINDOW: Duration = Duration::from_secs(120);

/// When this process last created or changed an IAM role (or adopted one
/// seconds old); None when it has not.
static ROLE_CHANGED_AT: Mutex<Option<Instant>> = Mutex::new(None);

/// Records that a role was created or changed just now, so errors of roles
/// not yet propagated are retried for [`ROLE_PROPAGATION_WINDOW`].
pub fn note_role_changed() {
    if let Ok(mut at) = ROLE_CHANGED_AT.lock() {
        *at = Some(Instant::now());
    }
}

/// When this process last created or changed a role, if it did.
fn role_changed_at() -> Option<Instant> {
    ROLE_CHANGED_AT.lock().ok().and_then(|at| *at)
}

/// True while an error blaming a role may be IAM propagation: a role was
/// created or changed less than [`ROLE_PROPAGATION_WINDOW`] ago.
pub fn role_recently_changed() -> bool {
    role_is_young(role_changed_at(), Instant::now())
}

fn role_is_young(changed_at: Option<Instant>, now: Instant) -> bool {
    changed_at.is_some_and(|at| now.saturating_duration_since(at) <= ROLE_PROPAGATION_WINDOW)
}

/// Which named case an error belongs to, if any.
pub fn classify(err: &ProviderError) -> Option<Backoff> {
    classify_at(err, role_changed_at(), Instant::now())
}

/// [`classify`] with the clock and the last role change given. The errors
/// that blame a role are IAM propagation only while a role is young: an old
/// role that cannot be assumed is misconfigured, and retrying it would only
/// delay the error by a minute.
pub fn classify_at(err: &ProviderError, role_changed_at: Option<Instant>, now: Instant) -> Option<Backoff> {
    let ProviderError::Aws { code, message, .. } = err else { return None };
    let role_is_young = role_is_young(role_changed_at, now);
    match code.as_str() {
        "DependencyViolation" | "ResourceInUse" | "ResourceInUseException" => Some(DEPENDENCY_VIOLATION),
        "ResourceConflictException" | "ConflictException" | "ConcurrentModificationException" | "OperationAborted" => {
            Some(CONFLICT)
        }
        "Throttling" | "ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded" => Some(THROTTLING),
        "InvalidParameterValueException" if message.contains("cannot be assumed") || message.contains("role") => {
            role_is_young.then_some(IAM_ROLE_PROPAGATION)
        }
        "MalformedPolicyDocument" if message.contains("Invalid principal") => {
            role_is_young.then_some(IAM_ROLE_PROPAGATION)
        }
        "ValidationException" if message.contains("role") && message.contains("assume") => {
            role_is_young.then_some(IAM_ROLE_PROPAGATION)
        }
        _ => None,
    }
}

/// Runs `op` and retries it while its error is one of the named cases, with
/// exponential backoff (full jitter) up to that case's limit. Any other error
/// returns at once.
pub async fn with_retries<T, F, Fut>(mut op: F) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let mut attempt = 0u32;
    let mut rng = fastrand::Rng::new();
    loop {
        match op().await {
            Ok(v) => return Ok(v),
            Err(err) => {
                let Some(policy) = classify(&err) else { return Err(err) };
                attempt += 1;
                if attempt >= policy.attempts {
                    return Err(err);
                }
                let delay = policy.delay(attempt, &mut rng);
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
        let now = Instant::now();
        let young = Some(now);
        let classify = |e: &ProviderError| classify_at(e, young, now);
        assert_eq!(classify(&aws("DependencyViolation", "sg in use")).unwrap().name, DEPENDENCY_VIOLATION.name);
        assert_eq!(classify(&aws("ResourceConflictException", "update in progress")).unwrap().name, CONFLICT.name);
        assert_eq!(classify(&aws("ThrottlingException", "slow down")).unwrap().name, THROTTLING.name);
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

    #[test]
    fn a_role_error_is_propagation_only_while_a_role_is_young() {
        let err =
            aws("InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.");
        let now = Instant::now() + Duration::from_secs(600);
        let at = |ago: u64| Some(now - Duration::from_secs(ago));
        assert_eq!(classify_at(&err, at(5), now).map(|b| b.name), Some(IAM_ROLE_PROPAGATION.name));
        assert_eq!(classify_at(&err, at(120), now).map(|b| b.name), Some(IAM_ROLE_PROPAGATION.name));
        // A role changed long ago, or none changed in this run: the role is wrong, fail at once.
        assert!(classify_at(&err, at(121), now).is_none());
        assert!(classify_at(&err, None, now).is_none());
        let scheduler = aws(
            "ValidationException",
            "The execution role you provide must allow AWS EventBridge Scheduler to assume the role.",
        );
        assert!(classify_at(&scheduler, None, now).is_none());
        assert!(classify_at(&scheduler, at(1), now).is_some());
        // Other cases do not depend on roles.
        assert!(classify_at(&aws("ResourceConflictException", "busy"), None, now).is_some());
    }

    #[test]
    fn delays_are_full_jitter_within_the_growing_ceiling() {
        let mut rng = fastrand::Rng::with_seed(12);
        for policy in [IAM_ROLE_PROPAGATION, DEPENDENCY_VIOLATION, CONFLICT, THROTTLING] {
            for attempt in 1..policy.attempts {
                let ceiling = policy.ceiling(attempt);
                assert_eq!(ceiling, policy.initial.saturating_mul(1 << attempt.min(16)).min(policy.max_delay));
                let delays: Vec<Duration> = (0..200).map(|_| policy.delay(attempt, &mut rng)).collect();
                assert!(delays.iter().all(|d| *d <= ceiling), "{}: attempt {attempt} past {ceiling:?}", policy.name);
                let distinct: std::collections::BTreeSet<_> = delays.iter().collect();
                assert!(distinct.len() > 150, "{}: only {} distinct delays", policy.name, distinct.len());
                // Spread over the whole range, not bunched at one end.
                let below_half = delays.iter().filter(|d| **d < ceiling / 2).count();
                assert!((60..=140).contains(&below_half), "{}: {below_half}/200 below half", policy.name);
            }
        }
        assert_eq!(THROTTLING.ceiling(1), Duration::from_secs(1));
        assert_eq!(THROTTLING.ceiling(20), THROTTLING.max_delay);
    }

    #[tokio::test(start_paused = true)]
    async fn parallel_retries_do_not_wake_in_lockstep() {
        // Ten operations that fail together once: their retries are spread out.
        let started = tokio::time::Instant::now();
        let retried_at = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let ops = (0..10).map(|_| {
            let retried_at = retried_at.clone();
            async move {
                let mut calls = 0;
                with_retries(|| {
                    calls += 1;
                    let n = calls;
                    let retried_at = retried_at.clone();
                    async move {
                        if n == 1 {
                            return Err(aws("ThrottlingException", "slow down"));
                        }
                        retried_at.lock().unwrap().push(started.elapsed());
                        Ok(())
                    }
                })
                .await
            }
        });
        for out in futures::future::join_all(ops).await {
            out.unwrap();
        }
        let times = retried_at.lock().unwrap().clone();
        assert_eq!(times.len(), 10);
        assert!(times.iter().all(|t| *t <= THROTTLING.ceiling(1)), "{times:?}");
        let distinct: std::collections::BTreeSet<_> = times.iter().collect();
        assert!(distinct.len() > 5, "retries woke together: {times:?}");
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
