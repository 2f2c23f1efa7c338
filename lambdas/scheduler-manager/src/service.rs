//! The API's operations, independent of HTTP: what each route does with
//! DynamoDB and Scheduler, including keeping the two consistent.

use acme_core::model::{PurchaseOrder, ScheduleDefinition, ScheduleStatus};
use acme_core::table::Item;
use acme_core::time::format_timestamp;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use thiserror::Error;

use crate::error::FieldError;
use crate::identity::Caller;
use crate::page_token::{KeyShape, PageTokens, TokenError};
use crate::query::{OrdersFilter, Page};
use crate::scheduler::{SchedulerError, SchedulerGateway};
use crate::store::records::{self, IdempotencyRecord};
use crate::store::{DefinitionStore, OrderStore, OrdersPlan, StoreError};
use crate::validation::validate_new_schedule;

/// How long a definition may stay PENDING before reconcile treats its
/// request as dead. The function's timeout is 15 s (API Gateway gives up
/// after 29 s), so a request older than this cannot still be running.
pub const PENDING_TIMEOUT: SignedDuration = SignedDuration::from_secs(120);

/// How many times a create re-reads after its transaction was cancelled
/// without the winner being visible yet (DynamoDB cancels concurrent
/// transactions on one item with `TransactionConflict`).
const CLAIM_ATTEMPTS: u32 = 3;

#[derive(Debug, Error)]
pub enum ServiceError {
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// Absent, or owned by someone else: indistinguishable on purpose.
    #[error("schedule {schedule_id} not found")]
    NotFound { schedule_id: String },
    #[error("duplicate schedule name {schedule_name:?}")]
    DuplicateName { schedule_name: String, existing_id: String },
    /// The Idempotency-Key was used before with another body.
    #[error("Idempotency-Key reused with a different request")]
    IdempotencyMismatch,
    /// The first request with this Idempotency-Key has not finished.
    #[error("Idempotency-Key in use by a request in progress")]
    InProgress,
    /// Scheduler's own text is logged, never sent: it can carry ARNs.
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

impl From<TokenError> for ServiceError {
    fn from(err: TokenError) -> Self {
        match err {
            TokenError::Rejected => ServiceError::Invalid(vec![TokenError::field_error()]),
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

/// The listing name of `GET /schedules` in page tokens.
const SCHEDULES_LISTING: &str = "schedules";

/// What a create answers: the definition, and whether it is a replay of an
/// earlier request with the same Idempotency-Key.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub definition: ScheduleDefinition,
    pub replayed: bool,
}

#[derive(Clone)]
pub struct Service {
    definitions: DefinitionStore,
    orders: OrderStore,
    scheduler: SchedulerGateway,
    tokens: PageTokens,
}

/// What the name claim said.
enum NameState {
    Free,
    Taken(String),
}

impl Service {
    pub fn new(
        definitions: DefinitionStore,
        orders: OrderStore,
        scheduler: SchedulerGateway,
        tokens: PageTokens,
    ) -> Self {
        Service { definitions, orders, scheduler, tokens }
    }

    /// Validates, then: definition written PENDING together with the name
    /// claim (and the idempotency record) in one transaction; the Scheduler
    /// schedule created; the definition marked ACTIVE.
    ///
    /// At every point a crash leaves something reconcile removes: a PENDING
    /// definition (with or without its schedule) produces no orders, and the
    /// next create with its name, or the owner's next listing, deletes it once
    /// it is older than [`PENDING_TIMEOUT`]. A ConditionalCheckFailed on a
    /// retried write re-reads and succeeds when the item is this request's.
    pub async fn create_schedule(
        &self,
        caller: &Caller,
        body: &[u8],
        idempotency_key: Option<&str>,
        now: Timestamp,
    ) -> Result<Created, ServiceError> {
        let new = validate_new_schedule(body, now).map_err(ServiceError::Invalid)?;
        let request_hash = records::request_hash(body);
        if let Some(key) = idempotency_key {
            if let Some(definition) = self.replay(caller, key, &request_hash, now).await? {
                return Ok(Created { definition, replayed: true });
            }
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
            status: ScheduleStatus::Pending,
            owner: caller.sub.clone(),
            cancelled_at: None,
        };
        let record = idempotency_key.map(|key| {
            (
                key,
                IdempotencyRecord {
                    request_hash: request_hash.clone(),
                    schedule_id: schedule_id.clone(),
                    expires_at: now.as_second() + records::IDEMPOTENCY_TTL_SECONDS,
                },
            )
        });

        self.claim(&definition, record.as_ref().map(|(k, r)| (*k, r)), &request_hash, now).await?;

        if let Err(create_error) = self.scheduler.create(&schedule_id, &new).await {
            // Nothing fires yet: remove what was written. Should this fail,
            // the PENDING definition is reconciled later.
            self.undo_pending(&definition, idempotency_key).await;
            return Err(create_error.into());
        }
        if let Err(activate_error) = self.definitions.activate(&definition).await {
            // A retried UpdateItem whose first attempt landed fails its
            // condition: re-read, and it is ours if it is ACTIVE.
            match self.definitions.find(&schedule_id).await {
                Ok(Some(stored)) if stored.status == ScheduleStatus::Active && stored.owner == caller.sub => {}
                _ => {
                    if let Err(err) = self.scheduler.delete(&schedule_id).await {
                        tracing::error!(scheduleId = %schedule_id, error = %err, "activation failed and the schedule could not be deleted; reconcile will");
                    } else {
                        self.undo_pending(&definition, idempotency_key).await;
                    }
                    return Err(activate_error.into());
                }
            }
        }
        let definition = ScheduleDefinition { status: ScheduleStatus::Active, ..definition };
        tracing::info!(scheduleId = %schedule_id, frequency = %definition.frequency, "schedule created");
        Ok(Created { definition, replayed: false })
    }

    /// The first answer to an earlier request with this Idempotency-Key, if
    /// there was one within 24 hours.
    async fn replay(
        &self,
        caller: &Caller,
        key: &str,
        request_hash: &str,
        now: Timestamp,
    ) -> Result<Option<ScheduleDefinition>, ServiceError> {
        let Some(record) = self.definitions.get_idempotency(&caller.sub, key).await? else { return Ok(None) };
        if record.expires_at <= now.as_second() {
            return Ok(None);
        }
        if record.request_hash != request_hash {
            return Err(ServiceError::IdempotencyMismatch);
        }
        match self.definitions.find(&record.schedule_id).await? {
            Some(definition) if definition.owner == caller.sub => match definition.status {
                ScheduleStatus::Pending if self.is_stale(&definition, now) => {
                    self.reconcile(&definition).await?;
                    self.definitions.forget_idempotency(&caller.sub, key, &record.schedule_id).await?;
                    Ok(None)
                }
                ScheduleStatus::Pending => Err(ServiceError::InProgress),
                _ => Ok(Some(definition)),
            },
            // The first request failed and cleaned up after itself: the key
            // is free again.
            _ => {
                self.definitions.forget_idempotency(&caller.sub, key, &record.schedule_id).await?;
                Ok(None)
            }
        }
    }

    /// Writes the PENDING definition with its claim, or says who holds the
    /// name. Reconciles a claim whose definition is dead first.
    async fn claim(
        &self,
        definition: &ScheduleDefinition,
        record: Option<(&str, &IdempotencyRecord)>,
        request_hash: &str,
        now: Timestamp,
    ) -> Result<(), ServiceError> {
        if let NameState::Taken(existing_id) = self.name_state(definition, now).await? {
            return Err(ServiceError::DuplicateName { schedule_name: definition.schedule_name.clone(), existing_id });
        }
        for attempt in 1..=CLAIM_ATTEMPTS {
            match self.definitions.insert_pending(definition, record, now.as_second()).await {
                Ok(()) => return Ok(()),
                Err(StoreError::ConditionFailed { .. }) => {}
                Err(other) => return Err(other.into()),
            }
            // Cancelled: by our own earlier attempt (a retry), by a request
            // with the same Idempotency-Key, or by another holder of the name.
            if let Some((key, _)) = record {
                if let Some(theirs) = self.definitions.get_idempotency(&definition.owner, key).await? {
                    if theirs.schedule_id != definition.schedule_id && theirs.expires_at > now.as_second() {
                        return Err(if theirs.request_hash == request_hash {
                            ServiceError::InProgress
                        } else {
                            ServiceError::IdempotencyMismatch
                        });
                    }
                }
            }
            match self.definitions.get_claim(&definition.owner, &definition.schedule_name).await? {
                Some(claim) if claim.schedule_id == definition.schedule_id => return Ok(()),
                Some(claim) => {
                    return Err(ServiceError::DuplicateName {
                        schedule_name: definition.schedule_name.clone(),
                        existing_id: claim.schedule_id,
                    })
                }
                None if attempt < CLAIM_ATTEMPTS => {
                    tokio::time::sleep(std::time::Duration::from_millis(50 * u64::from(attempt))).await;
                }
                None => {}
            }
        }
        Err(ServiceError::Internal(format!(
            "the name claim for {} was neither written nor held after {CLAIM_ATTEMPTS} attempts",
            definition.schedule_id
        )))
    }

    /// Who holds the definition's name, after removing a dead holder.
    async fn name_state(&self, definition: &ScheduleDefinition, now: Timestamp) -> Result<NameState, ServiceError> {
        let owner = &definition.owner;
        let name = &definition.schedule_name;
        let Some(claim) = self.definitions.get_claim(owner, name).await? else { return Ok(NameState::Free) };
        match self.definitions.find(&claim.schedule_id).await? {
            Some(holder) if holder.status == ScheduleStatus::Active => Ok(NameState::Taken(holder.schedule_id)),
            Some(holder) if holder.status == ScheduleStatus::Pending && !self.is_stale(&holder, now) => {
                Ok(NameState::Taken(holder.schedule_id))
            }
            Some(holder) if holder.status == ScheduleStatus::Pending => {
                self.reconcile(&holder).await?;
                Ok(NameState::Free)
            }
            // Cancelled, or gone: a claim left behind.
            _ => {
                self.definitions.release_claim(owner, name, &claim.schedule_id).await?;
                Ok(NameState::Free)
            }
        }
    }

    fn is_stale(&self, definition: &ScheduleDefinition, now: Timestamp) -> bool {
        match acme_core::time::parse_timestamp(&definition.created_at) {
            Ok(created) => now.duration_since(created) > PENDING_TIMEOUT,
            Err(_) => true,
        }
    }

    /// Removes a dead PENDING definition: its schedule first (so nothing is
    /// left firing), then the definition and its claim.
    async fn reconcile(&self, definition: &ScheduleDefinition) -> Result<(), ServiceError> {
        let deleted = self.scheduler.delete(&definition.schedule_id).await?;
        self.definitions.remove_pending(definition).await?;
        tracing::warn!(scheduleId = %definition.schedule_id, scheduler = ?deleted, "reconciled a schedule stuck in PENDING");
        Ok(())
    }

    /// Best-effort removal of this request's PENDING records after a failure.
    async fn undo_pending(&self, definition: &ScheduleDefinition, idempotency_key: Option<&str>) {
        if let Err(err) = self.definitions.remove_pending(definition).await {
            tracing::error!(scheduleId = %definition.schedule_id, error = %err, "could not remove a PENDING definition; reconcile will");
            return;
        }
        if let Some(key) = idempotency_key {
            if let Err(err) = self.definitions.forget_idempotency(&definition.owner, key, &definition.schedule_id).await
            {
                tracing::warn!(scheduleId = %definition.schedule_id, error = %err, "could not forget an Idempotency-Key");
            }
        }
    }

    /// The caller's schedule, or NotFound.
    pub async fn get_schedule(&self, caller: &Caller, schedule_id: &str) -> Result<ScheduleDefinition, ServiceError> {
        match self.definitions.find(schedule_id).await? {
            Some(definition) if definition.owner == caller.sub => Ok(definition),
            _ => Err(ServiceError::NotFound { schedule_id: schedule_id.to_owned() }),
        }
    }

    /// The caller's schedules, newest first. Doubles as the reconcile sweep of
    /// the caller's own dead PENDING definitions: they are removed and left
    /// out of the page.
    pub async fn list_schedules(
        &self,
        caller: &Caller,
        page: &Page,
        now: Timestamp,
    ) -> Result<Paged<ScheduleDefinition>, ServiceError> {
        let shape = KeyShape {
            attributes: crate::store::definitions_owner_index_key(),
            partition: (acme_core::table::names::OWNER, &caller.sub),
        };
        let start = self.open_token(caller, SCHEDULES_LISTING, page, &shape).await?;
        let listing = self.definitions.list_by_owner(&caller.sub, page.limit, start).await?;
        let mut items = Vec::with_capacity(listing.items.len());
        for definition in listing.items {
            if definition.status == ScheduleStatus::Pending && self.is_stale(&definition, now) {
                if let Err(err) = self.reconcile(&definition).await {
                    tracing::warn!(scheduleId = %definition.schedule_id, error = %err, "reconcile failed; retried on a later request");
                }
                continue;
            }
            items.push(definition);
        }
        let next_token = self.seal_token(caller, SCHEDULES_LISTING, listing.next_key).await?;
        Ok(Paged { items, next_token })
    }

    /// Deletes the Scheduler schedule, then marks the definition cancelled
    /// and frees its name. Safe to repeat: a missing schedule counts as
    /// deleted, and a retry after a failed definition update completes it.
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

    /// The caller's orders. Filtered by schedule, the schedule must be the
    /// caller's: another user's (or no) schedule lists as empty, so the
    /// ScheduleIndex partition of someone else is never read.
    pub async fn list_orders(
        &self,
        caller: &Caller,
        filter: &OrdersFilter,
        page: &Page,
    ) -> Result<Paged<PurchaseOrder>, ServiceError> {
        let plan = OrdersPlan::new(&caller.sub, filter);
        let listing = plan.listing();
        let start = self.open_token(caller, &listing, page, &plan.key_shape()).await?;
        if let Some(schedule_id) = &filter.schedule_id {
            let owned = self.definitions.find(schedule_id).await?.is_some_and(|d| d.owner == caller.sub);
            if !owned {
                return Ok(Paged { items: Vec::new(), next_token: None });
            }
        }
        let page_of_orders = self.orders.list(&plan, page.limit, start).await?;
        let next_token = self.seal_token(caller, &listing, page_of_orders.next_key).await?;
        Ok(Paged { items: page_of_orders.items, next_token })
    }

    async fn open_token(
        &self,
        caller: &Caller,
        listing: &str,
        page: &Page,
        shape: &KeyShape<'_>,
    ) -> Result<Option<Item>, ServiceError> {
        match page.next_token.as_deref() {
            None => Ok(None),
            Some(token) => Ok(Some(self.tokens.open(&caller.sub, listing, token, shape).await?)),
        }
    }

    async fn seal_token(
        &self,
        caller: &Caller,
        listing: &str,
        key: Option<Item>,
    ) -> Result<Option<String>, ServiceError> {
        match key {
            None => Ok(None),
            Some(key) => Ok(Some(self.tokens.seal(&caller.sub, listing, &key).await?)),
        }
    }
}
