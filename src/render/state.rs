//! `strata state list` and `strata state show` for people (the `--json`
//! forms serialise the ops structs as they are).

use std::fmt::Write;

use crate::ops::state::{Listing, Shown};

/// A header with where the state is, then one aligned line per object;
/// deposed objects are marked.
pub fn listing(l: &Listing) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} (stack {}, environment {}, serial {}, {} object(s))",
        l.location,
        l.stack,
        l.environment,
        l.serial,
        l.resources.len()
    );
    let name_width = l.resources.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let type_width = l.resources.iter().map(|e| e.type_name.len()).max().unwrap_or(0);
    for e in &l.resources {
        let mark = if e.deposed { "  (deposed: old object of a replacement, deleted by the next apply)" } else { "" };
        let _ = writeln!(out, "  {:name_width$}  {:type_width$}  {}{mark}", e.name, e.type_name, e.physical_id);
    }
    out
}

/// Every field of the recorded objects, properties and attributes as JSON.
pub fn shown(objects: &[Shown]) -> String {
    let mut out = String::new();
    for s in objects {
        let r = &s.resource;
        let _ = writeln!(out, "{}{}", s.name, if s.deposed { " (deposed)" } else { "" });
        let _ = writeln!(out, "  type:         {}", r.type_name);
        let _ = writeln!(out, "  physical id:  {}", r.physical_id);
        if !r.dependencies.is_empty() {
            let _ = writeln!(out, "  depends on:   {}", r.dependencies.join(", "));
        }
        if r.prevent_destroy {
            let _ = writeln!(out, "  prevent destroy");
        }
        let _ = writeln!(
            out,
            "  attributes:   {}",
            indent(&serde_json::to_string_pretty(&r.attributes).unwrap_or_default())
        );
        let _ = writeln!(
            out,
            "  properties:   {}",
            indent(&serde_json::to_string_pretty(&r.properties).unwrap_or_default())
        );
    }
    out
}

fn indent(text: &str) -> String {
    text.replace('\n', "\n  ")
}
