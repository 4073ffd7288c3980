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

use crate::base::sorted::{SortedMap, SortedSet};

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
        // Nobody can wait for a client that holds nothing: it is not a holder, and a request
        // that just queued is last in its queue (an upgrade, the only one that jumps ahead,
        // holds the resource). The common case ends here without a search.
        if !self.holdings.contains_key(&start) {
            return false;
        }
        // Sorted, so membership is a binary search; small, so no tree allocation per node.
        let mut seen: Vec<ActorId> = Vec::new();
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
                if let Err(at) = seen.binary_search(&blocker) {
                    seen.insert(at, blocker);
                    stack.push(blocker);
                }
            }
        }
        false
    }
}

/// Adjacency: `waiter -> {blockers}`.
pub type WaitForGraph = SortedMap<ActorId, SortedSet<ActorId>>;

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
    let mut colour: SortedMap<ActorId, u8> = SortedMap::new();
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
    use super::super::harness::{acq, Harness};
    use super::super::types::{LockCmd, LockMode};
    use super::*;
    use crate::sim::{SimRng, MS};

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

    /// The indexes equal what a full scan of the queues and holdings computes.
    fn assert_indexes_match(t: &LockTable) {
        let mut waiting = SortedMap::new();
        let mut holdings = SortedMap::new();
        let mut deadlines = Vec::new();
        for (name, st) in &t.resources {
            for w in &st.queue {
                let twice = waiting.insert(w.req.client, name.clone());
                assert!(twice.is_none(), "client {} queued twice", w.req.client);
                deadlines.extend(w.deadline);
            }
            for h in &st.holders {
                *holdings.entry(h.client).or_insert(0u32) += 1;
                deadlines.extend(h.expires_at);
            }
        }
        deadlines.sort_unstable();
        assert_eq!(t.waiting_on, waiting, "waiting_on index");
        assert_eq!(t.holdings, holdings, "holdings index");
        assert_eq!(t.deadlines.all(), deadlines, "deadline index");
        assert_eq!(t.next_deadline(), deadlines.first().copied());
    }

    /// Random nested acquires (upgrades, try-locks, leases, timeouts, retries, superseded
    /// requests): after every entry the whole wait-for graph is acyclic (the induction the
    /// incremental search relies on), every `Deadlock` goes to the request just applied, and
    /// the indexes match a full scan. Returns the number of deadlocks seen.
    fn run_random(seed: u64) -> usize {
        let mut rng = SimRng::new(seed);
        let mut h = Harness::new();
        let mut held: SortedMap<ActorId, Vec<(String, u64)>> = SortedMap::new();
        let mut last: SortedMap<ActorId, LockCmd> = SortedMap::new();
        let mut deadlocks = 0;
        for _ in 0..300 {
            let t = h.time + rng.range_u64(0, 40) * MS;
            h.at(t);
            let client = 1 + rng.range_u64(0, 6) as ActorId;
            let roll = rng.range_u64(0, 100);
            let mine = held.entry(client).or_default();
            let (sender, replies) = if roll < 55 {
                let res = ["a", "b", "c"][rng.range_u64(0, 3) as usize];
                let mode = if rng.chance(0.5) {
                    LockMode::Shared
                } else {
                    LockMode::Exclusive
                };
                let wait = (!rng.chance(0.15)).then(|| rng.range_u64(50, 3_000));
                let lease = if rng.chance(0.3) {
                    rng.range_u64(100, 2_000)
                } else {
                    0
                };
                let cmd = acq(res, mode, wait, lease);
                last.insert(client, cmd.clone());
                (Some(client), h.send(client, cmd))
            } else if roll < 72 && !mine.is_empty() {
                let (res, lock_id) = mine.remove(rng.range_u64(0, mine.len() as u64) as usize);
                let cmd = LockCmd::Release {
                    resource: res,
                    lock_id,
                };
                last.insert(client, cmd.clone());
                (Some(client), h.send(client, cmd))
            } else if roll < 80 && last.contains_key(&client) {
                (Some(client), h.resend(client, last[&client].clone()))
            } else if roll < 85 {
                (None, h.apply(None, LockCmd::ExtendLeases { by_ms: 500 }))
            } else {
                (None, h.tick())
            };
            for r in &replies {
                match &r.output {
                    LockOutput::Granted {
                        resource, lock_id, ..
                    } => {
                        let list = held.entry(r.to.client).or_default();
                        if !list.iter().any(|(_, id)| id == lock_id) {
                            list.push((resource.clone(), *lock_id));
                        }
                    }
                    LockOutput::Deadlock => {
                        assert_eq!(Some(r.to.client), sender, "victim is the new waiter");
                        deadlocks += 1;
                    }
                    _ => {}
                }
            }
            let graph = graph_from_edges(&h.table.wait_for_edges());
            assert_eq!(find_cycle(&graph), None, "seed {seed}: a cycle survived");
            assert_indexes_match(&h.table);
        }
        deadlocks
    }

    #[test]
    fn incremental_detection_leaves_no_cycle_and_indexes_stay_exact() {
        let deadlocks: usize = (1..=40).map(run_random).sum();
        assert!(deadlocks > 0, "the random runs must exercise deadlocks");
    }
}
