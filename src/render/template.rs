//! A CloudFormation template (a JSON value) as YAML or JSON text.
//!
//! YAML is written in block style by hand (no YAML serializer in the tree):
//! a string is written plain only when every YAML reader (YAML 1.1 ones such
//! as PyYAML and cfn-lint included) reads it back as the same string, and
//! double-quoted otherwise, so the two formats always hold the same template.

use serde_json::Value;

/// The output format of `strata export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Yaml,
    Json,
}

pub fn render(template: &Value, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(template).unwrap_or_default() + "\n",
        Format::Yaml => {
            let mut out = String::new();
            block(template, 0, &mut out);
            out
        }
    }
}

/// Writes `value` as the content after a `key:` or `- ` (the caller wrote
/// the indicator): scalars and empty collections on the same line, others on
/// the following lines at `indent`.
fn block(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, v) in map {
                out.push_str(&" ".repeat(indent));
                out.push_str(&scalar_string(key));
                out.push(':');
                after_indicator(v, indent + 2, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&" ".repeat(indent));
                out.push('-');
                match item {
                    // `- key: value` with the mapping's later keys under the first.
                    Value::Object(m) if !m.is_empty() => {
                        let mut nested = String::new();
                        block(item, indent + 2, &mut nested);
                        out.push(' ');
                        out.push_str(&nested[indent + 2..]);
                    }
                    _ => after_indicator(item, indent + 2, out),
                }
            }
        }
        _ => {
            out.push_str(&" ".repeat(indent));
            out.push_str(&scalar(value));
            out.push('\n');
        }
    }
}

fn after_indicator(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            block(value, indent, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            block(value, indent, out);
        }
        _ => {
            out.push(' ');
            out.push_str(&scalar(value));
            out.push('\n');
        }
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => String::from("null"),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar_string(s),
        Value::Object(_) => String::from("{}"),
        Value::Array(_) => String::from("[]"),
    }
}

/// Words YAML 1.1 readers take for booleans or null.
const SPECIAL_WORDS: &[&str] = &["y", "yes", "n", "no", "true", "false", "on", "off", "null", "~"];

/// Whether `s` can be written without quotes and read back unchanged: it
/// starts with a letter, `/` or `_` (never a digit, sign or dot, so never a
/// number, date or YAML 1.1 sexagesimal), holds no character that starts a
/// comment, a quote or an indicator, and is not a boolean or null word.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    (first.is_ascii_alphabetic() || first == '/' || first == '_')
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && s.chars().all(|c| c.is_ascii_alphanumeric() || " _-./:()@,+*=$!{}%".contains(c))
        && !SPECIAL_WORDS.contains(&s.to_ascii_lowercase().as_str())
}

fn scalar_string(s: &str) -> String {
    if is_plain_safe(s) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn yaml(v: &Value) -> String {
        render(v, Format::Yaml)
    }

    #[test]
    fn nested_blocks() {
        let v = json!({"A": {"B": [1, {"C": "x", "D": ["z"]}, []], "E": {}}, "F": [[1, 2]]});
        assert_eq!(
            yaml(&v),
            "A:\n  B:\n    - 1\n    - C: x\n      D:\n        - z\n    - []\n  E: {}\nF:\n  -\n    - 1\n    - 2\n"
        );
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in ["OFF", "yes", "10.0.0.0/16", "-1", "", " a", "a: b", "a #b", "*", "0.1.0", "12:30", "\"q\"", "ümlaut"]
        {
            assert!(scalar_string(s).starts_with('"'), "{s} must be quoted");
        }
        for s in ["Fn::Sub", "arn:${AWS::Partition}:logs:${AWS::Region}", "/aws/lambda/x", "dynamodb:*", "kms:Encrypt*"]
        {
            assert_eq!(scalar_string(s), s);
        }
        assert_eq!(scalar_string("a\"b\\c\nd\u{7f}"), "\"a\\\"b\\\\c\\nd\\u007f\"");
    }

    /// What strata's own YAML reader reads back is the same value.
    #[test]
    fn round_trips_through_the_spec_reader() {
        let v =
            json!({"S": ["OFF", "on", "1e3", "x y", "a:b", "-", "tab\there", "${!x}"], "N": [0, -5, 2.5, true, null]});
        let (node, _) = crate::spec::yaml::parse(&yaml(&v)).unwrap();
        assert_eq!(node.to_json(), v);
    }
}
