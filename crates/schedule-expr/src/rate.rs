//! `rate(value unit)`: a fixed interval.
//!
//! EventBridge measures a rate as a fixed duration (a `day` is 24 hours even
//! across a daylight-saving change), so a rate never looks at a time zone.

use std::fmt;

use jiff::Timestamp;

use crate::error::ExprError;
use crate::lex::{words, Word};

/// A parsed `rate(value unit)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    /// Always at least 1.
    pub value: u32,
    pub unit: RateUnit,
}

/// The units EventBridge Scheduler accepts in a rate expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateUnit {
    Minute,
    Hour,
    Day,
}

impl RateUnit {
    pub fn seconds(self) -> u64 {
        match self {
            RateUnit::Minute => 60,
            RateUnit::Hour => 3_600,
            RateUnit::Day => 86_400,
        }
    }

    fn singular(self) -> &'static str {
        match self {
            RateUnit::Minute => "minute",
            RateUnit::Hour => "hour",
            RateUnit::Day => "day",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            RateUnit::Minute => "minutes",
            RateUnit::Hour => "hours",
            RateUnit::Day => "days",
        }
    }

    /// The spelling AWS requires for `value`: singular for 1, plural otherwise.
    pub fn name_for(self, value: u32) -> &'static str {
        if value == 1 {
            self.singular()
        } else {
            self.plural()
        }
    }
}

impl Rate {
    /// The interval in seconds.
    pub fn seconds(&self) -> u64 {
        u64::from(self.value) * self.unit.seconds()
    }

    /// Next fire time strictly after `after`, before `end`.
    ///
    /// Anchor: EventBridge fires a rate schedule first at its start date (or
    /// at creation when there is none) and then every interval. So the fire
    /// times are `anchor + k * interval` for `k >= 0`, where `anchor` is
    /// `start` when given, else `after` itself (the caller is taken to be
    /// asking at creation time; pass the creation time as `start` to get a
    /// stable series across calls).
    pub(crate) fn next_after(
        &self,
        after: Timestamp,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
    ) -> Option<Timestamp> {
        let anchor = start.unwrap_or(after);
        let period = i128::from(self.seconds()) * 1_000_000_000;
        let next = if anchor > after {
            anchor.as_nanosecond()
        } else {
            let elapsed = after.as_nanosecond() - anchor.as_nanosecond();
            anchor.as_nanosecond() + (elapsed / period + 1) * period
        };
        let next = Timestamp::from_nanosecond(next).ok()?;
        match end {
            Some(end) if next >= end => None,
            _ => Some(next),
        }
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rate({} {})", self.value, self.unit.name_for(self.value))
    }
}

/// Parses the text between the parentheses of `rate(...)`; `base` is its byte
/// offset in the whole expression.
pub(crate) fn parse(body: &str, base: usize) -> Result<Rate, ExprError> {
    let parts = words(body, base);
    let body_span = base..base + body.len();
    let (value, unit) = match parts.as_slice() {
        [] => {
            return Err(
                ExprError::new("rate() needs a value and a unit", body_span).hint("for example `rate(5 minutes)`")
            )
        }
        [only] if only.text.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(ExprError::new("rate() is missing its unit", only.span())
                .hint("add minute(s), hour(s) or day(s), for example `rate(5 minutes)`"))
        }
        [only] => {
            return Err(ExprError::new("rate() is missing its value", only.span())
                .hint("put a positive whole number before the unit, for example `rate(5 minutes)`"))
        }
        [value, unit] => (*value, *unit),
        [_, _, extra @ ..] => {
            let span = extra[0].start..extra[extra.len() - 1].span().end;
            return Err(ExprError::new("rate() takes only a value and a unit", span)
                .hint("remove the extra words, for example `rate(5 minutes)`"));
        }
    };
    let value_n = parse_value(value)?;
    let unit_v = parse_unit(unit, value_n)?;
    let wanted = unit_v.name_for(value_n);
    if unit.text != wanted {
        let (what, ok) = if value_n == 1 { ("singular", "the value is 1") } else { ("plural", "the value is not 1") };
        return Err(ExprError::new(format!("rate unit `{}` must be {what} because {ok}", unit.text), unit.span())
            .hint(format!("write `rate({value_n} {wanted})`")));
    }
    Ok(Rate { value: value_n, unit: unit_v })
}

fn parse_value(word: Word<'_>) -> Result<u32, ExprError> {
    if !word.text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ExprError::new(format!("rate value `{}` is not a positive whole number", word.text), word.span())
            .hint("use digits only, for example `rate(5 minutes)`"));
    }
    let n: u32 = word.text.parse().map_err(|_| {
        ExprError::new(format!("rate value `{}` is too large", word.text), word.span())
            .hint(format!("use at most {}", u32::MAX))
    })?;
    if n == 0 {
        return Err(ExprError::new("rate value must be at least 1", word.span())
            .hint("a schedule that never repeats is an `at(...)` expression"));
    }
    Ok(n)
}

fn parse_unit(word: Word<'_>, value: u32) -> Result<RateUnit, ExprError> {
    let lower = word.text.to_ascii_lowercase();
    let unit = match lower.as_str() {
        "minute" | "minutes" => RateUnit::Minute,
        "hour" | "hours" => RateUnit::Hour,
        "day" | "days" => RateUnit::Day,
        "second" | "seconds" | "sec" | "secs" | "s" => {
            return Err(ExprError::new(format!("rate unit `{}` is not supported", word.text), word.span())
                .hint("the smallest rate is `rate(1 minute)`"))
        }
        "week" | "weeks" => {
            let days = u64::from(value) * 7;
            return Err(ExprError::new(format!("rate unit `{}` is not supported", word.text), word.span())
                .hint(format!("write `rate({days} days)`")));
        }
        "month" | "months" | "year" | "years" => {
            return Err(ExprError::new(format!("rate unit `{}` is not supported", word.text), word.span())
                .hint("months and years have no fixed length: use a `cron(...)` expression"))
        }
        _ => {
            return Err(ExprError::new(format!("unknown rate unit `{}`", word.text), word.span())
                .hint("use minute(s), hour(s) or day(s)"))
        }
    };
    if lower != word.text {
        return Err(ExprError::new(format!("rate unit `{}` must be lowercase", word.text), word.span())
            .hint(format!("write `rate({value} {})`", unit.name_for(value))));
    }
    Ok(unit)
}
