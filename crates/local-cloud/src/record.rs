//! `<home>/local/moto.json`: which server is running, so later processes
//! (and `strata local status|stop`) find it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::LocalCloudError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    pub pid: u32,
    pub port: u16,
    pub endpoint: String,
    pub log_file: PathBuf,
    pub moto_version: String,
    /// Which [`crate::SERVER_REVISION`] started it; 0 for a server started
    /// before revisions were recorded.
    #[serde(default)]
    pub server_revision: u32,
    pub started_at: jiff::Timestamp,
}

/// The record, or `None` when there is none. An unreadable or corrupt record
/// (a crash while writing it, a format from another version) counts as none:
/// it describes no server we could use.
pub(crate) fn read(path: &Path) -> Option<Record> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes the record atomically (temp file + rename), so a reader never sees
/// half of it.
pub(crate) fn write(path: &Path, record: &Record) -> Result<(), LocalCloudError> {
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(record)
        .map_err(|e| LocalCloudError::io("cannot encode", path)(std::io::Error::other(e)))?;
    std::fs::write(&tmp, text + "\n").map_err(LocalCloudError::io("cannot write", &tmp))?;
    std::fs::rename(&tmp, path).map_err(LocalCloudError::io("cannot write", path))
}

pub(crate) fn remove(path: &Path) -> Result<(), LocalCloudError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(LocalCloudError::io("cannot remove", path)(e)),
        _ => Ok(()),
    }
}
