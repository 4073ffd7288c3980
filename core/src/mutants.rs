//! Named mutations: known bugs put back on purpose, so the fuzzers can prove they find them.
//!
//! A mutant is switched on for the current thread only (`with`), and only in a build with the
//! `mutants` cargo feature. That feature refuses to compile without debug assertions (see the
//! `compile_error!` below), so a release CLI build and the browser build (`wasm-release`) can
//! never contain a mutation; the `mutants` cargo profile (release speed + debug assertions) is
//! the fast way to run the suite. Without the feature `active` is a constant `false`, which the
//! optimiser removes together with the mutated branch.

#[cfg(all(feature = "mutants", not(debug_assertions)))]
compile_error!(
    "the `mutants` feature needs debug assertions: use `--profile mutants`, never release"
);

/// Every mutation the suite knows: a flat list, one variant per bug, grouped by service. A
/// service adds its variants here, guards its one-line mutations with
/// `if crate::mutants::active(Mutant::X)`, and lists them in the suite table
/// (`services::mutants::SUITE`) with the fuzz target that must kill them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mutant {
    // --- Raft (`raft/`) ---
    /// Figure 8 (§5.4.2): the leader commits an entry of an older term by counting replicas.
    RaftFigure8CommitRule,
    /// ReadIndex served at once, without the heartbeat round that confirms leadership (§6.4).
    RaftReadIndexNoHeartbeat,
    /// A membership change allowed before the leader commits an entry of its own term
    /// (Ongaro, raft-dev 2015: the single-server change bug).
    RaftMembershipBeforeOwnTermCommit,
    /// A granted vote is not written to the durable store: a restart forgets it.
    RaftVoteNotPersisted,
    /// A vote granted without the candidate's log being at least as up to date (§5.4.1).
    RaftVoteWithoutUpToDateCheck,
    /// A second membership change proposed while the first is uncommitted (thesis §4.1).
    RaftTwoConfigChangesAtOnce,
    /// ReadIndex uses the commit index even before the new leader committed its no-op (§6.4).
    RaftReadIndexIgnoresNoop,
    // --- Lock manager (`services/lock/`) ---
    /// A lease expires at half its length.
    LockLeaseExpiresEarly,
    /// The fencing token is not increased on a grant.
    LockFencingTokenNotIncreased,
    // --- Queue (`services/queue/`) ---
    /// The partition leader answers an enqueue as soon as it appended it, before a quorum of
    /// the partition's replicas persisted it.
    QueueAckBeforeQuorum,
    /// A delivery whose visibility timeout passed is never made visible again.
    QueueNeverRedeliver,
    /// On a leave, the leaver's partitions go to the wrong node instead of the ring's next
    /// distinct successor.
    QueueLeaveWrongSuccessor,
}

impl Mutant {
    /// Every variant, in declaration order.
    pub const ALL: &'static [Mutant] = &[
        Mutant::RaftFigure8CommitRule,
        Mutant::RaftReadIndexNoHeartbeat,
        Mutant::RaftMembershipBeforeOwnTermCommit,
        Mutant::RaftVoteNotPersisted,
        Mutant::RaftVoteWithoutUpToDateCheck,
        Mutant::RaftTwoConfigChangesAtOnce,
        Mutant::RaftReadIndexIgnoresNoop,
        Mutant::LockLeaseExpiresEarly,
        Mutant::LockFencingTokenNotIncreased,
        Mutant::QueueAckBeforeQuorum,
        Mutant::QueueNeverRedeliver,
        Mutant::QueueLeaveWrongSuccessor,
    ];

    /// The variant's name, as `syncsim mutants --only NAME` takes it.
    pub fn name(self) -> String {
        format!("{self:?}")
    }
}

#[cfg(feature = "mutants")]
thread_local! {
    static ACTIVE: std::cell::Cell<Option<Mutant>> = const { std::cell::Cell::new(None) };
}

/// Whether `m` is switched on for this thread.
#[inline(always)]
pub fn active(m: Mutant) -> bool {
    #[cfg(feature = "mutants")]
    {
        ACTIVE.with(|a| a.get() == Some(m))
    }
    #[cfg(not(feature = "mutants"))]
    {
        let _ = m;
        false
    }
}

/// Runs `f` with `m` switched on for this thread (and off again afterwards).
#[cfg(feature = "mutants")]
pub fn with<R>(m: Mutant, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Mutant>);
    impl Drop for Reset {
        fn drop(&mut self) {
            ACTIVE.with(|a| a.set(self.0));
        }
    }
    let _reset = Reset(ACTIVE.with(|a| a.replace(Some(m))));
    f()
}
