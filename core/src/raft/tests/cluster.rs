//! A small simulator harness for named scenarios: a KV cluster whose every event is checked by
//! the SafetyMonitor.

use crate::net::LinkConfig;
use crate::raft::check::SafetyMonitor;
use crate::raft::client::ClientCmd;
use crate::raft::fuzz::{KvProcess, KvWorkload};
use crate::raft::msg::ClientOp;
use crate::raft::process::{Process, ProcessCmd};
use crate::raft::server::ServerCmd;
use crate::raft::testsm::{KvCmd, KvSm};
use crate::raft::{RaftClient, RaftConfig, RaftServer, Role};
use crate::sim::{Action, ActorId, NodeState, Sim, SimConfig, Time, MS};

pub struct Cluster {
    pub sim: Sim<KvProcess>,
    pub monitor: SafetyMonitor<KvSm>,
    pub servers: usize,
}

impl Cluster {
    /// `servers` servers (voters: `voters`), then one client per workload. 1 ms links.
    pub fn with_voters(
        seed: u64,
        servers: usize,
        voters: Vec<ActorId>,
        cfg: RaftConfig,
        clients: Vec<KvWorkload>,
    ) -> Self {
        let mut actors: Vec<KvProcess> = (0..servers)
            .map(|i| Process::Server(RaftServer::new(i, voters.clone(), cfg.clone())))
            .collect();
        for (k, w) in clients.into_iter().enumerate() {
            actors.push(Process::Client(RaftClient::new(
                servers + k,
                (0..servers).collect(),
                w,
            )));
        }
        let sc = SimConfig {
            seed,
            servers,
            link: LinkConfig::constant(MS),
            cpu_service_us: 50,
            trace_capacity: 1000,
        };
        Cluster {
            sim: Sim::new(sc, actors).expect("valid config"),
            monitor: SafetyMonitor::new(),
            servers,
        }
    }

    pub fn new(seed: u64, servers: usize, cfg: RaftConfig, clients: Vec<KvWorkload>) -> Self {
        Self::with_voters(seed, servers, (0..servers).collect(), cfg, clients)
    }

    /// Run for `dt`, checking safety after every event.
    pub fn run_for(&mut self, dt: Time) {
        let t = self.sim.now() + dt;
        self.run_while(t, |_| true);
    }

    /// Process events until `t` or until `go` turns false (checked after each event).
    pub fn run_while(&mut self, t: Time, go: impl Fn(&Self) -> bool) {
        while self.sim.next_event_time().is_some_and(|nt| nt <= t) && go(self) {
            self.sim.step();
            if let Err(e) = self.monitor.check_sim(&self.sim) {
                panic!("safety violation at t={}: {e}", self.sim.now());
            }
        }
        if go(self) {
            self.sim.run_until(t);
        }
    }

    pub fn server(&self, id: ActorId) -> &RaftServer<KvSm> {
        self.sim.actor(id).server().expect("a server")
    }

    pub fn client(&self, id: ActorId) -> &RaftClient<KvSm, KvWorkload> {
        self.sim.actor(id).client().expect("a client")
    }

    pub fn up(&self, id: ActorId) -> bool {
        self.sim.node_state(id) == NodeState::Up
    }

    /// The live leaders with their terms.
    pub fn leaders(&self) -> Vec<(ActorId, u64)> {
        (0..self.servers)
            .filter(|&i| self.up(i) && self.server(i).role() == Role::Leader)
            .map(|i| (i, self.server(i).term()))
            .collect()
    }

    /// The leader of the highest term, if any.
    pub fn leader(&self) -> Option<ActorId> {
        self.leaders()
            .into_iter()
            .max_by_key(|&(_, t)| t)
            .map(|(i, _)| i)
    }

    /// Run until a leader exists (panics after `bound`).
    pub fn await_leader(&mut self, bound: Time) -> ActorId {
        let end = self.sim.now() + bound;
        self.run_while(end, |c| c.leader().is_none());
        self.leader()
            .unwrap_or_else(|| panic!("no leader within {bound} µs"))
    }

    pub fn act(&mut self, a: Action<ProcessCmd<KvCmd>>) {
        self.sim.apply(a).expect("action accepted");
    }

    pub fn server_cmd(&mut self, to: ActorId, cmd: ServerCmd) {
        self.act(Action::Command {
            to,
            cmd: ProcessCmd::Server(cmd),
        });
    }

    pub fn submit(&mut self, client: ActorId, target: Option<ActorId>, op: ClientOp<KvCmd>) {
        self.act(Action::Command {
            to: client,
            cmd: ProcessCmd::Client(ClientCmd::Submit { target, op }),
        });
    }

    pub fn max_term(&self) -> u64 {
        (0..self.servers)
            .map(|i| self.server(i).term())
            .max()
            .unwrap_or(0)
    }
}

/// A client that only runs submitted operations.
pub fn idle() -> KvWorkload {
    KvWorkload::new(0)
}

pub fn add(key: u8) -> ClientOp<KvCmd> {
    ClientOp::Cmd(KvCmd::Add { key, delta: 1 })
}
