//! Swarm testing and BUGGIFY for the Raft fuzzer (`fuzz.rs`).
//!
//! **Swarm** (Groce et al., "Swarm Testing", 2012; the VOPR does the same): each seed draws its
//! own fault mix. Every fault kind gets a weight, and about a third of the kinds are absent from
//! any one seed, so that one fault does not always mask another (a seed without crashes lets
//! a partitioned leader live long enough to serve stale reads; a seed without heals keeps a
//! minority isolated). The seed also draws its fault rate, how long chaos lasts before a calm
//! period, and its client mix (read-heavy seeds exercise ReadIndex).
//!
//! **Chaos alternates with calm**: a window of faults, then a heal and a quiet period in which
//! the cluster elects a leader and commits. Classic bugs need *progress between faults* (Figure
//! 8 needs three elections with different winners); unbroken chaos leaves the cluster mostly
//! leaderless.
//!
//! **BUGGIFY** (FoundationDB): faults fired by what the cluster just did, not by the clock, so
//! that narrow windows get a fair chance:
//! - isolate (or crash) a leader just after it appends, above all just after a new leader's
//!   no-op (a leader whose entries never left it, then a rival's, is Figure 8's setup);
//! - crash a node just after it persisted something (a vote, a term, entries), before its
//!   answer leaves: what a restart must remember;
//! - partition (split) the cluster while a membership change is uncommitted;
//! - crash a server right after its snapshot changed (an install interrupted before its
//!   answer leaves; the simulator installs a snapshot in one step, so "interrupted" means
//!   between the install and the acknowledgement).

use super::fuzz::KvProcess;
use super::Role;
use crate::sim::{Action, ActorId, NodeState, Sim, SimRng, Time, MS};

/// Fault kinds of the chaos windows, in the order of `Swarm::weights`.
pub const KINDS: [&str; 12] = [
    "crash",
    "restart",
    "pause",
    "isolate",
    "split",
    "cut",
    "heal",
    "links",
    "transfer",
    "membership",
    "timeout",
    "compact",
];

/// One seed's fault mix and pacing.
#[derive(Clone, Debug, PartialEq)]
pub struct Swarm {
    /// Weight per kind of `KINDS` (0: this seed never does it).
    pub weights: [u64; KINDS.len()],
    /// Time between two faults of a chaos window, uniform in `[lo, hi)`.
    pub gap: (Time, Time),
    /// Length of a chaos window and of the calm period after it.
    pub window: (Time, Time),
    pub calm: (Time, Time),
    /// Calm periods also restart crashed and resume paused servers (else they stay down until
    /// the liveness phase, unless the mix restarts them).
    pub calm_restarts: bool,
    pub bug: Buggify,
    /// Fraction of ReadIndex reads among the operations of client `c`: `read_ratio[c % 4]`.
    /// A read-only client keeps asking a deposed leader, which is what exposes stale reads.
    pub read_ratio: [f64; 4],
    /// Client request timeout (a shorter one finds a new leader sooner).
    pub request_timeout: Time,
    /// Crashes leave the messages already sent in flight (`Sim::crash_keeping_sent`), and
    /// BUGGIFY restarts can come within milliseconds: an old incarnation's votes, acks and
    /// appends then arrive after the restart.
    pub stale_messages: bool,
    /// Removed servers keep running through the liveness phase (only with check-quorum, which
    /// is what stops them disrupting, thesis §4.2.3); otherwise the operator shuts them down.
    pub keep_removed: bool,
}

/// Probabilities of the targeted faults (0: off for this seed).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Buggify {
    /// Isolate a new leader right after its first append of the term (its no-op).
    pub isolate_new_leader: f64,
    /// Isolate a leader right after any other append.
    pub isolate_after_append: f64,
    /// Crash instead of isolating (the log survives on disk, the rest does not).
    pub crash_instead: bool,
    /// Crash a server right after its term, vote or log changed.
    pub crash_after_persist: f64,
    /// Split the servers while the leader's configuration changed and is uncommitted.
    pub split_on_config: f64,
    /// Crash a server right after its snapshot changed: an install whose answer never leaves
    /// (or, with stale messages, leaves from a dead incarnation), or a compaction.
    pub crash_after_snapshot: f64,
}

impl Swarm {
    /// The previous fuzzer's mix, for comparison: every kind, no calm, no BUGGIFY.
    pub fn uniform() -> Self {
        Swarm {
            weights: [2, 2, 1, 1, 1, 1, 2, 1, 1, 2, 1, 1],
            gap: (5 * MS, 80 * MS),
            window: (Time::MAX / 4, Time::MAX / 4),
            calm: (0, 0),
            calm_restarts: false,
            bug: Buggify::default(),
            read_ratio: [0.2; 4],
            request_timeout: 400 * MS,
            stale_messages: false,
            keep_removed: false,
        }
    }

    pub fn draw(rng: &mut SimRng) -> Self {
        let mut weights = [0; KINDS.len()];
        for w in &mut weights {
            *w = if rng.chance(0.3) {
                0
            } else {
                rng.range_u64(1, 5)
            };
        }
        // Restarts follow crashes (a crash-only seed still restarts in calm periods).
        weights[1] = weights[1].max(weights[0] / 2);
        let fast = rng.range_u64(2, 30) * MS;
        let on = |rng: &mut SimRng, p: f64, lo: f64, hi: f64| {
            if rng.chance(p) {
                lo + rng.unit_f64() * (hi - lo)
            } else {
                0.0
            }
        };
        let bug = Buggify {
            isolate_new_leader: on(rng, 0.6, 0.3, 1.0),
            isolate_after_append: on(rng, 0.4, 0.005, 0.05),
            crash_instead: rng.chance(0.3),
            crash_after_persist: on(rng, 0.3, 0.002, 0.03),
            split_on_config: on(rng, 0.5, 0.2, 1.0),
            crash_after_snapshot: on(rng, 0.4, 0.2, 1.0),
        };
        Swarm {
            weights,
            gap: (fast, fast * rng.range_u64(2, 6)),
            window: (200 * MS, rng.range_u64(400, 1200) * MS),
            calm: (100 * MS, rng.range_u64(200, 700) * MS),
            calm_restarts: rng.chance(0.7),
            bug,
            read_ratio: [(); 4].map(|_| [0.0, 0.2, 0.5, 0.9, 1.0][rng.range_u64(0, 5) as usize]),
            request_timeout: [100, 200, 400][rng.range_u64(0, 3) as usize] * MS,
            stale_messages: rng.chance(0.5),
            keep_removed: rng.chance(0.5),
        }
    }

    /// A kind drawn by weight (`None` if every weight is 0).
    pub fn pick(&self, rng: &mut SimRng) -> Option<usize> {
        let total: u64 = self.weights.iter().sum();
        if total == 0 {
            return None;
        }
        let mut x = rng.range_u64(0, total);
        self.weights.iter().position(|&w| {
            if x < w {
                true
            } else {
                x -= w;
                false
            }
        })
    }
}

/// What BUGGIFY remembers between events to notice "just appended" and the like.
#[derive(Clone, Debug, Default)]
pub struct Watch {
    /// Per server: (term, voted for, last log index, number of voters, first log index)
    /// after the last event.
    seen: Vec<(u64, Option<ActorId>, u64, usize, u64)>,
    /// Per server: the term of its last append as leader.
    appended_in_term: Vec<u64>,
}

impl Watch {
    pub fn new(servers: usize) -> Self {
        Watch {
            seen: vec![(0, None, 0, 0, 0); servers],
            appended_in_term: vec![0; servers],
        }
    }

    /// After one event: the targeted fault to inject now, if any, with its name.
    pub fn after_event(
        &mut self,
        sim: &Sim<KvProcess>,
        bug: &Buggify,
        rng: &mut SimRng,
        may_crash: bool,
    ) -> Option<(
        &'static str,
        Action<super::ProcessCmd<super::testsm::KvCmd>>,
    )> {
        let mut fire = None;
        let n = self.seen.len();
        for (i, seen) in self.seen.iter_mut().enumerate() {
            if sim.node_state(i) != NodeState::Up {
                continue;
            }
            let Some(s) = sim.actor(i).server() else {
                continue;
            };
            let now = (
                s.term(),
                s.voted_for(),
                s.log().last_index(),
                s.voters().len(),
                s.log().first_index(),
            );
            let before = std::mem::replace(seen, now);
            if fire.is_some() || now == before {
                continue;
            }
            let leader = s.role() == Role::Leader;
            if leader && now.2 > before.2 {
                let first = self.appended_in_term[i] != now.0;
                self.appended_in_term[i] = now.0;
                let p = if first {
                    bug.isolate_new_leader
                } else {
                    bug.isolate_after_append
                };
                if p > 0.0 && rng.chance(p) {
                    fire = Some(if bug.crash_instead && may_crash {
                        ("bug: crash leader after append", Action::Crash { node: i })
                    } else {
                        (
                            "bug: isolate leader after append",
                            Action::Isolate { node: i },
                        )
                    });
                    continue;
                }
            }
            let config_changed = leader && now.3 != before.3 && before.3 != 0;
            if config_changed && bug.split_on_config > 0.0 && rng.chance(bug.split_on_config) {
                let group: Vec<ActorId> = (0..n).filter(|_| rng.chance(0.5)).collect();
                let a = if !group.is_empty() && group.len() < n {
                    Action::Split { group }
                } else {
                    Action::Isolate { node: i }
                };
                fire = Some(("bug: split during membership change", a));
                continue;
            }
            let snapshot = before.4 != 0 && now.4 > before.4;
            if may_crash && snapshot && bug.crash_after_snapshot > 0.0 {
                if rng.chance(bug.crash_after_snapshot) {
                    fire = Some(("bug: crash after snapshot", Action::Crash { node: i }));
                }
                continue;
            }
            if may_crash && bug.crash_after_persist > 0.0 && rng.chance(bug.crash_after_persist) {
                fire = Some(("bug: crash after persist", Action::Crash { node: i }));
            }
        }
        fire
    }
}

/// A name for a chaos action, for the fault-mix report.
pub fn kind_name(k: usize) -> &'static str {
    KINDS.get(k).copied().unwrap_or("?")
}

/// BUGGIFY restarts what it crashed after this long: a short delay keeps "crash between two
/// persists" from turning into "crash for good".
pub const BUGGIFY_RESTART_AFTER: (Time, Time) = (20 * MS, 300 * MS);
/// ... and with `Swarm::stale_messages`, half the time within a message latency, so that the
/// old incarnation's messages are still in flight when the new one starts.
pub const QUICK_RESTART_AFTER: (Time, Time) = (MS / 10, 3 * MS);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raft::fuzz::{run_seed, FuzzConfig};

    /// Each kind is absent from some seeds and present in others, and so is each BUGGIFY.
    #[test]
    fn seeds_draw_different_mixes() {
        let mut rng = SimRng::new(1);
        let swarms: Vec<Swarm> = (0..300).map(|_| Swarm::draw(&mut rng)).collect();
        for (k, name) in KINDS.iter().enumerate() {
            let absent = swarms.iter().filter(|s| s.weights[k] == 0).count();
            assert!(
                (20..280).contains(&absent),
                "{name}: absent in {absent} of 300"
            );
        }
        let on = |f: fn(&Buggify) -> f64| swarms.iter().filter(|s| f(&s.bug) > 0.0).count();
        for (name, n) in [
            ("isolate_new_leader", on(|b| b.isolate_new_leader)),
            ("isolate_after_append", on(|b| b.isolate_after_append)),
            ("crash_after_persist", on(|b| b.crash_after_persist)),
            ("split_on_config", on(|b| b.split_on_config)),
            ("crash_after_snapshot", on(|b| b.crash_after_snapshot)),
        ] {
            assert!((30..270).contains(&n), "{name}: on in {n} of 300");
        }
    }

    /// The targeted faults really fire in the fuzzer (not only in the draw).
    #[test]
    fn buggify_faults_fire() {
        let fc = FuzzConfig::default();
        let mut mix = std::collections::BTreeMap::new();
        for seed in 0..60 {
            let stats = run_seed(seed, &fc).unwrap_or_else(|f| panic!("{f}"));
            for (k, n) in stats.mix {
                *mix.entry(k).or_insert(0u64) += n;
            }
        }
        for kind in [
            "bug: isolate leader after append",
            "bug: crash leader after append",
            "bug: crash after persist",
            "bug: split during membership change",
            "bug: crash after snapshot",
            "crash",
            "isolate",
            "membership",
        ] {
            assert!(
                mix.get(kind).copied().unwrap_or(0) > 0,
                "{kind} never fired: {mix:?}"
            );
        }
    }
}
