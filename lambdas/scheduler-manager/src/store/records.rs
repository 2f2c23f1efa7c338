//! The two bookkeeping records that live next to the definitions in
//! ScheduleDefinitionsTable: the name claim and the idempotency record.
//!
//! Both are keyed so they can never be a definition: their `scheduleId`
//! starts with a prefix that no schedule id (a UUID) has, and neither carries
//! an `owner` attribute, so the OwnerIndex (which `GET /schedules` reads)
//! never sees them.
//!
//! - The claim `name#<owner>#<scheduleName>` says which schedule holds a name.
//!   It is written in the same transaction as the PENDING definition, on
//!   condition that it does not exist: of any number of concurrent creates
//!   with one name exactly one transaction commits. Cancelling deletes it in
//!   the same transaction that marks the definition CANCELLED.
//! - The idempotency record `idem#<owner>#<Idempotency-Key>` remembers the
//!   request body's SHA-256 and the schedule it created, for 24 hours
//!   (`expiresAt`, also the table's TTL attribute; an expired record is
//!   ignored even before TTL deletes it, since TTL deletion lags).

use acme_core::table::{names, Item};
use aws_sdk_dynamodb::types::AttributeValue;
use sha2::{Digest, Sha256};

/// The sort key value of every claim.
pub const CLAIM_SORT: &str = "claim";
/// The sort key value of every idempotency record.
pub const IDEMPOTENCY_SORT: &str = "idempotency";
/// How long an Idempotency-Key is remembered.
pub const IDEMPOTENCY_TTL_SECONDS: i64 = 24 * 3_600;

/// Attribute names of the records.
pub mod attrs {
    pub const CLAIMED_BY: &str = "claimedBy";
    pub const CLAIMED_AT: &str = "claimedAt";
    pub const REQUEST_HASH: &str = "requestHash";
    pub const RESULT_SCHEDULE_ID: &str = "resultScheduleId";
    pub const EXPIRES_AT: &str = "expiresAt";
}

/// Whether a path id could name a record rather than a definition: such ids
/// are never looked up.
pub fn is_record_id(id: &str) -> bool {
    id.contains('#')
}

/// The partition key of `owner`'s claim on `schedule_name`. A Cognito `sub`
/// has no `#`, so owner and name cannot run into each other.
pub fn claim_id(owner: &str, schedule_name: &str) -> String {
    format!("name#{owner}#{schedule_name}")
}

/// The partition key of `owner`'s record for `key`.
pub fn idempotency_id(owner: &str, key: &str) -> String {
    format!("idem#{owner}#{key}")
}

/// The SHA-256 of a request body, hex: what "the same request" means.
pub fn request_hash(body: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut hex = String::with_capacity(64);
    for byte in Sha256::digest(body) {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// A claim as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub schedule_id: String,
    pub claimed_at: String,
}

/// An idempotency record as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub request_hash: String,
    pub schedule_id: String,
    /// Unix seconds.
    pub expires_at: i64,
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

pub fn claim_key(owner: &str, schedule_name: &str) -> Item {
    Item::from([
        (names::SCHEDULE_ID.to_owned(), s(&claim_id(owner, schedule_name))),
        (names::CREATED_AT.to_owned(), s(CLAIM_SORT)),
    ])
}

pub fn claim_item(owner: &str, schedule_name: &str, claim: &Claim) -> Item {
    let mut item = claim_key(owner, schedule_name);
    item.insert(attrs::CLAIMED_BY.to_owned(), s(&claim.schedule_id));
    item.insert(attrs::CLAIMED_AT.to_owned(), s(&claim.claimed_at));
    item
}

pub fn claim_from_item(item: &Item) -> Option<Claim> {
    Some(Claim {
        schedule_id: item.get(attrs::CLAIMED_BY)?.as_s().ok()?.clone(),
        claimed_at: item.get(attrs::CLAIMED_AT)?.as_s().ok()?.clone(),
    })
}

pub fn idempotency_key(owner: &str, key: &str) -> Item {
    Item::from([
        (names::SCHEDULE_ID.to_owned(), s(&idempotency_id(owner, key))),
        (names::CREATED_AT.to_owned(), s(IDEMPOTENCY_SORT)),
    ])
}

pub fn idempotency_item(owner: &str, key: &str, record: &IdempotencyRecord) -> Item {
    let mut item = idempotency_key(owner, key);
    item.insert(attrs::REQUEST_HASH.to_owned(), s(&record.request_hash));
    item.insert(attrs::RESULT_SCHEDULE_ID.to_owned(), s(&record.schedule_id));
    item.insert(attrs::EXPIRES_AT.to_owned(), AttributeValue::N(record.expires_at.to_string()));
    item
}

pub fn idempotency_from_item(item: &Item) -> Option<IdempotencyRecord> {
    Some(IdempotencyRecord {
        request_hash: item.get(attrs::REQUEST_HASH)?.as_s().ok()?.clone(),
        schedule_id: item.get(attrs::RESULT_SCHEDULE_ID)?.as_s().ok()?.clone(),
        expires_at: item.get(attrs::EXPIRES_AT)?.as_n().ok()?.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_cannot_be_schedule_ids_or_collide() {
        let claim = claim_id("alice", "weekly");
        let idem = idempotency_id("alice", "weekly");
        assert!(is_record_id(&claim) && is_record_id(&idem));
        assert_ne!(claim, idem);
        assert!(!is_record_id(&uuid::Uuid::new_v4().to_string()));
        // A sub has no `#`, so everything after the owner's `#` is the name.
        assert_eq!(claim_id("alice", "a#b").strip_prefix("name#alice#"), Some("a#b"));
    }

    #[test]
    fn records_round_trip_and_carry_no_owner() {
        let claim = Claim { schedule_id: "s-1".into(), claimed_at: "2025-01-01T00:00:00.000Z".into() };
        let item = claim_item("alice", "weekly", &claim);
        assert!(!item.contains_key(names::OWNER), "kept out of the OwnerIndex");
        assert_eq!(claim_from_item(&item), Some(claim));

        let record = IdempotencyRecord { request_hash: request_hash(b"{}"), schedule_id: "s-1".into(), expires_at: 42 };
        let item = idempotency_item("alice", "k-1", &record);
        assert!(!item.contains_key(names::OWNER));
        assert_eq!(idempotency_from_item(&item), Some(record));
    }

    #[test]
    fn the_request_hash_is_the_bodys_sha256() {
        assert_eq!(request_hash(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_ne!(request_hash(b"{\"a\":1}"), request_hash(b"{\"a\":2}"));
    }
}
