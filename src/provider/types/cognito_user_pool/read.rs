//! `cognito_user_pool`, read section: the live resource in the spec's terms. Split off by job;
//! the layout is `provider::types`'s.

use super::*;

// -------------------------------------------------------------------- read --

pub(super) fn policies_json(p: &UserPoolPolicyType) -> Value {
    let mut out = Map::new();
    if let Some(pp) = p.password_policy() {
        let mut m = Map::new();
        put(&mut m, "MinimumLength", pp.minimum_length().map(Value::from));
        m.insert("RequireLowercase".into(), json!(pp.require_lowercase()));
        m.insert("RequireNumbers".into(), json!(pp.require_numbers()));
        m.insert("RequireSymbols".into(), json!(pp.require_symbols()));
        m.insert("RequireUppercase".into(), json!(pp.require_uppercase()));
        put(&mut m, "TemporaryPasswordValidityDays", Some(json!(pp.temporary_password_validity_days())));
        put(&mut m, "PasswordHistorySize", pp.password_history_size().map(Value::from));
        out.insert("PasswordPolicy".into(), Value::Object(m));
    }
    Value::Object(out)
}

pub(super) fn put(m: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        m.insert(key.to_owned(), v);
    }
}

pub(super) fn recovery_json(r: &AccountRecoverySettingType) -> Value {
    let items: Vec<Value> = r
        .recovery_mechanisms()
        .iter()
        .map(|m| json!({ "Name": m.name().as_str(), "Priority": m.priority() }))
        .collect();
    json!({ "RecoveryMechanisms": items })
}

pub(super) fn admin_create_user_json(a: &AdminCreateUserConfigType) -> Value {
    let mut m = Map::new();
    m.insert("AllowAdminCreateUserOnly".into(), json!(a.allow_admin_create_user_only()));
    if let Some(t) = a.invite_message_template() {
        let mut tm = Map::new();
        put(&mut tm, "EmailMessage", t.email_message().map(Value::from));
        put(&mut tm, "EmailSubject", t.email_subject().map(Value::from));
        put(&mut tm, "SMSMessage", t.sms_message().map(Value::from));
        m.insert("InviteMessageTemplate".into(), Value::Object(tm));
    }
    Value::Object(m)
}

pub(super) fn email_json(e: &EmailConfigurationType) -> Value {
    let mut m = Map::new();
    put(&mut m, "EmailSendingAccount", e.email_sending_account().map(|a| json!(a.as_str())));
    put(&mut m, "SourceArn", e.source_arn().map(Value::from));
    put(&mut m, "From", e.from().map(Value::from));
    put(&mut m, "ReplyToEmailAddress", e.reply_to_email_address().map(Value::from));
    put(&mut m, "ConfigurationSet", e.configuration_set().map(Value::from));
    Value::Object(m)
}

pub(super) fn schema_attribute_json(a: &SchemaAttributeType, name: &str) -> Value {
    let mut m = Map::new();
    m.insert("Name".into(), json!(name));
    put(&mut m, "AttributeDataType", a.attribute_data_type().map(|t| json!(t.as_str())));
    put(&mut m, "DeveloperOnlyAttribute", a.developer_only_attribute().map(Value::from));
    put(&mut m, "Mutable", a.mutable().map(Value::from));
    put(&mut m, "Required", a.required().map(Value::from));
    if let Some(n) = a.number_attribute_constraints() {
        let mut c = Map::new();
        put(&mut c, "MinValue", n.min_value().map(Value::from));
        put(&mut c, "MaxValue", n.max_value().map(Value::from));
        m.insert("NumberAttributeConstraints".into(), Value::Object(c));
    }
    if let Some(s) = a.string_attribute_constraints() {
        let mut c = Map::new();
        put(&mut c, "MinLength", s.min_length().map(Value::from));
        put(&mut c, "MaxLength", s.max_length().map(Value::from));
        m.insert("StringAttributeConstraints".into(), Value::Object(c));
    }
    Value::Object(m)
}

/// `Schema` in the spec's terms: AWS lists every standard attribute of
/// the pool, the spec only those it customises. Reported: the recorded
/// ones (custom ones are named `custom:x` by AWS, `x` by the spec), then
/// any other custom attribute (added outside strata: drift).
pub(super) fn schema_json(pool: &UserPoolType, recorded: &Value) -> Option<Value> {
    let live = pool.schema_attributes();
    let mut out = Vec::new();
    let mut reported: Vec<&str> = Vec::new();
    for item in recorded.get("Schema").and_then(Value::as_array).into_iter().flatten() {
        let Some(name) = item.get("Name").and_then(Value::as_str) else { continue };
        let found = live.iter().find(|a| {
            let n = a.name().unwrap_or_default();
            n == name || n == format!("custom:{name}") || n == format!("dev:custom:{name}")
        });
        if let Some(a) = found {
            reported.push(a.name().unwrap_or_default());
            out.push(schema_attribute_json(a, name));
        }
    }
    for a in live {
        let n = a.name().unwrap_or_default();
        if n.starts_with("custom:") && !reported.contains(&n) {
            out.push(schema_attribute_json(a, n.trim_start_matches("custom:")));
        }
    }
    (!out.is_empty()).then_some(Value::Array(out))
}

pub(super) fn properties(cx: &Cx, pool: &UserPoolType, recorded: &Value) -> Value {
    let mut m = Map::new();
    put(&mut m, "UserPoolName", pool.name().map(Value::from));
    let usernames: Vec<&str> = pool.username_attributes().iter().map(|a| a.as_str()).collect();
    if !usernames.is_empty() {
        m.insert("UsernameAttributes".into(), json!(usernames));
    }
    let aliases: Vec<&str> = pool.alias_attributes().iter().map(|a| a.as_str()).collect();
    if !aliases.is_empty() {
        m.insert("AliasAttributes".into(), json!(aliases));
    }
    put(
        &mut m,
        "UsernameConfiguration",
        pool.username_configuration().map(|u| json!({ "CaseSensitive": u.case_sensitive() })),
    );
    let verified: Vec<&str> = pool.auto_verified_attributes().iter().map(|a| a.as_str()).collect();
    if !verified.is_empty() {
        m.insert("AutoVerifiedAttributes".into(), json!(verified));
    }
    put(&mut m, "Policies", pool.policies().map(policies_json));
    put(&mut m, "MfaConfiguration", pool.mfa_configuration().map(|c| json!(c.as_str())));
    put(&mut m, "AccountRecoverySetting", pool.account_recovery_setting().map(recovery_json));
    put(&mut m, "AdminCreateUserConfig", pool.admin_create_user_config().map(admin_create_user_json));
    put(&mut m, "EmailConfiguration", pool.email_configuration().map(email_json));
    put(&mut m, "Schema", schema_json(pool, recorded));
    put(
        &mut m,
        "UserAttributeUpdateSettings",
        pool.user_attribute_update_settings().map(|u| {
            let attrs: Vec<&str> =
                u.attributes_require_verification_before_update().iter().map(|a| a.as_str()).collect();
            json!({ "AttributesRequireVerificationBeforeUpdate": attrs })
        }),
    );
    put(
        &mut m,
        "UserPoolAddOns",
        pool.user_pool_add_ons().map(|a| json!({ "AdvancedSecurityMode": a.advanced_security_mode().as_str() })),
    );
    put(&mut m, "DeletionProtection", pool.deletion_protection().map(|d| json!(d.as_str())));
    put(&mut m, "UserPoolTags", spec_tag_map(&pool_tags(pool)));
    if cx.local {
        // moto 5.2.5's UpdateUserPool replaces the whole stored
        // configuration, dropping what only CreateUserPool takes.
        echo_recorded(&mut m, recorded, &["UsernameAttributes", "AliasAttributes", "UsernameConfiguration"]);
    }
    Value::Object(m)
}
