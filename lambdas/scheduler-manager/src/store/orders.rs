use acme_core::model::PurchaseOrder;
use acme_core::table::{indexes, names, order_from_item, owner_status, Item};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

use super::{query_page, Listing, StoreError};
use crate::page_token::KeyShape;
use crate::query::OrdersFilter;

/// Which index answers an orders listing, and what it filters.
///
/// Every plan reads only the caller's items: the owner's OwnerIndex
/// partition, the owner's `<owner>#<status>` OwnerStatusIndex partition, or
/// the ScheduleIndex partition of one schedule, which the service queries
/// only after checking that the schedule is the caller's (every order of a
/// schedule carries its owner). The owner filter on the last is a second
/// guard, not the isolation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrdersPlan {
    index: &'static str,
    partition: (&'static str, String),
    /// (attribute, value) pairs that must also match.
    filters: Vec<(&'static str, String)>,
}

impl OrdersPlan {
    pub fn new(owner: &str, filter: &OrdersFilter) -> Self {
        let owner_filter = (names::OWNER, owner.to_owned());
        match (&filter.schedule_id, filter.status) {
            (Some(schedule_id), status) => OrdersPlan {
                index: indexes::SCHEDULE_INDEX,
                partition: (names::SCHEDULE_ID, schedule_id.clone()),
                filters: std::iter::once(owner_filter)
                    .chain(status.map(|status| (names::STATUS, status.as_str().to_owned())))
                    .collect(),
            },
            (None, Some(status)) => OrdersPlan {
                index: indexes::OWNER_STATUS_INDEX,
                partition: (names::OWNER_STATUS, owner_status(owner, status)),
                filters: Vec::new(),
            },
            (None, None) => OrdersPlan { index: indexes::OWNER_INDEX, partition: owner_filter, filters: Vec::new() },
        }
    }

    pub fn index(&self) -> &'static str {
        self.index
    }

    /// Names this listing in a page token's encryption context, so a token
    /// only continues the listing that returned it.
    pub fn listing(&self) -> String {
        let filters: Vec<String> = self.filters.iter().map(|(name, value)| format!("{name}={value}")).collect();
        format!("orders:{}:{}:{}", self.index, self.partition.1, filters.join("&"))
    }

    /// What a nextToken for this listing must contain.
    pub fn key_shape(&self) -> KeyShape<'_> {
        let attributes: &'static [&'static str] = match self.partition.0 {
            names::SCHEDULE_ID => &[names::ORDER_ID, names::CREATED_AT, names::SCHEDULE_ID],
            names::OWNER_STATUS => &[names::ORDER_ID, names::CREATED_AT, names::OWNER_STATUS],
            _ => &[names::ORDER_ID, names::CREATED_AT, names::OWNER],
        };
        KeyShape { attributes, partition: (self.partition.0, &self.partition.1) }
    }
}

#[derive(Clone)]
pub struct OrderStore {
    client: Client,
    table: String,
}

impl OrderStore {
    pub fn new(client: Client, table: String) -> Self {
        OrderStore { client, table }
    }

    /// One page of orders, newest first.
    pub async fn list(
        &self,
        plan: &OrdersPlan,
        limit: usize,
        start: Option<Item>,
    ) -> Result<Listing<PurchaseOrder>, StoreError> {
        let filter_expression =
            plan.filters.iter().enumerate().map(|(i, _)| format!("#f{i} = :f{i}")).collect::<Vec<_>>().join(" AND ");
        let query = || {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(plan.index)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", plan.partition.0)
                .expression_attribute_values(":pk", AttributeValue::S(plan.partition.1.clone()))
                .scan_index_forward(false);
            for (i, (name, value)) in plan.filters.iter().enumerate() {
                query = query
                    .expression_attribute_names(format!("#f{i}"), *name)
                    .expression_attribute_values(format!(":f{i}"), AttributeValue::S(value.clone()));
            }
            if !filter_expression.is_empty() {
                query = query.filter_expression(filter_expression.clone());
            }
            query
        };
        let page = query_page(query, limit, start).await?;
        let items = page.items.iter().map(order_from_item).collect::<Result<_, _>>()?;
        Ok(Listing { items, next_key: page.next_key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acme_core::model::OrderStatus;

    #[test]
    fn every_plan_reads_only_the_callers_partition() {
        let none = OrdersFilter { status: None, schedule_id: None };
        let status = OrdersFilter { status: Some(OrderStatus::Created), schedule_id: None };
        let both = OrdersFilter { status: Some(OrderStatus::Created), schedule_id: Some("s".into()) };

        let plan = OrdersPlan::new("alice", &none);
        assert_eq!((plan.index, plan.partition.0, plan.partition.1.as_str()), ("OwnerIndex", "owner", "alice"));
        assert!(plan.filters.is_empty());
        let plan = OrdersPlan::new("alice", &status);
        assert_eq!(
            (plan.index, plan.partition.0, plan.partition.1.as_str()),
            ("OwnerStatusIndex", "ownerStatus", "alice#CREATED")
        );
        assert!(plan.filters.is_empty(), "no filter: the key is the isolation");
        assert_eq!(plan.key_shape().attributes, &["orderId", "createdAt", "ownerStatus"]);
        let plan = OrdersPlan::new("alice", &both);
        assert_eq!((plan.index, plan.partition.0), ("ScheduleIndex", "scheduleId"));
        assert_eq!(plan.filters, vec![("owner", "alice".to_string()), ("status", "CREATED".to_string())]);
    }

    #[test]
    fn listings_are_told_apart_for_page_tokens() {
        let created = OrdersFilter { status: Some(OrderStatus::Created), schedule_id: None };
        let pending = OrdersFilter { status: Some(OrderStatus::PendingApproval), schedule_id: None };
        let none = OrdersFilter { status: None, schedule_id: None };
        let listings: std::collections::BTreeSet<String> =
            [&created, &pending, &none].into_iter().map(|filter| OrdersPlan::new("alice", filter).listing()).collect();
        assert_eq!(listings.len(), 3);
    }
}
