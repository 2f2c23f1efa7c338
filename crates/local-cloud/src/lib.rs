//! The embedded local cloud: a pinned moto server, installed on first use
//! into a private virtualenv and started on 127.0.0.1, shared by every strata
//! process and test on the machine.
//!
//! `strata local start|stop|status` and the test helpers are thin wrappers
//! over [`ensure_running`], [`status`] and [`stop`]. Files under the home:
//!
//! ```text
//! <home>/moto-<version>/venv/       the virtualenv (install_dir, shareable)
//! <home>/moto-<version>/installed   marker written after pip succeeded
//! <home>/local/lock                 exclusive lock around start/stop
//! <home>/local/moto.json            the running server's record
//! <home>/local/moto.log             the server's stdout and stderr
//! ```

pub mod child;
mod config;
mod error;
mod install;
mod listener;
pub mod long_step;
mod lock;
mod probe;
mod process;
mod record;
mod server;

use std::path::PathBuf;

pub use config::{LocalCloudConfig, HOME_VAR, PYTHON_VAR};
pub use error::LocalCloudError;
pub use server::START_TIMEOUT;

/// The moto release strata is tested against; installs are per version.
pub const MOTO_VERSION: &str = "5.2.5";
/// The revision of how strata runs moto (`moto_server_strata.py`). A running
/// server of another revision is replaced, so a correction of moto takes
/// effect without `strata local stop`. Bump it when the launcher changes.
pub const SERVER_REVISION: u32 = 1;

/// A running local cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCloud {
    pub pid: u32,
    pub port: u16,
    /// `http://127.0.0.1:PORT`, for the SDK's endpoint override.
    pub endpoint: String,
    pub log_file: PathBuf,
    pub moto_version: String,
    pub started_at: jiff::Timestamp,
}

impl From<record::Record> for LocalCloud {
    fn from(r: record::Record) -> Self {
        LocalCloud {
            pid: r.pid,
            port: r.port,
            endpoint: r.endpoint,
            log_file: r.log_file,
            moto_version: r.moto_version,
            started_at: r.started_at,
        }
    }
}

/// Returns the running local cloud, installing and starting it if needed.
///
/// The recorded server is reused if its process is alive AND answers HTTP
/// AND runs this crate's moto version. Otherwise it is stopped (if still
/// there), and a new one is started. The whole check-install-start runs
/// under `<home>/local/lock`, so concurrent callers start exactly one server.
pub fn ensure_running(cfg: &LocalCloudConfig) -> Result<LocalCloud, LocalCloudError> {
    let _guard = lock::lock_exclusive(&cfg.lock_file())?;
    if let Some(rec) = record::read(&cfg.record_file()) {
        let alive = process::is_running_moto(rec.pid);
        let current = rec.moto_version == MOTO_VERSION && rec.server_revision == SERVER_REVISION;
        if alive && current && probe::server_answers(rec.pid, rec.port) {
            return Ok(rec.into());
        }
        if alive {
            // Wedged, or another moto version or launcher: replace it.
            process::terminate(rec.pid)?;
        }
        record::remove(&cfg.record_file())?;
    }
    install::ensure_installed(cfg)?;
    server::start(cfg)
}

/// The running local cloud, or `None`.
///
/// A record whose process is gone is removed. A server that is alive but
/// does not answer is reported as not running, but its record is kept so
/// [`stop`] (or the next [`ensure_running`]) can still end it.
pub fn status(cfg: &LocalCloudConfig) -> Result<Option<LocalCloud>, LocalCloudError> {
    let _guard = lock::lock_exclusive(&cfg.lock_file())?;
    let Some(rec) = record::read(&cfg.record_file()) else {
        record::remove(&cfg.record_file())?; // corrupt or absent: nothing to keep
        return Ok(None);
    };
    if !(process::is_running_moto(rec.pid)) {
        record::remove(&cfg.record_file())?;
        return Ok(None);
    }
    Ok(probe::server_answers(rec.pid, rec.port).then(|| rec.into()))
}

/// Stops the recorded server: SIGTERM, a grace period, then SIGKILL.
/// Returns whether it was running.
pub fn stop(cfg: &LocalCloudConfig) -> Result<bool, LocalCloudError> {
    let _guard = lock::lock_exclusive(&cfg.lock_file())?;
    let Some(rec) = record::read(&cfg.record_file()) else {
        record::remove(&cfg.record_file())?;
        return Ok(false);
    };
    let running = process::is_running_moto(rec.pid);
    if running {
        process::terminate(rec.pid)?;
    }
    record::remove(&cfg.record_file())?;
    Ok(running)
}
