//! One spec or live value as a short line of text, the way every human
//! report (plan, drift) shows it, so the two never disagree on a value.

use serde_json::Value;

use crate::plan::action::is_unknown;

/// What a value the apply has yet to learn reads as.
pub const KNOWN_AFTER_APPLY: &str = "(known after apply)";

/// Renders a value compactly; unknowns read "(known after apply)".
pub fn value_text(v: &Value) -> String {
    if is_unknown(v) {
        return KNOWN_AFTER_APPLY.to_owned();
    }
    match v {
        Value::Object(m) => {
            let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}: {}", value_text(v))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(value_text).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}
