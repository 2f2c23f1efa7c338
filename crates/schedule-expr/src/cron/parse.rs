//! Parser for the six cron fields. Every error points at the smallest part
//! of the expression that is wrong (a field, a list entry, a number).

use super::spec::{FieldSpec, DAY_OF_MONTH, DAY_OF_WEEK, HOURS, MINUTES, MONTH, YEAR};
use super::{Cron, DayOfMonth, DayOfWeek, Field, Item, Value, Values};
use crate::error::ExprError;
use crate::lex::{split, words, Word};

const SIX_FIELDS: &str = "EventBridge cron has six fields: minutes hours day-of-month month day-of-week year, \
                          for example `cron(0 12 * * ? *)`";

/// Parses the text between the parentheses of `cron(...)`; `base` is its byte
/// offset in the whole expression.
pub(crate) fn parse(body: &str, base: usize) -> Result<Cron, ExprError> {
    let fields = words(body, base);
    let [minutes, hours, dom, month, dow, year] = fields.as_slice() else {
        return Err(field_count_error(&fields, base..base + body.len()));
    };
    let cron = Cron {
        minutes: parse_field(*minutes, &MINUTES)?,
        hours: parse_field(*hours, &HOURS)?,
        day_of_month: parse_day_of_month(*dom)?,
        month: parse_field(*month, &MONTH)?,
        day_of_week: parse_day_of_week(*dow)?,
        year: parse_field(*year, &YEAR)?,
    };
    check_one_day_field(&cron, *dom, *dow)?;
    Ok(cron)
}

fn field_count_error(fields: &[Word<'_>], body_span: std::ops::Range<usize>) -> ExprError {
    let span = match (fields.first(), fields.last()) {
        (Some(first), Some(last)) => first.start..last.span().end,
        _ => body_span,
    };
    let message = format!("cron() needs exactly 6 fields, found {}", fields.len());
    let hint = match fields.len() {
        5 => format!(
            "{SIX_FIELDS}; a Unix crontab has five: add a year such as `*` and use `?` in day-of-month or day-of-week"
        ),
        7 => format!("{SIX_FIELDS}; there is no seconds field"),
        _ => SIX_FIELDS.to_string(),
    };
    ExprError::new(message, span).hint(hint)
}

/// AWS: exactly one of day-of-month and day-of-week is `?`.
fn check_one_day_field(cron: &Cron, dom: Word<'_>, dow: Word<'_>) -> Result<(), ExprError> {
    match (&cron.day_of_month, &cron.day_of_week) {
        (DayOfMonth::Any, DayOfWeek::Any) => {
            Err(ExprError::new("day-of-month and day-of-week cannot both be `?`", dow.span())
                .hint("give one of them a value, for example `*` in day-of-month to run every day"))
        }
        (DayOfMonth::Any, _) | (_, DayOfWeek::Any) => Ok(()),
        _ if dom.text == "*" => Err(ExprError::new("day-of-month must be `?` when day-of-week is set", dom.span())
            .hint("replace `*` with `?` in day-of-month")),
        _ if dow.text == "*" => Err(ExprError::new("day-of-week must be `?` when day-of-month is set", dow.span())
            .hint("replace `*` with `?` in day-of-week")),
        _ => Err(ExprError::new("day-of-month and day-of-week cannot both be set", dom.start..dow.span().end)
            .hint("use `?` in one of them; EventBridge cannot combine a day of the month with a day of the week")),
    }
}

fn parse_day_of_month(word: Word<'_>) -> Result<DayOfMonth, ExprError> {
    let upper = word.text.to_ascii_uppercase();
    match upper.as_str() {
        "?" => return Ok(DayOfMonth::Any),
        "L" => return Ok(DayOfMonth::Last),
        "LW" => return Ok(DayOfMonth::LastWeekday),
        _ => {}
    }
    if let Some(day) = upper.strip_suffix('W') {
        if !day.is_empty() && day.bytes().all(|b| b.is_ascii_digit()) {
            let value = parse_value(word.slice(0, day.len()), &DAY_OF_MONTH)?;
            // `parse_value` bounds it to 1..=31.
            return Ok(DayOfMonth::NearestWeekday(value.number as u8));
        }
    }
    reject_specials(word, &DAY_OF_MONTH, &[('?', "`?`"), ('L', "`L`"), ('W', "`W`")], "`L`, `LW` and `15W`")?;
    Ok(DayOfMonth::Days(parse_field(word, &DAY_OF_MONTH)?))
}

fn parse_day_of_week(word: Word<'_>) -> Result<DayOfWeek, ExprError> {
    let upper = word.text.to_ascii_uppercase();
    match upper.as_str() {
        "?" => return Ok(DayOfWeek::Any),
        "L" => return Ok(DayOfWeek::Last),
        _ => {}
    }
    if !upper.contains(',') {
        if let Some(day) = upper.strip_suffix('L') {
            let value = parse_value(word.slice(0, day.len()), &DAY_OF_WEEK)?;
            return Ok(DayOfWeek::LastOfMonth(value));
        }
        if let Some(hash) = upper.find('#') {
            let day = parse_value(word.slice(0, hash), &DAY_OF_WEEK)?;
            let nth_word = word.slice(hash + 1, word.text.len());
            let nth = match nth_word.text.parse::<u8>() {
                Ok(n) if (1..=5).contains(&n) && nth_word.text.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => {
                    return Err(ExprError::new(
                        format!("`#{}` is not a valid occurrence in day-of-week", nth_word.text),
                        nth_word.span(),
                    )
                    .hint("after `#` put 1-5, for example `6#3` for the third Friday"))
                }
            };
            return Ok(DayOfWeek::Nth(day, nth));
        }
    }
    reject_specials(word, &DAY_OF_WEEK, &[('?', "`?`"), ('L', "`L`"), ('#', "`#`")], "`L`, `5L` and `6#3`")?;
    Ok(DayOfWeek::Days(parse_field(word, &DAY_OF_WEEK)?))
}

/// The special characters of the day fields stand alone: Quartz-style lists
/// such as `1,L` or `2#1,2#3` are not supported, so point at the entry using one.
fn reject_specials(word: Word<'_>, spec: &FieldSpec, specials: &[(char, &str)], forms: &str) -> Result<(), ExprError> {
    for item in split(word, ',') {
        let upper = item.text.to_ascii_uppercase();
        for (c, shown) in specials {
            if upper.contains(*c) {
                return Err(ExprError::new(format!("{shown} in `{}` is not allowed here", item.text), item.span())
                    .hint(format!("in {} use {forms} alone, as the whole field", spec.name)));
            }
        }
    }
    if word.text.contains('#') {
        return Err(ExprError::new("`#` is only allowed in day-of-week", word.span())
            .hint("for the n-th weekday of a month write it in day-of-week, for example `6#3`"));
    }
    Ok(())
}

/// A plain field: a comma list of `*`, `n`, `a-b`, each optionally `/step`.
fn parse_field(word: Word<'_>, spec: &FieldSpec) -> Result<Field, ExprError> {
    let mut items = Vec::new();
    for item in split(word, ',') {
        if item.text.is_empty() {
            return Err(ExprError::new(format!("empty entry in the {} list `{}`", spec.name, word.text), word.span())
                .hint("remove the extra `,`"));
        }
        items.push(parse_item(item, spec)?);
    }
    Ok(Field(items))
}

fn parse_item(item: Word<'_>, spec: &FieldSpec) -> Result<Item, ExprError> {
    if item.text.contains('?') {
        return Err(ExprError::new(format!("`?` is not allowed in the {} field", spec.name), item.span())
            .hint("`?` is only for day-of-month or day-of-week, alone; use `*` for every value"));
    }
    let parts = split(item, '/');
    let (range, step) = match parts.as_slice() {
        [range] => (*range, None),
        [range, step] => (*range, Some(*step)),
        _ => {
            return Err(ExprError::new(format!("`{}` has more than one `/`", item.text), item.span())
                .hint("write a start and one increment, for example `0/15`"))
        }
    };
    let step = match step {
        None => None,
        Some(_) if !spec.step => {
            let slash = range.text.len();
            return Err(ExprError::new(
                format!("`/` is not allowed in the {} field", spec.name),
                item.sub_span(slash, item.text.len()),
            )
            .hint("list the days instead, for example `2,4,6`"));
        }
        Some(step) => Some(parse_step(step, spec)?),
    };
    if range.text.is_empty() {
        return Err(ExprError::new(format!("`{}` has no start before `/`", item.text), item.span())
            .hint(format!("start from `*` or a value, for example `*{0}` or `{1}{0}`", &item.text, spec.min)));
    }
    let values = if range.text == "*" {
        Values::All
    } else {
        let ends = split(range, '-');
        if ends.len() == 2 && ends.iter().any(|e| e.text.is_empty()) {
            return Err(ExprError::new(format!("range `{}` is missing a value", range.text), range.span())
                .hint(format!("a range has two values, for example `{}-{}`", spec.min, spec.max)));
        }
        match ends.as_slice() {
            [one] => Values::One(parse_value(*one, spec)?),
            [from, to] => {
                let (a, b) = (parse_value(*from, spec)?, parse_value(*to, spec)?);
                if a.number > b.number {
                    return Err(ExprError::new(format!("range `{}` runs backwards", range.text), range.span()).hint(
                        format!(
                            "ranges go from low to high and cannot wrap; write `{b}-{a}`, or `{a}-{},{}-{b}` to wrap around",
                            spec.max, spec.min
                        ),
                    ));
                }
                Values::Range(a, b)
            }
            _ => {
                return Err(ExprError::new(format!("`{}` is not a valid range", range.text), range.span())
                    .hint("a range is two values joined by one `-`, for example `1-5`"))
            }
        }
    };
    Ok(Item { values, step })
}

fn parse_step(step: Word<'_>, spec: &FieldSpec) -> Result<u16, ExprError> {
    let largest = spec.max - spec.min;
    let n = if step.text.bytes().all(|b| b.is_ascii_digit()) { step.text.parse::<u16>().ok() } else { None };
    match n {
        Some(n) if (1..=largest).contains(&n) => Ok(n),
        _ => Err(ExprError::new(format!("`{}` is not a valid increment for {}", step.text, spec.name), step.span())
            .hint(format!("after `/` put a whole number from 1 to {largest}"))),
    }
}

fn parse_value(word: Word<'_>, spec: &FieldSpec) -> Result<Value, ExprError> {
    if word.text.is_empty() {
        // Only reachable from `#3`: point at the `#` that follows the gap.
        let at = word.start;
        return Err(ExprError::new(format!("missing value in the {} field", spec.name), at..at + 1)
            .hint(format!("use {}", spec.allowed())));
    }
    if word.text.bytes().all(|b| b.is_ascii_digit()) {
        let n = word.text.parse::<u16>().ok().filter(|n| (spec.min..=spec.max).contains(n));
        return match n {
            Some(number) => Ok(Value { number, name: None }),
            None => Err(ExprError::new(format!("{} is out of range for {}", word.text, spec.name), word.span())
                .hint(out_of_range_hint(word.text, spec))),
        };
    }
    let upper = word.text.to_ascii_uppercase();
    match spec.names.iter().position(|n| *n == upper) {
        Some(i) => Ok(Value { number: spec.min + i as u16, name: Some(spec.names[i]) }),
        None => Err(ExprError::new(format!("`{}` is not a valid {} value", word.text, spec.name), word.span())
            .hint(format!("use {}", spec.allowed()))),
    }
}

fn out_of_range_hint(text: &str, spec: &FieldSpec) -> String {
    match (spec.name, text) {
        ("day-of-week", "0") => "day-of-week is 1-7 with 1 = SUN; write Sunday as 1 or SUN".to_string(),
        ("hours", "24") => "hours are 0-23; midnight is 0".to_string(),
        _ => format!("use {}", spec.allowed()),
    }
}
