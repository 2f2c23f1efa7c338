//! Helpers to run the built `strata` binary in a scratch directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs strata with `args` in `cwd`, with colour off and a fixed terminal
/// width, and no RUST_LOG from the caller's shell (logs on stderr would
/// change what tests read there).
pub fn strata(cwd: &Path, args: &[&str]) -> Output {
    strata_with_env(cwd, args, &[])
}

/// As `strata`, with these environment variables set.
pub fn strata_with_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
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

/// Runs a Python script with boto3 (from the local cloud's own virtualenv)
/// against the local cloud, the independent client the tests check with.
/// The endpoint is in `os.environ['ENDPOINT']` and `sys.argv[1]`; the
/// script's last printed line is parsed as JSON.
pub fn boto3_json(prelude: &str, script: &str) -> Value {
    let cloud = strata::local::ensure_running().expect("the local cloud runs");
    let python = strata::local::LocalCloudConfig::from_env().install_dir.join("venv").join("bin").join("python");
    let output = Command::new(python)
        .arg("-c")
        .arg(format!("{prelude}\n{script}"))
        .arg(&cloud.endpoint)
        .env("ENDPOINT", &cloud.endpoint)
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "boto3 script failed:\n{script}\n{}", String::from_utf8_lossy(&output.stderr));
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("boto3 printed no JSON ({e}): {stdout}"))
}

/// (resource name, action) of each change of a JSON plan, in plan order.
pub fn plan_actions(plan: &Value) -> Vec<(String, String)> {
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_owned(), c["action"].as_str().unwrap().to_owned()))
        .collect()
}

/// A miette report as one line: its box-drawing gutter and line breaks
/// removed, so a check does not depend on where the text was wrapped.
pub fn flat(report: &str) -> String {
    report.split_whitespace().filter(|w| !w.chars().all(|c| "│×╰─┬├▶".contains(c))).collect::<Vec<_>>().join(" ")
}
