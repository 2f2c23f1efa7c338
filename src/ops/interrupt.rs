//! Ctrl-C and SIGTERM during an apply or destroy.
//!
//! Cutting a run mid-operation leaves AWS and the state disagreeing (a
//! resource created but not recorded) and, with the S3 backend, a lock that
//! blocks everyone until someone breaks it. So the first signal only asks
//! the walk to stop: nothing new starts, operations in flight finish and are
//! recorded, the lock is released, and strata says what was left undone and
//! exits 130 (128 + SIGINT, the shell's convention). A second signal is the
//! user insisting: the process exits at once with 130 (the local file lock
//! dies with it; an S3 lock stays until `strata state unlock`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::SigId;

use super::OpsError;

/// The exit code of an interrupted run.
pub const EXIT_CODE: u8 = 130;

/// Registered for the life of one apply; unregistered when dropped, so the
/// signals behave as usual again afterwards (e.g. in `local run`).
pub struct Interrupt {
    requested: Arc<AtomicBool>,
    ids: Vec<SigId>,
}

impl Interrupt {
    pub fn install() -> Result<Self, OpsError> {
        let requested = Arc::new(AtomicBool::new(false));
        let mut ids = Vec::new();
        for signal in [SIGINT, SIGTERM] {
            // Order matters (signal-hook's documented pattern): the first
            // handler exits if a signal already came, the second records this one.
            let register = || -> std::io::Result<[SigId; 2]> {
                Ok([
                    signal_hook::flag::register_conditional_shutdown(
                        signal,
                        i32::from(EXIT_CODE),
                        Arc::clone(&requested),
                    )?,
                    signal_hook::flag::register(signal, Arc::clone(&requested))?,
                ])
            };
            ids.extend(register().map_err(|e| OpsError::Internal { message: format!("cannot handle Ctrl-C: {e}") })?);
        }
        Ok(Self { requested, ids })
    }

    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}
