//! `kms_key`, update section: what `update` converges, and how. Split off by job;
//! the layout is `provider::types`'s.

use super::*;

// ------------------------------------------------------------------ update --

pub(super) async fn set_enabled(cx: &Cx, key_id: &str, enabled: bool) -> Result<(), ProviderError> {
    if enabled {
        with_retries(|| async {
            cx.clients.kms().enable_key().key_id(key_id).send().await.map_err(aws_error("kms:EnableKey"))
        })
        .await?;
    } else {
        with_retries(|| async {
            cx.clients.kms().disable_key().key_id(key_id).send().await.map_err(aws_error("kms:DisableKey"))
        })
        .await?;
    }
    Ok(())
}

/// Turns automatic rotation on (with its period when given) or off.
pub(super) async fn set_rotation(
    cx: &Cx,
    key_id: &str,
    enabled: bool,
    period_days: Option<i32>,
) -> Result<(), ProviderError> {
    if enabled {
        with_retries(|| async {
            cx.clients
                .kms()
                .enable_key_rotation()
                .key_id(key_id)
                .set_rotation_period_in_days(period_days)
                .send()
                .await
                .map_err(aws_error("kms:EnableKeyRotation"))
        })
        .await?;
    } else {
        with_retries(|| async {
            cx.clients
                .kms()
                .disable_key_rotation()
                .key_id(key_id)
                .send()
                .await
                .map_err(aws_error("kms:DisableKeyRotation"))
        })
        .await?;
    }
    Ok(())
}

/// The policy AWS gives a key created without one (account root, `kms:*`),
/// put back when the spec drops its `KeyPolicy`.
pub(super) fn default_key_policy(cx: &Cx) -> Value {
    json!({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": { "AWS": format!("arn:aws:iam::{}:root", cx.account_id) },
            "Action": "kms:*",
            "Resource": "*"
        }]
    })
}

pub(super) async fn put_policy(cx: &Cx, key_id: &str, policy: &str, bypass: Option<bool>) -> Result<(), ProviderError> {
    retry_while(IAM_ROLE_PROPAGATION, is_unpropagated_principal, || {
        with_retries(|| async {
            cx.clients
                .kms()
                .put_key_policy()
                .key_id(key_id)
                .policy_name("default")
                .policy(policy)
                .set_bypass_policy_lockout_safety_check(bypass)
                .send()
                .await
                .map_err(aws_error("kms:PutKeyPolicy"))
        })
    })
    .await?;
    Ok(())
}
