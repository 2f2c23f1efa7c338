//! Exclusive file locks. Test binaries, their threads and CI jobs all call
//! `ensure_running` at once; the lock makes exactly one of them install and
//! start moto while the others wait and then reuse it.
//!
//! std's `File::lock` (stable since Rust 1.89, `flock` on Linux) belongs to
//! the open file, not the process, so threads of one process exclude each
//! other too. The lock is released when the guard (the open file) is
//! dropped, also if the holder crashes.

use std::fs::{File, OpenOptions};
use std::path::Path;

use crate::error::LocalCloudError;

/// Holds an exclusive lock until dropped.
#[derive(Debug)]
pub(crate) struct LockGuard {
    _file: File,
}

/// Blocks until the exclusive lock on `path` (created if missing) is held.
pub(crate) fn lock_exclusive(path: &Path) -> Result<LockGuard, LocalCloudError> {
    if let Some(dir) = path.parent() {
        crate::config::create_dir(dir)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(LocalCloudError::io("cannot open lock file", path))?;
    file.lock().map_err(LocalCloudError::io("cannot lock", path))?;
    Ok(LockGuard { _file: file })
}
