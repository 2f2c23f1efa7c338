//! Each function's configuration, read from environment variables once at
//! cold start. A missing or malformed variable stops the function before it
//! serves anything, naming every offending variable at once, instead of failing
//! on the first request that happens to need it.

use thiserror::Error;

/// Variable names: the contract with the stack spec that sets them.
pub mod vars {
    pub const SCHEDULE_TABLE_NAME: &str = "SCHEDULE_TABLE_NAME";
    pub const ORDERS_TABLE_NAME: &str = "ORDERS_TABLE_NAME";
    pub const SCHEDULE_GROUP_NAME: &str = "SCHEDULE_GROUP_NAME";
    pub const ORDER_EXECUTOR_ARN: &str = "ORDER_EXECUTOR_ARN";
    pub const SCHEDULER_ROLE_ARN: &str = "SCHEDULER_ROLE_ARN";
    pub const EXECUTOR_VERSION: &str = "EXECUTOR_VERSION";
    pub const PAGE_TOKEN_KEY_ARN: &str = "PAGE_TOKEN_KEY_ARN";
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("invalid configuration: {}", .problems.join("; "))]
    Invalid { problems: Vec<String> },
}

/// Configuration of scheduler-manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerConfig {
    pub schedule_table: String,
    pub orders_table: String,
    pub schedule_group: String,
    pub order_executor_arn: String,
    pub scheduler_role_arn: String,
    /// The KMS key that seals page tokens (KMS Encrypt/Decrypt with the
    /// caller's `sub` as encryption context; docs/decisions.md).
    pub page_token_key_arn: String,
}

impl ManagerConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads through `lookup` so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut reader = Reader::new(lookup);
        let config = ManagerConfig {
            schedule_table: reader.required(vars::SCHEDULE_TABLE_NAME),
            orders_table: reader.required(vars::ORDERS_TABLE_NAME),
            schedule_group: reader.required(vars::SCHEDULE_GROUP_NAME),
            order_executor_arn: reader.arn(vars::ORDER_EXECUTOR_ARN),
            scheduler_role_arn: reader.arn(vars::SCHEDULER_ROLE_ARN),
            page_token_key_arn: reader.arn(vars::PAGE_TOKEN_KEY_ARN),
        };
        reader.finish(config)
    }
}

/// Configuration of order-executor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutorConfig {
    pub schedule_table: String,
    pub orders_table: String,
    /// Recorded in every order's metadata so an order can be traced to the
    /// code that priced it.
    pub executor_version: String,
}

impl ExecutorConfig {
    /// `default_version` is the executor crate's own version; the shared crate
    /// cannot know it.
    pub fn from_env(default_version: &str) -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok(), default_version)
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>, default_version: &str) -> Result<Self, ConfigError> {
        let mut reader = Reader::new(lookup);
        let config = ExecutorConfig {
            schedule_table: reader.required(vars::SCHEDULE_TABLE_NAME),
            orders_table: reader.required(vars::ORDERS_TABLE_NAME),
            executor_version: reader.optional(vars::EXECUTOR_VERSION).unwrap_or_else(|| default_version.to_owned()),
        };
        reader.finish(config)
    }
}

/// Collects every problem instead of stopping at the first.
struct Reader<F> {
    lookup: F,
    problems: Vec<String>,
}

impl<F: Fn(&str) -> Option<String>> Reader<F> {
    fn new(lookup: F) -> Self {
        Reader { lookup, problems: Vec::new() }
    }

    fn optional(&self, name: &str) -> Option<String> {
        (self.lookup)(name).map(|value| value.trim().to_owned()).filter(|value| !value.is_empty())
    }

    fn required(&mut self, name: &str) -> String {
        self.optional(name).unwrap_or_else(|| {
            self.problems.push(format!("{name} is not set"));
            String::new()
        })
    }

    fn arn(&mut self, name: &str) -> String {
        let value = self.required(name);
        if !value.is_empty() && !value.starts_with("arn:") {
            self.problems.push(format!("{name} is not an ARN: {value:?}"));
        }
        value
    }

    fn finish<T>(self, config: T) -> Result<T, ConfigError> {
        if self.problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError::Invalid { problems: self.problems })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn manager_config_reads_every_variable() {
        let config = ManagerConfig::from_lookup(lookup(&[
            ("SCHEDULE_TABLE_NAME", "defs"),
            ("ORDERS_TABLE_NAME", "orders"),
            ("SCHEDULE_GROUP_NAME", "acme"),
            ("ORDER_EXECUTOR_ARN", "arn:aws:lambda:us-east-1:123456789012:function:exec"),
            ("SCHEDULER_ROLE_ARN", "arn:aws:iam::123456789012:role/invoke"),
            ("PAGE_TOKEN_KEY_ARN", "arn:aws:kms:us-east-1:123456789012:key/k"),
        ]))
        .unwrap();
        assert_eq!(config.schedule_table, "defs");
        assert_eq!(config.orders_table, "orders");
        assert_eq!(config.schedule_group, "acme");
        assert!(config.order_executor_arn.ends_with(":function:exec"));
        assert!(config.scheduler_role_arn.ends_with(":role/invoke"));
        assert!(config.page_token_key_arn.ends_with(":key/k"));
    }

    #[test]
    fn manager_config_names_every_problem_at_once() {
        let err = ManagerConfig::from_lookup(lookup(&[
            ("SCHEDULE_TABLE_NAME", "defs"),
            ("ORDERS_TABLE_NAME", "  "),
            ("ORDER_EXECUTOR_ARN", "exec"),
            ("SCHEDULER_ROLE_ARN", "arn:aws:iam::123456789012:role/invoke"),
            ("PAGE_TOKEN_KEY_ARN", "arn:aws:kms:us-east-1:123456789012:key/k"),
        ]))
        .unwrap_err();
        let ConfigError::Invalid { problems } = err;
        assert_eq!(
            problems,
            vec![
                "ORDERS_TABLE_NAME is not set".to_string(),
                "SCHEDULE_GROUP_NAME is not set".to_string(),
                "ORDER_EXECUTOR_ARN is not an ARN: \"exec\"".to_string(),
            ]
        );
    }

    #[test]
    fn executor_version_defaults_to_the_given_version() {
        let base = [("SCHEDULE_TABLE_NAME", "defs"), ("ORDERS_TABLE_NAME", "orders")];
        let config = ExecutorConfig::from_lookup(lookup(&base), "1.2.3").unwrap();
        assert_eq!(config.executor_version, "1.2.3");

        let mut with_version = base.to_vec();
        with_version.push(("EXECUTOR_VERSION", "2025.03-hotfix"));
        let config = ExecutorConfig::from_lookup(lookup(&with_version), "1.2.3").unwrap();
        assert_eq!(config.executor_version, "2025.03-hotfix");
    }

    #[test]
    fn executor_config_requires_both_tables() {
        let err = ExecutorConfig::from_lookup(lookup(&[]), "1").unwrap_err();
        let ConfigError::Invalid { problems } = err;
        assert_eq!(problems.len(), 2);
    }
}
