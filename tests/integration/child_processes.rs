//! Child processes stop with strata (issue #12): a first-run install that
//! strata started (here `pip install`, by a stand-in Python whose pip just
//! waits) is ended by the kernel when strata is killed, instead of running
//! on with nobody to use its result; a Lambda build ends with every process
//! it started.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_install_strata_started_dies_with_strata() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pid_file = dir.path().join("pip.pid");
    // `python3 -m venv DIR` makes DIR/bin/python, whose `-m pip install`
    // records its pid and waits, as a slow download would.
    let python = dir.path().join("python3");
    std::fs::write(
        &python,
        format!(
            "#!/bin/sh\nvenv=\"$3\"\nmkdir -p \"$venv/bin\"\nprintf '#!/bin/sh\\necho $$ > {pid}\\nexec sleep 120\\n' > \"$venv/bin/python\"\nchmod +x \"$venv/bin/python\"\n",
            pid = pid_file.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();

    let mut strata = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["local", "start"])
        .env("STRATA_HOME", dir.path().join("home"))
        .env("STRATA_PYTHON", &python)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("strata starts");
    wait_for("pip to start", Duration::from_secs(30), || {
        pid_file.exists() && std::fs::read_to_string(&pid_file).is_ok_and(|s| !s.trim().is_empty())
    });
    let pip: i32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
    assert!(Path::new(&format!("/proc/{pip}")).exists(), "pip is running");

    strata.kill().expect("SIGKILL strata"); // no handler can run: only the kernel can end pip
    strata.wait().expect("reaped");
    wait_for("pip to end with strata", Duration::from_secs(10), || ended(pip));
}

/// Whether process `pid` has ended (gone, or a zombie nobody reaped yet).
fn ended(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_or(true, |stat| stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')))
}

/// The Lambda build (issue #12): cargo-lambda starts cargo, which starts
/// rustc and zig; killing strata must end all of them, not only
/// cargo-lambda. Here a stand-in cargo-lambda starts a grandchild and waits,
/// as cargo would; strata gets SIGKILL (no handler runs) in the middle.
#[test]
fn a_lambda_build_and_every_tool_it_started_die_with_strata() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bin = dir.path().join("home").join(strata::build::toolchain::VENV_DIR).join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(
        bin.parent().unwrap().join("strata-installed"),
        format!("{}\n", strata::build::toolchain::REQUIREMENTS.join(" ")),
    )
    .unwrap();
    let (child_pid, grandchild_pid) = (dir.path().join("child.pid"), dir.path().join("grandchild.pid"));
    let fake = bin.join("cargo-lambda");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho $$ > {child}\nsleep 120 &\necho $! > {grandchild}\nwait\n",
            child = child_pid.display(),
            grandchild = grandchild_pid.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();

    let mut strata = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["plan", "stacks/acme-scheduling.yaml", "--state"])
        .arg(dir.path().join("state.json"))
        .current_dir(crate::support::repo_root())
        .env("STRATA_HOME", dir.path().join("home"))
        // A target dir of its own: no built package or fingerprint to reuse.
        .env("CARGO_TARGET_DIR", dir.path().join("target"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("strata starts");
    let read_pid = |path: &Path| std::fs::read_to_string(path).ok().and_then(|s| s.trim().parse::<i32>().ok());
    wait_for("the build's grandchild to start", Duration::from_secs(60), || read_pid(&grandchild_pid).is_some());
    let (child, grandchild) = (read_pid(&child_pid).unwrap(), read_pid(&grandchild_pid).unwrap());
    assert!(!ended(child) && !ended(grandchild), "the build is running");

    strata.kill().expect("SIGKILL strata");
    strata.wait().expect("reaped");
    wait_for("cargo-lambda to end with strata", Duration::from_secs(10), || ended(child));
    wait_for("the tool cargo-lambda started to end too", Duration::from_secs(10), || ended(grandchild));
}
