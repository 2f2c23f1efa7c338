//! Child processes that stop with strata.
//!
//! A `pip install` or a `cargo lambda build` that strata started has no
//! purpose once strata is gone, but a child keeps running when its parent is
//! killed (SIGTERM from CI cancelling a job, SIGKILL from an OOM killer):
//! minutes of CPU on a 2-core runner and a half-written venv or target dir.
//! Linux's `PR_SET_PDEATHSIG` has the kernel send the child SIGTERM when its
//! parent dies. (The moto server is the one child that must outlive strata;
//! it is started detached, in a session of its own, and never gets this.)
//!
//! The signal follows the *thread* that spawned the child: spawn from a
//! thread that lives while the child runs (the caller waiting on it does).
//!
//! The kernel signals only the direct child. A tool that starts tools of its
//! own (cargo-lambda runs cargo, which runs rustc, zig and the linker) is run
//! by [`tree_stops_with_parent`] instead: under a small `sh` that leads a
//! process group of its own and, on SIGTERM, passes it to the whole group.

use std::ffi::OsStr;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// The group leader's script: run the tool, wait for it, exit with its
/// status; on SIGTERM, signal the whole group (the trap is reset first, so
/// the shell then ends too).
const GROUP_LEADER: &str = r#"trap 'trap - TERM; kill -TERM 0' TERM; "$@" & wait $!"#;

/// `program` run so that it and every process it starts receive SIGTERM
/// when this process dies (and on an explicit SIGTERM to the shell). Add
/// the program's arguments to the returned command as usual.
pub fn tree_stops_with_parent(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(GROUP_LEADER).arg("sh").arg(program).process_group(0);
    stops_with_parent(&mut command);
    command
}

/// Makes `command`'s process receive SIGTERM when this process dies.
pub fn stops_with_parent(command: &mut Command) -> &mut Command {
    let parent = std::process::id();
    // SAFETY: prctl, getppid and raise are async-signal-safe and touch no
    // memory of the parent; the closure captures only a copied integer.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent died between fork and prctl: nothing will signal us.
            if u32::try_from(libc::getppid()).ok() != Some(parent) {
                libc::raise(libc::SIGTERM);
            }
            Ok(())
        })
    }
}
