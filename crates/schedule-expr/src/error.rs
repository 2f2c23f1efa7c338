//! The crate's one error type.
//!
//! Every caller shows the error differently (a miette diagnostic in the
//! provisioner, a 400 body in the scheduler-manager Lambda), so the error
//! carries its parts separately instead of one pre-rendered string.

use std::ops::Range;

/// Why a schedule expression was rejected.
///
/// `message` says what is wrong, `hint` how to fix it, `span` is the BYTE range
/// inside `expr` of the offending part (e.g. just the bad cron field), so a
/// caller can point a diagnostic at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", .hint.as_deref().map(|h| format!("; {h}")).unwrap_or_default())]
pub struct ExprError {
    pub message: String,
    pub hint: Option<String>,
    pub span: Range<usize>,
}

impl ExprError {
    pub(crate) fn new(message: impl Into<String>, span: Range<usize>) -> Self {
        ExprError { message: message.into(), hint: None, span }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}
