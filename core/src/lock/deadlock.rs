//! Cycle detection on the exact, global wait-for graph.
//!
//! The whole lock table lives in one replicated state machine, so the graph is exact: no
//! distributed detection protocol is needed. Nodes are clients (a client has at most one pending
//! request, so "client waits" and "request waits" are the same thing). The search is an
//! iterative DFS over `BTreeMap`s, so every replica finds the same cycle first.

use std::collections::{BTreeMap, BTreeSet};

use crate::sim::ActorId;

/// Adjacency: `waiter -> {blockers}`.
pub type WaitForGraph = BTreeMap<ActorId, BTreeSet<ActorId>>;

/// Builds the adjacency map from `(waiter, blocker, resource)` edges.
pub fn graph_from_edges(edges: &[(ActorId, ActorId, String)]) -> WaitForGraph {
    let mut graph = WaitForGraph::new();
    for (waiter, blocker, _) in edges {
        graph.entry(*waiter).or_default().insert(*blocker);
    }
    graph
}

/// The first cycle found (nodes in path order), or `None` if the graph is acyclic.
pub fn find_cycle(graph: &WaitForGraph) -> Option<Vec<ActorId>> {
    // 0 = unvisited, 1 = on the current DFS path, 2 = finished.
    let mut colour: BTreeMap<ActorId, u8> = BTreeMap::new();
    for &start in graph.keys() {
        if colour.get(&start).copied().unwrap_or(0) != 0 {
            continue;
        }
        // Stack of (node, remaining successors) so the walk needs no recursion.
        let mut path: Vec<ActorId> = vec![start];
        let mut stack: Vec<Vec<ActorId>> = vec![successors(graph, start)];
        colour.insert(start, 1);
        while let Some(next) = stack.last_mut() {
            match next.pop() {
                Some(succ) => match colour.get(&succ).copied().unwrap_or(0) {
                    0 => {
                        colour.insert(succ, 1);
                        path.push(succ);
                        stack.push(successors(graph, succ));
                    }
                    1 => {
                        let at = path.iter().position(|&n| n == succ).unwrap_or(0);
                        return Some(path[at..].to_vec());
                    }
                    _ => {}
                },
                None => {
                    stack.pop();
                    if let Some(done) = path.pop() {
                        colour.insert(done, 2);
                    }
                }
            }
        }
    }
    None
}

/// Successors in reverse order, so that `pop()` visits them in ascending order.
fn successors(graph: &WaitForGraph, node: ActorId) -> Vec<ActorId> {
    graph
        .get(&node)
        .map(|s| s.iter().rev().copied().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(list: &[(ActorId, ActorId)]) -> WaitForGraph {
        let e: Vec<_> = list.iter().map(|&(a, b)| (a, b, "r".to_string())).collect();
        graph_from_edges(&e)
    }

    #[test]
    fn acyclic_graphs_have_no_cycle() {
        assert_eq!(find_cycle(&edges(&[])), None);
        assert_eq!(find_cycle(&edges(&[(1, 2), (2, 3), (1, 3)])), None);
    }

    #[test]
    fn finds_two_and_three_cycles() {
        assert_eq!(find_cycle(&edges(&[(1, 2), (2, 1)])), Some(vec![1, 2]));
        let c = find_cycle(&edges(&[(5, 1), (1, 2), (2, 3), (3, 1)])).unwrap();
        assert_eq!(c.len(), 3);
        assert!(c.contains(&1) && c.contains(&2) && c.contains(&3));
    }
}
