//! A failure for machines: with `--json`, stderr carries the diagnostic as
//! one JSON object (miette's JSON report: message, code, severity, help,
//! file name, labels with byte offsets, related diagnostics), so a pipeline
//! that parses stdout's JSON can parse the failure the same way.

/// The report as one line of JSON, with `"error": true`, `"type": "error"`
/// and the format's version beside miette's fields
/// (`docs/json/error.schema.json`).
pub fn json(report: &miette::Report) -> String {
    let mut text = String::new();
    let rendered = miette::JSONReportHandler::new().render_report(&mut text, report.as_ref());
    let mut value: serde_json::Value = match rendered {
        Ok(()) => serde_json::from_str(&text).unwrap_or_else(|_| serde_json::json!({ "message": report.to_string() })),
        Err(_) => serde_json::json!({ "message": report.to_string() }),
    };
    if let Some(object) = value.as_object_mut() {
        object.insert("error".into(), true.into());
        object.insert("type".into(), "error".into());
        object.insert("format_version".into(), ERROR_FORMAT_VERSION.into());
    }
    value.to_string()
}

/// The version of the JSON error format.
pub const ERROR_FORMAT_VERSION: u32 = 1;

#[cfg(test)]
mod tests {
    #[test]
    fn a_diagnostic_becomes_one_json_object_with_its_code_and_help() {
        let report = miette::Report::new(crate::state::StateError::NoState { location: "x.json".into() });
        let value: serde_json::Value = serde_json::from_str(&super::json(&report)).unwrap();
        assert_eq!(value["error"], true);
        assert_eq!(value["code"], "state::empty");
        assert!(value["message"].as_str().unwrap().contains("x.json"), "{value}");
    }
}
