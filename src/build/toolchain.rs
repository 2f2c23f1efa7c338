//! The Lambda build toolchain: cargo-lambda and zig, both from PyPI, in a
//! virtualenv private to strata (`<strata home>/lambda-build-venv`), installed
//! on first use under a file lock, the way the local cloud installs moto.
//!
//! PyPI is used because both ship there as ordinary wheels with their binaries
//! inside (`cargo-lambda`, `ziglang`): no download script, no system package,
//! and the versions are pinned here.

use std::fs::File;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::BuildError;

/// What is installed, pinned. Changing a version reinstalls (the marker holds it).
pub const REQUIREMENTS: &[&str] = &["cargo-lambda==1.9.2", "ziglang==0.17.1"];
/// Directory name of the virtualenv under the strata home.
pub const VENV_DIR: &str = "lambda-build-venv";
/// Lines of a failed tool's output quoted in an error.
const TAIL_LINES: usize = 20;

/// Where the toolchain lives and which Python creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolchainConfig {
    pub venv: PathBuf,
    /// The Python that creates the virtualenv (`python3`, or `$STRATA_PYTHON`).
    pub python: PathBuf,
}

impl ToolchainConfig {
    /// `<strata home>/lambda-build-venv`, with the local cloud's home and
    /// Python (`$STRATA_HOME`, `$STRATA_PYTHON`).
    pub fn from_env() -> Self {
        let cloud = local_cloud::LocalCloudConfig::from_env();
        ToolchainConfig { venv: cloud.home.join(VENV_DIR), python: cloud.python }
    }

    fn marker(&self) -> PathBuf {
        self.venv.join("strata-installed")
    }

    fn lock_file(&self) -> PathBuf {
        self.venv.with_extension("lock")
    }

    fn pip_log(&self) -> PathBuf {
        self.venv.with_extension("pip.log")
    }
}

/// An installed toolchain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    /// `cargo-lambda` (run as `cargo-lambda lambda build ...`).
    pub cargo_lambda: PathBuf,
    /// The virtualenv's `bin/`, put first on PATH so cargo-lambda finds zig
    /// (`python3 -m ziglang`) there.
    pub bin_dir: PathBuf,
}

/// Installs the toolchain unless the marker says this exact set is there.
pub fn ensure_installed(cfg: &ToolchainConfig) -> Result<Toolchain, BuildError> {
    let tools = Toolchain { cargo_lambda: cfg.venv.join("bin").join("cargo-lambda"), bin_dir: cfg.venv.join("bin") };
    if is_installed(cfg, &tools) {
        return Ok(tools);
    }
    let _lock = lock(&cfg.lock_file())?;
    if is_installed(cfg, &tools) {
        return Ok(tools); // another process installed it while we waited
    }
    if cfg.venv.exists() {
        std::fs::remove_dir_all(&cfg.venv).map_err(BuildError::io("remove the stale virtualenv", &cfg.venv))?;
    }
    create_venv(cfg)?;
    pip_install(cfg)?;
    if !tools.cargo_lambda.exists() {
        return Err(BuildError::Toolchain {
            what: format!("pip succeeded but {} is missing", tools.cargo_lambda.display()),
            hint: format!("see {}", cfg.pip_log().display()),
        });
    }
    std::fs::write(cfg.marker(), requirements_line()).map_err(BuildError::io("write", &cfg.marker()))?;
    Ok(tools)
}

fn requirements_line() -> String {
    format!("{}\n", REQUIREMENTS.join(" "))
}

fn is_installed(cfg: &ToolchainConfig, tools: &Toolchain) -> bool {
    tools.cargo_lambda.exists() && std::fs::read_to_string(cfg.marker()).is_ok_and(|m| m == requirements_line())
}

/// An exclusive lock held until the file is dropped (flock: released by the
/// OS if the holder dies).
pub(crate) fn lock(path: &Path) -> Result<File, BuildError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(BuildError::io("create", dir))?;
    }
    let file =
        File::options().create(true).truncate(false).write(true).open(path).map_err(BuildError::io("open", path))?;
    file.lock().map_err(BuildError::io("lock", path))?;
    Ok(file)
}

fn create_venv(cfg: &ToolchainConfig) -> Result<(), BuildError> {
    let output = local_cloud::child::stops_with_parent(&mut Command::new(&cfg.python))
        .arg("-m")
        .arg("venv")
        .arg(&cfg.venv)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| python_missing(cfg, e))?;
    if output.status.success() && cfg.venv.join("bin").join("python").exists() {
        return Ok(());
    }
    Err(BuildError::Toolchain {
        what: format!(
            "`{} -m venv {}` failed:\n{}",
            cfg.python.display(),
            cfg.venv.display(),
            tail(&combined(&output))
        ),
        hint: String::from("install python3-venv (Debian: apt-get install python3-venv)"),
    })
}

fn python_missing(cfg: &ToolchainConfig, err: std::io::Error) -> BuildError {
    let what = match err.kind() {
        ErrorKind::NotFound | ErrorKind::PermissionDenied => format!("cannot run Python at `{}`", cfg.python.display()),
        _ => format!("cannot run `{}`: {err}", cfg.python.display()),
    };
    BuildError::Toolchain {
        what,
        hint: String::from(
            "install python3 and python3-venv (Debian: apt-get install python3 python3-venv), or set STRATA_PYTHON to a Python 3",
        ),
    }
}

fn pip_install(cfg: &ToolchainConfig) -> Result<(), BuildError> {
    let python = cfg.venv.join("bin").join("python");
    let log = cfg.pip_log();
    let mut pip = Command::new(&python);
    local_cloud::child::stops_with_parent(&mut pip)
        .args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input"])
        .args(REQUIREMENTS)
        .stdin(Stdio::null());
    let what = "installing the Lambda build tools (cargo-lambda and zig, first use only)";
    let finished = local_cloud::long_step::run(&mut pip, what, &log, local_cloud::long_step::pip_status)
        .map_err(BuildError::io("run", &python))?;
    if finished.status.success() {
        return Ok(());
    }
    Err(BuildError::Toolchain {
        what: format!("`pip install {}` failed:\n{}", REQUIREMENTS.join(" "), tail(&finished.output)),
        hint: format!("is PyPI reachable? full output in {}", log.display()),
    })
}

/// stdout and stderr of a finished tool, with its status when it failed.
pub(crate) fn combined(output: &Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    if !output.status.success() {
        text.push_str(&format!("\n({})", output.status));
    }
    text
}

/// The last lines of a tool's output: enough to see why it failed.
pub(crate) fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_python_says_what_to_install() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = ToolchainConfig { venv: dir.path().join(VENV_DIR), python: dir.path().join("no-such-python") };
        let err = ensure_installed(&cfg).unwrap_err();
        let BuildError::Toolchain { what, hint } = err else { panic!("{err:?}") };
        assert!(what.contains("cannot run Python"), "{what}");
        assert!(hint.contains("python3-venv"), "{hint}");
    }
}
