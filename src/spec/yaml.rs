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
    Map { start: usize, entries: Vec<(Node, Node)>, pending_key: Option<Node>, anchor: usize, keys: KeyIndex },
}

/// A scalar key in a form that can be hashed: its kind and its text, so
/// `1` (an integer) and `"1"` (a string) stay different keys, as `NodeValue`'s
/// equality has them.
#[derive(PartialEq, Eq, Hash)]
struct ScalarKey(u8, String);

impl ScalarKey {
    /// None for a collection used as a key (YAML allows it; specs never do).
    fn of(value: &NodeValue) -> Option<Self> {
        match value {
            NodeValue::Null => Some(ScalarKey(0, String::new())),
            NodeValue::Bool(b) => Some(ScalarKey(1, b.to_string())),
            NodeValue::Int(i) => Some(ScalarKey(2, i.to_string())),
            NodeValue::Float(f) => Some(ScalarKey(3, f.clone())),
            NodeValue::Str(s) => Some(ScalarKey(4, s.clone())),
            NodeValue::Seq(_) | NodeValue::Map(_) => None,
        }
    }
}

/// Finds an earlier entry with the same key, for the duplicate-key check.
///
/// A scan over the entries is quadratic in the size of a mapping, and the
/// `Resources` mapping of a large stack has 100,000 entries: past
/// [`KeyIndex::SCAN_LIMIT`] entries the scalar keys are hashed instead.
/// Small mappings (nearly all of them) keep the scan and allocate nothing.
#[derive(Default)]
struct KeyIndex {
    /// Scalar key -> position in the entries, once the mapping is large.
    hashed: Option<HashMap<ScalarKey, usize>>,
}

impl KeyIndex {
    /// Mappings up to this many entries are scanned.
    const SCAN_LIMIT: usize = 16;

    /// The position of an entry of `entries` whose key equals `key`.
    fn find(&mut self, entries: &[(Node, Node)], key: &Node) -> Option<usize> {
        if entries.len() < Self::SCAN_LIMIT {
            return entries.iter().position(|(k, _)| k.value == key.value);
        }
        let hashed = self.hashed.get_or_insert_with(|| {
            let mut map = HashMap::with_capacity(entries.len() * 2);
            for (i, (k, _)) in entries.iter().enumerate() {
                if let Some(sk) = ScalarKey::of(&k.value) {
                    map.entry(sk).or_insert(i);
                }
            }
            map
        });
        match ScalarKey::of(&key.value) {
            Some(sk) => hashed.get(&sk).copied(),
            None => entries.iter().position(|(k, _)| k.value == key.value),
        }
    }

    /// Records that `entries[position]` has `key`.
    fn added(&mut self, key: &Node, position: usize) {
        if let (Some(hashed), Some(sk)) = (self.hashed.as_mut(), ScalarKey::of(&key.value)) {
            hashed.entry(sk).or_insert(position);
        }
    }
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
                    keys: KeyIndex::default(),
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
            Some(Frame::Map { entries, pending_key, keys, .. }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => {
                    if let Some((first, _)) = keys.find(entries, &key).map(|i| &entries[i]) {
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
                        keys.added(&key, entries.len());
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

    /// Past the scan limit the keys are hashed: the same duplicates must be
    /// found, a string key must not collide with an integer of the same text,
    /// and the first definition (not the second) is the one kept.
    #[test]
    fn duplicate_keys_are_reported_in_large_mappings() {
        let mut src: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        src.push_str("k3: again\n7: int\n\"7\": text\nk39: again\nk0: again\n");
        let (root, warnings) = parse(&src).unwrap();
        let duplicated: Vec<&str> = warnings.iter().map(|w| &src[w.span.clone()]).collect();
        assert_eq!(duplicated, ["k3", "k39", "k0"], "{warnings:?}");
        assert!(warnings[0].hint.as_deref().unwrap().contains("line 4"), "{:?}", warnings[0].hint);
        assert_eq!(root.get("k3").unwrap().value, NodeValue::Int(3));
        assert_eq!(root.get("7").unwrap().value, NodeValue::Str("text".into()));
        assert_eq!(root.as_map().unwrap().len(), 42);
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
