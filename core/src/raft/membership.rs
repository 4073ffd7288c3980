//! Single-server membership changes (thesis §4.1): one voter added or removed at a time; a
//! configuration entry takes effect as soon as it is appended (and is undone if truncated).

use super::msg::Payload;
use super::node::{RaftCtx, RaftServer, RaftSm, Role};
use super::progress::Progress;
use super::reasons;
use crate::mutants::{active, Mutant};
use crate::sim::ActorId;

impl<SM: RaftSm> RaftServer<SM> {
    /// Leader: add `id` as a voter.
    pub fn add_server(&mut self, ctx: &mut RaftCtx<'_, SM>, id: ActorId) -> Result<u64, String> {
        self.check_can_change_config(ctx, id)?;
        if self.voters.contains(&id) {
            return Err(format!("n{} is already a voter", id + 1));
        }
        let mut voters = self.voters.clone();
        voters.push(id);
        crate::base::sort::sort(&mut voters);
        Ok(self.propose_config(ctx, id, true, voters))
    }

    /// Leader: remove voter `id` (possibly itself: it steps down once the change commits).
    pub fn remove_server(&mut self, ctx: &mut RaftCtx<'_, SM>, id: ActorId) -> Result<u64, String> {
        self.check_can_change_config(ctx, id)?;
        if !self.voters.contains(&id) {
            return Err(format!("n{} is not a voter", id + 1));
        }
        if self.voters.len() == 1 {
            return Err("cannot remove the last voter".into());
        }
        let voters: Vec<ActorId> = self.voters.iter().copied().filter(|&v| v != id).collect();
        Ok(self.propose_config(ctx, id, false, voters))
    }

    /// Append the change, saying which server it adds or removes and both member sets.
    fn propose_config(
        &mut self,
        ctx: &mut RaftCtx<'_, SM>,
        id: ActorId,
        add: bool,
        voters: Vec<ActorId>,
    ) -> u64 {
        let (old, new) = (reasons::mask(&self.voters), reasons::mask(&voters));
        let index = self.log.last_index() + 1;
        ctx.note(reasons::config_appended(index, id, add, old, new));
        self.propose(ctx, Payload::Config { voters })
    }

    /// One change at a time, and only after this leader committed an entry of its term (the
    /// fix for the single-server change bug found after the thesis).
    fn check_can_change_config(
        &self,
        ctx: &mut RaftCtx<'_, SM>,
        id: ActorId,
    ) -> Result<(), String> {
        if self.role != Role::Leader {
            return Err(format!("n{} is not the leader", self.id + 1));
        }
        if self.commit < self.term_start && !active(Mutant::RaftMembershipBeforeOwnTermCommit) {
            let (commit, start) = (self.commit, self.term_start);
            ctx.note(reasons::config_refused_own_term(
                id, commit, start, self.term,
            ));
            return Err("the leader has not committed an entry of its term yet".into());
        }
        let pending = self.log.last_config().map_or(0, |(i, _)| i);
        if pending > self.commit && !active(Mutant::RaftTwoConfigChangesAtOnce) {
            ctx.note(reasons::config_refused_pending(id, pending, self.commit));
            return Err("a configuration change is still in progress".into());
        }
        if self.transferee.is_some() {
            return Err("a leadership transfer is in progress".into());
        }
        Ok(())
    }

    /// The latest configuration known committed (at or below the commit index).
    pub fn committed_config(&self) -> Vec<ActorId> {
        if let Some(v) = self.log.config_at(self.commit) {
            return v.to_vec();
        }
        match &self.snapshot {
            Some(s) if self.log.snap_index > 0 => s.voters.clone(),
            _ => self.initial_voters.clone(),
        }
    }

    /// The configuration in the log changed: adopt it and, as leader, track the new peers.
    pub(super) fn on_config_changed(&mut self) {
        self.voters = self.current_config();
        if self.role != Role::Leader {
            return;
        }
        let next = self.log.last_index() + 1;
        let me = self.id;
        self.progress.retain(|p, _| self.voters.contains(p));
        for &v in &self.voters {
            if v != me {
                self.progress
                    .entry(v)
                    .or_insert_with(|| Progress::new(next));
            }
        }
    }
}
