//! The resource dependency graph: petgraph `DiGraph` with an edge from each
//! dependency to its dependent, a deterministic topological order, cycle
//! reports with the whole path, and the critical path (the longest
//! dependency chain). Pictures of it are drawn by `render::graph_dot`.
//!
//! The graph knows names and edges only, not the spec, so the planner (which
//! builds it from state) and the validator (from the spec) share it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
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

    /// Every node as (name, label), in the order they were added.
    pub fn nodes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.graph.node_indices().map(|i| (self.graph[i].0.as_str(), self.graph[i].1.as_str()))
    }

    /// Every edge as (dependent, dependency), ordered by dependent then
    /// dependency (their order of addition), so pictures are stable.
    pub fn edges(&self) -> Vec<(&str, &str)> {
        let mut edges: Vec<(NodeIndex, NodeIndex)> =
            self.graph.edge_indices().filter_map(|e| self.graph.edge_endpoints(e)).collect();
        edges.sort_by_key(|(dependency, dependent)| (*dependent, *dependency));
        edges.into_iter().map(|(dependency, dependent)| (self.name(dependent), self.name(dependency))).collect()
    }

    /// The chain of dependencies with the greatest total weight, first
    /// dependency first: with unbounded parallelism, no walk can finish
    /// sooner than this chain's operations one after another. A chain starts
    /// and ends at a node of positive weight (a resource the apply touches);
    /// ties go to the chain that ends first in topological order. Empty for
    /// a graph with a cycle or no weight at all.
    pub fn critical_path(&self, weight: impl Fn(&str) -> u64) -> Vec<&str> {
        let Ok(order) = self.topological_order() else {
            return Vec::new();
        };
        let mut total = vec![0u64; self.graph.node_count()];
        let mut previous: Vec<Option<NodeIndex>> = vec![None; self.graph.node_count()];
        let mut end: Option<NodeIndex> = None;
        for name in order {
            let i = self.index[name];
            // Longest chain into i: the heaviest dependency (the first one on ties).
            let best = self
                .graph
                .neighbors_directed(i, Direction::Incoming)
                .filter(|d| total[d.index()] > 0)
                .max_by_key(|d| (total[d.index()], Reverse(*d)));
            previous[i.index()] = best;
            total[i.index()] = weight(name) + best.map_or(0, |d| total[d.index()]);
            if total[i.index()] > end.map_or(0, |e| total[e.index()]) {
                end = Some(i);
            }
        }
        let mut chain = Vec::new();
        let mut at = end;
        while let Some(i) = at {
            chain.push(self.name(i));
            at = previous[i.index()];
        }
        chain.reverse();
        chain
    }
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
    fn edges_go_from_dependent_to_dependency() {
        let g = graph(&[("Vpc", &[]), ("Subnet", &["Vpc"])]);
        assert_eq!(g.edges(), vec![("Subnet", "Vpc")]);
    }

    #[test]
    fn the_critical_path_is_the_heaviest_chain() {
        // Vpc -> Subnet -> Function is longer than Role -> Function by count.
        let g = graph(&[
            ("Vpc", &[]),
            ("Role", &[]),
            ("Subnet", &["Vpc"]),
            ("Function", &["Subnet", "Role"]),
            ("Logs", &[]),
        ]);
        assert_eq!(g.critical_path(|_| 1), vec!["Vpc", "Subnet", "Function"]);
        // Weighted: a slow role outweighs two quick network resources.
        assert_eq!(g.critical_path(|n| if n == "Role" { 10 } else { 1 }), vec!["Role", "Function"]);
        // Only what the apply touches counts; untouched ends are not part of it.
        assert_eq!(g.critical_path(|n| u64::from(n == "Subnet")), vec!["Subnet"]);
        assert!(g.critical_path(|_| 0).is_empty());
    }
}
