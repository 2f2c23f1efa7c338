//! Usage inputs: how much the stack is used in a month. The defaults are
//! `pricing/usage-acme.yaml` (ACME at 10,000 orders a month); a `--usage`
//! file overrides any of its keys and may set one resource's quantities
//! under `resources:` (e.g. a second, busier API function). Unknown keys
//! are errors: a misspelt key silently ignored would be a wrong estimate
//! that looks right.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::Value;

use super::{exact, CostError};

pub const DEFAULTS: &str = include_str!("../../pricing/usage-acme.yaml");
const DEFAULTS_PATH: &str = "pricing/usage-acme.yaml";

/// The stack-wide usage keys (see `pricing/usage-acme.yaml` for each one).
pub const DRIVERS: &[&str] = &[
    "orders_per_month",
    "api_requests_per_month",
    "lambda_duration_ms",
    "dynamodb_write_units_per_order",
    "dynamodb_read_units_per_request",
    "dynamodb_gb_stored",
    "kms_requests_per_month",
    "log_gb_ingested_per_month",
    "log_gb_stored",
    "endpoint_gb_processed_per_month",
    "hours_per_month",
];

/// What one resource's entry under `resources:` may set.
pub const RESOURCE_KEYS: &[&str] = &[
    "invocations",
    "duration_ms",
    "requests",
    "write_units",
    "read_units",
    "gb_stored",
    "gb_ingested",
    "gb_processed",
];

#[derive(Debug, Clone)]
pub struct Usage {
    drivers: BTreeMap<String, Decimal>,
    resources: BTreeMap<String, BTreeMap<String, Decimal>>,
}

impl Usage {
    /// ACME's defaults.
    pub fn defaults() -> Result<Self, CostError> {
        let mut usage = Usage { drivers: BTreeMap::new(), resources: BTreeMap::new() };
        usage.overlay(DEFAULTS_PATH, DEFAULTS)?;
        if let Some(missing) = DRIVERS.iter().find(|d| !usage.drivers.contains_key(**d)) {
            return Err(CostError::Invalid {
                path: DEFAULTS_PATH.into(),
                message: format!("`{missing}` has no default"),
            });
        }
        Ok(usage)
    }

    /// The defaults with `text` (the `--usage` file at `path`) on top.
    pub fn with_file(path: &str, text: &str) -> Result<Self, CostError> {
        let mut usage = Self::defaults()?;
        usage.overlay(path, text)?;
        Ok(usage)
    }

    fn overlay(&mut self, path: &str, text: &str) -> Result<(), CostError> {
        let invalid = |message: String| CostError::Invalid { path: path.to_owned(), message };
        let doc = exact::parse(path, text)?;
        let Value::Object(map) = doc else {
            return Err(invalid("expected a mapping of usage keys".into()));
        };
        for (key, value) in map {
            if key == "resources" {
                let Value::Object(resources) = value else {
                    return Err(invalid("`resources` must map resource names to their quantities".into()));
                };
                for (name, quantities) in resources {
                    let Value::Object(quantities) = quantities else {
                        return Err(invalid(format!("`resources.{name}` must be a mapping")));
                    };
                    for (k, v) in quantities {
                        if !RESOURCE_KEYS.contains(&k.as_str()) {
                            return Err(invalid(format!(
                                "`resources.{name}.{k}` is not a usage key; one of: {}",
                                RESOURCE_KEYS.join(", ")
                            )));
                        }
                        let n =
                            quantity(&v).ok_or_else(|| invalid(format!("`resources.{name}.{k}` must be a number")))?;
                        self.resources.entry(name.clone()).or_default().insert(k, n);
                    }
                }
                continue;
            }
            if !DRIVERS.contains(&key.as_str()) {
                let hint = crate::spec::diagnostic::did_you_mean(&key, DRIVERS.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(invalid(format!("`{key}` is not a usage key{hint}; see pricing/usage-acme.yaml")));
            }
            let n = quantity(&value).ok_or_else(|| invalid(format!("`{key}` must be a number")))?;
            self.drivers.insert(key, n);
        }
        Ok(())
    }

    /// A stack-wide key (always present: the defaults have every one).
    pub fn driver(&self, key: &str) -> Decimal {
        self.drivers.get(key).copied().unwrap_or_default()
    }

    /// `resource`'s own `key` if the usage file sets it, else `default`.
    pub fn of(&self, resource: &str, key: &str, default: Decimal) -> Decimal {
        self.resources.get(resource).and_then(|q| q.get(key)).copied().unwrap_or(default)
    }

    /// Resources the usage file names (checked against the stack).
    pub fn resource_names(&self) -> impl Iterator<Item = &str> {
        self.resources.keys().map(String::as_str)
    }
}

/// A non-negative number (YAML text, parsed exactly).
fn quantity(v: &Value) -> Option<Decimal> {
    v.as_str().and_then(|s| s.parse::<Decimal>().ok()).filter(|d| !d.is_sign_negative())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_overrides_only_its_keys_and_typos_are_errors() {
        let u = Usage::with_file("u.yaml", "orders_per_month: 20000\nresources:\n  F: {duration_ms: 50}\n").unwrap();
        assert_eq!(u.driver("orders_per_month"), Decimal::from(20_000));
        assert_eq!(u.driver("api_requests_per_month"), Decimal::from(20_000));
        assert_eq!(u.of("F", "duration_ms", Decimal::ONE), Decimal::from(50));
        assert_eq!(u.of("G", "duration_ms", Decimal::ONE), Decimal::ONE);
        let err = Usage::with_file("u.yaml", "orders_per_mnth: 1\n").unwrap_err().to_string();
        assert!(err.contains("did you mean `orders_per_month`"), "{err}");
        assert!(Usage::with_file("u.yaml", "orders_per_month: -1\n").is_err());
        assert!(Usage::with_file("u.yaml", "resources: {F: {speed: 1}}\n").is_err());
    }
}
