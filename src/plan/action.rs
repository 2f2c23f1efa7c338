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
///
/// A create's `changes` are every top-level property of `after`, so in
/// memory they stay empty and [`ResourceChange::property_changes`] derives
/// them: a 100,000-resource plan would otherwise hold each value twice.
/// Plan JSON and saved plans still carry them (see [`WireChange`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "WireChange", from = "WireChange")]
pub struct ResourceChange {
    pub name: String,
    pub type_name: String,
    pub action: Action,
    /// Applied properties from state (None for a create).
    pub before: Option<Value>,
    /// Desired properties (None for a delete); values not known until apply
    /// are `{"$unknown": "<expression>"}`.
    pub after: Option<Value>,
    /// What changes, property by property; empty for a create (derived).
    pub changes: Vec<PropertyChange>,
    /// Why: e.g. "`CidrBlock` forces replacement".
    pub reason: Option<String>,
    /// The createOnly properties whose change forces a replacement.
    pub requires_replace: Vec<String>,
    /// Logical names this resource depends on.
    pub dependencies: Vec<String>,
    /// For a replacement: the new object is created before the old one is
    /// destroyed (`plan::replacement` says when AWS allows it).
    pub create_before_destroy: bool,
    /// A delete of the old object of a create-before-destroy replacement
    /// that an interrupted run left in state (`State.deposed`).
    pub deposed: bool,
}

/// A [`ResourceChange`] as plan JSON and saved plans write it: a create's
/// changes spelled out.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WireChange {
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

impl From<ResourceChange> for WireChange {
    fn from(c: ResourceChange) -> Self {
        let changes = if c.derives_changes() { added_paths(c.after.as_ref()) } else { c.changes };
        WireChange {
            name: c.name,
            type_name: c.type_name,
            action: c.action,
            before: c.before,
            after: c.after,
            changes,
            reason: c.reason,
            requires_replace: c.requires_replace,
            dependencies: c.dependencies,
            create_before_destroy: c.create_before_destroy,
            deposed: c.deposed,
        }
    }
}

impl From<WireChange> for ResourceChange {
    fn from(w: WireChange) -> Self {
        let mut c = ResourceChange {
            name: w.name,
            type_name: w.type_name,
            action: w.action,
            before: w.before,
            after: w.after,
            changes: w.changes,
            reason: w.reason,
            requires_replace: w.requires_replace,
            dependencies: w.dependencies,
            create_before_destroy: w.create_before_destroy,
            deposed: w.deposed,
        };
        if c.action == Action::Create && c.changes == added_paths(c.after.as_ref()) {
            c.changes.clear();
        }
        c
    }
}

/// Every top-level property of `after`, as added.
pub fn added_paths(after: Option<&Value>) -> Vec<PropertyChange> {
    let top_level = after.and_then(Value::as_object).into_iter().flatten();
    top_level
        .map(|(k, v)| PropertyChange { path: k.clone(), before: None, after: Some(v.clone()), forces_replacement: false })
        .collect()
}

impl ResourceChange {
    /// True when `changes` is left empty to be derived from `after`.
    fn derives_changes(&self) -> bool {
        self.action == Action::Create && self.changes.is_empty()
    }

    /// What changes, property by property (a create's derived from `after`).
    pub fn property_changes(&self) -> std::borrow::Cow<'_, [PropertyChange]> {
        if self.derives_changes() {
            std::borrow::Cow::Owned(added_paths(self.after.as_ref()))
        } else {
            std::borrow::Cow::Borrowed(&self.changes)
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create() -> ResourceChange {
        ResourceChange {
            name: "Logs".into(),
            type_name: "AWS::Logs::LogGroup".into(),
            action: Action::Create,
            before: None,
            after: Some(json!({"LogGroupName": "/x", "RetentionInDays": 30})),
            changes: Vec::new(),
            reason: None,
            requires_replace: Vec::new(),
            dependencies: Vec::new(),
            create_before_destroy: false,
            deposed: false,
        }
    }

    /// In memory a create derives its changes; plan JSON spells them out,
    /// and reading it back gives the same change as before.
    #[test]
    fn a_creates_changes_are_derived_in_memory_and_written_in_json() {
        let change = create();
        let derived: Vec<String> = change.property_changes().iter().map(|c| c.path.clone()).collect();
        assert_eq!(derived, ["LogGroupName", "RetentionInDays"]);
        let json = serde_json::to_value(&change).unwrap();
        assert_eq!(json["type"], "AWS::Logs::LogGroup");
        assert_eq!(json["changes"][1], json!({"path": "RetentionInDays", "before": null, "after": 30, "forces_replacement": false}));
        assert!(json.get("deposed").is_none(), "false flags are left out: {json}");
        let back: ResourceChange = serde_json::from_value(json).unwrap();
        assert_eq!(back, change);
        assert!(back.changes.is_empty());
    }

    /// An update's changes are its own, in memory and in JSON.
    #[test]
    fn an_updates_changes_are_kept_as_computed() {
        let mut change = create();
        change.action = Action::Update;
        change.changes = vec![PropertyChange {
            path: "RetentionInDays".into(),
            before: Some(json!(7)),
            after: Some(json!(30)),
            forces_replacement: false,
        }];
        assert_eq!(change.property_changes().len(), 1);
        let back: ResourceChange = serde_json::from_value(serde_json::to_value(&change).unwrap()).unwrap();
        assert_eq!(back, change);
    }
}
