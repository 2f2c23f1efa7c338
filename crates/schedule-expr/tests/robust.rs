//! The parser takes untrusted input (a 400 in the scheduler-manager Lambda):
//! it must never panic, and every error span must be usable to slice the
//! input it came from.

use proptest::prelude::*;
use schedule_expr::parse;

fn check(expr: &str) {
    if let Err(e) = parse(expr) {
        assert!(e.span.start <= e.span.end && e.span.end <= expr.len(), "{expr:?}: span {:?}", e.span);
        assert!(expr.get(e.span.clone()).is_some(), "{expr:?}: span {:?} splits a character", e.span);
        assert!(!e.message.is_empty());
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,40}") {
        check(&s);
    }

    #[test]
    fn cron_like_text_never_panics(body in "[0-9A-Za-z*?/,#\\- é]{0,30}") {
        check(&format!("cron({body})"));
        check(&format!("rate({body})"));
        check(&format!("at({body})"));
    }

    /// Generated only from valid pieces, so every case must parse (a case
    /// that does not is a failure, not a skip) and survive Display.
    #[test]
    fn valid_cron_round_trips(
        minutes in r"\*(/[1-9])?|[0-4]?[0-9](-5[0-9])?(/[1-9])?|[0-5][0-9](,[0-5][0-9])?",
        hours in r"\*|1?[0-9]|2[0-3]|[0-9]-1[0-9]",
        month in r"\*|[1-9]|1[0-2]|jan|DEC|FEB-nov|[1-6]/[1-6]",
        days in r"\? (\*|[1-7](#[1-5]|L)?|L|(MON|fri)(-SAT)?|[1-3],[4-7])|(L|LW|[1-9]W?|1[0-9]|2[0-8]|[1-9]-2[0-9]|\*/[1-9]) \?",
        year in r"\*|19[7-9][0-9]|2[01][0-9][0-9]|20[0-9]{2}-21[0-9]{2}",
    ) {
        let (dom, dow) = days.split_once(' ').expect("two day fields");
        let expr = format!("cron({minutes} {hours} {dom} {month} {dow} {year})");
        let parsed = parse(&expr);
        prop_assert!(parsed.is_ok(), "{} rejected: {:?}", expr, parsed);
        let parsed = parsed.unwrap();
        let text = parsed.to_string();
        prop_assert_eq!(parse(&text).ok(), Some(parsed), "{} -> {}", expr, text);
    }
}
