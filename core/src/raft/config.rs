//! Tunables of a Raft server. Defaults follow the seeds: heartbeat 50 ms, election 150–300 ms.

use serde::{Deserialize, Serialize};

use crate::sim::{Time, MS};

/// Every knob a scenario or benchmark may want to switch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RaftConfig {
    /// Interval between leader heartbeats.
    pub heartbeat: Time,
    /// Election timeouts are drawn uniformly from `[election_min, election_max)`.
    pub election_min: Time,
    pub election_max: Time,
    /// Pre-vote (thesis §9.6): a node only bumps its term once a quorum says it could win.
    pub pre_vote: bool,
    /// Check-quorum: a leader steps down when it has not heard from a quorum for an election
    /// timeout, and followers ignore vote requests while they have a live leader (leader lease).
    pub check_quorum: bool,
    /// Maximum entries in one AppendEntries (1 turns batching off).
    pub max_batch: usize,
    /// Maximum unacknowledged AppendEntries per follower (1 turns pipelining off).
    pub max_inflight: usize,
    /// Take a snapshot after this many applied entries beyond the last one (0 = never).
    pub snapshot_every: u64,
    /// Period of the leader's housekeeping tick (`StateMachine::housekeeping`).
    pub housekeeping_every: Time,
}

impl Default for RaftConfig {
    fn default() -> Self {
        RaftConfig {
            heartbeat: 50 * MS,
            election_min: 150 * MS,
            election_max: 300 * MS,
            pre_vote: true,
            check_quorum: true,
            max_batch: 64,
            max_inflight: 64,
            snapshot_every: 1000,
            housekeeping_every: 100 * MS,
        }
    }
}

impl RaftConfig {
    /// Batching and pipelining off: one entry per message, one message in flight.
    pub fn unbatched(mut self) -> Self {
        self.max_batch = 1;
        self.max_inflight = 1;
        self
    }

    /// Checks the values a user can type in; returns a message naming the bad field.
    pub fn validate(&self) -> Result<(), String> {
        if self.heartbeat == 0 {
            return Err("heartbeat must be > 0".into());
        }
        if self.election_min == 0 || self.election_max <= self.election_min {
            return Err("election timeout needs 0 < election_min < election_max".into());
        }
        if self.heartbeat >= self.election_min {
            return Err("heartbeat must be shorter than election_min".into());
        }
        if self.max_batch == 0 || self.max_inflight == 0 {
            return Err("max_batch and max_inflight must be >= 1".into());
        }
        if self.housekeeping_every == 0 {
            return Err("housekeeping_every must be > 0".into());
        }
        Ok(())
    }
}
