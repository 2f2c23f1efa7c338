//! The stack spec: YAML with spans -> typed `Stack`, `${...}` references, and
//! validation that reports every problem at once as miette diagnostics.

pub mod aws_schema_check;
pub mod aws_service_rules;
pub mod bind;
pub mod build_rules;
pub mod diagnostic;
pub mod load;
pub mod model;
pub mod network;
pub mod parameters;
pub mod pointer;
pub mod properties;
pub mod references;
pub mod template;
pub mod yaml;

use std::path::Path;

use miette::NamedSource;

pub use bind::{Binding, Inputs};
pub use diagnostic::{SpecDiagnostic, SpecErrors};
pub use model::{Environment, Resource, Stack, StateBackendSpec, DEFAULT_ENVIRONMENT};

use crate::graph::{NodeSpec, ResourceGraph};

/// Errors of the spec layer: the file could not be read, or it is invalid.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SpecError {
    #[error("cannot read the stack spec {path}")]
    #[diagnostic(code(spec::unreadable), help("check the path; stack specs usually live under stacks/"))]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the stack spec {path} is larger than {limit} bytes ({} MiB)", limit / (1024 * 1024))]
    #[diagnostic(
        code(spec::too_large),
        help("strata reads spec files of at most 64 MiB; split the stack, or check that this is the file you meant")
    )]
    TooLarge { path: String, limit: usize },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(#[from] Box<SpecErrors>),
    /// Parameter values given by `--var` or `STRATA_VAR_*` that are
    /// undeclared or break their constraints (no file to point into).
    #[error("invalid parameter values:\n  {}", .problems.join("\n  "))]
    #[diagnostic(
        code(spec::invalid_parameter_input),
        help("the spec's `Parameters` declare each one's type and constraints; fix or drop the values above")
    )]
    ParameterInput { problems: Vec<String> },
}

/// Reads and validates a spec file without binding its parameters:
/// `${param.X}` stays a reference (for commands that need no values).
pub fn load_file(path: &Path) -> Result<Stack, SpecError> {
    let text = read_capped(path)?;
    load_str(path, text)
}

/// Reads and validates a spec file for one environment: every parameter gets
/// its value (`bind`), written in before the checks run.
pub fn load_file_for(path: &Path, binding: &Binding) -> Result<Stack, SpecError> {
    let text = read_capped(path)?;
    load_str_for(path, text, Some(binding))
}

/// Reads at most [`yaml::MAX_SPEC_BYTES`] (plus one byte, to tell a file
/// that is too large): a huge or endless file (a device, a FIFO) is refused
/// without reading it all into memory.
fn read_capped(path: &Path) -> Result<String, SpecError> {
    use std::io::Read;
    let display = || path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| SpecError::Read { path: display(), source })?;
    // A regular file says its size: one that is too large is refused unread.
    if file.metadata().is_ok_and(|m| m.is_file() && m.len() > yaml::MAX_SPEC_BYTES as u64) {
        return Err(SpecError::TooLarge { path: display(), limit: yaml::MAX_SPEC_BYTES });
    }
    let mut bytes = Vec::new();
    file.take(yaml::MAX_SPEC_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| SpecError::Read { path: display(), source })?;
    if bytes.len() > yaml::MAX_SPEC_BYTES {
        return Err(SpecError::TooLarge { path: display(), limit: yaml::MAX_SPEC_BYTES });
    }
    String::from_utf8(bytes).map_err(|e| SpecError::Read {
        path: display(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })
}

/// Validates spec text; `path` is used for messages.
pub fn load_str(path: &Path, text: String) -> Result<Stack, SpecError> {
    load_str_for(path, text, None)
}

/// Validates spec text, bound to an environment's parameter values if given.
/// Problems in the spec come first; those of the values file or the flags
/// are reported once the spec itself is sound.
pub fn load_str_for(path: &Path, text: String, binding: Option<&Binding>) -> Result<Stack, SpecError> {
    let display = path.display().to_string();
    let mut diags = load::Diagnostics::default();
    let mut external = bind::External::default();
    let phase = Phase::start();
    let stack = match yaml::parse(&text) {
        Err(syntax) => {
            diags.push(syntax);
            None
        }
        Ok((mut root, duplicates)) => {
            let phase = phase.done("YAML parsed");
            diags.0.extend(duplicates);
            let source = model::SourceFile { path: path.to_path_buf(), text: text.clone() };
            let mut stack = load::load(&mut root, source, &mut diags);
            drop(root);
            if let Some(binding) = binding {
                external = bind::bind(&mut stack, binding, &mut diags);
            }
            phase.done("stack loaded");
            check(&mut stack, &mut diags);
            bind::redact(&stack, &mut diags);
            Some(stack)
        }
    };
    match stack {
        Some(_) if !diags.0.is_empty() => Err(report(display, text, diags.0)),
        Some(_) if !external.is_empty() => Err(external_error(external)),
        Some(stack) => Ok(stack),
        None => Err(report(display, text, diags.0)),
    }
}

/// The values file's problems at their lines in it; else the flags'.
fn external_error(external: bind::External) -> SpecError {
    match external.file {
        Some((path, text, diagnostics)) if !diagnostics.is_empty() => {
            report(path.display().to_string(), text, diagnostics)
        }
        _ => SpecError::ParameterInput { problems: external.other },
    }
}

/// Problems found in a loaded stack after validation (the plan's checks of
/// resolved values), reported against its file like validation's.
pub fn invalid(stack: &Stack, diagnostics: Vec<SpecDiagnostic>) -> SpecError {
    report(stack.source.path.display().to_string(), stack.source.text.clone(), diagnostics)
}

fn report(display: String, text: String, mut diagnostics: Vec<SpecDiagnostic>) -> SpecError {
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    cap_reported(&mut diagnostics);
    SpecError::Invalid(Box::new(SpecErrors {
        path: display.clone(),
        source_code: NamedSource::new(display, text),
        diagnostics,
    }))
}

/// The most diagnostics one report shows. A generated or mangled file can
/// hold hundreds of thousands of errors; rendering each with its source
/// snippet would take minutes and bury the first, which is usually the cause.
pub const MAX_REPORTED: usize = 100;

/// Keeps the first [`MAX_REPORTED`] diagnostics (in file order) and says how
/// many more there were, at the first one left out.
fn cap_reported(diagnostics: &mut Vec<SpecDiagnostic>) {
    if diagnostics.len() <= MAX_REPORTED {
        return;
    }
    let more = diagnostics.len() - MAX_REPORTED;
    let first_left_out = diagnostics[MAX_REPORTED].span.clone();
    diagnostics.truncate(MAX_REPORTED);
    diagnostics.push(
        SpecDiagnostic::new("spec::too-many-errors", first_left_out, format!("{more} more errors are not shown"))
            .label("the first error not shown")
            .hint("fix the errors above first; they often cause the rest"),
    );
}

/// Everything after the shape: properties, references, network, cycles.
/// How long a step of loading took, said at debug level (`-v`): on a large
/// stack the user can see where the time goes.
struct Phase(std::time::Instant);

impl Phase {
    fn start() -> Self {
        Phase(std::time::Instant::now())
    }

    /// Says `what` with its duration, and starts the next step.
    fn done(self, what: &str) -> Self {
        tracing::debug!(ms = self.0.elapsed().as_millis() as u64, "{what}");
        Phase::start()
    }
}

fn check(stack: &mut Stack, diags: &mut load::Diagnostics) {
    let phase = Phase::start();
    let src = stack.source.text.clone();
    for resource in stack.resources.values() {
        if let Some(schema) = resource.schema {
            properties::check_properties(
                &src,
                &resource.properties,
                schema.properties,
                resource.name_span.clone(),
                &format!("`{}` ({})", resource.name, resource.type_name),
                diags,
            );
        }
    }
    // AWS's own rules, after strata's (which say more about kinds and names).
    let phase = phase.done("strata's property checks");
    let known = aws_schema_check::KnownValues::of(stack);
    aws_schema_check::check(stack, &known, diags);
    let phase = phase.done("AWS resource schema checks");
    let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    aws_service_rules::check(stack, &known, &today, diags);
    build_rules::check(stack, diags);
    references::check_references(stack, diags);
    network::check_network(stack, diags);
    let phase = phase.done("service rules, references and networks");
    for cycle in dependency_graph(stack).cycles() {
        diags.push(
            SpecDiagnostic::new("spec::dependency-cycle", cycle.closing_span.clone(), format!("dependency cycle: {}", cycle.describe()))
                .label(format!("`{}` depends on `{}` here, closing the cycle", cycle.path[cycle.path.len() - 2], cycle.path[0]))
                .hint("break the cycle: one of these resources must not refer to the next (use a name or ARN you build yourself)"),
        );
    }
    phase.done("dependency cycles");
}

/// The stack's dependency graph (references and `DependsOn`).
pub fn dependency_graph(stack: &Stack) -> ResourceGraph {
    ResourceGraph::build(stack.resources.values().map(|r| NodeSpec {
        name: &r.name,
        label: &r.type_name,
        depends_on: r.dependencies.iter().map(|(n, s)| (n.as_str(), s.clone())).collect(),
    }))
}
