//! Apply and destroy progress: one line per resource with its action and
//! elapsed time (plain lines, fine for CI logs), or JSON lines for machines.

use std::io::Write;

use anstyle::{AnsiColor, Style};

use crate::ops::apply::{ApplyEvent, ApplyReport};
use crate::plan::Action;

fn past(action: Action) -> &'static str {
    match action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Replace => "replaced",
        Action::Delete => "destroyed",
        Action::NoOp => "unchanged",
    }
}

fn present(action: Action) -> &'static str {
    match action {
        Action::Create => "creating",
        Action::Update => "updating",
        Action::Replace => "replacing",
        Action::Delete => "destroying",
        Action::NoOp => "checking",
    }
}

fn paint(s: &str, color: AnsiColor) -> String {
    let st = Style::new().fg_color(Some(color.into()));
    format!("{}{s}{}", st.render(), st.render_reset())
}

/// One human line per event.
pub fn human_line(event: &ApplyEvent) -> String {
    match event {
        ApplyEvent::Started { name, type_name, action } => format!("  {name} ({type_name}): {}...", present(*action)),
        ApplyEvent::Finished { name, type_name, action, elapsed_ms, note } => {
            let note = note.as_ref().map(|n| format!(" — {n}")).unwrap_or_default();
            format!(
                "  {name} ({type_name}): {} after {:.1}s{note}",
                paint(past(*action), AnsiColor::Green),
                *elapsed_ms as f64 / 1000.0
            )
        }
        ApplyEvent::Failed { name, type_name, action, error } => {
            format!("  {name} ({type_name}): {} {}: {error}", paint("FAILED", AnsiColor::Red), present(*action))
        }
        ApplyEvent::Skipped { name, type_name, because, .. } => {
            format!("  {name} ({type_name}): {} because {because} failed", paint("skipped", AnsiColor::Yellow))
        }
        ApplyEvent::Interrupted => paint(
            "Interrupted: finishing the operations in flight, starting no more (Ctrl-C again to abort at once)",
            AnsiColor::Yellow,
        ),
        ApplyEvent::NotStarted { name, type_name, action } => {
            format!(
                "  {name} ({type_name}): {} {} (interrupted)",
                paint("not started:", AnsiColor::Yellow),
                present(*action)
            )
        }
    }
}

/// Writes events to stdout as they come, human or JSON lines.
pub fn printer(json: bool) -> impl Fn(ApplyEvent) + Sync {
    move |event| {
        let mut out = anstream::stdout();
        let line = if json { super::json_lines::event(&event) } else { human_line(&event) };
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

pub fn summary(report: &ApplyReport) -> String {
    let verb = if report.action == "destroy" { "Destroy" } else { "Apply" };
    let status = if report.not_started > 0 {
        "interrupted"
    } else if report.failed + report.skipped == 0 {
        "complete"
    } else {
        "incomplete"
    };
    let not_started =
        if report.not_started > 0 { format!(", {} not started", report.not_started) } else { String::new() };
    format!(
        "{verb} {status}: {} succeeded, {} failed, {} skipped{not_started} in {:.1}s ({} API calls; state serial {}).",
        report.succeeded,
        report.failed,
        report.skipped,
        report.elapsed_ms as f64 / 1000.0,
        report.api_calls,
        report.state_serial
    )
}
