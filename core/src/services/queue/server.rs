//! A queue server: one Raft server per partition (`service::groups::Groups`), plus the
//! placement reconciler that makes every partition's voter set follow the ring.
//!
//! Every server runs an instance of *every* partition's Raft group; the instances outside a
//! group's configuration are non-voters that stay silent (Raft's non-voters never campaign), so
//! a membership change only has to change the configuration: the instance is already there, and
//! the leader brings it up to date. The ring itself is replicated in every partition's log
//! (`QueueCmd::SetRing`, highest version wins), so the leader of a partition knows where the
//! ring says the partition belongs, and its reconciler moves it there one Raft single-server
//! change at a time: **remove first, then add**, so a group never has more than R voters (the
//! "at most R replicas" invariant), at the cost of running on R−1 replicas between the two
//! steps. A ring version a partition missed is copied to it from any other partition on the
//! same node (anti-entropy), through the node's own client request to itself.

use super::placement::{placement, PARTITIONS};
use super::sm::QueueSm;
use super::types::{QueueCmd, QueueOutput, RingChange};
use crate::mutants::{active, Mutant};
use crate::raft::Wire;
use crate::raft::{ClientOp, ClientResult, RaftConfig, RaftServer, RequestId, Role, ServerCmd};
use crate::service::groups::{GroupCmd, GroupMsg, Groups, GroupsDurable};
use crate::sim::{Actor, ActorId, Ctx, Time, TimerKind, MS};

pub type PartitionServer = RaftServer<QueueSm>;
pub type QueueWire = GroupMsg<Wire<QueueSm>>;
pub type QueueDurable = GroupsDurable<crate::raft::RaftDurable<QueueCmd>>;
pub type QCtx<'a> = Ctx<'a, QueueWire, QueueDurable>;

/// Raft timers per partition instance (election, heartbeat, housekeeping).
pub const TIMERS_PER_GROUP: u8 = 3;
/// The reconciler's timer, after every partition's.
pub const TIMER_RECONCILE: TimerKind = TIMERS_PER_GROUP * PARTITIONS as u8;
/// How often a leader compares its partition's replicas with the ring.
pub const RECONCILE_EVERY: Time = 200 * MS;

/// The partition groups' Raft timing: slower than the lock group's (heartbeat 150 ms,
/// elections 450–900 ms), because eight groups heartbeat at once and the playground animates
/// every message; failover takes about a second.
pub fn partition_raft(pre_vote: bool, check_quorum: bool) -> RaftConfig {
    RaftConfig {
        heartbeat: 150 * MS,
        election_min: 450 * MS,
        election_max: 900 * MS,
        housekeeping_every: 100 * MS,
        pre_vote,
        check_quorum,
        ..RaftConfig::default()
    }
}

#[derive(Clone, Debug)]
pub struct QueueServer {
    id: ActorId,
    groups: Groups<PartitionServer>,
}

impl QueueServer {
    /// Server `id` of a world whose initial ring is `servers`.
    pub fn new(id: ActorId, servers: &[ActorId], cfg: &RaftConfig) -> Self {
        let members = (0..PARTITIONS)
            .map(|p| {
                let voters = placement(servers, p, None);
                (p, RaftServer::new(id, voters, cfg.clone()))
            })
            .collect();
        QueueServer {
            id,
            groups: Groups::new(TIMERS_PER_GROUP, members).expect("8 groups of 3 timers fit"),
        }
    }

    pub fn id(&self) -> ActorId {
        self.id
    }
    /// This server's instance of partition `p`.
    pub fn partition(&self, p: u32) -> Option<&PartitionServer> {
        self.groups.get(p)
    }
    pub fn partitions(&self) -> impl Iterator<Item = (u32, &PartitionServer)> {
        (0..PARTITIONS).filter_map(|p| self.groups.get(p).map(|s| (p, s)))
    }

    /// The newest ring any of this node's partition replicas has applied.
    fn newest_ring(&self) -> Option<(u64, Vec<ActorId>, RingChange)> {
        self.partitions()
            .map(|(_, s)| &s.state_machine().ring)
            .filter(|r| r.epoch > 0)
            .max_by(|a, b| (a.epoch, &a.members).cmp(&(b.epoch, &b.members)))
            .map(|r| (r.epoch, r.members.clone(), r.change))
    }

    /// For each partition this node leads: copy a newer ring into it, else take one step
    /// towards the ring's placement.
    fn reconcile(&mut self, ctx: &mut QCtx<'_>) {
        let newest = self.newest_ring();
        let mut steps = Vec::new();
        for (p, s) in self.partitions() {
            if s.role() != Role::Leader {
                continue;
            }
            let ring = &s.state_machine().ring;
            if let Some((epoch, members, change)) = &newest {
                if (*epoch, members) > (ring.epoch, &ring.members) {
                    let cmd = QueueCmd::SetRing {
                        epoch: *epoch,
                        members: members.clone(),
                        change: *change,
                    };
                    // Sessions need a growing seq per client: virtual time never goes back.
                    let id = RequestId {
                        client: self.id,
                        seq: ctx.now,
                    };
                    let msg = Wire::Request {
                        id,
                        op: ClientOp::Cmd(cmd),
                    };
                    ctx.send(self.id, GroupMsg { group: p, msg });
                    continue;
                }
            }
            if ring.epoch == 0 {
                continue; // the initial ring: the initial voters are its placement
            }
            let left = match ring.change {
                RingChange::Leave(n) => Some(n),
                _ => None,
            };
            let desired = placement(&ring.members, p, left);
            // One change at a time, and only once this leader committed an entry of its term
            // (what `add_server` requires; checked here so that a refusal is not noted every
            // round).
            let pending = s
                .log()
                .last_config()
                .is_some_and(|(i, _)| i > s.commit_index());
            if pending || s.log().term(s.commit_index()) != Some(s.term()) {
                continue;
            }
            let voters = s.voters();
            let remove = voters.iter().copied().find(|v| !desired.contains(v));
            let add = desired.iter().copied().find(|d| !voters.contains(d));
            let step = match (remove, add) {
                (Some(r), _) if voters.len() > 1 => Some(ServerCmd::RemoveServer { id: r }),
                (_, Some(a)) => Some(ServerCmd::AddServer { id: a }),
                _ => None,
            };
            if let Some(cmd) = step {
                steps.push(GroupCmd { group: p, cmd });
            }
        }
        // A step the leader refuses (a change still in flight, no commit in its term yet) is
        // simply tried again on the next round.
        for cmd in steps {
            self.groups.on_command(ctx, cmd);
        }
    }

    /// The `QueueAckBeforeQuorum` mutant: a leader answers an enqueue the moment it arrives,
    /// before a quorum (or even itself) persisted it.
    fn ack_early(&self, ctx: &mut QCtx<'_>, from: ActorId, msg: &QueueWire) {
        let Wire::Request {
            id,
            op: ClientOp::Cmd(QueueCmd::Enqueue { .. }),
        } = &msg.msg
        else {
            return;
        };
        let Some(s) = self.groups.get(msg.group) else {
            return;
        };
        if s.role() != Role::Leader {
            return;
        }
        let result = ClientResult::Ok(QueueOutput::Enqueued {
            seq: s.log().last_index() + 1,
            enqueued_at: ctx.now,
        });
        let reply = Wire::Response { id: *id, result };
        ctx.send(
            from,
            GroupMsg {
                group: msg.group,
                msg: reply,
            },
        );
    }
}

impl Actor for QueueServer {
    type Msg = QueueWire;
    type Durable = QueueDurable;
    type Cmd = GroupCmd<ServerCmd>;

    fn on_start(&mut self, ctx: &mut QCtx<'_>) {
        self.groups.on_start(ctx);
        ctx.set_timer(TIMER_RECONCILE, RECONCILE_EVERY);
    }

    fn on_message(&mut self, ctx: &mut QCtx<'_>, from: ActorId, msg: QueueWire) {
        if active(Mutant::QueueAckBeforeQuorum) {
            self.ack_early(ctx, from, &msg);
        }
        self.groups.on_message(ctx, from, msg);
    }

    fn on_timer(&mut self, ctx: &mut QCtx<'_>, kind: TimerKind) {
        if kind == TIMER_RECONCILE {
            self.reconcile(ctx);
            ctx.set_timer(TIMER_RECONCILE, RECONCILE_EVERY);
        } else {
            self.groups.on_timer(ctx, kind);
        }
    }

    fn on_command(&mut self, ctx: &mut QCtx<'_>, cmd: GroupCmd<ServerCmd>) {
        self.groups.on_command(ctx, cmd);
    }

    fn on_crash(&mut self) {
        self.groups.on_crash();
    }
}
