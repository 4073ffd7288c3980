//! Live invariant lights and the history check for the UI. These are point-in-time checks of
//! the current state (the randomized tests check the same properties after every event).

use std::collections::BTreeMap;

use super::actions::InvariantView;
use super::{server, Playground};
use crate::lock::{check_history, cluster::cluster_events, LockMode, Verdict};
use crate::raft::Role;
use crate::sim::NodeState;

impl Playground {
    pub fn invariants(&self) -> Vec<InvariantView> {
        let sim = self.sim();
        let servers: Vec<_> = (0..self.servers()).filter_map(|i| server(sim, i)).collect();

        // Election safety: at most one leader per term (crashed nodes keep no role).
        let mut leaders: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for s in &servers {
            if sim.node_state(s.id()) != NodeState::Crashed && s.role() == Role::Leader {
                leaders
                    .entry(s.term())
                    .or_default()
                    .push(self.actor_label(s.id()));
            }
        }
        let two = leaders.iter().find(|(_, v)| v.len() > 1);
        let election = InvariantView {
            name: "Election safety".into(),
            ok: two.is_none(),
            detail: match two {
                Some((t, v)) => format!("two leaders in term {t}: {}", v.join(", ")),
                None => "at most one leader per term".into(),
            },
        };

        // Log matching + state machine safety on committed prefixes: every pair of servers
        // agrees on the term of each index both have committed.
        let mut mismatch = None;
        for (i, a) in servers.iter().enumerate() {
            for b in &servers[i + 1..] {
                let upto = a.commit_index().min(b.commit_index());
                let from = a.log().snap_index.max(b.log().snap_index) + 1;
                for idx in from..=upto {
                    if a.log().term(idx) != b.log().term(idx) {
                        mismatch = Some(format!(
                            "{} and {} disagree at committed index {idx}",
                            self.actor_label(a.id()),
                            self.actor_label(b.id())
                        ));
                        break;
                    }
                }
            }
        }
        let logs = InvariantView {
            name: "Committed logs agree".into(),
            ok: mismatch.is_none(),
            detail: mismatch.unwrap_or_else(|| "log matching on every committed index".into()),
        };

        // Lock mutual exclusion on the shown replica.
        let mut bad = None;
        if let Some(t) = self.table_replica() {
            for r in t.resources() {
                let x = r
                    .holders
                    .iter()
                    .filter(|h| h.mode == LockMode::Exclusive)
                    .count();
                if x > 1 || (x == 1 && r.holders.len() > 1) {
                    bad = Some(format!("resource {} has conflicting holders", r.resource));
                }
            }
        }
        let mutex = InvariantView {
            name: "Lock mutual exclusion".into(),
            ok: bad.is_none(),
            detail: bad.unwrap_or_else(|| "no exclusive holder shares a lock".into()),
        };
        vec![election, logs, mutex]
    }

    /// Linearizability, mutual exclusion and fencing verdict over the console clients' history.
    pub fn check_history(&self) -> String {
        let events = cluster_events(self.sim());
        let n = events.len();
        match check_history(&events, 200_000) {
            Verdict::Ok => format!("OK: {n} operations are linearizable, exclusive, and fenced"),
            Verdict::Violation(v) => format!("VIOLATION: {v}"),
            Verdict::Unknown => format!("UNKNOWN: the search budget ran out on {n} operations"),
        }
    }
}
