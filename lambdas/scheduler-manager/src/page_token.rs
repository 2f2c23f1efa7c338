//! `nextToken`: DynamoDB's LastEvaluatedKey, sealed so that clients can
//! neither read nor forge it, and bound to the caller who received it.
//!
//! Sealing is KMS `Encrypt` under the stack's key with an encryption context
//! of `{purpose, sub, listing}`; opening is KMS `Decrypt` with the same
//! context and the key id pinned. KMS authenticates the context, so a token
//! edited by a byte, presented by another user or replayed against another
//! listing fails to decrypt (docs/decisions.md: why KMS and not a key of our
//! own). Every such token gets the same 400 with a fixed message: nothing
//! tells the client which check failed.
//!
//! After opening, the key is still checked against the listing's index (the
//! exact key attributes, all strings, the queried partition): a token is data
//! from outside until it has passed both.

use std::collections::{BTreeMap, HashMap};

use acme_core::table::Item;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_kms::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_kms::primitives::Blob;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use thiserror::Error;

use crate::error::FieldError;

pub const FIELD: &str = "nextToken";

/// The one message of every refused token.
pub const REJECTED: &str = "is not a token this listing returned to you";

/// The `purpose` value of the encryption context: a ciphertext the function
/// makes for anything else under the same key never opens as a page token.
const PURPOSE: &str = "acme-page-token";

/// Longest token accepted before any KMS call (a KMS ciphertext is at most
/// 6144 bytes; ours are a few hundred).
const MAX_TOKEN_CHARS: usize = 8_192;

/// KMS errors that mean "this ciphertext is not one of ours for this
/// context": the client's fault. Anything else (throttling, a disabled key)
/// is ours and a 500.
///
/// AccessDeniedException is here because it is what the local cloud (moto)
/// answers for a blob that names another key, where AWS answers
/// IncorrectKeyException. A real loss of kms:Decrypt cannot hide behind it:
/// the same role then fails every Encrypt too, so first pages are 500s.
const CLIENT_CIPHERTEXT_ERRORS: &[&str] =
    &["InvalidCiphertextException", "IncorrectKeyException", "AccessDeniedException"];

/// The key a token must hold for one query.
pub struct KeyShape<'a> {
    /// Every attribute of the key: the table's key plus the index's.
    pub attributes: &'static [&'static str],
    /// The index's partition attribute and the value queried.
    pub partition: (&'static str, &'a str),
}

#[derive(Debug, Error)]
pub enum TokenError {
    /// Tampered with, foreign, for another listing, or garbage: a 400.
    #[error("rejected page token")]
    Rejected,
    /// KMS failed for a reason of its own: a 500, logged.
    #[error("KMS {operation} failed: {message}")]
    Kms { operation: &'static str, message: String },
}

impl TokenError {
    pub fn field_error() -> FieldError {
        FieldError::new(FIELD, REJECTED)
    }
}

/// Seals and opens page tokens with one KMS key.
#[derive(Clone)]
pub struct PageTokens {
    kms: aws_sdk_kms::Client,
    key_arn: String,
}

/// The encryption context of a token: what it is, for whom, for which
/// listing. KMS records it in CloudTrail; none of it is secret.
pub fn context(sub: &str, listing: &str) -> HashMap<String, String> {
    HashMap::from([
        ("purpose".to_owned(), PURPOSE.to_owned()),
        ("sub".to_owned(), sub.to_owned()),
        ("listing".to_owned(), listing.to_owned()),
    ])
}

impl PageTokens {
    pub fn new(kms: aws_sdk_kms::Client, key_arn: String) -> Self {
        PageTokens { kms, key_arn }
    }

    /// The opaque token for `key`, for `sub` on `listing`.
    pub async fn seal(&self, sub: &str, listing: &str, key: &Item) -> Result<String, TokenError> {
        let output = self
            .kms
            .encrypt()
            .key_id(&self.key_arn)
            .plaintext(Blob::new(plaintext(key)))
            .set_encryption_context(Some(context(sub, listing)))
            .send()
            .await
            .map_err(|err| TokenError::Kms { operation: "Encrypt", message: DisplayErrorContext(err).to_string() })?;
        let blob = output.ciphertext_blob.ok_or_else(|| TokenError::Kms {
            operation: "Encrypt",
            message: String::from("no CiphertextBlob in the answer"),
        })?;
        Ok(URL_SAFE_NO_PAD.encode(blob.as_ref()))
    }

    /// The key in `token` if `sub` received it from `listing` and it has the
    /// listing's shape.
    pub async fn open(&self, sub: &str, listing: &str, token: &str, shape: &KeyShape<'_>) -> Result<Item, TokenError> {
        let token = token.trim();
        if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
            return Err(TokenError::Rejected);
        }
        let blob = URL_SAFE_NO_PAD.decode(token).map_err(|_| TokenError::Rejected)?;
        let output = self
            .kms
            .decrypt()
            .key_id(&self.key_arn)
            .ciphertext_blob(Blob::new(blob))
            .set_encryption_context(Some(context(sub, listing)))
            .send()
            .await
            .map_err(|err| match err.as_service_error().and_then(|e| e.code()) {
                Some(code) if CLIENT_CIPHERTEXT_ERRORS.contains(&code) => TokenError::Rejected,
                _ => TokenError::Kms { operation: "Decrypt", message: DisplayErrorContext(err).to_string() },
            })?;
        let plain = output.plaintext.ok_or(TokenError::Rejected)?;
        key_from_plaintext(plain.as_ref(), shape).ok_or(TokenError::Rejected)
    }
}

/// The key's string attributes as JSON (what is sealed).
pub fn plaintext(key: &Item) -> Vec<u8> {
    let strings: BTreeMap<&str, &str> =
        key.iter().filter_map(|(name, value)| value.as_s().ok().map(|s| (name.as_str(), s.as_str()))).collect();
    serde_json::to_vec(&strings).unwrap_or_default()
}

/// The key an opened token holds, if it has exactly the listing's shape.
pub fn key_from_plaintext(bytes: &[u8], shape: &KeyShape<'_>) -> Option<Item> {
    let strings: BTreeMap<String, String> = serde_json::from_slice(bytes).ok()?;
    let mut names: Vec<&str> = strings.keys().map(String::as_str).collect();
    let mut expected = shape.attributes.to_vec();
    names.sort_unstable();
    expected.sort_unstable();
    if names != expected {
        return None;
    }
    let (partition_name, partition_value) = shape.partition;
    if strings.get(partition_name).map(String::as_str) != Some(partition_value) {
        return None;
    }
    Some(strings.into_iter().map(|(name, value)| (name, AttributeValue::S(value))).collect())
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
    fn a_key_round_trips_for_the_same_partition() {
        let shape = KeyShape { attributes: ATTRS, partition: ("owner", "alice") };
        assert_eq!(key_from_plaintext(&plaintext(&key("alice")), &shape), Some(key("alice")));
    }

    #[test]
    fn another_partition_other_attributes_and_garbage_are_refused() {
        let sealed = plaintext(&key("alice"));
        let bob = KeyShape { attributes: ATTRS, partition: ("owner", "bob") };
        assert_eq!(key_from_plaintext(&sealed, &bob), None);
        let other_index = KeyShape { attributes: &["orderId", "createdAt", "owner"], partition: ("owner", "alice") };
        assert_eq!(key_from_plaintext(&sealed, &other_index), None);
        let alice = KeyShape { attributes: ATTRS, partition: ("owner", "alice") };
        for garbage in [&b""[..], b"{}", b"null", b"[1]", b"{\"owner\":1}"] {
            assert_eq!(key_from_plaintext(garbage, &alice), None, "{garbage:?}");
        }
    }

    #[test]
    fn the_context_binds_purpose_caller_and_listing() {
        let context = context("alice", "orders?status=CREATED");
        assert_eq!(context["purpose"], "acme-page-token");
        assert_eq!(context["sub"], "alice");
        assert_eq!(context["listing"], "orders?status=CREATED");
        assert_eq!(context.len(), 3);
    }

    #[test]
    fn the_rejection_message_says_nothing_about_why() {
        let error = TokenError::field_error();
        assert_eq!((error.field.as_str(), error.message.as_str()), ("nextToken", REJECTED));
    }
}
