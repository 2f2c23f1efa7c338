//! Starting the moto server: a free port, a process detached from the
//! caller, and a bounded wait until it answers.

use std::fs::OpenOptions;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::config::{create_dir, LocalCloudConfig};
use crate::error::{tail, LocalCloudError};
use crate::{probe, process, record, LocalCloud, MOTO_VERSION, SERVER_REVISION};

/// How long a freshly started moto may take to answer HTTP. It imports
/// every service module on start, which takes a few seconds on a busy
/// 2-core machine.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);
/// A port picked as free can be taken before moto binds it; try again on a
/// new port this many times.
const START_ATTEMPTS: usize = 3;
const POLL: Duration = Duration::from_millis(100);
/// Lines of the server log quoted in a start-up error.
const TAIL_LINES: usize = 30;
/// moto's server with the local cloud's corrections of moto (DynamoDB's
/// isolation); its docstring says what and why.
const LAUNCHER: &str = include_str!("moto_server_strata.py");

/// Starts moto and records it. The caller holds the home lock and has
/// installed moto.
pub(crate) fn start(cfg: &LocalCloudConfig) -> Result<LocalCloud, LocalCloudError> {
    create_dir(&cfg.local_dir())?;
    let mut attempt = 1;
    loop {
        match start_once(cfg) {
            Err(LocalCloudError::ServerExited { .. }) if attempt < START_ATTEMPTS => attempt += 1,
            done => return done,
        }
    }
}

fn start_once(cfg: &LocalCloudConfig) -> Result<LocalCloud, LocalCloudError> {
    let launcher = cfg.launcher_file();
    std::fs::write(&launcher, LAUNCHER).map_err(LocalCloudError::io("cannot write", &launcher))?;
    let port = free_port()?;
    let log_file = cfg.log_file();
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_file)
        .map_err(LocalCloudError::io("cannot open", &log_file))?;
    let log_err = log.try_clone().map_err(LocalCloudError::io("cannot open", &log_file))?;
    let mut command = Command::new(cfg.venv_python());
    command
        .arg(&launcher)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .env("PYTHONUNBUFFERED", "1")
        .current_dir(cfg.local_dir())
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    // SAFETY: setsid is async-signal-safe and touches no memory of ours. A
    // session of its own means Ctrl-C (SIGINT to the terminal's foreground
    // group) and the terminal closing do not reach the server.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().map_err(LocalCloudError::io("cannot start", &launcher))?;
    let pid = child.id();
    let endpoint = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(LocalCloudError::ServerExited {
                status: status.to_string(),
                log: log_file.clone(),
                output: log_tail(&log_file),
            });
        }
        if probe::server_answers(pid, port) {
            break;
        }
        if Instant::now() >= deadline {
            // Best effort: the error below is what matters.
            let _ = process::terminate(pid);
            return Err(LocalCloudError::StartTimeout {
                endpoint,
                seconds: START_TIMEOUT.as_secs(),
                log: log_file.clone(),
                output: log_tail(&log_file),
            });
        }
        std::thread::sleep(POLL);
    }
    let rec = record::Record {
        pid,
        port,
        endpoint,
        log_file,
        moto_version: MOTO_VERSION.to_string(),
        server_revision: SERVER_REVISION,
        started_at: jiff::Timestamp::now(),
    };
    record::write(&cfg.record_file(), &rec)?;
    Ok(LocalCloud::from(rec))
}

/// A port nothing listens on right now (the OS picks it).
fn free_port() -> Result<u16, LocalCloudError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(LocalCloudError::io("cannot find a free port on", "127.0.0.1"))?;
    let port = listener.local_addr().map_err(LocalCloudError::io("cannot find a free port on", "127.0.0.1"))?.port();
    Ok(port)
}

fn log_tail(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).map(|text| tail(&text, TAIL_LINES)).unwrap_or_default()
}
