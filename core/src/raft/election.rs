//! Elections: timeouts, pre-vote, votes, check-quorum and leadership transfer (§5.2, §5.4.1,
//! thesis §3.10, §9.6).

use super::msg::RaftMsg;
use super::node::{RaftCtx, RaftServer, RaftSm, Role, TIMER_ELECTION};
use super::reasons;
use crate::mutants::{active, Mutant};
use crate::sim::ActorId;

impl<SM: RaftSm> RaftServer<SM> {
    /// The election timer fired (for a leader: the check-quorum round).
    pub(super) fn on_election_timer(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        if self.role == Role::Leader {
            self.check_quorum_round(ctx);
        } else {
            self.campaign(ctx, self.cfg.pre_vote, false);
        }
    }

    fn check_quorum_round(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        // A transfer that did not finish within an election timeout is abandoned.
        if let Some(to) = self.transferee.take() {
            let matched = self.progress.get(&to).map_or(0, |p| p.matched);
            let ms = self.cfg.election_min / crate::sim::MS;
            let last = self.log.last_index();
            ctx.note(reasons::transfer_aborted(to, ms, matched, last));
        }
        if self.cfg.check_quorum {
            let me = self.id;
            let active = self
                .voters
                .iter()
                .filter(|&&v| v == me || self.progress.get(&v).is_some_and(|p| p.recent_active))
                .count();
            if active < self.quorum() {
                ctx.note(reasons::quorum_lost(self.term, active, self.quorum()));
                self.become_follower(ctx, self.term, None);
                return;
            }
        }
        for p in self.progress.values_mut() {
            p.recent_active = false;
        }
        self.election_deadline = ctx.now + self.cfg.election_min;
        ctx.set_timer(TIMER_ELECTION, self.cfg.election_min);
    }

    /// Start a (pre-)election. Non-voters never campaign, with one exception: a server whose
    /// newest configuration (uncommitted) removed it. It may hold the only copy of that entry
    /// and, being more up to date, refuses its vote to everyone else; so it campaigns among
    /// the new voters (without counting itself), commits the change, then steps down.
    pub(super) fn campaign(&mut self, ctx: &mut RaftCtx<'_, SM>, pre: bool, transfer: bool) {
        let pending_removal = self.log.last_config().is_some_and(|(i, _)| i > self.commit);
        if !self.is_voter() && !pending_removal {
            self.reset_election_timer(ctx);
            return;
        }
        if !transfer {
            let next = self.term + 1;
            ctx.note(reasons::election_timeout(next, self.election_timeout, pre));
        }
        self.leader = None;
        self.votes.clear();
        self.votes.insert(self.id, true);
        let (last_index, last_term) = (self.log.last_index(), self.log.last_term());
        let term = if pre {
            self.set_role(ctx, Role::PreCandidate);
            self.term + 1
        } else {
            self.term += 1;
            self.voted_for = Some(self.id);
            self.persist_hard_state(ctx);
            self.set_role(ctx, Role::Candidate);
            self.term
        };
        self.reset_election_timer(ctx);
        for &v in &self.voters {
            if v == self.id {
                continue;
            }
            let msg = if pre {
                RaftMsg::PreVote {
                    term,
                    last_index,
                    last_term,
                }
            } else {
                RaftMsg::RequestVote {
                    term,
                    last_index,
                    last_term,
                    transfer,
                }
            };
            self.send(ctx, v, msg);
        }
        self.tally(ctx);
    }

    /// Within the leader lease (check-quorum), a node ignores campaigns: it has a live leader.
    pub(super) fn in_lease(&self, now: crate::sim::Time) -> bool {
        if !self.cfg.check_quorum {
            return false;
        }
        match self.role {
            Role::Leader => true,
            _ => {
                self.leader.is_some()
                    && self
                        .leader_contact
                        .is_some_and(|t| now < t + self.cfg.election_min)
            }
        }
    }

    /// A PreVote or RequestVote (terms were already reconciled by `step`).
    pub(super) fn on_vote_request(
        &mut self,
        ctx: &mut RaftCtx<'_, SM>,
        from: ActorId,
        pre: bool,
        term: u64,
        last_index: u64,
        last_term: u64,
    ) {
        let can_vote = if pre {
            term > self.term
        } else {
            self.voted_for == Some(from) || (self.voted_for.is_none() && self.leader.is_none())
        };
        let up_to_date = self.log.is_up_to_date(last_index, last_term);
        let granted = can_vote && (up_to_date || active(Mutant::RaftVoteWithoutUpToDateCheck));
        let why = if granted {
            reasons::vote(
                reasons::VOTE_GRANTED,
                pre,
                from,
                [term, last_term, last_index, 0],
            )
        } else if !can_vote && pre {
            reasons::vote(
                reasons::VOTE_REFUSED_STALE,
                pre,
                from,
                [term, self.term, 0, 0],
            )
        } else if !can_vote {
            match self.voted_for {
                Some(v) => reasons::vote(
                    reasons::VOTE_REFUSED_VOTED,
                    pre,
                    from,
                    [term, v as u64, 0, 0],
                ),
                None => reasons::vote(
                    reasons::VOTE_REFUSED_LEADER,
                    pre,
                    from,
                    [term, self.leader.unwrap_or(0) as u64, 0, 0],
                ),
            }
        } else {
            let (li, lt) = (self.log.last_index(), self.log.last_term());
            reasons::vote(
                reasons::VOTE_REFUSED_LOG,
                pre,
                from,
                [lt, li, last_term, last_index],
            )
        };
        ctx.note(why);
        if pre {
            let term = if granted { term } else { self.term };
            self.send(ctx, from, RaftMsg::PreVoteResp { term, granted });
        } else {
            if granted {
                self.voted_for = Some(from);
                if !active(Mutant::RaftVoteNotPersisted) {
                    self.persist_hard_state(ctx);
                }
                // Granting a vote resets the timer, so we don't compete with this candidate.
                self.reset_election_timer(ctx);
            }
            self.send(
                ctx,
                from,
                RaftMsg::RequestVoteResp {
                    term: self.term,
                    granted,
                },
            );
        }
    }

    pub(super) fn on_vote_resp(
        &mut self,
        ctx: &mut RaftCtx<'_, SM>,
        from: ActorId,
        pre: bool,
        granted: bool,
    ) {
        let expected = if pre {
            Role::PreCandidate
        } else {
            Role::Candidate
        };
        if self.role != expected || !self.voters.contains(&from) {
            return;
        }
        self.votes.entry(from).or_insert(granted);
        self.tally(ctx);
    }

    /// Count votes: win, lose (a majority rejected) or keep waiting.
    fn tally(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        let voters = &self.voters;
        let granted = self
            .votes
            .iter()
            .filter(|(v, &g)| g && voters.contains(v))
            .count();
        let rejected = self
            .votes
            .iter()
            .filter(|(v, &g)| !g && voters.contains(v))
            .count();
        if granted >= self.quorum() {
            match self.role {
                Role::PreCandidate => self.campaign(ctx, false, false),
                Role::Candidate => {
                    let (q, n) = (self.quorum(), self.voters.len());
                    ctx.note(reasons::elected(self.term, granted, q, n));
                    self.become_leader(ctx)
                }
                _ => {}
            }
        } else if rejected > self.voters.len() - self.quorum() {
            self.become_follower(ctx, self.term, None);
        }
    }

    /// Leadership transfer (thesis §3.10): bring the target up to date, then TimeoutNow.
    pub fn transfer_leadership(
        &mut self,
        ctx: &mut RaftCtx<'_, SM>,
        to: ActorId,
    ) -> Result<(), String> {
        if self.role != Role::Leader {
            return Err(format!("n{} is not the leader", self.id + 1));
        }
        if to == self.id || !self.progress.contains_key(&to) {
            return Err(format!("n{} is not another voter", to + 1));
        }
        self.transferee = Some(to);
        let (matched, last) = (self.progress[&to].matched, self.log.last_index());
        ctx.note(reasons::transfer(to, matched, last));
        if matched == last {
            self.send(ctx, to, RaftMsg::TimeoutNow { term: self.term });
        } else {
            self.send_append(ctx, to, false);
        }
        Ok(())
    }
}
