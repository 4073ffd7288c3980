//! The leader's view of one follower: nextIndex/matchIndex plus flow control (etcd's Progress).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// How the leader is talking to a follower.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplState {
    /// Searching for the match point: one AppendEntries at a time.
    Probe,
    /// Matched: stream entries optimistically, up to `max_inflight` messages.
    Replicate,
    /// An InstallSnapshot is on its way; appends wait for its answer.
    Snapshot,
}

#[derive(Clone, Debug)]
pub struct Progress {
    pub next: u64,
    pub matched: u64,
    pub state: ReplState,
    /// Probe state: an AppendEntries is outstanding; wait for its answer or a heartbeat answer.
    pub paused: bool,
    /// Last index of each unacknowledged AppendEntries (Replicate state).
    pub inflight: VecDeque<u64>,
    /// Heard from since the last check-quorum round.
    pub recent_active: bool,
    /// The commit index carried by the last AppendEntries sent (to tell idle followers news).
    pub commit_sent: u64,
}

impl Progress {
    pub fn new(next: u64) -> Self {
        Progress {
            next,
            matched: 0,
            state: ReplState::Probe,
            paused: false,
            inflight: VecDeque::new(),
            recent_active: true,
            commit_sent: 0,
        }
    }

    pub fn is_paused(&self, max_inflight: usize) -> bool {
        match self.state {
            ReplState::Probe => self.paused,
            ReplState::Replicate => self.inflight.len() >= max_inflight,
            ReplState::Snapshot => true,
        }
    }

    pub fn become_probe(&mut self) {
        self.state = ReplState::Probe;
        self.next = self.matched + 1;
        self.paused = false;
        self.inflight.clear();
    }

    pub fn become_replicate(&mut self) {
        self.state = ReplState::Replicate;
        self.next = self.next.max(self.matched + 1);
        self.paused = false;
        self.inflight.clear();
    }

    /// Record that entries up to `last` were sent.
    pub fn sent(&mut self, last: u64) {
        match self.state {
            ReplState::Replicate => {
                self.next = last + 1;
                self.inflight.push_back(last);
            }
            ReplState::Probe => self.paused = true,
            ReplState::Snapshot => {}
        }
    }

    /// A successful answer up to `index`. Returns true if it told us something new.
    pub fn ack(&mut self, index: u64) -> bool {
        self.paused = false;
        while self.inflight.front().is_some_and(|&i| i <= index) {
            self.inflight.pop_front();
        }
        if index > self.matched {
            self.matched = index;
            self.next = self.next.max(index + 1);
            true
        } else {
            false
        }
    }

    /// A rejection of `rejected` (the prev_index we sent); `hint` is where the follower's log
    /// may match. Returns false for a stale rejection (an answer to an older message).
    pub fn reject(&mut self, rejected: u64, hint: u64) -> bool {
        match self.state {
            ReplState::Replicate => {
                if rejected <= self.matched {
                    return false;
                }
                self.become_probe();
                true
            }
            _ => {
                if self.next.checked_sub(1) != Some(rejected) {
                    return false;
                }
                self.next = rejected.min(hint + 1).max(self.matched + 1);
                self.paused = false;
                true
            }
        }
    }
}
