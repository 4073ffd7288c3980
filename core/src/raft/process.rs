//! One actor type for a whole cluster: servers and clients in a single `Sim<Process<..>>`.

use serde::{Deserialize, Serialize};

use super::client::{ClientCmd, RaftClient, Workload};
use super::msg::Wire;
use super::node::{RaftCtx, RaftServer, RaftSm};
use super::server::ServerCmd;
use super::sm::StateMachine;
use super::storage::RaftDurable;
use crate::sim::{Actor, ActorId, TimerKind};

/// Servers are much larger than clients, but boxing them would add an indirection on every
/// event of the hot loop, and the actors live in one Vec anyway.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Process<SM: StateMachine, W: Workload<SM>> {
    Server(RaftServer<SM>),
    Client(RaftClient<SM, W>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ProcessCmd<C> {
    Server(ServerCmd),
    Client(ClientCmd<C>),
}

impl<SM: RaftSm, W: Workload<SM>> Process<SM, W> {
    pub fn server(&self) -> Option<&RaftServer<SM>> {
        match self {
            Process::Server(s) => Some(s),
            Process::Client(_) => None,
        }
    }
    pub fn client(&self) -> Option<&RaftClient<SM, W>> {
        match self {
            Process::Client(c) => Some(c),
            Process::Server(_) => None,
        }
    }

    /// `servers` Raft servers (ids 0..servers, all voters) and one client per workload.
    pub fn cluster(servers: usize, cfg: &super::RaftConfig, workloads: Vec<W>) -> Vec<Self> {
        let ids: Vec<ActorId> = (0..servers).collect();
        let mut v: Vec<Self> = ids
            .iter()
            .map(|&i| Process::Server(RaftServer::new(i, ids.clone(), cfg.clone())))
            .collect();
        for (k, w) in workloads.into_iter().enumerate() {
            v.push(Process::Client(RaftClient::new(
                servers + k,
                ids.clone(),
                w,
            )));
        }
        v
    }
}

impl<SM: RaftSm, W: Workload<SM>> Actor for Process<SM, W> {
    type Msg = Wire<SM>;
    type Durable = RaftDurable<SM::Cmd>;
    type Cmd = ProcessCmd<SM::Cmd>;

    fn on_start(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        match self {
            Process::Server(s) => s.on_start(ctx),
            Process::Client(c) => c.on_start(ctx),
        }
    }
    fn on_message(&mut self, ctx: &mut RaftCtx<'_, SM>, from: ActorId, msg: Wire<SM>) {
        match self {
            Process::Server(s) => s.on_message(ctx, from, msg),
            Process::Client(c) => c.on_message(ctx, from, msg),
        }
    }
    fn on_timer(&mut self, ctx: &mut RaftCtx<'_, SM>, kind: TimerKind) {
        match self {
            Process::Server(s) => s.on_timer(ctx, kind),
            Process::Client(c) => c.on_timer(ctx, kind),
        }
    }
    fn on_command(&mut self, ctx: &mut RaftCtx<'_, SM>, cmd: ProcessCmd<SM::Cmd>) {
        match (self, cmd) {
            (Process::Server(s), ProcessCmd::Server(c)) => s.on_command(ctx, c),
            (Process::Client(c), ProcessCmd::Client(cc)) => c.on_command(ctx, cc),
            _ => {} // a command for the other kind of process: ignored
        }
    }
    fn on_crash(&mut self) {
        match self {
            Process::Server(s) => s.on_crash(),
            Process::Client(c) => c.on_crash(),
        }
    }
}
