//! Log entries, Raft RPCs and the client wire protocol.

use serde::{Deserialize, Serialize};

use super::sm::{RequestId, StateMachine};
use super::storage::Snapshot;
use crate::sim::{ActorId, Message, Time};

/// What a log entry carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Payload<C> {
    /// The empty entry a new leader appends to commit its term.
    Noop,
    /// A state-machine command; `req` names the client request it answers (None: housekeeping).
    Cmd { req: Option<RequestId>, cmd: C },
    /// A membership configuration: the full voter set. Takes effect as soon as it is appended.
    Config { voters: Vec<ActorId> },
}

/// One log entry. `time` is the proposing leader's virtual clock (the SM's only notion of time).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry<C> {
    pub index: u64,
    pub term: u64,
    pub time: Time,
    pub payload: Payload<C>,
}

impl<C> Entry<C> {
    fn size_bytes(&self) -> u32 {
        match &self.payload {
            Payload::Noop => 24,
            Payload::Cmd { .. } => 64,
            Payload::Config { voters } => 24 + 8 * voters.len() as u32,
        }
    }
}

/// Raft's RPCs. AppendEntries with no entries is a heartbeat (kind "Heartbeat").
#[derive(Clone, Debug)]
pub enum RaftMsg<C> {
    /// Pre-vote probe: `term` is the term the sender *would* campaign in; nobody adopts it.
    PreVote {
        term: u64,
        last_index: u64,
        last_term: u64,
    },
    PreVoteResp {
        term: u64,
        granted: bool,
    },
    /// `transfer` marks a campaign started by TimeoutNow, which bypasses the leader lease.
    RequestVote {
        term: u64,
        last_index: u64,
        last_term: u64,
        transfer: bool,
    },
    RequestVoteResp {
        term: u64,
        granted: bool,
    },
    /// `read_ctx` > 0 asks the follower to echo it (ReadIndex leadership confirmation).
    AppendEntries {
        term: u64,
        prev_index: u64,
        prev_term: u64,
        entries: Vec<Entry<C>>,
        commit: u64,
        read_ctx: u64,
    },
    /// Success: `index` is the follower's matched index. Reject: `index` is the rejected
    /// prev_index and (`hint_index`, `hint_term`) is the follower's last entry that may match.
    AppendResp {
        term: u64,
        success: bool,
        index: u64,
        hint_index: u64,
        hint_term: u64,
        heartbeat: bool,
        read_ctx: u64,
    },
    InstallSnapshot {
        term: u64,
        snapshot: Snapshot,
    },
    /// `index`: the follower's commit index after handling the snapshot.
    InstallSnapshotResp {
        term: u64,
        index: u64,
    },
    /// Leadership transfer: start an election now.
    TimeoutNow {
        term: u64,
    },
}

impl<C> RaftMsg<C> {
    pub fn term(&self) -> u64 {
        match self {
            RaftMsg::PreVote { term, .. }
            | RaftMsg::PreVoteResp { term, .. }
            | RaftMsg::RequestVote { term, .. }
            | RaftMsg::RequestVoteResp { term, .. }
            | RaftMsg::AppendEntries { term, .. }
            | RaftMsg::AppendResp { term, .. }
            | RaftMsg::InstallSnapshot { term, .. }
            | RaftMsg::InstallSnapshotResp { term, .. }
            | RaftMsg::TimeoutNow { term } => *term,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            RaftMsg::PreVote { .. } => "PreVote",
            RaftMsg::PreVoteResp { .. } => "PreVoteResp",
            RaftMsg::RequestVote { .. } => "RequestVote",
            RaftMsg::RequestVoteResp { .. } => "RequestVoteResp",
            RaftMsg::AppendEntries {
                entries, read_ctx, ..
            } if entries.is_empty() => {
                if *read_ctx > 0 {
                    "ReadIndex"
                } else {
                    "Heartbeat"
                }
            }
            RaftMsg::AppendEntries { .. } => "AppendEntries",
            RaftMsg::AppendResp {
                heartbeat: true,
                read_ctx,
                ..
            } if *read_ctx > 0 => "ReadIndexResp",
            RaftMsg::AppendResp { .. } => "AppendResp",
            RaftMsg::InstallSnapshot { .. } => "InstallSnapshot",
            RaftMsg::InstallSnapshotResp { .. } => "InstallSnapshotResp",
            RaftMsg::TimeoutNow { .. } => "TimeoutNow",
        }
    }

    fn size_bytes(&self) -> u32 {
        match self {
            RaftMsg::AppendEntries { entries, .. } => {
                48 + entries.iter().map(Entry::size_bytes).sum::<u32>()
            }
            RaftMsg::InstallSnapshot { snapshot, .. } => {
                48 + u32::try_from(snapshot.size).unwrap_or(u32::MAX)
            }
            _ => 40,
        }
    }
}

/// A client operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ClientOp<C> {
    /// A command that goes through the log.
    Cmd(C),
    /// A linearizable read (ReadIndex), evaluated with `StateMachine::query`.
    Read(C),
    /// The seeds' `GET /status`; any node answers.
    NodeStatus,
}

/// A server's answer to a client operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ClientResult<O> {
    Ok(O),
    NotLeader {
        leader: Option<ActorId>,
    },
    /// Boxed: the status document is 120 bytes, the other answers at most 56, and every
    /// message of a Raft service is as large as its largest variant and moved several times
    /// per event by the kernel (a large share of the queue benchmarks' `memcpy`).
    Status(Box<NodeStatus>),
    /// The leader cannot take the request now (leadership transfer in progress...). Retry.
    Busy,
}

/// The seeds' node status document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeStatus {
    pub node_id: String,
    pub node_state: String,
    pub raft_term: u64,
    pub raft_state: String,
    pub connected_peers: Vec<String>,
    pub uptime_seconds: f64,
    pub memory_usage: u64,
}

/// Everything that travels between servers and clients.
#[derive(Clone, Debug)]
pub enum Wire<SM: StateMachine> {
    Raft(RaftMsg<SM::Cmd>),
    Request {
        id: RequestId,
        op: ClientOp<SM::Cmd>,
    },
    Response {
        id: RequestId,
        result: ClientResult<SM::Output>,
    },
}

impl<SM: StateMachine> Message for Wire<SM> {
    fn kind(&self) -> &'static str {
        match self {
            Wire::Raft(m) => m.kind(),
            Wire::Request { .. } => "ClientRequest",
            Wire::Response { .. } => "ClientResponse",
        }
    }

    fn size_bytes(&self) -> u32 {
        match self {
            Wire::Raft(m) => m.size_bytes(),
            Wire::Request { .. } => 96,
            Wire::Response {
                result: ClientResult::Status(_),
                ..
            } => 256,
            Wire::Response { .. } => 96,
        }
    }
}

/// "n1" for actor 0: the seeds' node naming.
pub fn node_name(id: ActorId) -> String {
    format!("n{}", id + 1)
}
