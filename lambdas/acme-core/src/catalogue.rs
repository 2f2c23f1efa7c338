//! The gadget types ACME orders: one table of data, looked up by name.
//!
//! Prices are kept as integer cents here so the table can be `const` data and
//! no floating point literal can creep in; [`CatalogueEntry::unit_price`]
//! turns them into exact decimals.

use rust_decimal::Decimal;

/// One orderable gadget type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueEntry {
    /// The name clients send as `gadgetType` (upper case, exact match).
    pub gadget_type: &'static str,
    unit_price_cents: i64,
    pub supplier: &'static str,
    /// Delivery days before the quantity and priority adjustments.
    pub base_delivery_days: u32,
}

impl CatalogueEntry {
    /// The unit price as an exact amount with two decimal places.
    pub fn unit_price(&self) -> Decimal {
        Decimal::new(self.unit_price_cents, 2)
    }
}

/// Every gadget type ACME can order.
pub const CATALOGUE: &[CatalogueEntry] = &[
    CatalogueEntry {
        gadget_type: "WIDGET",
        unit_price_cents: 2_500,
        supplier: "Widget Works Ltd",
        base_delivery_days: 3,
    },
    CatalogueEntry {
        gadget_type: "SPROCKET",
        unit_price_cents: 475,
        supplier: "Sprocket Supply Co",
        base_delivery_days: 2,
    },
    CatalogueEntry {
        gadget_type: "GIZMO",
        unit_price_cents: 14_999,
        supplier: "Gizmo Industries",
        base_delivery_days: 5,
    },
    CatalogueEntry {
        gadget_type: "DOOHICKEY",
        unit_price_cents: 129_900,
        supplier: "Doohickey Dynamics",
        base_delivery_days: 7,
    },
    CatalogueEntry {
        gadget_type: "THINGAMAJIG",
        unit_price_cents: 999,
        supplier: "Widget Works Ltd",
        base_delivery_days: 1,
    },
];

/// Looks a gadget type up by its exact name.
pub fn find(gadget_type: &str) -> Option<&'static CatalogueEntry> {
    CATALOGUE.iter().find(|entry| entry.gadget_type == gadget_type)
}

/// The names clients may send, for error messages and documentation.
pub fn gadget_type_names() -> Vec<&'static str> {
    CATALOGUE.iter().map(|entry| entry.gadget_type).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names = gadget_type_names();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATALOGUE.len());
    }

    #[test]
    fn every_entry_is_orderable() {
        for entry in CATALOGUE {
            assert!(entry.unit_price() > Decimal::ZERO, "{}", entry.gadget_type);
            assert_eq!(entry.unit_price().scale(), 2, "{}", entry.gadget_type);
            assert!(entry.base_delivery_days >= 1, "{}", entry.gadget_type);
            assert!(!entry.supplier.is_empty(), "{}", entry.gadget_type);
        }
    }

    #[test]
    fn lookup_is_exact() {
        assert_eq!(find("GIZMO").map(|e| e.unit_price()), Some(Decimal::new(14_999, 2)));
        assert_eq!(find("gizmo"), None);
        assert_eq!(find("UNKNOWN"), None);
    }
}
