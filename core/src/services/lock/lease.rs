//! Lease and wait-timeout expiry. Both happen only when a committed entry says so (`Tick`,
//! proposed by the leader when `housekeeping` sees a due deadline), using the entry's time, so
//! every replica expires the same holdings at the same log position.
//!
//! Also the upkeep of the table's derived indexes (deadlines, holdings, queued requests).

use crate::base::sorted::SortedMap;

use super::table::{LockTable, Out, WaitEntry};
use super::types::LockOutput;
use crate::raft::RequestId;
use crate::sim::{ActorId, Time, MS};

/// A multiset of deadlines (lease expiries and wait deadlines), so that `housekeeping`, which
/// the leader calls every tick, reads the earliest one instead of scanning the whole table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Deadlines(SortedMap<Time, u32>);

impl Deadlines {
    pub fn add(&mut self, at: Option<Time>) {
        if let Some(t) = at {
            *self.0.entry(t).or_default() += 1;
        }
    }

    pub fn remove(&mut self, at: Option<Time>) {
        let Some(t) = at else { return };
        if let Some(n) = self.0.get_mut(&t) {
            *n -= 1;
            if *n == 0 {
                self.0.remove(&t);
            }
        }
    }

    pub fn first(&self) -> Option<Time> {
        self.0.keys().next().copied()
    }

    /// Every deadline with its multiplicity, ascending (for consistency checks in tests).
    #[cfg(test)]
    pub fn all(&self) -> Vec<Time> {
        self.0
            .iter()
            .flat_map(|(&t, &n)| (0..n).map(move |_| t))
            .collect()
    }
}

/// Counts a holding gained (`gained`) or lost by `client` in the `holdings` index.
pub(super) fn count_holding(holdings: &mut SortedMap<ActorId, u32>, client: ActorId, gained: bool) {
    if gained {
        *holdings.entry(client).or_default() += 1;
    } else if let Some(n) = holdings.get_mut(&client) {
        *n -= 1;
        if *n == 0 {
            holdings.remove(&client);
        }
    }
}

impl LockTable {
    /// Removes the waiters of `resource` matching `remove` (keeping both indexes in step) and
    /// returns their requests in queue order.
    pub(super) fn unqueue(
        &mut self,
        resource: &str,
        mut remove: impl FnMut(&WaitEntry) -> bool,
    ) -> Vec<RequestId> {
        let mut removed = Vec::new();
        let Some(state) = self.resources.get_mut(resource) else {
            return removed;
        };
        let (waiting_on, deadlines) = (&mut self.waiting_on, &mut self.deadlines);
        state.queue.retain(|w| {
            if !remove(w) {
                return true;
            }
            waiting_on.remove(&w.req.client);
            deadlines.remove(w.deadline);
            removed.push(w.req);
            false
        });
        removed
    }

    /// Expires wait deadlines first (their waiters get `Timeout`), then leases, then grants.
    pub(super) fn tick(&mut self, now: Time, out: &mut Out<'_>) {
        let names: Vec<String> = self.resources.keys().cloned().collect();
        for name in names {
            let timed_out = self.unqueue(&name, |w| w.deadline.is_some_and(|d| d <= now));
            let Some(state) = self.resources.get_mut(&name) else {
                continue;
            };
            let (deadlines, holdings) = (&mut self.deadlines, &mut self.holdings);
            state.holders.retain(|h| {
                let live = h.expires_at.is_none_or(|e| e > now);
                if !live {
                    deadlines.remove(h.expires_at);
                    count_holding(holdings, h.client, false);
                }
                live
            });
            for req in timed_out {
                out.send(req, LockOutput::Timeout);
            }
            self.grant_waiters(&name, now, out);
            self.forget_if_idle(&name);
        }
    }

    pub(super) fn extend_leases(&mut self, now: Time, by_ms: u64) {
        for state in self.resources.values_mut() {
            for h in &mut state.holders {
                if let Some(e) = h.expires_at {
                    self.deadlines.remove(h.expires_at);
                    h.expires_at = Some(e.max(now) + by_ms * MS);
                    self.deadlines.add(h.expires_at);
                }
            }
        }
    }
}
