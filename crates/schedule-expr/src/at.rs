//! `at(yyyy-mm-ddThh:mm:ss)`: a one-time schedule at a civil date-time.
//!
//! The text carries no offset: EventBridge reads it in the schedule's own
//! time zone, so an offset or `Z` here is a mistake worth pointing at.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::error::ExprError;
use crate::lex::words;

/// Canonical text of an `at` date-time, the same shape AWS requires.
pub(crate) fn format(dt: DateTime) -> String {
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", dt.year(), dt.month(), dt.day(), dt.hour(), dt.minute(), dt.second())
}

/// Next fire time of `at(dt)` strictly after `after`.
///
/// Start and end bounds are not taken: AWS documents that EventBridge
/// Scheduler ignores StartDate and EndDate for one-time schedules.
pub(crate) fn next_after(dt: DateTime, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
    crate::zone::resolve(tz, dt).filter(|t| *t > after)
}

/// Parses the text between the parentheses of `at(...)`; `base` is its byte
/// offset in the whole expression.
pub(crate) fn parse(body: &str, base: usize) -> Result<DateTime, ExprError> {
    const SHAPE: &str = "write the date-time as yyyy-mm-ddThh:mm:ss, for example `at(2030-01-31T09:30:00)`";
    let parts = words(body, base);
    let word = match parts.as_slice() {
        [w] => *w,
        [] => return Err(ExprError::new("at() needs a date-time", base..base + body.len()).hint(SHAPE)),
        [first, .., last] => {
            return Err(
                ExprError::new("at() takes one date-time without spaces", first.start..last.span().end).hint(SHAPE)
            )
        }
    };
    let text = word.text;
    if text.len() > 19 && text.is_char_boundary(19) && looks_like_shape(&text[..19]) {
        let rest = word.slice(19, text.len());
        let (msg, hint) = if rest.text.starts_with('.') {
            ("at() does not take fractional seconds", "remove the fraction; schedules have whole seconds")
        } else {
            (
                "at() takes a local date-time without a UTC offset",
                "remove the offset; the time zone is set separately (ScheduleExpressionTimezone)",
            )
        };
        return Err(ExprError::new(msg, rest.span()).hint(hint));
    }
    if !looks_like_shape(text) {
        let hint = if text.len() == 19 && matches!(text.as_bytes()[10], b' ' | b't') {
            "separate the date and the time with an upper-case `T`"
        } else {
            SHAPE
        };
        return Err(ExprError::new(
            format!("`{text}` is not a date-time of the form yyyy-mm-ddThh:mm:ss"),
            word.span(),
        )
        .hint(hint));
    }
    let num = |from: usize, to: usize| -> i16 {
        // `looks_like_shape` guarantees ASCII digits here.
        text[from..to].bytes().fold(0i16, |acc, b| acc * 10 + i16::from(b - b'0'))
    };
    let (year, month, day) = (num(0, 4), num(5, 7), num(8, 10));
    let (hour, minute, second) = (num(11, 13), num(14, 16), num(17, 19));
    let bad = |from: usize, to: usize, msg: String, hint: &str| {
        Err(ExprError::new(msg, word.sub_span(from, to)).hint(hint.to_string()))
    };
    if !(1..=12).contains(&month) {
        return bad(5, 7, format!("month {month:02} does not exist"), "months are 01-12");
    }
    // Year 0000 is a valid proleptic year for jiff; any four digits parse.
    let first = Date::new(year, month as i8, 1).map_err(|e| ExprError::new(e.to_string(), word.sub_span(0, 4)))?;
    let days = first.days_in_month();
    if day < 1 || day > i16::from(days) {
        return bad(
            8,
            10,
            format!("day {day:02} does not exist in {year:04}-{month:02}"),
            &format!("that month has days 01-{days}"),
        );
    }
    if hour > 23 {
        return bad(11, 13, format!("hour {hour:02} does not exist"), "hours are 00-23");
    }
    if minute > 59 {
        return bad(14, 16, format!("minute {minute:02} does not exist"), "minutes are 00-59");
    }
    if second > 59 {
        return bad(17, 19, format!("second {second:02} does not exist"), "seconds are 00-59");
    }
    let date = Date::new(year, month as i8, day as i8).map_err(|e| ExprError::new(e.to_string(), word.span()))?;
    let time =
        Time::new(hour as i8, minute as i8, second as i8, 0).map_err(|e| ExprError::new(e.to_string(), word.span()))?;
    Ok(DateTime::from_parts(date, time))
}

/// `dddd-dd-ddTdd:dd:dd`, digits and separators only.
fn looks_like_shape(text: &str) -> bool {
    const SHAPE: &[u8; 19] = b"dddd-dd-ddTdd:dd:dd";
    text.len() == SHAPE.len()
        && text.bytes().zip(SHAPE.iter()).all(|(b, s)| match s {
            b'd' => b.is_ascii_digit(),
            s => b == *s,
        })
}
