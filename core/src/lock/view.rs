//! Read-only views of the lock table for the API, the UI and the checkers.

use super::table::LockTable;
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

    /// The earliest lease or wait deadline, if any (drives `housekeeping`).
    pub fn next_deadline(&self) -> Option<Time> {
        let leases = self
            .resources
            .values()
            .flat_map(|s| s.holders.iter().filter_map(|h| h.expires_at));
        let waits = self
            .resources
            .values()
            .flat_map(|s| s.queue.iter().filter_map(|w| w.deadline));
        leases.chain(waits).min()
    }

    /// The exact wait-for graph as `(waiter, blocker, resource)` edges, sorted and deduplicated.
    ///
    /// A waiter waits for every incompatible holder and every incompatible waiter ahead of it in
    /// the queue (that is what keeps a reader behind a queued writer). An upgrade waits for the
    /// other holders. Self-edges (an upgrader's own shared holding) are left out.
    pub fn wait_for_edges(&self) -> Vec<(ActorId, ActorId, String)> {
        let mut edges = Vec::new();
        for (name, state) in &self.resources {
            for (k, w) in state.queue.iter().enumerate() {
                let me = w.req.client;
                let holders = state
                    .holders
                    .iter()
                    .filter(|h| !h.mode.compatible(w.mode) || w.upgrade);
                for h in holders.filter(|h| h.client != me) {
                    edges.push((me, h.client, name.clone()));
                }
                for ahead in state
                    .queue
                    .iter()
                    .take(k)
                    .filter(|a| !a.mode.compatible(w.mode))
                {
                    if ahead.req.client != me {
                        edges.push((me, ahead.req.client, name.clone()));
                    }
                }
            }
        }
        edges.sort();
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
