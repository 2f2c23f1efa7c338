//! The six fields' ranges, names and allowed operators, straight from the
//! EventBridge Scheduler table, shared by the parser and the evaluator.

/// What one cron field accepts.
pub(crate) struct FieldSpec {
    /// Name used in messages ("day-of-month").
    pub name: &'static str,
    pub min: u16,
    pub max: u16,
    /// Names for `min`, `min + 1`, ... (upper case); empty when the field has none.
    pub names: &'static [&'static str],
    /// Whether `/` increments are allowed.
    pub step: bool,
}

pub(crate) const MINUTES: FieldSpec = FieldSpec { name: "minutes", min: 0, max: 59, names: &[], step: true };
pub(crate) const HOURS: FieldSpec = FieldSpec { name: "hours", min: 0, max: 23, names: &[], step: true };
pub(crate) const DAY_OF_MONTH: FieldSpec = FieldSpec { name: "day-of-month", min: 1, max: 31, names: &[], step: true };
pub(crate) const MONTH: FieldSpec = FieldSpec {
    name: "month",
    min: 1,
    max: 12,
    names: &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    step: true,
};
pub(crate) const DAY_OF_WEEK: FieldSpec = FieldSpec {
    name: "day-of-week",
    min: 1,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    step: false,
};
pub(crate) const YEAR: FieldSpec = FieldSpec { name: "year", min: 1970, max: 2199, names: &[], step: true };

impl FieldSpec {
    /// How the field's values are written, for hints.
    pub fn allowed(&self) -> String {
        match (self.names.first(), self.names.last()) {
            (Some(first), Some(last)) => format!("{}-{} or {first}-{last}", self.min, self.max),
            _ => format!("{}-{}", self.min, self.max),
        }
    }
}
