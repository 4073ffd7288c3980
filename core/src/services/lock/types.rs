//! Commands, outputs and read-only views of the replicated lock table.
//!
//! Times: everything inside the table and in [`LockOutput`] is virtual time in **microseconds**
//! ([`Time`]), so that the history checker can compare grants with client invocation times
//! exactly. The HTTP-shaped API (`api.rs`) renders them in milliseconds.

use serde::{Deserialize, Serialize};

use crate::sim::{ActorId, Time};

/// Shared (reader) or exclusive (writer) mode. S–S is compatible; every other pair is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LockMode {
    Shared,
    Exclusive,
}

impl LockMode {
    pub fn compatible(self, other: LockMode) -> bool {
        self == LockMode::Shared && other == LockMode::Shared
    }
    /// One-letter code used in labels and the UI ("S" / "X").
    pub fn letter(self) -> &'static str {
        match self {
            LockMode::Shared => "S",
            LockMode::Exclusive => "X",
        }
    }
}

/// A command replicated through the Raft log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LockCmd {
    /// `wait_timeout_ms`: `None` or `Some(0)` = try-lock (never queues, `Conflict` on conflict).
    /// `lease_ms`: how long the grant lasts; `0` = no lease (held until released).
    Acquire {
        resource: String,
        mode: LockMode,
        wait_timeout_ms: Option<u64>,
        lease_ms: u64,
    },
    Release {
        resource: String,
        lock_id: u64,
    },
    Status {
        resource: String,
    },
    /// Housekeeping proposed by the leader: expire leases and wait timeouts due at the entry's time.
    Tick,
    /// Proposed by a newly elected leader: every lease becomes `max(expires_at, entry time) + by_ms`.
    ExtendLeases {
        by_ms: u64,
    },
}

/// The answer to one client request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LockOutput {
    /// `lock_id` names the holding (the log index of the acquire that created it);
    /// `fencing_token` comes from a global grant counter (strictly increasing over all grants).
    Granted {
        lock_id: u64,
        fencing_token: u64,
        acquired_at: Time,
        resource: String,
        mode: LockMode,
    },
    Released {
        resource: String,
        lock_id: u64,
    },
    /// A try-lock met a conflicting holder or a non-empty queue.
    Conflict {
        resource: String,
    },
    /// The wait timeout passed before the lock could be granted.
    Timeout,
    /// The request closed a cycle in the wait-for graph and was chosen as the victim.
    Deadlock,
    /// No such holding, and nobody holds the resource.
    NotFound,
    /// The holding belongs to another client, or it is gone (e.g. its lease expired) while
    /// someone else holds the resource.
    NotOwner,
    /// Boxed for the same reason as `ClientResult::Status`: rare, and 80 B inline.
    Status(Box<LockStatus>),
}

impl LockOutput {
    pub fn is_granted(&self) -> bool {
        matches!(self, LockOutput::Granted { .. })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub client: ActorId,
    pub lock_id: u64,
    pub mode: LockMode,
    pub fencing_token: u64,
    pub acquired_at: Time,
    /// `None` when the grant has no lease.
    pub expires_at: Option<Time>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiter {
    pub client: ActorId,
    pub mode: LockMode,
    /// Time of the entry that queued the request.
    pub since: Time,
    /// Log index of the queued acquire (its FIFO position and its age for victim choice).
    pub index: u64,
    /// True when the waiter already holds the resource in shared mode and asks for exclusive.
    pub upgrade: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockStatus {
    pub resource: String,
    pub locked: bool,
    pub holders: Vec<Holder>,
    /// The mode of the current holders, if any.
    pub mode: Option<LockMode>,
    /// In grant order (FIFO by log index, upgrades first).
    pub waiters: Vec<Waiter>,
}
