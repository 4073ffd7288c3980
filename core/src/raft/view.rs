//! A serialisable snapshot of one server for the UI (never used by the protocol itself).

use serde::{Deserialize, Serialize};

use super::msg::Payload;
use super::node::{RaftServer, RaftSm};
use super::progress::ReplState;
use crate::sim::{ActorId, Time};

/// One log entry as the UI shows it (the playground's `NodeView` uses this type too).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogCell {
    pub index: u64,
    pub term: u64,
    pub label: String,
    pub committed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeerView {
    pub peer: ActorId,
    pub next: u64,
    pub matched: u64,
    pub state: ReplState,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RaftView {
    pub id: ActorId,
    pub up: bool,
    /// "follower" | "pre-candidate" | "candidate" | "leader".
    pub role: String,
    pub term: u64,
    pub voted_for: Option<ActorId>,
    pub leader: Option<ActorId>,
    /// Entries after the snapshot (the UI may show only the tail).
    pub log: Vec<LogCell>,
    pub commit_index: u64,
    pub last_applied: u64,
    pub snapshot_index: u64,
    pub snapshot_term: u64,
    /// Leader only.
    pub peers: Vec<PeerView>,
    /// Absolute virtual time at which the election timer fires, and its length.
    pub election_deadline: Time,
    pub election_timeout: Time,
    pub voters: Vec<ActorId>,
    pub sm_digest: u64,
    /// (Pre-)candidate only: the votes granted to it so far, its own included.
    #[serde(default)]
    pub votes: usize,
}

impl<SM: RaftSm> RaftServer<SM> {
    /// The UI's view of this server; `max_log` caps the number of (most recent) log cells.
    pub fn view(&self, max_log: usize) -> RaftView {
        let skip = self.log.entries.len().saturating_sub(max_log);
        let log = self.log.entries[skip..]
            .iter()
            .map(|e| LogCell {
                index: e.index,
                term: e.term,
                label: match &e.payload {
                    Payload::Noop => "no-op".into(),
                    Payload::Cmd { cmd, .. } => SM::label(cmd),
                    Payload::Config { voters } => {
                        let names: Vec<String> =
                            voters.iter().map(|v| format!("n{}", v + 1)).collect();
                        format!("cfg {}", names.join(","))
                    }
                },
                committed: e.index <= self.commit,
            })
            .collect();
        RaftView {
            id: self.id,
            up: self.up,
            role: self.role.name().into(),
            term: self.term,
            voted_for: self.voted_for,
            leader: self.leader,
            log,
            commit_index: self.commit,
            last_applied: self.applied,
            snapshot_index: self.log.snap_index,
            snapshot_term: self.log.snap_term,
            peers: self
                .progress
                .iter()
                .map(|(&peer, p)| PeerView {
                    peer,
                    next: p.next,
                    matched: p.matched,
                    state: p.state,
                })
                .collect(),
            election_deadline: self.election_deadline,
            election_timeout: self.election_timeout,
            voters: self.voters.clone(),
            sm_digest: self.sm.digest(),
            votes: self.votes.values().filter(|&&g| g).count(),
        }
    }
}
