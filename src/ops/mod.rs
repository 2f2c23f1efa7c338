//! One function per command: orchestration only. Each reads the spec, the
//! state and the registry through their layers and returns data for `cli` to
//! render; none prints.

pub mod apply;
pub mod artifacts;
pub mod connect;
pub mod cost;
pub mod drift;
pub mod editor_schema;
pub mod environment;
pub mod export;
pub mod graph;
pub mod import;
pub mod interrupt;
pub mod local;
pub mod local_run;
pub mod man;
pub mod ownership;
pub mod package;
pub mod plan;
pub mod planning;
pub mod show;
pub mod state;
pub mod types;
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
    Cost(#[from] crate::cost::CostError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] crate::plan::PlanError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Provider(#[from] crate::provider::ProviderError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Build(#[from] crate::build::BuildError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Export(#[from] crate::export::ExportError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Drift(#[from] crate::drift::DriftError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Runtime(#[from] crate::runtime::RuntimeError),
    #[error("{count} resource(s) the plan would create already exist and are not this stack's; nothing was changed:\n{list}")]
    #[diagnostic(
        code(ops::not_ours),
        help(
            "strata adopts only what carries its identity tags for this stack, environment and logical name. \
             Bring an existing resource under management with `strata import <name> <physical id> --stack <spec>`, or \
             give the spec's resource another name. If the state file was lost or moved, point --state at it"
        )
    )]
    NotOurs { count: usize, list: String },
    #[error(
        "the state is at {old} (relative to the working directory), but strata now keeps it next to the spec, at {new}"
    )]
    #[diagnostic(
        code(ops::state_left_behind),
        help("move it once: mkdir -p \"$(dirname {new})\" && mv {old} {new} (or pass --state {old})")
    )]
    StateLeftBehind { old: String, new: String },
    #[error("{action} interrupted: {not_started} operation(s) not started; everything that finished is recorded in the state and the lock is released")]
    #[diagnostic(code(ops::interrupted), help("run the same command again to continue from the recorded state"))]
    Interrupted { action: &'static str, not_started: usize },
    #[error("{spec} has not been applied to the local cloud")]
    #[diagnostic(
        code(ops::not_applied),
        help("strata apply {spec} --auto-approve, or `strata local run` which applies first")
    )]
    NotApplied { spec: String },
    #[error("the stack has no Cognito user pool and app client to sign in with")]
    #[diagnostic(code(ops::no_user_pool))]
    NoUserPool {},
    #[error("`{name}` is not a resource of {spec}")]
    #[diagnostic(code(ops::import_unknown_name), help("import into one of: {known}"))]
    ImportUnknownName { name: String, spec: String, known: String },
    #[error("`{name}` is already in state as {physical_id}")]
    #[diagnostic(code(ops::import_managed), help("`strata state rm {name}` first if the state is wrong about it"))]
    ImportAlreadyManaged { name: String, physical_id: String },
    #[error("AWS has no {type_name} with id `{physical_id}`")]
    #[diagnostic(
        code(ops::import_not_found),
        help("the id is what AWS calls it: a VPC id, a table or function name, a role name; for API parts `<api id>|<...>` as `strata state show` prints it")
    )]
    ImportNotFound { type_name: String, physical_id: String },
    #[error("the local cloud is not available")]
    #[diagnostic(
        code(local::cloud),
        help("`strata local status` shows the local cloud; its log is under $STRATA_HOME/local/moto.log")
    )]
    LocalCloud {
        #[from]
        source: crate::local::LocalCloudError,
    },
    #[error("environment `{env}` is guarded to account {expected}, but the credentials belong to {actual}")]
    #[diagnostic(code(ops::wrong_account), help("switch to the right profile or credentials for `{env}`"))]
    WrongAccount { env: String, expected: String, actual: String },
    #[error("refusing to {action} without confirmation: there is no terminal to ask on")]
    #[diagnostic(code(ops::needs_approval), help("review the plan and pass --auto-approve, or apply a saved plan: strata plan --out plans/x.json, then strata apply plans/x.json"))]
    NeedsApproval { action: &'static str },
    #[error("{action} cancelled: nothing was changed")]
    #[diagnostic(code(ops::cancelled))]
    Cancelled { action: &'static str },
    #[error("{action} finished with {failed} failed and {skipped} skipped resource(s); state records everything that succeeded")]
    #[diagnostic(
        code(ops::partial),
        help("fix the cause above and run the same command again: it continues from the recorded state")
    )]
    Partial { action: &'static str, failed: usize, skipped: usize },
    #[error("a saved plan must record the Lambda packages it ships, so --out cannot be combined with --no-build")]
    #[diagnostic(
        code(ops::unbuilt_saved_plan),
        help("drop --no-build: strata builds the packages and records their CodeSha256 in the plan")
    )]
    UnbuiltSavedPlan {},
    #[error("internal error: {message}")]
    #[diagnostic(code(ops::internal))]
    Internal { message: String },
    #[error("environment `{name}` is not declared in {spec}")]
    #[diagnostic(code(ops::unknown_environment), help("declared environments: {known}"))]
    UnknownEnvironment { name: String, spec: String, known: String },
    #[error("which state? `strata state` needs the stack spec or a state file")]
    #[diagnostic(
        code(ops::no_state_selected),
        help("pass --stack <spec> (and --env <name>; the environment picks the backend), or --state <file>")
    )]
    NoStateSelected {},
    #[error("cannot render the graph with Graphviz")]
    #[diagnostic(
        code(ops::graphviz),
        help("install Graphviz (Debian: apt-get install graphviz), or omit --svg to print DOT")
    )]
    Graphviz {
        #[source]
        source: std::io::Error,
    },
    #[error("`{type_name}` is not a type strata supports{}", if *in_registry { " (it is a CloudFormation type strata cannot deploy yet)" } else { "" })]
    #[diagnostic(code(ops::unknown_type), help("`strata types` lists the supported types"))]
    UnknownType { type_name: String, in_registry: bool },
    #[error("cannot write {path}")]
    #[diagnostic(code(ops::write), help("check that the directory exists and is writable"))]
    WriteFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot upload the Lambda zip to s3://{bucket}/{key}: {message}")]
    #[diagnostic(
        code(ops::artifact_upload),
        help("the bucket must exist in the environment's account and region, and the credentials must allow s3:PutObject and s3:GetObject on it")
    )]
    ArtifactUpload { bucket: String, key: String, message: String },
    #[error("Graphviz `dot` failed: {stderr}")]
    #[diagnostic(code(ops::graphviz))]
    GraphvizFailed { stderr: String },
}
