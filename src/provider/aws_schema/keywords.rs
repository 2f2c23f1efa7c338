//! How AWS's resource schemas are compiled: JSON Schema 2020-12 (their
//! `dependentRequired` needs 2019-09 or later) plus the three keywords that
//! AWS's schemas use beyond the standard, with cfn-lint's meaning:
//! `requiredXor` (exactly one of), `requiredOr` (at least one of) and
//! `dependentExcluded` (when A is set, B must not be). `format` stays an
//! annotation: AWS's formats (`AWS::EC2::VPC.Id`, ...) are names, not checks.

use jsonschema::{Draft, Keyword, ValidationError, ValidationOptions};
use serde_json::{Map, Value};

/// The options every AWS schema is compiled with.
pub fn options() -> ValidationOptions<'static> {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(false)
        .with_keyword("requiredXor", |_, value, _| Ok(Box::new(OneOfPresent::new(value, Count::ExactlyOne)?)))
        .with_keyword("requiredOr", |_, value, _| Ok(Box::new(OneOfPresent::new(value, Count::AtLeastOne)?)))
        .with_keyword("dependentExcluded", |_, value, _| Ok(Box::new(DependentExcluded::new(value)?)))
}

#[derive(Clone, Copy, PartialEq)]
enum Count {
    ExactlyOne,
    AtLeastOne,
}

/// `requiredXor` / `requiredOr`: how many of a set of properties must be set.
struct OneOfPresent {
    names: Vec<String>,
    count: Count,
}

impl OneOfPresent {
    fn new(value: &Value, count: Count) -> Result<Self, ValidationError<'static>> {
        let names = value
            .as_array()
            .ok_or_else(|| ValidationError::schema("requiredXor/requiredOr takes a list of property names"))?
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        Ok(Self { names, count })
    }

    fn present<'v>(&'v self, object: &Map<String, Value>) -> Vec<&'v str> {
        self.names.iter().filter(|n| object.contains_key(n.as_str())).map(String::as_str).collect()
    }
}

fn quoted(names: &[impl AsRef<str>]) -> String {
    names.iter().map(|n| format!("`{}`", n.as_ref())).collect::<Vec<_>>().join(", ")
}

impl<'i> Keyword<'i> for OneOfPresent {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        let Some(object) = instance.as_object() else { return Ok(()) };
        let present = self.present(object);
        match (self.count, present.len()) {
            (Count::ExactlyOne, 1) => Ok(()),
            (Count::AtLeastOne, n) if n >= 1 => Ok(()),
            (_, 0) => Err(ValidationError::custom(format!("set one of {}", quoted(&self.names)))),
            _ => Err(ValidationError::custom(format!(
                "set only one of {}, not {}",
                quoted(&self.names),
                quoted(&present)
            ))),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        self.validate(instance).is_ok()
    }
}

/// `dependentExcluded`: `{A: [B, C]}` means A excludes B and C.
struct DependentExcluded {
    rules: Vec<(String, Vec<String>)>,
}

impl DependentExcluded {
    fn new(value: &Value) -> Result<Self, ValidationError<'static>> {
        let object = value.as_object().ok_or_else(|| ValidationError::schema("dependentExcluded takes a mapping"))?;
        let rules = object
            .iter()
            .map(|(name, excluded)| {
                let excluded = excluded.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string));
                (name.clone(), excluded.collect())
            })
            .collect();
        Ok(Self { rules })
    }
}

impl<'i> Keyword<'i> for DependentExcluded {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        let Some(object) = instance.as_object() else { return Ok(()) };
        for (name, excluded) in &self.rules {
            if !object.contains_key(name) {
                continue;
            }
            let clashing: Vec<&String> = excluded.iter().filter(|e| object.contains_key(e.as_str())).collect();
            if !clashing.is_empty() {
                return Err(ValidationError::custom(format!(
                    "`{name}` cannot be set together with {}",
                    quoted(&clashing)
                )));
            }
        }
        Ok(())
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        self.validate(instance).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn required_xor_wants_exactly_one() {
        let v = options().build(&json!({"requiredXor": ["A", "B"]})).unwrap();
        assert!(v.is_valid(&json!({"A": 1})));
        assert!(!v.is_valid(&json!({})));
        assert!(!v.is_valid(&json!({"A": 1, "B": 2})));
    }

    #[test]
    fn required_or_wants_at_least_one() {
        let v = options().build(&json!({"requiredOr": ["A", "B"]})).unwrap();
        assert!(v.is_valid(&json!({"A": 1, "B": 2})));
        assert!(!v.is_valid(&json!({"C": 1})));
    }

    #[test]
    fn dependent_excluded_rejects_the_pair() {
        let v = options().build(&json!({"dependentExcluded": {"A": ["B"]}})).unwrap();
        assert!(v.is_valid(&json!({"B": 1})));
        assert!(!v.is_valid(&json!({"A": 1, "B": 2})));
    }

    #[test]
    fn dependent_required_is_enforced() {
        let v = options().build(&json!({"dependentRequired": {"A": ["B"]}})).unwrap();
        assert!(!v.is_valid(&json!({"A": 1})));
        assert!(v.is_valid(&json!({"A": 1, "B": 1})));
    }
}
