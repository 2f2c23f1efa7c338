//! `strata local start | stop | status`.

use super::OpsError;
use crate::local::{self, LocalCloud};

pub fn start() -> Result<LocalCloud, OpsError> {
    Ok(local::ensure_running()?)
}

pub fn status() -> Result<Option<LocalCloud>, OpsError> {
    Ok(local::status()?)
}

/// True when a running local cloud was stopped.
pub fn stop() -> Result<bool, OpsError> {
    Ok(local::stop()?)
}
