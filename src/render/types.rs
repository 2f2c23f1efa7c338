//! `strata types <TYPE>`: one type's properties, kinds, AWS rules, and which
//! force a replacement; then its `${Name.Attribute}` attributes.

use std::fmt::Write as _;

use crate::ops::types::TypeDoc;

pub fn render(doc: &TypeDoc) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", doc.type_name);
    if let Some(d) = &doc.description {
        let _ = writeln!(out, "  {d}");
    }
    let _ = writeln!(out, "\nProperties (from AWS's CloudFormation resource schema):");
    for p in &doc.properties {
        let mut flags = Vec::new();
        if p.required {
            flags.push("required");
        }
        if p.forces_replacement {
            flags.push("forces replacement");
        }
        if !p.supported {
            flags.push("not managed by strata yet");
        }
        let flags = if flags.is_empty() { String::new() } else { format!("  [{}]", flags.join(", ")) };
        let _ = writeln!(out, "  {:<36} {}{flags}", p.name, p.kind);
        for rule in &p.rules {
            let _ = writeln!(out, "      {rule}");
        }
    }
    let _ = writeln!(out, "\nAttributes (${{Name.Attribute}}): {}", doc.attributes.join(", "));
    let _ = writeln!(out, "Identifier (state's physical id): {}", doc.identifier);
    out
}
