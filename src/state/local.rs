//! The local file backend: one JSON file per stack and environment, an
//! exclusive lock beside it, and writes that never leave a torn file.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{State, StateError, STATE_FORMAT_VERSION};

/// Who holds a lock: written into the lock file so a second process can say.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LockInfo {
    pub pid: u32,
    pub host: String,
    pub user: String,
    pub command: String,
    pub started_at: String,
}

impl LockInfo {
    pub fn current(command: &str) -> Self {
        Self {
            pid: std::process::id(),
            host: fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_else(|_| "unknown".into()),
            user: std::env::var("USER").unwrap_or_else(|_| "unknown".into()),
            command: command.to_owned(),
            started_at: jiff::Timestamp::now().to_string(),
        }
    }

    fn describe(&self) -> String {
        format!("`{}` (pid {} on {}, user {}, since {})", self.command, self.pid, self.host, self.user, self.started_at)
    }
}

/// State kept in a local file.
#[derive(Debug, Clone)]
pub struct LocalBackend {
    path: PathBuf,
}

/// Held while a command works on the state; released on drop (also when the
/// process dies, since the OS drops flock locks with the file descriptor).
#[derive(Debug)]
pub struct StateLock {
    file: File,
}

impl Drop for StateLock {
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
    pub fn lock(&self, command: &str) -> Result<StateLock, StateError> {
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
        Ok(StateLock { file })
    }

    /// The recorded state, or None when there is none yet.
    pub fn read(&self) -> Result<Option<State>, StateError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io("read", &self.path)(e)),
        };
        let state: State = serde_json::from_str(&text)
            .map_err(|source| StateError::Corrupt { path: self.path.display().to_string(), source })?;
        if state.version != STATE_FORMAT_VERSION {
            return Err(StateError::Version {
                path: self.path.display().to_string(),
                found: state.version,
                expected: STATE_FORMAT_VERSION,
            });
        }
        Ok(Some(state))
    }

    /// Reads the state and checks it belongs to this stack and environment.
    pub fn read_for(&self, stack: &str, environment: &str) -> Result<Option<State>, StateError> {
        let state = self.read()?;
        if let Some(s) = &state {
            if s.stack != stack || s.environment != environment {
                return Err(StateError::Mismatch {
                    path: self.path.display().to_string(),
                    found_stack: s.stack.clone(),
                    found_env: s.environment.clone(),
                    stack: stack.to_owned(),
                    env: environment.to_owned(),
                });
            }
        }
        Ok(state)
    }

    /// Bumps the serial and writes atomically: a temp file in the same
    /// directory (mode 0600), fsync, rename over the old file, fsync the
    /// directory. A crash at any point leaves either the old or the new state.
    /// The caller must hold the lock.
    pub fn persist(&self, _lock: &StateLock, state: &mut State) -> Result<(), StateError> {
        self.ensure_dir()?;
        state.serial += 1;
        let text = serde_json::to_string_pretty(state).unwrap_or_default();
        let mut tmp_name = self.path.file_name().unwrap_or_default().to_os_string();
        tmp_name.push(format!(".tmp-{}", std::process::id()));
        let tmp = self.path.with_file_name(tmp_name);
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(self.io("write", &tmp))?;
        file.write_all(text.as_bytes()).map_err(self.io("write", &tmp))?;
        file.write_all(b"\n").map_err(self.io("write", &tmp))?;
        file.sync_all().map_err(self.io("sync", &tmp))?;
        drop(file);
        fs::rename(&tmp, &self.path).map_err(self.io("replace", &self.path))?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
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
