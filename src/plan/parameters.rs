//! The parameter values a plan was computed from, and the rule that keeps
//! secrets (`NoEcho`) out of everything a plan shows or saves.
//!
//! A plan records each non-secret value as it is, and for a secret only a
//! SHA-256 digest: the saved plan file is reviewed, attached to pull
//! requests and kept by CI, so it must not hold the secret; the digest still
//! lets `apply plans/x.json` refuse a secret that differs from the reviewed
//! one. Everywhere a secret's value would show (a property, a change, an
//! output) the plan holds `(sensitive)` instead.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Plan;
use crate::spec::Stack;

/// What a plan shows in place of a secret.
pub const SENSITIVE: &str = "(sensitive)";

/// One parameter as a plan records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PlannedParameter {
    /// A secret: only that it is one, and the digest of its value.
    Sensitive { sensitive: bool, sha256: String },
    Value { value: Value },
}

impl PlannedParameter {
    /// The value as a plan shows it: JSON, or `(sensitive)`.
    pub fn shown(&self) -> String {
        match self {
            PlannedParameter::Value { value } => value.to_string(),
            PlannedParameter::Sensitive { .. } => String::from(SENSITIVE),
        }
    }
}

/// The stack's bound parameter values, as a plan records them.
pub fn planned(stack: &Stack) -> IndexMap<String, PlannedParameter> {
    stack
        .values
        .iter()
        .map(|(name, bound)| {
            let recorded = if bound.secret {
                PlannedParameter::Sensitive { sensitive: true, sha256: digest(&stack.name, name, &bound.value) }
            } else {
                PlannedParameter::Value { value: bound.value.clone() }
            };
            (name.clone(), recorded)
        })
        .collect()
}

/// SHA-256 over the stack, the parameter's name and the value, so the same
/// secret in two parameters or stacks does not give the same digest.
fn digest(stack: &str, name: &str, value: &Value) -> String {
    use sha2::{Digest, Sha256};
    let bytes = Sha256::digest(format!("strata-parameter\0{stack}\0{name}\0{value}").as_bytes());
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The first difference between the values a saved plan was made with and
/// the values given now, said for a person.
pub fn difference(
    then: &IndexMap<String, PlannedParameter>,
    now: &IndexMap<String, PlannedParameter>,
) -> Option<String> {
    for (name, value) in now {
        match then.get(name) {
            None => return Some(format!("parameter `{name}` was not part of the plan")),
            Some(old) if old == value => {}
            Some(PlannedParameter::Sensitive { .. }) => {
                return Some(format!(
                    "the secret parameter `{name}` has another value than when the plan was made \
                     (give it from the same source: --var, --var-file, STRATA_VAR_{name} or the spec)"
                ))
            }
            Some(old) => {
                return Some(format!(
                    "parameter `{name}` is {} now, but the plan was made with {}",
                    value.shown(),
                    old.shown()
                ))
            }
        }
    }
    then.keys().find(|name| !now.contains_key(*name)).map(|name| format!("parameter `{name}` is no longer declared"))
}

/// Replaces every value that holds a secret, anywhere in the plan, with
/// `(sensitive)`: a string that contains one is hidden whole (the rest of it
/// could give the secret away by its length or its neighbours).
pub fn mask(plan: &mut Plan, stack: &Stack) {
    let secrets: Vec<String> = stack
        .values
        .values()
        .filter(|b| b.secret)
        .flat_map(|b| match &b.value {
            Value::Array(items) => items.iter().map(text).collect::<Vec<_>>(),
            other => vec![text(other)],
        })
        .filter(|s| !s.is_empty())
        .collect();
    if secrets.is_empty() {
        return;
    }
    let hide = |v: &mut Value| mask_value(v, &secrets);
    for change in &mut plan.changes {
        change.before.as_mut().map(hide);
        change.after.as_mut().map(hide);
        for property in &mut change.changes {
            property.before.as_mut().map(hide);
            property.after.as_mut().map(hide);
        }
    }
    plan.outputs.values_mut().for_each(hide);
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn mask_value(value: &mut Value, secrets: &[String]) {
    match value {
        Value::String(s) if secrets.iter().any(|secret| s.contains(secret.as_str())) => {
            *value = Value::String(SENSITIVE.to_owned());
        }
        Value::Number(n) if secrets.iter().any(|secret| *secret == n.to_string()) => {
            *value = Value::String(SENSITIVE.to_owned());
        }
        Value::Array(items) => items.iter_mut().for_each(|i| mask_value(i, secrets)),
        Value::Object(map) => map.values_mut().for_each(|v| mask_value(v, secrets)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_holding_a_secret_are_hidden_whole() {
        let mut v = json!({"Environment": {"Variables": {"TOKEN": "Bearer hunter2", "TABLE": "orders"}}, "List": ["hunter2"]});
        mask_value(&mut v, &["hunter2".to_owned()]);
        assert_eq!(
            v,
            json!({"Environment": {"Variables": {"TOKEN": SENSITIVE, "TABLE": "orders"}}, "List": [SENSITIVE]})
        );
    }

    #[test]
    fn a_changed_value_is_named_and_a_changed_secret_is_not_shown() {
        let then: IndexMap<String, PlannedParameter> = [
            ("Memory".to_owned(), PlannedParameter::Value { value: json!(512) }),
            ("Token".to_owned(), PlannedParameter::Sensitive { sensitive: true, sha256: "a".into() }),
        ]
        .into_iter()
        .collect();
        let mut now = then.clone();
        assert_eq!(difference(&then, &now), None);
        now["Memory"] = PlannedParameter::Value { value: json!(1024) };
        assert_eq!(
            difference(&then, &now).unwrap(),
            "parameter `Memory` is 1024 now, but the plan was made with 512"
        );
        now["Memory"] = PlannedParameter::Value { value: json!(512) };
        now["Token"] = PlannedParameter::Sensitive { sensitive: true, sha256: "b".into() };
        let said = difference(&then, &now).unwrap();
        assert!(said.contains("secret parameter `Token`"), "{said}");
    }
}
