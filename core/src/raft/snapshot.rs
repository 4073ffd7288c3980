//! Log compaction and InstallSnapshot (§7).

use std::sync::Arc;

use super::msg::RaftMsg;
use super::node::{RaftCtx, RaftServer, RaftSm};
use super::notes;
use super::progress::ReplState;
use super::reasons;
use super::storage::{PersistOp, Snapshot};
use crate::sim::ActorId;

impl<SM: RaftSm> RaftServer<SM> {
    /// Compact once `snapshot_every` entries were applied since the last snapshot.
    pub(super) fn maybe_snapshot(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        let every = self.cfg.snapshot_every;
        let before = self.log.snap_index;
        if every > 0 && self.applied >= before + every {
            self.compact(ctx);
            let (index, term) = (self.log.snap_index, self.log.term(self.log.snap_index));
            if index > before {
                let note = reasons::compacted(index, term.unwrap_or(0), index - before, every);
                ctx.note(note);
            }
        }
    }

    /// Snapshot the state machine at `applied` and drop the log prefix it covers.
    pub fn compact(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        let index = self.applied;
        if index <= self.log.snap_index {
            return;
        }
        let Some(term) = self.log.term(index) else {
            return;
        };
        let voters = match self.log.config_at(index) {
            Some(v) => v.to_vec(),
            None => match &self.snapshot {
                Some(s) if self.log.snap_index > 0 => s.voters.clone(),
                _ => self.initial_voters.clone(),
            },
        };
        let snap = Snapshot {
            index,
            term,
            voters,
            data: Arc::new(self.sm.clone()),
            size: self.sm.approx_size(),
        };
        self.log.compact(index, term);
        self.snapshot = Some(snap.clone());
        ctx.persist(PersistOp::Snapshot(snap));
    }

    pub(super) fn send_snapshot(&mut self, ctx: &mut RaftCtx<'_, SM>, to: ActorId) {
        let Some(snap) = self.snapshot.clone() else {
            return;
        };
        if let Some(pr) = self.progress.get_mut(&to) {
            let first = self.log.first_index();
            ctx.note(reasons::snapshot_sent(
                to, pr.next, first, snap.index, snap.term,
            ));
            pr.state = ReplState::Snapshot;
            pr.inflight.clear();
        }
        self.send(
            ctx,
            to,
            RaftMsg::InstallSnapshot {
                term: self.term,
                snapshot: snap,
            },
        );
    }

    /// Follower: the leader sent a snapshot because we are behind its compaction point.
    pub(super) fn on_install_snapshot(
        &mut self,
        ctx: &mut RaftCtx<'_, SM>,
        from: ActorId,
        snap: Snapshot,
    ) {
        self.leader_contact = Some(ctx.now);
        self.reset_election_timer(ctx);
        if snap.index <= self.commit {
            ctx.note(reasons::snapshot_stale(
                from,
                snap.index,
                snap.term,
                self.commit,
            ));
        } else {
            if self.log.matches(snap.index, snap.term) {
                // We hold that prefix already: just learn that it is committed.
                let note = reasons::snapshot_prefix_held(from, snap.index, snap.term, self.commit);
                ctx.note(note);
                self.commit_to(ctx, snap.index);
            } else if let Some(sm) = snap.state::<SM>() {
                let note = reasons::snapshot_installed(from, snap.index, snap.term, self.commit);
                ctx.note(note);
                self.sm = sm;
                self.log.compact(snap.index, snap.term);
                self.commit = snap.index;
                self.applied = snap.index;
                self.snapshot = Some(snap.clone());
                self.voters = self.current_config();
                ctx.note(notes::commit(snap.index, snap.term));
                ctx.persist(PersistOp::Snapshot(snap));
            }
        }
        self.send(
            ctx,
            from,
            RaftMsg::InstallSnapshotResp {
                term: self.term,
                index: self.commit,
            },
        );
    }

    pub(super) fn on_snapshot_resp(
        &mut self,
        ctx: &mut RaftCtx<'_, SM>,
        from: ActorId,
        index: u64,
    ) {
        let Some(pr) = self.progress.get_mut(&from) else {
            return;
        };
        pr.recent_active = true;
        pr.ack(index);
        pr.become_probe();
        while self.send_append(ctx, from, false) {}
    }
}
