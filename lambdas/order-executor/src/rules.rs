//! ACME's ordering rules as plain functions: no I/O, no clock, exact decimal
//! money. `docs/business-rules.md` describes them for humans; the tests below
//! pin every tier boundary.

// Amounts are written as cents grouped like money (`25_000_00` is 25,000.00).
#![allow(clippy::inconsistent_digit_grouping)]

use acme_core::model::{OrderStatus, Priority};
use rust_decimal::{Decimal, RoundingStrategy};

/// Decimal places of every money amount.
pub const CENTS: u32 = 2;

/// A quantity discount tier: orders of at least `min_quantity` units get
/// `rate_percent` % off. Kept sorted by `min_quantity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscountTier {
    pub min_quantity: u32,
    pub rate_percent: i64,
}

/// Under 10 → 0 %, 10–49 → 5 %, 50–99 → 10 %, 100 or more → 15 %.
pub const DISCOUNT_TIERS: &[DiscountTier] = &[
    DiscountTier { min_quantity: 0, rate_percent: 0 },
    DiscountTier { min_quantity: 10, rate_percent: 5 },
    DiscountTier { min_quantity: 50, rate_percent: 10 },
    DiscountTier { min_quantity: 100, rate_percent: 15 },
];

/// Totals at or above which an order is HIGH / MEDIUM priority.
pub fn high_priority_threshold() -> Decimal {
    Decimal::new(10_000_00, CENTS)
}
pub fn medium_priority_threshold() -> Decimal {
    Decimal::new(1_000_00, CENTS)
}

/// Totals strictly above this need a human's approval.
pub fn approval_threshold() -> Decimal {
    Decimal::new(25_000_00, CENTS)
}

/// Orders of more than this many units take longer to deliver.
pub const BULK_QUANTITY: u32 = 100;
pub const BULK_EXTRA_DAYS: u32 = 2;
/// HIGH priority orders are expedited by this many days.
pub const HIGH_PRIORITY_DAYS_SAVED: u32 = 1;
pub const MIN_DELIVERY_DAYS: u32 = 1;

/// The money side of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pricing {
    pub unit_price: Decimal,
    pub subtotal: Decimal,
    /// A fraction with two places: `0.05` for 5 %.
    pub discount_rate: Decimal,
    pub discount_amount: Decimal,
    pub total: Decimal,
}

/// Rounds half-up to the cent (amounts are never negative, so "away from
/// zero" on a midpoint is "up").
pub fn round_to_cent(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(CENTS, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(CENTS);
    rounded
}

/// The discount rate for a quantity, as a fraction with two places.
pub fn discount_rate(quantity: u32) -> Decimal {
    let percent =
        DISCOUNT_TIERS.iter().rev().find(|tier| quantity >= tier.min_quantity).map_or(0, |tier| tier.rate_percent);
    Decimal::new(percent, CENTS)
}

/// subtotal = unit price × quantity; discount = subtotal × rate (rounded to
/// the cent); total = subtotal − discount.
pub fn price(unit_price: Decimal, quantity: u32) -> Pricing {
    let subtotal = round_to_cent(unit_price * Decimal::from(quantity));
    let discount_rate = discount_rate(quantity);
    let discount_amount = round_to_cent(subtotal * discount_rate);
    Pricing {
        unit_price: round_to_cent(unit_price),
        subtotal,
        discount_rate,
        discount_amount,
        total: subtotal - discount_amount,
    }
}

/// The schedule's override if it has one, else by total: HIGH from
/// 10,000.00, MEDIUM from 1,000.00, else LOW.
pub fn priority(total: Decimal, priority_override: Option<Priority>) -> Priority {
    if let Some(priority) = priority_override {
        return priority;
    }
    if total >= high_priority_threshold() {
        Priority::High
    } else if total >= medium_priority_threshold() {
        Priority::Medium
    } else {
        Priority::Low
    }
}

/// The supplier's base days, +2 when the quantity exceeds 100, −1 for HIGH
/// priority, never below 1.
pub fn estimated_delivery_days(base_days: u32, quantity: u32, priority: Priority) -> u32 {
    let mut days = base_days;
    if quantity > BULK_QUANTITY {
        days += BULK_EXTRA_DAYS;
    }
    if priority == Priority::High {
        days = days.saturating_sub(HIGH_PRIORITY_DAYS_SAVED);
    }
    days.max(MIN_DELIVERY_DAYS)
}

/// PENDING_APPROVAL when the total exceeds 25,000.00, else CREATED.
pub fn order_status(total: Decimal) -> OrderStatus {
    if total > approval_threshold() {
        OrderStatus::PendingApproval
    } else {
        OrderStatus::Created
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn money(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn discount_rate_at_every_tier_boundary() {
        let cases = [
            (0, "0.00"),
            (1, "0.00"),
            (9, "0.00"),
            (10, "0.05"),
            (49, "0.05"),
            (50, "0.10"),
            (99, "0.10"),
            (100, "0.15"),
            (101, "0.15"),
            (10_000, "0.15"),
        ];
        for (quantity, expected) in cases {
            assert_eq!(discount_rate(quantity).to_string(), expected, "quantity {quantity}");
        }
    }

    #[test]
    fn pricing_table() {
        // (unit price, quantity, subtotal, rate, discount, total)
        let cases = [
            ("25.00", 1, "25.00", "0.00", "0.00", "25.00"),
            ("25.00", 9, "225.00", "0.00", "0.00", "225.00"),
            ("25.00", 10, "250.00", "0.05", "12.50", "237.50"),
            ("4.75", 49, "232.75", "0.05", "11.64", "221.11"), // 11.6375 rounds up
            ("4.75", 50, "237.50", "0.10", "23.75", "213.75"),
            ("9.99", 99, "989.01", "0.10", "98.90", "890.11"), // 98.901 rounds down
            ("149.99", 100, "14999.00", "0.15", "2249.85", "12749.15"),
            ("1299.00", 101, "131199.00", "0.15", "19679.85", "111519.15"),
            ("0.10", 15, "1.50", "0.05", "0.08", "1.42"), // 0.075: the midpoint rounds up
        ];
        for (unit, quantity, subtotal, rate, discount, total) in cases {
            let p = price(money(unit), quantity);
            let got = (
                p.subtotal.to_string(),
                p.discount_rate.to_string(),
                p.discount_amount.to_string(),
                p.total.to_string(),
            );
            assert_eq!(got, (subtotal.into(), rate.into(), discount.into(), total.into()), "{unit} × {quantity}");
        }
    }

    #[test]
    fn rounding_is_half_up_to_the_cent() {
        let cases = [
            ("0.005", "0.01"),
            ("0.004", "0.00"),
            ("2.675", "2.68"),
            ("2.665", "2.67"), // half-even would give 2.66
            ("11.6375", "11.64"),
            ("7", "7.00"),
        ];
        for (amount, expected) in cases {
            assert_eq!(round_to_cent(money(amount)).to_string(), expected, "{amount}");
        }
    }

    #[test]
    fn priority_at_every_boundary() {
        let cases = [
            ("0.00", Priority::Low),
            ("999.99", Priority::Low),
            ("1000.00", Priority::Medium),
            ("9999.99", Priority::Medium),
            ("10000.00", Priority::High),
            ("250000.00", Priority::High),
        ];
        for (total, expected) in cases {
            assert_eq!(priority(money(total), None), expected, "{total}");
        }
    }

    #[test]
    fn an_override_wins_over_the_total() {
        assert_eq!(priority(money("50000.00"), Some(Priority::Low)), Priority::Low);
        assert_eq!(priority(money("1.00"), Some(Priority::High)), Priority::High);
        assert_eq!(priority(money("1.00"), Some(Priority::Medium)), Priority::Medium);
    }

    #[test]
    fn delivery_days_table() {
        // (base, quantity, priority, expected)
        let cases = [
            (3, 1, Priority::Low, 3),
            (3, 100, Priority::Low, 3),
            (3, 101, Priority::Low, 5),
            (3, 100, Priority::High, 2),
            (3, 101, Priority::High, 4),
            (3, 101, Priority::Medium, 5),
            (1, 1, Priority::High, 1), // never below one day
            (1, 101, Priority::High, 2),
            (0, 1, Priority::Low, 1),
        ];
        for (base, quantity, priority, expected) in cases {
            assert_eq!(
                estimated_delivery_days(base, quantity, priority),
                expected,
                "base {base}, quantity {quantity}, {priority}"
            );
        }
    }

    #[test]
    fn status_at_the_approval_boundary() {
        let cases = [
            ("24999.99", OrderStatus::Created),
            ("25000.00", OrderStatus::Created),
            ("25000.01", OrderStatus::PendingApproval),
        ];
        for (total, expected) in cases {
            assert_eq!(order_status(money(total)), expected, "{total}");
        }
    }

    fn unit_prices() -> impl Strategy<Value = Decimal> {
        (1i64..=100_000_00).prop_map(|cents| Decimal::new(cents, CENTS))
    }

    proptest! {
        #[test]
        fn total_is_subtotal_minus_discount(unit in unit_prices(), quantity in 0u32..=10_000) {
            let p = price(unit, quantity);
            prop_assert_eq!(p.total, p.subtotal - p.discount_amount);
            prop_assert_eq!(p.subtotal, unit * Decimal::from(quantity));
        }

        #[test]
        fn discount_never_exceeds_subtotal(unit in unit_prices(), quantity in 0u32..=10_000) {
            let p = price(unit, quantity);
            prop_assert!(p.discount_amount >= Decimal::ZERO);
            prop_assert!(p.discount_amount <= p.subtotal);
            prop_assert!(p.total >= Decimal::ZERO);
        }

        #[test]
        fn amounts_are_whole_cents(unit in unit_prices(), quantity in 0u32..=10_000) {
            let p = price(unit, quantity);
            for amount in [p.subtotal, p.discount_amount, p.total] {
                prop_assert_eq!(amount, amount.round_dp(CENTS));
            }
        }

        #[test]
        fn discount_rate_is_monotonic(a in 0u32..=10_000, b in 0u32..=10_000) {
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(discount_rate(low) <= discount_rate(high));
        }

        #[test]
        fn priority_is_monotonic_in_the_total(a in 0i64..=1_000_000_00, b in 0i64..=1_000_000_00) {
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(
                priority(Decimal::new(low, CENTS), None) <= priority(Decimal::new(high, CENTS), None)
            );
        }

        #[test]
        fn delivery_days_are_at_least_one_and_bulk_never_faster(
            base in 0u32..=30,
            quantity in 0u32..=10_000,
            high in any::<bool>(),
        ) {
            let p = if high { Priority::High } else { Priority::Low };
            let days = estimated_delivery_days(base, quantity, p);
            prop_assert!(days >= MIN_DELIVERY_DAYS);
            prop_assert!(estimated_delivery_days(base, quantity.max(BULK_QUANTITY + 1), p) >= days);
        }

        #[test]
        fn approval_is_monotonic_in_the_total(a in 0i64..=1_000_000_00, b in 0i64..=1_000_000_00) {
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            let needs = |cents| order_status(Decimal::new(cents, CENTS)) == OrderStatus::PendingApproval;
            prop_assert!(!needs(low) || needs(high));
        }
    }
}
