//! Command-line interface: parse flags, call one `ops` function, render.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::ops;
use crate::render::plan_human;

#[derive(Debug, Parser)]
#[command(name = "strata", version, about = "Plan and apply AWS stacks described in YAML")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a stack spec and report every problem in it.
    Validate {
        /// The stack spec, e.g. stacks/acme-scheduling.yaml
        stack: PathBuf,
    },
    /// Show what apply would change.
    Plan {
        stack: PathBuf,
        /// Target environment declared in the spec.
        #[arg(long = "env", default_value = crate::spec::DEFAULT_ENVIRONMENT)]
        environment: String,
        /// State file to use instead of the environment's backend.
        #[arg(long)]
        state: Option<PathBuf>,
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
        /// Save the plan for a later `strata apply <file>`.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Exit 0 when there are no changes, 2 when there are, 1 on error.
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Show a saved plan and check that it still applies to the current state.
    Show {
        planfile: PathBuf,
        #[arg(long)]
        state: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Print the dependency graph as Graphviz DOT.
    Graph {
        stack: PathBuf,
        /// Render to this SVG file with Graphviz's `dot` instead of printing DOT.
        #[arg(long)]
        svg: Option<PathBuf>,
    },
    /// List the resource types strata supports.
    Types,
}

/// Runs the command; `Ok` carries the exit code of a successful run.
pub fn run(args: impl IntoIterator<Item = OsString>) -> miette::Result<ExitCode> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return Ok(if e.use_stderr() { ExitCode::from(1) } else { ExitCode::SUCCESS });
        }
    };
    let mut out = anstream::stdout();
    match cli.command {
        Command::Validate { stack } => {
            let s = ops::validate::validate(&stack)?;
            let _ = writeln!(out, "{}: valid ({} resources, stack {})", stack.display(), s.resources.len(), s.name);
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan { stack, environment, state, json, out: save, detailed_exitcode } => {
            let outcome = ops::plan::plan(&ops::plan::PlanRequest {
                spec_path: &stack,
                environment: &environment,
                state_path: state.as_deref(),
                out: save.as_deref(),
            })?;
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&outcome.plan).unwrap_or_default());
            } else {
                let _ = write!(out, "{}", plan_human::render(&outcome.plan));
                if let Some(path) = &outcome.saved_to {
                    let _ = writeln!(
                        out,
                        "\nSaved the plan to {}. Apply exactly this plan with: strata apply {}",
                        path.display(),
                        path.display()
                    );
                }
            }
            Ok(if detailed_exitcode && outcome.plan.has_changes() { ExitCode::from(2) } else { ExitCode::SUCCESS })
        }
        Command::Show { planfile, state, json } => {
            let shown = ops::show::show(&planfile, state.as_deref())?;
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&shown.planfile).unwrap_or_default());
            } else {
                let _ = write!(out, "{}", plan_human::render(&shown.planfile.plan));
                let _ = writeln!(out, "\nThe plan is current: it was made against the state as it is now.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Graph { stack, svg } => {
            let dot = ops::graph::graph_dot(&stack)?;
            match svg {
                Some(path) => {
                    ops::graph::render_svg(&dot, &path)?;
                    let _ = writeln!(out, "wrote {}", path.display());
                }
                None => {
                    let _ = write!(out, "{dot}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Types => {
            for schema in crate::provider::registry::ALL {
                let _ = writeln!(out, "{:<40} attributes: {}", schema.type_name, schema.attributes.join(", "));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
