//! Query-string parameters of the listing routes.

use std::collections::HashMap;

use acme_core::model::OrderStatus;

use crate::error::FieldError;

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// `limit` and `nextToken`, shared by both listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub limit: usize,
    pub next_token: Option<String>,
}

/// `GET /orders` filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrdersFilter {
    pub status: Option<OrderStatus>,
    pub schedule_id: Option<String>,
}

const PAGE_PARAMS: &[&str] = &["limit", "nextToken"];
const ORDER_PARAMS: &[&str] = &["limit", "nextToken", "status", "scheduleId"];

pub fn schedules_query(params: &HashMap<String, String>) -> Result<Page, Vec<FieldError>> {
    let mut errors = unknown(params, PAGE_PARAMS);
    let page = page(params, &mut errors);
    if errors.is_empty() {
        Ok(page)
    } else {
        Err(errors)
    }
}

pub fn orders_query(params: &HashMap<String, String>) -> Result<(OrdersFilter, Page), Vec<FieldError>> {
    let mut errors = unknown(params, ORDER_PARAMS);
    let page = page(params, &mut errors);
    let status = match params.get("status").map(String::as_str) {
        None => None,
        Some(text) => match text.parse::<OrderStatus>() {
            Ok(status) => Some(status),
            Err(err) => {
                errors.push(FieldError::new("status", err.to_string()));
                None
            }
        },
    };
    let schedule_id = match params.get("scheduleId").map(|s| s.trim()) {
        None => None,
        Some("") => {
            errors.push(FieldError::new("scheduleId", "must not be empty"));
            None
        }
        Some(id) => Some(id.to_owned()),
    };
    if errors.is_empty() {
        Ok((OrdersFilter { status, schedule_id }, page))
    } else {
        Err(errors)
    }
}

fn unknown(params: &HashMap<String, String>, known: &[&str]) -> Vec<FieldError> {
    let mut names: Vec<&String> = params.keys().filter(|name| !known.contains(&name.as_str())).collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            FieldError::new(name, "unknown query parameter").with_hint(format!("parameters are {}", known.join(", ")))
        })
        .collect()
}

fn page(params: &HashMap<String, String>, errors: &mut Vec<FieldError>) -> Page {
    let limit = match params.get("limit") {
        None => DEFAULT_LIMIT,
        Some(text) => match text.trim().parse::<usize>() {
            Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
            _ => {
                errors.push(FieldError::new("limit", format!("must be a whole number from 1 to {MAX_LIMIT}")));
                DEFAULT_LIMIT
            }
        },
    };
    let next_token = params.get("nextToken").filter(|t| !t.is_empty()).cloned();
    Page { limit, next_token }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults() {
        let page = schedules_query(&params(&[])).unwrap();
        assert_eq!(page, Page { limit: DEFAULT_LIMIT, next_token: None });
    }

    #[test]
    fn bad_parameters_are_named() {
        let cases = [
            (vec![("limit", "0")], "limit"),
            (vec![("limit", "101")], "limit"),
            (vec![("limit", "ten")], "limit"),
            (vec![("status", "SHIPPED")], "status"),
            (vec![("scheduleId", " ")], "scheduleId"),
            (vec![("sort", "asc")], "sort"),
        ];
        for (pairs, field) in cases {
            let errors = orders_query(&params(&pairs)).unwrap_err();
            assert_eq!(errors[0].field, field, "{pairs:?}");
        }
        assert_eq!(schedules_query(&params(&[("status", "ACTIVE")])).unwrap_err()[0].field, "status");
    }

    #[test]
    fn filters_are_read() {
        let (filter, page) =
            orders_query(&params(&[("status", "PENDING_APPROVAL"), ("scheduleId", "s-1"), ("limit", "5")])).unwrap();
        assert_eq!(filter.status, Some(OrderStatus::PendingApproval));
        assert_eq!(filter.schedule_id.as_deref(), Some("s-1"));
        assert_eq!(page.limit, 5);
    }
}
