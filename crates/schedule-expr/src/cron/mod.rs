//! `cron(minutes hours day-of-month month day-of-week year)`.
//!
//! The syntax tree keeps what the user wrote (including month and weekday
//! names) so `Display` gives back the canonical text of the same schedule.

mod next;
mod parse;
mod spec;

use std::fmt;

pub(crate) use parse::parse;

/// A parsed EventBridge cron expression: six fields, exactly one of
/// `day_of_month` / `day_of_week` being `?` ([`DayOfMonth::Any`] /
/// [`DayOfWeek::Any`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cron {
    pub minutes: Field,
    pub hours: Field,
    pub day_of_month: DayOfMonth,
    pub month: Field,
    pub day_of_week: DayOfWeek,
    pub year: Field,
}

/// A comma-separated list of [`Item`]s; never empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field(pub Vec<Item>);

/// One entry of a list: `*`, `5`, `1-5`, optionally with an increment `/n`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Item {
    pub values: Values,
    /// `/n`: every n-th value, counted from the start of `values`
    /// (`5/15` in minutes = 5, 20, 35, 50).
    pub step: Option<u16>,
}

/// Which values an [`Item`] covers before its step is applied. `One` with a
/// step runs to the end of the field's range, as in Quartz.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Values {
    All,
    One(Value),
    Range(Value, Value),
}

/// A number, remembering whether it was written as a name (`JAN`, `MON`) so
/// the canonical text keeps the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Value {
    pub number: u16,
    /// The upper-case name the user wrote, if any.
    pub name: Option<&'static str>,
}

/// The day-of-month field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DayOfMonth {
    /// `?`: the day is chosen by day-of-week.
    Any,
    Days(Field),
    /// `L`: the last day of the month.
    Last,
    /// `LW`: the last weekday (Monday-Friday) of the month.
    LastWeekday,
    /// `15W`: the weekday nearest the 15th, never crossing into another
    /// month (`1W` on a Saturday is Monday the 3rd). A month without that day
    /// (`31W` in April) does not fire.
    NearestWeekday(u8),
}

/// The day-of-week field; days are 1-7 with 1 = Sunday.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DayOfWeek {
    /// `?`: the day is chosen by day-of-month.
    Any,
    Days(Field),
    /// `L` alone: the last day of the week, Saturday (Quartz's meaning).
    Last,
    /// `5L`: the last such weekday of the month (last Thursday).
    LastOfMonth(Value),
    /// `6#3`: the n-th (1-5) such weekday of the month (third Friday).
    Nth(Value, u8),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", self.number),
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.values {
            Values::All => f.write_str("*")?,
            Values::One(v) => write!(f, "{v}")?,
            Values::Range(a, b) => write!(f, "{a}-{b}")?,
        }
        match self.step {
            Some(step) => write!(f, "/{step}"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{item}")?;
        }
        Ok(())
    }
}

impl fmt::Display for DayOfMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DayOfMonth::Any => f.write_str("?"),
            DayOfMonth::Days(field) => write!(f, "{field}"),
            DayOfMonth::Last => f.write_str("L"),
            DayOfMonth::LastWeekday => f.write_str("LW"),
            DayOfMonth::NearestWeekday(day) => write!(f, "{day}W"),
        }
    }
}

impl fmt::Display for DayOfWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DayOfWeek::Any => f.write_str("?"),
            DayOfWeek::Days(field) => write!(f, "{field}"),
            DayOfWeek::Last => f.write_str("L"),
            DayOfWeek::LastOfMonth(day) => write!(f, "{day}L"),
            DayOfWeek::Nth(day, nth) => write!(f, "{day}#{nth}"),
        }
    }
}

impl fmt::Display for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cron({} {} {} {} {} {})",
            self.minutes, self.hours, self.day_of_month, self.month, self.day_of_week, self.year
        )
    }
}
