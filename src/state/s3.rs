//! The S3 backend: the state is one object, its lock another (`<key>.lock`).
//!
//! Both rely on S3's conditional writes, so correctness never depends on
//! timing or on every client behaving:
//! - the lock is created with `If-None-Match: *`: of two lockers exactly one
//!   gets it, the other gets 412 and reads who holds it;
//! - the state is written with `If-Match: <ETag we read>` (or
//!   `If-None-Match: *` when there was none), so a writer whose view is stale
//!   (its lock was broken, or someone wrote without one) loses with 412
//!   instead of overwriting a newer state.
//!
//! - the lock is deleted with `If-Match: <ETag of our lock object>`: each
//!   lock object carries a unique id, so its ETag is unique, and a release
//!   (or a forced unlock) can never delete a lock someone else took after
//!   ours was broken;
//! - every call carries `ExpectedBucketOwner` (the environment's
//!   `AccountId`): a bucket of that name in another account is an error, not
//!   a state whose physical ids strata would then delete.
//!
//! - a write whose answer was lost is retried and then meets its own
//!   precondition (412: the object already is what we wrote). Both the lock
//!   and the state re-read the object then: the lock is ours if it carries
//!   our lock id; the state write happened if an earlier attempt's outcome
//!   was unknown and the object holds exactly our bytes; only then is it
//!   taken as done (AWS answers an ambiguous write
//!   this way on a real network; without it the apply stopped at the next
//!   resource, or reported itself as the lock's holder).
//!
//! The lock is released explicitly where a command ends ([`S3Backend::release`]);
//! `Drop` only tries its best (a command that returns early with an error).
//! A process that dies keeps its lock: `strata state unlock <id>` breaks it.

use std::sync::Mutex;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use super::{LockInfo, State, StateError};
use crate::provider::aws::{self, Target};
use crate::provider::retry::Backoff;

/// Attempts of one state write (throttling, 5xx, lost connections), with
/// full-jitter waits between them.
const STATE_WRITE: Backoff = Backoff {
    name: "S3 state write",
    attempts: 6,
    initial: Duration::from_millis(200),
    max_delay: Duration::from_secs(5),
};

/// What this backend last saw of the state object: the precondition of its
/// next write.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    /// Not read yet: a write then must not replace anything.
    NotRead,
    Absent,
    ETag(String),
}

/// State kept in an S3 object.
#[derive(Debug)]
pub struct S3Backend {
    client: aws_sdk_s3::Client,
    /// Kept to build a fresh client when a lock is released from `Drop`.
    target: Target,
    bucket: String,
    key: String,
    /// Flags that select this state on the command line (`--stack x --env y`),
    /// for the unlock command a refused locker prints.
    selector: String,
    seen: Mutex<Seen>,
    /// The account that must own the bucket (S3 `ExpectedBucketOwner`).
    expected_owner: Option<String>,
}

/// Held while a command works on the state: the lock object is ours as long
/// as it carries our id.
#[derive(Debug)]
pub struct S3Lock {
    info: LockInfo,
    target: Target,
    bucket: String,
    lock_key: String,
    /// The ETag S3 gave our lock object: the precondition of its delete.
    etag: Option<String>,
    expected_owner: Option<String>,
    released: bool,
}

impl S3Lock {
    pub fn info(&self) -> &LockInfo {
        &self.info
    }
}

/// How long `Drop` waits for its best-effort release.
const DROP_RELEASE_WAIT: Duration = Duration::from_secs(10);

impl Drop for S3Lock {
    /// Best effort only: `Drop` cannot await, so a fresh client on a
    /// throwaway runtime in its own thread deletes the lock object (if it is
    /// still ours), waiting a bounded time. Commands release explicitly.
    fn drop(&mut self) {
        if self.released {
            return;
        }
        let (target, bucket, key, etag, owner) = (
            self.target.clone(),
            self.bucket.clone(),
            self.lock_key.clone(),
            self.etag.clone(),
            self.expected_owner.clone(),
        );
        let (done, wait) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                rt.block_on(async {
                    let client = aws::s3_client(&target).await;
                    let _ = delete_lock_if_ours(&client, &bucket, &key, etag.as_deref(), owner.as_deref()).await;
                });
            }
            let _ = done.send(());
        });
        let _ = wait.recv_timeout(DROP_RELEASE_WAIT);
    }
}

impl S3Backend {
    /// `selector` is what a user adds to `strata state unlock <id>` to reach
    /// this state, e.g. `--stack stacks/x.yaml --env prod`.
    pub async fn new(target: Target, bucket: &str, key: &str, selector: &str, expected_owner: Option<String>) -> Self {
        Self {
            expected_owner,
            client: aws::s3_client(&target).await,
            target,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            selector: selector.to_owned(),
            seen: Mutex::new(Seen::NotRead),
        }
    }

    /// `s3://bucket/key`.
    pub fn location(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn lock_key(&self) -> String {
        format!("{}.lock", self.key)
    }

    pub fn backup_key(&self, serial: u64) -> String {
        format!("{}.backup.{serial}", self.key)
    }

    fn set_seen(&self, seen: Seen) {
        if let Ok(mut s) = self.seen.lock() {
            *s = seen;
        }
    }

    fn seen(&self) -> Seen {
        self.seen.lock().map(|s| s.clone()).unwrap_or(Seen::NotRead)
    }

    /// Creates the lock object unless one exists; a held lock is an error
    /// naming the holder, its command, how long it has held the lock, and
    /// the id to unlock it with.
    pub async fn lock(&self, command: &str) -> Result<S3Lock, StateError> {
        let info = LockInfo::current(command);
        let body = serde_json::to_vec(&info).unwrap_or_default();
        let lock_key = self.lock_key();
        // Twice: a lock released between our 412 and our read of it is gone,
        // and then one more try is the honest answer.
        for _ in 0..2 {
            let put = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .set_expected_bucket_owner(self.expected_owner.clone())
                .key(&lock_key)
                .if_none_match("*")
                .content_type("application/json")
                .body(ByteStream::from(body.clone()))
                .send()
                .await;
            let etag = match put {
                Ok(out) => out.e_tag().map(str::to_owned),
                Err(e) if is_precondition_failed(&e) => match self.get(&lock_key, "read the lock of").await? {
                    // Our own put, whose answer was lost and whose retry met it.
                    Some((bytes, etag)) if parse_lock(&bytes).id == info.id => etag,
                    Some((bytes, _)) => return Err(self.locked_error(&parse_lock(&bytes))),
                    None => continue,
                },
                Err(e) => return Err(self.s3_error("create the lock of", e)),
            };
            return Ok(S3Lock {
                info,
                target: self.target.clone(),
                bucket: self.bucket.clone(),
                lock_key,
                etag,
                expected_owner: self.expected_owner.clone(),
                released: false,
            });
        }
        Err(StateError::S3 {
            action: "lock",
            location: self.location(),
            message: String::from("the lock object kept changing; try again"),
        })
    }

    fn locked_error(&self, holder: &LockInfo) -> StateError {
        StateError::RemoteLocked {
            location: self.location(),
            holder: holder.describe(),
            age: holder.age(jiff::Timestamp::now()),
            id: holder.id.clone(),
            unlock_command: format!("strata state unlock {} {}", holder.id, self.selector).trim_end().to_owned(),
        }
    }

    /// The lock record, or None when the state is not locked.
    pub async fn current_lock(&self) -> Result<Option<LockInfo>, StateError> {
        let lock_key = self.lock_key();
        let Some((bytes, _)) = self.get(&lock_key, "read the lock of").await? else { return Ok(None) };
        Ok(Some(parse_lock(&bytes)))
    }

    /// The recorded state, or None when there is none yet. Remembers the
    /// object's ETag: the precondition of the next `persist`.
    pub async fn read(&self) -> Result<Option<State>, StateError> {
        match self.get(&self.key, "read").await? {
            None => {
                self.set_seen(Seen::Absent);
                Ok(None)
            }
            Some((bytes, etag)) => {
                let text = String::from_utf8_lossy(&bytes);
                let state = State::parse(&text, &self.location())?;
                self.set_seen(etag.map_or(Seen::NotRead, Seen::ETag));
                Ok(Some(state))
            }
        }
    }

    /// Bumps the serial and writes the state object, only if it is still
    /// the one this backend read (or last wrote); otherwise
    /// [`StateError::StaleWrite`] and the serial is left as it was.
    pub async fn persist(&self, _lock: &S3Lock, state: &mut State) -> Result<(), StateError> {
        state.serial += 1;
        let written = self.put_state(&state.to_text().into_bytes()).await;
        if written.is_err() {
            state.serial -= 1;
        }
        written
    }

    /// The conditional write of the state object, retried here rather than
    /// by the SDK: only this loop knows whether an earlier attempt may have
    /// been carried out (its answer lost, or a 5xx other than 503), and only
    /// then can a 412 be our own write meeting its precondition. A 412 with
    /// no such attempt before it is someone else's write: stale.
    async fn put_state(&self, body: &[u8]) -> Result<(), StateError> {
        let mut rng = fastrand::Rng::new();
        let mut maybe_written = false;
        for attempt in 1..=STATE_WRITE.attempts {
            let put = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .set_expected_bucket_owner(self.expected_owner.clone())
                .key(&self.key)
                .content_type("application/json")
                .body(ByteStream::from(body.to_vec()));
            let put = match self.seen() {
                Seen::ETag(etag) => put.if_match(etag),
                Seen::Absent | Seen::NotRead => put.if_none_match("*"),
            };
            let no_sdk_retries = aws_sdk_s3::config::Builder::default().retry_config(RetryConfig::disabled());
            let e = match put.customize().config_override(no_sdk_retries).send().await {
                Ok(out) => {
                    self.set_seen(out.e_tag().map_or(Seen::NotRead, |e| Seen::ETag(e.to_owned())));
                    return Ok(());
                }
                Err(e) => e,
            };
            if e.code() == Some("NoSuchBucket") {
                return Err(self.no_bucket());
            }
            // 412: the ETag moved (or an object appeared); 409: a concurrent
            // conditional write won; 404: the object was deleted.
            if is_precondition_failed(&e) || status(&e) == Some(409) {
                if maybe_written && self.holds_exactly(body).await? {
                    return Ok(());
                }
                return Err(StateError::StaleWrite { location: self.location() });
            }
            if status(&e) == Some(404) {
                return Err(StateError::StaleWrite { location: self.location() });
            }
            let outcome_unknown =
                matches!(e, SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_))
                    || status(&e).is_some_and(|s| s >= 500 && s != 503);
            let said_no = status(&e).is_some_and(|s| s == 503 || s == 429) || e.code() == Some("SlowDown");
            if !(outcome_unknown || said_no) || attempt == STATE_WRITE.attempts {
                return Err(self.s3_error("write", e));
            }
            maybe_written |= outcome_unknown;
            tokio::time::sleep(STATE_WRITE.delay(attempt, &mut rng)).await;
        }
        unreachable!("the last attempt returns")
    }

    /// Whether the state object now holds exactly `body`: a write whose
    /// answer was lost happened after all (its retry then failed its own
    /// precondition). Remembers the object's ETag when it does.
    async fn holds_exactly(&self, body: &[u8]) -> Result<bool, StateError> {
        match self.get(&self.key, "re-read").await? {
            Some((bytes, Some(etag))) if bytes == body => {
                self.set_seen(Seen::ETag(etag));
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Copies the state object as it is now to `<key>.backup.<serial>` and
    /// returns that object's `s3://` address. The caller holds the lock.
    pub async fn backup(&self, _lock: &S3Lock, state: &State) -> Result<String, StateError> {
        let backup_key = self.backup_key(state.serial);
        self.client
            .copy_object()
            .bucket(&self.bucket)
            .set_expected_bucket_owner(self.expected_owner.clone())
            .set_expected_source_bucket_owner(self.expected_owner.clone())
            .key(&backup_key)
            .copy_source(copy_source(&self.bucket, &self.key))
            .send()
            .await
            .map_err(|e| self.s3_error("back up", e))?;
        Ok(format!("s3://{}/{}", self.bucket, backup_key))
    }

    /// Deletes the lock object if it still is ours (someone may have broken
    /// it and another command taken it since): a delete conditional on our
    /// lock object's ETag.
    pub async fn release(&self, mut lock: S3Lock) -> Result<(), StateError> {
        lock.released = true;
        delete_lock_if_ours(
            &self.client,
            &self.bucket,
            &lock.lock_key,
            lock.etag.as_deref(),
            self.expected_owner.as_deref(),
        )
        .await
        .map_err(|e| StateError::S3 { action: "release the lock of", location: self.location(), message: e })
    }

    /// `strata state unlock <id>`: deletes the lock only when `id` is the
    /// current lock's, and returns what it removed.
    pub async fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        let lock_key = self.lock_key();
        let Some((bytes, etag)) = self.get(&lock_key, "read the lock of").await? else {
            return Err(StateError::NotLocked { location: self.location() });
        };
        let holder = parse_lock(&bytes);
        if holder.id != id {
            return Err(StateError::UnlockMismatch {
                location: self.location(),
                given: id.to_owned(),
                current: holder.id.clone(),
                holder: holder.describe(),
            });
        }
        // Only the lock object we just read: if it was released and taken
        // again meanwhile, the new holder's lock stays.
        match self
            .client
            .delete_object()
            .bucket(&self.bucket)
            .set_expected_bucket_owner(self.expected_owner.clone())
            .key(&lock_key)
            .set_if_match(etag)
            .send()
            .await
        {
            Ok(_) => Ok(holder),
            Err(e) if is_precondition_failed(&e) || status(&e) == Some(404) => {
                Err(StateError::NotLocked { location: self.location() })
            }
            Err(e) => Err(self.s3_error("delete the lock of", e)),
        }
    }

    /// An object's bytes and ETag, or None when there is no such key.
    async fn get(&self, key: &str, action: &'static str) -> Result<Option<(Vec<u8>, Option<String>)>, StateError> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .set_expected_bucket_owner(self.expected_owner.clone())
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.code() == Some("NoSuchKey") => return Ok(None),
            Err(e) => return Err(self.s3_error(action, e)),
        };
        let etag = out.e_tag().map(str::to_owned);
        let bytes = out.body.collect().await.map_err(|e| StateError::S3 {
            action,
            location: self.location(),
            message: e.to_string(),
        })?;
        Ok(Some((bytes.into_bytes().to_vec(), etag)))
    }

    fn no_bucket(&self) -> StateError {
        let help = match &self.target.endpoint {
            Some(endpoint) => format!(
                "create it on the local cloud first, e.g. `aws --endpoint-url {endpoint} s3 mb s3://{}`",
                self.bucket
            ),
            None => format!(
                "create it (versioned, private) in {} first, e.g. `aws s3 mb s3://{} --region {}`",
                self.target.region, self.bucket, self.target.region
            ),
        };
        StateError::NoBucket { bucket: self.bucket.clone(), location: self.location(), help }
    }

    fn s3_error<E: ProvideErrorMetadata + std::error::Error + 'static>(
        &self,
        action: &'static str,
        e: SdkError<E, HttpResponse>,
    ) -> StateError {
        if e.code() == Some("NoSuchBucket") {
            return self.no_bucket();
        }
        StateError::S3 { action, location: self.location(), message: describe(&e) }
    }
}

/// A lock record; an unreadable one still is a lock, reported as such.
fn parse_lock(bytes: &[u8]) -> LockInfo {
    serde_json::from_slice(bytes).unwrap_or_else(|_| LockInfo {
        id: String::from("(unreadable lock record)"),
        who: String::from("unknown"),
        host: String::from("unknown"),
        pid: 0,
        command: String::from("unknown command"),
        created_at: String::new(),
    })
}

/// Deletes the lock object only if it is still the one we created: its ETag
/// (unique, since the body carries our lock id) is the delete's
/// precondition. 412 (someone else's lock now) and 404 (already gone) leave
/// nothing to do.
async fn delete_lock_if_ours(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    lock_key: &str,
    etag: Option<&str>,
    expected_owner: Option<&str>,
) -> Result<(), String> {
    let Some(etag) = etag else {
        return Err(String::from("S3 returned no ETag for the lock object; break it with `strata state unlock`"));
    };
    let deleted = client
        .delete_object()
        .bucket(bucket)
        .set_expected_bucket_owner(expected_owner.map(str::to_owned))
        .key(lock_key)
        .if_match(etag)
        .send()
        .await;
    match deleted {
        Ok(_) => Ok(()),
        Err(e) if is_precondition_failed(&e) || status(&e) == Some(404) || e.code() == Some("NoSuchKey") => Ok(()),
        Err(e) => Err(describe(&e)),
    }
}

fn status<E>(e: &SdkError<E, HttpResponse>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

fn is_precondition_failed<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> bool {
    status(e) == Some(412) || e.code() == Some("PreconditionFailed")
}

/// "Code: message" for service errors; the whole error chain otherwise
/// (connection refused, timeouts).
fn describe<E: ProvideErrorMetadata + std::error::Error + 'static>(e: &SdkError<E, HttpResponse>) -> String {
    match (e.code(), e.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => aws_smithy_types::error::display::DisplayErrorContext(e).to_string(),
    }
}

/// `bucket/key` for CopyObject, the key URL-encoded except for `/`.
fn copy_source(bucket: &str, key: &str) -> String {
    let mut out = format!("{bucket}/");
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_source_encodes_all_but_slashes() {
        assert_eq!(copy_source("b", "acme/prod state+1.json"), "b/acme/prod%20state%2B1.json");
    }
}
