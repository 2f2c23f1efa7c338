//! Drift for people: the report of `strata drift`, and the "changed outside
//! strata" section a refreshed plan opens with.

use std::fmt::Write as _;

use crate::drift::{DriftStatus, ResourceDrift};
use crate::ops::drift::DriftReport;
use crate::render::value::value_text;

fn resource_lines(out: &mut String, r: &ResourceDrift) {
    let status = match r.status {
        DriftStatus::InSync => "IN_SYNC",
        DriftStatus::Modified => "MODIFIED",
        DriftStatus::Deleted => "DELETED",
    };
    let _ = writeln!(out, "  {status:<9} {} ({}) {}", r.name, r.type_name, r.physical_id);
    for p in &r.properties {
        let show = |v: &Option<serde_json::Value>| v.as_ref().map_or_else(|| String::from("(absent)"), value_text);
        let _ = match (&p.expected, &p.actual) {
            // Removed in AWS: say so, with what apply puts back.
            (Some(expected), None) => {
                writeln!(out, "              {}: removed (expected {})", p.path, value_text(expected))
            }
            _ => writeln!(out, "              {}: expected {}, actual {}", p.path, show(&p.expected), show(&p.actual)),
        };
    }
}

/// `strata drift`'s report.
pub fn report(r: &DriftReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Drift of stack {} · environment {}\n", r.stack, r.environment);
    for resource in &r.resources {
        resource_lines(&mut out, resource);
    }
    if !r.unmanaged.is_empty() {
        let _ = writeln!(out, "\nTagged for this stack but not in state (unmanaged):");
        for u in &r.unmanaged {
            let name = u.logical_name.as_deref().map(|n| format!(" (tagged {n})")).unwrap_or_default();
            let _ = writeln!(out, "  UNMANAGED {}{name}", u.arn);
        }
    }
    let count = |s: DriftStatus| r.resources.iter().filter(|x| x.status == s).count();
    let _ = writeln!(
        out,
        "\n{} in sync, {} modified, {} deleted, {} unmanaged ({} API calls, {} ms).",
        count(DriftStatus::InSync),
        count(DriftStatus::Modified),
        count(DriftStatus::Deleted),
        r.unmanaged.len(),
        r.api_calls,
        r.elapsed_ms
    );
    if !r.in_sync() {
        let _ = writeln!(
            out,
            "`strata apply` puts them back as the spec says; `strata apply --refresh-only` records what AWS has instead."
        );
    }
    out
}

/// The plan's opening section when the refresh found drift.
pub fn plan_section(drift: &[ResourceDrift]) -> String {
    let mut out = String::new();
    if drift.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\nChanged outside strata since the last apply:\n");
    for r in drift {
        resource_lines(&mut out, r);
    }
    out
}
