//! The cost files' YAML as JSON without ever passing a number through a
//! float: every scalar number stays its YAML text, which `Decimal` parses
//! exactly (`0.0000166667` is not representable as an f64).

use serde_json::Value;

use super::CostError;
use crate::spec::yaml::{self, Node, NodeValue};

/// Parses `text` (from `path`, for messages) into JSON with numbers as strings.
pub fn parse(path: &str, text: &str) -> Result<Value, CostError> {
    let (node, _warnings) =
        yaml::parse(text).map_err(|d| CostError::Yaml { path: path.to_owned(), message: d.to_string() })?;
    Ok(to_json(&node))
}

fn to_json(node: &Node) -> Value {
    match &node.value {
        NodeValue::Null => Value::Null,
        NodeValue::Bool(b) => Value::Bool(*b),
        NodeValue::Int(i) => Value::String(i.to_string()),
        NodeValue::Float(text) | NodeValue::Str(text) => Value::String(text.clone()),
        NodeValue::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeValue::Map(entries) => Value::Object(entries.iter().map(|(k, v)| (k.scalar_text(), to_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_keep_their_text() {
        let v = super::parse("t", "a: 0.0000166667\nb: 10000\nc: [1.50]\n").unwrap();
        assert_eq!(v["a"], "0.0000166667");
        assert_eq!(v["b"], "10000");
        assert_eq!(v["c"][0], "1.50");
    }
}
