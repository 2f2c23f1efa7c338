//! The OpenAPI document and the router describe the same routes, and the
//! document's enums match the code's.

use std::collections::BTreeSet;

use saphyr_parser::{Event, Parser};
use scheduler_manager::routes::ROUTES;

/// Just enough of a YAML tree for these checks.
#[derive(Debug)]
enum Node {
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn keys(&self) -> Vec<&str> {
        match self {
            Node::Map(entries) => entries.iter().map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        }
    }
    fn strings(&self) -> Vec<&str> {
        match self {
            Node::Seq(items) => items
                .iter()
                .filter_map(|n| match n {
                    Node::Scalar(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

fn load(text: &str) -> Node {
    let mut events = Parser::new_from_str(text).map(|e| e.expect("valid YAML").0);
    fn node<'a>(first: Event<'a>, events: &mut impl Iterator<Item = Event<'a>>) -> Node {
        match first {
            Event::Scalar(value, ..) => Node::Scalar(value.into_owned()),
            Event::SequenceStart(..) => {
                let mut items = Vec::new();
                loop {
                    match events.next().expect("sequence end") {
                        Event::SequenceEnd => return Node::Seq(items),
                        event => items.push(node(event, events)),
                    }
                }
            }
            Event::MappingStart(..) => {
                let mut entries = Vec::new();
                loop {
                    match events.next().expect("mapping end") {
                        Event::MappingEnd => return Node::Map(entries),
                        Event::Scalar(key, ..) => {
                            let value = node(events.next().expect("value"), events);
                            entries.push((key.into_owned(), value));
                        }
                        other => panic!("unsupported key {other:?}"),
                    }
                }
            }
            other => panic!("unsupported YAML {other:?}"),
        }
    }
    loop {
        match events.next().expect("a document") {
            Event::StreamStart | Event::DocumentStart(_) => continue,
            event => return node(event, &mut events),
        }
    }
}

fn document() -> Node {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml");
    load(&std::fs::read_to_string(path).expect("openapi.yaml"))
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

#[test]
fn the_document_and_the_router_list_the_same_routes() {
    let doc = document();
    let Some(Node::Scalar(version)) = doc.get("openapi") else { panic!("no openapi version") };
    assert!(version.starts_with("3.1"), "{version}");

    let paths = doc.get("paths").expect("paths");
    let documented: BTreeSet<(String, String)> = paths
        .keys()
        .into_iter()
        .flat_map(|path| {
            paths
                .get(path)
                .unwrap()
                .keys()
                .into_iter()
                .filter(|k| METHODS.contains(k))
                .map(move |method| (method.to_uppercase(), path.to_owned()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> =
        ROUTES.iter().map(|r| (r.method.to_owned(), r.template.to_owned())).collect();
    assert_eq!(documented, routed);
}

#[test]
fn the_documented_enums_are_the_codes() {
    let doc = document();
    let schemas = doc.get("components").and_then(|c| c.get("schemas")).expect("schemas");
    let enum_of = |name: &str| -> BTreeSet<String> {
        schemas.get(name).and_then(|s| s.get("enum")).expect(name).strings().into_iter().map(str::to_owned).collect()
    };
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(enum_of("GadgetType"), set(&acme_core::catalogue::gadget_type_names()));
    assert_eq!(enum_of("Priority"), set(acme_core::model::Priority::NAMES));
    assert_eq!(enum_of("OrderStatus"), set(acme_core::model::OrderStatus::NAMES));
}
