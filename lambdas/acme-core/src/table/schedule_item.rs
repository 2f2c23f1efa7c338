use super::attr::{Item, ItemError, ItemReader, ItemWriter};
use crate::model::{FlexibleWindow, ScheduleDefinition};

pub fn schedule_to_item(definition: &ScheduleDefinition) -> Item {
    ItemWriter::default()
        .string("scheduleId", &definition.schedule_id)
        .string("createdAt", &definition.created_at)
        .string("scheduleName", &definition.schedule_name)
        .string("frequency", &definition.frequency)
        .opt_string("timezone", definition.timezone.as_deref())
        .string("gadgetType", &definition.gadget_type)
        .number("quantity", definition.quantity)
        .opt_number("flexibleWindowMinutes", definition.flexible_window_minutes.map(|w| w.0))
        .opt_string("priorityOverride", definition.priority_override.map(|p| p.as_str()))
        .opt_string("startDate", definition.start_date.as_deref())
        .opt_string("endDate", definition.end_date.as_deref())
        .boolean("enabled", definition.enabled)
        .string("status", definition.status.as_str())
        .string("owner", &definition.owner)
        .opt_string("cancelledAt", definition.cancelled_at.as_deref())
        .build()
}

pub fn schedule_from_item(item: &Item) -> Result<ScheduleDefinition, ItemError> {
    let r = ItemReader::new(item);
    Ok(ScheduleDefinition {
        schedule_id: r.string("scheduleId")?,
        created_at: r.string("createdAt")?,
        schedule_name: r.string("scheduleName")?,
        frequency: r.string("frequency")?,
        timezone: r.opt_string("timezone")?,
        gadget_type: r.string("gadgetType")?,
        quantity: r.integer("quantity")?,
        flexible_window_minutes: r.opt_integer("flexibleWindowMinutes")?.map(FlexibleWindow),
        priority_override: r.opt_parsed("priorityOverride")?,
        start_date: r.opt_string("startDate")?,
        end_date: r.opt_string("endDate")?,
        enabled: r.boolean("enabled")?,
        status: r.parsed("status")?,
        owner: r.string("owner")?,
        cancelled_at: r.opt_string("cancelledAt")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Priority, ScheduleStatus};
    use aws_sdk_dynamodb::types::AttributeValue;

    fn definition() -> ScheduleDefinition {
        ScheduleDefinition {
            schedule_id: "s-1".into(),
            created_at: "2025-03-01T08:00:00.000Z".into(),
            schedule_name: "weekly widgets".into(),
            frequency: "cron(0 8 ? * MON *)".into(),
            timezone: Some("Europe/Paris".into()),
            gadget_type: "WIDGET".into(),
            quantity: 12,
            flexible_window_minutes: Some(FlexibleWindow(15)),
            priority_override: Some(Priority::High),
            start_date: None,
            end_date: Some("2026-01-01T00:00:00.000Z".into()),
            enabled: true,
            status: ScheduleStatus::Active,
            owner: "user-1".into(),
            cancelled_at: None,
        }
    }

    #[test]
    fn round_trips_and_omits_absent_options() {
        let item = schedule_to_item(&definition());
        assert!(!item.contains_key("startDate"));
        assert_eq!(item.get("quantity"), Some(&AttributeValue::N("12".into())));
        assert_eq!(item.get("status"), Some(&AttributeValue::S("ACTIVE".into())));
        assert_eq!(schedule_from_item(&item).unwrap(), definition());
    }

    #[test]
    fn a_malformed_item_names_the_attribute() {
        let mut item = schedule_to_item(&definition());
        item.insert("status".into(), AttributeValue::S("PAUSED".into()));
        assert_eq!(schedule_from_item(&item).unwrap_err().attribute, "status");
        item.insert("status".into(), AttributeValue::S("ACTIVE".into()));
        item.remove("owner");
        assert_eq!(schedule_from_item(&item).unwrap_err().attribute, "owner");
    }
}
