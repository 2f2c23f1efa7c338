//! Deterministic order identity.
//!
//! Scheduler delivers at least once. Deriving the order's key from the
//! delivery — (scheduleId, scheduled time) — instead of generating a random
//! one makes a redelivery address the same item, so the conditional write in
//! [`crate::store`] turns it into a no-op.

use jiff::Timestamp;
use uuid::Uuid;

/// Namespace of order ids (UUID v5); fixed forever, or old and new deliveries
/// of one scheduled time would get different ids.
const ORDER_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6f1d_0c52_8a1e_4b7e_9d5a_3c2e_a1b0_c0de);

/// The order id of a schedule's delivery for `scheduled_time`. The time is
/// taken as an instant, so `…Z` and `…+00:00` spellings give the same id.
pub fn order_id(schedule_id: &str, scheduled_time: Timestamp) -> String {
    let name = format!("{schedule_id}\n{}", acme_core::time::format_timestamp(scheduled_time));
    Uuid::new_v5(&ORDER_ID_NAMESPACE, name.as_bytes()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn same_delivery_same_id() {
        assert_eq!(order_id("s-1", at("2025-03-01T08:00:00Z")), order_id("s-1", at("2025-03-01T09:00:00+01:00")));
    }

    #[test]
    fn different_time_or_schedule_different_id() {
        let base = order_id("s-1", at("2025-03-01T08:00:00Z"));
        assert_ne!(base, order_id("s-1", at("2025-03-01T08:01:00Z")));
        assert_ne!(base, order_id("s-2", at("2025-03-01T08:00:00Z")));
    }
}
