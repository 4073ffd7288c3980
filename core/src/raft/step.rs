//! Message dispatch: reconcile terms (§5.1), then hand the message to its handler.

use super::msg::RaftMsg;
use super::node::{RaftCtx, RaftServer, RaftSm, Role};
use super::reasons;
use crate::sim::ActorId;

impl<SM: RaftSm> RaftServer<SM> {
    /// Feed one Raft message to the node.
    pub fn step(&mut self, ctx: &mut RaftCtx<'_, SM>, from: ActorId, msg: RaftMsg<SM::Cmd>) {
        self.last_heard.insert(from, ctx.now);
        let mterm = msg.term();
        if mterm > self.term {
            match &msg {
                // A pre-vote never changes anyone's term; neither does a granted answer to one.
                RaftMsg::PreVote { .. } | RaftMsg::PreVoteResp { granted: true, .. } => {}
                RaftMsg::RequestVote { transfer, .. } => {
                    if !transfer && self.in_lease(ctx.now) {
                        let leader = self.leader.unwrap_or(self.id) as u64;
                        let code = reasons::VOTE_IGNORED_LEASE;
                        ctx.note(reasons::vote(code, false, from, [mterm, leader, 0, 0]));
                        return; // we have a live leader: this candidate is disruptive
                    }
                    ctx.note(reasons::newer_term(from, mterm, self.term, self.role));
                    self.become_follower(ctx, mterm, None);
                }
                RaftMsg::AppendEntries { .. } | RaftMsg::InstallSnapshot { .. } => {
                    ctx.note(reasons::newer_term(from, mterm, self.term, self.role));
                    self.become_follower(ctx, mterm, Some(from));
                }
                _ => {
                    ctx.note(reasons::newer_term(from, mterm, self.term, self.role));
                    self.become_follower(ctx, mterm, None)
                }
            }
        } else if mterm < self.term {
            match &msg {
                // Tell a stale leader the new term, always (§5.1: a stale request is rejected
                // with the current term). etcd answers only with check-quorum or pre-vote on,
                // counting on the stale leader to hear a higher-term RequestVote otherwise; but a
                // follower whose newest config excludes that leader campaigns only towards the
                // others, so without this answer the leader never learns (fuzz seed 3000443).
                RaftMsg::AppendEntries { .. } | RaftMsg::InstallSnapshot { .. } => {
                    let resp = RaftMsg::AppendResp {
                        term: self.term,
                        success: false,
                        index: 0,
                        hint_index: 0,
                        hint_term: 0,
                        heartbeat: false,
                        read_ctx: 0,
                    };
                    self.send(ctx, from, resp);
                }
                // A stale candidate learns the current term from the rejection (§5.1). Without
                // it, a candidate that only this node can hear (its config excludes us) could
                // campaign below our term forever.
                RaftMsg::RequestVote { .. } => {
                    let code = reasons::VOTE_REFUSED_STALE;
                    ctx.note(reasons::vote(code, false, from, [mterm, self.term, 0, 0]));
                    let resp = RaftMsg::RequestVoteResp {
                        term: self.term,
                        granted: false,
                    };
                    self.send(ctx, from, resp);
                }
                RaftMsg::PreVote { .. } => {
                    self.send(
                        ctx,
                        from,
                        RaftMsg::PreVoteResp {
                            term: self.term,
                            granted: false,
                        },
                    );
                }
                _ => {}
            }
            return;
        }
        match msg {
            RaftMsg::PreVote {
                term,
                last_index,
                last_term,
            } => {
                if self.in_lease(ctx.now) {
                    return;
                }
                self.on_vote_request(ctx, from, true, term, last_index, last_term);
            }
            RaftMsg::RequestVote {
                term,
                last_index,
                last_term,
                ..
            } => {
                self.on_vote_request(ctx, from, false, term, last_index, last_term);
            }
            RaftMsg::PreVoteResp { granted, .. } => self.on_vote_resp(ctx, from, true, granted),
            RaftMsg::RequestVoteResp { granted, .. } => {
                self.on_vote_resp(ctx, from, false, granted)
            }
            RaftMsg::AppendEntries {
                prev_index,
                prev_term,
                entries,
                commit,
                read_ctx,
                ..
            } => {
                if self.role == Role::Leader {
                    return; // impossible by election safety; never act on it
                }
                if self.role != Role::Follower || self.leader != Some(from) {
                    self.become_follower(ctx, self.term, Some(from));
                }
                self.on_append(ctx, from, prev_index, prev_term, entries, commit, read_ctx);
            }
            RaftMsg::AppendResp {
                success,
                index,
                hint_index,
                hint_term,
                heartbeat,
                read_ctx,
                ..
            } => {
                if self.role == Role::Leader {
                    self.on_append_resp(
                        ctx, from, success, index, hint_index, hint_term, heartbeat, read_ctx,
                    );
                }
            }
            RaftMsg::InstallSnapshot { snapshot, .. } => {
                if self.role == Role::Leader {
                    return;
                }
                if self.role != Role::Follower || self.leader != Some(from) {
                    self.become_follower(ctx, self.term, Some(from));
                }
                self.on_install_snapshot(ctx, from, snapshot);
            }
            RaftMsg::InstallSnapshotResp { index, .. } => {
                if self.role == Role::Leader {
                    self.on_snapshot_resp(ctx, from, index);
                }
            }
            RaftMsg::TimeoutNow { .. } => {
                if self.role != Role::Leader {
                    self.campaign(ctx, false, true);
                }
            }
        }
    }
}
