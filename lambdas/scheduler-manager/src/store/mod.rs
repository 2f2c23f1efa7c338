//! DynamoDB access of the API: schedule definitions and orders. No request
//! scans a table; every read is a key lookup or a query on one partition of
//! the table or of a GSI.

mod definitions;
mod orders;
pub mod records;

pub use definitions::DefinitionStore;
pub use orders::{OrderStore, OrdersPlan};

/// The key attributes of a ScheduleDefinitionsTable OwnerIndex position.
pub fn definitions_owner_index_key() -> &'static [&'static str] {
    definitions::OWNER_INDEX_KEY
}

use acme_core::table::{Item, ItemError};
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("DynamoDB {operation} failed: {message}")]
    DynamoDb { operation: &'static str, message: String },
    #[error("a stored item is malformed: {0}")]
    Malformed(#[from] ItemError),
    /// A conditional write found the item in an unexpected state.
    #[error("DynamoDB {operation}: condition failed")]
    ConditionFailed { operation: &'static str },
}

impl StoreError {
    pub(crate) fn dynamodb<E, R>(operation: &'static str, err: SdkError<E, R>) -> Self
    where
        E: std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        StoreError::DynamoDb { operation, message: DisplayErrorContext(err).to_string() }
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next_key: Option<Item>,
}

/// Round trips one page may take when a filter drops items; past this the
/// page is returned short, with its nextToken, rather than reading on.
const MAX_ROUND_TRIPS: usize = 10;

/// Reads up to `limit` items of a query, following LastEvaluatedKey while a
/// filter expression leaves pages short. `Limit` is always the number still
/// wanted, so the returned key is exactly where the next page must start.
pub(crate) async fn query_page(
    query: impl Fn() -> QueryFluentBuilder,
    limit: usize,
    start: Option<Item>,
) -> Result<Listing<Item>, StoreError> {
    let mut items = Vec::with_capacity(limit);
    let mut next_key = start;
    for _ in 0..MAX_ROUND_TRIPS {
        let wanted = i32::try_from(limit - items.len()).unwrap_or(i32::MAX);
        let output = query()
            .limit(wanted)
            .set_exclusive_start_key(next_key.take())
            .send()
            .await
            .map_err(|err| StoreError::dynamodb("Query", err))?;
        items.extend(output.items.unwrap_or_default());
        next_key = output.last_evaluated_key.filter(|key| !key.is_empty());
        if next_key.is_none() || items.len() >= limit {
            break;
        }
    }
    Ok(Listing { items, next_key })
}
