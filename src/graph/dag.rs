//! The resource dependency graph: petgraph `DiGraph` with an edge from each
//! dependency to its dependent, a deterministic topological order, cycle
//! reports with the whole path, and DOT output.
//!
//! The graph knows names and edges only, not the spec, so the planner (which
//! builds it from state) and the validator (from the spec) share it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt::Write as _;
use std::ops::Range;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::Direction;

/// A node to add: its name, a label (the resource type) and the names it depends
/// on, each with the source span where the dependency was written (or 0..0).
pub struct NodeSpec<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub depends_on: Vec<(&'a str, Range<usize>)>,
}

#[derive(Debug, Clone)]
pub struct ResourceGraph {
    graph: DiGraph<(String, String), Range<usize>>,
    index: HashMap<String, NodeIndex>,
}

/// A dependency cycle, as the chain of "depends on" from its first member back
/// to itself: `path = [a, b, c, a]` means a needs b, b needs c, c needs a.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub path: Vec<String>,
    /// Where the last link (back to `path[0]`) was written.
    pub closing_span: Range<usize>,
}

impl Cycle {
    pub fn describe(&self) -> String {
        self.path.join(" → ")
    }
}

impl ResourceGraph {
    /// Builds the graph; dependencies on unknown names are ignored (the
    /// validator reports them).
    pub fn build<'a>(nodes: impl IntoIterator<Item = NodeSpec<'a>>) -> Self {
        let nodes: Vec<NodeSpec<'a>> = nodes.into_iter().collect();
        let mut graph = DiGraph::with_capacity(nodes.len(), nodes.len() * 2);
        let mut index = HashMap::with_capacity(nodes.len());
        for n in &nodes {
            let i = graph.add_node((n.name.to_owned(), n.label.to_owned()));
            index.insert(n.name.to_owned(), i);
        }
        // `update_edge` would look for an existing edge among all of the
        // dependency's edges: quadratic for a VPC with 50,000 subnets. A
        // repeated dependency can only come from the same node's list, so
        // duplicates are found there (the last span wins, as before).
        let mut added: HashMap<NodeIndex, EdgeIndex> = HashMap::new();
        for n in &nodes {
            let dependent = index[n.name];
            added.clear();
            for (dep, span) in &n.depends_on {
                let Some(&dependency) = index.get(*dep) else { continue };
                match added.get(&dependency) {
                    Some(&edge) => graph[edge] = span.clone(),
                    None => {
                        added.insert(dependency, graph.add_edge(dependency, dependent, span.clone()));
                    }
                }
            }
        }
        Self { graph, index }
    }

    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    fn name(&self, i: NodeIndex) -> &str {
        &self.graph[i].0
    }

    /// Names `name` directly depends on.
    pub fn dependencies(&self, name: &str) -> Vec<&str> {
        self.neighbours(name, Direction::Incoming)
    }

    /// Names that directly depend on `name`.
    pub fn dependents(&self, name: &str) -> Vec<&str> {
        self.neighbours(name, Direction::Outgoing)
    }

    fn neighbours(&self, name: &str, dir: Direction) -> Vec<&str> {
        let Some(&i) = self.index.get(name) else {
            return Vec::new();
        };
        let mut v: Vec<NodeIndex> = self.graph.neighbors_directed(i, dir).collect();
        v.sort();
        v.into_iter().map(|n| self.name(n)).collect()
    }

    /// Dependencies first; among nodes that are ready at the same time, the one
    /// declared first comes first, so the order is stable and reads like the
    /// spec. Errors with every cycle when there is one.
    pub fn topological_order(&self) -> Result<Vec<&str>, Vec<Cycle>> {
        let mut in_degree: Vec<usize> =
            self.graph.node_indices().map(|i| self.graph.neighbors_directed(i, Direction::Incoming).count()).collect();
        let mut ready: BinaryHeap<Reverse<NodeIndex>> =
            self.graph.node_indices().filter(|i| in_degree[i.index()] == 0).map(Reverse).collect();
        let mut order = Vec::with_capacity(self.len());
        while let Some(Reverse(i)) = ready.pop() {
            order.push(self.name(i));
            for next in self.graph.neighbors_directed(i, Direction::Outgoing) {
                in_degree[next.index()] -= 1;
                if in_degree[next.index()] == 0 {
                    ready.push(Reverse(next));
                }
            }
        }
        if order.len() == self.len() {
            Ok(order)
        } else {
            Err(self.cycles())
        }
    }

    /// Reverse topological order: dependents before their dependencies, the
    /// order deletes must run in.
    pub fn reverse_topological_order(&self) -> Result<Vec<&str>, Vec<Cycle>> {
        let mut order = self.topological_order()?;
        order.reverse();
        Ok(order)
    }

    /// One cycle per strongly connected component that has one.
    pub fn cycles(&self) -> Vec<Cycle> {
        let mut cycles: Vec<Cycle> = tarjan_scc(&self.graph)
            .into_iter()
            .filter(|scc| scc.len() > 1 || self.graph.contains_edge(scc[0], scc[0]))
            .filter_map(|scc| self.cycle_in(&scc))
            .collect();
        cycles.sort_by(|a, b| a.path.cmp(&b.path));
        cycles
    }

    /// Finds a concrete cycle through the first-declared member of `scc`,
    /// following "depends on" edges (incoming edges of this graph).
    fn cycle_in(&self, scc: &[NodeIndex]) -> Option<Cycle> {
        let start = *scc.iter().min()?;
        let in_scc = |n: NodeIndex| scc.contains(&n);
        // Breadth-first search for the shortest way back to `start`.
        let mut previous: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(current) = queue.pop_front() {
            let mut deps: Vec<NodeIndex> =
                self.graph.neighbors_directed(current, Direction::Incoming).filter(|n| in_scc(*n)).collect();
            deps.sort();
            for dep in deps {
                if dep == start {
                    let mut path = vec![current];
                    let mut at = current;
                    while let Some(&p) = previous.get(&at) {
                        path.push(p);
                        at = p;
                    }
                    path.reverse();
                    let closing_span =
                        self.graph.find_edge(start, current).map(|e| self.graph[e].clone()).unwrap_or(0..0);
                    let mut names: Vec<String> = path.iter().map(|i| self.name(*i).to_owned()).collect();
                    if names.first().map(String::as_str) != Some(self.name(start)) {
                        names.insert(0, self.name(start).to_owned());
                    }
                    names.push(self.name(start).to_owned());
                    return Some(Cycle { path: names, closing_span });
                }
                if dep != start && !previous.contains_key(&dep) {
                    previous.insert(dep, current);
                    queue.push_back(dep);
                }
            }
        }
        None
    }

    /// Graphviz DOT: one box per resource labelled with its type, an arrow from
    /// each resource to what it depends on (as `terraform graph` draws them).
    pub fn to_dot(&self, title: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "digraph {} {{", quote(title));
        let _ = writeln!(out, "  rankdir=LR;");
        let _ = writeln!(out, "  node [shape=box, fontname=\"Helvetica\"];");
        for i in self.graph.node_indices() {
            let (name, label) = &self.graph[i];
            let _ = writeln!(out, "  {} [label={}];", quote(name), quote(&format!("{name}\n{label}")));
        }
        let mut edges: Vec<(NodeIndex, NodeIndex)> =
            self.graph.edge_indices().filter_map(|e| self.graph.edge_endpoints(e)).collect();
        edges.sort_by_key(|(dependency, dependent)| (*dependent, *dependency));
        for (dependency, dependent) in edges {
            let _ = writeln!(out, "  {} -> {};", quote(self.name(dependent)), quote(self.name(dependency)));
        }
        out.push_str("}\n");
        out
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&'static str, &[&'static str])]) -> ResourceGraph {
        ResourceGraph::build(edges.iter().map(|(n, deps)| NodeSpec {
            name: n,
            label: "T",
            depends_on: deps.iter().map(|d| (*d, 0..0)).collect(),
        }))
    }

    #[test]
    fn dependencies_come_first_and_ties_follow_declaration_order() {
        let g = graph(&[("Subnet", &["Vpc"]), ("Vpc", &[]), ("Key", &[]), ("Table", &["Key"])]);
        assert_eq!(g.topological_order().unwrap(), vec!["Vpc", "Subnet", "Key", "Table"]);
        assert_eq!(g.reverse_topological_order().unwrap(), vec!["Table", "Key", "Subnet", "Vpc"]);
    }

    #[test]
    fn cycle_is_reported_with_its_whole_path() {
        let g = graph(&[("A", &["B"]), ("B", &["C"]), ("C", &["A"]), ("D", &[])]);
        let cycles = g.topological_order().unwrap_err();
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].describe(), "A → B → C → A");
    }

    #[test]
    fn two_separate_cycles_are_both_reported() {
        let g = graph(&[("A", &["B"]), ("B", &["A"]), ("C", &["D"]), ("D", &["C"])]);
        let cycles = g.cycles();
        assert_eq!(cycles.iter().map(Cycle::describe).collect::<Vec<_>>(), vec!["A → B → A", "C → D → C"]);
    }

    #[test]
    fn a_repeated_dependency_is_one_edge_with_the_last_span() {
        let g = ResourceGraph::build([
            NodeSpec { name: "Vpc", label: "T", depends_on: vec![] },
            NodeSpec { name: "Subnet", label: "T", depends_on: vec![("Vpc", 1..2), ("Vpc", 3..4), ("Nope", 5..6)] },
        ]);
        assert_eq!(g.dependencies("Subnet"), vec!["Vpc"]);
        assert_eq!(g.graph.edge_count(), 1);
        assert_eq!(g.graph.edge_weights().next(), Some(&(3..4)));
    }

    #[test]
    fn dot_draws_an_arrow_to_each_dependency() {
        let g = graph(&[("Vpc", &[]), ("Subnet", &["Vpc"])]);
        let dot = g.to_dot("s");
        assert!(dot.contains("\"Subnet\" -> \"Vpc\";"), "{dot}");
    }
}
