//! Deadlock detection on the exact wait-for graph.
//!
//! The whole lock table lives in one replicated state machine, so the graph is exact: no
//! distributed detection protocol is needed. Nodes are clients (a client has at most one pending
//! request, so "client waits" and "request waits" are the same thing).
//!
//! **Incremental search.** `apply` never builds the graph. The graph is acyclic after every
//! entry (induction): only queueing a request adds edges, all of them touching the new waiter
//! (its own edges, and the edges of ordinary waiters behind an upgrade that jumps ahead of
//! them); a grant turns a waiter into a holder that every waiter behind it already waited for;
//! everything else (release, expiry, timeout, a superseded request) only removes edges. So a
//! cycle, if any, runs through the new waiter, and the new waiter has the highest log index of
//! all queued requests, so "abort the youngest request of the cycle" always picks it, whichever
//! cycle is found. One DFS from the new waiter, over edges read on demand from the queues,
//! decides; once it is aborted the graph is acyclic again.
//!
//! `graph_from_edges` + `find_cycle` remain for whole-graph views (UI, tests).

use std::collections::{BTreeMap, BTreeSet};

use super::table::{LockTable, Out, ResourceState};
use super::types::LockOutput;
use crate::raft::RequestId;
use crate::sim::{ActorId, Time};

/// The clients the waiter at `queue[k]` of `state` waits for (may repeat a client): every
/// incompatible holder and every incompatible waiter ahead of it; an upgrade waits for all
/// other holders. Self-edges (an upgrader's own shared holding) are left out.
pub(super) fn blockers(state: &ResourceState, k: usize) -> impl Iterator<Item = ActorId> + '_ {
    let w = &state.queue[k];
    let me = w.req.client;
    let holders = state
        .holders
        .iter()
        .filter(move |h| w.upgrade || !h.mode.compatible(w.mode))
        .map(|h| h.client);
    let ahead = state
        .queue
        .iter()
        .take(k)
        .filter(move |a| !a.mode.compatible(w.mode))
        .map(|a| a.req.client);
    holders.chain(ahead).filter(move |&c| c != me)
}

impl LockTable {
    /// `req` just queued on `resource`: if it closed a wait-for cycle it is the victim (see the
    /// module comment), gets `Deadlock`, and the waiters behind it get their chance.
    pub(super) fn break_deadlock(
        &mut self,
        req: RequestId,
        resource: &str,
        now: Time,
        out: &mut Out<'_>,
    ) {
        if !self.waits_for_itself(req.client) {
            return;
        }
        self.unqueue(resource, |w| w.req == req);
        out.send(req, LockOutput::Deadlock);
        self.grant_waiters(resource, now, out);
    }

    /// Whether `start` reaches itself over wait-for edges: a DFS that visits each client once
    /// and reads each visited waiter's edges from its one queue.
    fn waits_for_itself(&self, start: ActorId) -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start];
        while let Some(client) = stack.pop() {
            let Some(state) = self
                .waiting_on
                .get(&client)
                .and_then(|name| self.resources.get(name))
            else {
                continue; // Not waiting: no outgoing edges.
            };
            let Some(k) = state.queue.iter().position(|w| w.req.client == client) else {
                continue;
            };
            for blocker in blockers(state, k) {
                if blocker == start {
                    return true;
                }
                if seen.insert(blocker) {
                    stack.push(blocker);
                }
            }
        }
        false
    }
}

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
