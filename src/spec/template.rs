//! `${...}` expressions inside spec strings.
//!
//! A string property may embed references: `${Vpc.VpcId}` alone, or
//! `arn:aws:logs:${env.Region}:${env.AccountId}:log-group:x` mixed with text.
//! `$${` is a literal `${`.

use std::fmt;
use std::ops::Range;

/// What a `${...}` names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reference {
    /// `${Logical.Attribute}`
    Resource { name: String, attribute: String },
    /// `${env.Region}`, `${env.AccountId}`, `${env.Name}`
    Env(EnvKey),
    /// `${stack.Name}`
    StackName,
    /// `${param.Name}`: a declared parameter (`spec::parameters`).
    Param(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EnvKey {
    Region,
    AccountId,
    Name,
}

impl EnvKey {
    pub const ALL: [(&'static str, EnvKey); 3] =
        [("Region", EnvKey::Region), ("AccountId", EnvKey::AccountId), ("Name", EnvKey::Name)];
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Resource { name, attribute } => write!(f, "${{{name}.{attribute}}}"),
            Reference::Env(key) => write!(f, "${{env.{key:?}}}"),
            Reference::StackName => write!(f, "${{stack.Name}}"),
            Reference::Param(name) => write!(f, "${{param.{name}}}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Literal(String),
    /// A reference and its byte range inside the original string.
    Ref(Reference, Range<usize>),
}

/// A parsed string: literal text interleaved with references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub parts: Vec<Part>,
}

/// A malformed `${...}`: what is wrong and where inside the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    pub hint: Option<String>,
    pub span: Range<usize>,
}

impl Template {
    /// True when the string is exactly one reference and nothing else; its
    /// value then keeps the referenced attribute's type.
    pub fn single_reference(&self) -> Option<&Reference> {
        match self.parts.as_slice() {
            [Part::Ref(r, _)] => Some(r),
            _ => None,
        }
    }

    pub fn references(&self) -> impl Iterator<Item = (&Reference, &Range<usize>)> {
        self.parts.iter().filter_map(|p| match p {
            Part::Ref(r, span) => Some((r, span)),
            Part::Literal(_) => None,
        })
    }

    pub fn has_references(&self) -> bool {
        self.references().next().is_some()
    }
}

/// Parses `text` into literal parts and references.
pub fn parse(text: &str) -> Result<Template, TemplateError> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(pos) = rest.find("${") {
        if pos > 0 && rest[..pos].ends_with('$') {
            // `$${` escapes a literal `${`.
            literal.push_str(&rest[..pos - 1]);
            literal.push_str("${");
            rest = &rest[pos + 2..];
            offset += pos + 2;
            continue;
        }
        literal.push_str(&rest[..pos]);
        let start = offset + pos;
        let after = &rest[pos + 2..];
        let Some(close) = after.find('}') else {
            return Err(TemplateError {
                message: String::from("unterminated `${` reference"),
                hint: Some(String::from("close it with `}`, or write `$${` for a literal `${`")),
                span: start..text.len(),
            });
        };
        let inner = &after[..close];
        let end = start + 2 + close + 1;
        let reference = parse_inner(inner, start..end)?;
        if !literal.is_empty() {
            parts.push(Part::Literal(std::mem::take(&mut literal)));
        }
        parts.push(Part::Ref(reference, start..end));
        rest = &after[close + 1..];
        offset = end;
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        parts.push(Part::Literal(literal));
    }
    Ok(Template { parts })
}

fn parse_inner(inner: &str, span: Range<usize>) -> Result<Reference, TemplateError> {
    let err = |message: String, hint: &str| TemplateError { message, hint: Some(hint.to_owned()), span: span.clone() };
    let trimmed = inner.trim();
    if trimmed.is_empty() {
        return Err(err(String::from("empty reference `${}`"), "write `${Name.Attribute}`, e.g. `${Vpc.VpcId}`"));
    }
    if trimmed != inner {
        return Err(err(format!("reference `${{{inner}}}` has spaces"), "write it without spaces inside the braces"));
    }
    let Some((root, attribute)) = inner.split_once('.') else {
        return Err(err(
            format!("reference `${{{inner}}}` names no attribute"),
            "references take the form `${Name.Attribute}`, e.g. `${Vpc.VpcId}` or `${Table.Arn}`",
        ));
    };
    let valid_ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_ident(root) || !valid_ident(attribute) {
        return Err(err(
            format!("malformed reference `${{{inner}}}`"),
            "references take the form `${Name.Attribute}` with letters and digits only",
        ));
    }
    match root {
        "env" => EnvKey::ALL.iter().find(|(n, _)| *n == attribute).map(|(_, k)| Reference::Env(*k)).ok_or_else(|| {
            let known: Vec<_> = EnvKey::ALL.iter().map(|(n, _)| *n).collect();
            TemplateError {
                message: format!("unknown environment value `{attribute}` in `${{{inner}}}`"),
                hint: Some(
                    super::diagnostic::did_you_mean_hint(attribute, known.iter().copied())
                        .unwrap_or_else(|| format!("known values: {}", known.join(", "))),
                ),
                span: span.clone(),
            }
        }),
        "stack" if attribute == "Name" => Ok(Reference::StackName),
        "stack" => Err(err(format!("unknown stack value `{attribute}`"), "the only stack value is `${stack.Name}`")),
        "param" => Ok(Reference::Param(attribute.to_owned())),
        _ => Ok(Reference::Resource { name: root.to_owned(), attribute: attribute.to_owned() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_text_and_references() {
        let t = parse("arn:aws:logs:${env.Region}:${Vpc.VpcId}/x").unwrap();
        assert_eq!(t.parts.len(), 5);
        let refs: Vec<_> = t.references().collect();
        assert_eq!(refs[0].0, &Reference::Env(EnvKey::Region));
        assert_eq!(refs[0].1, &(13..26));
        assert_eq!(refs[1].0, &Reference::Resource { name: "Vpc".into(), attribute: "VpcId".into() });
    }

    #[test]
    fn single_reference_is_recognised() {
        let t = parse("${Table.Arn}").unwrap();
        assert!(t.single_reference().is_some());
        assert!(parse("x${Table.Arn}").unwrap().single_reference().is_none());
    }

    #[test]
    fn escaped_dollar_is_literal() {
        let t = parse("a$${b}c").unwrap();
        assert_eq!(t.parts, vec![Part::Literal("a${b}c".into())]);
    }

    #[test]
    fn errors_carry_spans() {
        assert_eq!(parse("ab${Vpc").unwrap_err().span, 2..7);
        assert_eq!(parse("${Vpc}").unwrap_err().span, 0..6);
        assert!(parse("${env.Regoin}").unwrap_err().hint.unwrap().contains("Region"));
        assert!(parse("${}").is_err());
    }

    #[test]
    fn parameters_are_their_own_root() {
        assert_eq!(parse("${param.Memory}").unwrap().single_reference(), Some(&Reference::Param("Memory".into())));
    }
}
