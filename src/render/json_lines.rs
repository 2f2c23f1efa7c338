//! `apply --json` and `destroy --json` on stdout: JSON lines, one document a
//! line, in this order: the `plan`, an `event` per resource operation as the
//! walk reports it (started, finished, failed, skipped...), the `summary`,
//! then the `outputs` (when the stack has any). Every document carries
//! `format_version` and `type`, and has a JSON Schema in `docs/json/`
//! (`<type>.schema.json`) that a test holds every line to; a failure is the
//! `error` document on stderr (`render::error`).

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::ops::apply::{ApplyEvent, ApplyReport};
use crate::plan::Plan;

/// The version of the JSON-lines documents. A field's meaning changing or a
/// field going away bumps it; a new optional field does not.
pub const FORMAT_VERSION: u32 = 1;

/// `{"format_version":1,"type":"plan","plan":{...}}`: what `strata plan --json` prints, wrapped.
pub fn plan(plan: &Plan) -> String {
    document("plan", [("plan", to_value(plan))])
}

/// `{"format_version":1,"type":"event","event":"finished","name":...}`: the
/// event's own fields, flat, so `jq 'select(.event == "failed")'` reads it.
pub fn event(event: &ApplyEvent) -> String {
    match to_value(event) {
        Value::Object(fields) => document("event", fields),
        other => document("event", [("event", other)]),
    }
}

/// The run's counts (the outputs come in their own document).
pub fn summary(report: &ApplyReport) -> String {
    let mut fields = match to_value(report) {
        Value::Object(fields) => fields,
        _ => Map::new(),
    };
    fields.remove("outputs");
    document("summary", fields)
}

pub fn outputs(outputs: &IndexMap<String, Value>) -> String {
    document("outputs", [("outputs", to_value(outputs))])
}

fn to_value(v: &impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `format_version` and `type` first, then the document's fields.
fn document(kind: &str, fields: impl IntoIterator<Item = (impl Into<String>, Value)>) -> String {
    let mut doc = Map::new();
    doc.insert("format_version".into(), FORMAT_VERSION.into());
    doc.insert("type".into(), kind.into());
    doc.extend(fields.into_iter().map(|(k, v)| (k.into(), v)));
    Value::Object(doc).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Action;

    /// The schemas a consumer validates against, as shipped in docs/json/.
    fn validator(kind: &str) -> jsonschema::Validator {
        let path = format!("{}/docs/json/{kind}.schema.json", env!("CARGO_MANIFEST_DIR"));
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn assert_valid(kind: &str, line: &str) {
        let doc: Value = serde_json::from_str(line).unwrap();
        let errors: Vec<String> =
            validator(kind).iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{line}\n{}", errors.join("\n"));
    }

    /// Every kind of event the walk can report, including those a clean
    /// apply never shows (failed, skipped, interrupted, not started).
    #[test]
    fn every_event_kind_matches_the_event_schema() {
        let (name, type_name, action) = ("Logs".to_owned(), "AWS::Logs::LogGroup".to_owned(), Action::Create);
        let events = [
            ApplyEvent::Started { name: name.clone(), type_name: type_name.clone(), action },
            ApplyEvent::Finished {
                name: name.clone(),
                type_name: type_name.clone(),
                action,
                elapsed_ms: 12,
                note: None,
            },
            ApplyEvent::Finished {
                name: name.clone(),
                type_name: type_name.clone(),
                action: Action::Delete,
                elapsed_ms: 3,
                note: Some("scheduled for deletion in 7 days".into()),
            },
            ApplyEvent::Failed {
                name: name.clone(),
                type_name: type_name.clone(),
                action,
                error: "AccessDenied".into(),
            },
            ApplyEvent::Skipped { name: name.clone(), type_name: type_name.clone(), action, because: "Vpc".into() },
            ApplyEvent::Interrupted,
            ApplyEvent::NotStarted { name, type_name, action: Action::Replace },
        ];
        for e in &events {
            assert_valid("event", &event(e));
        }
        let bad = r#"{"format_version":1,"type":"event","event":"finished","name":"Logs"}"#;
        assert!(!validator("event").is_valid(&serde_json::from_str(bad).unwrap()), "a finished event needs its fields");
    }

    #[test]
    fn summary_and_outputs_match_their_schemas() {
        let report = ApplyReport {
            action: "apply",
            succeeded: 2,
            failed: 0,
            skipped: 0,
            not_started: 0,
            api_calls: 9,
            elapsed_ms: 1500,
            state_serial: 4,
            outputs: IndexMap::from([("Arn".to_owned(), Value::from("arn:aws:logs:x"))]),
        };
        let line = summary(&report);
        assert!(!line.contains("arn:aws"), "outputs have their own document: {line}");
        assert_valid("summary", &line);
        assert_valid("outputs", &outputs(&report.outputs));
    }

    #[test]
    fn an_error_matches_the_error_schema() {
        let report = miette::Report::new(crate::state::StateError::NoState { location: "x.json".into() });
        assert_valid("error", &crate::render::error::json(&report));
    }
}
