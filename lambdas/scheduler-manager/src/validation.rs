//! Validation of `POST /schedule` bodies: every field is checked and every
//! problem reported at once, each naming its field. Schedule expressions go
//! through `schedule-expr`, the same parser the provisioner uses.

use acme_core::catalogue;
use acme_core::model::{FlexibleWindow, Priority};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};

use crate::error::FieldError;

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_QUANTITY: u64 = 10_000;
/// Scheduler's bounds for `FlexibleTimeWindow.MaximumWindowInMinutes`.
pub const MAX_WINDOW_MINUTES: u64 = 1_440;
/// Scheduler refuses a StartDate earlier than this before now.
const START_DATE_GRACE: SignedDuration = SignedDuration::from_mins(5);

const FIELDS: &[&str] = &[
    "scheduleName",
    "frequency",
    "gadgetType",
    "quantity",
    "timezone",
    "flexibleWindowMinutes",
    "priorityOverride",
    "startDate",
    "endDate",
];

/// A request that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSchedule {
    pub schedule_name: String,
    /// The expression in `schedule-expr`'s canonical spelling.
    pub frequency: String,
    pub timezone: Option<String>,
    pub gadget_type: String,
    pub quantity: u32,
    pub flexible_window: Option<FlexibleWindow>,
    pub priority_override: Option<Priority>,
    pub start_date: Option<Timestamp>,
    pub end_date: Option<Timestamp>,
}

pub fn validate_new_schedule(body: &[u8], now: Timestamp) -> Result<NewSchedule, Vec<FieldError>> {
    let object = parse_object(body).map_err(|err| vec![err])?;
    let mut errors = Vec::new();
    for key in object.keys() {
        if !FIELDS.contains(&key.as_str()) {
            errors.push(FieldError::new(key, "unknown field").with_hint(format!("fields are {}", FIELDS.join(", "))));
        }
    }
    let mut fields = Fields { object: &object, errors };

    let schedule_name = fields.required_string("scheduleName").and_then(|name| fields.check_name(name));
    let raw_frequency = fields.required_string("frequency");
    let gadget_type = fields.required_string("gadgetType").and_then(|g| fields.check_gadget_type(g));
    let quantity = fields.required_integer("quantity", 1, MAX_QUANTITY);
    let timezone = fields.optional_string("timezone").and_then(|tz| fields.check_timezone(tz));
    let flexible_window = fields
        .optional_integer("flexibleWindowMinutes", 1, MAX_WINDOW_MINUTES)
        .map(|minutes| FlexibleWindow(minutes as u32));
    let priority_override = fields.optional_string("priorityOverride").and_then(|p| fields.check_priority(p));
    let start_date = fields.optional_string("startDate").and_then(|t| fields.check_timestamp("startDate", t));
    let end_date = fields.optional_string("endDate").and_then(|t| fields.check_timestamp("endDate", t));
    fields.check_date_range(start_date, end_date, now);
    let frequency = raw_frequency
        .and_then(|text| fields.check_frequency(&text, timezone.as_ref().map(|(_, tz)| tz), start_date, end_date, now));

    let errors = fields.errors;
    match (schedule_name, frequency, gadget_type, quantity) {
        (Some(schedule_name), Some(frequency), Some(gadget_type), Some(quantity)) if errors.is_empty() => {
            Ok(NewSchedule {
                schedule_name,
                frequency,
                timezone: timezone.map(|(name, _)| name),
                gadget_type,
                quantity: quantity as u32,
                flexible_window,
                priority_override,
                start_date,
                end_date,
            })
        }
        _ => Err(errors),
    }
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, FieldError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(FieldError::new("body", "the request has no body").with_hint("send a JSON object"));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(FieldError::new("body", "the body is not a JSON object")),
        Err(err) => Err(FieldError::new("body", format!("the body is not valid JSON: {err}"))),
    }
}

/// Reads fields out of the body, recording each problem.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl Fields<'_> {
    fn fail<T>(&mut self, error: FieldError) -> Option<T> {
        self.errors.push(error);
        None
    }

    fn present(&self, field: &str) -> Option<&Value> {
        self.object.get(field).filter(|value| !value.is_null())
    }

    fn required_string(&mut self, field: &str) -> Option<String> {
        if self.present(field).is_none() {
            return self.fail(FieldError::new(field, "is required"));
        }
        self.optional_string(field)
    }

    fn optional_string(&mut self, field: &str) -> Option<String> {
        match self.present(field)? {
            Value::String(text) => Some(text.clone()),
            _ => self.fail(FieldError::new(field, "must be a string")),
        }
    }

    fn required_integer(&mut self, field: &str, min: u64, max: u64) -> Option<u64> {
        if self.present(field).is_none() {
            return self.fail(FieldError::new(field, "is required"));
        }
        self.optional_integer(field, min, max)
    }

    fn optional_integer(&mut self, field: &str, min: u64, max: u64) -> Option<u64> {
        let value = self.present(field)?;
        let range = || format!("must be a whole number from {min} to {max}");
        match value.as_u64() {
            Some(number) if (min..=max).contains(&number) => Some(number),
            Some(_) => self.fail(FieldError::new(field, range())),
            None if value.is_number() => self.fail(FieldError::new(field, range())),
            None => self.fail(FieldError::new(field, format!("must be a number; {}", range()))),
        }
    }

    fn check_name(&mut self, name: String) -> Option<String> {
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return self.fail(FieldError::new("scheduleName", "must not be empty"));
        }
        if trimmed.chars().count() > MAX_NAME_CHARS {
            return self.fail(FieldError::new("scheduleName", format!("must be at most {MAX_NAME_CHARS} characters")));
        }
        if trimmed.chars().any(char::is_control) {
            return self.fail(FieldError::new("scheduleName", "must not contain control characters"));
        }
        Some(trimmed.to_owned())
    }

    fn check_gadget_type(&mut self, gadget_type: String) -> Option<String> {
        if catalogue::find(&gadget_type).is_some() {
            return Some(gadget_type);
        }
        let known = catalogue::gadget_type_names().join(", ");
        self.fail(
            FieldError::new("gadgetType", format!("{gadget_type:?} is not a gadget type ACME orders"))
                .with_hint(format!("one of {known}")),
        )
    }

    fn check_timezone(&mut self, name: String) -> Option<(String, TimeZone)> {
        match TimeZone::get(&name) {
            Ok(tz) => Some((name, tz)),
            Err(_) => self.fail(
                FieldError::new("timezone", format!("{name:?} is not an IANA time zone"))
                    .with_hint("for example Europe/Paris, America/New_York or UTC"),
            ),
        }
    }

    fn check_priority(&mut self, text: String) -> Option<Priority> {
        match text.parse::<Priority>() {
            Ok(priority) => Some(priority),
            Err(err) => self.fail(FieldError::new("priorityOverride", err.to_string())),
        }
    }

    fn check_timestamp(&mut self, field: &str, text: String) -> Option<Timestamp> {
        match acme_core::time::parse_timestamp(&text) {
            Ok(timestamp) => Some(timestamp),
            Err(_) => self.fail(
                FieldError::new(field, format!("{text:?} is not a timestamp"))
                    .with_hint("RFC 3339 with an offset, for example 2030-01-31T09:30:00Z"),
            ),
        }
    }

    fn check_date_range(&mut self, start: Option<Timestamp>, end: Option<Timestamp>, now: Timestamp) {
        if let Some(start) = start {
            if start < now - START_DATE_GRACE {
                self.errors.push(FieldError::new("startDate", "must not be more than 5 minutes in the past"));
            }
        }
        if let Some(end) = end {
            if end <= now {
                self.errors.push(FieldError::new("endDate", "must be in the future"));
            } else if start.is_some_and(|start| end <= start) {
                self.errors.push(FieldError::new("endDate", "must be after startDate"));
            }
        }
    }

    /// Parses the expression and checks that it fires at least once in the
    /// schedule's zone and date range (an `at(...)` in the past never does).
    fn check_frequency(
        &mut self,
        text: &str,
        timezone: Option<&TimeZone>,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
        now: Timestamp,
    ) -> Option<String> {
        let expression = match schedule_expr::parse(text) {
            Ok(expression) => expression,
            Err(err) => {
                let mut error = FieldError::new("frequency", err.message);
                error.hint = err.hint;
                return self.fail(error);
            }
        };
        // A bad date range is already reported; "never fires" would only echo it.
        if self.errors.iter().any(|e| e.field == "startDate" || e.field == "endDate") {
            return Some(expression.to_string());
        }
        let utc = TimeZone::UTC;
        let tz = timezone.unwrap_or(&utc);
        if expression.next_after(now, tz, start, end).is_none() {
            return self.fail(
                FieldError::new("frequency", "the schedule would never fire")
                    .with_hint("an at(...) time must be in the future, and a range must contain a fire time"),
            );
        }
        Some(expression.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> Timestamp {
        "2030-01-01T00:00:00Z".parse().unwrap()
    }

    fn valid() -> Value {
        json!({
            "scheduleName": "weekly widgets",
            "frequency": "cron(0 8 ? * MON *)",
            "gadgetType": "WIDGET",
            "quantity": 25,
        })
    }

    fn check(body: Value) -> Result<NewSchedule, Vec<FieldError>> {
        validate_new_schedule(body.to_string().as_bytes(), now())
    }

    #[test]
    fn a_minimal_request_is_valid() {
        let schedule = check(valid()).unwrap();
        assert_eq!(schedule.schedule_name, "weekly widgets");
        assert_eq!(schedule.quantity, 25);
        assert_eq!(schedule.timezone, None);
        assert_eq!(schedule.flexible_window, None);
    }

    #[test]
    fn every_optional_field_is_read() {
        let mut body = valid();
        body["timezone"] = json!("Europe/Paris");
        body["flexibleWindowMinutes"] = json!(30);
        body["priorityOverride"] = json!("HIGH");
        body["startDate"] = json!("2030-02-01T00:00:00Z");
        body["endDate"] = json!("2031-01-01T00:00:00+01:00");
        let schedule = check(body).unwrap();
        assert_eq!(schedule.timezone.as_deref(), Some("Europe/Paris"));
        assert_eq!(schedule.flexible_window, Some(FlexibleWindow(30)));
        assert_eq!(schedule.priority_override, Some(Priority::High));
        assert_eq!(schedule.end_date, Some("2030-12-31T23:00:00Z".parse().unwrap()));
    }

    /// (field to set, value, field expected in the error)
    #[test]
    fn each_bad_field_is_named() {
        let cases: Vec<(&str, Value, &str)> = vec![
            ("scheduleName", json!(""), "scheduleName"),
            ("scheduleName", json!("   "), "scheduleName"),
            ("scheduleName", json!("x".repeat(101)), "scheduleName"),
            ("scheduleName", json!("tab\there"), "scheduleName"),
            ("scheduleName", json!(7), "scheduleName"),
            ("frequency", json!("rate(5 minute)"), "frequency"),
            ("frequency", json!("cron(0 8 * * *)"), "frequency"),
            ("frequency", json!("every day"), "frequency"),
            ("frequency", json!("at(2020-01-01T00:00:00)"), "frequency"),
            ("gadgetType", json!("SPANNER"), "gadgetType"),
            ("gadgetType", json!("widget"), "gadgetType"),
            ("quantity", json!(0), "quantity"),
            ("quantity", json!(-3), "quantity"),
            ("quantity", json!(10_001), "quantity"),
            ("quantity", json!(2.5), "quantity"),
            ("quantity", json!("5"), "quantity"),
            ("timezone", json!("Mars/Olympus"), "timezone"),
            ("flexibleWindowMinutes", json!(0), "flexibleWindowMinutes"),
            ("flexibleWindowMinutes", json!(1441), "flexibleWindowMinutes"),
            ("priorityOverride", json!("URGENT"), "priorityOverride"),
            ("startDate", json!("tomorrow"), "startDate"),
            ("startDate", json!("2029-12-31T23:00:00Z"), "startDate"),
            ("endDate", json!("2029-12-31T00:00:00Z"), "endDate"),
            ("colour", json!("red"), "colour"),
        ];
        for (field, value, expected) in cases {
            let mut body = valid();
            body[field] = value.clone();
            let errors = check(body).expect_err(&format!("{field} = {value}"));
            assert_eq!(
                errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
                vec![expected],
                "{field} = {value}"
            );
        }
    }

    #[test]
    fn missing_required_fields_are_all_reported() {
        let errors = check(json!({})).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["scheduleName", "frequency", "gadgetType", "quantity"]);
    }

    #[test]
    fn end_before_start_is_rejected() {
        let mut body = valid();
        body["startDate"] = json!("2030-06-01T00:00:00Z");
        body["endDate"] = json!("2030-05-01T00:00:00Z");
        let errors = check(body).unwrap_err();
        assert_eq!(errors[0].field, "endDate");
        assert_eq!(errors[0].message, "must be after startDate");
    }

    #[test]
    fn an_expression_error_keeps_the_parser_hint() {
        let mut body = valid();
        body["frequency"] = json!("rate(5 minute)");
        let errors = check(body).unwrap_err();
        assert!(errors[0].hint.is_some(), "{errors:?}");
    }

    #[test]
    fn bodies_that_are_not_objects_are_rejected() {
        for body in ["", "  ", "[1]", "{not json", "\"text\""] {
            let errors = validate_new_schedule(body.as_bytes(), now()).unwrap_err();
            assert_eq!(errors[0].field, "body", "{body:?}");
        }
    }
}
