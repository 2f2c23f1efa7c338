//! Against a real moto. Tests that only use the server share the machine's
//! local cloud (`LocalCloudConfig::from_env()`), like every other test
//! binary; tests that stop a server use a temporary home of their own (and
//! share only the install dir), so they never stop the shared one.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use local_cloud::{ensure_running, status, stop, LocalCloudConfig, LocalCloudError, MOTO_VERSION};

fn shared() -> LocalCloudConfig {
    LocalCloudConfig::from_env()
}

/// A temporary home that reuses the shared install. Its Python does not
/// exist, which also proves the install is not redone. Dropping it stops its
/// server, so a failing test leaves no server behind.
struct PrivateHome {
    cfg: LocalCloudConfig,
    _dir: tempfile::TempDir,
}

impl Drop for PrivateHome {
    fn drop(&mut self) {
        let _ = stop(&self.cfg);
    }
}

fn private_home() -> PrivateHome {
    let shared = shared();
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = LocalCloudConfig {
        home: dir.path().to_path_buf(),
        install_dir: shared.install_dir.clone(),
        python: PathBuf::from("/nonexistent/python3"),
    };
    PrivateHome { cfg, _dir: dir }
}

/// Makes sure the shared install exists before a private home borrows it.
fn installed() {
    ensure_running(&shared()).expect("the shared local cloud starts");
}

/// A raw HTTP/1.1 request; returns (status, body).
fn http(endpoint: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let addr = endpoint.strip_prefix("http://").expect("http endpoint");
    let mut stream = TcpStream::connect(addr).expect("connect to moto");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("send request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read response");
    let status = response.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn ensure_running_twice_returns_the_same_server() {
    let first = ensure_running(&shared()).expect("local cloud starts");
    let second = ensure_running(&shared()).expect("local cloud is reused");
    assert_eq!(first, second);
    assert_eq!(first.moto_version, MOTO_VERSION);
    assert_eq!(first.endpoint, format!("http://127.0.0.1:{}", first.port));
    assert!(first.log_file.ends_with("local/moto.log"), "{}", first.log_file.display());
    assert!(shared().install_dir.join("installed").exists(), "install marker written");
}

#[test]
fn endpoint_answers_an_aws_call() {
    let cloud = ensure_running(&shared()).expect("local cloud starts");
    // Any credential scope works: moto reads the service and region from it
    // and does not check the signature.
    let auth = "AWS4-HMAC-SHA256 Credential=testing/20250101/eu-north-1/dynamodb/aws4_request, \
                SignedHeaders=host;x-amz-target, Signature=00";
    let (status, body) = http(
        &cloud.endpoint,
        "POST",
        "/",
        &[
            ("X-Amz-Target", "DynamoDB_20120810.ListTables"),
            ("Content-Type", "application/x-amz-json-1.0"),
            ("Authorization", auth),
        ],
        "{}",
    );
    assert_eq!(status, 200, "body: {body}");
    assert!(body.contains("\"TableNames\""), "body: {body}");

    let (status, body) = http(&cloud.endpoint, "GET", "/moto-api/", &[], "");
    assert_eq!(status, 200, "body: {body}");
}

#[test]
fn concurrent_callers_start_exactly_one_server() {
    installed();
    let home = private_home();
    let cfg = &home.cfg;
    let pids: Vec<u32> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| ensure_running(cfg).map(|c| c.pid))).collect();
        handles.into_iter().map(|h| h.join().expect("thread").expect("ensure_running")).collect()
    });
    assert!(pids.iter().all(|p| *p == pids[0]), "one server for all callers, got pids {pids:?}");
    let log = std::fs::read_to_string(cfg.home.join("local/moto.log")).unwrap_or_default();
    assert!(stop(cfg).expect("stop"), "it was running");
    assert!(!process_exists(pids[0]), "server {} is gone; log:\n{log}", pids[0]);
}

#[test]
fn stop_then_status_is_none() {
    installed();
    let home = private_home();
    let cfg = &home.cfg;
    assert_eq!(status(cfg).expect("status"), None, "nothing started yet");
    let cloud = ensure_running(cfg).expect("private local cloud starts");
    assert_eq!(status(cfg).expect("status"), Some(cloud.clone()));
    assert_ne!(cloud.pid, ensure_running(&shared()).expect("shared").pid, "a private server, not the shared one");
    assert!(stop(cfg).expect("stop"), "it was running");
    assert_eq!(status(cfg).expect("status"), None);
    assert!(!process_exists(cloud.pid), "the server process is gone");
    assert!(!cfg.home.join("local/moto.json").exists(), "record removed");
    assert!(!stop(cfg).expect("second stop"), "nothing left to stop");
}

#[test]
fn stale_record_is_cleaned_up() {
    let home = private_home();
    let cfg = &home.cfg;
    let mut exited = std::process::Command::new("true").spawn().expect("spawn true");
    let dead_pid = exited.id();
    exited.wait().expect("wait");
    let record = cfg.home.join("local/moto.json");
    std::fs::create_dir_all(record.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &record,
        format!(
            r#"{{"pid":{dead_pid},"port":9,"endpoint":"http://127.0.0.1:9","log_file":"/dev/null","moto_version":"{MOTO_VERSION}","started_at":"2025-01-01T00:00:00Z"}}"#
        ),
    )
    .expect("write record");
    assert_eq!(status(cfg).expect("status"), None);
    assert!(!record.exists(), "stale record removed");
}

fn fresh_install_home(python: PathBuf) -> (tempfile::TempDir, LocalCloudConfig) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cfg = LocalCloudConfig::new(dir.path());
    cfg.python = python;
    (dir, cfg)
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

#[test]
fn missing_python_names_what_to_install() {
    let (_dir, cfg) = fresh_install_home(PathBuf::from("/nonexistent/python3"));
    let err = ensure_running(&cfg).expect_err("no python, no local cloud");
    assert!(matches!(err, LocalCloudError::PythonNotFound { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("/nonexistent/python3"), "{msg}");
    assert!(msg.contains("install python3 and python3-venv"), "{msg}");
    assert!(msg.contains("apt-get install"), "{msg}");
}

#[test]
fn missing_venv_module_names_what_to_install() {
    let bin = tempfile::tempdir().expect("temp dir");
    let python = script(
        bin.path(),
        "python3",
        "echo 'The virtual environment was not created successfully because ensurepip is not available.' >&2\nexit 1",
    );
    let (_dir, cfg) = fresh_install_home(python);
    let err = ensure_running(&cfg).expect_err("no venv module, no local cloud");
    assert!(matches!(err, LocalCloudError::VenvFailed { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("apt-get install python3-venv"), "{msg}");
    assert!(msg.contains("ensurepip is not available"), "the tool's own words are quoted: {msg}");
}

#[test]
fn failed_pip_install_quotes_pip_and_is_retried_next_time() {
    let bin = tempfile::tempdir().expect("temp dir");
    // `python3 -m venv DIR` creates DIR/bin/python, whose `pip install` fails.
    let python = script(
        bin.path(),
        "python3",
        r#"venv="$3"
mkdir -p "$venv/bin"
printf '#!/bin/sh\necho "Collecting moto[server]==5.2.5"\necho "ERROR: No matching distribution found for moto[server]==5.2.5" >&2\nexit 1\n' > "$venv/bin/python"
chmod +x "$venv/bin/python""#,
    );
    let (_dir, cfg) = fresh_install_home(python);
    for attempt in 1..=2 {
        let err = ensure_running(&cfg).expect_err("pip fails, no local cloud");
        assert!(matches!(err, LocalCloudError::PipFailed { .. }), "attempt {attempt}: {err:?}");
        let msg = err.to_string();
        assert!(msg.contains("No matching distribution found"), "attempt {attempt}: {msg}");
        assert!(msg.contains("moto[server]==5.2.5"), "attempt {attempt}: {msg}");
        assert!(!cfg.install_dir.join("installed").exists(), "no marker after a failed install");
    }
}

/// The reuse rule is "alive AND answers": a recorded process that is alive
/// but does not answer HTTP is reported as not running, and replaced.
#[test]
fn a_server_that_does_not_answer_is_replaced() {
    installed();
    let home = private_home();
    let cfg = &home.cfg;
    // A live process whose command line names moto_server but that serves nothing.
    let mut wedged = std::process::Command::new("python3")
        .args(["-c", "import time; time.sleep(60)", "moto_server"])
        .spawn()
        .expect("spawn python3");
    let silent_port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let record = cfg.home.join("local/moto.json");
    std::fs::create_dir_all(record.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &record,
        format!(
            r#"{{"pid":{},"port":{silent_port},"endpoint":"http://127.0.0.1:{silent_port}","log_file":"/dev/null","moto_version":"{MOTO_VERSION}","started_at":"2025-01-01T00:00:00Z"}}"#,
            wedged.id()
        ),
    )
    .expect("write record");
    // Give the interpreter time to be exec'd under its final command line.
    std::thread::sleep(Duration::from_millis(300));

    assert_eq!(status(cfg).expect("status"), None, "a silent server is not running");
    assert!(record.exists(), "its record is kept so stop can end it");

    let cloud = ensure_running(cfg).expect("a new server replaces the silent one");
    assert_ne!(cloud.pid, wedged.id());
    assert!(!process_exists(wedged.id()), "the silent process was stopped");
    // Already reaped by the stop above; returns at once.
    let _ = wedged.wait();
}

/// Two servers started at once can be handed the same free port: the one
/// that loses the bind is alive for a moment while the winner answers on
/// that port. A record whose process does not own the answering socket
/// points at someone else's server (stopped under it later, as a CI run
/// saw), so it is not running, and is replaced.
#[test]
fn a_record_whose_port_is_answered_by_another_server_is_replaced() {
    let shared_cloud = ensure_running(&shared()).expect("the shared local cloud starts");
    let home = private_home();
    let cfg = &home.cfg;
    let mut loser = std::process::Command::new("python3")
        .args(["-c", "import time; time.sleep(60)", "moto_server"])
        .spawn()
        .expect("spawn python3");
    let record = cfg.home.join("local/moto.json");
    std::fs::create_dir_all(record.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &record,
        format!(
            r#"{{"pid":{},"port":{port},"endpoint":"http://127.0.0.1:{port}","log_file":"/dev/null","moto_version":"{MOTO_VERSION}","started_at":"2025-01-01T00:00:00Z"}}"#,
            loser.id(),
            port = shared_cloud.port
        ),
    )
    .expect("write record");
    std::thread::sleep(Duration::from_millis(300));

    assert_eq!(status(cfg).expect("status"), None, "the shared server answers, but not as this home's server");
    let cloud = ensure_running(cfg).expect("a server of its own replaces the record");
    assert_ne!(cloud.pid, loser.id());
    assert_ne!(cloud.port, shared_cloud.port);
    assert_eq!(ensure_running(&shared()).expect("shared").pid, shared_cloud.pid, "the shared server is untouched");
    let _ = loser.wait();
}
