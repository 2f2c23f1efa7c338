//! Turns a live schedule definition and one delivery into a purchase order,
//! applying the rules of [`crate::rules`] to the catalogue entry.

use acme_core::catalogue;
use acme_core::model::{OrderMetadata, PurchaseOrder, ScheduleDefinition, ScheduleInput};
use acme_core::time::format_timestamp;
use jiff::Timestamp;
use thiserror::Error;

use crate::order_id::order_id;
use crate::rules;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum BuildError {
    /// The definition names a gadget type the catalogue no longer has.
    #[error("gadget type {0:?} is not in the catalogue")]
    UnknownGadgetType(String),
}

/// Everything the order depends on besides the definition.
pub struct Delivery<'a> {
    pub input: &'a ScheduleInput,
    /// `input.scheduled_time`, parsed.
    pub scheduled_time: Timestamp,
    pub executor_version: &'a str,
}

pub fn build_order(definition: &ScheduleDefinition, delivery: &Delivery<'_>) -> Result<PurchaseOrder, BuildError> {
    let entry = catalogue::find(&definition.gadget_type)
        .ok_or_else(|| BuildError::UnknownGadgetType(definition.gadget_type.clone()))?;
    let pricing = rules::price(entry.unit_price(), definition.quantity);
    let priority = rules::priority(pricing.total, definition.priority_override);
    Ok(PurchaseOrder {
        order_id: order_id(&definition.schedule_id, delivery.scheduled_time),
        created_at: format_timestamp(delivery.scheduled_time),
        schedule_id: definition.schedule_id.clone(),
        gadget_type: entry.gadget_type.to_owned(),
        quantity: definition.quantity,
        unit_price: pricing.unit_price,
        subtotal: pricing.subtotal,
        discount_rate: pricing.discount_rate,
        discount_amount: pricing.discount_amount,
        total: pricing.total,
        priority,
        supplier: entry.supplier.to_owned(),
        status: rules::order_status(pricing.total),
        estimated_delivery_days: rules::estimated_delivery_days(
            entry.base_delivery_days,
            definition.quantity,
            priority,
        ),
        metadata: OrderMetadata {
            schedule_name: definition.schedule_name.clone(),
            scheduled_time: delivery.input.scheduled_time.clone(),
            execution_id: delivery.input.execution_id.clone(),
            executor_version: delivery.executor_version.to_owned(),
        },
        owner: definition.owner.clone(),
    })
}
