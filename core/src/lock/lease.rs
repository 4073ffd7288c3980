//! Lease and wait-timeout expiry. Both happen only when a committed entry says so (`Tick`,
//! proposed by the leader when `housekeeping` sees a due deadline), using the entry's time, so
//! every replica expires the same holdings at the same log position.

use super::table::{LockTable, Out};
use super::types::LockOutput;
use crate::sim::{Time, MS};

impl LockTable {
    /// Expires wait deadlines first (their waiters get `Timeout`), then leases, then grants.
    pub(super) fn tick(&mut self, now: Time, out: &mut Out<'_>) {
        let names: Vec<String> = self.resources.keys().cloned().collect();
        for name in names {
            let Some(state) = self.resources.get_mut(&name) else {
                continue;
            };
            let mut timed_out = Vec::new();
            state.queue.retain(|w| {
                let due = w.deadline.is_some_and(|d| d <= now);
                if due {
                    timed_out.push(w.req);
                }
                !due
            });
            state
                .holders
                .retain(|h| h.expires_at.is_none_or(|e| e > now));
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
                    h.expires_at = Some(e.max(now) + by_ms * MS);
                }
            }
        }
    }
}
