//! The Raft server: state, lifecycle (start, crash, restart) and role transitions.
//!
//! The protocol is split by concern over several files, each adding an `impl` block:
//! `election.rs` (votes, pre-vote, check-quorum), `replication.rs` (AppendEntries, commit,
//! apply), `snapshot.rs`, `membership.rs`, `read.rs` (ReadIndex), `server.rs` (the Actor impl).

use crate::base::sorted::SortedMap;
use std::fmt::Debug;

use serde::{Deserialize, Serialize};

use super::config::RaftConfig;
use super::log::RaftLog;
use super::msg::{Payload, Wire};
use super::notes;
use super::progress::Progress;
use super::read::ReadQueue;
use super::sm::{Reply, StateMachine};
use super::storage::{PersistOp, RaftDurable, Snapshot};
use crate::sim::{ActorId, Ctx, Time, TimerKind};

/// The bounds a state machine needs to run under Raft: snapshots share it across clones of the
/// simulation behind an `Arc<dyn Any>`.
pub trait RaftSm: StateMachine + Send + Sync + 'static {}
impl<T: StateMachine + Send + Sync + 'static> RaftSm for T {}

/// The Ctx a Raft server runs with.
pub type RaftCtx<'a, SM> = Ctx<'a, Wire<SM>, RaftDurable<<SM as StateMachine>::Cmd>>;

/// Timer slots of a server.
pub const TIMER_ELECTION: TimerKind = 0;
pub const TIMER_HEARTBEAT: TimerKind = 1;
pub const TIMER_HOUSEKEEPING: TimerKind = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}

impl Role {
    /// The value a role-change note carries (0 follower, 1 candidate, 2 leader, 3 pre-candidate).
    pub fn code(self) -> u8 {
        match self {
            Role::Follower => 0,
            Role::Candidate => 1,
            Role::Leader => 2,
            Role::PreCandidate => 3,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre-candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// One Raft server with its replicated state machine.
#[derive(Clone, Debug)]
pub struct RaftServer<SM: StateMachine> {
    pub(super) id: ActorId,
    pub(super) cfg: RaftConfig,
    /// Voters before any configuration entry (servers started outside it are non-voters).
    pub(super) initial_voters: Vec<ActorId>,
    pub(super) up: bool,
    pub(super) role: Role,
    pub(super) term: u64,
    pub(super) voted_for: Option<ActorId>,
    pub(super) leader: Option<ActorId>,
    pub(super) log: RaftLog<SM::Cmd>,
    pub(super) snapshot: Option<Snapshot>,
    pub(super) commit: u64,
    pub(super) applied: u64,
    pub(super) sm: SM,
    /// The configuration in force: the latest one in the log (effective once appended).
    pub(super) voters: Vec<ActorId>,
    pub(super) votes: SortedMap<ActorId, bool>,
    pub(super) progress: SortedMap<ActorId, Progress>,
    pub(super) election_deadline: Time,
    pub(super) election_timeout: Time,
    /// When we last heard from the leader we follow (leader lease for check-quorum).
    pub(super) leader_contact: Option<Time>,
    /// When we last heard from each server (the status document's `connected_peers`).
    pub(super) last_heard: SortedMap<ActorId, Time>,
    pub(super) started_at: Time,
    pub(super) transferee: Option<ActorId>,
    /// Index of this leader's no-op: reads and config changes wait for it to commit.
    pub(super) term_start: u64,
    /// The highest index a "not from this term" commit reason was given for (said once).
    pub(super) blocked_commit: u64,
    /// Index of the last housekeeping entry proposed (don't pile them up before they apply).
    pub(super) housekeeping_index: u64,
    pub(super) reads: ReadQueue<SM::Cmd>,
    pub(super) replies: Vec<Reply<SM::Output>>,
}

impl<SM: RaftSm> RaftServer<SM> {
    pub fn new(id: ActorId, voters: Vec<ActorId>, cfg: RaftConfig) -> Self {
        RaftServer {
            id,
            cfg,
            voters: voters.clone(),
            initial_voters: voters,
            up: false,
            role: Role::Follower,
            term: 0,
            voted_for: None,
            leader: None,
            log: RaftLog::default(),
            snapshot: None,
            commit: 0,
            applied: 0,
            sm: SM::default(),
            votes: SortedMap::new(),
            progress: SortedMap::new(),
            election_deadline: 0,
            election_timeout: 0,
            leader_contact: None,
            last_heard: SortedMap::new(),
            started_at: 0,
            transferee: None,
            term_start: 0,
            blocked_commit: 0,
            housekeeping_index: 0,
            reads: ReadQueue::default(),
            replies: Vec::new(),
        }
    }

    pub fn id(&self) -> ActorId {
        self.id
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn term(&self) -> u64 {
        self.term
    }
    pub fn voted_for(&self) -> Option<ActorId> {
        self.voted_for
    }
    pub fn leader(&self) -> Option<ActorId> {
        self.leader
    }
    pub fn commit_index(&self) -> u64 {
        self.commit
    }
    pub fn applied_index(&self) -> u64 {
        self.applied
    }
    pub fn log(&self) -> &RaftLog<SM::Cmd> {
        &self.log
    }
    pub fn state_machine(&self) -> &SM {
        &self.sm
    }
    pub fn voters(&self) -> &[ActorId] {
        &self.voters
    }
    pub fn config(&self) -> &RaftConfig {
        &self.cfg
    }
    pub fn is_up(&self) -> bool {
        self.up
    }
    pub fn progress(&self) -> &SortedMap<ActorId, Progress> {
        &self.progress
    }
    pub fn started_at(&self) -> Time {
        self.started_at
    }
    pub fn election_deadline(&self) -> Time {
        self.election_deadline
    }

    /// Boot or restart: rebuild volatile state from the durable store.
    pub fn start(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        *self = RaftServer::new(
            self.id,
            std::mem::take(&mut self.initial_voters),
            self.cfg.clone(),
        );
        let d = ctx.durable;
        self.up = true;
        self.started_at = ctx.now;
        self.term = d.term;
        self.voted_for = d.voted_for;
        if let Some(snap) = &d.snapshot {
            self.log.snap_index = snap.index;
            self.log.snap_term = snap.term;
            self.sm = snap.state::<SM>().unwrap_or_default();
            self.commit = snap.index;
            self.applied = snap.index;
            self.snapshot = Some(snap.clone());
        }
        self.log.reset(d.log.clone());
        self.voters = self.current_config();
        ctx.note(notes::role(Role::Follower, self.term));
        self.reset_election_timer(ctx);
    }

    /// Crash: forget everything volatile.
    pub fn crash(&mut self) {
        *self = RaftServer::new(
            self.id,
            std::mem::take(&mut self.initial_voters),
            self.cfg.clone(),
        );
    }

    /// The configuration in force: latest in the log, else the snapshot's, else the initial one.
    pub(super) fn current_config(&self) -> Vec<ActorId> {
        self.config_in_force().to_vec()
    }

    fn config_in_force(&self) -> &[ActorId] {
        if let Some((_, v)) = self.log.last_config() {
            return v;
        }
        match &self.snapshot {
            Some(s) if self.log.snap_index > 0 => &s.voters,
            _ => &self.initial_voters,
        }
    }

    /// `voters = current_config()`, copying only when it changed (a follower asks after every
    /// append, and the configuration almost never changes).
    pub(super) fn refresh_voters(&mut self) {
        if self.voters.as_slice() != self.config_in_force() {
            self.voters = self.current_config();
        }
    }

    pub(super) fn quorum(&self) -> usize {
        self.voters.len() / 2 + 1
    }

    pub(super) fn is_voter(&self) -> bool {
        self.voters.contains(&self.id)
    }

    pub(super) fn persist_hard_state(&self, ctx: &mut RaftCtx<'_, SM>) {
        ctx.persist(PersistOp::HardState {
            term: self.term,
            voted_for: self.voted_for,
        });
    }

    pub(super) fn send(
        &self,
        ctx: &mut RaftCtx<'_, SM>,
        to: ActorId,
        msg: super::msg::RaftMsg<SM::Cmd>,
    ) {
        ctx.send(to, Wire::Raft(msg));
    }

    pub(super) fn set_role(&mut self, ctx: &mut RaftCtx<'_, SM>, role: Role) {
        self.role = role;
        ctx.note(notes::role(role, self.term));
    }

    pub(super) fn reset_election_timer(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        let t = ctx
            .rng
            .range_u64(self.cfg.election_min, self.cfg.election_max);
        self.election_timeout = t;
        self.election_deadline = ctx.now + t;
        ctx.set_timer(TIMER_ELECTION, t);
    }

    /// Step down (or stay) as follower in `term`, following `leader` if known.
    pub(super) fn become_follower(
        &mut self,
        ctx: &mut RaftCtx<'_, SM>,
        term: u64,
        leader: Option<ActorId>,
    ) {
        let was_leader = self.role == Role::Leader;
        let changed = self.role != Role::Follower || term > self.term;
        if term > self.term {
            self.term = term;
            self.voted_for = None;
            self.persist_hard_state(ctx);
        }
        self.leader = leader;
        if leader.is_some() {
            self.leader_contact = Some(ctx.now);
        }
        self.votes.clear();
        self.progress.clear();
        self.transferee = None;
        if was_leader {
            ctx.cancel_timer(TIMER_HEARTBEAT);
            ctx.cancel_timer(TIMER_HOUSEKEEPING);
            self.fail_reads(ctx);
        }
        if changed {
            self.set_role(ctx, Role::Follower);
        }
        self.reset_election_timer(ctx);
    }

    pub(super) fn become_leader(&mut self, ctx: &mut RaftCtx<'_, SM>) {
        self.leader = Some(self.id);
        self.votes.clear();
        self.transferee = None;
        self.blocked_commit = 0;
        self.set_role(ctx, Role::Leader);
        let next = self.log.last_index() + 1;
        self.progress = self
            .voters
            .iter()
            .filter(|&&v| v != self.id)
            .map(|&v| (v, Progress::new(next)))
            .collect();
        self.term_start = self.propose(ctx, Payload::Noop);
        if let Some(cmd) = self.sm.on_elected(ctx.now) {
            self.propose(ctx, Payload::Cmd { req: None, cmd });
        }
        // The election timer becomes the check-quorum round of a leader.
        self.election_timeout = self.cfg.election_min;
        self.election_deadline = ctx.now + self.cfg.election_min;
        ctx.set_timer(TIMER_ELECTION, self.cfg.election_min);
        ctx.set_timer(TIMER_HEARTBEAT, self.cfg.heartbeat);
        ctx.set_timer(TIMER_HOUSEKEEPING, self.cfg.housekeeping_every);
    }
}
