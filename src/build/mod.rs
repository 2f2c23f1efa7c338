//! Lambda packaging: a workspace crate -> release binary for Amazon Linux 2023
//! (x86_64, glibc <= 2.34) -> deterministic zip -> CodeSha256.
//!
//! The zip's SHA-256 (base64, as Lambda reports `CodeSha256`) decides whether
//! a function's code must be updated, so the same source must give the same
//! bytes: fixed timestamps, sorted entries, `bootstrap` with mode 0755.
//!
//! The binary is built by cargo-lambda, which links through zig so that the
//! glibc the binary needs is pinned by the target (`x86_64-unknown-linux-gnu.2.34`)
//! rather than by whatever glibc the building machine has (Debian 12 has 2.36,
//! Amazon Linux 2023 has 2.34: a binary linked natively here could need
//! `GLIBC_2.35`+ symbols and fail to start in Lambda). Both tools come from
//! PyPI into a virtualenv private to strata (see [`toolchain`]); strata zips
//! the binary itself (see [`archive`]) because cargo-lambda's zip stores the
//! file's modification time.

pub mod archive;
mod cargo_lambda;
pub mod fingerprint;
pub mod toolchain;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Environment variable naming the Cargo profile Lambdas are built with.
/// Unset: `release` (what ships). CI sets `lambda-ci` (see docs/decisions.md).
pub const PROFILE_VAR: &str = "STRATA_LAMBDA_PROFILE";
/// The profile used when [`PROFILE_VAR`] is unset.
pub const DEFAULT_PROFILE: &str = "release";
/// Rust target with cargo-zigbuild's glibc suffix: Amazon Linux 2023's glibc.
pub const GLIBC_TARGET: &str = "x86_64-unknown-linux-gnu.2.34";
/// The directory, under the target dir, that holds the packages.
pub const PACKAGE_DIR: &str = "strata-lambda";

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

impl BuildError {
    /// Wraps an I/O error with what was being done to which path.
    pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> BuildError {
        let path = path.display().to_string();
        move |source| BuildError::Io { action, path, source }
    }
}

/// How Lambdas are built: which Cargo profile, into which target dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOptions {
    pub profile: String,
    /// The workspace's target dir (`$CARGO_TARGET_DIR` when set, as cargo does).
    pub target_dir: PathBuf,
    /// Run cargo even when the recorded fingerprint says the package is
    /// current (a test of the build itself must build).
    pub rebuild: bool,
}

impl BuildOptions {
    /// The profile from [`PROFILE_VAR`] (else `release`) and the workspace's
    /// target dir.
    pub fn from_env(workspace_root: &Path) -> Self {
        let profile = std::env::var(PROFILE_VAR).ok().filter(|p| !p.trim().is_empty());
        BuildOptions {
            profile: profile.unwrap_or_else(|| DEFAULT_PROFILE.to_owned()),
            target_dir: target_dir(workspace_root),
            rebuild: false,
        }
    }
}

/// `$CARGO_TARGET_DIR` (relative to the workspace root if relative), else
/// `<root>/target`: the same directory `cargo build` uses, so dependencies
/// built once are reused.
pub fn target_dir(workspace_root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => workspace_root.join(dir),
        None => workspace_root.join("target"),
    }
}

/// Builds and packages `crate_path` (relative to `workspace_root`) with the
/// profile of [`PROFILE_VAR`].
pub fn package(workspace_root: &Path, crate_path: &str) -> Result<Artifact, BuildError> {
    package_with(workspace_root, crate_path, &BuildOptions::from_env(workspace_root))
}

/// Builds and packages `crate_path` with explicit options; reuses the zip
/// of an earlier build, without running cargo, when the fingerprint of the
/// build's inputs is the one recorded next to it (see [`fingerprint`]).
pub fn package_with(workspace_root: &Path, crate_path: &str, options: &BuildOptions) -> Result<Artifact, BuildError> {
    let manifest = workspace_root.join(crate_path).join("Cargo.toml");
    if !manifest.is_file() {
        return Err(BuildError::NoCrate {
            crate_path: crate_path.to_owned(),
            manifest: manifest.display().to_string(),
        });
    }
    let name = crate_name(&manifest)?;
    let zip_path = options.target_dir.join(PACKAGE_DIR).join(format!("{name}.zip"));
    // Computed before building: a source edited during the build leaves a
    // record that no longer matches, so the next run builds again.
    let inputs = fingerprint::fingerprint(workspace_root, crate_path, options)?;
    if let Some(artifact) = fingerprint::current(&zip_path, crate_path, &inputs).filter(|_| !options.rebuild) {
        return Ok(artifact);
    }
    let tools = toolchain::ensure_installed(&toolchain::ToolchainConfig::from_env())?;
    // One strata build per target dir and profile at a time (across
    // processes): cargo-lambda moves the binary into place after cargo
    // finishes, and a second build must not replace it while it is read.
    let _lock = toolchain::lock(&options.target_dir.join("lambda").join(format!("{}.lock", options.profile)))?;
    if let Some(artifact) = fingerprint::current(&zip_path, crate_path, &inputs).filter(|_| !options.rebuild) {
        return Ok(artifact); // built by another process while we waited
    }
    let binary = cargo_lambda::build(&tools, workspace_root, crate_path, &name, options)?;
    let bytes = std::fs::read(&binary).map_err(BuildError::io("read", &binary))?;
    let zip = archive::bootstrap_zip(&bytes)?;
    write_atomically(&zip_path, &zip)?;
    let artifact = Artifact {
        crate_path: crate_path.to_owned(),
        zip_path,
        code_sha256: code_sha256(&zip),
        zip_size: zip.len() as u64,
    };
    fingerprint::record(&artifact, &inputs)?;
    Ok(artifact)
}

/// Lambda's `CodeSha256`: base64 of the SHA-256 of the zip.
pub fn code_sha256(zip: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(zip))
}

/// The `[package] name` of a manifest. Read by hand (one key of one table)
/// rather than pulling in a TOML parser for it.
fn crate_name(manifest: &Path) -> Result<String, BuildError> {
    let text = std::fs::read_to_string(manifest).map_err(BuildError::io("read", manifest))?;
    package_name(&text).ok_or_else(|| BuildError::Failed {
        crate_path: manifest.display().to_string(),
        output: String::from("no `name = \"...\"` in its [package] table"),
    })
}

fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
            continue;
        }
        let Some(rest) = line.strip_prefix("name").map(str::trim_start) else { continue };
        if in_package {
            let value = rest.strip_prefix('=')?.trim();
            return Some(value.trim_matches(|c| c == '"' || c == '\'').to_owned());
        }
    }
    None
}

/// Writes through a temporary file and a rename, so a concurrent reader never
/// sees half a zip.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BuildError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(BuildError::io("create", dir))?;
    let tmp =
        dir.join(format!(".{}.{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("zip"), std::process::id()));
    std::fs::write(&tmp, bytes).map_err(BuildError::io("write", &tmp))?;
    std::fs::rename(&tmp, path).map_err(BuildError::io("rename into place", path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_name_is_read_from_the_package_table_only() {
        let manifest = "[workspace]\nname = \"no\"\n\n[package]\nname = \"order-executor\"\nversion = \"1\"\n[[bin]]\nname = \"x\"\n";
        assert_eq!(package_name(manifest).as_deref(), Some("order-executor"));
        assert_eq!(package_name("[dependencies]\nname = \"x\"\n"), None);
    }

    #[test]
    fn code_sha256_is_base64_of_sha256() {
        // SHA-256 of the empty string, base64.
        assert_eq!(code_sha256(b""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }
}
