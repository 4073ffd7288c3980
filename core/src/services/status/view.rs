//! What the UI draws for the status service: every node's suspicion of every peer.

use serde::{Deserialize, Serialize};

use super::StatusActor;
use crate::service::{Hosts, World};
use crate::sim::{ActorId, NodeState};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PeerPhi {
    pub peer: ActorId,
    pub name: String,
    /// phi now (0 when never heard).
    pub phi: f64,
    pub suspected: bool,
    /// Milliseconds since the last heartbeat from this peer (None: never heard).
    pub silent_ms: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusNodeView {
    pub node: ActorId,
    pub name: String,
    /// "up", "crashed" or "paused".
    pub state: String,
    /// This node's suspicion of each peer (empty while the node is down: a crash forgets it).
    pub peers: Vec<PeerPhi>,
    /// How much the rest of the cluster suspects this node: the highest phi any up peer has
    /// for it. This is the value the cluster view's suspicion ring shows (`data-phi`).
    pub suspicion: f64,
    pub suspected_by: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusView {
    pub threshold: f64,
    pub nodes: Vec<StatusNodeView>,
}

/// Build the view of every server's failure detector at the world's current time.
pub fn status_view<N: Hosts<StatusActor>>(world: &World<'_, N>) -> StatusView {
    let sim = world.sim;
    let now = sim.now();
    let mut threshold = 8.0;
    let mut nodes: Vec<StatusNodeView> = (0..world.servers)
        .map(|i| {
            let s: &StatusActor = sim.actor(i).part();
            threshold = s.cfg.phi.threshold;
            let state = sim.node_state(i);
            let peers = if state == NodeState::Crashed {
                Vec::new()
            } else {
                s.peers()
                    .map(|p| {
                        let phi = s.phi(p, now).unwrap_or(0.0);
                        let heard = s.last_heard(p);
                        PeerPhi {
                            peer: p,
                            name: world.label(p),
                            phi: (phi * 100.0).round() / 100.0,
                            suspected: heard.is_some() && phi >= s.cfg.phi.threshold,
                            silent_ms: heard.map(|h| now.saturating_sub(h) / 1000),
                        }
                    })
                    .collect()
            };
            StatusNodeView {
                node: i,
                name: world.label(i),
                state: match state {
                    NodeState::Up => "up",
                    NodeState::Crashed => "crashed",
                    NodeState::Paused => "paused",
                }
                .into(),
                peers,
                suspicion: 0.0,
                suspected_by: Vec::new(),
            }
        })
        .collect();
    // Suspicion of each node by the up nodes that monitor it.
    for i in 0..nodes.len() {
        let (mut max, mut by) = (0.0f64, Vec::new());
        for (j, other) in nodes.iter().enumerate() {
            if j == i || other.state != "up" {
                continue;
            }
            if let Some(p) = other.peers.iter().find(|p| p.peer == i) {
                max = max.max(p.phi);
                if p.suspected {
                    by.push(other.name.clone());
                }
            }
        }
        nodes[i].suspicion = max;
        nodes[i].suspected_by = by;
    }
    StatusView { threshold, nodes }
}

/// The status service's part of the playground facade.
impl crate::playground::Playground {
    pub fn status_view(&self) -> StatusView {
        self.with_world(status_view)
    }
}
