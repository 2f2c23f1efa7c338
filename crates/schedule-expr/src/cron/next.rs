//! Next fire time of a cron expression.
//!
//! The search walks local (civil) time in the schedule's zone, coarse to fine
//! (year, month, day, hour, minute), skipping whole years and months that
//! cannot match, and only then maps a candidate to an instant through
//! [`crate::zone::resolve`]. That mapping never goes backwards, so the first
//! candidate whose instant is in bounds is the answer.

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::spec::{FieldSpec, DAY_OF_MONTH, DAY_OF_WEEK, HOURS, MINUTES, MONTH, YEAR};
use super::{Cron, DayOfMonth, DayOfWeek, Field, Values};
use crate::zone;

/// A set of field values; 256 bits cover every field (years are stored as an
/// offset from the field's minimum).
#[derive(Debug, Clone, Copy, Default)]
struct ValueSet {
    min: u16,
    bits: [u64; 4],
}

impl ValueSet {
    fn of(field: &Field, spec: &FieldSpec) -> ValueSet {
        let mut set = ValueSet { min: spec.min, bits: [0; 4] };
        for item in &field.0 {
            let (from, to) = match item.values {
                Values::All => (spec.min, spec.max),
                Values::One(v) if item.step.is_some() => (v.number, spec.max),
                Values::One(v) => (v.number, v.number),
                Values::Range(a, b) => (a.number, b.number),
            };
            let step = usize::from(item.step.unwrap_or(1));
            for v in (from..=to).step_by(step) {
                set.insert(v);
            }
        }
        set
    }

    fn insert(&mut self, v: u16) {
        let i = usize::from(v - self.min);
        self.bits[i / 64] |= 1 << (i % 64);
    }

    fn contains(&self, v: i32) -> bool {
        let Ok(i) = usize::try_from(v - i32::from(self.min)) else {
            return false;
        };
        i < 256 && self.bits[i / 64] & (1 << (i % 64)) != 0
    }
}

/// A cron expression expanded for fast matching.
struct Matcher<'a> {
    cron: &'a Cron,
    minutes: ValueSet,
    hours: ValueSet,
    days: ValueSet,
    months: ValueSet,
    weekdays: ValueSet,
    years: ValueSet,
}

impl<'a> Matcher<'a> {
    fn new(cron: &'a Cron) -> Self {
        let day_field = |f: Option<&Field>, spec| f.map(|f| ValueSet::of(f, spec)).unwrap_or_default();
        Matcher {
            cron,
            minutes: ValueSet::of(&cron.minutes, &MINUTES),
            hours: ValueSet::of(&cron.hours, &HOURS),
            days: day_field(
                match &cron.day_of_month {
                    DayOfMonth::Days(f) => Some(f),
                    _ => None,
                },
                &DAY_OF_MONTH,
            ),
            months: ValueSet::of(&cron.month, &MONTH),
            weekdays: day_field(
                match &cron.day_of_week {
                    DayOfWeek::Days(f) => Some(f),
                    _ => None,
                },
                &DAY_OF_WEEK,
            ),
            years: ValueSet::of(&cron.year, &YEAR),
        }
    }

    fn day_matches(&self, date: Date) -> bool {
        let day = date.day();
        let last = date.days_in_month();
        let weekday = date.weekday();
        let dom = match self.cron.day_of_month {
            DayOfMonth::Any => None,
            DayOfMonth::Days(_) => Some(self.days.contains(i32::from(day))),
            DayOfMonth::Last => Some(day == last),
            DayOfMonth::LastWeekday => Some(day == nearest_weekday(date, last)),
            DayOfMonth::NearestWeekday(n) => Some(n as i8 <= last && day == nearest_weekday(date, n as i8)),
        };
        let same_day = |v: super::Value| i32::from(weekday.to_sunday_one_offset()) == i32::from(v.number);
        let dow = match self.cron.day_of_week {
            DayOfWeek::Any => None,
            DayOfWeek::Days(_) => Some(self.weekdays.contains(i32::from(weekday.to_sunday_one_offset()))),
            DayOfWeek::Last => Some(weekday == Weekday::Saturday),
            DayOfWeek::LastOfMonth(v) => Some(same_day(v) && day + 7 > last),
            DayOfWeek::Nth(v, nth) => Some(same_day(v) && (day - 1) / 7 + 1 == nth as i8),
        };
        // The parser guarantees exactly one of the two is `?`.
        dom.or(dow).unwrap_or(false)
    }

    /// The first local minute at or after `from` (truncated to its minute)
    /// that matches every field, or `None` past the last cron year.
    fn next_local(&self, from: DateTime) -> Option<DateTime> {
        let mut at_from = true;
        for year in from.year()..=YEAR.max as i16 {
            if !self.years.contains(i32::from(year)) {
                at_from = false;
                continue;
            }
            let first_month = if at_from { from.month() } else { 1 };
            for month in first_month..=12 {
                if !self.months.contains(i32::from(month)) {
                    at_from = false;
                    continue;
                }
                let first_of_month = Date::new(year, month, 1).ok()?;
                let first_day = if at_from { from.day() } else { 1 };
                for day in first_day..=first_of_month.days_in_month() {
                    let date = Date::new(year, month, day).ok()?;
                    if !self.day_matches(date) {
                        at_from = false;
                        continue;
                    }
                    let first_hour = if at_from { from.hour() } else { 0 };
                    for hour in first_hour..24 {
                        if !self.hours.contains(i32::from(hour)) {
                            at_from = false;
                            continue;
                        }
                        let first_minute = if at_from { from.minute() } else { 0 };
                        for minute in first_minute..60 {
                            if self.minutes.contains(i32::from(minute)) {
                                return Some(date.at(hour, minute, 0, 0));
                            }
                        }
                        at_from = false;
                    }
                    at_from = false;
                }
                at_from = false;
            }
            at_from = false;
        }
        None
    }
}

/// `date`'s month's weekday nearest to day `n` (which exists in that month),
/// without leaving the month.
fn nearest_weekday(date: Date, n: i8) -> i8 {
    let last = date.days_in_month();
    let Ok(target) = Date::new(date.year(), date.month(), n) else {
        return n;
    };
    match target.weekday() {
        Weekday::Saturday if n == 1 => 3,
        Weekday::Saturday => n - 1,
        Weekday::Sunday if n == last => n - 2,
        Weekday::Sunday => n + 1,
        _ => n,
    }
}

impl Cron {
    /// Next fire time strictly after `after` and at or after `start`, before
    /// `end`, evaluated in `tz`.
    pub(crate) fn next_after(
        &self,
        after: Timestamp,
        tz: &TimeZone,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
    ) -> Option<Timestamp> {
        let matcher = Matcher::new(self);
        let in_bounds = |t: Timestamp| t > after && start.is_none_or(|s| t >= s);
        let lower = match start {
            Some(s) if s > after => s,
            _ => after,
        };
        // Local times skipped by a gap fire at the instant the gap ends; if
        // `lower` is exactly that instant, those skipped times still count.
        let back = SignedDuration::from_secs(zone::gap_ending_at(tz, lower));
        let mut from = tz.to_datetime(lower).checked_sub(back).ok()?;
        loop {
            let candidate = matcher.next_local(from)?;
            let fires = zone::resolve(tz, candidate)?;
            if end.is_some_and(|e| fires >= e) {
                return None;
            }
            if in_bounds(fires) {
                return Some(fires);
            }
            from = candidate.checked_add(SignedDuration::from_mins(1)).ok()?;
        }
    }
}
