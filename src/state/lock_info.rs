//! Who holds a state lock. Both backends write this record when they take
//! the lock, so a refused command can name the holder, how long it has held
//! the lock, and the id `strata state unlock` needs.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// A fresh UUID per lock: `strata state unlock <id>` must name the lock
    /// it breaks, so a stale id can never remove a newer holder's lock. In
    /// its simple form (32 hex digits, no hyphens): diagnostics wrap at
    /// hyphens, and an id split over two lines cannot be copied.
    #[serde(default)]
    pub id: String,
    /// The user name (`$USER`). Lock files of older strata builds say `user`.
    #[serde(alias = "user")]
    pub who: String,
    pub host: String,
    pub pid: u32,
    pub command: String,
    /// RFC 3339; older lock files say `started_at`.
    #[serde(alias = "started_at")]
    pub created_at: String,
}

impl LockInfo {
    /// A new lock record for this process.
    pub fn current(command: &str) -> Self {
        Self {
            id: uuid::Uuid::new_v4().simple().to_string(),
            who: std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "unknown".into()),
            host: hostname(),
            pid: std::process::id(),
            command: command.to_owned(),
            created_at: jiff::Timestamp::now().to_string(),
        }
    }

    /// "`strata apply` (pid 42 on ci-runner, user deploy, since 2026-...)".
    pub fn describe(&self) -> String {
        format!("`{}` (pid {} on {}, user {}, since {})", self.command, self.pid, self.host, self.who, self.created_at)
    }

    /// How long the lock has been held, e.g. "3m12s"; "an unknown time" when
    /// the record's timestamp does not parse.
    pub fn age(&self, now: jiff::Timestamp) -> String {
        match self.created_at.parse::<jiff::Timestamp>() {
            Ok(created) => human_duration(now.as_second().saturating_sub(created.as_second())),
            Err(_) => String::from("an unknown time"),
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

/// Whole seconds as "45s", "3m12s", "2h05m" or "3d04h": precise where it
/// matters (a lock a minute old is likely alive) and short where it does not.
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(-3), "0s");
        assert_eq!(human_duration(45), "45s");
        assert_eq!(human_duration(192), "3m12s");
        assert_eq!(human_duration(7_500), "2h05m");
        assert_eq!(human_duration(3 * 86_400 + 4 * 3600 + 59), "3d04h");
    }

    #[test]
    fn old_local_lock_records_still_parse() {
        let old =
            r#"{"pid":4242,"host":"ci","user":"deploy","command":"strata apply","started_at":"2026-11-28T08:00:00Z"}"#;
        let info: LockInfo = serde_json::from_str(old).unwrap();
        assert_eq!((info.who.as_str(), info.id.as_str()), ("deploy", ""));
        let later: jiff::Timestamp = "2026-11-28T08:03:12Z".parse().unwrap();
        assert_eq!(info.age(later), "3m12s");
    }
}
