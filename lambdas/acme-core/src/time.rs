//! Timestamps as stored in DynamoDB sort keys.
//!
//! Every `createdAt` is a range key and the API lists "newest first", so the
//! stored strings must sort lexicographically in time order. RFC 3339 with a
//! variable number of fractional digits does not (`…:00.5Z` sorts before
//! `…:00Z`), hence one fixed format with exactly three fractional digits, UTC.

use jiff::Timestamp;

/// `strftime` pattern of [`format_timestamp`].
const STORED_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";

/// Formats a timestamp the way every `createdAt` is stored: fixed width, UTC,
/// milliseconds (`2025-03-01T08:00:00.000Z`).
pub fn format_timestamp(timestamp: Timestamp) -> String {
    timestamp.strftime(STORED_FORMAT).to_string()
}

/// Parses any RFC 3339 timestamp with an offset (`Z` or `+hh:mm`).
pub fn parse_timestamp(text: &str) -> Result<Timestamp, jiff::Error> {
    text.parse::<Timestamp>()
}

/// The current time in the stored format.
pub fn now_stored() -> String {
    format_timestamp(Timestamp::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_format_has_fixed_width_and_milliseconds() {
        let whole = parse_timestamp("2025-03-01T08:00:00Z").unwrap();
        let fraction = parse_timestamp("2025-03-01T08:00:00.5+00:00").unwrap();
        assert_eq!(format_timestamp(whole), "2025-03-01T08:00:00.000Z");
        assert_eq!(format_timestamp(fraction), "2025-03-01T08:00:00.500Z");
    }

    #[test]
    fn stored_strings_sort_in_time_order() {
        let earlier = format_timestamp(parse_timestamp("2025-03-01T08:00:00Z").unwrap());
        let later = format_timestamp(parse_timestamp("2025-03-01T08:00:00.5Z").unwrap());
        assert!(earlier < later);
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let t = parse_timestamp("2025-03-01T09:30:00+01:30").unwrap();
        assert_eq!(format_timestamp(t), "2025-03-01T08:00:00.000Z");
    }
}
