//! `RaftServer` as a simulator actor: client requests, operator commands, timers, status.

use serde::{Deserialize, Serialize};

use super::msg::{node_name, ClientOp, ClientResult, NodeStatus, Payload, Wire};
use super::node::{
    RaftCtx, RaftServer, RaftSm, Role, TIMER_ELECTION, TIMER_HEARTBEAT, TIMER_HOUSEKEEPING,
};
use super::notes;
use super::sm::RequestId;
use super::storage::RaftDurable;
use crate::sim::{Actor, ActorId, Time, TimerKind, SEC};

/// Operator commands (UI buttons, scenario scripts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerCmd {
    /// Act as if the election timer fired now.
    ForceTimeout,
    TransferLeadership {
        to: ActorId,
    },
    AddServer {
        id: ActorId,
    },
    RemoveServer {
        id: ActorId,
    },
    /// Snapshot the state machine now.
    Compact,
}

impl<SM: RaftSm> RaftServer<SM> {
    fn on_request(&mut self, ctx: &mut RaftCtx<'_, SM>, id: RequestId, op: ClientOp<SM::Cmd>) {
        let refused = match op {
            ClientOp::NodeStatus => Some(ClientResult::Status(Box::new(self.status(ctx.now)))),
            ClientOp::Cmd(cmd) => self.propose_command(ctx, Some(id), cmd).err(),
            ClientOp::Read(cmd) => self.read(ctx, id, cmd).err(),
        };
        if let Some(result) = refused {
            ctx.send(id.client, Wire::Response { id, result });
        }
    }

    fn on_housekeeping_timer(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        if self.role != Role::Leader {
            return;
        }
        if self.applied >= self.housekeeping_index && self.transferee.is_none() {
            if let Some(cmd) = self.sm.housekeeping(ctx.now) {
                self.housekeeping_index = self.propose(ctx, Payload::Cmd { req: None, cmd });
            }
        }
        ctx.set_timer(TIMER_HOUSEKEEPING, self.cfg.housekeeping_every);
    }

    /// Run an operator command; refusals are reported as an error message.
    pub fn command(&mut self, ctx: &mut RaftCtx<'_, SM>, cmd: ServerCmd) -> Result<(), String> {
        match cmd {
            ServerCmd::ForceTimeout => {
                if self.role == Role::Leader {
                    return Err(format!("n{} is the leader", self.id + 1));
                }
                self.campaign(ctx, self.cfg.pre_vote, false);
                Ok(())
            }
            ServerCmd::TransferLeadership { to } => self.transfer_leadership(ctx, to),
            ServerCmd::AddServer { id } => self.add_server(ctx, id).map(|_| ()),
            ServerCmd::RemoveServer { id } => self.remove_server(ctx, id).map(|_| ()),
            ServerCmd::Compact => {
                self.compact(ctx);
                Ok(())
            }
        }
    }

    /// The seeds' `GET /status` document.
    pub fn status(&self, now: Time) -> NodeStatus {
        let window = self.cfg.election_max;
        let connected_peers = self
            .last_heard
            .iter()
            .filter(|(&p, &t)| p != self.id && now.saturating_sub(t) <= window)
            .map(|(&p, _)| node_name(p))
            .collect();
        NodeStatus {
            node_id: node_name(self.id),
            node_state: if self.up { "up" } else { "down" }.into(),
            raft_term: self.term,
            raft_state: match self.role {
                Role::PreCandidate | Role::Candidate => "candidate",
                r => r.name(),
            }
            .into(),
            connected_peers,
            uptime_seconds: now.saturating_sub(self.started_at) as f64 / SEC as f64,
            memory_usage: (self.sm.approx_size() + self.log.entries.len() * 96 + 512) as u64,
        }
    }
}

impl<SM: RaftSm> Actor for RaftServer<SM> {
    type Msg = Wire<SM>;
    type Durable = RaftDurable<SM::Cmd>;
    type Cmd = ServerCmd;

    fn on_start(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        self.start(ctx);
    }

    fn on_message(&mut self, ctx: &mut RaftCtx<'_, SM>, from: ActorId, msg: Wire<SM>) {
        match msg {
            Wire::Raft(m) => self.step(ctx, from, m),
            Wire::Request { id, op } => self.on_request(ctx, id, op),
            Wire::Response { .. } => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut RaftCtx<'_, SM>, kind: TimerKind) {
        match kind {
            TIMER_ELECTION => self.on_election_timer(ctx),
            TIMER_HEARTBEAT => self.on_heartbeat_timer(ctx),
            TIMER_HOUSEKEEPING => self.on_housekeeping_timer(ctx),
            _ => {}
        }
    }

    fn on_command(&mut self, ctx: &mut RaftCtx<'_, SM>, cmd: ServerCmd) {
        if self.command(ctx, cmd).is_err() {
            ctx.note(notes::refused(self.id));
        }
    }

    fn on_crash(&mut self) {
        self.crash();
    }
}
