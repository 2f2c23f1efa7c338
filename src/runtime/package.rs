//! The deployed package's `bootstrap`, unpacked to run as a process.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::RuntimeError;

pub fn unpack_bootstrap(zip_path: &Path, dir: &Path) -> Result<PathBuf, RuntimeError> {
    let io = |what: String| move |e: std::io::Error| RuntimeError::Io { what, source: e };
    let file = std::fs::File::open(zip_path).map_err(io(format!("opening {}", zip_path.display())))?;
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|e| RuntimeError::Io { what: format!("reading {}", zip_path.display()), source: e.into() })?;
    let mut entry = archive
        .by_name("bootstrap")
        .map_err(|e| RuntimeError::Io { what: format!("{} has no bootstrap", zip_path.display()), source: e.into() })?;
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    entry.read_to_end(&mut bytes).map_err(io(format!("unpacking {}", zip_path.display())))?;
    std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
    let target = dir.join("bootstrap");
    // A fresh file each time: a running process may still hold the old one.
    let temp = dir.join(format!(".bootstrap.{}", std::process::id()));
    std::fs::write(&temp, &bytes).map_err(io(format!("writing {}", temp.display())))?;
    std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o755))
        .map_err(io(format!("making {} executable", temp.display())))?;
    std::fs::rename(&temp, &target).map_err(io(format!("placing {}", target.display())))?;
    Ok(target)
}
