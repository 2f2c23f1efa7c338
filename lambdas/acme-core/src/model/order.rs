use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::string_enum;

string_enum! {
    /// How urgently an order is handled.
    Priority {
        Low => "LOW",
        Medium => "MEDIUM",
        High => "HIGH",
    }
}

string_enum! {
    /// Where an order stands. Large orders wait for a human.
    OrderStatus {
        Created => "CREATED",
        PendingApproval => "PENDING_APPROVAL",
    }
}

/// Where an order came from, for audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderMetadata {
    pub schedule_name: String,
    /// The delivery's scheduled time exactly as Scheduler sent it.
    pub scheduled_time: String,
    pub execution_id: String,
    pub executor_version: String,
}

/// A purchase order as stored in PurchaseOrdersTable and returned by the API.
/// Money is exact (`Decimal`, serialised as a string), never a float.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrder {
    pub order_id: String,
    /// The delivery's scheduled time in the stored format: deterministic per
    /// delivery, so a redelivery has the same key (see order-executor).
    pub created_at: String,
    pub schedule_id: String,
    pub gadget_type: String,
    pub quantity: u32,
    pub unit_price: Decimal,
    pub subtotal: Decimal,
    pub discount_rate: Decimal,
    pub discount_amount: Decimal,
    pub total: Decimal,
    pub priority: Priority,
    pub supplier: String,
    pub status: OrderStatus,
    pub estimated_delivery_days: u32,
    pub metadata: OrderMetadata,
    pub owner: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_only_their_names() {
        assert_eq!("HIGH".parse::<Priority>(), Ok(Priority::High));
        assert!("high".parse::<Priority>().is_err());
        assert_eq!("PENDING_APPROVAL".parse::<OrderStatus>(), Ok(OrderStatus::PendingApproval));
        assert_eq!(Priority::Medium.to_string(), "MEDIUM");
    }

    #[test]
    fn priorities_order_low_to_high() {
        assert!(Priority::Low < Priority::Medium && Priority::Medium < Priority::High);
    }
}
