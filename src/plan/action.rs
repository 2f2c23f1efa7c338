//! What a plan says will happen to each resource.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    NoOp,
    Create,
    Update,
    /// Delete and create again, because a createOnly property changed.
    Replace,
    Delete,
}

impl Action {
    /// Terraform's plan symbols.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
        }
    }

    pub fn verb(self) -> &'static str {
        match self {
            Action::NoOp => "unchanged",
            Action::Create => "will be created",
            Action::Update => "will be updated in place",
            Action::Replace => "must be replaced",
            Action::Delete => "will be destroyed",
        }
    }
}

/// One attribute-level difference, addressed by a dotted path
/// (`Environment.Variables.TABLE`); `None` means absent on that side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertyChange {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// This change alone forces a replacement (a createOnly property).
    pub forces_replacement: bool,
}

/// The planned change of one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub action: Action,
    /// Applied properties from state (None for a create).
    pub before: Option<Value>,
    /// Desired properties (None for a delete); values not known until apply
    /// are `{"$unknown": "<expression>"}`.
    pub after: Option<Value>,
    pub changes: Vec<PropertyChange>,
    /// Why: e.g. "`CidrBlock` forces replacement".
    pub reason: Option<String>,
    /// The createOnly properties whose change forces a replacement.
    pub requires_replace: Vec<String>,
    /// Logical names this resource depends on.
    pub dependencies: Vec<String>,
    /// For a replacement: the new object is created before the old one is
    /// destroyed (`plan::replacement` says when AWS allows it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create_before_destroy: bool,
    /// A delete of the old object of a create-before-destroy replacement
    /// that an interrupted run left in state (`State.deposed`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deposed: bool,
}

impl ResourceChange {
    /// Terraform's symbols: `+/-` when the new object comes first.
    pub fn symbol(&self) -> &'static str {
        match self.action {
            Action::Replace if self.create_before_destroy => "+/-",
            a => a.symbol(),
        }
    }
}

/// The marker key for a value that is only known after apply.
pub const UNKNOWN_KEY: &str = "$unknown";

/// `{"$unknown": expr}`: a value that depends on a resource not yet applied.
pub fn unknown(expr: &str) -> Value {
    let mut m = serde_json::Map::new();
    m.insert(UNKNOWN_KEY.to_owned(), Value::String(expr.to_owned()));
    Value::Object(m)
}

pub fn is_unknown(v: &Value) -> bool {
    matches!(v, Value::Object(m) if m.len() == 1 && m.contains_key(UNKNOWN_KEY))
}

/// True when `v` or anything inside it is unknown.
pub fn contains_unknown(v: &Value) -> bool {
    match v {
        Value::Object(m) => is_unknown(v) || m.values().any(contains_unknown),
        Value::Array(a) => a.iter().any(contains_unknown),
        _ => false,
    }
}
