//! Runs `cargo lambda build` for one crate and finds the binary it produced.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::toolchain::{combined, tail, Toolchain};
use super::{BuildError, BuildOptions, GLIBC_TARGET};

/// Builds `name` (package and binary of the same name) and returns the path
/// of the executable.
///
/// `--disable-optimizations` keeps cargo-lambda from overriding the profile
/// (it would otherwise set strip / LTO / codegen-units / panic through
/// `CARGO_PROFILE_RELEASE_*` wherever the profile leaves them unset): the
/// workspace's Cargo.toml alone says how Lambdas are optimised. `--locked`
/// builds exactly the dependencies of Cargo.lock, so the same commit gives
/// the same binary.
///
/// cargo-lambda moves the binary out of cargo's output dir into
/// `<lambda dir>/<name>/bootstrap`; one lambda dir per profile keeps two
/// profiles' binaries apart. (A warm build stays warm: cargo restores the
/// moved file from its `deps/` copy without relinking.)
pub(super) fn build(
    tools: &Toolchain,
    workspace_root: &Path,
    crate_path: &str,
    name: &str,
    options: &BuildOptions,
) -> Result<PathBuf, BuildError> {
    let lambda_dir = options.target_dir.join("lambda").join(&options.profile);
    let mut command = Command::new(&tools.cargo_lambda);
    command
        .args(["lambda", "build", "--disable-optimizations", "--locked", "--color", "never"])
        .args(["--target", GLIBC_TARGET, "--package", name, "--bin", name])
        .arg("--target-dir")
        .arg(&options.target_dir)
        .arg("--lambda-dir")
        .arg(&lambda_dir)
        .current_dir(workspace_root)
        .env("PATH", path_with(&tools.bin_dir))
        .stdin(Stdio::null());
    if options.profile == "release" {
        command.arg("--release");
    } else {
        command.args(["--profile", &options.profile]);
    }
    let output = command.output().map_err(BuildError::io("run", &tools.cargo_lambda))?;
    if !output.status.success() {
        return Err(BuildError::Failed { crate_path: crate_path.to_owned(), output: tail(&combined(&output)) });
    }
    let binary = lambda_dir.join(name).join("bootstrap");
    if !binary.is_file() {
        return Err(BuildError::Failed {
            crate_path: crate_path.to_owned(),
            output: format!("cargo lambda reported success but left no {}:\n{}", binary.display(), tail(&combined(&output))),
        });
    }
    Ok(binary)
}

/// `dir` first, then the inherited PATH.
fn path_with(dir: &Path) -> std::ffi::OsString {
    let mut paths = vec![dir.to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).unwrap_or_else(|_| dir.as_os_str().to_owned())
}
