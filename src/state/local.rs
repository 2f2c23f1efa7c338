//! The local file backend: one JSON file per stack and environment, an
//! exclusive lock beside it, and writes that never leave a torn file.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::{LockInfo, State, StateError};

/// State kept in a local file.
#[derive(Debug, Clone)]
pub struct LocalBackend {
    path: PathBuf,
}

/// Held while a command works on the state; released on drop (also when the
/// process dies, since the OS drops flock locks with the file descriptor).
#[derive(Debug)]
pub struct LocalLock {
    file: File,
}

impl Drop for LocalLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

impl LocalBackend {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// `.strata/state/<stack>/<environment>.json` under the working directory.
    pub fn default_path(stack: &str, environment: &str) -> PathBuf {
        PathBuf::from(".strata").join("state").join(stack).join(format!("{environment}.json"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock_path(&self) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        self.path.with_file_name(name)
    }

    fn io(&self, action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StateError {
        let path = path.display().to_string();
        move |source| StateError::Io { action, path, source }
    }

    fn ensure_dir(&self) -> Result<(), StateError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(self.io("create the directory of", &self.path))?;
        }
        Ok(())
    }

    /// Takes the exclusive lock without waiting; a held lock is an error that
    /// names its holder.
    pub fn lock(&self, command: &str) -> Result<LocalLock, StateError> {
        self.ensure_dir()?;
        let lock_path = self.lock_path();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&lock_path)
            .map_err(self.io("open the lock file of", &lock_path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(self.io("lock", &lock_path)(e)),
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut content = String::new();
                let _ = file.read_to_string(&mut content);
                let holder = serde_json::from_str::<LockInfo>(&content)
                    .map(|i| i.describe())
                    .unwrap_or_else(|_| String::from("another process (it has not written its name yet)"));
                return Err(StateError::Locked {
                    path: self.path.display().to_string(),
                    lock_path: lock_path.display().to_string(),
                    holder,
                });
            }
        }
        let info = serde_json::to_string(&LockInfo::current(command)).unwrap_or_default();
        file.set_len(0).map_err(self.io("write the lock file of", &lock_path))?;
        file.seek(SeekFrom::Start(0)).map_err(self.io("write the lock file of", &lock_path))?;
        file.write_all(info.as_bytes()).map_err(self.io("write the lock file of", &lock_path))?;
        file.sync_all().map_err(self.io("write the lock file of", &lock_path))?;
        Ok(LocalLock { file })
    }

    /// The recorded state, or None when there is none yet.
    pub fn read(&self) -> Result<Option<State>, StateError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io("read", &self.path)(e)),
        };
        State::parse(&text, &self.path.display().to_string()).map(Some)
    }

    /// Reads the state and checks it belongs to this stack and environment.
    pub fn read_for(&self, stack: &str, environment: &str) -> Result<Option<State>, StateError> {
        let state = self.read()?;
        if let Some(s) = &state {
            s.ensure_belongs(&self.path.display().to_string(), stack, environment)?;
        }
        Ok(state)
    }

    /// Bumps the serial and writes atomically with [`write_private`]: a crash
    /// at any point leaves either the old or the new state. The caller must
    /// hold the lock.
    pub fn persist(&self, _lock: &LocalLock, state: &mut State) -> Result<(), StateError> {
        self.ensure_dir()?;
        state.serial += 1;
        write_private(&self.path, state.to_text().as_bytes()).map_err(self.io("write", &self.path))
    }

    /// Copies the state file as it is now to `<state>.<serial>.backup` beside
    /// it (mode 0600, like the state) and returns that path. The caller holds
    /// the lock.
    pub fn backup(&self, _lock: &LocalLock, state: &State) -> Result<PathBuf, StateError> {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".{}.backup", state.serial));
        let backup = self.path.with_file_name(name);
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&backup)
            .map_err(self.io("write the backup", &backup))?;
        file.write_all(state.to_text().as_bytes()).map_err(self.io("write the backup", &backup))?;
        file.sync_all().map_err(self.io("sync the backup", &backup))?;
        Ok(backup)
    }

    /// `strata state unlock` on a local file: an flock cannot be broken from
    /// outside and dies with its process, so this only explains. It refuses
    /// with the holder when the lock is held, and says so when it is not.
    pub fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        let location = self.path.display().to_string();
        let lock_path = self.lock_path();
        let mut file = match OpenOptions::new().read(true).open(&lock_path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StateError::NotLocked { location }),
            Err(e) => return Err(self.io("open the lock file of", &lock_path)(e)),
        };
        match file.try_lock() {
            Ok(()) => {
                let _ = file.unlock();
                Err(StateError::NotLocked { location })
            }
            Err(std::fs::TryLockError::Error(e)) => Err(self.io("lock", &lock_path)(e)),
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut content = String::new();
                let _ = file.read_to_string(&mut content);
                let holder = serde_json::from_str::<LockInfo>(&content).ok();
                let describe = holder.as_ref().map_or_else(|| String::from("another process"), LockInfo::describe);
                match holder {
                    Some(h) if h.id != id => Err(StateError::UnlockMismatch {
                        location,
                        given: id.to_owned(),
                        current: h.id.clone(),
                        holder: describe,
                    }),
                    _ => Err(StateError::LocalLockHeld { location, holder: describe }),
                }
            }
        }
    }
}

/// Writes `bytes` to `path` readable by the owner only (0600), atomically: a
/// temp file in the same directory created 0600, fsync, rename over `path`,
/// fsync the directory. State and saved plans hold physical ids, ARNs and
/// resolved properties (environment variables included), so they are never
/// world-readable, not even for a moment, and a file that already existed
/// with a wider mode is replaced rather than rewritten in place.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let mut file = OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written.and_then(|()| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn persist_is_atomic_private_and_bumps_the_serial() {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::new(dir.path().join("s/local.json"));
        let lock = backend.lock("test").unwrap();
        assert!(backend.read().unwrap().is_none());
        let mut state = State::new("st", "local");
        backend.persist(&lock, &mut state).unwrap();
        backend.persist(&lock, &mut state).unwrap();
        let read = backend.read().unwrap().unwrap();
        assert_eq!(read.serial, 2);
        assert_eq!(read.lineage, state.lineage);
        let mode = fs::metadata(backend.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let leftovers: Vec<_> =
            fs::read_dir(dir.path().join("s")).unwrap().filter_map(Result::ok).map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 2, "only the state and its lock remain: {leftovers:?}");
    }

    #[test]
    fn a_second_lock_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::new(dir.path().join("local.json"));
        let _held = backend.lock("strata apply").unwrap();
        let err = backend.lock("strata plan").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("strata apply") && text.contains(&std::process::id().to_string()), "{text}");
    }

    #[test]
    fn state_of_another_stack_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::new(dir.path().join("local.json"));
        let lock = backend.lock("t").unwrap();
        backend.persist(&lock, &mut State::new("other", "local")).unwrap();
        assert!(matches!(backend.read_for("mine", "local"), Err(StateError::Mismatch { .. })));
    }
}
