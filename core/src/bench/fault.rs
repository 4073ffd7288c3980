//! The fault plan of a benchmark run, driven in virtual time: one copy for every service's run
//! (lock, queue, cache). The run asks [`Fault::next_time`] when it must stop the simulation,
//! calls [`Fault::act`] there (which fires the fault, or undoes it), and at the end reads the
//! interval to shade ([`Fault::interval`]). What "the leader" is and how a node's role is
//! named are the service's business: the run passes them in.

use super::result::FaultInterval;
use super::scenario::{secs, FaultAction, FaultPlan, FaultTarget};
use crate::sim::{Action, Actor, ActorId, NodeState, Sim, Time};

/// A fault plan resolved to absolute times.
#[derive(Debug)]
pub(crate) struct Fault {
    plan: FaultPlan,
    at: Time,
    until: Option<Time>,
    /// Measured seconds: where a fault that is never undone stops being shaded.
    duration_s: f64,
    /// Set when it fired: the node hit, and the interval to shade if the kernel applied it.
    node: Option<ActorId>,
    interval: Option<FaultInterval>,
    undone: bool,
}

impl Fault {
    /// `plan` for a run whose measurement starts at `t0` and lasts `duration_s`.
    pub(crate) fn new(plan: FaultPlan, t0: Time, duration_s: f64) -> Self {
        Fault {
            plan,
            at: t0 + secs(plan.at_s),
            until: plan.until_s.map(|u| t0 + secs(u)),
            duration_s,
            node: None,
            interval: None,
            undone: false,
        }
    }

    /// When the fault fires (absolute virtual time).
    pub(crate) fn at(&self) -> Time {
        self.at
    }

    /// The node the fault hit, once it fired.
    pub(crate) fn node(&self) -> Option<ActorId> {
        self.node
    }

    /// The interval to shade, once the fault fired.
    pub(crate) fn interval(&self) -> Option<&FaultInterval> {
        self.interval.as_ref()
    }

    pub(crate) fn into_interval(self) -> Option<FaultInterval> {
        self.interval
    }

    /// A run's `BenchResult::faults`: the interval of its fault, if it had one that fired.
    pub(crate) fn intervals_of(fault: Option<Fault>) -> Vec<FaultInterval> {
        fault.and_then(Fault::into_interval).into_iter().collect()
    }

    /// The next time the run must stop the simulation for the fault (fire or undo), if any.
    pub(crate) fn next_time(&self) -> Option<Time> {
        match (self.node, self.until, self.undone) {
            (None, _, _) => Some(self.at),
            (Some(_), Some(u), false) => Some(u),
            _ => None,
        }
    }

    /// Fire the fault, or undo it, if it is due at `now`. `leader` is the node the service
    /// calls its leader now (`None` if it has none); `role` names a node's role for the shaded
    /// label ("leader", "follower", "led 3 of 8 partitions"...), read before the fault hits.
    /// Returns the node hit when the fault fires and the kernel applied it.
    pub(crate) fn act<A: Actor>(
        &mut self,
        sim: &mut Sim<A>,
        now: Time,
        leader: Option<ActorId>,
        role: impl FnOnce(ActorId) -> Option<String>,
    ) -> Option<ActorId> {
        if self.node.is_none() && now >= self.at {
            let node = match self.plan.target {
                FaultTarget::Node(k) => k - 1,
                FaultTarget::Leader => leader.unwrap_or(0),
                FaultTarget::Follower => (0..sim.servers())
                    .find(|&id| Some(id) != leader && sim.node_state(id) == NodeState::Up)
                    .unwrap_or(0),
            };
            let (action, verb) = match self.plan.action {
                FaultAction::Crash => (Action::Crash { node }, "crashed"),
                FaultAction::Isolate => (Action::Isolate { node }, "isolated"),
                FaultAction::Pause => (Action::Pause { node }, "paused"),
            };
            let role = role(node).map_or(String::new(), |r| format!(" ({r})"));
            // Validation guarantees the node exists, so the kernel accepts the action; a
            // refusal would only leave the fault out of the run, never corrupt it.
            let applied = sim.apply(action).is_ok();
            self.node = Some(node);
            if applied {
                self.interval = Some(FaultInterval {
                    start_s: self.plan.at_s,
                    end_s: self.plan.until_s.unwrap_or(self.duration_s),
                    label: format!("n{} {verb}{role}", node + 1),
                });
                return Some(node);
            }
        } else if let (Some(node), Some(until), false) = (self.node, self.until, self.undone) {
            if now >= until {
                let undo = match self.plan.action {
                    FaultAction::Crash => Action::Restart { node },
                    FaultAction::Isolate => Action::HealAll,
                    FaultAction::Pause => Action::Resume { node },
                };
                let _ = sim.apply(undo);
                self.undone = true;
            }
        }
        None
    }
}

/// A group's leader and its term (`None`: the group has no running leader).
pub(crate) type GroupLeader = Option<(ActorId, u64)>;

/// The election a fault forced: the consensus groups (the lock's one Raft group, the queue's
/// partition groups) whose leader the fault took, until every one of them has a running leader
/// of a later term. A fault that took no leader forced no election.
#[derive(Debug, Default)]
pub(crate) struct ElectionWatch {
    /// `(group, term of the lost leader)` of the groups still without a successor.
    waiting: Vec<(usize, u64)>,
    /// Groups whose leader the fault took.
    lost: usize,
    /// When the last of them had a successor.
    done_at: Option<Time>,
}

impl ElectionWatch {
    /// The fault hit `node`; `before[g]` is group `g`'s leader just before it did.
    pub(crate) fn fault_hit(&mut self, node: ActorId, before: &[GroupLeader]) {
        self.waiting = before
            .iter()
            .enumerate()
            .filter_map(|(g, l)| l.filter(|l| l.0 == node).map(|l| (g, l.1)))
            .collect();
        self.lost = self.waiting.len();
    }

    /// Some group still waits for its new leader (the run then reads the leaders again).
    pub(crate) fn waiting(&self) -> bool {
        !self.waiting.is_empty()
    }

    /// The groups' leaders `now`: a group whose leader has a later term than the lost one is
    /// done; when the last is, the election is over.
    pub(crate) fn check(&mut self, now: Time, leaders: &[GroupLeader]) {
        if self.waiting.is_empty() {
            return;
        }
        self.waiting.retain(|&(g, term)| {
            leaders
                .get(g)
                .copied()
                .flatten()
                .is_none_or(|(_, t)| t <= term)
        });
        if self.waiting.is_empty() {
            self.done_at = Some(now);
        }
    }

    /// Groups whose leader the fault took.
    pub(crate) fn groups_lost(&self) -> usize {
        self.lost
    }

    /// From the fault (at `fault_at`) until every group that lost its leader had a new one,
    /// in ms; `None` when no election was needed or it did not complete.
    pub(crate) fn election_ms(&self, fault_at: Time) -> Option<f64> {
        self.done_at
            .map(|t| t.saturating_sub(fault_at) as f64 / crate::sim::MS as f64)
    }
}

/// Servers running at the end of a run (a crashed or paused one is not).
pub(crate) fn nodes_up<A: Actor>(sim: &Sim<A>) -> usize {
    (0..sim.servers())
        .filter(|&id| sim.node_state(id) == NodeState::Up)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::MS;

    #[test]
    fn the_election_ends_when_every_group_that_lost_its_leader_has_a_new_one() {
        let mut w = ElectionWatch::default();
        // Node 1 leads groups 0 and 2 (terms 3 and 5); node 0 leads group 1.
        w.fault_hit(1, &[Some((1, 3)), Some((0, 4)), Some((1, 5))]);
        assert_eq!(w.groups_lost(), 2);
        assert!(w.waiting());
        // Group 0 elects; group 2 still shows its old leader's term (a stale view).
        w.check(1_300 * MS, &[Some((2, 4)), Some((0, 4)), Some((1, 5))]);
        assert!(w.waiting());
        assert_eq!(w.election_ms(1_000 * MS), None);
        // Group 2 elects: the election is over at the slower group's time.
        w.check(1_700 * MS, &[Some((2, 4)), Some((0, 4)), Some((0, 6))]);
        assert!(!w.waiting());
        assert_eq!(w.election_ms(1_000 * MS), Some(700.0));
    }

    #[test]
    fn a_fault_that_took_no_leader_forced_no_election() {
        let mut w = ElectionWatch::default();
        w.fault_hit(2, &[Some((0, 1)), None]);
        assert_eq!(w.groups_lost(), 0);
        assert!(!w.waiting());
        w.check(5 * MS, &[Some((0, 1)), Some((1, 2))]);
        assert_eq!(w.election_ms(0), None);
    }
}
