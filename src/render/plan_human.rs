//! The human plan, in Terraform's visual language: `+` create, `~` update,
//! `-/+` replace, `-` destroy, attribute-level `before -> after`, and a
//! closing summary line.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde_json::Value;

use crate::plan::{Action, Plan, PropertyChange, ResourceChange};
use crate::render::value::value_text;

fn style(action: Action) -> Style {
    let color = match action {
        Action::Create => AnsiColor::Green,
        Action::Update => AnsiColor::Yellow,
        Action::Replace => AnsiColor::Magenta,
        Action::Delete => AnsiColor::Red,
        Action::NoOp => AnsiColor::White,
    };
    Style::new().fg_color(Some(color.into()))
}

fn paint(s: &str, st: Style) -> String {
    format!("{}{s}{}", st.render(), st.render_reset())
}

fn change_line(c: &PropertyChange, action: Action) -> String {
    let (symbol, text) = match (&c.before, &c.after) {
        (None, Some(a)) => ("+", value_text(a)),
        (Some(b), None) => ("-", format!("{} -> null", value_text(b))),
        (Some(b), Some(a)) => ("~", format!("{} -> {}", value_text(b), value_text(a))),
        (None, None) => (" ", String::new()),
    };
    let symbol = if action == Action::Create {
        "+"
    } else if action == Action::Delete {
        "-"
    } else {
        symbol
    };
    let st = match symbol {
        "+" => style(Action::Create),
        "-" => style(Action::Delete),
        _ => style(Action::Update),
    };
    let text = if action == Action::Delete { value_text(c.before.as_ref().unwrap_or(&Value::Null)) } else { text };
    let marker =
        if c.forces_replacement { paint("  # forces replacement", style(Action::Replace)) } else { String::new() };
    format!("      {} {} = {text}{marker}", paint(symbol, st), c.path)
}

fn resource_block(out: &mut String, c: &ResourceChange) {
    let st = style(c.action);
    let what = if c.deposed { " (old object)" } else { "" };
    let header = format!("{}{what} ({}) {}", c.name, c.type_name, c.action.verb());
    let _ = writeln!(out, "  {} {}", paint(&format!("{:>3}", c.symbol()), st), paint(&header, Style::new().bold()));
    if let Some(reason) = &c.reason {
        let _ = writeln!(out, "        # {reason}");
    }
    for pc in c.property_changes().iter() {
        let _ = writeln!(out, "{}", change_line(pc, c.action));
    }
}

/// The whole human plan.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Stack {} · environment {}", plan.stack, plan.environment);
    if !plan.parameters.is_empty() {
        // What the plan was computed from, for the reviewer (secrets hidden).
        let values: Vec<String> = plan.parameters.iter().map(|(n, v)| format!("{n} = {}", v.shown())).collect();
        let _ = writeln!(out, "Parameters: {}", values.join(", "));
    }
    out.push_str(&super::drift::plan_section(&plan.drift));
    if plan.refresh_only {
        let _ = writeln!(
            out,
            "\nRefresh only: applying this records what AWS has in state ({} resource{}); nothing in AWS changes.",
            plan.drift.len(),
            if plan.drift.len() == 1 { "" } else { "s" }
        );
        return out;
    }
    if !plan.has_changes() {
        let _ =
            writeln!(out, "\nNo changes. The infrastructure matches the spec ({} resources).", plan.summary.unchanged);
        return out;
    }
    if !plan.targets.is_empty() {
        let _ = writeln!(
            out,
            "\nTargeting is in effect: only {} and what {} depend{} on are planned; the rest of the spec \
             is left as it is. Use it for exceptional cases, then apply without --target.",
            plan.targets.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "),
            if plan.targets.len() == 1 { "it" } else { "they" },
            if plan.targets.len() == 1 { "s" } else { "" },
        );
    }
    let _ = writeln!(out, "\nstrata will perform these actions, in this order:\n");
    for c in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
        resource_block(&mut out, c);
        out.push('\n');
    }
    let s = plan.summary;
    let _ = writeln!(
        out,
        "{} {} to add, {} to change, {} to replace, {} to destroy.",
        paint("Plan:", Style::new().bold()),
        s.add,
        s.change,
        s.replace,
        s.destroy
    );
    if s.unchanged > 0 {
        let _ = writeln!(out, "{} resource{} unchanged.", s.unchanged, if s.unchanged == 1 { "" } else { "s" });
    }
    if !plan.outputs.is_empty() {
        let _ = writeln!(out, "\nOutputs after this apply:");
        let width = plan.outputs.keys().map(String::len).max().unwrap_or(0);
        for (name, value) in &plan.outputs {
            let _ = writeln!(out, "  {name:<width$} = {}", value_text(value));
        }
    }
    out
}
