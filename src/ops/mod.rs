//! One function per command: orchestration only. Each reads the spec, the
//! state and the registry through their layers and returns data for `cli` to
//! render; none prints.

pub mod environment;
pub mod graph;
pub mod plan;
pub mod show;
pub mod validate;

/// Everything an operation can fail with; each layer's error passes through
/// with its own diagnostic code and help.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum OpsError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Spec(#[from] crate::spec::SpecError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    State(#[from] crate::state::StateError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] crate::plan::PlanError),
    #[error("environment `{name}` is not declared in {spec}")]
    #[diagnostic(code(ops::unknown_environment), help("declared environments: {known}"))]
    UnknownEnvironment { name: String, spec: String, known: String },
    #[error("the {backend} state backend is not supported yet")]
    #[diagnostic(code(ops::unsupported_backend), help("use the local backend (the default) or pass --state <file>"))]
    UnsupportedBackend { backend: &'static str },
    #[error("cannot render the graph with Graphviz")]
    #[diagnostic(
        code(ops::graphviz),
        help("install Graphviz (Debian: apt-get install graphviz), or omit --svg to print DOT")
    )]
    Graphviz {
        #[source]
        source: std::io::Error,
    },
    #[error("Graphviz `dot` failed: {stderr}")]
    #[diagnostic(code(ops::graphviz))]
    GraphvizFailed { stderr: String },
}
