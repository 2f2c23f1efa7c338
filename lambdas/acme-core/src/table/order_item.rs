use super::attr::{Item, ItemError, ItemReader, ItemWriter};
use crate::model::{OrderMetadata, PurchaseOrder};

/// Decimal places of money amounts and of the discount rate.
const MONEY_SCALE: u32 = 2;

pub fn order_to_item(order: &PurchaseOrder) -> Item {
    let metadata = ItemWriter::default()
        .string("scheduleName", &order.metadata.schedule_name)
        .string("scheduledTime", &order.metadata.scheduled_time)
        .string("executionId", &order.metadata.execution_id)
        .string("executorVersion", &order.metadata.executor_version)
        .build();
    ItemWriter::default()
        .string("orderId", &order.order_id)
        .string("createdAt", &order.created_at)
        .string("scheduleId", &order.schedule_id)
        .string("gadgetType", &order.gadget_type)
        .number("quantity", order.quantity)
        .number("unitPrice", order.unit_price)
        .number("subtotal", order.subtotal)
        .number("discountRate", order.discount_rate)
        .number("discountAmount", order.discount_amount)
        .number("total", order.total)
        .string("priority", order.priority.as_str())
        .string("supplier", &order.supplier)
        .string("status", order.status.as_str())
        .number("estimatedDeliveryDays", order.estimated_delivery_days)
        .map("metadata", metadata)
        .string("owner", &order.owner)
        .string(super::names::OWNER_STATUS, super::owner_status(&order.owner, order.status))
        .build()
}

pub fn order_from_item(item: &Item) -> Result<PurchaseOrder, ItemError> {
    let r = ItemReader::new(item);
    let m = r.map("metadata")?;
    Ok(PurchaseOrder {
        order_id: r.string("orderId")?,
        created_at: r.string("createdAt")?,
        schedule_id: r.string("scheduleId")?,
        gadget_type: r.string("gadgetType")?,
        quantity: r.integer("quantity")?,
        unit_price: r.decimal("unitPrice", MONEY_SCALE)?,
        subtotal: r.decimal("subtotal", MONEY_SCALE)?,
        discount_rate: r.decimal("discountRate", MONEY_SCALE)?,
        discount_amount: r.decimal("discountAmount", MONEY_SCALE)?,
        total: r.decimal("total", MONEY_SCALE)?,
        priority: r.parsed("priority")?,
        supplier: r.string("supplier")?,
        status: r.parsed("status")?,
        estimated_delivery_days: r.integer("estimatedDeliveryDays")?,
        metadata: OrderMetadata {
            schedule_name: m.string("scheduleName")?,
            scheduled_time: m.string("scheduledTime")?,
            execution_id: m.string("executionId")?,
            executor_version: m.string("executorVersion")?,
        },
        owner: r.string("owner")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OrderStatus, Priority};
    use aws_sdk_dynamodb::types::AttributeValue;
    use rust_decimal::Decimal;

    fn order() -> PurchaseOrder {
        PurchaseOrder {
            order_id: "o-1".into(),
            created_at: "2025-03-01T08:00:00.000Z".into(),
            schedule_id: "s-1".into(),
            gadget_type: "WIDGET".into(),
            quantity: 10,
            unit_price: Decimal::new(2500, 2),
            subtotal: Decimal::new(25000, 2),
            discount_rate: Decimal::new(5, 2),
            discount_amount: Decimal::new(1250, 2),
            total: Decimal::new(23750, 2),
            priority: Priority::Low,
            supplier: "Widget Works Ltd".into(),
            status: OrderStatus::Created,
            estimated_delivery_days: 3,
            metadata: OrderMetadata {
                schedule_name: "n".into(),
                scheduled_time: "2025-03-01T08:00:00Z".into(),
                execution_id: "e".into(),
                executor_version: "0.1.0".into(),
            },
            owner: "user-1".into(),
        }
    }

    #[test]
    fn money_is_stored_as_exact_numbers() {
        let item = order_to_item(&order());
        assert_eq!(item.get("total"), Some(&AttributeValue::N("237.50".into())));
        assert_eq!(item.get("discountRate"), Some(&AttributeValue::N("0.05".into())));
    }

    #[test]
    fn money_keeps_two_places_when_dynamodb_drops_trailing_zeros() {
        let mut item = order_to_item(&order());
        item.insert("total".into(), AttributeValue::N("237.5".into()));
        item.insert("discountRate".into(), AttributeValue::N("0".into()));
        let read = order_from_item(&item).unwrap();
        assert_eq!(read.total.to_string(), "237.50");
        assert_eq!(read.discount_rate.to_string(), "0.00");
    }

    #[test]
    fn the_owner_status_index_key_is_owner_then_status() {
        let item = order_to_item(&order());
        let expected = format!("{}#{}", order().owner, order().status.as_str());
        assert_eq!(item.get("ownerStatus"), Some(&AttributeValue::S(expected)));
    }

    #[test]
    fn round_trips() {
        assert_eq!(order_from_item(&order_to_item(&order())).unwrap(), order());
    }
}
