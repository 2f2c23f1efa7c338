//! The `strata` binary: one exit point. Every failure comes back here as a
//! miette report (JSON when the command was given `--json`) and exits 1
//! (130 when interrupted); success codes come from the command itself (0,
//! or 2 for "changes present" under --detailed-exitcode).

use std::io::IsTerminal;
use std::process::ExitCode;

/// mimalloc: a plan of a 100,000-resource stack allocates and frees
/// millions of small values (YAML nodes, JSON values, plan lines), where
/// glibc's allocator spent about a second more (docs/decisions.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    install_report_style();
    match strata::cli::run(std::env::args_os()) {
        Ok(code) => code,
        Err(failure) => {
            if failure.json {
                eprintln!("{}", strata::render::error::json(&failure.report));
            } else {
                eprintln!("{:?}", failure.report);
            }
            // 130 for a run stopped by Ctrl-C/SIGTERM, as shells report it.
            match failure.report.downcast_ref::<strata::ops::OpsError>() {
                Some(strata::ops::OpsError::Interrupted { .. }) => ExitCode::from(strata::ops::interrupt::EXIT_CODE),
                _ => ExitCode::from(1),
            }
        }
    }
}

/// Graphical diagnostics always (they show file:line:column and the source
/// line); colour only on a terminal without NO_COLOR; a fixed width off a
/// terminal so CI logs and snapshots are stable.
fn install_report_style() {
    let tty = std::io::stderr().is_terminal();
    let color = tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = miette::set_hook(Box::new(move |_| {
        let mut opts = miette::MietteHandlerOpts::new()
            .force_graphical(true)
            .terminal_links(false)
            .color(color)
            .unicode(true)
            .context_lines(1);
        if !tty {
            opts = opts.width(100);
        }
        Box::new(opts.build())
    }));
}
