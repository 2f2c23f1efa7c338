//! Stack outputs as people read them: `Name = value`, strings unquoted so a
//! URL or an id can be copied as it is; other values as JSON.

use indexmap::IndexMap;
use serde_json::Value;

/// A value as one line of text: a string as it is, anything else as JSON.
pub fn raw(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `Outputs:` and one `Name = value` line each, names aligned; empty when
/// there are none.
pub fn section(outputs: &IndexMap<String, Value>) -> String {
    if outputs.is_empty() {
        return String::new();
    }
    let width = outputs.keys().map(String::len).max().unwrap_or(0);
    let mut out = String::from("\nOutputs:\n\n");
    for (name, value) in outputs {
        out.push_str(&format!("  {name:<width$} = {}\n", raw(value)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_unquoted_and_names_aligned() {
        let outputs = IndexMap::from([
            ("ApiUrl".to_owned(), Value::from("https://x.example/prod")),
            ("Port".to_owned(), Value::from(443)),
        ]);
        assert_eq!(section(&outputs), "\nOutputs:\n\n  ApiUrl = https://x.example/prod\n  Port   = 443\n");
        assert_eq!(section(&IndexMap::new()), "");
    }
}
