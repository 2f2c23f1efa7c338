//! Where the local cloud lives on disk and which Python installs it.

use std::path::{Path, PathBuf};

use crate::MOTO_VERSION;

/// Environment variable naming the strata home directory.
pub const HOME_VAR: &str = "STRATA_HOME";
/// Environment variable naming the Python used to create the virtualenv.
pub const PYTHON_VAR: &str = "STRATA_PYTHON";

/// Everything the local cloud functions need to know about their
/// surroundings. Tests build one per temporary home so that stopping "their"
/// server never touches the shared one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCloudConfig {
    /// Holds the install (by default) and `local/` (record, log, lock).
    pub home: PathBuf,
    /// Directory of this moto version's install (`venv/` and its marker).
    /// Separate from `home` so several homes can share one install.
    pub install_dir: PathBuf,
    /// The Python that creates the virtualenv (`python3` from `PATH` by default).
    pub python: PathBuf,
}

impl LocalCloudConfig {
    /// A config for `home` with the default install location and Python.
    pub fn new(home: impl Into<PathBuf>) -> Self {
        let home = home.into();
        LocalCloudConfig { install_dir: home.join(format!("moto-{MOTO_VERSION}")), home, python: "python3".into() }
    }

    /// `$STRATA_HOME` if set, else `$XDG_CACHE_HOME/strata`, else
    /// `~/.cache/strata` (the system temp dir stands in for a missing home);
    /// `$STRATA_PYTHON` overrides the Python.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let home = var(HOME_VAR)
            .or_else(|| var("XDG_CACHE_HOME").filter(|p| p.is_absolute()).map(|p| p.join("strata")))
            .or_else(|| var("HOME").map(|h| h.join(".cache").join("strata")))
            .unwrap_or_else(|| std::env::temp_dir().join("strata"));
        let mut cfg = LocalCloudConfig::new(home);
        if let Some(python) = var(PYTHON_VAR) {
            cfg.python = python;
        }
        cfg
    }

    pub(crate) fn venv(&self) -> PathBuf {
        self.install_dir.join("venv")
    }

    /// Written only after pip succeeded, so a half-done install is redone.
    pub(crate) fn installed_marker(&self) -> PathBuf {
        self.install_dir.join("installed")
    }

    pub(crate) fn install_lock(&self) -> PathBuf {
        self.install_dir.join("install.lock")
    }

    pub(crate) fn pip_log(&self) -> PathBuf {
        self.install_dir.join("pip.log")
    }

    pub(crate) fn moto_server(&self) -> PathBuf {
        self.venv().join("bin").join("moto_server")
    }

    pub(crate) fn venv_python(&self) -> PathBuf {
        self.venv().join("bin").join("python")
    }

    /// strata's launcher of moto's server (see `moto_server_strata.py`),
    /// written by every start so it is always this build's.
    pub(crate) fn launcher_file(&self) -> PathBuf {
        self.local_dir().join("moto_server_strata.py")
    }

    pub(crate) fn local_dir(&self) -> PathBuf {
        self.home.join("local")
    }

    pub(crate) fn lock_file(&self) -> PathBuf {
        self.local_dir().join("lock")
    }

    pub(crate) fn record_file(&self) -> PathBuf {
        self.local_dir().join("moto.json")
    }

    pub(crate) fn log_file(&self) -> PathBuf {
        self.local_dir().join("moto.log")
    }
}

/// Creates `dir` and its parents.
pub(crate) fn create_dir(dir: &Path) -> Result<(), crate::LocalCloudError> {
    std::fs::create_dir_all(dir).map_err(crate::LocalCloudError::io("cannot create", dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_under_home() {
        let cfg = LocalCloudConfig::new("/h");
        assert_eq!(cfg.install_dir, Path::new("/h/moto-5.2.5"));
        assert_eq!(cfg.moto_server(), Path::new("/h/moto-5.2.5/venv/bin/moto_server"));
        assert_eq!(cfg.installed_marker(), Path::new("/h/moto-5.2.5/installed"));
        assert_eq!(cfg.lock_file(), Path::new("/h/local/lock"));
        assert_eq!(cfg.record_file(), Path::new("/h/local/moto.json"));
        assert_eq!(cfg.log_file(), Path::new("/h/local/moto.log"));
        assert_eq!(cfg.python, Path::new("python3"));
    }
}
