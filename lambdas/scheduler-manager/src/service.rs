//! The API's operations, independent of HTTP: what each route does with
//! DynamoDB and Scheduler, including keeping the two consistent.

use acme_core::model::{PurchaseOrder, ScheduleDefinition, ScheduleStatus};
use acme_core::time::format_timestamp;
use jiff::Timestamp;
use serde::Serialize;
use thiserror::Error;

use crate::error::FieldError;
use crate::identity::Caller;
use crate::page_token::{self, KeyShape};
use crate::query::{OrdersFilter, Page};
use crate::scheduler::{SchedulerError, SchedulerGateway};
use crate::store::{DefinitionStore, Listing, OrderStore, OrdersPlan, StoreError};
use crate::validation::validate_new_schedule;

#[derive(Debug, Error)]
pub enum ServiceError {
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// Absent, or owned by someone else: indistinguishable on purpose.
    #[error("schedule {schedule_id} not found")]
    NotFound { schedule_id: String },
    #[error("duplicate schedule name {schedule_name:?}")]
    DuplicateName { schedule_name: String, existing_id: String },
    #[error("EventBridge Scheduler rejected the schedule: {message}")]
    Rejected { message: String },
    /// Logged in full, answered as a bare 500.
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        ServiceError::Internal(err.to_string())
    }
}

impl From<SchedulerError> for ServiceError {
    fn from(err: SchedulerError) -> Self {
        match err {
            SchedulerError::Rejected(message) => ServiceError::Rejected { message },
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

/// One page of a listing as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Paged<T> {
    pub items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

impl<T> From<Listing<T>> for Paged<T> {
    fn from(listing: Listing<T>) -> Self {
        Paged { items: listing.items, next_token: listing.next_key.as_ref().map(page_token::encode) }
    }
}

#[derive(Clone)]
pub struct Service {
    definitions: DefinitionStore,
    orders: OrderStore,
    scheduler: SchedulerGateway,
}

impl Service {
    pub fn new(definitions: DefinitionStore, orders: OrderStore, scheduler: SchedulerGateway) -> Self {
        Service { definitions, orders, scheduler }
    }

    /// Validates, creates the Scheduler schedule, then writes its definition.
    ///
    /// Schedule first: if that fails nothing was written. If the definition
    /// write fails, the schedule is deleted again. Should that clean-up also
    /// fail, the orphan schedule is logged; it is harmless, because the
    /// executor produces no order for a schedule without a definition.
    pub async fn create_schedule(
        &self,
        caller: &Caller,
        body: &[u8],
        now: Timestamp,
    ) -> Result<ScheduleDefinition, ServiceError> {
        let new = validate_new_schedule(body, now).map_err(ServiceError::Invalid)?;
        if let Some(existing_id) = self.definitions.find_active_by_name(&caller.sub, &new.schedule_name).await? {
            return Err(ServiceError::DuplicateName { schedule_name: new.schedule_name, existing_id });
        }
        let schedule_id = uuid::Uuid::new_v4().to_string();
        let definition = ScheduleDefinition {
            schedule_id: schedule_id.clone(),
            created_at: format_timestamp(now),
            schedule_name: new.schedule_name.clone(),
            frequency: new.frequency.clone(),
            timezone: new.timezone.clone(),
            gadget_type: new.gadget_type.clone(),
            quantity: new.quantity,
            flexible_window_minutes: new.flexible_window,
            priority_override: new.priority_override,
            start_date: new.start_date.map(format_timestamp),
            end_date: new.end_date.map(format_timestamp),
            enabled: true,
            status: ScheduleStatus::Active,
            owner: caller.sub.clone(),
            cancelled_at: None,
        };

        self.scheduler.create(&schedule_id, &new).await?;
        if let Err(write_error) = self.definitions.insert(&definition).await {
            match self.scheduler.delete(&schedule_id).await {
                Ok(_) => tracing::warn!(scheduleId = %schedule_id, "definition write failed; schedule deleted again"),
                Err(cleanup_error) => tracing::error!(
                    scheduleId = %schedule_id,
                    error = %cleanup_error,
                    "definition write failed and the schedule could not be deleted: orphan schedule (it produces no orders)"
                ),
            }
            return Err(write_error.into());
        }
        tracing::info!(scheduleId = %schedule_id, frequency = %definition.frequency, "schedule created");
        Ok(definition)
    }

    /// The caller's schedule, or NotFound.
    pub async fn get_schedule(&self, caller: &Caller, schedule_id: &str) -> Result<ScheduleDefinition, ServiceError> {
        match self.definitions.find(schedule_id).await? {
            Some(definition) if definition.owner == caller.sub => Ok(definition),
            _ => Err(ServiceError::NotFound { schedule_id: schedule_id.to_owned() }),
        }
    }

    pub async fn list_schedules(
        &self,
        caller: &Caller,
        page: &Page,
    ) -> Result<Paged<ScheduleDefinition>, ServiceError> {
        let shape = KeyShape {
            attributes: crate::store::definitions_owner_index_key(),
            partition: (acme_core::table::names::OWNER, &caller.sub),
        };
        let start = decode_token(page, &shape)?;
        Ok(self.definitions.list_by_owner(&caller.sub, page.limit, start).await?.into())
    }

    /// Deletes the Scheduler schedule, then marks the definition cancelled.
    /// Safe to repeat: a missing schedule counts as deleted, and a retry after
    /// a failed definition update completes it.
    pub async fn cancel_schedule(
        &self,
        caller: &Caller,
        schedule_id: &str,
        now: Timestamp,
    ) -> Result<ScheduleDefinition, ServiceError> {
        let definition = self.get_schedule(caller, schedule_id).await?;
        let deleted = self.scheduler.delete(schedule_id).await?;
        let cancelled = self.definitions.mark_cancelled(&definition, &format_timestamp(now)).await?;
        tracing::info!(scheduleId = %schedule_id, scheduler = ?deleted, "schedule cancelled");
        Ok(cancelled)
    }

    pub async fn list_orders(
        &self,
        caller: &Caller,
        filter: &OrdersFilter,
        page: &Page,
    ) -> Result<Paged<PurchaseOrder>, ServiceError> {
        let plan = OrdersPlan::new(&caller.sub, filter);
        let start = decode_token(page, &plan.key_shape())?;
        Ok(self.orders.list(&plan, page.limit, start).await?.into())
    }
}

fn decode_token(page: &Page, shape: &KeyShape<'_>) -> Result<Option<acme_core::table::Item>, ServiceError> {
    page.next_token
        .as_deref()
        .map(|token| page_token::decode(token, shape))
        .transpose()
        .map_err(|err| ServiceError::Invalid(vec![err]))
}
