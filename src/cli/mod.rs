//! Command-line interface: parse flags, call one `ops` function, render.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use serde_json::Value;

use crate::graph::walk;
use crate::ops;
use crate::render::plan_human;

mod examples;
pub mod logging;
pub mod version;

#[derive(Debug, Parser)]
#[command(name = "strata", version, about = "Plan and apply AWS stacks described in YAML", after_help = examples::STRATA)]
pub struct Cli {
    /// Log to stderr: -v strata's debug logs, -vv also the AWS SDK's
    /// requests (trace). RUST_LOG, when set, overrides both.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a stack spec and report every problem in it.
    #[command(after_help = examples::VALIDATE)]
    Validate {
        /// The stack spec, e.g. stacks/acme-scheduling.yaml
        stack: PathBuf,
        /// The environment whose parameter values are checked with the spec.
        #[arg(long = "env", default_value = crate::spec::DEFAULT_ENVIRONMENT)]
        environment: String,
        #[command(flatten)]
        vars: VarArgs,
    },
    /// Show what apply would change.
    #[command(after_help = examples::PLAN)]
    Plan {
        /// The stack spec, e.g. stacks/acme-scheduling.yaml
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
        /// Do not build Lambda packages; their code hashes show as known after apply.
        #[arg(long)]
        no_build: bool,
        /// Read what AWS has before planning (`--refresh=false` skips it).
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
        refresh: bool,
        /// Only show what changed outside strata.
        #[arg(long, conflicts_with = "refresh")]
        refresh_only: bool,
        /// Plan only this resource and what it depends on (repeatable). For
        /// exceptional cases: the rest of the spec is left as it is.
        #[arg(long, value_name = "NAME")]
        target: Vec<String>,
        /// Replace this resource even though no property change forces it (repeatable).
        #[arg(long, value_name = "NAME")]
        replace: Vec<String>,
        #[command(flatten)]
        vars: VarArgs,
    },
    /// Make the infrastructure match the spec (or apply a saved plan exactly).
    #[command(after_help = examples::APPLY)]
    Apply {
        /// A stack spec, or a saved plan from `strata plan --out`.
        source: PathBuf,
        /// Target environment declared in the spec.
        #[arg(long = "env", default_value = crate::spec::DEFAULT_ENVIRONMENT)]
        environment: String,
        /// State file to use instead of the environment's backend.
        #[arg(long)]
        state: Option<PathBuf>,
        /// Apply without asking (required without a terminal, unless applying a saved plan).
        #[arg(long)]
        auto_approve: bool,
        /// Resource operations in flight at once.
        #[arg(long, default_value_t = walk::DEFAULT_PARALLELISM)]
        parallelism: usize,
        /// JSON lines: the plan, an event per resource operation, the summary, the
        /// outputs (schemas in docs/json/).
        #[arg(long)]
        json: bool,
        /// Read what AWS has before planning (`--refresh=false` skips it).
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
        refresh: bool,
        /// Record what AWS has in state instead of changing AWS.
        #[arg(long, conflicts_with = "refresh")]
        refresh_only: bool,
        /// Plan only this resource and what it depends on (repeatable). For
        /// exceptional cases: the rest of the spec is left as it is.
        #[arg(long, value_name = "NAME")]
        target: Vec<String>,
        /// Replace this resource even though no property change forces it (repeatable).
        #[arg(long, value_name = "NAME")]
        replace: Vec<String>,
        #[command(flatten)]
        vars: VarArgs,
    },
    /// Compare every recorded resource with AWS; find tagged resources state does not know.
    /// Exit 0 in sync, 2 drifted, 1 on error.
    #[command(after_help = examples::DRIFT)]
    Drift {
        /// The stack spec, e.g. stacks/acme-scheduling.yaml
        stack: PathBuf,
        /// Target environment declared in the spec.
        #[arg(long = "env", default_value = crate::spec::DEFAULT_ENVIRONMENT)]
        environment: String,
        /// State file to use instead of the environment's backend.
        #[arg(long)]
        state: Option<PathBuf>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        vars: VarArgs,
    },
    /// Adopt an existing AWS resource into state as one of the spec's resources.
    #[command(after_help = examples::IMPORT)]
    Import {
        /// The resource's logical name in the spec.
        name: String,
        /// Its id in AWS (a VPC id, a table or function name, a role name...).
        physical_id: String,
        /// The stack spec that declares the resource.
        #[arg(long)]
        stack: PathBuf,
        /// Target environment declared in the spec.
        #[arg(long = "env", default_value = crate::spec::DEFAULT_ENVIRONMENT)]
        environment: String,
        /// State file to use instead of the environment's backend.
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// Delete every resource the state records for this stack and environment.
    #[command(after_help = examples::DESTROY)]
    Destroy {
        /// The stack spec, e.g. stacks/acme-scheduling.yaml
        stack: PathBuf,
        /// Target environment declared in the spec.
        #[arg(long = "env", default_value = crate::spec::DEFAULT_ENVIRONMENT)]
        environment: String,
        /// State file to use instead of the environment's backend.
        #[arg(long)]
        state: Option<PathBuf>,
        /// Destroy without asking (required without a terminal).
        #[arg(long)]
        auto_approve: bool,
        /// Resource operations in flight at once.
        #[arg(long, default_value_t = walk::DEFAULT_PARALLELISM)]
        parallelism: usize,
        /// JSON lines, as `apply --json` (docs/json/).
        #[arg(long)]
        json: bool,
    },
    /// The embedded local cloud (a pinned moto server on 127.0.0.1).
    #[command(after_help = examples::LOCAL)]
    Local {
        #[command(subcommand)]
        command: LocalCommand,
    },
    /// Show a saved plan and check that it still applies to the current state.
    #[command(after_help = examples::SHOW)]
    Show {
        /// A saved plan from `strata plan --out`.
        planfile: PathBuf,
        /// State file to use instead of the environment's backend.
        #[arg(long)]
        state: Option<PathBuf>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the stack for another engine, without calling AWS.
    #[command(after_help = examples::EXPORT)]
    Export {
        #[command(subcommand)]
        target: ExportTarget,
    },
    /// Build the stack's Lambdas, upload each zip once to an S3 bucket (key from
    /// its hash), and write the CloudFormation template that names them.
    #[command(after_help = examples::PACKAGE)]
    Package {
        /// The stack spec, e.g. stacks/acme-scheduling.yaml
        stack: PathBuf,
        /// Target environment declared in the spec.
        #[arg(long = "env", default_value = crate::spec::DEFAULT_ENVIRONMENT)]
        environment: String,
        /// An existing bucket in the environment's account and region.
        #[arg(long)]
        bucket: String,
        #[command(flatten)]
        vars: VarArgs,

        /// The template's format.
        #[arg(long, value_enum, default_value = "yaml")]
        format: crate::render::template::Format,
        /// Write the template to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Estimate what the stack costs a month on AWS, per resource, from
    /// strata's price table (pricing/aws-prices.yaml) and usage inputs
    /// (ACME's 10,000 orders a month unless --usage says otherwise).
    #[command(after_help = examples::COST)]
    Cost {
        /// The stack spec, e.g. stacks/acme-scheduling.yaml
        stack: PathBuf,
        /// Environment declared in the spec; its region picks the prices (local: us-east-1).
        #[arg(long = "env", default_value = crate::spec::DEFAULT_ENVIRONMENT)]
        environment: String,
        /// A YAML file of usage inputs overriding the defaults (pricing/usage-acme.yaml).
        #[arg(long)]
        usage: Option<PathBuf>,
        /// Print the estimate as JSON (amounts as exact decimal strings).
        #[arg(long)]
        json: bool,
    },
    /// Print the dependency graph as Graphviz DOT: resources grouped by service
    /// family, the critical path (the longest dependency chain) in bold.
    #[command(after_help = examples::GRAPH)]
    Graph {
        /// The stack spec, e.g. stacks/acme-scheduling.yaml
        #[arg(required_unless_present = "plan", conflicts_with = "plan")]
        stack: Option<PathBuf>,
        /// Draw this saved plan (`strata plan --out`) instead: each resource
        /// filled with its action's colour, deleted ones included.
        #[arg(long, value_name = "PLANFILE")]
        plan: Option<PathBuf>,
        /// Render to this SVG file with Graphviz's `dot` instead of printing DOT.
        #[arg(long)]
        svg: Option<PathBuf>,
    },
    /// List the resource types strata supports, or show one type's properties
    /// with AWS's rules for each (from AWS's CloudFormation resource schema).
    #[command(after_help = examples::TYPES)]
    Types {
        /// A CloudFormation type name, e.g. AWS::Lambda::Function
        type_name: Option<String>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a JSON Schema of the stack-spec format for editors (completion and
    /// inline errors in VS Code / Neovim through yaml-language-server).
    ///
    /// Then put `# yaml-language-server: $schema=strata.schema.json` at the top of a stack.
    #[command(after_help = examples::SCHEMA)]
    Schema {
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print a shell completion script.
    #[command(after_help = examples::COMPLETIONS)]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the stack's outputs as of the last apply (read from state, no AWS call).
    #[command(after_help = examples::OUTPUT)]
    Output {
        /// One output only, printed as its bare value (for scripts).
        name: Option<String>,
        #[command(flatten)]
        which: StateArgs,
        /// As JSON: an object of all outputs, or the one value named.
        #[arg(long)]
        json: bool,
    },
    /// Print strata's version and what it pins: the local cloud, the Lambda
    /// build tools, AWS's resource schemas (as `--version` does).
    #[command(after_help = examples::VERSION)]
    Version {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write man pages: strata.1 and one strata-<command>.1 per subcommand.
    #[command(after_help = examples::MAN)]
    Man {
        /// The directory to write them to (created if missing).
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
    },
    /// Inspect and edit recorded state; break the lock of a holder that died.
    #[command(after_help = examples::STATE)]
    State {
        #[command(subcommand)]
        command: StateCommand,
        #[command(flatten)]
        which: StateArgs,
    },
}

/// Parameter values (`${param.Name}`) beside the spec's own: later sources
/// win, `Default` < `Environments.<env>.Parameters` < `STRATA_VAR_<Name>` <
/// `--var-file` < `--var`.
#[derive(Debug, Clone, clap::Args)]
pub struct VarArgs {
    /// Set a parameter, e.g. --var ExecutorMemory=512 (repeatable; wins over every other source).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = crate::spec::bind::parse_var)]
    vars: Vec<(String, String)>,
    /// A YAML file of parameter values (`Name: value` per line), over the spec's and STRATA_VAR_*.
    #[arg(long = "var-file", value_name = "FILE")]
    var_file: Option<PathBuf>,
}

impl VarArgs {
    fn inputs(&self) -> crate::spec::Inputs {
        crate::spec::Inputs::new(self.vars.clone(), self.var_file.clone())
    }
}

/// Which recorded state a command reads (`strata state`, `strata output`).
#[derive(Debug, clap::Args)]
pub struct StateArgs {
    /// The stack spec: its environment (--env) picks the state backend.
    #[arg(long, global = true)]
    stack: Option<PathBuf>,
    /// Target environment declared in the spec.
    #[arg(long = "env", global = true, default_value = crate::spec::DEFAULT_ENVIRONMENT)]
    environment: String,
    /// A local state file (instead of, or overriding, the spec's backend).
    #[arg(long, global = true)]
    state: Option<PathBuf>,
}

impl StateArgs {
    fn selector(&self) -> ops::state::Selector<'_> {
        ops::state::Selector {
            stack: self.stack.as_deref(),
            environment: &self.environment,
            state_path: self.state.as_deref(),
        }
    }
}

impl Command {
    /// Whether the user asked for JSON: then a failure is JSON too.
    fn wants_json(&self) -> bool {
        match self {
            Command::Plan { json, .. }
            | Command::Apply { json, .. }
            | Command::Drift { json, .. }
            | Command::Destroy { json, .. }
            | Command::Show { json, .. }
            | Command::Types { json, .. }
            | Command::Version { json }
            | Command::Cost { json, .. }
            | Command::Output { json, .. } => *json,
            Command::State { command: StateCommand::List { json } | StateCommand::Show { json, .. }, .. } => *json,
            _ => false,
        }
    }
}

/// A command that failed: the report, and whether to print it as JSON
/// (the command was given `--json`).
#[derive(Debug)]
pub struct Failure {
    pub report: miette::Report,
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ExportTarget {
    /// A CloudFormation template: references become Ref / Fn::GetAtt / Fn::Sub,
    /// Lambda crates become S3 parameters (docs/cloudformation.md).
    #[command(after_help = examples::EXPORT_CLOUDFORMATION)]
    Cloudformation {
        /// The stack spec, e.g. stacks/acme-scheduling.yaml
        stack: PathBuf,
        /// The environment: the default of the template's EnvironmentName parameter
        /// and of each parameter's (its value there).
        #[arg(long = "env", default_value = crate::spec::DEFAULT_ENVIRONMENT)]
        environment: String,
        #[command(flatten)]
        vars: VarArgs,

        /// The template's format.
        #[arg(long, value_enum, default_value = "yaml")]
        format: crate::render::template::Format,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// Every recorded resource (deposed objects marked).
    #[command(after_help = examples::STATE_LIST)]
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// One recorded resource: type, physical id, properties, attributes.
    #[command(after_help = examples::STATE_SHOW)]
    Show {
        /// The resource's logical name.
        name: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Forget a resource (AWS keeps it). Writes a backup of the state first.
    #[command(after_help = examples::STATE_RM)]
    Rm {
        /// The resource's logical name.
        name: String,
    },
    /// Rename a resource in the state. Writes a backup of the state first.
    #[command(after_help = examples::STATE_MV)]
    Mv {
        /// The logical name the state records now.
        old: String,
        /// The logical name to record it under.
        new: String,
    },
    /// Break the lock with this id, left by a strata process that is gone.
    #[command(after_help = examples::STATE_UNLOCK)]
    Unlock {
        /// The lock id, as the refused command printed it.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LocalCommand {
    /// Install (first time) and start the local cloud.
    #[command(after_help = examples::LOCAL_START)]
    Start,
    /// Stop it.
    #[command(after_help = examples::LOCAL_STOP)]
    Stop,
    /// Is it running, and where.
    #[command(after_help = examples::LOCAL_STATUS)]
    Status,
    /// Apply a stack to the local cloud, then run it: its REST API on
    /// 127.0.0.1 (with the Cognito authorizer), its Lambdas as processes,
    /// its schedules firing. Until Ctrl-C.
    #[command(after_help = examples::LOCAL_RUN)]
    Run {
        /// The stack spec, e.g. stacks/acme-scheduling.yaml
        stack: PathBuf,
        /// Port for the API (0: any free port).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// State file to use instead of the environment's backend.
        #[arg(long)]
        state: Option<PathBuf>,
        /// Serve what is applied without applying first.
        #[arg(long)]
        no_apply: bool,
        #[command(flatten)]
        vars: VarArgs,
    },
    /// Create a user in the stack's local user pool (if needed), sign in,
    /// and print an ID token for the API's Authorization header.
    #[command(after_help = examples::LOCAL_LOGIN)]
    Login {
        /// The user's email address (the pool signs in by email).
        user: String,
        /// The stack spec, e.g. stacks/acme-scheduling.yaml
        #[arg(long, default_value = "stacks/acme-scheduling.yaml")]
        stack: PathBuf,
        /// The user's password (default: a new one is set and printed).
        #[arg(long)]
        password: Option<String>,
        /// State file to use instead of the environment's backend.
        #[arg(long)]
        state: Option<PathBuf>,
        /// Print only the ID token (for scripts: TOKEN=$(strata local login x --token-only)).
        #[arg(long)]
        token_only: bool,
    },
}

/// Writes a long rendered text (a plan) to stdout in one write, stripped of
/// styles when `out` strips them. Through `out` itself, anstream hands each
/// unstyled piece to stdout's line buffer, which flushes at every newline:
/// a 100,000-resource plan cost 600,000 write calls.
fn write_long(out: &anstream::AutoStream<std::io::Stdout>, text: &str) {
    let started = std::time::Instant::now();
    let mut stdout = std::io::stdout().lock();
    let _ = match out.current_choice() {
        // Piece by piece through one buffer: a stripped copy of a large
        // plan's text would be another 40 MB at the peak.
        anstream::ColorChoice::Never => {
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut stdout);
            let written = anstream::adapter::strip_str(text).try_for_each(|piece| buffered.write_all(piece.as_bytes()));
            written.and_then(|()| buffered.flush())
        }
        _ => stdout.write_all(text.as_bytes()),
    };
    let _ = stdout.flush();
    tracing::debug!(ms = started.elapsed().as_millis() as u64, bytes = text.len(), "written to stdout");
}

/// The command line as clap sees it, with `--version` naming what strata
/// pins (the local cloud, the Lambda build tools, AWS's schemas): those,
/// not only strata's own version, decide what a plan and a build do.
pub fn command() -> clap::Command {
    static LONG_VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| version::versions().long_version());
    Cli::command().long_version(LONG_VERSION.as_str())
}

/// Runs the command; `Ok` carries the exit code of a successful run.
pub fn run(args: impl IntoIterator<Item = OsString>) -> Result<ExitCode, Failure> {
    let parsed = command().try_get_matches_from(args).and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return Ok(if e.use_stderr() { ExitCode::from(1) } else { ExitCode::SUCCESS });
        }
    };
    let json = cli.command.wants_json();
    logging::install(cli.verbose);
    run_command(cli).map_err(|report| Failure { report, json })
}

fn run_command(cli: Cli) -> miette::Result<ExitCode> {
    let mut out = anstream::stdout();
    match cli.command {
        Command::Version { json } => {
            let versions = version::versions();
            let _ = match json {
                true => writeln!(out, "{}", serde_json::to_string_pretty(&versions).unwrap_or_default()),
                false => writeln!(out, "strata {}", versions.long_version()),
            };
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { out: dir } => {
            for page in ops::man::write_pages(command(), &dir)? {
                let _ = writeln!(out, "wrote {}", page.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut command(), "strata", &mut out);
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { stack, environment, vars } => {
            let s = ops::validate::validate(&stack, &environment, &vars.inputs())?;
            let _ = writeln!(out, "{}: valid ({} resources, stack {})", stack.display(), s.resources.len(), s.name);
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan {
            stack,
            environment,
            state,
            json,
            out: save,
            detailed_exitcode,
            no_build,
            refresh,
            refresh_only,
            target,
            replace,
            vars,
        } => {
            let outcome = runtime()?.block_on(ops::plan::plan(&ops::plan::PlanRequest {
                spec_path: &stack,
                environment: &environment,
                inputs: &vars.inputs(),
                state_path: state.as_deref(),
                out: save.as_deref(),
                no_build,
                refresh,
                refresh_only,
                selection: &crate::plan::Selection { targets: target, replace },
            }))?;
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&outcome.plan).unwrap_or_default());
            } else {
                let started = std::time::Instant::now();
                let text = plan_human::render(&outcome.plan);
                tracing::debug!(ms = started.elapsed().as_millis() as u64, "plan rendered");
                write_long(&out, &text);
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
            let shown = runtime()?.block_on(ops::show::show(&planfile, state.as_deref()))?;
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&shown.planfile).unwrap_or_default());
            } else {
                write_long(&out, &plan_human::render(&shown.planfile.plan));
                let _ = writeln!(out, "\nThe plan is current: it was made against the state as it is now.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Cost { stack, environment, usage, json } => {
            let estimate = ops::cost::estimate(&ops::cost::CostRequest {
                spec: &stack,
                environment: &environment,
                usage: usage.as_deref(),
            })?;
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&estimate).unwrap_or_default());
            } else {
                write_long(&out, &crate::render::cost::table(&estimate));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Graph { stack, plan, svg } => {
            let source = match (&plan, &stack) {
                (Some(planfile), _) => ops::graph::Source::Plan(planfile),
                (None, Some(stack)) => ops::graph::Source::Spec(stack),
                (None, None) => unreachable!("clap requires a stack unless --plan is given"),
            };
            let dot = ops::graph::graph_dot(source)?;
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
        Command::Apply {
            source,
            environment,
            state,
            auto_approve,
            parallelism,
            json,
            refresh,
            refresh_only,
            target,
            replace,
            vars,
        } => {
            let rt = runtime()?;
            let prepared = rt.block_on(ops::apply::prepare(&ops::apply::ApplyRequest {
                source: &source,
                environment: &environment,
                inputs: &vars.inputs(),
                state_path: state.as_deref(),
                refresh,
                refresh_only,
                selection: &crate::plan::Selection { targets: target, replace },
            }))?;
            let approved = auto_approve || prepared.from_saved_plan;
            run_prepared(&rt, prepared, "apply", approved, parallelism, json)
        }
        Command::Destroy { stack, environment, state, auto_approve, parallelism, json } => {
            let rt = runtime()?;
            let prepared = rt.block_on(ops::apply::prepare_destroy(&stack, &environment, state.as_deref()))?;
            run_prepared(&rt, prepared, "destroy", auto_approve, parallelism, json)
        }
        Command::State { command, which } => run_state(&which.selector(), command),
        Command::Output { name, which, json } => {
            let outputs = runtime()?.block_on(ops::state::outputs(&which.selector(), name.as_deref()))?;
            let text = match (name.is_some(), json) {
                (true, true) => outputs.values().next().map(Value::to_string).unwrap_or_default(),
                (true, false) => outputs.values().next().map(crate::render::outputs::raw).unwrap_or_default(),
                (false, true) => serde_json::to_string_pretty(&outputs).unwrap_or_default(),
                (false, false) => outputs
                    .iter()
                    .map(|(n, v)| format!("{n} = {}", crate::render::outputs::raw(v)))
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            if !text.is_empty() {
                let _ = writeln!(out, "{text}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Drift { stack, environment, state, json, vars } => {
            let report = runtime()?.block_on(ops::drift::drift(&ops::drift::DriftRequest {
                spec_path: &stack,
                environment: &environment,
                inputs: &vars.inputs(),
                state_path: state.as_deref(),
            }))?;
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&report).unwrap_or_default());
            } else {
                let _ = write!(out, "{}", crate::render::drift::report(&report));
            }
            Ok(if report.in_sync() { ExitCode::SUCCESS } else { ExitCode::from(2) })
        }
        Command::Import { name, physical_id, stack, environment, state } => {
            let imported = runtime()?.block_on(ops::import::import(&ops::import::ImportRequest {
                spec_path: &stack,
                environment: &environment,
                state_path: state.as_deref(),
                name: &name,
                physical_id: &physical_id,
            }))?;
            let _ = writeln!(
                out,
                "Imported {} ({}) as {} (state serial {}). `strata plan` now shows how it differs from the spec.",
                imported.physical_id, imported.type_name, imported.name, imported.state_serial
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Local { command } => {
            match command {
                LocalCommand::Start => {
                    let cloud = ops::local::start()?;
                    let _ = writeln!(
                        out,
                        "local cloud running at {} (moto {}, pid {}, log {})",
                        cloud.endpoint,
                        cloud.moto_version,
                        cloud.pid,
                        cloud.log_file.display()
                    );
                }
                LocalCommand::Stop => {
                    let stopped = ops::local::stop()?;
                    let _ = writeln!(
                        out,
                        "{}",
                        if stopped { "local cloud stopped" } else { "the local cloud was not running" }
                    );
                }
                LocalCommand::Run { stack, port, state, no_apply, vars } => {
                    let inputs = vars.inputs();
                    if !no_apply {
                        let rt = runtime()?;
                        let prepared = rt.block_on(ops::apply::prepare(&ops::apply::ApplyRequest {
                            source: &stack,
                            environment: crate::spec::DEFAULT_ENVIRONMENT,
                            inputs: &inputs,
                            state_path: state.as_deref(),
                            refresh: true,
                            refresh_only: false,
                            selection: &crate::plan::Selection::default(),
                        }))?;
                        // The local cloud only: nothing to approve.
                        run_prepared(&rt, prepared, "apply", true, walk::DEFAULT_PARALLELISM, false)?;
                    }
                    let serving = ops::local_run::serve(&ops::local_run::ServeRequest {
                        spec_path: &stack,
                        inputs: &inputs,
                        state_path: state.as_deref(),
                        port,
                    })?;
                    let local = &serving.local;
                    let _ = writeln!(out, "\nServing {} locally (Ctrl-C stops):", stack.display());
                    for stage in &local.stages {
                        let _ = writeln!(out, "  API      {}/{stage}", local.url);
                    }
                    for route in &local.routes {
                        let _ = writeln!(out, "           {route}");
                    }
                    for f in local.functions.names() {
                        let _ = writeln!(out, "  Lambda   {f}");
                    }
                    let _ = writeln!(out, "  Schedules fire from the local cloud's EventBridge Scheduler.");
                    let _ = writeln!(
                        out,
                        "Sign in: TOKEN=$(strata local login you@example.com --stack {} --token-only)",
                        stack.display()
                    );
                    let _ = out.flush();
                    serving.wait()?;
                }
                LocalCommand::Login { user, stack, password, state, token_only } => {
                    let logged_in = runtime()?.block_on(ops::local_run::login(&ops::local_run::LoginRequest {
                        spec_path: &stack,
                        state_path: state.as_deref(),
                        user: &user,
                        password: password.as_deref(),
                    }))?;
                    if token_only {
                        let _ = writeln!(out, "{}", logged_in.id_token);
                    } else {
                        let _ = writeln!(
                            out,
                            "{} {} (password {}). ID token:\n{}",
                            if logged_in.created { "Created and signed in" } else { "Signed in" },
                            logged_in.user,
                            logged_in.password,
                            logged_in.id_token
                        );
                    }
                }
                LocalCommand::Status => {
                    match ops::local::status()? {
                        Some(cloud) => {
                            let _ = writeln!(
                                out,
                                "running at {} (moto {}, pid {}, since {}, log {})",
                                cloud.endpoint,
                                cloud.moto_version,
                                cloud.pid,
                                cloud.started_at,
                                cloud.log_file.display()
                            );
                        }
                        None => {
                            let _ = writeln!(out, "not running (`strata local start`, or any command on the local environment, starts it)");
                        }
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { target: ExportTarget::Cloudformation { stack, environment, format, out: file, vars } } => {
            let template = ops::export::cloudformation(&stack, &environment, &vars.inputs())?;
            let text = crate::render::template::render(&template, format);
            match file {
                Some(path) => std::fs::write(&path, text)
                    .map_err(|source| ops::OpsError::WriteFile { path: path.display().to_string(), source })?,
                None => write_long(&out, &text),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Package { stack, environment, bucket, format, out: file, vars } => {
            let packaged = runtime()?.block_on(ops::package::package(&ops::package::PackageRequest {
                spec_path: &stack,
                environment: &environment,
                inputs: &vars.inputs(),
                bucket: &bucket,
            }))?;
            // What was uploaded goes to stderr: stdout may be the template.
            let mut err = anstream::stderr();
            for u in &packaged.uploads {
                let done = if u.uploaded { "uploaded" } else { "already there" };
                let _ = writeln!(err, "{}: s3://{bucket}/{} ({} bytes, {done})", u.crate_path, u.key, u.size);
            }
            let text = crate::render::template::render(&packaged.template, format);
            match file {
                Some(path) => std::fs::write(&path, text)
                    .map_err(|source| ops::OpsError::WriteFile { path: path.display().to_string(), source })?,
                None => write_long(&out, &text),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { out: file } => {
            let text = serde_json::to_string_pretty(&ops::editor_schema::editor_schema()).unwrap_or_default() + "\n";
            match file {
                Some(path) => std::fs::write(&path, text)
                    .map_err(|source| ops::OpsError::WriteFile { path: path.display().to_string(), source })?,
                None => {
                    let _ = write!(out, "{text}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Types { type_name: None, json } => {
            let types = ops::types::list();
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&types).unwrap_or_default());
            } else {
                for t in types {
                    let _ = writeln!(out, "{:<40} attributes: {}", t.type_name, t.attributes.join(", "));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Types { type_name: Some(type_name), json } => {
            let doc = ops::types::describe(&type_name)?;
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            } else {
                let _ = write!(out, "{}", crate::render::types::render(&doc));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The async runtime a command's ops run on (state backends and providers
/// are async); one per command, so its clients share connections.
fn runtime() -> Result<tokio::runtime::Runtime, ops::OpsError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ops::OpsError::Internal { message: format!("cannot start the async runtime: {e}") })
}

/// `strata state ...`: one ops call, then render.
fn run_state(sel: &ops::state::Selector<'_>, command: StateCommand) -> miette::Result<ExitCode> {
    let rt = runtime()?;
    let mut out = anstream::stdout();
    match command {
        StateCommand::List { json } => {
            let listing = rt.block_on(ops::state::list(sel))?;
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&listing).unwrap_or_default());
            } else {
                let _ = write!(out, "{}", crate::render::state::listing(&listing));
            }
        }
        StateCommand::Show { name, json } => {
            let shown = rt.block_on(ops::state::show(sel, &name))?;
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&shown).unwrap_or_default());
            } else {
                let _ = write!(out, "{}", crate::render::state::shown(&shown));
            }
        }
        StateCommand::Rm { name } => {
            let (edited, removed) = rt.block_on(ops::state::rm(sel, &name))?;
            let what = removed.resource.as_ref().or(removed.deposed.as_ref());
            let _ = writeln!(
                out,
                "Removed `{name}`{} from {} (serial {}); AWS still has it, no longer managed by strata.",
                what.map(|r| format!(" ({} {})", r.type_name, r.physical_id)).unwrap_or_default(),
                edited.location,
                edited.serial,
            );
            let _ = writeln!(out, "Backup of the previous state: {}", edited.backup);
        }
        StateCommand::Mv { old, new } => {
            let edited = rt.block_on(ops::state::mv(sel, &old, &new))?;
            let _ = writeln!(out, "Moved `{old}` to `{new}` in {} (serial {}).", edited.location, edited.serial);
            let _ = writeln!(out, "Backup of the previous state: {}", edited.backup);
        }
        StateCommand::Unlock { id } => {
            let (location, holder) = rt.block_on(ops::state::unlock(sel, &id))?;
            let _ = writeln!(out, "Released lock {} on {location}, held by {}.", holder.id, holder.describe());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Shows the plan, asks when it must, walks it, prints the summary. The
/// state lock is released on every path: by `execute`, or here when nothing
/// is executed.
fn run_prepared(
    rt: &tokio::runtime::Runtime,
    prepared: ops::apply::Prepared,
    action: &'static str,
    approved: bool,
    parallelism: usize,
    json: bool,
) -> miette::Result<ExitCode> {
    let mut out = anstream::stdout();
    if json {
        // The plan first, so a pipeline sees what is about to happen.
        let _ = writeln!(out, "{}", crate::render::json_lines::plan(&prepared.plan));
    } else {
        write_long(&out, &plan_human::render(&prepared.plan));
    }
    if !prepared.has_changes() {
        let outputs = rt.block_on(prepared.finish_unchanged())?;
        print_outputs(&mut out, &outputs, json);
        return Ok(ExitCode::SUCCESS);
    }
    if !approved {
        if let Err(e) = confirm(action) {
            let _ = rt.block_on(prepared.release());
            return Err(e.into());
        }
    }
    let events = crate::render::progress::printer(json);
    let report = rt.block_on(ops::apply::execute(prepared, parallelism, &events))?;
    if json {
        let _ = writeln!(out, "{}", crate::render::json_lines::summary(&report));
    } else {
        let _ = writeln!(out, "\n{}", crate::render::progress::summary(&report));
    }
    print_outputs(&mut out, &report.outputs, json);
    report.into_result()?;
    Ok(ExitCode::SUCCESS)
}

/// The stack's outputs at the end of an apply: a section for people, an
/// `outputs` document for machines; nothing when there are none.
fn print_outputs(out: &mut impl Write, outputs: &indexmap::IndexMap<String, Value>, json: bool) {
    if outputs.is_empty() {
        return;
    }
    if json {
        let _ = writeln!(out, "{}", crate::render::json_lines::outputs(outputs));
    } else {
        let _ = write!(out, "{}", crate::render::outputs::section(outputs));
    }
}

/// Asks on the terminal; never waits for input without one.
fn confirm(action: &'static str) -> Result<(), ops::OpsError> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(ops::OpsError::NeedsApproval { action });
    }
    let mut out = anstream::stdout();
    let _ = write!(out, "\nDo you want to {action} these changes? Only 'yes' will be accepted: ");
    let _ = out.flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(ops::OpsError::Cancelled { action })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and every flag or argument says what it is for in
    /// `--help` (clap's own --help/--version aside), and every command's
    /// help ends with an "Examples:" block.
    #[test]
    fn every_command_and_argument_has_help_text() {
        fn missing(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
            let here = format!("{path} {}", cmd.get_name()).trim().to_owned();
            if cmd.get_about().is_none() {
                out.push(format!("{here}: no about"));
            }
            let examples = cmd.get_after_help().map(|h| h.to_string()).unwrap_or_default();
            if !examples.starts_with("Examples:\n") || !examples.contains(&format!("\n  {here}")) {
                out.push(format!("{here}: no \"Examples:\" block with a `{here} ...` line"));
            }
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id != "help" && id != "version" && arg.get_help().is_none() {
                    out.push(format!("{here}: `{id}` has no help"));
                }
            }
            for sub in cmd.get_subcommands() {
                missing(sub, &here, out);
            }
        }
        let mut out = Vec::new();
        missing(&command(), "", &mut out);
        assert!(out.is_empty(), "missing help:\n{}", out.join("\n"));
    }

    /// Every example line is a command line the parser accepts, so an
    /// example cannot name a flag, subcommand or value that does not exist.
    #[test]
    fn every_example_parses() {
        fn lines(cmd: &clap::Command, out: &mut Vec<String>) {
            let help = cmd.get_after_help().map(|h| h.to_string()).unwrap_or_default();
            out.extend(help.lines().skip(1).map(str::to_owned));
            for sub in cmd.get_subcommands() {
                lines(sub, out);
            }
        }
        let mut all = Vec::new();
        lines(&command(), &mut all);
        assert!(all.len() > 40, "{all:?}");
        for line in all {
            // The command itself: before a comment, a redirection, a pipe or `&&`.
            let words = line.split("  #").next().unwrap().split(['>', '|', '&']).next().unwrap();
            let words: Vec<&str> = words.split_whitespace().collect();
            assert_eq!(words.first(), Some(&"strata"), "{line:?}");
            if let Err(e) = command().try_get_matches_from(&words) {
                panic!("example `{line}` does not parse: {e}");
            }
        }
    }

    #[test]
    fn version_names_what_strata_pins() {
        let text = version::versions().long_version();
        assert!(text.contains(&format!("moto {}", local_cloud::MOTO_VERSION)), "{text}");
        assert!(text.contains("cargo-lambda=="), "{text}");
        assert!(text.contains("cfn-lint 1."), "{text}");
    }
}
