//! Signals and liveness checks by pid (the server outlives the process that
//! started it, so a pid is all later callers have).
//!
//! A recorded pid can be reused by an unrelated process after moto dies, so
//! nothing is signalled unless `/proc/<pid>/cmdline` says it is `moto_server`
//! (on systems without `/proc` the record is trusted).

use std::time::{Duration, Instant};

use crate::error::LocalCloudError;

/// How long moto gets to exit after SIGTERM before it is killed.
pub(crate) const STOP_GRACE: Duration = Duration::from_secs(10);
/// How long to wait for the process to disappear after SIGKILL.
const KILL_WAIT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(50);

/// A pid that is safe to pass to `kill`: never 0 or -1 (which address whole
/// process groups) nor 1.
fn as_pid(pid: u32) -> Option<libc::pid_t> {
    libc::pid_t::try_from(pid).ok().filter(|p| *p > 1)
}

/// Whether `pid` is a live `moto_server` process. Checked through
/// `/proc/<pid>/cmdline` first, so a pid reused by an unrelated process (or
/// a zombie, whose cmdline is empty) is never taken for the server.
pub(crate) fn is_running_moto(pid: u32) -> bool {
    is_moto(pid) && exists(pid)
}

/// Whether `pid` runs `moto_server` (true when `/proc` cannot tell).
fn is_moto(pid: u32) -> bool {
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmdline) => cmdline.windows(b"moto_server".len()).any(|w| w == b"moto_server"),
        Err(_) => !std::path::Path::new("/proc/self").exists(),
    }
}

/// Whether the process exists and is not a zombie.
fn exists(pid: u32) -> bool {
    let Some(p) = as_pid(pid) else { return false };
    // SAFETY: signal 0 only checks that the process exists.
    let exists =
        unsafe { libc::kill(p, 0) } == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    exists && !is_zombie(pid)
}

fn is_zombie(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
    // Format: `pid (comm) S ...`; comm may contain spaces and parentheses.
    stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
}

/// Whether a server we signalled has exited.
fn is_gone(pid: u32) -> bool {
    if let Some(p) = as_pid(pid) {
        // If the server is our own child (started earlier by this process),
        // reap it, or it lingers as a zombie. For any other pid this fails
        // with ECHILD and does nothing.
        // SAFETY: a null status pointer with WNOHANG never blocks and writes
        // no memory.
        unsafe { libc::waitpid(p, std::ptr::null_mut(), libc::WNOHANG) };
    }
    !exists(pid)
}

/// SIGTERM, wait up to [`STOP_GRACE`], then SIGKILL. The caller has checked
/// [`is_running_moto`].
pub(crate) fn terminate(pid: u32) -> Result<(), LocalCloudError> {
    let Some(p) = as_pid(pid) else { return Ok(()) };
    // SAFETY: plain signal delivery to a checked, positive pid.
    unsafe { libc::kill(p, libc::SIGTERM) };
    if wait_gone(pid, STOP_GRACE) {
        return Ok(());
    }
    // SAFETY: as above.
    unsafe { libc::kill(p, libc::SIGKILL) };
    if wait_gone(pid, KILL_WAIT) {
        Ok(())
    } else {
        Err(LocalCloudError::StopFailed { pid })
    }
}

fn wait_gone(pid: u32, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if is_gone(pid) {
            return true;
        }
        std::thread::sleep(POLL);
    }
    is_gone(pid)
}
