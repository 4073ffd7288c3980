//! The queue benchmark's fault plan (the node-failure scenario, or any `--fault` given to the
//! queue): the shared driver (`bench::fault`) fires it; this file says what the queue calls
//! its leader and watches the re-election, which for the queue is one per partition group.
//!
//! - "The leader" (`--fault-target leader`) is the node that leads the most partition groups
//!   (the lowest id on a tie); "a follower" is the lowest-numbered running node other than it.
//! - The election time runs from the fault until every partition group whose leader the fault
//!   took has a running leader of a later term (`groups_lost_leader` says how many there were;
//!   0 means no election was needed and `election_ms` is absent).
//! - Clients are left as they are, which is how the lock's clients behave too: a request to
//!   a partition whose leader died is retried at the group's other replicas (following
//!   NotLeader redirects) until its new leader answers, and fails as `unavailable` (503) if no
//!   replica answers within the client's partition timeout; a dequeue scan skips such a
//!   partition. No client is tied to a node, so none stalls on the dead one.

use crate::base::sorted::SortedMap;

use super::actor::QueueActor;
use super::placement::PARTITIONS;
use crate::bench::fault::{nodes_up, ElectionWatch, Fault, GroupLeader};
use crate::bench::metrics::Recorder;
use crate::bench::result::{FailoverStats, FaultInterval};
use crate::bench::scenario::FaultPlan;
use crate::raft::Role;
use crate::service::Part;
use crate::sim::{Actor, ActorId, NodeState, Sim, Time};

/// Every partition group's running leader with the highest term, by partition.
pub(super) fn partition_leaders<A: Actor + Part<QueueActor>>(
    sim: &Sim<A>,
    servers: usize,
) -> Vec<GroupLeader> {
    (0..PARTITIONS)
        .map(|p| {
            (0..servers)
                .filter(|&i| sim.node_state(i) == NodeState::Up)
                .filter_map(|i| {
                    let s = sim.actor(i).part().server()?.partition(p)?;
                    (s.role() == Role::Leader).then_some((s.term(), i))
                })
                .max()
                .map(|(term, i)| (i, term))
        })
        .collect()
}

/// Partition groups each node leads.
fn led_counts(leaders: &[GroupLeader], servers: usize) -> Vec<usize> {
    let mut led = vec![0; servers];
    for &(node, _) in leaders.iter().flatten() {
        if let Some(n) = led.get_mut(node) {
            *n += 1;
        }
    }
    led
}

/// The fault plan of one queue run and the re-election it forces.
#[derive(Debug)]
pub(super) struct QueueFault {
    fault: Fault,
    election: ElectionWatch,
}

impl QueueFault {
    pub(super) fn new(plan: FaultPlan, t0: Time, duration_s: f64) -> Self {
        QueueFault {
            fault: Fault::new(plan, t0, duration_s),
            election: ElectionWatch::default(),
        }
    }

    /// When the run must stop the simulation for the fault.
    pub(super) fn next_time(&self) -> Option<Time> {
        self.fault.next_time()
    }

    /// Fire or undo the fault if it is due at `now`.
    pub(super) fn act<A: Actor + Part<QueueActor>>(
        &mut self,
        sim: &mut Sim<A>,
        servers: usize,
        now: Time,
    ) {
        if self.fault.next_time().is_none_or(|t| now < t) {
            return;
        }
        let before = partition_leaders(sim, servers);
        let led = led_counts(&before, servers);
        // The most groups led, the lowest id on a tie; nobody when no group has a leader.
        let leader = (0..servers)
            .filter(|&i| led[i] > 0)
            .max_by_key(|&i| (led[i], std::cmp::Reverse(i)));
        let role = |node: ActorId| {
            let n = led.get(node).copied().unwrap_or(0);
            Some(format!("led {n} of {PARTITIONS} partitions"))
        };
        if let Some(node) = self.fault.act(sim, now, leader, role) {
            self.election.fault_hit(node, &before);
        }
    }

    /// Whether `watch` needs to look after every timestamp: only from the fault until every
    /// partition group has its leader again (the wait starts in `act`, at a driver time).
    pub(super) fn watching(&self) -> bool {
        self.election.waiting()
    }

    /// After events: while some partition group waits for its new leader, look again.
    pub(super) fn watch<A: Actor + Part<QueueActor>>(&mut self, sim: &Sim<A>, servers: usize) {
        if self.election.waiting() {
            let leaders = partition_leaders(sim, servers);
            self.election.check(sim.now(), &leaders);
        }
    }

    /// The failover figures over the measured time (up to `end`), the interval to shade, and
    /// the queue's own figures into `extra`.
    pub(super) fn finish<A: Actor>(
        self,
        rec: &Recorder,
        end: Time,
        sim: &Sim<A>,
        extra: &mut SortedMap<String, f64>,
    ) -> (Option<FailoverStats>, Option<FaultInterval>) {
        let at = self.fault.at();
        let failover = self
            .fault
            .interval()
            .map(|_| rec.failover(at, end, self.election.election_ms(at)));
        if failover.is_some() {
            extra.insert(
                "groups_lost_leader".to_string(),
                self.election.groups_lost() as f64,
            );
        }
        extra.insert("nodes_up".to_string(), nodes_up(sim) as f64);
        (failover, self.fault.into_interval())
    }
}
