//! EventBridge Scheduler access: one schedule per definition, named by its
//! scheduleId, in the stack's schedule group, targeting order-executor.

use acme_core::model::ScheduleInput;
use aws_sdk_scheduler::error::{DisplayErrorContext, SdkError};
use aws_sdk_scheduler::operation::create_schedule::CreateScheduleError;
use aws_sdk_scheduler::operation::delete_schedule::DeleteScheduleError;
use aws_sdk_scheduler::primitives::DateTime;
use aws_sdk_scheduler::types::{
    ActionAfterCompletion, FlexibleTimeWindow, FlexibleTimeWindowMode, RetryPolicy, ScheduleState, Target,
};
use aws_sdk_scheduler::Client;
use thiserror::Error;

use crate::validation::NewSchedule;

/// How long Scheduler keeps retrying a failed delivery. The executor is
/// idempotent, so retries are safe; after an hour an order is stale enough
/// that the next regular delivery is the better outcome.
pub const MAXIMUM_EVENT_AGE_SECONDS: i32 = 3_600;
/// Retries of a failed delivery (throttling, a transient DynamoDB error).
pub const MAXIMUM_RETRY_ATTEMPTS: i32 = 5;

#[derive(Debug, Error)]
pub enum SchedulerError {
    /// Scheduler refused the schedule's parameters (ValidationException):
    /// the client's input, so a 400.
    #[error("{0}")]
    Rejected(String),
    #[error("EventBridge Scheduler {operation} failed: {message}")]
    Aws { operation: &'static str, message: String },
}

impl SchedulerError {
    fn aws<E, R>(operation: &'static str, err: SdkError<E, R>) -> Self
    where
        E: std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        SchedulerError::Aws { operation, message: DisplayErrorContext(err).to_string() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    Now,
    /// There was no such schedule (an earlier delete, or an `at` schedule
    /// Scheduler removed itself).
    AlreadyGone,
}

#[derive(Clone)]
pub struct SchedulerGateway {
    client: Client,
    group: String,
    executor_arn: String,
    role_arn: String,
}

impl SchedulerGateway {
    pub fn new(client: Client, group: String, executor_arn: String, role_arn: String) -> Self {
        SchedulerGateway { client, group, executor_arn, role_arn }
    }

    pub async fn create(&self, schedule_id: &str, schedule: &NewSchedule) -> Result<(), SchedulerError> {
        let window = match schedule.flexible_window {
            Some(window) => FlexibleTimeWindow::builder()
                .mode(FlexibleTimeWindowMode::Flexible)
                .maximum_window_in_minutes(window.0 as i32),
            None => FlexibleTimeWindow::builder().mode(FlexibleTimeWindowMode::Off),
        };
        let window = window.build().map_err(|err| SchedulerError::Rejected(err.to_string()))?;
        let retry = RetryPolicy::builder()
            .maximum_event_age_in_seconds(MAXIMUM_EVENT_AGE_SECONDS)
            .maximum_retry_attempts(MAXIMUM_RETRY_ATTEMPTS)
            .build();
        let target = Target::builder()
            .arn(&self.executor_arn)
            .role_arn(&self.role_arn)
            .input(ScheduleInput::template(schedule_id).to_json())
            .retry_policy(retry)
            .build()
            .map_err(|err| SchedulerError::Rejected(err.to_string()))?;
        self.client
            .create_schedule()
            .name(schedule_id)
            .group_name(&self.group)
            .schedule_expression(&schedule.frequency)
            .set_schedule_expression_timezone(schedule.timezone.clone())
            .set_start_date(schedule.start_date.map(|t| DateTime::from_secs(t.as_second())))
            .set_end_date(schedule.end_date.map(|t| DateTime::from_secs(t.as_second())))
            .description(&schedule.schedule_name)
            .flexible_time_window(window)
            .target(target)
            .state(ScheduleState::Enabled)
            .action_after_completion(ActionAfterCompletion::None)
            // Makes the SDK's own retries of this call idempotent.
            .client_token(schedule_id)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(CreateScheduleError::ValidationException(e)) => SchedulerError::Rejected(e.message().to_owned()),
                _ => SchedulerError::aws("CreateSchedule", err),
            })?;
        Ok(())
    }

    pub async fn delete(&self, schedule_id: &str) -> Result<Deleted, SchedulerError> {
        let result = self.client.delete_schedule().name(schedule_id).group_name(&self.group).send().await;
        match result {
            Ok(_) => Ok(Deleted::Now),
            Err(err) if matches!(err.as_service_error(), Some(DeleteScheduleError::ResourceNotFoundException(_))) => {
                Ok(Deleted::AlreadyGone)
            }
            Err(err) => Err(SchedulerError::aws("DeleteSchedule", err)),
        }
    }
}
