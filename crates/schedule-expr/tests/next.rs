//! Next fire times against fixed instants. Expected values were worked out
//! by hand from the calendar (weekday of the 1st of each month is noted
//! where a test depends on it).

use jiff::tz::TimeZone;
use jiff::Timestamp;
use schedule_expr::parse;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap_or_else(|e| panic!("bad test timestamp {s}: {e}"))
}

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or_else(|e| panic!("time zone {name} missing: {e}"))
}

/// The next `n` fire times after `after`, each computed from the previous one.
fn fires(expr: &str, tz: &TimeZone, after: &str, n: usize) -> Vec<String> {
    let e = parse(expr).unwrap_or_else(|err| panic!("{expr}: {err}"));
    let mut at = ts(after);
    let mut out = Vec::new();
    for _ in 0..n {
        match e.next_after(at, tz, None, None) {
            Some(t) => {
                out.push(t.to_string());
                at = t;
            }
            None => break,
        }
    }
    out
}

fn next(expr: &str, tz: &TimeZone, after: &str, start: Option<&str>, end: Option<&str>) -> Option<String> {
    let e = parse(expr).unwrap_or_else(|err| panic!("{expr}: {err}"));
    e.next_after(ts(after), tz, start.map(ts), end.map(ts)).map(|t| t.to_string())
}

// ---- rate -----------------------------------------------------------------

#[test]
fn rate_without_start_counts_from_after() {
    let utc = TimeZone::UTC;
    assert_eq!(
        next("rate(5 minutes)", &utc, "2025-01-15T10:00:00Z", None, None).as_deref(),
        Some("2025-01-15T10:05:00Z")
    );
    assert_eq!(
        next("rate(2 hours)", &utc, "2025-01-15T10:00:30Z", None, None).as_deref(),
        Some("2025-01-15T12:00:30Z")
    );
}

#[test]
fn rate_with_start_is_anchored_to_start() {
    let utc = TimeZone::UTC;
    let start = Some("2025-01-15T09:30:00Z");
    // Before the start: the first invocation is at the start itself.
    assert_eq!(
        next("rate(1 hour)", &utc, "2025-01-15T08:00:00Z", start, None).as_deref(),
        Some("2025-01-15T09:30:00Z")
    );
    assert_eq!(
        next("rate(1 hour)", &utc, "2025-01-15T10:00:00Z", start, None).as_deref(),
        Some("2025-01-15T10:30:00Z")
    );
    // Strictly after: a fire time equal to `after` is not returned again.
    assert_eq!(
        next("rate(1 hour)", &utc, "2025-01-15T10:30:00Z", start, None).as_deref(),
        Some("2025-01-15T11:30:00Z")
    );
    assert_eq!(
        next("rate(1 hour)", &utc, "2025-01-15T09:30:00Z", start, None).as_deref(),
        Some("2025-01-15T10:30:00Z")
    );
}

#[test]
fn rate_end_is_exclusive() {
    let utc = TimeZone::UTC;
    let start = Some("2025-01-15T09:30:00Z");
    assert_eq!(next("rate(1 hour)", &utc, "2025-01-15T10:00:00Z", start, Some("2025-01-15T10:30:00Z")), None);
    assert_eq!(
        next("rate(1 hour)", &utc, "2025-01-15T10:00:00Z", start, Some("2025-01-15T10:30:01Z")).as_deref(),
        Some("2025-01-15T10:30:00Z")
    );
}

#[test]
fn rate_days_are_24_hours_even_across_dst() {
    // New York springs forward on 2025-03-09; a rate ignores the zone.
    let ny = zone("America/New_York");
    let start = Some("2025-03-08T12:00:00Z"); // 07:00 EST
    assert_eq!(
        next("rate(1 day)", &ny, "2025-03-09T00:00:00Z", start, None).as_deref(),
        Some("2025-03-09T12:00:00Z") // 08:00 EDT
    );
}

// ---- cron, UTC -------------------------------------------------------------

#[test]
fn cron_daily_is_strictly_after() {
    let utc = TimeZone::UTC;
    assert_eq!(
        fires("cron(0 12 * * ? *)", &utc, "2025-01-15T11:59:30Z", 2),
        ["2025-01-15T12:00:00Z", "2025-01-16T12:00:00Z"]
    );
    assert_eq!(fires("cron(0 12 * * ? *)", &utc, "2025-01-15T12:00:00Z", 1), ["2025-01-16T12:00:00Z"]);
}

#[test]
fn cron_steps_lists_and_ranges() {
    let utc = TimeZone::UTC;
    assert_eq!(
        fires("cron(0/15 * * * ? *)", &utc, "2025-01-15T10:07:10Z", 4),
        ["2025-01-15T10:15:00Z", "2025-01-15T10:30:00Z", "2025-01-15T10:45:00Z", "2025-01-15T11:00:00Z"]
    );
    assert_eq!(
        fires("cron(5/20 22-23 * * ? *)", &utc, "2025-01-15T22:50:00Z", 3),
        ["2025-01-15T23:05:00Z", "2025-01-15T23:25:00Z", "2025-01-15T23:45:00Z"]
    );
    // Quarterly on the 1st, by month names with a step from FEB.
    assert_eq!(
        fires("cron(0 6 1 FEB/3 ? *)", &utc, "2025-01-01T00:00:00Z", 3),
        ["2025-02-01T06:00:00Z", "2025-05-01T06:00:00Z", "2025-08-01T06:00:00Z"]
    );
}

#[test]
fn cron_day_of_week_with_question_mark_in_day_of_month() {
    // 2025-01-17 is a Friday.
    let utc = TimeZone::UTC;
    assert_eq!(
        fires("cron(0 9 ? * MON-FRI *)", &utc, "2025-01-17T10:00:00Z", 2),
        ["2025-01-20T09:00:00Z", "2025-01-21T09:00:00Z"]
    );
    // 1 = Sunday, 7 = Saturday.
    assert_eq!(
        fires("cron(0 9 ? * 1,7 *)", &utc, "2025-01-15T00:00:00Z", 2),
        ["2025-01-18T09:00:00Z", "2025-01-19T09:00:00Z"]
    );
    // `L` alone in day-of-week is Saturday, every week.
    assert_eq!(
        fires("cron(0 0 ? * L *)", &utc, "2025-01-01T00:00:00Z", 2),
        ["2025-01-04T00:00:00Z", "2025-01-11T00:00:00Z"]
    );
}

#[test]
fn cron_last_day_of_month() {
    let utc = TimeZone::UTC;
    assert_eq!(
        fires("cron(0 0 L * ? *)", &utc, "2024-01-31T00:00:00Z", 3),
        ["2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z", "2024-04-30T00:00:00Z"]
    );
    // 2025-08-31 is a Sunday: the last weekday is Friday the 29th.
    assert_eq!(fires("cron(0 0 LW * ? *)", &utc, "2025-08-01T00:00:00Z", 1), ["2025-08-29T00:00:00Z"]);
}

#[test]
fn cron_nearest_weekday_stays_in_the_month() {
    let utc = TimeZone::UTC;
    // 2025-02-01 is a Saturday: 1W moves forward to Monday the 3rd, not back into January.
    assert_eq!(fires("cron(0 0 1W * ? *)", &utc, "2025-01-15T00:00:00Z", 1), ["2025-02-03T00:00:00Z"]);
    // 2025-02-15 is a Saturday -> Friday 14th; 2025-06-15 is a Sunday -> Monday 16th.
    assert_eq!(
        fires("cron(0 0 15W FEB,JUN ? 2025)", &utc, "2025-01-01T00:00:00Z", 2),
        ["2025-02-14T00:00:00Z", "2025-06-16T00:00:00Z"]
    );
    // 2025-08-31 is a Sunday: 31W moves back to Friday the 29th, not into September.
    assert_eq!(fires("cron(0 0 31W * ? *)", &utc, "2025-08-01T00:00:00Z", 1), ["2025-08-29T00:00:00Z"]);
    // April has no 31st: 31W skips it. 2025-05-31 is a Saturday -> Friday 30th.
    assert_eq!(fires("cron(0 0 31W * ? *)", &utc, "2025-04-01T00:00:00Z", 1), ["2025-05-30T00:00:00Z"]);
}

#[test]
fn cron_last_weekday_of_month_and_nth() {
    let utc = TimeZone::UTC;
    // Last Thursday of November 2025 (the 1st is a Saturday): the 27th.
    assert_eq!(fires("cron(30 18 ? NOV 5L *)", &utc, "2025-01-01T00:00:00Z", 1), ["2025-11-27T18:30:00Z"]);
    // Third Friday: January 2025 Fridays are 3, 10, 17; February 7, 14, 21.
    assert_eq!(
        fires("cron(0 10 ? * 6#3 *)", &utc, "2025-01-01T00:00:00Z", 2),
        ["2025-01-17T10:00:00Z", "2025-02-21T10:00:00Z"]
    );
    // Fifth Monday: none in January or February 2025; March has 3, 10, 17, 24, 31.
    assert_eq!(fires("cron(0 0 ? * MON#5 *)", &utc, "2025-01-01T00:00:00Z", 1), ["2025-03-31T00:00:00Z"]);
}

#[test]
fn cron_year_field_ends_the_schedule() {
    let utc = TimeZone::UTC;
    assert_eq!(fires("cron(0 0 1 1 ? 2020)", &utc, "2025-01-01T00:00:00Z", 1), Vec::<String>::new());
    // No leap day in 2025-2027: never fires.
    assert_eq!(fires("cron(0 0 29 2 ? 2025-2027)", &utc, "2025-01-01T00:00:00Z", 1), Vec::<String>::new());
    assert_eq!(fires("cron(0 0 29 2 ? *)", &utc, "2025-01-01T00:00:00Z", 1), ["2028-02-29T00:00:00Z"]);
    assert_eq!(fires("cron(0 0 31 12 ? 2199)", &utc, "2199-12-31T00:00:00Z", 1), Vec::<String>::new());
}

#[test]
fn cron_start_is_inclusive_and_end_exclusive() {
    let utc = TimeZone::UTC;
    let e = "cron(0 12 * * ? *)";
    let after = "2025-01-01T00:00:00Z";
    assert_eq!(next(e, &utc, after, Some("2025-02-01T00:00:00Z"), None).as_deref(), Some("2025-02-01T12:00:00Z"));
    assert_eq!(next(e, &utc, after, Some("2025-02-01T12:00:00Z"), None).as_deref(), Some("2025-02-01T12:00:00Z"));
    assert_eq!(next(e, &utc, after, Some("2025-02-01T12:00:01Z"), None).as_deref(), Some("2025-02-02T12:00:00Z"));
    assert_eq!(next(e, &utc, after, None, Some("2025-01-01T12:00:00Z")), None);
    assert_eq!(next(e, &utc, after, None, Some("2025-01-01T12:00:01Z")).as_deref(), Some("2025-01-01T12:00:00Z"));
}

// ---- cron across daylight saving (America/New_York, 2025) ------------------
// Spring forward: 2025-03-09 02:00 EST -> 03:00 EDT (07:00Z).
// Fall back:      2025-11-02 02:00 EDT -> 01:00 EST (06:00Z).

#[test]
fn cron_follows_local_time_across_dst() {
    let ny = zone("America/New_York");
    assert_eq!(
        fires("cron(0 9 * * ? *)", &ny, "2025-03-08T00:00:00Z", 2),
        ["2025-03-08T14:00:00Z", "2025-03-09T13:00:00Z"] // 09:00 EST, then 09:00 EDT
    );
    assert_eq!(
        fires("cron(0 9 * * ? *)", &ny, "2025-11-01T00:00:00Z", 2),
        ["2025-11-01T13:00:00Z", "2025-11-02T14:00:00Z"] // 09:00 EDT, then 09:00 EST
    );
}

#[test]
fn cron_in_spring_forward_gap_fires_at_the_jump() {
    let ny = zone("America/New_York");
    // 02:30 does not exist on 2025-03-09: it fires at 03:00 EDT, then 02:30 EDT next day.
    assert_eq!(
        fires("cron(30 2 * * ? *)", &ny, "2025-03-08T08:00:00Z", 3),
        ["2025-03-09T07:00:00Z", "2025-03-10T06:30:00Z", "2025-03-11T06:30:00Z"]
    );
    // 02:00 and 02:30 both fall in the gap: one invocation, not two.
    assert_eq!(
        fires("cron(0/30 2 * * ? *)", &ny, "2025-03-09T06:00:00Z", 3),
        ["2025-03-09T07:00:00Z", "2025-03-10T06:00:00Z", "2025-03-10T06:30:00Z"]
    );
    // A start bound exactly at the jump still sees the skipped 02:30.
    assert_eq!(
        next("cron(30 2 * * ? *)", &ny, "2025-03-09T06:00:00Z", Some("2025-03-09T07:00:00Z"), None).as_deref(),
        Some("2025-03-09T07:00:00Z")
    );
}

#[test]
fn cron_in_fall_back_overlap_fires_once() {
    let ny = zone("America/New_York");
    // 01:30 happens twice on 2025-11-02; it fires at the first (EDT) only.
    assert_eq!(
        fires("cron(30 1 * * ? *)", &ny, "2025-11-02T04:00:00Z", 2),
        ["2025-11-02T05:30:00Z", "2025-11-03T06:30:00Z"]
    );
    // Every 30 minutes: 01:00 and 01:30 EDT, then straight to 02:00 EST.
    assert_eq!(
        fires("cron(0/30 * * * ? *)", &ny, "2025-11-02T04:50:00Z", 3),
        ["2025-11-02T05:00:00Z", "2025-11-02T05:30:00Z", "2025-11-02T07:00:00Z"]
    );
    // Asked from inside the repeated hour, it does not fire 01:45 a second time.
    assert_eq!(fires("cron(45 1 * * ? *)", &ny, "2025-11-02T06:10:00Z", 1), ["2025-11-03T06:45:00Z"]);
}

// ---- at ----------------------------------------------------------------------

#[test]
fn at_fires_once_in_its_zone() {
    let paris = zone("Europe/Paris");
    assert_eq!(fires("at(2025-06-01T09:00:00)", &paris, "2025-05-01T00:00:00Z", 2), ["2025-06-01T07:00:00Z"]);
    assert_eq!(fires("at(2025-06-01T09:00:00)", &paris, "2025-06-01T07:00:00Z", 1), Vec::<String>::new());
    assert_eq!(fires("at(2025-06-01T09:00:00)", &TimeZone::UTC, "2025-05-01T00:00:00Z", 1), ["2025-06-01T09:00:00Z"]);
}

#[test]
fn at_ignores_start_and_end_like_eventbridge() {
    let utc = TimeZone::UTC;
    assert_eq!(
        next(
            "at(2025-06-01T09:00:00)",
            &utc,
            "2025-05-01T00:00:00Z",
            Some("2025-07-01T00:00:00Z"),
            Some("2025-05-02T00:00:00Z")
        )
        .as_deref(),
        Some("2025-06-01T09:00:00Z")
    );
}

#[test]
fn at_in_dst_gap_and_overlap() {
    let ny = zone("America/New_York");
    assert_eq!(fires("at(2025-03-09T02:30:00)", &ny, "2025-03-01T00:00:00Z", 1), ["2025-03-09T07:00:00Z"]);
    assert_eq!(fires("at(2025-11-02T01:30:00)", &ny, "2025-11-01T00:00:00Z", 1), ["2025-11-02T05:30:00Z"]);
}
