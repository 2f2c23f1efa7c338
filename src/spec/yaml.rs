//! A YAML document as a tree of nodes that remember where they came from.
//!
//! serde-style deserialisation stops at the first error and forgets positions;
//! the validator needs every node's byte range to point diagnostics into the
//! file and must keep going after a bad value. So the parser's event stream
//! (saphyr-parser) is folded into this small tree instead.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
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

    /// The value under `key` in a map node, to take it out of the tree.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            NodeValue::Map(entries) => entries.iter_mut().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The node, leaving a null with the same span in its place.
    pub fn take(&mut self) -> Node {
        let span = self.span.clone();
        std::mem::replace(self, Node { value: NodeValue::Null, span })
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
///
/// Sparse on purpose: only multibyte characters are recorded, so a spec of
/// plain ASCII (nearly all of them) costs no memory here, where one `usize`
/// per character would cost eight times the file size.
struct Offsets {
    /// For each multibyte character: its char index, and the extra bytes
    /// (beyond one per character) up to and including it.
    multibyte: Vec<(usize, usize)>,
    len: usize,
}

impl Offsets {
    fn new(src: &str) -> Self {
        let mut multibyte = Vec::new();
        let mut extra = 0;
        for (index, c) in src.chars().enumerate() {
            if c.len_utf8() > 1 {
                extra += c.len_utf8() - 1;
                multibyte.push((index, extra));
            }
        }
        Self { multibyte, len: src.len() }
    }

    fn byte(&self, char_index: usize) -> usize {
        let before = self.multibyte.partition_point(|(c, _)| *c < char_index);
        let extra = before.checked_sub(1).map_or(0, |i| self.multibyte[i].1);
        (char_index + extra).min(self.len)
    }

    fn range(&self, span: &Span) -> Range<usize> {
        self.byte(span.start.index())..self.byte(span.end.index())
    }
}

/// The largest spec file strata reads. Real stacks are a few hundred KiB,
/// but a 100,000-resource stack (issue #14 plans those in seconds) is 18-43
/// MB of YAML; past 64 MiB a file is a mistake or an attack, and the tree
/// built from it would cost several times its size in memory.
pub const MAX_SPEC_BYTES: usize = 64 * 1024 * 1024;

/// The deepest nesting of collections accepted. Real specs nest about a dozen
/// levels (Resources > Fn > Properties > Policy > Statement > Condition ...);
/// the tree is dropped and walked recursively, so depth must stay bounded.
pub const MAX_DEPTH: usize = 64;

/// How many nodes all aliases of a file may copy in total. Each alias copies
/// its anchor's whole subtree, so nine aliases of nine aliases ... ("billion
/// laughs") grow exponentially from a few hundred bytes; counting the copies
/// stops that before the memory is spent. Shared tag or policy blocks in
/// real specs copy a few thousand nodes at most.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// A collection being built, with the number of nodes inside it so far.
enum Frame {
    Seq {
        start: usize,
        items: Vec<Node>,
        anchor: usize,
        size: usize,
    },
    Map {
        start: usize,
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
        anchor: usize,
        size: usize,
        /// Index in `entries` of each scalar key once the mapping has
        /// [`INDEXED_FROM`] entries, so finding a duplicate is not a scan of
        /// a large mapping (quadratic); a small one is scanned, which costs
        /// less than a map per mapping (a million of them in a large stack).
        seen: Option<HashMap<(u8, String), usize>>,
    },
}

impl Frame {
    fn size_mut(&mut self) -> &mut usize {
        match self {
            Frame::Seq { size, .. } | Frame::Map { size, .. } => size,
        }
    }
}

/// Folds parser events into a [`Node`] tree, enforcing the limits above.
struct Builder {
    offsets: Offsets,
    stack: Vec<Frame>,
    /// Anchored nodes by anchor id, with their node counts.
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes copied by aliases so far (see [`MAX_ALIAS_NODES`]).
    alias_nodes: usize,
    documents: usize,
    root: Option<Node>,
    warnings: Vec<SpecDiagnostic>,
    /// Byte offset of each line start, for "first defined on line N".
    line_starts: Vec<usize>,
}

/// Parses one YAML document. Duplicate keys are reported (YAML forbids them and
/// a silent "last one wins" would hide a duplicated resource) but parsing goes on.
/// A second document, nesting deeper than [`MAX_DEPTH`], aliases copying more
/// than [`MAX_ALIAS_NODES`] nodes and text over [`MAX_SPEC_BYTES`] are errors.
pub fn parse(src: &str) -> Result<(Node, Vec<SpecDiagnostic>), SpecDiagnostic> {
    if src.len() > MAX_SPEC_BYTES {
        return Err(too_large(src.len()));
    }
    let mut builder = Builder {
        offsets: Offsets::new(src),
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        documents: 0,
        root: None,
        warnings: Vec::new(),
        line_starts: std::iter::once(0).chain(src.match_indices('\n').map(|(i, _)| i + 1)).collect(),
    };
    for item in Parser::new_from_str(src) {
        let (event, span) = item.map_err(|e| {
            let at = builder.offsets.byte(e.marker().index());
            if e.info() == "recursion limit exceeded" {
                // The scanner looks ahead through flow collections and stops
                // itself at 255 levels, before the parser reaches ours.
                return too_deep(at..at, None);
            }
            SpecDiagnostic::new("spec::yaml-syntax", at..at, format!("invalid YAML: {}", e.info()))
                .label("the YAML parser stopped here")
                .hint("check the indentation and quoting around this point")
        })?;
        builder.event(event, &span)?;
    }
    let root = builder.root.unwrap_or(Node { value: NodeValue::Null, span: 0..0 });
    Ok((root, builder.warnings))
}

/// The diagnostic for a spec over [`MAX_SPEC_BYTES`].
pub fn too_large(len: usize) -> SpecDiagnostic {
    SpecDiagnostic::new(
        "spec::too-large",
        0..0,
        format!(
            "the spec is {len} bytes; strata reads spec files of at most {MAX_SPEC_BYTES} bytes ({} MiB)",
            MAX_SPEC_BYTES / (1024 * 1024)
        ),
    )
    .label("this file")
    .hint("split the stack, or check that this is the file you meant")
}

/// The diagnostic for nesting past [`MAX_DEPTH`]; `level` when known.
fn too_deep(range: Range<usize>, level: Option<usize>) -> SpecDiagnostic {
    let label = match level {
        Some(level) => format!("level {level} starts here"),
        None => String::from("the nesting is too deep here"),
    };
    SpecDiagnostic::new("spec::yaml-too-deep", range, format!("the YAML nests deeper than {MAX_DEPTH} levels"))
        .label(label)
        .hint("stack specs nest a dozen levels or so; check for unbalanced brackets or runaway indentation")
}

impl Builder {
    /// Takes one parser event; a finished node is attached to its parent.
    fn event(&mut self, event: Event<'_>, span: &Span) -> Result<(), SpecDiagnostic> {
        let (node, size) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let range = self.offsets.range(span);
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
                let node = Node { value: scalar_value(text, style), span: range };
                self.remember(anchor, &node, 1);
                (node, 1)
            }
            Event::Alias(id) => self.alias(id, span)?,
            Event::SequenceStart(anchor, tag) => {
                check_collection_tag(&tag, self.offsets.range(span))?;
                self.check_depth(span)?;
                let start = self.offsets.byte(span.start.index());
                self.stack.push(Frame::Seq { start, items: Vec::new(), anchor, size: 0 });
                return Ok(());
            }
            Event::MappingStart(anchor, tag) => {
                check_collection_tag(&tag, self.offsets.range(span))?;
                self.check_depth(span)?;
                let start = self.offsets.byte(span.start.index());
                self.stack.push(Frame::Map {
                    start,
                    entries: Vec::new(),
                    pending_key: None,
                    anchor,
                    size: 0,
                    seen: None,
                });
                return Ok(());
            }
            Event::SequenceEnd | Event::MappingEnd => match self.close(span) {
                Some(done) => done,
                None => return Ok(()),
            },
            Event::DocumentStart(_) => return self.document_start(span),
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => return Ok(()),
        };
        self.attach(node, size);
        Ok(())
    }

    /// A copy of the anchored node, counted against [`MAX_ALIAS_NODES`]
    /// before it is made, so a bomb is refused without spending the memory.
    fn alias(&mut self, id: usize, span: &Span) -> Result<(Node, usize), SpecDiagnostic> {
        let range = self.offsets.range(span);
        let Some((node, size)) = self.anchors.get(&id) else {
            return Err(SpecDiagnostic::new("spec::yaml-syntax", range, "unknown YAML alias"));
        };
        self.alias_nodes = self.alias_nodes.saturating_add(*size);
        if self.alias_nodes > MAX_ALIAS_NODES {
            return Err(SpecDiagnostic::new(
                "spec::yaml-alias-limit",
                range,
                format!("YAML aliases expand to more than {MAX_ALIAS_NODES} nodes"),
            )
            .label(format!("this alias copies {size} nodes, past the limit"))
            .hint("each alias copies its anchor's whole subtree; aliases of aliases grow exponentially (a \"billion laughs\" document). Write the values out, or share less"));
        }
        Ok((node.clone(), *size))
    }

    fn check_depth(&self, span: &Span) -> Result<(), SpecDiagnostic> {
        if self.stack.len() < MAX_DEPTH {
            return Ok(());
        }
        Err(too_deep(self.offsets.range(span), Some(self.stack.len() + 1)))
    }

    /// One document per file: a second one would be silently ignored
    /// otherwise, and with it whatever resources it declares.
    fn document_start(&mut self, span: &Span) -> Result<(), SpecDiagnostic> {
        self.documents += 1;
        if self.documents == 1 {
            return Ok(());
        }
        let at = self.offsets.byte(span.start.index());
        Err(SpecDiagnostic::new(
            "spec::yaml-multiple-documents",
            at..self.offsets.byte(span.end.index()).max(at),
            "the file holds more than one YAML document",
        )
        .label("a second document starts here")
        .hint("a stack spec is one YAML document: remove this `---` and what follows, or move it to a file of its own"))
    }

    /// Ends the innermost collection; None for an unbalanced end.
    fn close(&mut self, span: &Span) -> Option<(Node, usize)> {
        let end = self.offsets.byte(span.end.index());
        let (node, anchor, size) = match self.stack.pop()? {
            Frame::Seq { start, items, anchor, size } => {
                let end = items.last().map_or(end, |n| n.span.end.max(start));
                (Node { value: NodeValue::Seq(items), span: start..end.max(start) }, anchor, size + 1)
            }
            Frame::Map { start, entries, anchor, size, .. } => {
                let end = entries.last().map_or(end, |(_, v)| v.span.end.max(start));
                (Node { value: NodeValue::Map(entries), span: start..end.max(start) }, anchor, size + 1)
            }
        };
        self.remember(anchor, &node, size);
        Some((node, size))
    }

    fn remember(&mut self, anchor: usize, node: &Node, size: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
    }

    /// Puts a finished node into its parent (or makes it the root).
    fn attach(&mut self, node: Node, size: usize) {
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        *frame.size_mut() += size;
        match frame {
            Frame::Seq { items, .. } => items.push(node),
            Frame::Map { entries, pending_key, seen, .. } => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => {
                    if seen.is_none() && entries.len() >= INDEXED_FROM {
                        let index = entries.iter().enumerate().filter_map(|(i, (k, _))| Some((scalar_key(k)?, i)));
                        *seen = Some(index.collect());
                    }
                    // Scalar keys compare equal exactly when their
                    // `scalar_key`s do: same kind, same text.
                    let scanned = |entries: &[(Node, Node)]| entries.iter().position(|(k, _)| k.value == key.value);
                    let indexed = seen.as_mut().and_then(|seen| Some((seen, scalar_key(&key)?)));
                    let first = match indexed {
                        Some((seen, k)) => match seen.entry(k) {
                            Entry::Occupied(at) => Some(*at.get()),
                            Entry::Vacant(slot) => {
                                slot.insert(entries.len());
                                None
                            }
                        },
                        None => scanned(entries),
                    };
                    match first {
                        Some(i) => {
                            let first_line = self.line_starts.partition_point(|&s| s <= entries[i].0.span.start);
                            self.warnings.push(duplicate_key(&key, first_line));
                        }
                        None => entries.push((key, node)),
                    }
                }
            },
        }
    }
}

/// A scalar key as kind and text: equal exactly when the nodes' values are
/// equal. None for a collection used as a key (rare; compared by scanning).
/// Mappings with this many entries index their keys (see `Frame::Map`).
const INDEXED_FROM: usize = 16;

fn scalar_key(key: &Node) -> Option<(u8, String)> {
    match &key.value {
        NodeValue::Null => Some((0, String::new())),
        NodeValue::Bool(b) => Some((1, b.to_string())),
        NodeValue::Int(i) => Some((2, i.to_string())),
        NodeValue::Float(f) => Some((3, f.clone())),
        NodeValue::Str(s) => Some((4, s.clone())),
        NodeValue::Seq(_) | NodeValue::Map(_) => None,
    }
}

fn duplicate_key(key: &Node, first_line: usize) -> SpecDiagnostic {
    SpecDiagnostic::new(
        "spec::duplicate-key",
        key.span.clone(),
        format!("`{}` is defined twice in the same mapping", key.scalar_text()),
    )
    .label("second definition")
    .hint(format!("it is first defined on line {first_line}; rename or remove one of them"))
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
fn scalar_value(text: Cow<'_, str>, style: ScalarStyle) -> NodeValue {
    if style != ScalarStyle::Plain {
        return NodeValue::Str(text.into_owned());
    }
    match text.as_ref() {
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
        return NodeValue::Float(text.into_owned());
    }
    NodeValue::Str(text.into_owned())
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

    /// Small mappings are scanned, large ones indexed from INDEXED_FROM
    /// entries on: a duplicate is found either way, of every scalar kind,
    /// and keys equal as text but of different kinds are not duplicates.
    #[test]
    fn duplicates_are_found_in_small_and_large_mappings() {
        let mut src: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        src.push_str("k3: again\nk39: again\n1: int\n\"1\": str\n1: int again\ntrue: b\ntrue: b\n");
        let (root, warnings) = parse(&src).unwrap();
        let twice: Vec<String> = warnings.iter().map(|w| w.message.clone()).collect();
        assert_eq!(twice.len(), 4, "{twice:?}");
        for key in ["k3", "k39", "1", "true"] {
            assert!(twice.iter().any(|m| m.starts_with(&format!("`{key}` is defined twice"))), "{key}: {twice:?}");
        }
        assert_eq!(root.as_map().unwrap().len(), 40 + 3, "the first of each duplicate is kept");
        let (_, small) = parse("a: 1\nb: 2\n1: x\n\"1\": y\nb: 3\n").unwrap();
        assert_eq!(small.len(), 1, "only b");
    }

    #[test]
    fn short_form_tags_get_a_hint() {
        let err = parse("a: !Ref Vpc\n").unwrap_err();
        assert_eq!(err.code, "spec::yaml-tag");
    }

    /// The classic "billion laughs": nine aliases of nine aliases, nine
    /// levels deep, 9^9 strings from about 360 bytes.
    pub(crate) fn alias_bomb() -> String {
        let mut src = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (prev, name) in
            ["a", "b", "c", "d", "e", "f", "g", "h"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            let items = vec![format!("*{prev}"); 9].join(",");
            src.push_str(&format!("{name}: &{name} [{items}]\n"));
        }
        src
    }

    #[test]
    fn an_alias_bomb_is_refused_at_the_alias_that_passes_the_limit() {
        let src = alias_bomb();
        assert!(src.len() < 400, "{} bytes", src.len());
        let started = std::time::Instant::now();
        let err = parse(&src).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "took {:?}", started.elapsed());
        assert_eq!(err.code, "spec::yaml-alias-limit");
        assert_eq!(err.message, format!("YAML aliases expand to more than {MAX_ALIAS_NODES} nodes"));
        // a..e copy 74,718 nodes in all; the first `*e` (66,430 more) passes the limit.
        let line_f = src.find("f: ").unwrap();
        assert_eq!(&src[err.span.clone()], "*e");
        assert!(err.span.start > line_f && err.span.start < line_f + 12, "{:?}", err.span);
    }

    #[test]
    fn aliases_within_the_limit_are_copied() {
        let src = "base: &tags {team: acme, tier: data}\na: *tags\nb: *tags\n";
        let (root, warnings) = parse(src).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(root.get("b").unwrap().get("tier").unwrap().as_str(), Some("data"));
        assert_eq!(root.get("a").unwrap(), root.get("base").unwrap());
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused_without_overflowing_the_stack() {
        for src in ["[".repeat(100_000), "- ".repeat(100_000) + "x\n", "{a: ".repeat(100_000)] {
            let err = parse(&src).unwrap_err();
            assert_eq!(err.code, "spec::yaml-too-deep", "{}", err.message);
            assert_eq!(err.message, format!("the YAML nests deeper than {MAX_DEPTH} levels"));
        }
        // Located at the first collection past the limit (block nesting,
        // which the scanner does not cap itself).
        let err = parse(&("- ".repeat(100_000) + "x\n")).unwrap_err();
        assert_eq!(err.span.start, 2 * MAX_DEPTH);
    }

    #[test]
    fn nesting_at_the_limit_is_accepted() {
        let src = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let (mut node, _) = parse(&src).unwrap();
        for _ in 1..MAX_DEPTH {
            node = node.as_seq().unwrap()[0].clone();
        }
        assert_eq!(node.as_seq().unwrap()[0].value, NodeValue::Int(1));
    }

    #[test]
    fn a_second_document_is_an_error_located_at_its_start() {
        let src = "---\na: 1\n---\nb: 2\n";
        let err = parse(src).unwrap_err();
        assert_eq!(err.code, "spec::yaml-multiple-documents");
        assert_eq!(err.span.start, src.rfind("---").unwrap());
        // After an explicit end marker, too.
        let src = "a: 1\n...\nb: 2\n";
        let err = parse(src).unwrap_err();
        assert_eq!(err.code, "spec::yaml-multiple-documents");
        // One document with its optional markers is fine.
        assert!(parse("---\na: 1\n...\n").is_ok());
    }

    #[test]
    fn text_over_the_size_limit_is_refused() {
        let src = format!("a: \"{}\"\n", "x".repeat(MAX_SPEC_BYTES));
        let err = parse(&src).unwrap_err();
        assert_eq!(err.code, "spec::too-large");
    }

    #[test]
    fn byte_offsets_follow_multibyte_characters_anywhere_in_the_file() {
        let src = "a: \"é\"\nb: \"日本\"\nc: x\nd: \"🦀\"\ne: y\n";
        let (root, _) = parse(src).unwrap();
        assert_eq!(&src[root.get("c").unwrap().span.clone()], "x");
        assert_eq!(&src[root.get("e").unwrap().span.clone()], "y");
    }

    #[test]
    fn duplicate_keys_name_the_line_of_the_first() {
        let (_, warnings) = parse("x: 0\na: 1\nb: 2\na: 3\n").unwrap();
        assert_eq!(warnings[0].hint.as_deref(), Some("it is first defined on line 2; rename or remove one of them"));
    }

    #[test]
    fn quoted_numbers_stay_strings() {
        let (root, _) = parse("a: \"123\"\nb: 1.5\n").unwrap();
        assert_eq!(root.get("a").unwrap().value, NodeValue::Str("123".into()));
        assert_eq!(root.get("b").unwrap().value, NodeValue::Float("1.5".into()));
    }
}
