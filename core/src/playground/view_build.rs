//! Builds the plain `ClusterView` from the simulator and the Raft servers' own views.

use super::view::*;
use super::Playground;
use crate::service::{ConsensusRole, ServiceSet};
use crate::sim::{ActorId, NodeState};

/// Log cells shown per node (the most recent ones).
const MAX_LOG_CELLS: usize = 48;

impl Playground {
    pub fn view(&self) -> ClusterView {
        let sim = self.sim();
        let n = self.servers();
        let nodes = (0..n).map(|i| self.node_view(i)).collect();
        let mut links = Vec::with_capacity(n * n.saturating_sub(1) / 2);
        for a in 0..n {
            for b in a + 1..n {
                let (ab, ba) = (sim.link_up(a, b), sim.link_up(b, a));
                let state = match (ab, ba) {
                    (true, true) => LinkState::Up,
                    (false, false) => LinkState::Cut,
                    _ => LinkState::Oneway,
                };
                links.push(LinkView {
                    a,
                    b,
                    state,
                    a_to_b: ab,
                    b_to_a: ba,
                });
            }
        }
        let messages = sim
            .in_flight()
            .into_iter()
            .map(|m| MessageView {
                id: m.id,
                from: m.from,
                to: m.to,
                kind: m.kind.to_string(),
                sent_at: m.sent_at,
                arrives_at: m.arrives_at,
            })
            .collect();
        ClusterView {
            now: sim.now(),
            trace_hash: sim.trace_hash_hex(),
            leader: self.leader(),
            nodes,
            links,
            messages,
        }
    }

    fn node_view(&self, id: ActorId) -> NodeView {
        let sim = self.sim();
        let name = format!("n{}", id + 1);
        let Some(v) = sim.actor(id).raft_view(MAX_LOG_CELLS) else {
            return NodeView {
                id,
                name,
                menu: self.node_menu(id),
                badges: self.node_badges(id),
                ..NodeView::default()
            };
        };
        let role = match sim.node_state(id) {
            NodeState::Crashed => Role::Crashed,
            NodeState::Paused => Role::Paused,
            NodeState::Up => match sim.actor(id).consensus().map(|c| c.role) {
                Some(ConsensusRole::Leader) => Role::Leader,
                Some(ConsensusRole::Candidate) => Role::Candidate,
                _ => Role::Follower,
            },
        };
        let up = role != Role::Crashed;
        NodeView {
            id,
            name,
            role,
            term: v.term,
            voted_for: v.voted_for,
            is_voter: v.voters.contains(&id),
            election_deadline: if up && role != Role::Leader {
                v.election_deadline
            } else {
                0
            },
            election_timeout: v.election_timeout,
            commit_index: v.commit_index,
            last_applied: v.last_applied,
            snapshot_index: v.snapshot_index,
            log: v.log,
            progress: v
                .peers
                .iter()
                .map(|p| PeerProgress {
                    peer: p.peer,
                    next_index: p.next,
                    match_index: p.matched,
                })
                .collect(),
            last_heard: Vec::new(),
            menu: self.node_menu(id),
            badges: self.node_badges(id),
        }
    }

    /// The services' badges for a running node (a crashed or paused one shows none: what it
    /// would say is not current).
    fn node_badges(&self, id: ActorId) -> Vec<String> {
        let sim = self.sim();
        if sim.node_state(id) == NodeState::Up {
            crate::service::ServiceSet::badges(sim.actor(id))
        } else {
            Vec::new()
        }
    }
}
