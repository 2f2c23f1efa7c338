//! Turns spec property nodes into the JSON values a plan compares, filling in
//! `${...}` from environment values and from the attributes of resources that
//! already exist; what is not known yet becomes an unknown marker.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::action::unknown;
use crate::spec::template::{self, EnvKey, Part, Reference};
use crate::spec::yaml::{Node, NodeValue};

/// Values of `${env.*}` and `${stack.Name}` for the target environment.
#[derive(Debug, Clone)]
pub struct EnvValues {
    pub stack: String,
    pub environment: String,
    pub region: Option<String>,
    pub account_id: Option<String>,
}

/// Known attributes per logical name; a name missing here (or an attribute
/// missing from its map) is unknown until apply.
pub type KnownAttributes = HashMap<String, BTreeMap<String, Value>>;

pub struct Resolver<'a> {
    pub env: &'a EnvValues,
    pub attributes: &'a KnownAttributes,
}

impl Resolver<'_> {
    pub fn resolve(&self, node: &Node) -> Value {
        match &node.value {
            NodeValue::Str(s) => self.resolve_string(s),
            NodeValue::Seq(items) => Value::Array(items.iter().map(|i| self.resolve(i)).collect()),
            NodeValue::Map(entries) => {
                Value::Object(entries.iter().map(|(k, v)| (k.scalar_text(), self.resolve(v))).collect())
            }
            _ => node.to_json(),
        }
    }

    fn lookup(&self, reference: &Reference) -> Option<Value> {
        match reference {
            Reference::StackName => Some(Value::String(self.env.stack.clone())),
            Reference::Env(EnvKey::Name) => Some(Value::String(self.env.environment.clone())),
            Reference::Env(EnvKey::Region) => self.env.region.clone().map(Value::String),
            Reference::Env(EnvKey::AccountId) => self.env.account_id.clone().map(Value::String),
            Reference::Resource { name, attribute } => self.attributes.get(name)?.get(attribute).cloned(),
            // Bound specs have their parameters written in (`spec::bind`);
            // one left here was loaded without values.
            Reference::Param(_) => None,
        }
    }

    /// A lone reference keeps the attribute's JSON type; mixed text becomes a
    /// string. Validation has already rejected malformed templates.
    pub fn resolve_string(&self, s: &str) -> Value {
        let Ok(t) = template::parse(s) else {
            return Value::String(s.to_owned());
        };
        if let Some(r) = t.single_reference() {
            return self.lookup(r).unwrap_or_else(|| unknown(s));
        }
        let mut out = String::new();
        for part in &t.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Ref(r, _) => match self.lookup(r) {
                    Some(Value::String(v)) => out.push_str(&v),
                    Some(other) => out.push_str(&other.to_string()),
                    None => return unknown(s),
                },
            }
        }
        Value::String(out)
    }
}
