//! One delivery from Scheduler, start to finish: load the definition, skip a
//! schedule that is no longer live, price the order, write it once.

use acme_core::model::{OrderStatus, ScheduleInput, ScheduleStatus};
use acme_core::time::parse_timestamp;
use lambda_runtime::Diagnostic;
use rust_decimal::Decimal;
use serde::Serialize;
use thiserror::Error;
use tracing::Instrument;

use crate::order::{build_order, BuildError, Delivery};
use crate::order_id::order_id;
use crate::store::{InsertOutcome, Store, StoreError};

/// Why a delivery produced no order although nothing failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SkipReason {
    /// No definition: a schedule whose definition was removed (reconcile of
    /// a failed create) while it still fired. Harmless; logged for an operator.
    ScheduleNotFound,
    /// The definition's create has not finished (or died half-way and waits
    /// for reconcile): the schedule is not the user's yet.
    SchedulePending,
    ScheduleCancelled,
    ScheduleDisabled,
}

/// The function's result, returned to Scheduler (which ignores it) and
/// useful in tests and logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    #[serde(rename_all = "camelCase")]
    Created {
        order_id: String,
        status: OrderStatus,
        total: Decimal,
    },
    /// A repeated delivery: the order already exists and was left untouched.
    #[serde(rename_all = "camelCase")]
    Duplicate {
        order_id: String,
    },
    Skipped {
        reason: SkipReason,
    },
}

/// A failed invocation; Scheduler retries it under the schedule's retry policy.
#[derive(Debug, Error)]
pub enum ExecutionError {
    /// The input is not what the schedule's Input template produces (for
    /// example an unsubstituted placeholder from a manual invoke).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ExecutionError {
    fn code(&self) -> &'static str {
        match self {
            ExecutionError::InvalidInput(_) => "InvalidInput",
            ExecutionError::Build(_) => "UnknownGadgetType",
            ExecutionError::Store(StoreError::DynamoDb { .. }) => "DynamoDbError",
            ExecutionError::Store(StoreError::MalformedDefinition(_)) => "MalformedDefinition",
        }
    }
}

impl From<ExecutionError> for Diagnostic {
    fn from(err: ExecutionError) -> Self {
        Diagnostic { error_type: err.code().to_owned(), error_message: err.to_string() }
    }
}

pub struct Executor {
    store: Store,
    executor_version: String,
}

impl Executor {
    pub fn new(store: Store, executor_version: String) -> Self {
        Executor { store, executor_version }
    }

    /// Handles one delivery inside a span carrying scheduleId, orderId and
    /// executionId, so every log line of the delivery has all three.
    pub async fn execute(&self, input: ScheduleInput) -> Result<Outcome, ExecutionError> {
        let scheduled_time = parse_timestamp(&input.scheduled_time);
        let order_id = match &scheduled_time {
            Ok(time) => order_id(&input.schedule_id, *time),
            Err(_) => String::new(),
        };
        let span = tracing::info_span!(
            "order_execution",
            scheduleId = %input.schedule_id,
            orderId = %order_id,
            executionId = %input.execution_id,
        );
        async {
            let result = match scheduled_time {
                Ok(time) => self.execute_delivery(&input, time).await,
                Err(err) => Err(ExecutionError::InvalidInput(format!(
                    "scheduledTime {:?} is not an RFC 3339 timestamp: {err}",
                    input.scheduled_time
                ))),
            };
            match &result {
                Ok(outcome) => tracing::info!(outcome = ?outcome, "delivery handled"),
                Err(err) => tracing::error!(error = %err, code = err.code(), "delivery failed"),
            }
            result
        }
        .instrument(span)
        .await
    }

    async fn execute_delivery(
        &self,
        input: &ScheduleInput,
        scheduled_time: jiff::Timestamp,
    ) -> Result<Outcome, ExecutionError> {
        if input.schedule_id.trim().is_empty() {
            return Err(ExecutionError::InvalidInput("scheduleId is empty".into()));
        }
        tracing::info!(scheduledTime = %input.scheduled_time, "delivery received");

        let Some(definition) = self.store.load_definition(&input.schedule_id).await? else {
            tracing::warn!("no definition for this schedule; no order created");
            return Ok(Outcome::Skipped { reason: SkipReason::ScheduleNotFound });
        };
        if !definition.is_live() {
            let reason = match definition.status {
                ScheduleStatus::Cancelled => SkipReason::ScheduleCancelled,
                ScheduleStatus::Pending => SkipReason::SchedulePending,
                ScheduleStatus::Active => SkipReason::ScheduleDisabled,
            };
            tracing::info!(status = %definition.status, enabled = definition.enabled, "schedule is not live; no order created");
            return Ok(Outcome::Skipped { reason });
        }

        let delivery = Delivery { input, scheduled_time, executor_version: &self.executor_version };
        let order = build_order(&definition, &delivery)?;
        match self.store.insert_order(&order).await? {
            InsertOutcome::Created => {
                tracing::info!(total = %order.total, status = %order.status, priority = %order.priority, "order created");
                Ok(Outcome::Created { order_id: order.order_id, status: order.status, total: order.total })
            }
            InsertOutcome::AlreadyExists => {
                tracing::info!("order already exists: repeated delivery ignored");
                Ok(Outcome::Duplicate { order_id: order.order_id })
            }
        }
    }
}
