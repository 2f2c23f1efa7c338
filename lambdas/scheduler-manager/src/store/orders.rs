use acme_core::model::PurchaseOrder;
use acme_core::table::{indexes, names, order_from_item, Item};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

use super::{query_page, Listing, StoreError};
use crate::page_token::KeyShape;
use crate::query::OrdersFilter;

/// Which index answers an orders listing, and what it filters.
///
/// The most selective key wins: a scheduleId (one schedule's orders), else a
/// status (the StatusIndex, as the stack intends), else the owner. The owner
/// is always enforced, as key or as filter, so nobody lists another's orders.
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
        let status = filter.status.map(|status| (names::STATUS, status.as_str().to_owned()));
        match (&filter.schedule_id, status) {
            (Some(schedule_id), status) => OrdersPlan {
                index: indexes::SCHEDULE_INDEX,
                partition: (names::SCHEDULE_ID, schedule_id.clone()),
                filters: std::iter::once(owner_filter).chain(status).collect(),
            },
            (None, Some(status)) => {
                OrdersPlan { index: indexes::STATUS_INDEX, partition: status, filters: vec![owner_filter] }
            }
            (None, None) => OrdersPlan { index: indexes::OWNER_INDEX, partition: owner_filter, filters: Vec::new() },
        }
    }

    pub fn index(&self) -> &'static str {
        self.index
    }

    /// What a nextToken for this listing must contain.
    pub fn key_shape(&self) -> KeyShape<'_> {
        let attributes: &'static [&'static str] = match self.partition.0 {
            names::SCHEDULE_ID => &[names::ORDER_ID, names::CREATED_AT, names::SCHEDULE_ID],
            names::STATUS => &[names::ORDER_ID, names::CREATED_AT, names::STATUS],
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
    fn the_most_selective_index_is_used_and_the_owner_always_enforced() {
        let none = OrdersFilter { status: None, schedule_id: None };
        let status = OrdersFilter { status: Some(OrderStatus::Created), schedule_id: None };
        let both = OrdersFilter { status: Some(OrderStatus::Created), schedule_id: Some("s".into()) };

        let plan = OrdersPlan::new("alice", &none);
        assert_eq!((plan.index, plan.partition.0, plan.filters.len()), ("OwnerIndex", "owner", 0));
        let plan = OrdersPlan::new("alice", &status);
        assert_eq!((plan.index, plan.partition.0), ("StatusIndex", "status"));
        assert_eq!(plan.filters, vec![("owner", "alice".to_string())]);
        let plan = OrdersPlan::new("alice", &both);
        assert_eq!((plan.index, plan.partition.0), ("ScheduleIndex", "scheduleId"));
        assert_eq!(plan.filters, vec![("owner", "alice".to_string()), ("status", "CREATED".to_string())]);
    }
}
