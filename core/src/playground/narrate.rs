//! "What is happening now", in one sentence: the teaching panel (`data-testid=now-narration`)
//! and the tours read it. It is computed from the state, never from the UI.

use super::Playground;
use crate::raft::RaftView;
use crate::service::ServiceSet;

impl Playground {
    /// One sentence about the cluster's consensus and, when a lock is held, the lock table.
    pub fn narration(&self) -> String {
        let mut s = self.raft_sentence();
        if let Some(lock) = self.lock_sentence() {
            s = format!("{s}; {lock}");
        }
        s.push('.');
        s
    }

    /// Every server's Raft view with its last log cell only (cheap enough per event).
    pub(super) fn raft_views(&self) -> Vec<RaftView> {
        self.with_world(|w| {
            (0..w.servers)
                .filter_map(|i| w.sim.actor(i).raft_view(1))
                .collect()
        })
    }

    fn raft_sentence(&self) -> String {
        let views = self.raft_views();
        let up = |v: &&RaftView| v.up && self.sim().node_state(v.id) == crate::sim::NodeState::Up;
        let quorum = views.first().map_or(1, |v| v.voters.len() / 2 + 1);
        let name = |id: usize| self.actor_label(id);
        if let Some(l) = views
            .iter()
            .filter(up)
            .filter(|v| v.role == "leader")
            .max_by_key(|v| v.term)
        {
            let stale = views
                .iter()
                .filter(up)
                .filter(|v| v.role == "leader" && v.term < l.term)
                .map(|v| name(v.id))
                .collect::<Vec<_>>();
            let mut s = format!(
                "{} is the leader in term {}, its log ends at index {} and {} entries are committed",
                name(l.id),
                l.term,
                l.log.last().map_or(l.snapshot_index, |c| c.index),
                l.commit_index
            );
            if !stale.is_empty() {
                s += &format!(
                    "; {} still believes it leads an older term, but it cannot commit anything",
                    stale.join(", ")
                );
            }
            return s;
        }
        if let Some(c) = views
            .iter()
            .filter(up)
            .filter(|v| v.role == "candidate" || v.role == "pre-candidate")
            .max_by_key(|v| (v.votes, v.term))
        {
            let what = if c.role == "candidate" {
                format!("a candidate in term {}", c.term)
            } else {
                format!("a pre-candidate for term {}", c.term + 1)
            };
            return format!(
                "{} is {what} and has {} of the {quorum} votes it needs",
                name(c.id),
                c.votes
            );
        }
        let alive = views.iter().filter(up).count();
        if alive < quorum {
            return format!(
                "only {alive} servers are up, fewer than the {quorum} a majority needs: no leader can be elected"
            );
        }
        let term = views.iter().map(|v| v.term).max().unwrap_or(0);
        format!(
            "there is no leader yet (term {term}): the followers wait for their election timeouts"
        )
    }

    fn lock_sentence(&self) -> Option<String> {
        let table = self.lock_table();
        let row = table.rows.iter().find(|r| !r.holders.is_empty())?;
        let h = &row.holders[0];
        let mut s = format!(
            "the lock `{}` is held by {} with token {}",
            row.resource, h.client, h.fencing_token
        );
        if !row.waiters.is_empty() {
            let w: Vec<&str> = row.waiters.iter().map(|w| w.client.as_str()).collect();
            s += &format!(
                "; {} wait{}",
                w.join(", "),
                if w.len() == 1 { "s" } else { "" }
            );
        }
        Some(s)
    }
}
