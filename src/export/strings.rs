//! One spec string as a template value. `${Name.Attribute}` alone becomes
//! `Ref` or `Fn::GetAtt`; with text around it, or several references, the
//! string becomes `Fn::Sub`. `${env.Region}` / `${env.AccountId}` are the
//! pseudo parameters, `${env.Name}` the template's environment parameter,
//! `${stack.Name}` the literal stack name (docs/decisions.md), and a
//! literal `arn:aws:` takes the partition from `${AWS::Partition}` so the
//! template deploys in every partition.

use indexmap::IndexMap;
use serde_json::{json, Value};

use super::attributes::{access, Access};
use super::ExportError;
use crate::spec::template::{self, EnvKey, Part, Reference};

/// The template parameter `${env.Name}` becomes.
pub const ENVIRONMENT_PARAMETER: &str = "EnvironmentName";

/// What a string needs from the stack: its name and each resource's type.
pub struct Context<'a> {
    pub stack_name: &'a str,
    pub types: IndexMap<&'a str, &'a str>,
}

impl Context<'_> {
    /// Translates every string inside `value` (mapping keys stay as they are).
    pub fn value(&self, value: &Value) -> Result<Value, ExportError> {
        Ok(match value {
            Value::String(s) => self.string(s)?,
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v)).collect::<Result<_, _>>()?),
            Value::Object(map) => Value::Object(
                map.iter().map(|(k, v)| Ok((k.clone(), self.value(v)?))).collect::<Result<_, ExportError>>()?,
            ),
            other => other.clone(),
        })
    }

    pub fn string(&self, text: &str) -> Result<Value, ExportError> {
        let parsed =
            template::parse(text).map_err(|e| ExportError::Reference { text: text.to_owned(), message: e.message })?;
        if let Some(reference) = parsed.single_reference() {
            return self.alone(reference);
        }
        // The same text as an `Fn::Sub` string and, for when nothing in it
        // needs substituting, as a plain one.
        let mut sub = String::new();
        let mut plain = String::new();
        let mut substituted = false;
        for part in &parsed.parts {
            match part {
                Part::Literal(literal) => {
                    substituted |= push_literal(&mut sub, literal);
                    plain.push_str(literal);
                }
                Part::Ref(Reference::StackName, _) => {
                    sub.push_str(self.stack_name);
                    plain.push_str(self.stack_name);
                }
                Part::Ref(reference, _) => {
                    sub.push_str(&format!("${{{}}}", self.sub_variable(reference)?));
                    substituted = true;
                }
            }
        }
        Ok(if substituted { json!({ "Fn::Sub": sub }) } else { Value::String(plain) })
    }

    /// A string that is one reference and nothing else.
    fn alone(&self, reference: &Reference) -> Result<Value, ExportError> {
        Ok(match reference {
            Reference::StackName => Value::String(self.stack_name.to_owned()),
            Reference::Env(key) => json!({ "Ref": env_variable(*key) }),
            Reference::Param(name) => json!({ "Ref": name }),
            Reference::Resource { name, attribute } => match self.access(name, attribute)? {
                Access::Ref => json!({ "Ref": name }),
                Access::GetAtt => json!({ "Fn::GetAtt": [name, attribute] }),
            },
        })
    }

    /// The `${...}` variable name of a reference inside `Fn::Sub`.
    fn sub_variable(&self, reference: &Reference) -> Result<String, ExportError> {
        Ok(match reference {
            Reference::StackName => self.stack_name.to_owned(),
            Reference::Env(key) => env_variable(*key).to_owned(),
            Reference::Param(name) => name.clone(),
            Reference::Resource { name, attribute } => match self.access(name, attribute)? {
                Access::Ref => name.clone(),
                Access::GetAtt => format!("{name}.{attribute}"),
            },
        })
    }

    fn access(&self, name: &str, attribute: &str) -> Result<Access, ExportError> {
        let type_name = self.types.get(name).copied().unwrap_or_default();
        access(type_name, attribute).ok_or_else(|| ExportError::NoAttribute {
            resource: name.to_owned(),
            type_name: type_name.to_owned(),
            attribute: attribute.to_owned(),
        })
    }
}

fn env_variable(key: EnvKey) -> &'static str {
    match key {
        EnvKey::Region => "AWS::Region",
        EnvKey::AccountId => "AWS::AccountId",
        EnvKey::Name => ENVIRONMENT_PARAMETER,
    }
}

/// Appends literal text to an `Fn::Sub` string: a literal `${` is written
/// `${!`, and `arn:aws:` at the start of a word becomes
/// `arn:${AWS::Partition}:`. Returns whether it substituted a partition.
fn push_literal(sub: &mut String, literal: &str) -> bool {
    const ARN: &str = "arn:aws:";
    let escaped = literal.replace("${", "${!");
    let mut partition = false;
    let mut rest = escaped.as_str();
    let mut previous: Option<char> = sub.chars().last();
    while let Some(at) = rest.find(ARN) {
        let before = rest[..at].chars().last().or(previous);
        sub.push_str(&rest[..at]);
        if before.is_some_and(|c| c.is_ascii_alphanumeric()) {
            sub.push_str(ARN);
        } else {
            sub.push_str("arn:${AWS::Partition}:");
            partition = true;
        }
        rest = &rest[at + ARN.len()..];
        previous = Some(':');
    }
    sub.push_str(rest);
    partition
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Context<'static> {
        Context {
            stack_name: "demo",
            types: IndexMap::from([
                ("Fn", "AWS::Lambda::Function"),
                ("Api", "AWS::ApiGateway::RestApi"),
                ("Table", "AWS::DynamoDB::Table"),
            ]),
        }
    }

    #[test]
    fn one_reference_is_ref_or_get_att() {
        assert_eq!(cx().string("${Fn.FunctionName}").unwrap(), json!({"Ref": "Fn"}));
        assert_eq!(cx().string("${Fn.Arn}").unwrap(), json!({"Fn::GetAtt": ["Fn", "Arn"]}));
        assert_eq!(cx().string("${Api.RootResourceId}").unwrap(), json!({"Fn::GetAtt": ["Api", "RootResourceId"]}));
        assert_eq!(cx().string("${env.Region}").unwrap(), json!({"Ref": "AWS::Region"}));
        assert_eq!(cx().string("${param.Memory}").unwrap(), json!({"Ref": "Memory"}));
        assert_eq!(cx().string("/x/${param.Domain}").unwrap(), json!({"Fn::Sub": "/x/${Domain}"}));
        assert_eq!(cx().string("${env.Name}").unwrap(), json!({"Ref": "EnvironmentName"}));
        assert_eq!(cx().string("${stack.Name}").unwrap(), json!("demo"));
    }

    #[test]
    fn text_around_references_is_sub() {
        assert_eq!(
            cx().string("${stack.Name}-${env.Name}-orders").unwrap(),
            json!({"Fn::Sub": "demo-${EnvironmentName}-orders"})
        );
        assert_eq!(cx().string("${Table.Arn}/index/*").unwrap(), json!({"Fn::Sub": "${Table.Arn}/index/*"}));
        assert_eq!(
            cx().string("arn:aws:logs:${env.Region}:${env.AccountId}:log-group:${Table.TableName}:*").unwrap(),
            json!({"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Table}:*"})
        );
    }

    #[test]
    fn stack_name_alone_in_text_stays_a_plain_string() {
        assert_eq!(cx().string("${stack.Name}-api").unwrap(), json!("demo-api"));
        assert_eq!(cx().string("no references").unwrap(), json!("no references"));
    }

    #[test]
    fn literal_arns_take_the_partition_and_literal_dollars_are_escaped() {
        assert_eq!(
            cx().string("arn:aws:iam::aws:policy/ReadOnlyAccess").unwrap(),
            json!({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"})
        );
        assert_eq!(cx().string("a$${b}c").unwrap(), json!("a${b}c"));
        assert_eq!(cx().string("$${x}-${env.Region}").unwrap(), json!({"Fn::Sub": "${!x}-${AWS::Region}"}));
        assert_eq!(cx().string("yarn:aws:x").unwrap(), json!("yarn:aws:x"));
    }

    #[test]
    fn an_attribute_cloudformation_lacks_is_an_error() {
        assert!(matches!(cx().string("${Fn.Timeout}"), Err(ExportError::NoAttribute { .. })));
    }
}
