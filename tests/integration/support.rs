//! Helpers to run the built `strata` binary in a scratch directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs strata with `args` in `cwd`, with colour off and a fixed terminal width.
pub fn strata(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("the strata binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A temp dir holding `stack.yaml` with `spec` in it.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn with_spec(spec: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("stack.yaml"), spec).expect("write spec");
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write_spec(&self, spec: &str) {
        std::fs::write(self.path().join("stack.yaml"), spec).expect("write spec");
    }

    pub fn run(&self, args: &[&str]) -> Output {
        strata(self.path(), args)
    }

    /// Writes a state file as `apply` would have left it.
    pub fn write_state(&self, state: &serde_json::Value) -> PathBuf {
        let path = self.path().join("state.json");
        std::fs::write(&path, serde_json::to_string_pretty(state).unwrap()).unwrap();
        path
    }
}
