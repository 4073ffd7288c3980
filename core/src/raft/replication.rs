//! Log replication (§5.3): proposals, AppendEntries with pipelining and batching, fast
//! backtracking, the commit rule (§5.4.2, Figure 8) and in-order apply.

use super::msg::{Entry, Payload, RaftMsg, Wire};
use super::node::{RaftCtx, RaftServer, RaftSm, Role, TIMER_HEARTBEAT};
use super::notes;
use super::progress::ReplState;
use super::reasons;
use super::sm::{ApplyCtx, RequestId};
use super::storage::PersistOp;
use super::ClientResult;
use crate::sim::ActorId;

impl<SM: RaftSm> RaftServer<SM> {
    /// Leader: append an entry of the current term, persist it, replicate it. Returns its index.
    pub(super) fn propose(&mut self, ctx: &mut RaftCtx<'_, SM>, payload: Payload<SM::Cmd>) -> u64 {
        let index = self.log.last_index() + 1;
        let is_config = matches!(payload, Payload::Config { .. });
        let entry = Entry {
            index,
            term: self.term,
            time: ctx.now,
            payload,
        };
        ctx.persist(PersistOp::Append {
            from: index,
            entries: vec![entry.clone()],
        });
        self.log.append(entry);
        if is_config {
            self.on_config_changed();
        }
        let mut i = 0;
        while let Some(p) = self.peer_at(i) {
            i += 1;
            if self.should_send_now(p) {
                while self.send_append(ctx, p, false) {}
            }
        }
        self.maybe_commit(ctx);
        index
    }

    /// Leader: propose a client command. Only the leader accepts; others name the leader.
    pub fn propose_command(
        &mut self,
        ctx: &mut RaftCtx<'_, SM>,
        req: Option<RequestId>,
        cmd: SM::Cmd,
    ) -> Result<u64, ClientResult<SM::Output>> {
        if self.role != Role::Leader {
            return Err(ClientResult::NotLeader {
                leader: self.leader,
            });
        }
        if self.transferee.is_some() {
            return Err(ClientResult::Busy);
        }
        Ok(self.propose(ctx, Payload::Cmd { req, cmd }))
    }

    /// Batching: a new proposal goes out at once only to a follower with nothing in flight, or
    /// once a full batch is waiting; otherwise it rides with the batch sent when the next
    /// acknowledgement arrives (Nagle-style). With `max_batch` = 1 every entry goes at once.
    fn should_send_now(&self, to: ActorId) -> bool {
        let Some(pr) = self.progress.get(&to) else {
            return false;
        };
        if self.cfg.max_batch <= 1 || pr.state != ReplState::Replicate || pr.inflight.is_empty() {
            return true;
        }
        let backlog = self.log.last_index() + 1 - pr.next;
        backlog >= self.cfg.max_batch as u64
    }

    /// Leader: send the next AppendEntries (or InstallSnapshot) to `to` if flow control allows.
    /// Returns true if entries went out (so a caller may loop to fill the pipeline).
    pub(super) fn send_append(
        &mut self,
        ctx: &mut RaftCtx<'_, SM>,
        to: ActorId,
        allow_empty: bool,
    ) -> bool {
        let max_inflight = self.cfg.max_inflight;
        let Some(pr) = self.progress.get_mut(&to) else {
            return false;
        };
        if pr.is_paused(max_inflight) {
            return false;
        }
        if pr.next <= self.log.snap_index {
            self.send_snapshot(ctx, to);
            return false;
        }
        let prev_index = pr.next - 1;
        let prev_term = self.log.term(prev_index).unwrap_or(0);
        let entries = self.log.slice(pr.next, self.cfg.max_batch);
        if entries.is_empty() && !allow_empty && pr.state == ReplState::Replicate {
            return false;
        }
        let sent_any = !entries.is_empty();
        // An empty append in Replicate state only carries the commit index: it does not take
        // a pipeline slot (a probe, even empty, does pause the follower until answered).
        if sent_any || pr.state == ReplState::Probe {
            pr.sent(prev_index + entries.len() as u64);
        }
        pr.commit_sent = self.commit;
        let msg = RaftMsg::AppendEntries {
            term: self.term,
            prev_index,
            prev_term,
            entries,
            commit: self.commit,
            read_ctx: 0,
        };
        ctx.send(to, Wire::Raft(msg));
        sent_any
    }

    /// Leader: heartbeats to every follower. Not a log probe (prev 0/0): a follower only learns
    /// the commit index, capped at what it is known to hold. `read_ctx` > 0 confirms leadership
    /// for ReadIndex.
    pub(super) fn broadcast_heartbeat(&mut self, ctx: &mut RaftCtx<'_, SM>, read_ctx: u64) {
        for (&to, pr) in &self.progress {
            let msg = RaftMsg::AppendEntries {
                term: self.term,
                prev_index: 0,
                prev_term: 0,
                entries: Vec::new(),
                commit: self.commit.min(pr.matched),
                read_ctx,
            };
            ctx.send(to, Wire::Raft(msg));
        }
    }

    pub(super) fn on_heartbeat_timer(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        if self.role != Role::Leader {
            return;
        }
        let read_ctx = self.reads.latest_ctx();
        self.broadcast_heartbeat(ctx, read_ctx);
        ctx.set_timer(TIMER_HEARTBEAT, self.cfg.heartbeat);
    }

    /// Follower: AppendEntries from the current leader.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_append(
        &mut self,
        ctx: &mut RaftCtx<'_, SM>,
        from: ActorId,
        prev_index: u64,
        prev_term: u64,
        entries: Vec<Entry<SM::Cmd>>,
        leader_commit: u64,
        read_ctx: u64,
    ) {
        self.leader_contact = Some(ctx.now);
        self.reset_election_timer(ctx);
        let mut resp = RaftMsg::AppendResp {
            term: self.term,
            success: true,
            index: self.commit,
            hint_index: 0,
            hint_term: 0,
            heartbeat: false,
            read_ctx,
        };
        if entries.is_empty() && prev_index == 0 && prev_term == 0 {
            // Heartbeat: the leader caps `leader_commit` at our known match.
            self.commit_to(ctx, leader_commit.min(self.log.last_index()));
            if let RaftMsg::AppendResp {
                heartbeat, index, ..
            } = &mut resp
            {
                *heartbeat = true;
                *index = self.commit;
            }
        } else if prev_index < self.commit {
            // Everything up to our commit index already matches the leader: say so.
        } else if self.log.matches(prev_index, prev_term) {
            let last_new = prev_index + entries.len() as u64;
            if let Some((from_index, fresh)) = self.log.merge(entries) {
                ctx.persist(PersistOp::Append {
                    from: from_index,
                    entries: fresh,
                });
                self.refresh_voters();
            }
            self.commit_to(ctx, leader_commit.min(last_new));
            if let RaftMsg::AppendResp { index, .. } = &mut resp {
                *index = last_new;
            }
        } else {
            let last = self.log.last_index();
            let mine = if prev_index > last {
                0
            } else {
                self.log.term(prev_index).unwrap_or(0)
            };
            ctx.note(reasons::append_rejected(
                from, prev_index, prev_term, mine, last,
            ));
            let (hint_i, hint_t) = self
                .log
                .conflict_hint(prev_index.min(self.log.last_index()), prev_term);
            resp = RaftMsg::AppendResp {
                term: self.term,
                success: false,
                index: prev_index,
                hint_index: hint_i,
                hint_term: hint_t,
                heartbeat: false,
                read_ctx,
            };
        }
        self.send(ctx, from, resp);
    }

    /// Leader: a follower answered an AppendEntries or a heartbeat.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_append_resp(
        &mut self,
        ctx: &mut RaftCtx<'_, SM>,
        from: ActorId,
        success: bool,
        index: u64,
        hint_index: u64,
        hint_term: u64,
        heartbeat: bool,
        read_ctx: u64,
    ) {
        let last = self.log.last_index();
        let max_inflight = self.cfg.max_inflight;
        let Some(pr) = self.progress.get_mut(&from) else {
            return;
        };
        pr.recent_active = true;
        if heartbeat {
            if pr.matched < last {
                // Unstick flow control: a lost message must not stall the follower forever.
                match pr.state {
                    ReplState::Probe => pr.paused = false,
                    ReplState::Replicate if pr.inflight.len() >= max_inflight => {
                        pr.inflight.pop_front();
                    }
                    ReplState::Snapshot => pr.become_probe(),
                    ReplState::Replicate => {}
                }
                self.send_append(ctx, from, true);
            }
            if read_ctx > 0 {
                self.on_read_ack(ctx, from, read_ctx);
            }
            return;
        }
        if !success {
            // Fast backtracking: skip every entry of the follower's conflicting term at once.
            let hint = if hint_term > 0 {
                self.log.conflict_hint(hint_index, hint_term).0
            } else {
                hint_index
            };
            if pr.reject(index, hint) {
                self.send_append(ctx, from, true);
            }
            return;
        }
        if pr.ack(index) {
            match pr.state {
                ReplState::Probe => pr.become_replicate(),
                ReplState::Snapshot => pr.become_probe(),
                ReplState::Replicate => {}
            }
            let matched = pr.matched;
            if self.maybe_commit(ctx) {
                // Tell idle followers the new commit index (busy ones learn it with their next
                // batch); the acknowledging follower also gets the entries waiting for it.
                let mut i = 0;
                while let Some(p) = self.peer_at(i) {
                    i += 1;
                    if p != from && self.needs_commit_news(p) && !self.send_append(ctx, p, false) {
                        self.send_append(ctx, p, true);
                    }
                }
            }
            if self.transferee == Some(from) && matched == self.log.last_index() {
                ctx.note(reasons::transfer(from, matched, matched));
                self.send(ctx, from, RaftMsg::TimeoutNow { term: self.term });
            }
        }
        while self.send_append(ctx, from, false) {}
        if self.needs_commit_news(from) {
            self.send_append(ctx, from, true);
        }
    }

    /// An idle follower that has not been told the current commit index yet.
    fn needs_commit_news(&self, to: ActorId) -> bool {
        self.progress.get(&to).is_some_and(|pr| {
            pr.state == ReplState::Replicate
                && pr.inflight.is_empty()
                && pr.commit_sent < self.commit
        })
    }

    /// Leader: advance the commit index to the highest index stored on a quorum of voters, but
    /// only by counting replicas of an entry from the current term (§5.4.2, Figure 8).
    pub(super) fn maybe_commit(&mut self, ctx: &mut RaftCtx<'_, SM>) -> bool {
        let q = self.quorum_match();
        let own_term = self.log.term(q) == Some(self.term)
            || crate::mutants::active(crate::mutants::Mutant::RaftFigure8CommitRule);
        if q > self.commit && own_term {
            self.commit_to(ctx, q);
            true
        } else {
            if q > self.commit && q > self.blocked_commit {
                // Said once per newly replicated index, not on every acknowledgement.
                self.blocked_commit = q;
                let t = self.log.term(q).unwrap_or(0);
                ctx.note(reasons::commit_earlier_term(q, t, self.term, self.commit));
            }
            false
        }
    }

    /// The highest index stored on a quorum of voters: the quorum-th largest match index.
    /// Why not count, per voter, the voters at or above it: that looked every voter's progress
    /// up n² times on every acknowledgement (3.6 % of a queue benchmark, whose partitions are
    /// Raft groups). No allocation up to 16 voters; an insertion sort (tiny code, no new sort
    /// instance in the page's `.wasm`).
    fn quorum_match(&self) -> u64 {
        let quorum = self.quorum();
        let n = self.voters.len();
        if quorum > n {
            return 0;
        }
        let mut buf = [0u64; 16];
        let mut spill = Vec::new();
        let matched: &mut [u64] = if n <= buf.len() {
            &mut buf[..n]
        } else {
            spill.resize(n, 0);
            &mut spill
        };
        for (i, v) in self.voters.iter().enumerate() {
            let m = if *v == self.id {
                self.log.last_index()
            } else {
                self.progress.get(v).map_or(0, |p| p.matched)
            };
            // Largest first.
            let mut j = i;
            while j > 0 && matched[j - 1] < m {
                matched[j] = matched[j - 1];
                j -= 1;
            }
            matched[j] = m;
        }
        matched[quorum - 1]
    }

    /// Iterate the followers without borrowing `progress` across calls that mutate it.
    /// The `i`-th peer in id order. The loops that send to every peer index them because
    /// `send_append` borrows the server mutably; sending never adds or removes a peer, so the
    /// positions stay put. Why not look up the peer after the previous one: that was a binary
    /// search (`SortedMap::range`) per peer, three per proposal (1 % of a queue benchmark).
    pub(super) fn peer_at(&self, i: usize) -> Option<ActorId> {
        self.progress.keys().nth(i).copied()
    }

    pub(super) fn commit_to(&mut self, ctx: &mut RaftCtx<'_, SM>, index: u64) {
        if index <= self.commit {
            return;
        }
        self.commit = index;
        ctx.note(notes::commit(index, self.log.term(index).unwrap_or(0)));
        self.apply_committed(ctx);
    }

    /// Apply committed entries in order. Only the leader answers clients.
    fn apply_committed(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        let mut removed_self = false;
        let mut removed_at = 0;
        while self.applied < self.commit {
            let index = self.applied + 1;
            let Some(e) = self.log.get(index) else { break };
            let actx = ApplyCtx {
                index,
                term: e.term,
                time: e.time,
            };
            match &e.payload {
                Payload::Noop => {}
                // The leader says why (once, not once per replica), when anyone keeps notes.
                Payload::Cmd { req, cmd } if self.role == Role::Leader && ctx.notes() => {
                    let mut why = Vec::new();
                    self.sm.why(&actx, *req, cmd, None, &mut why);
                    let n = self.replies.len();
                    self.sm.apply(&actx, *req, cmd, &mut self.replies);
                    self.sm
                        .why(&actx, *req, cmd, Some(&self.replies[n..]), &mut why);
                    for w in why {
                        ctx.note(crate::sim::Note::Why(w));
                    }
                }
                Payload::Cmd { req, cmd } => self.sm.apply(&actx, *req, cmd, &mut self.replies),
                Payload::Config { voters } => {
                    let latest = self.log.last_config().is_some_and(|(i, _)| i == index);
                    removed_self |= latest && !voters.contains(&self.id);
                    if self.role == Role::Leader {
                        // The leader alone says it, so a change is one reason, not one per server.
                        let m = reasons::mask(voters);
                        ctx.note(reasons::config_committed(index, m));
                    }
                    if removed_self {
                        removed_at = index;
                    }
                }
            }
            self.applied = index;
            if self.role == Role::Leader {
                for r in self.replies.drain(..) {
                    ctx.send(
                        r.to.client,
                        Wire::Response {
                            id: r.to,
                            result: ClientResult::Ok(r.output),
                        },
                    );
                }
            } else {
                self.replies.clear();
            }
        }
        self.serve_reads(ctx);
        self.maybe_snapshot(ctx);
        if removed_self && self.role == Role::Leader {
            // Thesis §4.2.2: a leader removed from the configuration steps down once it commits,
            // handing over to the most up-to-date voter so the cluster does not wait a timeout.
            let heir = self
                .progress
                .iter()
                .max_by_key(|(_, p)| p.matched)
                .map(|(&id, _)| id);
            ctx.note(reasons::removed_step_down(removed_at, self.term, heir));
            if let Some(h) = heir {
                self.send(ctx, h, RaftMsg::TimeoutNow { term: self.term });
            }
            self.become_follower(ctx, self.term, None);
        }
    }
}
