//! Outcome counts and latencies of a recorded lock history (benchmarks, UI, tests).

use serde::{Deserialize, Serialize};

use super::checker::{LockEvent, LockOp};
use super::types::LockOutput;
use crate::sim::Time;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LockRunStats {
    pub acquires: usize,
    pub granted: usize,
    pub conflicts: usize,
    pub timeouts: usize,
    pub deadlocks: usize,
    /// Acquires without an answer (client crash, run ended while waiting).
    pub unanswered: usize,
    pub releases: usize,
    pub released: usize,
    /// Releases answered `NotOwner`/`NotFound` (e.g. the lease had expired).
    pub release_refused: usize,
    /// Invocation-to-answer time of every answered acquire, µs, in history order.
    pub acquire_latency_us: Vec<Time>,
    /// Same for every answered release.
    pub release_latency_us: Vec<Time>,
}

impl LockRunStats {
    /// Granted acquires over all acquires (1.0 when there were none).
    pub fn success_rate(&self) -> f64 {
        if self.acquires == 0 {
            1.0
        } else {
            self.granted as f64 / self.acquires as f64
        }
    }
}

pub fn summarize(events: &[LockEvent]) -> LockRunStats {
    let mut s = LockRunStats::default();
    for e in events {
        let latency = e.completed.map(|c| c.saturating_sub(e.invoked));
        match (&e.op, e.known_result()) {
            (LockOp::Acquire { .. }, result) => {
                s.acquires += 1;
                match result {
                    Some(LockOutput::Granted { .. }) => s.granted += 1,
                    Some(LockOutput::Conflict { .. }) => s.conflicts += 1,
                    Some(LockOutput::Timeout) => s.timeouts += 1,
                    Some(LockOutput::Deadlock) => s.deadlocks += 1,
                    _ => s.unanswered += 1,
                }
                if result.is_some() {
                    s.acquire_latency_us.extend(latency);
                }
            }
            (LockOp::Release { .. }, result) => {
                s.releases += 1;
                match result {
                    Some(LockOutput::Released { .. }) => s.released += 1,
                    Some(_) => s.release_refused += 1,
                    None => {}
                }
                if result.is_some() {
                    s.release_latency_us.extend(latency);
                }
            }
            (LockOp::Status { .. }, _) => {}
        }
    }
    s
}
