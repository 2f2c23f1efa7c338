//! EventBridge Scheduler schedule expressions, the one implementation strata
//! uses everywhere: spec validation (errors carry a byte span into the YAML
//! string), the scheduler-manager Lambda (a bad expression is a 400) and the
//! local scheduler runtime (next fire times).
//!
//! The accepted syntax is EventBridge Scheduler's ("Schedule types on
//! EventBridge Scheduler"):
//!
//! - `rate(value unit)`: a positive integer and `minute|minutes|hour|hours|day|days`,
//!   singular exactly when the value is 1.
//! - `cron(minutes hours day-of-month month day-of-week year)`: six fields,
//!   exactly one of the two day fields `?`; `L`, `W`, `#` as documented.
//! - `at(yyyy-mm-ddThh:mm:ss)`: a civil date-time read in the schedule's zone.
//!
//! Choices the AWS documentation leaves open, fixed here:
//! - Inside the parentheses, words may be separated by any run of spaces;
//!   nothing may surround the expression itself. `Display` writes the
//!   canonical form (single spaces, names in upper case).
//! - Month and weekday names, `L` and `W` are accepted in any case.
//! - `L`, `LW`, `15W`, `5L` and `6#3` must be the whole day field (no lists).
//! - Daylight saving: a local fire time skipped by a spring-forward fires at
//!   the instant the clocks jump; a repeated one fires once, at its first
//!   occurrence. (AWS documents that EventBridge skips the gap invocation
//!   instead; this crate follows strata's design, which
//!   lets the local runtime never lose a daily job.)

mod at;
mod cron;
mod error;
mod lex;
mod rate;
mod zone;

use std::fmt;
use std::str::FromStr;

use jiff::tz::TimeZone;
use jiff::Timestamp;

pub use cron::{Cron, DayOfMonth, DayOfWeek, Field, Item, Value, Values};
pub use error::ExprError;
pub use rate::{Rate, RateUnit};

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ScheduleExpression {
    Rate(Rate),
    Cron(Cron),
    At(jiff::civil::DateTime),
}

/// Parses an EventBridge Scheduler schedule expression.
pub fn parse(expr: &str) -> Result<ScheduleExpression, ExprError> {
    const KINDS: &str = "write `rate(5 minutes)`, `cron(0 12 * * ? *)` or `at(2030-01-31T09:30:00)`";
    let whole = 0..expr.len();
    if expr.trim().is_empty() {
        return Err(ExprError::new("the schedule expression is empty", whole).hint(KINDS));
    }
    if expr.trim() != expr {
        return Err(ExprError::new("the schedule expression has spaces around it", whole)
            .hint(format!("write `{}`", expr.trim())));
    }
    let Some(open) = expr.find('(') else {
        return Err(ExprError::new(format!("`{expr}` is not a schedule expression"), whole).hint(KINDS));
    };
    let kind = &expr[..open];
    if !expr.ends_with(')') {
        return Err(ExprError::new("the schedule expression does not end with `)`", open..expr.len())
            .hint(format!("close the parenthesis opened here: `{expr})`")));
    }
    let body = &expr[open + 1..expr.len() - 1];
    let base = open + 1;
    if let Some(i) = body.find(['(', ')']) {
        return Err(ExprError::new("unexpected parenthesis inside the expression", base + i..base + i + 1).hint(KINDS));
    }
    match kind {
        "rate" => rate::parse(body, base).map(ScheduleExpression::Rate),
        "cron" => cron::parse(body, base).map(ScheduleExpression::Cron),
        "at" => at::parse(body, base).map(ScheduleExpression::At),
        other => {
            let lower = other.to_ascii_lowercase();
            let hint = if matches!(lower.as_str(), "rate" | "cron" | "at") {
                format!("schedule types are lower case: `{lower}(...)`")
            } else {
                KINDS.to_string()
            };
            Err(ExprError::new(format!("unknown schedule type `{other}`"), 0..open).hint(hint))
        }
    }
}

impl FromStr for ScheduleExpression {
    type Err = ExprError;

    fn from_str(s: &str) -> Result<Self, ExprError> {
        parse(s)
    }
}

impl ScheduleExpression {
    /// Next fire time strictly after `after`, evaluating cron/at in `tz`
    /// (IANA zone, jiff::tz::TimeZone) with correct daylight-saving behaviour,
    /// and honouring optional start/end bounds. `None` when it never fires again.
    ///
    /// Bounds follow EventBridge: a schedule fires at or after `start` and
    /// strictly before `end`. A rate counts its intervals from `start` (or
    /// from `after` when there is no start, i.e. `after` is taken as the
    /// creation time, see [`Rate`]). `at` ignores both bounds, as EventBridge
    /// does for one-time schedules. A cron never fires after its last year
    /// (at most 2199).
    pub fn next_after(
        &self,
        after: Timestamp,
        tz: &TimeZone,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
    ) -> Option<Timestamp> {
        match self {
            ScheduleExpression::Rate(rate) => rate.next_after(after, start, end),
            ScheduleExpression::Cron(cron) => cron.next_after(after, tz, start, end),
            ScheduleExpression::At(dt) => at::next_after(*dt, after, tz),
        }
    }
}

impl fmt::Display for ScheduleExpression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScheduleExpression::Rate(rate) => write!(f, "{rate}"),
            ScheduleExpression::Cron(cron) => write!(f, "{cron}"),
            ScheduleExpression::At(dt) => write!(f, "at({})", at::format(*dt)),
        }
    }
}
