//! Turning a local (civil) fire time into an instant, the one place that
//! decides what happens around daylight-saving changes.
//!
//! Policy:
//! - a local time skipped by a spring-forward gap fires at the next valid
//!   instant, i.e. the moment the clocks jump (02:30 in a 02:00 -> 03:00 gap
//!   fires at 03:00 of the new offset);
//! - a local time repeated by a fall-back fold fires once, at its earlier
//!   occurrence.
//!
//! NOTE: AWS documents that EventBridge Scheduler *skips* a cron invocation
//! that falls in a spring-forward gap; this crate deliberately fires it at the
//! transition instead (see the crate docs).

use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::Timestamp;

/// The instant at which a schedule due at local time `dt` in `tz` fires.
pub(crate) fn resolve(tz: &TimeZone, dt: DateTime) -> Option<Timestamp> {
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok(),
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok(),
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the later offset, a gap time lands *before* the
            // transition; the transition that follows is the instant the
            // clocks jump over `dt`.
            let probe = after.to_timestamp(dt).ok()?;
            tz.following(probe).next().map(|t| t.timestamp())
        }
    }
}

/// How far local clocks jumped forward exactly at `ts`, in seconds (0 when
/// `ts` is not the instant of a spring-forward transition).
pub(crate) fn gap_ending_at(tz: &TimeZone, ts: Timestamp) -> i64 {
    let Ok(just_before) = ts.checked_sub(jiff::SignedDuration::from_nanos(1)) else {
        return 0;
    };
    let jump = tz.to_offset(ts).seconds() - tz.to_offset(just_before).seconds();
    i64::from(jump.max(0))
}
