//! Table-driven parsing tests: every accepted form, and every rejection with
//! the exact part of the expression the error points at.

use schedule_expr::{parse, DayOfMonth, DayOfWeek, RateUnit, ScheduleExpression};

/// Expressions AWS accepts, with their canonical text.
const VALID: &[(&str, &str)] = &[
    // rate
    ("rate(1 minute)", "rate(1 minute)"),
    ("rate(5 minutes)", "rate(5 minutes)"),
    ("rate(1 hour)", "rate(1 hour)"),
    ("rate(12 hours)", "rate(12 hours)"),
    ("rate(1 day)", "rate(1 day)"),
    ("rate(7 days)", "rate(7 days)"),
    ("rate(  30   minutes )", "rate(30 minutes)"),
    // cron: plain values, lists, ranges, steps
    ("cron(0 12 * * ? *)", "cron(0 12 * * ? *)"),
    ("cron(15 10 ? * 6L 2022-2023)", "cron(15 10 ? * 6L 2022-2023)"),
    ("cron(0/15 * * * ? *)", "cron(0/15 * * * ? *)"),
    ("cron(*/10 8-17 ? * MON-FRI *)", "cron(*/10 8-17 ? * MON-FRI *)"),
    ("cron(0,30 9,17 1,15 * ? *)", "cron(0,30 9,17 1,15 * ? *)"),
    ("cron(5-50/5 0-23/2 1-31/3 1-12/2 ? 1970-2199/10)", "cron(5-50/5 0-23/2 1-31/3 1-12/2 ? 1970-2199/10)"),
    ("cron(59 23 31 12 ? 2199)", "cron(59 23 31 12 ? 2199)"),
    ("cron(0 0 1 JAN,jul ? *)", "cron(0 0 1 JAN,JUL ? *)"),
    ("cron(0 0 ? jan-Mar sun,sat *)", "cron(0 0 ? JAN-MAR SUN,SAT *)"),
    ("cron(0 0 ? * 1,7 *)", "cron(0 0 ? * 1,7 *)"),
    ("cron(0 0 ? * * *)", "cron(0 0 ? * * *)"),
    // day-of-month specials
    ("cron(0 0 L * ? *)", "cron(0 0 L * ? *)"),
    ("cron(0 0 LW * ? *)", "cron(0 0 LW * ? *)"),
    ("cron(0 0 15W * ? *)", "cron(0 0 15W * ? *)"),
    ("cron(0 0 1w * ? *)", "cron(0 0 1W * ? *)"),
    // day-of-week specials
    ("cron(0 0 ? * L *)", "cron(0 0 ? * L *)"),
    ("cron(0 0 ? * 5L *)", "cron(0 0 ? * 5L *)"),
    ("cron(0 0 ? * FRIL *)", "cron(0 0 ? * FRIL *)"),
    ("cron(0 0 ? * 6#3 *)", "cron(0 0 ? * 6#3 *)"),
    ("cron(0 0 ? * mon#1 *)", "cron(0 0 ? * MON#1 *)"),
    ("cron(0 0 ? * 2#5 *)", "cron(0 0 ? * 2#5 *)"),
    // at
    ("at(2030-01-31T09:30:00)", "at(2030-01-31T09:30:00)"),
    ("at(2024-02-29T23:59:59)", "at(2024-02-29T23:59:59)"),
    ("at( 2030-12-31T00:00:00 )", "at(2030-12-31T00:00:00)"),
];

#[test]
fn valid_expressions_parse_and_display_canonically() {
    for (expr, canonical) in VALID {
        let parsed = parse(expr).unwrap_or_else(|e| panic!("{expr} should parse, got {e}"));
        assert_eq!(parsed.to_string(), *canonical, "canonical text of {expr}");
        let again = parse(canonical).unwrap_or_else(|e| panic!("canonical {canonical} should parse, got {e}"));
        assert_eq!(again, parsed, "{canonical} must round-trip");
    }
}

#[test]
fn parsed_structure_is_what_was_written() {
    let ScheduleExpression::Rate(rate) = parse("rate(15 minutes)").unwrap() else { panic!("not a rate") };
    assert_eq!((rate.value, rate.unit, rate.seconds()), (15, RateUnit::Minute, 900));

    let ScheduleExpression::Cron(cron) = parse("cron(0 0 15W * ? *)").unwrap() else { panic!("not a cron") };
    assert_eq!(cron.day_of_month, DayOfMonth::NearestWeekday(15));
    assert_eq!(cron.day_of_week, DayOfWeek::Any);

    let ScheduleExpression::Cron(cron) = parse("cron(0 0 ? * FRI#3 *)").unwrap() else { panic!("not a cron") };
    let DayOfWeek::Nth(day, nth) = cron.day_of_week else { panic!("not #: {:?}", cron.day_of_week) };
    assert_eq!((day.number, day.name, nth), (6, Some("FRI"), 3));

    let ScheduleExpression::At(dt) = parse("at(2030-01-31T09:30:05)").unwrap() else { panic!("not at") };
    assert_eq!(dt, jiff::civil::date(2030, 1, 31).at(9, 30, 5, 0));
}

/// (expression, the exact text the error's span covers, a word of the message).
const INVALID: &[(&str, &str, &str)] = &[
    // shape
    ("", "", "empty"),
    ("   ", "   ", "empty"),
    (" rate(5 minutes)", " rate(5 minutes)", "spaces"),
    ("every 5 minutes", "every 5 minutes", "not a schedule expression"),
    ("every(5 minutes)", "every", "unknown schedule type"),
    ("Rate(5 minutes)", "Rate", "unknown schedule type"),
    ("rate(5 minutes", "(5 minutes", "does not end with"),
    ("rate((5) minutes)", "(", "parenthesis"),
    // rate
    ("rate()", "", "value and a unit"),
    ("rate(5)", "5", "missing its unit"),
    ("rate(minutes)", "minutes", "missing its value"),
    ("rate(5 minutes now)", "now", "only a value and a unit"),
    ("rate(0 minutes)", "0", "at least 1"),
    ("rate(-5 minutes)", "-5", "not a positive whole number"),
    ("rate(1.5 hours)", "1.5", "not a positive whole number"),
    ("rate(99999999999 minutes)", "99999999999", "too large"),
    ("rate(1 minutes)", "minutes", "singular"),
    ("rate(5 minute)", "minute", "plural"),
    ("rate(1 days)", "days", "singular"),
    ("rate(2 hour)", "hour", "plural"),
    ("rate(5 Minutes)", "Minutes", "lowercase"),
    ("rate(30 seconds)", "seconds", "not supported"),
    ("rate(2 weeks)", "weeks", "not supported"),
    ("rate(1 month)", "month", "not supported"),
    ("rate(5 mins)", "mins", "unknown rate unit"),
    // cron: field count
    ("cron()", "", "exactly 6 fields, found 0"),
    ("cron(0 12 * * *)", "0 12 * * *", "found 5"),
    ("cron(0 0 12 * * ? *)", "0 0 12 * * ? *", "found 7"),
    // cron: ranges of each field
    ("cron(60 * * * ? *)", "60", "out of range for minutes"),
    ("cron(0 24 * * ? *)", "24", "out of range for hours"),
    ("cron(0 0 0 * ? *)", "0", "out of range for day-of-month"),
    ("cron(0 0 32 * ? *)", "32", "out of range for day-of-month"),
    ("cron(0 0 1 13 ? *)", "13", "out of range for month"),
    ("cron(0 0 1 JUNE ? *)", "JUNE", "not a valid month"),
    ("cron(0 0 ? * 0 *)", "0", "out of range for day-of-week"),
    ("cron(0 0 ? * 8 *)", "8", "out of range for day-of-week"),
    ("cron(0 0 ? * FUN *)", "FUN", "not a valid day-of-week"),
    ("cron(0 0 * * ? 1969)", "1969", "out of range for year"),
    ("cron(0 0 * * ? 2200)", "2200", "out of range for year"),
    ("cron(0 0 * * ? 20x0)", "20x0", "not a valid year"),
    ("cron(0 0 1 * ? JAN)", "JAN", "not a valid year"),
    // cron: lists, ranges, steps
    ("cron(0,,30 * * * ? *)", "0,,30", "empty entry"),
    ("cron(0, * * * ? *)", "0,", "empty entry"),
    ("cron(30-10 * * * ? *)", "30-10", "runs backwards"),
    ("cron(0 0 ? * FRI-MON *)", "FRI-MON", "runs backwards"),
    ("cron(1-2-3 * * * ? *)", "1-2-3", "not a valid range"),
    ("cron(5- * * * ? *)", "5-", "missing a value"),
    ("cron(0/0 * * * ? *)", "0", "not a valid increment"),
    ("cron(0/60 * * * ? *)", "60", "not a valid increment"),
    ("cron(0 0/24 * * ? *)", "24", "not a valid increment"),
    ("cron(*/x * * * ? *)", "x", "not a valid increment"),
    ("cron(/5 * * * ? *)", "/5", "no start"),
    ("cron(0/5/2 * * * ? *)", "0/5/2", "more than one"),
    ("cron(0 0 ? * 1/2 *)", "/2", "not allowed in the day-of-week"),
    ("cron(? 0 * * ? *)", "?", "not allowed in the minutes"),
    // cron: ? exclusivity
    ("cron(0 12 ? * ? *)", "?", "cannot both be `?`"),
    ("cron(0 12 * * MON *)", "*", "day-of-month must be `?`"),
    ("cron(0 12 1 * * *)", "*", "day-of-week must be `?`"),
    ("cron(0 12 1 * MON *)", "1 * MON", "cannot both be set"),
    ("cron(0 12 ?,1 * * *)", "?", "not allowed here"),
    // cron: L W #
    ("cron(0 0 L,15 * ? *)", "L", "not allowed here"),
    ("cron(0 0 1,15W * ? *)", "15W", "not allowed here"),
    ("cron(0 0 L-2 * ? *)", "L-2", "not allowed here"),
    ("cron(0 0 32W * ? *)", "32", "out of range for day-of-month"),
    ("cron(0 0 0W * ? *)", "0", "out of range for day-of-month"),
    ("cron(0 0 W * ? *)", "W", "not allowed here"),
    ("cron(0 0 ? * 8L *)", "8", "out of range for day-of-week"),
    ("cron(0 0 ? * 6#6 *)", "6", "not a valid occurrence"),
    ("cron(0 0 ? * 6#0 *)", "0", "not a valid occurrence"),
    ("cron(0 0 ? * 6# *)", "", "not a valid occurrence"),
    ("cron(0 0 ? * #3 *)", "#", "missing value"),
    ("cron(0 0 ? * 9#2 *)", "9", "out of range for day-of-week"),
    ("cron(0 0 ? * 2#1,2#3 *)", "2#1", "not allowed here"),
    ("cron(0 0 ? * 1,L *)", "L", "not allowed here"),
    ("cron(0 0 1#2 * ? *)", "1#2", "only allowed in day-of-week"),
    ("cron(0 0 ? * 2W *)", "2W", "not a valid day-of-week"),
    // at
    ("at()", "", "needs a date-time"),
    ("at(2030-01-31 09:30:00)", "2030-01-31 09:30:00", "without spaces"),
    ("at(2030-01-31t09:30:00)", "2030-01-31t09:30:00", "not a date-time"),
    ("at(2030-1-31T09:30:00)", "2030-1-31T09:30:00", "not a date-time"),
    ("at(2030-01-31T09:30)", "2030-01-31T09:30", "not a date-time"),
    ("at(2030-01-31T09:30:00Z)", "Z", "without a UTC offset"),
    ("at(2030-01-31T09:30:00+01:00)", "+01:00", "without a UTC offset"),
    ("at(2030-01-31T09:30:00.5)", ".5", "fractional"),
    ("at(2030-13-01T00:00:00)", "13", "month 13"),
    ("at(2030-00-01T00:00:00)", "00", "month 00"),
    ("at(2030-02-29T00:00:00)", "29", "day 29 does not exist"),
    ("at(2030-04-31T00:00:00)", "31", "day 31"),
    ("at(2030-01-00T00:00:00)", "00", "day 00"),
    ("at(2030-01-01T24:00:00)", "24", "hour 24"),
    ("at(2030-01-01T00:60:00)", "60", "minute 60"),
    ("at(2030-01-01T00:00:60)", "60", "second 60"),
];

#[test]
fn invalid_expressions_point_at_the_bad_part() {
    for (expr, bad, word) in INVALID {
        let err = match parse(expr) {
            Ok(parsed) => panic!("{expr:?} should be rejected, parsed as {parsed}"),
            Err(e) => e,
        };
        let covered =
            expr.get(err.span.clone()).unwrap_or_else(|| panic!("{expr:?}: span {:?} out of bounds", err.span));
        assert_eq!(covered, *bad, "{expr:?}: span {:?} of error {err}", err.span);
        assert!(err.message.contains(word), "{expr:?}: message {:?} should mention {word:?}", err.message);
        assert!(err.hint.is_some(), "{expr:?}: error {err} should have a hint");
    }
}

/// Where two positions hold the same text, the table alone cannot tell them
/// apart: check the offsets.
#[test]
fn spans_are_byte_offsets_of_the_right_field() {
    let err = parse("cron(0 0 ? * 0 *)").unwrap_err();
    assert_eq!(err.span, 13..14, "day-of-week, not minutes");
    let err = parse("cron(0 12 * * MON *)").unwrap_err();
    assert_eq!(err.span, 10..11, "day-of-month star, not the month star");
    let err = parse("rate(1 minutes)").unwrap_err();
    assert_eq!(err.hint.as_deref(), Some("write `rate(1 minute)`"));
}

#[test]
fn error_display_and_error_trait() {
    let err = parse("rate(5 minute)").unwrap_err();
    assert_eq!(
        err.to_string(),
        "rate unit `minute` must be plural because the value is not 1; write `rate(5 minutes)`"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert!(boxed.source().is_none());
}

#[test]
fn from_str_is_parse() {
    let a: ScheduleExpression = "cron(0 9 ? * MON-FRI *)".parse().unwrap();
    assert_eq!(a, parse("cron(0 9 ? * MON-FRI *)").unwrap());
    assert!("cron(0 9 * * MON-FRI *)".parse::<ScheduleExpression>().is_err());
}
