//! order-executor: EventBridge Scheduler invokes it once per delivery of a
//! schedule; it turns the delivery into at most one purchase order.
//!
//! - [`rules`]: the business rules as plain functions;
//! - [`order`]: definition + delivery → order;
//! - [`order_id`]: the deterministic order identity behind idempotency;
//! - [`store`]: DynamoDB access;
//! - [`handler`]: the orchestration of one delivery.

pub mod handler;
pub mod order;
pub mod order_id;
pub mod rules;
pub mod store;

pub use handler::{ExecutionError, Executor, Outcome, SkipReason};
