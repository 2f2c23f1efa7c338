//! JSON pointers (`/Policies/0/PolicyDocument`) into a resource's `Properties`
//! node, so an error found on the JSON form of a spec (by AWS's schemas) is
//! reported at the exact YAML line and column it came from.

use std::ops::Range;

use super::yaml::{Node, NodeValue};

/// The decoded segments of a JSON pointer (`~1` is `/`, `~0` is `~`).
pub fn segments(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer.trim_start_matches('/').split('/').map(|s| s.replace("~1", "/").replace("~0", "~")).collect()
}

/// The node at `segments` under `root`, with the span of the mapping key that
/// names it (None for the root and for list items).
pub fn locate<'n>(root: &'n Node, segments: &[String]) -> Option<(&'n Node, Option<Range<usize>>)> {
    let mut node = root;
    let mut key_span = None;
    for segment in segments {
        match &node.value {
            NodeValue::Map(entries) => {
                let (key, value) = entries.iter().find(|(k, _)| k.scalar_text() == *segment)?;
                key_span = Some(key.span.clone());
                node = value;
            }
            NodeValue::Seq(items) => {
                node = items.get(segment.parse::<usize>().ok()?)?;
                key_span = None;
            }
            _ => return None,
        }
    }
    Some((node, key_span))
}

/// The deepest node on the path that exists: errors about something missing
/// point at the mapping that should hold it.
pub fn locate_nearest<'n>(root: &'n Node, segments: &[String]) -> (&'n Node, Option<Range<usize>>) {
    (0..=segments.len()).rev().find_map(|n| locate(root, &segments[..n])).unwrap_or((root, None))
}

/// `Policies[0].PolicyDocument`: the path as a reader of the YAML says it.
pub fn display(segments: &[String], root: &Node) -> String {
    let mut out = String::new();
    let mut node = Some(root);
    for segment in segments {
        let in_list = matches!(node.map(|n| &n.value), Some(NodeValue::Seq(_)));
        if in_list {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
        node = node.and_then(|n| locate(n, std::slice::from_ref(segment)).map(|(n, _)| n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::yaml;

    #[test]
    fn finds_nested_values_and_their_keys() {
        let src = "A:\n  B:\n    - x\n    - C: 7\n";
        let (root, _) = yaml::parse(src).unwrap();
        let segs = segments("/A/B/1/C");
        let (node, key) = locate(&root, &segs).unwrap();
        assert_eq!(&src[node.span.clone()], "7");
        assert_eq!(&src[key.unwrap()], "C");
        assert_eq!(display(&segs, &root), "A.B[1].C");
        let missing = segments("/A/Nope/X");
        assert_eq!(&src[locate_nearest(&root, &missing).1.unwrap()], "A");
    }

    #[test]
    fn decodes_escaped_segments() {
        assert_eq!(segments("/a~1b/c~0d"), vec!["a/b", "c~d"]);
        assert!(segments("").is_empty());
    }
}
