//! `nextToken`: DynamoDB's LastEvaluatedKey, opaque to clients.
//!
//! The token is the key's string attributes as JSON, base64url-encoded. A
//! token comes back from the client, so it is checked before use: exactly the
//! key attributes of the index being queried, all strings, and the index's
//! partition value must be the one this request queries (a user cannot page
//! into another user's partition by editing a token).

use std::collections::BTreeMap;

use acme_core::table::Item;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::FieldError;

pub const FIELD: &str = "nextToken";

/// The key a token must hold for one query.
pub struct KeyShape<'a> {
    /// Every attribute of the key: the table's key plus the index's.
    pub attributes: &'static [&'static str],
    /// The index's partition attribute and the value queried.
    pub partition: (&'static str, &'a str),
}

pub fn encode(key: &Item) -> String {
    let strings: BTreeMap<&str, &str> =
        key.iter().filter_map(|(name, value)| value.as_s().ok().map(|s| (name.as_str(), s.as_str()))).collect();
    let json = serde_json::to_vec(&strings).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

pub fn decode(token: &str, shape: &KeyShape<'_>) -> Result<Item, FieldError> {
    let invalid = || FieldError::new(FIELD, "is not a token this listing returned");
    let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| invalid())?;
    let strings: BTreeMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let mut names: Vec<&str> = strings.keys().map(String::as_str).collect();
    let mut expected = shape.attributes.to_vec();
    names.sort_unstable();
    expected.sort_unstable();
    if names != expected {
        return Err(invalid());
    }
    let (partition_name, partition_value) = shape.partition;
    if strings.get(partition_name).map(String::as_str) != Some(partition_value) {
        return Err(invalid());
    }
    Ok(strings.into_iter().map(|(name, value)| (name, AttributeValue::S(value))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATTRS: &[&str] = &["scheduleId", "createdAt", "owner"];

    fn key(owner: &str) -> Item {
        [("scheduleId", "s-1"), ("createdAt", "2025-01-01T00:00:00.000Z"), ("owner", owner)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), AttributeValue::S(v.to_owned())))
            .collect()
    }

    #[test]
    fn round_trips_for_the_same_partition() {
        let token = encode(&key("alice"));
        let shape = KeyShape { attributes: ATTRS, partition: ("owner", "alice") };
        assert_eq!(decode(&token, &shape).unwrap(), key("alice"));
    }

    #[test]
    fn refuses_another_partition_other_keys_and_garbage() {
        let token = encode(&key("alice"));
        let bob = KeyShape { attributes: ATTRS, partition: ("owner", "bob") };
        assert!(decode(&token, &bob).is_err());
        let other_index = KeyShape { attributes: &["orderId", "createdAt", "owner"], partition: ("owner", "alice") };
        assert!(decode(&token, &other_index).is_err());
        let alice = KeyShape { attributes: ATTRS, partition: ("owner", "alice") };
        for garbage in ["", "!!!", "e30", "bnVsbA"] {
            assert_eq!(decode(garbage, &alice).unwrap_err().field, "nextToken", "{garbage}");
        }
    }
}
