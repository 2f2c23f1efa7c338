//! Lambda packaging: a workspace crate -> release binary for Amazon Linux 2023
//! (x86_64, glibc <= 2.34) -> deterministic zip -> CodeSha256.
//!
//! The zip's SHA-256 (base64, as Lambda reports `CodeSha256`) decides whether
//! a function's code must be updated, so the same source must give the same
//! bytes: fixed timestamps, sorted entries, `bootstrap` with mode 0755.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A built Lambda package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// The crate path as the spec names it (`lambdas/order-executor`).
    pub crate_path: String,
    pub zip_path: PathBuf,
    /// base64(SHA-256(zip)), Lambda's `CodeSha256`.
    pub code_sha256: String,
    pub zip_size: u64,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BuildError {
    #[error("`{crate_path}` is not a crate of this workspace (no Cargo.toml at {manifest})")]
    #[diagnostic(
        code(build::no_crate),
        help("`Code: {{ Crate: ... }}` takes a path relative to the workspace root, e.g. lambdas/order-executor")
    )]
    NoCrate { crate_path: String, manifest: String },
    #[error("building `{crate_path}` failed")]
    #[diagnostic(code(build::failed), help("{output}"))]
    Failed { crate_path: String, output: String },
    #[error("cannot {action} {path}")]
    #[diagnostic(code(build::io))]
    Io {
        action: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the Lambda build toolchain is not available: {what}")]
    #[diagnostic(code(build::toolchain), help("{hint}"))]
    Toolchain { what: String, hint: String },
}

/// Builds and packages `crate_path` (relative to `workspace_root`).
pub fn package(workspace_root: &Path, crate_path: &str) -> Result<Artifact, BuildError> {
    let manifest = workspace_root.join(crate_path).join("Cargo.toml");
    if !manifest.is_file() {
        return Err(BuildError::NoCrate {
            crate_path: crate_path.to_owned(),
            manifest: manifest.display().to_string(),
        });
    }
    Err(BuildError::Toolchain {
        what: String::from("packaging is being implemented"),
        hint: String::from("see the apply issue"),
    })
}
