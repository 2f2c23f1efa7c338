//! How the models map onto the two DynamoDB tables the stack creates.
//!
//! Attribute names are the models' JSON (camelCase) names, so an item read in
//! the console looks like the API's answer. Money is stored as DynamoDB
//! numbers (exact decimals, up to 38 digits) and read back with two decimal
//! places.

mod attr;
mod order_item;
mod schedule_item;

pub use attr::{Item, ItemError};
pub use order_item::{order_from_item, order_to_item};
pub use schedule_item::{schedule_from_item, schedule_to_item};

/// Attribute names used in keys, indexes and expressions.
pub mod names {
    pub const SCHEDULE_ID: &str = "scheduleId";
    pub const CREATED_AT: &str = "createdAt";
    pub const OWNER: &str = "owner";
    pub const STATUS: &str = "status";
    pub const ORDER_ID: &str = "orderId";
    pub const SCHEDULE_NAME: &str = "scheduleName";
    pub const ENABLED: &str = "enabled";
    pub const CANCELLED_AT: &str = "cancelledAt";
    /// Orders: `<owner>#<status>`, the partition key of the OwnerStatusIndex.
    pub const OWNER_STATUS: &str = "ownerStatus";
}

/// The OwnerStatusIndex partition value of an owner's orders in a status.
/// A Cognito `sub` never contains `#`, so the value is unambiguous.
pub fn owner_status(owner: &str, status: crate::model::OrderStatus) -> String {
    format!("{owner}#{}", status.as_str())
}

/// Index names: the contract with the stack spec that creates them.
pub mod indexes {
    /// Both tables: HASH `owner`, RANGE `createdAt`.
    pub const OWNER_INDEX: &str = "OwnerIndex";
    /// PurchaseOrdersTable: HASH `ownerStatus` (`<owner>#<status>`), RANGE
    /// `createdAt`: a status filter reads only the caller's own orders
    /// (a shared `status` partition would be read across tenants and
    /// filtered afterwards, leaking through page tokens and costing reads).
    pub const OWNER_STATUS_INDEX: &str = "OwnerStatusIndex";
    /// PurchaseOrdersTable: HASH `scheduleId`, RANGE `createdAt`.
    pub const SCHEDULE_INDEX: &str = "ScheduleIndex";
}
