//! A YAML document as a tree of nodes that remember where they came from.
//!
//! serde-style deserialisation stops at the first error and forgets positions;
//! the validator needs every node's byte range to point diagnostics into the
//! file and must keep going after a bad value. So the parser's event stream
//! (saphyr-parser) is folded into this small tree instead.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::diagnostic::SpecDiagnostic;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: NodeValue,
    /// Byte range of the node in the source.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    Null,
    Bool(bool),
    Int(i64),
    /// Kept as written: strata never computes with floats.
    Float(String),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            NodeValue::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` in a map node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    /// The key node for `key` in a map node (for pointing at a key).
    pub fn key_node(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, _)| k)
    }

    /// A human name for the node's kind, for "expected X, found Y" messages.
    pub fn kind_name(&self) -> &'static str {
        match self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Int(_) => "an integer",
            NodeValue::Float(_) => "a number",
            NodeValue::Str(_) => "a string",
            NodeValue::Seq(_) => "a list",
            NodeValue::Map(_) => "a mapping",
        }
    }

    /// The node as plain JSON (no spans).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Int(i) => Value::from(*i),
            NodeValue::Float(f) => {
                f.parse::<serde_json::Number>().map(Value::Number).unwrap_or_else(|_| Value::String(f.clone()))
            }
            NodeValue::Str(s) => Value::String(s.clone()),
            NodeValue::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Map(entries) => {
                Value::Object(entries.iter().map(|(k, v)| (k.scalar_text(), v.to_json())).collect())
            }
        }
    }

    /// A scalar's text (keys are usually strings but may be numbers).
    pub fn scalar_text(&self) -> String {
        match &self.value {
            NodeValue::Str(s) | NodeValue::Float(s) => s.clone(),
            NodeValue::Int(i) => i.to_string(),
            NodeValue::Bool(b) => b.to_string(),
            NodeValue::Null => String::from("null"),
            NodeValue::Seq(_) | NodeValue::Map(_) => String::from("<collection>"),
        }
    }
}

/// Converts the parser's character indices into byte offsets.
struct Offsets {
    /// byte offset of each char index; one extra entry for end of input.
    bytes: Vec<usize>,
}

impl Offsets {
    fn new(src: &str) -> Self {
        let mut bytes: Vec<usize> = src.char_indices().map(|(b, _)| b).collect();
        bytes.push(src.len());
        Self { bytes }
    }

    fn byte(&self, char_index: usize) -> usize {
        self.bytes.get(char_index).copied().unwrap_or_else(|| *self.bytes.last().unwrap_or(&0))
    }

    fn range(&self, span: &Span) -> Range<usize> {
        self.byte(span.start.index())..self.byte(span.end.index())
    }
}

enum Frame {
    Seq { start: usize, items: Vec<Node>, anchor: usize },
    Map { start: usize, entries: Vec<(Node, Node)>, pending_key: Option<Node>, anchor: usize },
}

/// Parses one YAML document. Duplicate keys are reported (YAML forbids them and
/// a silent "last one wins" would hide a duplicated resource) but parsing goes on.
pub fn parse(src: &str) -> Result<(Node, Vec<SpecDiagnostic>), SpecDiagnostic> {
    let offsets = Offsets::new(src);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut warnings = Vec::new();

    for item in Parser::new_from_str(src) {
        let (event, span) = item.map_err(|e| {
            let at = offsets.byte(e.marker().index());
            SpecDiagnostic::new("spec::yaml-syntax", at..at, format!("invalid YAML: {}", e.info()))
                .label("the YAML parser stopped here")
                .hint("check the indentation and quoting around this point")
        })?;
        let node = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let range = offsets.range(&span);
                if let Some(tag) = &tag {
                    if tag.handle == "!" {
                        return Err(SpecDiagnostic::new(
                            "spec::yaml-tag",
                            range,
                            format!("the YAML tag `!{}` is not supported", tag.suffix),
                        )
                        .label("CloudFormation short-form function")
                        .hint("strata writes references as `${Name.Attribute}` inside strings, e.g. `VpcId: ${Vpc.VpcId}`"));
                    }
                }
                let node = Node { value: scalar_value(&text, style), span: range };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(n) => n.clone(),
                None => {
                    return Err(SpecDiagnostic::new("spec::yaml-syntax", offsets.range(&span), "unknown YAML alias"))
                }
            },
            Event::SequenceStart(anchor, tag) => {
                check_collection_tag(&tag, offsets.range(&span))?;
                stack.push(Frame::Seq { start: offsets.byte(span.start.index()), items: Vec::new(), anchor });
                continue;
            }
            Event::MappingStart(anchor, tag) => {
                check_collection_tag(&tag, offsets.range(&span))?;
                stack.push(Frame::Map {
                    start: offsets.byte(span.start.index()),
                    entries: Vec::new(),
                    pending_key: None,
                    anchor,
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = offsets.byte(span.end.index());
                let (node, anchor) = match stack.pop() {
                    Some(Frame::Seq { start, items, anchor }) => {
                        let end = items.last().map_or(end, |n| n.span.end.max(start));
                        (Node { value: NodeValue::Seq(items), span: start..end.max(start) }, anchor)
                    }
                    Some(Frame::Map { start, entries, anchor, .. }) => {
                        let end = entries.last().map_or(end, |(_, v)| v.span.end.max(start));
                        (Node { value: NodeValue::Map(entries), span: start..end.max(start) }, anchor)
                    }
                    None => continue,
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {
                continue
            }
        };
        match stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, pending_key, .. }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => {
                    if let Some((first, _)) = entries.iter().find(|(k, _)| k.value == key.value) {
                        warnings.push(
                            SpecDiagnostic::new(
                                "spec::duplicate-key",
                                key.span.clone(),
                                format!("`{}` is defined twice in the same mapping", key.scalar_text()),
                            )
                            .label("second definition")
                            .hint(format!(
                                "it is first defined on line {}; rename or remove one of them",
                                src[..first.span.start.min(src.len())].matches('\n').count() + 1
                            )),
                        );
                    } else {
                        entries.push((key, node));
                    }
                }
            },
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
        }
    }
    let root = root.unwrap_or(Node { value: NodeValue::Null, span: 0..0 });
    Ok((root, warnings))
}

fn check_collection_tag(tag: &Option<Cow<'_, saphyr_parser::Tag>>, range: Range<usize>) -> Result<(), SpecDiagnostic> {
    match tag {
        Some(t) if t.handle == "!" => {
            Err(SpecDiagnostic::new("spec::yaml-tag", range, format!("the YAML tag `!{}` is not supported", t.suffix))
                .label("CloudFormation short-form function")
                .hint("strata writes references as `${Name.Attribute}` inside strings"))
        }
        _ => Ok(()),
    }
}

/// YAML 1.2 core schema resolution for plain scalars; quoted scalars are strings.
fn scalar_value(text: &str, style: ScalarStyle) -> NodeValue {
    if style != ScalarStyle::Plain {
        return NodeValue::Str(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        "true" | "True" | "TRUE" => return NodeValue::Bool(true),
        "false" | "False" | "FALSE" => return NodeValue::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return NodeValue::Int(i);
    }
    let looks_numeric = text.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && text.chars().any(|c| c.is_ascii_digit());
    if looks_numeric && text.parse::<f64>().is_ok() {
        return NodeValue::Float(text.to_owned());
    }
    NodeValue::Str(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_scalars() {
        let src = "a: 1\nb:\n  c: hello\n";
        let (root, warnings) = parse(src).unwrap();
        assert!(warnings.is_empty());
        let c = root.get("b").unwrap().get("c").unwrap();
        assert_eq!(&src[c.span.clone()], "hello");
        assert_eq!(root.get("a").unwrap().value, NodeValue::Int(1));
    }

    #[test]
    fn multibyte_characters_keep_byte_offsets() {
        let src = "name: \"héllo wörld\"\nnext: x\n";
        let (root, _) = parse(src).unwrap();
        let next = root.get("next").unwrap();
        assert_eq!(&src[next.span.clone()], "x");
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let (_, warnings) = parse("a: 1\na: 2\n").unwrap();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].code, "spec::duplicate-key");
    }

    #[test]
    fn short_form_tags_get_a_hint() {
        let err = parse("a: !Ref Vpc\n").unwrap_err();
        assert_eq!(err.code, "spec::yaml-tag");
    }

    #[test]
    fn quoted_numbers_stay_strings() {
        let (root, _) = parse("a: \"123\"\nb: 1.5\n").unwrap();
        assert_eq!(root.get("a").unwrap().value, NodeValue::Str("123".into()));
        assert_eq!(root.get("b").unwrap().value, NodeValue::Float("1.5".into()));
    }
}
