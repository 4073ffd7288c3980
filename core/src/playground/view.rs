//! Plain, serialisable snapshots of the cluster for rendering. Nothing here has behaviour.

use serde::{Deserialize, Serialize};

pub use crate::raft::view::LogCell;
use crate::sim::{ActorId, Time};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    Follower,
    Candidate,
    Leader,
    Crashed,
    Paused,
}

impl Role {
    /// The `data-role` attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
            Role::Crashed => "crashed",
            Role::Paused => "paused",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PeerProgress {
    pub peer: ActorId,
    pub next_index: u64,
    pub match_index: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    pub id: ActorId,
    /// "n1", "n2", ...
    pub name: String,
    pub role: Role,
    pub term: u64,
    pub voted_for: Option<ActorId>,
    pub is_voter: bool,
    /// Election timer: absolute deadline and full length, to draw the arc (0 when not running).
    pub election_deadline: Time,
    pub election_timeout: Time,
    pub commit_index: u64,
    pub last_applied: u64,
    pub snapshot_index: u64,
    pub log: Vec<LogCell>,
    /// Leader only: nextIndex / matchIndex per follower.
    pub progress: Vec<PeerProgress>,
    /// Time since this node last heard from each other server (None = never), for suspicion.
    pub last_heard: Vec<(ActorId, Option<Time>)>,
    /// The actions legal on this node now (its menu), decided by the core.
    pub menu: Vec<crate::service::NodeMenuItem>,
    /// Short lines from the services, drawn under the node (`Service::badge`).
    pub badges: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkState {
    #[default]
    Up,
    Cut,
    /// Cut in exactly one direction.
    Oneway,
}

impl LinkState {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Up => "up",
            LinkState::Cut => "cut",
            LinkState::Oneway => "oneway",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkView {
    pub a: ActorId,
    pub b: ActorId,
    pub state: LinkState,
    /// Directions that deliver: a→b and b→a.
    pub a_to_b: bool,
    pub b_to_a: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: u64,
    pub from: ActorId,
    pub to: ActorId,
    pub kind: String,
    pub sent_at: Time,
    pub arrives_at: Time,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterView {
    pub now: Time,
    pub trace_hash: String,
    pub leader: Option<ActorId>,
    pub nodes: Vec<NodeView>,
    /// One entry per unordered pair of servers (a < b).
    pub links: Vec<LinkView>,
    /// Messages between servers (and client↔server) currently in flight.
    pub messages: Vec<MessageView>,
}
