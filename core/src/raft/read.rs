//! Linearizable reads with ReadIndex (thesis §6.4): the leader records its commit index,
//! confirms it is still leader with a heartbeat round acknowledged by a quorum, waits until it
//! has applied up to that index, then evaluates the read. A deposed leader never gets the
//! quorum, so it never serves a stale read.

use crate::base::sorted::SortedSet;

use super::msg::{ClientResult, Wire};
use super::node::{RaftCtx, RaftServer, RaftSm, Role};
use super::reasons;
use super::sm::{ApplyCtx, RequestId};
use crate::mutants::Mutant;
use crate::sim::ActorId;

#[derive(Clone, Debug)]
pub struct PendingRead<C> {
    pub ctx: u64,
    pub index: u64,
    pub id: RequestId,
    pub cmd: C,
    pub acks: SortedSet<ActorId>,
    pub confirmed: bool,
}

#[derive(Clone, Debug)]
pub struct ReadQueue<C> {
    next_ctx: u64,
    pub pending: Vec<PendingRead<C>>,
}

impl<C> Default for ReadQueue<C> {
    fn default() -> Self {
        ReadQueue {
            next_ctx: 1,
            pending: Vec::new(),
        }
    }
}

impl<C> ReadQueue<C> {
    /// The context of the newest unconfirmed read (0: none), piggybacked on heartbeats.
    pub fn latest_ctx(&self) -> u64 {
        self.pending
            .iter()
            .rev()
            .find(|r| !r.confirmed)
            .map_or(0, |r| r.ctx)
    }
}

impl<SM: RaftSm> RaftServer<SM> {
    /// Leader: start a ReadIndex read.
    pub fn read(
        &mut self,
        ctx: &mut RaftCtx<'_, SM>,
        id: RequestId,
        cmd: SM::Cmd,
    ) -> Result<(), ClientResult<SM::Output>> {
        if self.role != Role::Leader {
            return Err(ClientResult::NotLeader {
                leader: self.leader,
            });
        }
        let read_ctx = self.reads.next_ctx;
        self.reads.next_ctx += 1;
        let mut acks = SortedSet::new();
        acks.insert(self.id);
        // Before this leader commits its no-op it does not know the latest commit index.
        let index = if crate::mutants::active(Mutant::RaftReadIndexIgnoresNoop) {
            self.commit
        } else {
            self.commit.max(self.term_start)
        };
        if index > self.commit {
            let (commit, start) = (self.commit, self.term_start);
            ctx.note(reasons::read_delayed(id.client, commit, start, self.term));
        }
        let confirmed = self.voters.iter().filter(|v| acks.contains(v)).count() >= self.quorum()
            || crate::mutants::active(Mutant::RaftReadIndexNoHeartbeat);
        // One confirmation round at a time: reads arriving meanwhile share the next round.
        let round_in_flight = self.reads.pending.iter().any(|r| !r.confirmed);
        self.reads.pending.push(PendingRead {
            ctx: read_ctx,
            index,
            id,
            cmd,
            acks,
            confirmed,
        });
        if confirmed {
            self.serve_reads(ctx);
        } else if !round_in_flight {
            self.broadcast_heartbeat(ctx, read_ctx);
        }
        Ok(())
    }

    /// A follower echoed `read_ctx`: it still accepts us as leader at that point.
    pub(super) fn on_read_ack(&mut self, ctx: &mut RaftCtx<'_, SM>, from: ActorId, read_ctx: u64) {
        let quorum = self.quorum();
        let mut any = false;
        for r in self
            .reads
            .pending
            .iter_mut()
            .filter(|r| r.ctx <= read_ctx && !r.confirmed)
        {
            r.acks.insert(from);
            if self.voters.iter().filter(|v| r.acks.contains(v)).count() >= quorum {
                r.confirmed = true;
                any = true;
            }
        }
        if any {
            self.serve_reads(ctx);
            let waiting = self.reads.latest_ctx();
            if waiting > 0 {
                self.broadcast_heartbeat(ctx, waiting);
            }
        }
    }

    /// Answer confirmed reads whose index has been applied, in arrival order.
    pub(super) fn serve_reads(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        if self.role != Role::Leader {
            return;
        }
        let applied = self.applied;
        let mut i = 0;
        while i < self.reads.pending.len() {
            let r = &self.reads.pending[i];
            if r.confirmed && r.index <= applied {
                let r = self.reads.pending.remove(i);
                let acks = self.voters.iter().filter(|v| r.acks.contains(v)).count();
                ctx.note(reasons::read_served(
                    r.id.client,
                    r.index,
                    acks,
                    self.quorum(),
                ));
                let actx = ApplyCtx {
                    index: r.index,
                    term: self.term,
                    time: ctx.now,
                };
                let result = match self.sm.query(&actx, r.id, &r.cmd) {
                    Some(out) => ClientResult::Ok(out),
                    None => ClientResult::Busy,
                };
                ctx.send(r.id.client, Wire::Response { id: r.id, result });
            } else {
                i += 1;
            }
        }
    }

    /// Lost leadership: pending reads are answered with a redirect (the client retries).
    pub(super) fn fail_reads(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        let leader = self.leader.filter(|&l| l != self.id);
        for r in self.reads.pending.drain(..) {
            ctx.send(
                r.id.client,
                Wire::Response {
                    id: r.id,
                    result: ClientResult::NotLeader { leader },
                },
            );
        }
    }
}
