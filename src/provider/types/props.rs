//! Reading a resolved property out of the JSON properties, shared by the
//! service families that take plain `&Value` properties (compute, API
//! Gateway, EC2; the data types use `data_common::At`, which also tracks the
//! path): absent and null are the same, anything but the expected shape is
//! `ProviderError::Invalid` naming the property.

use serde_json::Value;

use crate::provider::ProviderError;

/// `props[name]` as a string, if present; an error if present but not a string.
pub fn opt_str<'a>(props: &'a Value, name: &str) -> Result<Option<&'a str>, ProviderError> {
    match props.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ProviderError::invalid(name, format!("expected a string, got {other}"))),
    }
}

/// `props[name]` as a required string.
pub fn req_str<'a>(props: &'a Value, name: &str) -> Result<&'a str, ProviderError> {
    opt_str(props, name)?.ok_or_else(|| ProviderError::invalid(name, "is required"))
}

/// `props[name]` as a boolean, or the strings `"true"` / `"false"` a
/// resolved `${...}` reference produces.
pub fn opt_bool(props: &Value, name: &str) -> Result<Option<bool>, ProviderError> {
    match props.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" || s == "false" => Ok(Some(s == "true")),
        Some(other) => Err(ProviderError::invalid(name, format!("expected true or false, got {other}"))),
    }
}
