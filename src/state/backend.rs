//! Where a state lives, as one type every command uses: a local file or an
//! S3 object. An enum rather than a trait object: there are two backends,
//! both known here, and async methods on an enum need no boxing.
//!
//! Async because the S3 backend is; the local one does its (short, blocking)
//! file I/O inline.

use super::{LocalBackend, LocalLock, LockInfo, S3Backend, S3Lock, State, StateError};

#[derive(Debug)]
pub enum StateBackend {
    Local(LocalBackend),
    S3(S3Backend),
}

/// Proof that a command holds the state's lock; pass it back to
/// [`StateBackend::release`] where the command ends.
#[derive(Debug)]
pub enum StateLock {
    Local(LocalLock),
    S3(Box<S3Lock>),
}

impl StateBackend {
    /// A path, or `s3://bucket/key`.
    pub fn location(&self) -> String {
        match self {
            Self::Local(b) => b.path().display().to_string(),
            Self::S3(b) => b.location(),
        }
    }

    pub async fn lock(&self, command: &str) -> Result<StateLock, StateError> {
        tracing::debug!(location = %self.location(), command, "taking the state lock");
        match self {
            Self::Local(b) => b.lock(command).map(StateLock::Local),
            Self::S3(b) => b.lock(command).await.map(|l| StateLock::S3(Box::new(l))),
        }
    }

    pub async fn read(&self) -> Result<Option<State>, StateError> {
        tracing::debug!(location = %self.location(), "reading state");
        match self {
            Self::Local(b) => b.read(),
            Self::S3(b) => b.read().await,
        }
    }

    /// Reads the state and checks it belongs to this stack and environment.
    pub async fn read_for(&self, stack: &str, environment: &str) -> Result<Option<State>, StateError> {
        let state = self.read().await?;
        if let Some(s) = &state {
            s.ensure_belongs(&self.location(), stack, environment)?;
        }
        Ok(state)
    }

    /// [`read_for`](Self::read_for) under the lock, so a read-only command
    /// never sees a state another command is halfway through writing.
    pub async fn read_locked(
        &self,
        command: &str,
        stack: &str,
        environment: &str,
    ) -> Result<Option<State>, StateError> {
        let lock = self.lock(command).await?;
        let state = self.read_for(stack, environment).await;
        self.release(lock).await?;
        state
    }

    /// Bumps the serial and writes the state; the caller holds the lock.
    pub async fn persist(&self, lock: &StateLock, state: &mut State) -> Result<(), StateError> {
        match (self, lock) {
            (Self::Local(b), StateLock::Local(l)) => b.persist(l, state),
            (Self::S3(b), StateLock::S3(l)) => b.persist(l, state).await,
            _ => Err(self.foreign_lock()),
        }
    }

    /// Saves the state as it is now beside it and says where.
    pub async fn backup(&self, lock: &StateLock, state: &State) -> Result<String, StateError> {
        match (self, lock) {
            (Self::Local(b), StateLock::Local(l)) => b.backup(l, state).map(|p| p.display().to_string()),
            (Self::S3(b), StateLock::S3(l)) => b.backup(l, state).await,
            _ => Err(self.foreign_lock()),
        }
    }

    /// Releases the lock where a command ends (its `Drop` is only a fallback).
    pub async fn release(&self, lock: StateLock) -> Result<(), StateError> {
        match (self, lock) {
            (Self::S3(b), StateLock::S3(l)) => b.release(*l).await,
            (_, lock) => {
                drop(lock);
                Ok(())
            }
        }
    }

    /// `strata state unlock <id>`: breaks the lock with that id.
    pub async fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        match self {
            Self::Local(b) => b.force_unlock(id),
            Self::S3(b) => b.force_unlock(id).await,
        }
    }

    fn foreign_lock(&self) -> StateError {
        StateError::S3 {
            action: "use",
            location: self.location(),
            message: String::from("internal error: a lock of another backend was passed"),
        }
    }
}
