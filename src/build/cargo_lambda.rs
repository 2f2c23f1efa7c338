//! Runs `cargo lambda build` for one crate and finds the binary it produced.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use super::toolchain::{tail, Toolchain};
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
    // cargo-lambda runs cargo, which runs rustc and zig: the whole tree
    // ends with strata, not only cargo-lambda.
    let mut command = local_cloud::child::tree_stops_with_parent(&tools.cargo_lambda);
    command
        .args(["lambda", "build", "--disable-optimizations", "--locked", "--color", "never"])
        .args(["--target", GLIBC_TARGET, "--package", name, "--bin", name])
        .arg("--lambda-dir")
        .arg(&lambda_dir)
        .current_dir(workspace_root)
        // Not `--target-dir`: cargo-lambda 1.9.2 passes that on to `cargo
        // metadata`, which rejects it. Cargo reads the variable everywhere.
        .env("CARGO_TARGET_DIR", &options.target_dir)
        .env("PATH", path_with(&tools.bin_dir))
        .stdin(Stdio::null());
    if options.profile == "release" {
        command.arg("--release");
    } else {
        command.args(["--profile", &options.profile]);
    }
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(injected_by_cargo) {
            command.env_remove(&key);
        }
    }
    let log = lambda_dir.join(format!("{name}.build.log"));
    let what = format!("building {crate_path} (profile {})", options.profile);
    let finished = local_cloud::long_step::run(&mut command, &what, &log, local_cloud::long_step::cargo_status())
        .map_err(BuildError::io("run", &tools.cargo_lambda))?;
    if !finished.status.success() {
        return Err(BuildError::Failed { crate_path: crate_path.to_owned(), output: tail(&finished.output) });
    }
    let binary = lambda_dir.join(name).join("bootstrap");
    if !binary.is_file() {
        return Err(BuildError::Failed {
            crate_path: crate_path.to_owned(),
            output: format!(
                "cargo lambda reported success but left no {}:\n{}",
                binary.display(),
                tail(&finished.output)
            ),
        });
    }
    Ok(binary)
}

/// Variables cargo sets for a process it runs (`cargo test`, `cargo run`,
/// build scripts) that describe *that* package. Inherited by the Lambda build
/// they would leak into it: cargo records e.g. `CARGO_MANIFEST_DIR` in the
/// fingerprint of some build scripts (ring's), so a build started from a test
/// and one started from a shell would each find the other's artifacts dirty
/// and rebuild the whole dependency tree.
fn injected_by_cargo(key: &str) -> bool {
    matches!(
        key,
        "CARGO"
            | "CARGO_MANIFEST_DIR"
            | "CARGO_MANIFEST_PATH"
            | "CARGO_MANIFEST_LINKS"
            | "CARGO_CRATE_NAME"
            | "CARGO_BIN_NAME"
            | "CARGO_PRIMARY_PACKAGE"
            | "CARGO_TARGET_TMPDIR"
            | "CARGO_RUSTC_CURRENT_DIR"
            | "OUT_DIR"
    ) || key.starts_with("CARGO_PKG_")
        || key.starts_with("CARGO_BIN_EXE_")
}

/// `dir` first, then the inherited PATH.
fn path_with(dir: &Path) -> std::ffi::OsString {
    let mut paths = vec![dir.to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).unwrap_or_else(|_| dir.as_os_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cargo_per_package_variables_are_dropped() {
        for key in ["CARGO_MANIFEST_DIR", "CARGO_PKG_NAME", "CARGO_BIN_EXE_strata", "CARGO", "OUT_DIR"] {
            assert!(injected_by_cargo(key), "{key}");
        }
        for key in ["CARGO_HOME", "CARGO_TARGET_DIR", "CARGO_PROFILE_RELEASE_LTO", "PATH", "RUSTFLAGS"] {
            assert!(!injected_by_cargo(key), "{key}");
        }
    }
}
