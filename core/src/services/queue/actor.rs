//! The queue service's actor: a server (every partition's Raft instance and the placement
//! reconciler) or a client (console or workload).

use serde::{Deserialize, Serialize};

use super::client::{QueueClient, QueueWorkload, Submit};
use super::server::{partition_raft, QCtx, QueueDurable, QueueServer, QueueWire, TIMER_RECONCILE};
use crate::raft::ServerCmd;
use crate::service::groups::GroupCmd;
use crate::service::Service;
use crate::sim::{Actor, ActorId, TimerKind};

// A server is much larger than a client, but both live in one Vec of nodes anyway.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum QueueActor {
    Server(QueueServer),
    Client(QueueClient),
}

/// Outside commands: a console request for a client, a Raft operator command for one
/// partition's instance on a server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum QueueActorCmd {
    Submit(Submit),
    Partition(GroupCmd<ServerCmd>),
}

impl QueueActor {
    pub fn server(&self) -> Option<&QueueServer> {
        match self {
            QueueActor::Server(s) => Some(s),
            QueueActor::Client(_) => None,
        }
    }
    pub fn client(&self) -> Option<&QueueClient> {
        match self {
            QueueActor::Client(c) => Some(c),
            QueueActor::Server(_) => None,
        }
    }
    pub fn client_mut(&mut self) -> Option<&mut QueueClient> {
        match self {
            QueueActor::Client(c) => Some(c),
            QueueActor::Server(_) => None,
        }
    }
}

impl Actor for QueueActor {
    type Msg = QueueWire;
    type Durable = QueueDurable;
    type Cmd = QueueActorCmd;

    fn on_start(&mut self, ctx: &mut QCtx<'_>) {
        match self {
            QueueActor::Server(s) => s.on_start(ctx),
            QueueActor::Client(c) => c.on_start(ctx),
        }
    }
    fn on_message(&mut self, ctx: &mut QCtx<'_>, from: ActorId, msg: QueueWire) {
        match self {
            QueueActor::Server(s) => s.on_message(ctx, from, msg),
            QueueActor::Client(c) => c.on_message(ctx, from, msg),
        }
    }
    fn on_timer(&mut self, ctx: &mut QCtx<'_>, kind: TimerKind) {
        match self {
            QueueActor::Server(s) => s.on_timer(ctx, kind),
            QueueActor::Client(c) => c.on_timer(ctx, kind),
        }
    }
    fn on_command(&mut self, ctx: &mut QCtx<'_>, cmd: QueueActorCmd) {
        match (self, cmd) {
            (QueueActor::Server(s), QueueActorCmd::Partition(c)) => s.on_command(ctx, c),
            (QueueActor::Client(c), QueueActorCmd::Submit(sub)) => c.submit(ctx, sub),
            _ => {} // a command for the other kind of process
        }
    }
    fn on_crash(&mut self) {
        match self {
            QueueActor::Server(s) => s.on_crash(),
            QueueActor::Client(c) => c.on_crash(),
        }
    }
}

impl Service for QueueActor {
    const NAME: &'static str = "queue";
    /// Servers: 3 Raft timers per partition, then the reconciler; clients use 0..3.
    const TIMERS: u8 = TIMER_RECONCILE + 1;

    /// "queue ★ p3 p7": the partition groups this server leads, so the cluster view shows the
    /// queue's Raft leaders beside the lock group's (the Queue tab lists every group's voters).
    fn badge(&self) -> Option<String> {
        let leads: Vec<String> = self
            .server()?
            .partitions()
            .filter(|(_, g)| g.role() == crate::raft::Role::Leader)
            .map(|(p, _)| format!("p{p}"))
            .collect();
        (!leads.is_empty()).then(|| format!("queue ★ {}", leads.join(" ")))
    }

    fn memory_estimate(&self) -> usize {
        use crate::raft::StateMachine;
        self.server().map_or(0, |s| {
            s.partitions()
                .map(|(_, p)| p.state_machine().approx_size() + p.log().entries.len() * 96)
                .sum()
        })
    }
}

/// A queue server of a playground world. Its partition groups always run pre-vote and
/// check-quorum, whatever the world options say for the lock group: they change membership
/// routinely, and a removed replica that never heard of its removal would otherwise keep
/// disrupting its old group with higher terms (Raft thesis §4.2.3).
pub fn queue_server(id: ActorId, servers: &[ActorId]) -> QueueActor {
    QueueActor::Server(QueueServer::new(id, servers, &partition_raft()))
}

/// A console client: it runs only what the user submits.
pub fn queue_console_client(id: ActorId, servers: &[ActorId]) -> QueueActor {
    QueueActor::Client(QueueClient::new(id, servers.to_vec(), None))
}

/// A workload client (producer or consumer).
pub fn queue_workload_client(id: ActorId, servers: &[ActorId], w: QueueWorkload) -> QueueActor {
    QueueActor::Client(QueueClient::new(id, servers.to_vec(), Some(w)))
}
