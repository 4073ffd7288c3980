//! Read-only views of the lock table for the API, the UI and the checkers.

use super::deadlock::blockers;
use super::table::{LockTable, ResourceState, WaitEntry};
use super::types::{Holder, LockMode, LockStatus};
use crate::sim::{ActorId, Time};

impl LockTable {
    /// The status of one resource (an unknown resource is simply unlocked).
    pub fn status(&self, resource: &str) -> LockStatus {
        LockStatus::of(resource, self.resources.get(resource))
    }

    /// One row per resource that has holders or waiters, in name order (the UI's lock table).
    pub fn resources(&self) -> Vec<LockStatus> {
        self.resources
            .iter()
            .map(|(name, st)| LockStatus::of(name, Some(st)))
            .collect()
    }

    /// Current holders of a resource, in grant order.
    pub fn holders(&self, resource: &str) -> &[Holder] {
        self.resources
            .get(resource)
            .map(|s| s.holders.as_slice())
            .unwrap_or(&[])
    }

    /// The fencing token the next grant will carry.
    pub fn next_fencing_token(&self) -> u64 {
        self.next_token.max(1)
    }

    /// The earliest lease or wait deadline, if any (drives `housekeeping`, so it reads the
    /// deadline index instead of scanning every holding and waiter).
    pub fn next_deadline(&self) -> Option<Time> {
        self.deadlines.first()
    }

    /// The exact wait-for graph as `(waiter, blocker, resource)` edges, sorted and deduplicated.
    /// For the UI only: `apply` never builds the whole graph (see `deadlock.rs`).
    ///
    /// A waiter waits for every incompatible holder and every incompatible waiter ahead of it in
    /// the queue (that is what keeps a reader behind a queued writer). An upgrade waits for the
    /// other holders. Self-edges (an upgrader's own shared holding) are left out.
    pub fn wait_for_edges(&self) -> Vec<(ActorId, ActorId, String)> {
        let mut edges = Vec::new();
        for (name, state) in &self.resources {
            for (k, w) in state.queue.iter().enumerate() {
                for blocker in blockers(state, k) {
                    edges.push((w.req.client, blocker, name.clone()));
                }
            }
        }
        crate::base::sort::sort_by(&mut edges, Ord::cmp);
        edges.dedup();
        edges
    }

    /// Number of queued requests over all resources.
    pub fn waiting_count(&self) -> usize {
        self.resources.values().map(|s| s.queue.len()).sum()
    }

    /// The mode a client holds on a resource, if any.
    pub fn held_by(&self, resource: &str, client: ActorId) -> Option<LockMode> {
        self.holders(resource)
            .iter()
            .find(|h| h.client == client)
            .map(|h| h.mode)
    }
}

impl LockStatus {
    pub(super) fn of(resource: &str, state: Option<&ResourceState>) -> LockStatus {
        let holders: Vec<Holder> = state.map(|s| s.holders.clone()).unwrap_or_default();
        LockStatus {
            resource: resource.to_string(),
            locked: !holders.is_empty(),
            mode: holders.iter().map(|h| h.mode).max(),
            holders,
            waiters: state
                .map(|s| s.queue.iter().map(WaitEntry::view).collect())
                .unwrap_or_default(),
        }
    }
}
