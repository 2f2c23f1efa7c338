//! A first run is never silent for long (issue #14): the steps that take
//! minutes on a fresh machine (installing the local cloud, installing the
//! Lambda build tools, building each Lambda) say when they start and where
//! their log is, then say at least every few seconds that they are still
//! running and how far they got. Stand-in tools (a Python whose pip, and a
//! cargo-lambda whose cargo, print slowly) stand for the real ones here: the
//! real first run takes many minutes; these take seconds and go through the
//! same code.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::{repo_root, stderr};

/// Progress lines every second instead of every 8 s, so the test is short.
const EVERY_SECS: &str = "1";

fn executable(path: &Path, script: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, script).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn still_lines(report: &str, what: &str) -> usize {
    report.lines().filter(|l| l.contains(&format!("... still {what}"))).count()
}

#[test]
fn a_lambda_build_says_where_its_log_is_and_how_far_it_got() {
    let dir = tempfile::tempdir().expect("temp dir");
    let home = dir.path().join("home");
    let bin = home.join(strata::build::toolchain::VENV_DIR).join("bin");
    executable(
        &bin.join("cargo-lambda"),
        "#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8 9 10; do echo \"   Compiling crate$i v1.0.0\" >&2; sleep 0.4; done\n\
         echo 'error: the stand-in build stops here' >&2\nexit 101\n",
    );
    std::fs::write(
        bin.parent().unwrap().join("strata-installed"),
        format!("{}\n", strata::build::toolchain::REQUIREMENTS.join(" ")),
    )
    .unwrap();
    let target = dir.path().join("target");
    let out: Output = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["plan", "stacks/acme-scheduling.yaml", "--state"])
        .arg(dir.path().join("state.json"))
        .current_dir(repo_root())
        .env("STRATA_HOME", &home)
        .env("CARGO_TARGET_DIR", &target)
        .env("STRATA_PROGRESS_SECS", EVERY_SECS)
        .output()
        .expect("strata runs");
    let report = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    let started = report.lines().find(|l| l.starts_with("Building lambdas/")).unwrap_or_else(|| panic!("{report}"));
    let log = started.split(", log: ").nth(1).expect("the log's path");
    assert!(still_lines(&report, "building lambdas/") >= 2, "a line at least every second:\n{report}");
    assert!(report.contains("crates compiled, now crate"), "how far the build got:\n{report}");
    assert!(report.contains("FAILED after"), "{report}");
    assert!(report.contains("the stand-in build stops here"), "the error quotes the build's output:\n{report}");
    let logged = std::fs::read_to_string(log).expect("the log is where the line said");
    assert!(logged.contains("Compiling crate10 v1.0.0"), "{logged}");
}

#[test]
fn installing_the_local_cloud_says_so_while_pip_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    // `python3 -m venv DIR` makes DIR/bin/python, whose pip prints slowly
    // and installs nothing.
    let python = dir.path().join("python3");
    executable(
        &python,
        "#!/bin/sh\nvenv=\"$3\"\nmkdir -p \"$venv/bin\"\n\
         printf '#!/bin/sh\\nfor i in 1 2 3 4 5 6; do echo \"Collecting package$i\"; sleep 0.5; done\\n' > \"$venv/bin/python\"\n\
         chmod +x \"$venv/bin/python\"\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["local", "start"])
        .env("STRATA_HOME", dir.path().join("home"))
        .env("STRATA_PYTHON", &python)
        .env("STRATA_PROGRESS_SECS", EVERY_SECS)
        .output()
        .expect("strata runs");
    let report = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "pip installed nothing, so the start fails:\n{report}");
    assert!(report.contains("Installing the local cloud (moto 5.2.5"), "{report}");
    assert!(report.contains(", log: "), "{report}");
    assert!(still_lines(&report, "installing the local cloud") >= 2, "{report}");
    assert!(report.contains("Collecting package"), "what pip is doing:\n{report}");
}
