//! CI subset of the mutation suite: the fuzzers must keep killing the classic Raft bugs within
//! a small seed budget, so that a weaker fuzzer fails CI. Only with the `mutants` feature (which
//! needs debug assertions):
//! `cargo test -p syncsim-core --profile mutants --features mutants --test mutants`.
//! The full table is `syncsim mutants --seeds 10000` (see `cli/src/mutants.rs`).
#![cfg(feature = "mutants")]

use syncsim_core::mutants::Mutant;
use syncsim_core::services::mutants::{hunt, raft_seed, SUITE};

/// Seeds per mutant. With swarm testing and BUGGIFY the three classic mutants die within a few
/// hundred seeds on average (`syncsim mutants --all` gives their kill rates); this budget is
/// several times their mean seeds-to-kill, so a failure means the fuzzer got weaker.
const BUDGET: u64 = 3_000;

fn must_die(m: Mutant) {
    let case = SUITE.iter().find(|c| c.mutant == m).expect("in the suite");
    let h = hunt(case, 0, BUDGET);
    if let Some(u) = &h.unmutated_failure {
        panic!("seed {} fails without the mutant too:\n{u}", u.seed);
    }
    assert!(
        h.killed(),
        "{m:?} survived {BUDGET} seeds of the {} fuzzer",
        case.target
    );
}

#[test]
fn figure8_commit_rule_dies() {
    must_die(Mutant::RaftFigure8CommitRule);
}

#[test]
fn read_index_without_heartbeat_dies() {
    must_die(Mutant::RaftReadIndexNoHeartbeat);
}

#[test]
fn membership_change_before_own_term_commit_dies() {
    must_die(Mutant::RaftMembershipBeforeOwnTermCommit);
}

/// The kills above count only because the unmutated fuzzer passes the same seeds.
#[test]
fn the_unmutated_raft_fuzzer_passes_the_budget() {
    for seed in 0..BUDGET {
        if let Err(f) = raft_seed(seed) {
            panic!("{f}");
        }
    }
}
