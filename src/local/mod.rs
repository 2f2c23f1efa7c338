//! The embedded local cloud (a pinned moto server, see the `local-cloud`
//! crate): `strata local start | stop | status`, and the endpoint every
//! command on the `local` environment uses.

/// The region and account moto answers as; the `local` environment always
/// targets these.
pub const LOCAL_REGION: &str = "us-east-1";
pub const LOCAL_ACCOUNT_ID: &str = "123456789012";

pub use local_cloud::{LocalCloud, LocalCloudConfig, LocalCloudError, MOTO_VERSION};

/// Starts the local cloud when it is not running (installing moto on first
/// use) and returns it.
pub fn ensure_running() -> Result<LocalCloud, LocalCloudError> {
    local_cloud::ensure_running(&LocalCloudConfig::from_env())
}

pub fn status() -> Result<Option<LocalCloud>, LocalCloudError> {
    local_cloud::status(&LocalCloudConfig::from_env())
}

pub fn stop() -> Result<bool, LocalCloudError> {
    local_cloud::stop(&LocalCloudConfig::from_env())
}

/// strata's own directory (`$STRATA_HOME`, default `~/.cache/strata`).
pub fn home_dir() -> std::path::PathBuf {
    LocalCloudConfig::from_env().home
}
