//! What the spec layer reports to users: one diagnostic per problem, each with
//! a code, a label on the offending YAML node and a hint, all gathered into one
//! report so a single run shows every error in the file.

use std::ops::Range;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};

/// One problem found in a stack spec.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SpecDiagnostic {
    /// Stable machine-readable code, e.g. `spec::unknown-property`.
    pub code: &'static str,
    pub message: String,
    /// Byte range in the spec file that the label points at.
    pub span: Range<usize>,
    pub label: String,
    pub hint: Option<String>,
}

impl SpecDiagnostic {
    pub fn new(code: &'static str, span: Range<usize>, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), span, label: String::from("here"), hint: None }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }
}

impl Diagnostic for SpecDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.hint.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = SourceSpan::from(self.span.start..self.span.end.max(self.span.start));
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(Some(self.label.clone()), span))))
    }
}

/// Every problem of one spec file, reported together.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {} error{} in the stack spec", .diagnostics.len(), if .diagnostics.len() == 1 { "" } else { "s" })]
pub struct SpecErrors {
    pub path: String,
    pub source_code: NamedSource<String>,
    pub diagnostics: Vec<SpecDiagnostic>,
}

impl Diagnostic for SpecErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("spec::invalid"))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source_code)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.diagnostics.iter().map(|d| d as &dyn Diagnostic)))
    }
}

/// The closest candidate to `wanted`, for "did you mean" hints.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_lower = wanted.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&wanted_lower, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// "did you mean `X`?" or None.
pub fn did_you_mean_hint<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(wanted, candidates).map(|c| format!("did you mean `{c}`?"))
}
