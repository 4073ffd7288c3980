//! Test worlds of bare queue actors: `servers` servers and console clients after them.

use super::actor::{queue_console_client, queue_server, QueueActor, QueueActorCmd};
use super::client::{QueueOp, QueueRecord, QueueResult, Submit};
use crate::net::NetProfile;
use crate::sim::{Action, ActorId, Sim, SimConfig, SEC};

pub struct World {
    pub sim: Sim<QueueActor>,
    pub servers: usize,
}

impl World {
    pub fn new(seed: u64, servers: usize, clients: usize) -> Self {
        let ids: Vec<ActorId> = (0..servers).collect();
        let mut actors: Vec<QueueActor> = ids.iter().map(|&i| queue_server(i, &ids)).collect();
        for c in 0..clients {
            actors.push(queue_console_client(servers + c, &ids));
        }
        let cfg = SimConfig {
            seed,
            servers,
            link: NetProfile::Localhost.link(),
            ..SimConfig::default()
        };
        let mut w = World {
            sim: Sim::new(cfg, actors).unwrap(),
            servers,
        };
        w.sim.run_until(2 * SEC);
        w
    }

    pub fn client(&self, k: usize) -> ActorId {
        self.servers + k
    }

    /// Submit `op` from client `k` and run until it completes (or `limit` passes).
    pub fn run_op(&mut self, k: usize, op: QueueOp) -> QueueResult {
        let to = self.client(k);
        let before = self.history(k).len();
        self.sim
            .apply(Action::Command {
                to,
                cmd: QueueActorCmd::Submit(Submit { target: None, op }),
            })
            .unwrap();
        let limit = self.sim.now() + 30 * SEC;
        while self.sim.now() < limit {
            if let Some(r) = self.history(k).get(before).and_then(|r| r.result.clone()) {
                return r;
            }
            if !self.sim.step() {
                break;
            }
        }
        panic!("operation did not complete");
    }

    pub fn history(&self, k: usize) -> &[QueueRecord] {
        self.sim.actor(self.client(k)).client().unwrap().history()
    }

    pub fn enqueue(&mut self, message: &str, priority: u8, key: Option<&str>) -> QueueResult {
        self.run_op(
            0,
            QueueOp::Enqueue {
                message: message.into(),
                priority,
                key: key.map(Into::into),
                max_receive: None,
            },
        )
    }

    pub fn dequeue(&mut self, visibility_ms: Option<u64>) -> QueueResult {
        self.run_op(0, QueueOp::Dequeue { visibility_ms })
    }
}

impl World {
    /// The leader of partition `p` (up, highest term).
    pub fn leader(&self, p: u32) -> Option<ActorId> {
        (0..self.servers)
            .filter(|&i| self.sim.node_state(i) == crate::sim::NodeState::Up)
            .filter_map(|i| {
                let s = self.sim.actor(i).server()?.partition(p)?;
                (s.role() == crate::raft::Role::Leader).then_some((s.term(), i))
            })
            .max()
            .map(|(_, i)| i)
    }

    /// Partition `p`'s voters as its leader sees them, sorted.
    pub fn voters(&self, p: u32) -> Vec<ActorId> {
        let l = self.leader(p).expect("a leader");
        let mut v = self
            .sim
            .actor(l)
            .server()
            .unwrap()
            .partition(p)
            .unwrap()
            .voters()
            .to_vec();
        crate::base::sort::sort(&mut v);
        v
    }
}
