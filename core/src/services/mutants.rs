//! The mutation suite: which fuzz target must kill which mutant (`crate::mutants`), and the
//! hunt that runs it. Only in builds with the `mutants` feature (`syncsim mutants`, the
//! `core/tests/mutants.rs` CI subset).
//!
//! A service adds a row per mutant to [`SUITE`]: its name, the service, and the fuzz target
//! that must kill it (a `fn(seed) -> Result<(), FuzzFailure>` running one seed of a fuzzer with
//! its safety checks). Nothing else changes.

use crate::mutants::{with, Mutant};
use crate::raft::fuzz::FuzzConfig;
use crate::service::fuzz::{FuzzFailure, FuzzOptions};

/// One row of the suite.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub mutant: Mutant,
    /// The service the mutation lives in.
    pub service: &'static str,
    /// The fuzz target's name (as `syncsim fuzz --service` names it).
    pub target: &'static str,
    /// Runs one seed of that target.
    pub run: fn(u64) -> Result<(), FuzzFailure>,
}

/// One seed of the Raft fuzzer (`syncsim fuzz --service raft`, default settings).
pub fn raft_seed(seed: u64) -> Result<(), FuzzFailure> {
    crate::raft::fuzz::run_seed(seed, &FuzzConfig::default()).map(|_| ())
}

/// One seed of the lock manager in the generic fuzzer (`syncsim fuzz --service lock`).
pub fn lock_seed(seed: u64) -> Result<(), FuzzFailure> {
    crate::service::fuzz::run_seed::<super::lock::fuzz::LockFuzz>(seed, &FuzzOptions::default())
        .map(|_| ())
}

/// One seed of the queue in the generic fuzzer (`syncsim fuzz --service queue`).
pub fn queue_seed(seed: u64) -> Result<(), FuzzFailure> {
    crate::service::fuzz::run_seed::<super::queue::fuzz::QueueFuzz>(seed, &FuzzOptions::default())
        .map(|_| ())
}

const fn queue(mutant: Mutant) -> Case {
    Case {
        mutant,
        service: "queue",
        target: "queue",
        run: queue_seed,
    }
}

const fn raft(mutant: Mutant) -> Case {
    Case {
        mutant,
        service: "raft",
        target: "raft",
        run: raft_seed,
    }
}

const fn lock(mutant: Mutant) -> Case {
    Case {
        mutant,
        service: "lock",
        target: "lock",
        run: lock_seed,
    }
}

/// Every mutant and the fuzz target that must kill it.
pub const SUITE: &[Case] = &[
    raft(Mutant::RaftFigure8CommitRule),
    raft(Mutant::RaftReadIndexNoHeartbeat),
    raft(Mutant::RaftMembershipBeforeOwnTermCommit),
    raft(Mutant::RaftVoteNotPersisted),
    raft(Mutant::RaftVoteWithoutUpToDateCheck),
    raft(Mutant::RaftTwoConfigChangesAtOnce),
    raft(Mutant::RaftReadIndexIgnoresNoop),
    lock(Mutant::LockLeaseExpiresEarly),
    lock(Mutant::LockFencingTokenNotIncreased),
    queue(Mutant::QueueAckBeforeQuorum),
    queue(Mutant::QueueNeverRedeliver),
    queue(Mutant::QueueLeaveWrongSuccessor),
];

/// The suite row of `name` (the variant's name, case-insensitive).
pub fn case(name: &str) -> Option<&'static Case> {
    SUITE
        .iter()
        .find(|c| c.mutant.name().eq_ignore_ascii_case(name))
}

/// The outcome of hunting one mutant.
#[derive(Clone, Debug)]
pub struct Hunt {
    pub case: Case,
    /// Seeds run (up to and including the killing one).
    pub seeds_run: u64,
    /// The first failing seed, confirmed to pass without the mutant.
    pub kill: Option<FuzzFailure>,
    /// Seeds that failed with the mutant *and* without it: a bug of the unmutated code (or of
    /// the checks), not a kill. The hunt stops at the first one.
    pub unmutated_failure: Option<FuzzFailure>,
}

impl Hunt {
    pub fn killed(&self) -> bool {
        self.kill.is_some()
    }
}

/// Runs seeds `from..from + seeds` of the case's target with its mutant switched on, until
/// one fails. A failing seed counts as a kill only if it passes without the mutant.
pub fn hunt(case: &Case, from: u64, seeds: u64) -> Hunt {
    let mut h = Hunt {
        case: *case,
        seeds_run: 0,
        kill: None,
        unmutated_failure: None,
    };
    for seed in from..from.saturating_add(seeds) {
        h.seeds_run += 1;
        if let Err(f) = with(case.mutant, || (case.run)(seed)) {
            match (case.run)(seed) {
                Ok(()) => h.kill = Some(f),
                Err(u) => h.unmutated_failure = Some(u),
            }
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mutant_is_in_the_suite_once() {
        for m in Mutant::ALL {
            assert_eq!(SUITE.iter().filter(|c| c.mutant == *m).count(), 1, "{m:?}");
        }
        assert_eq!(SUITE.len(), Mutant::ALL.len());
        assert!(case("raftfigure8commitrule").is_some());
        assert!(case("nope").is_none());
    }
}
