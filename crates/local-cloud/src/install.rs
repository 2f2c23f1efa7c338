//! First-use install of the pinned moto into a private virtualenv, so strata
//! never depends on (or disturbs) whatever Python packages the machine has.

use std::io::ErrorKind;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::config::{create_dir, LocalCloudConfig};
use crate::error::{tail, LocalCloudError};
use crate::lock::lock_exclusive;
use crate::MOTO_VERSION;

/// Lines of a failed tool's output quoted in the error.
const TAIL_LINES: usize = 20;

/// Installs moto unless this install dir already holds a finished install.
///
/// Guarded by its own lock in the install dir, since several homes (tests
/// with temporary homes) may share one install.
pub(crate) fn ensure_installed(cfg: &LocalCloudConfig) -> Result<(), LocalCloudError> {
    if is_installed(cfg) {
        return Ok(());
    }
    let _guard = lock_exclusive(&cfg.install_lock())?;
    if is_installed(cfg) {
        return Ok(()); // someone else installed it while we waited
    }
    let venv = cfg.venv();
    // Leftovers of an interrupted install: start over.
    if venv.exists() {
        std::fs::remove_dir_all(&venv).map_err(LocalCloudError::io("cannot remove stale virtualenv", &venv))?;
    }
    create_venv(cfg, &venv)?;
    pip_install(cfg, &venv)?;
    if !cfg.moto_server().exists() {
        return Err(LocalCloudError::PipFailed {
            version: MOTO_VERSION.to_string(),
            log: cfg.pip_log(),
            output: format!("pip succeeded but {} is missing", cfg.moto_server().display()),
        });
    }
    let marker = cfg.installed_marker();
    std::fs::write(&marker, format!("moto[server]=={MOTO_VERSION}\n"))
        .map_err(LocalCloudError::io("cannot write", &marker))
}

fn is_installed(cfg: &LocalCloudConfig) -> bool {
    cfg.installed_marker().exists() && cfg.moto_server().exists()
}

fn create_venv(cfg: &LocalCloudConfig, venv: &Path) -> Result<(), LocalCloudError> {
    create_dir(&cfg.install_dir)?;
    let output = crate::child::stops_with_parent(&mut Command::new(&cfg.python))
        .arg("-m")
        .arg("venv")
        .arg(venv)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            ErrorKind::NotFound | ErrorKind::PermissionDenied => {
                LocalCloudError::PythonNotFound { python: cfg.python.clone() }
            }
            _ => LocalCloudError::io("cannot run", &cfg.python)(e),
        })?;
    if output.status.success() && venv.join("bin").join("python").exists() {
        return Ok(());
    }
    Err(LocalCloudError::VenvFailed {
        python: cfg.python.clone(),
        venv: venv.to_path_buf(),
        output: tail(&combined(&output), TAIL_LINES),
    })
}

fn pip_install(cfg: &LocalCloudConfig, venv: &Path) -> Result<(), LocalCloudError> {
    let python = venv.join("bin").join("python");
    let log = cfg.pip_log();
    let mut pip = Command::new(&python);
    crate::child::stops_with_parent(&mut pip)
        .args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input"])
        .arg(format!("moto[server]=={MOTO_VERSION}"))
        .stdin(Stdio::null());
    let what = format!("installing the local cloud (moto {MOTO_VERSION}, first use only)");
    let finished = crate::long_step::run(&mut pip, &what, &log, crate::long_step::pip_status)
        .map_err(LocalCloudError::io("cannot run", &python))?;
    if finished.status.success() {
        return Ok(());
    }
    Err(LocalCloudError::PipFailed {
        version: MOTO_VERSION.to_string(),
        log,
        output: tail(&finished.output, TAIL_LINES),
    })
}

fn combined(output: &Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    if !output.status.success() {
        text.push_str(&format!("\n({})", output.status));
    }
    text
}
