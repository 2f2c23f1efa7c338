//! The typed stack spec: what `load` builds from the YAML tree once the shape
//! is right. Property values stay as spanned YAML nodes so later layers
//! (references, validation, planning) can still point into the file.

use std::ops::Range;
use std::path::PathBuf;

use indexmap::IndexMap;

use super::yaml::Node;
use crate::provider::schema::ResourceSchema;

/// The spec file's text, kept for diagnostics and digests.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Stack {
    pub name: String,
    pub description: Option<String>,
    pub environments: IndexMap<String, Environment>,
    pub tags: IndexMap<String, String>,
    pub resources: IndexMap<String, Resource>,
    pub outputs: IndexMap<String, Output>,
    /// The declared `Parameters`.
    pub parameters: IndexMap<String, super::parameters::Parameter>,
    /// Each parameter's value for the environment the spec was loaded for
    /// (`spec::load_file_for`); empty when loaded without one, and then
    /// `${param.X}` stays a reference (the export, the graph).
    pub values: IndexMap<String, super::bind::BoundValue>,
    pub source: SourceFile,
}

/// The name of the environment used when none is given.
pub const DEFAULT_ENVIRONMENT: &str = "local";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub name: String,
    /// None for `local` (the embedded cloud picks its own region).
    pub region: Option<String>,
    pub profile: Option<String>,
    pub account_id: Option<String>,
    pub state: StateBackendSpec,
    /// `Parameters:` values of this environment: name -> (text, span of the value).
    pub parameters: IndexMap<String, (String, Range<usize>)>,
}

impl Environment {
    /// True for the embedded local cloud.
    pub fn is_local(&self) -> bool {
        self.name == DEFAULT_ENVIRONMENT
    }

    pub fn local() -> Self {
        Self {
            name: DEFAULT_ENVIRONMENT.to_owned(),
            region: None,
            profile: None,
            account_id: None,
            state: StateBackendSpec::Local { path: None },
            parameters: IndexMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateBackendSpec {
    /// A file on this machine; `None` means the default path.
    Local {
        path: Option<String>,
    },
    S3 {
        bucket: String,
        key: String,
        region: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub name: String,
    /// Span of the logical name (the mapping key).
    pub name_span: Range<usize>,
    pub type_name: String,
    pub type_span: Range<usize>,
    /// None when the type is unknown (already reported).
    pub schema: Option<&'static ResourceSchema>,
    /// The `Properties` mapping (an empty map node when absent).
    pub properties: Node,
    pub depends_on: Vec<(String, Range<usize>)>,
    pub lifecycle: Lifecycle,
    /// Every resource this one needs first (references and `DependsOn`),
    /// each with the span of its first mention; filled by `references`.
    pub dependencies: Vec<(String, Range<usize>)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lifecycle {
    pub prevent_destroy: bool,
    pub ignore_changes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Output {
    pub value: Node,
    pub description: Option<String>,
}

impl Stack {
    /// The environment named `name`; `local` exists even when not declared.
    pub fn environment(&self, name: &str) -> Option<Environment> {
        match self.environments.get(name) {
            Some(env) => Some(env.clone()),
            None if name == DEFAULT_ENVIRONMENT => Some(Environment::local()),
            None => None,
        }
    }
}
