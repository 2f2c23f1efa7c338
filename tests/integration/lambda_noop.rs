//! A plan or apply with nothing to build must not run cargo, and a change to
//! one function's code rebuilds that function only. Checked through the
//! `strata` binary on a small workspace of its own (two one-file Lambda
//! crates sharing a library crate), with a `cargo` first on PATH that logs
//! every invocation and then runs the real cargo: cargo-lambda runs cargo
//! from PATH, so the log holds every cargo run the build caused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{plan_actions as actions, stderr, stdout};

struct Workspace {
    dir: tempfile::TempDir,
    /// Directory holding the logging `cargo`, put first on PATH.
    wrapper_dir: PathBuf,
    cargo_log: PathBuf,
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The first `cargo` on PATH: the one the wrapper hands over to.
fn real_cargo() -> PathBuf {
    let path = std::env::var_os("PATH").expect("PATH");
    std::env::split_paths(&path).map(|d| d.join("cargo")).find(|p| p.is_file()).expect("cargo on PATH")
}

fn lambda_crate(root: &Path, name: &str) {
    write(
        root,
        &format!("{name}/Cargo.toml"),
        &format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nshared.workspace = true\n"
        ),
    );
    write(
        root,
        &format!("{name}/src/main.rs"),
        &format!("fn main() {{\n    println!(\"{{}}\", shared::greeting(\"{name}\"));\n}}\n"),
    );
}

fn function(logical: &str, crate_name: &str) -> String {
    format!(
        "  {logical}:\n    Type: AWS::Lambda::Function\n    Properties:\n      FunctionName: ${{stack.Name}}-{crate_name}\n      Code:\n        Crate: {crate_name}\n      Runtime: provided.al2023\n      Handler: bootstrap\n      Role: ${{Role.Arn}}\n"
    )
}

fn workspace() -> Workspace {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"fn-a\", \"fn-b\", \"shared\"]\nresolver = \"2\"\n\n[workspace.dependencies]\nshared = { path = \"shared\" }\n",
    );
    write(root, "shared/Cargo.toml", "[package]\nname = \"shared\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    write(root, "shared/src/lib.rs", "pub fn greeting(who: &str) -> String {\n    format!(\"hello from {who}\")\n}\n");
    lambda_crate(root, "fn-a");
    lambda_crate(root, "fn-b");
    let stack = format!("noop-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let spec = format!(
        "Stack: {stack}\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: ${{stack.Name}}-fn\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal:\n              Service: lambda.amazonaws.com\n            Action: sts:AssumeRole\n{}{}",
        function("FnA", "fn-a"),
        function("FnB", "fn-b")
    );
    write(root, "stack.yaml", &spec);
    // `--locked` builds need a lock file; made before the wrapper is in place.
    let out = Command::new(real_cargo()).arg("generate-lockfile").arg("--offline").current_dir(root).output().unwrap();
    assert!(out.status.success(), "generate-lockfile: {}", String::from_utf8_lossy(&out.stderr));

    let wrapper_dir = root.join("wrapper");
    let cargo_log = root.join("cargo-invocations.log");
    write(
        root,
        "wrapper/cargo",
        &format!("#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n", cargo_log.display(), real_cargo().display()),
    );
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(wrapper_dir.join("cargo"), std::fs::Permissions::from_mode(0o755)).unwrap();
    Workspace { dir, wrapper_dir, cargo_log }
}

impl Workspace {
    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Runs strata in the workspace with the logging cargo first on PATH,
    /// the workspace's own target dir, and the `release` profile (the
    /// workspace defines no other).
    fn strata(&self, args: &[&str]) -> Output {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(std::iter::once(self.wrapper_dir.clone()).chain(std::env::split_paths(&path)))
            .unwrap();
        let spec = self.root().join("stack.yaml");
        let state = self.root().join("state.json");
        let mut full: Vec<&str> = args.to_vec();
        full.insert(1, spec.to_str().unwrap());
        full.extend(["--state", state.to_str().unwrap()]);
        Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(&full)
            .current_dir(self.root())
            .env("PATH", path)
            .env("CARGO_TARGET_DIR", self.root().join("target"))
            .env(strata::build::PROFILE_VAR, "release")
            .env("NO_COLOR", "1")
            .output()
            .expect("strata runs")
    }

    /// The cargo invocations logged since the last call, and a fresh log.
    fn take_cargo_runs(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.cargo_log).unwrap_or_default();
        let _ = std::fs::remove_file(&self.cargo_log);
        text.lines().map(str::to_owned).collect()
    }
}

fn assert_ok(out: &Output, what: &str) {
    assert_eq!(out.status.code(), Some(0), "{what} failed:\n{}\n{}", stdout(out), stderr(out));
}

#[test]
fn nothing_to_build_runs_no_cargo_and_a_code_change_rebuilds_one_function() {
    let ws = workspace();

    let out = ws.strata(&["apply", "--auto-approve"]);
    assert_ok(&out, "the first apply");
    let runs = ws.take_cargo_runs();
    // The first apply builds both: this is what makes "no runs" below mean
    // something (the wrapper does see cargo-lambda's cargo).
    assert!(runs.iter().any(|r| r.contains("fn-a")) && runs.iter().any(|r| r.contains("fn-b")), "{runs:#?}");

    let out = ws.strata(&["plan", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "no changes expected:\n{}{}", stdout(&out), stderr(&out));
    assert_eq!(ws.take_cargo_runs(), Vec::<String>::new(), "a no-op plan runs no cargo");

    let out = ws.strata(&["apply", "--auto-approve"]);
    assert_ok(&out, "the no-op apply");
    assert_eq!(ws.take_cargo_runs(), Vec::<String>::new(), "a no-op apply runs no cargo");

    // A code-only change to one function: only that one is built, and the
    // plan updates only its code.
    let main_rs = ws.root().join("fn-a/src/main.rs");
    let source = std::fs::read_to_string(&main_rs).unwrap();
    std::fs::write(&main_rs, source.replace("println!", "eprintln!")).unwrap();
    let out = ws.strata(&["plan", "--json"]);
    assert_ok(&out, "the plan after a code change");
    let runs = ws.take_cargo_runs();
    assert!(runs.iter().any(|r| r.contains("fn-a")), "fn-a is built: {runs:#?}");
    assert!(!runs.iter().any(|r| r.contains("fn-b")), "fn-b is not: {runs:#?}");
    let plan: Value = serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    let changed: Vec<(String, String)> = actions(&plan).into_iter().filter(|(_, a)| a != "noop").collect();
    assert_eq!(changed, [(String::from("FnA"), String::from("update"))], "{plan:#}");

    let out = ws.strata(&["apply", "--auto-approve"]);
    assert_ok(&out, "the apply of the code change");
    assert_eq!(ws.take_cargo_runs(), Vec::<String>::new(), "the plan's build is reused");
    let out = ws.strata(&["plan", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "converged:\n{}{}", stdout(&out), stderr(&out));
    assert_eq!(ws.take_cargo_runs(), Vec::<String>::new());

    let out = ws.strata(&["destroy", "--auto-approve"]);
    assert_ok(&out, "destroy");
}
