//! The lock manager on a simulated Raft cluster: a client workload, cluster builders, the
//! adapter from client histories to the checker, and replica comparison.

use super::checker::{LockEvent, LockOp};
use super::table::LockTable;
use super::types::{LockCmd, LockMode, LockOutput};
use crate::net::LinkConfig;
use crate::raft::{
    ClientOp, ClientResult, HistoryEntry, Process, RaftConfig, StateMachine, Workload,
};
use crate::service::Part;
use crate::sim::{
    Actor, ActorId, ClockBound, ConfigError, NodeState, Sim, SimConfig, SimRng, Time, MS,
};

/// One process (server or client) of a lock cluster.
pub type LockProcess = Process<LockTable, LockWorkload>;

/// A closed-loop lock user: think → acquire → hold → release → think ...
#[derive(Clone, Debug, PartialEq)]
pub struct LockWorkload {
    pub resources: Vec<String>,
    /// Probability that an acquire asks for shared mode.
    pub shared_fraction: f64,
    /// Think time before each acquire, uniform in `[lo, hi)`.
    pub think: (Time, Time),
    /// How long a granted lock is held before the release, uniform in `[lo, hi)`.
    pub hold: (Time, Time),
    /// Wait timeout of each acquire (0 = try-lock).
    pub wait_timeout_ms: u64,
    pub lease_ms: u64,
    /// Stop after this many acquires (`None` = run forever).
    pub max_acquires: Option<u64>,
    /// Extra delay before the first acquire (e.g. to let the cluster elect a leader first).
    pub start_after: Time,
    /// Most locks held at once: above 1, a holder may acquire another resource (or upgrade the
    /// one it holds) before releasing, which is what makes deadlocks possible.
    pub depth: usize,
    /// The clock bound this client assumes: it trusts a grant only until its own clock reads
    /// [`trusted_until`] (the lease minus a margin for skew and drift), and releases by then.
    pub clock_bound: ClockBound,
    /// Probability that a grant is used for as long as its lease validity allows (a long job)
    /// instead of a `hold` draw. 0 (the default) draws nothing from the RNG.
    pub hold_to_validity: f64,
    /// Current holdings, learnt from grants, released last-in first-out: `(resource, lock_id,
    /// valid until on this client's clock)`.
    holding: Vec<(String, u64, Time)>,
    /// When the planned acquire goes out, on this client's clock.
    acquire_at: Time,
    acquires: u64,
    /// Probability that the next request is a status read (by ReadIndex) of a random resource
    /// instead of the next acquire or release: the history checker then sees what the table
    /// showed, which catches stale reads. 0 (the default) draws nothing from the RNG.
    pub status_fraction: f64,
    /// A passive client issues nothing by itself (the playground's console clients): it only
    /// runs what the user submits, ignores the answers, and never releases on its own.
    pub passive: bool,
    /// Open loop (`bench::open_loop`): acquires arrive on a Poisson schedule of this many per
    /// simulated second instead of after a think time. The client has one request on the wire
    /// at a time (its Raft session), so an arrival that finds it busy waits for it.
    pub rate_per_s: Option<f64>,
    /// Open loop: every acquire's scheduled arrival, in order, so that its latency can count
    /// from there (the wait at a busy client included, no coordinated omission).
    arrivals: Vec<Time>,
}

impl LockWorkload {
    pub fn new(resources: &[&str], shared_fraction: f64) -> Self {
        LockWorkload {
            resources: resources.iter().map(|r| r.to_string()).collect(),
            shared_fraction,
            think: (0, 20 * MS),
            hold: (5 * MS, 30 * MS),
            wait_timeout_ms: 2_000,
            lease_ms: 5_000,
            max_acquires: None,
            start_after: 0,
            depth: 1,
            clock_bound: ClockBound::NONE,
            hold_to_validity: 0.0,
            holding: Vec::new(),
            acquire_at: 0,
            acquires: 0,
            status_fraction: 0.0,
            passive: false,
            rate_per_s: None,
            arrivals: Vec::new(),
        }
    }
    /// The seeds' quick run: `n` sequential exclusive acquire/release pairs on one resource.
    pub fn sequential_exclusive(resource: &str, n: u64) -> Self {
        LockWorkload {
            think: (0, 0),
            hold: (0, 0),
            max_acquires: Some(n),
            ..Self::new(&[resource], 0.0)
        }
    }
    /// A client that only runs submitted requests (see `passive`).
    pub fn passive() -> Self {
        LockWorkload {
            passive: true,
            ..Self::new(&[], 0.0)
        }
    }
    pub fn acquires_issued(&self) -> u64 {
        self.acquires
    }
    /// Open loop: the scheduled arrival of each acquire issued so far (empty in closed loop).
    pub fn arrivals(&self) -> &[Time] {
        &self.arrivals
    }
    /// Until when, on its own clock, this client trusts a grant of `lease_ms` stamped at
    /// `acquired_at` for an acquire it sent at `sent` (`None`: no lease, trusted until released).
    pub fn trust(&self, sent: Time, acquired_at: Time, lease_ms: u64) -> Option<Time> {
        (lease_ms > 0).then(|| trusted_until(sent, acquired_at, lease_ms, self.clock_bound))
    }
}

/// Until when a client trusts a grant, on its own clock: the later of two ends that are each
/// safe under `bound` (see [`lease_validity`]): `sent + lease·(1 − 2ρ) − ε`, from its own send
/// time (the rate bound), and `acquired_at + lease − ε`, from the grant's service time (the
/// offset bound: the service frees the lock at true time ≥ `acquired_at + lease − ε/2`, when
/// the client's clock reads at least `acquired_at + lease − ε`). The second matters for a
/// request that waited in the queue: its lease starts at the grant, long after the send.
pub fn trusted_until(sent: Time, acquired_at: Time, lease_ms: u64, bound: ClockBound) -> Time {
    let by_send = sent.saturating_add(lease_validity(lease_ms, bound));
    let by_grant = (acquired_at + lease_ms * MS).saturating_sub(bound.skew_us);
    by_send.max(by_grant)
}

/// The client side of a lease under a clock bound (every clock within ε/2 of true time, ε =
/// `skew_us`; rates within 1 ± ρ, ρ = `drift_ppm`): measured on the client's clock from the
/// moment it *sent* the acquire, a grant of `lease_ms` is trusted for `V = lease·(1 − 2ρ) − ε`.
///
/// Why that is safe. Say the client sent at true time `s`. The grant's entry is stamped after
/// that, at service time `G ≥ s − ε/2`. The service frees the lock only by applying an entry
/// stamped at service time `≥ G + lease`, hence at true time `≥ G + lease − ε/2 ≥ s + lease −
/// ε`. The client's clock runs at least `1 − ρ` fast, so it stops trusting by true time
/// `s + V/(1 − ρ) ≤ s + (lease − ε)` (as `V ≤ (lease − ε)(1 − ρ)`). With the zero bound this is
/// the whole lease, which the sent-before-stamped order alone makes safe.
pub fn lease_validity(lease_ms: u64, bound: ClockBound) -> Time {
    let lease = lease_ms * MS;
    let drift = (lease as u128 * 2 * bound.drift_ppm as u128).div_ceil(1_000_000) as Time;
    lease.saturating_sub(drift).saturating_sub(bound.skew_us)
}

impl Workload<LockTable> for LockWorkload {
    fn next(&mut self, now: Time, rng: &mut SimRng) -> Option<(ClientOp<LockCmd>, Time)> {
        if self.passive {
            return None;
        }
        if self.status_fraction > 0.0
            && !self.resources.is_empty()
            && rng.chance(self.status_fraction)
        {
            let i = rng.range_u64(0, self.resources.len() as u64) as usize;
            let cmd = LockCmd::Status {
                resource: self.resources[i].clone(),
            };
            return Some((
                ClientOp::Read(cmd),
                rng.range_u64(self.think.0, self.think.1),
            ));
        }
        let budget_left = self.max_acquires.is_none_or(|m| self.acquires < m);
        let can_acquire = budget_left && !self.resources.is_empty();
        let nest = !self.holding.is_empty()
            && self.holding.len() < self.depth
            && can_acquire
            && rng.chance(0.5);
        // A holding whose validity ran out (a slow grant) is released now, never nested on.
        let left = self.holding.last().map(|h| h.2.saturating_sub(now));
        let nest = nest && left != Some(0);
        if let (Some((resource, lock_id, _)), false) = (self.holding.last(), nest) {
            let cmd = LockCmd::Release {
                resource: resource.clone(),
                lock_id: *lock_id,
            };
            let mut hold = rng.range_u64(self.hold.0, self.hold.1);
            let left = left.unwrap_or(Time::MAX);
            if self.hold_to_validity > 0.0 && left < Time::MAX && rng.chance(self.hold_to_validity)
            {
                hold = left;
            }
            return Some((ClientOp::Cmd(cmd), hold.min(left)));
        }
        if !can_acquire {
            return None;
        }
        self.acquires += 1;
        let resource =
            self.resources[rng.range_u64(0, self.resources.len() as u64) as usize].clone();
        let mode = if rng.chance(self.shared_fraction) {
            LockMode::Shared
        } else {
            LockMode::Exclusive
        };
        let mut think = if nest {
            rng.range_u64(self.hold.0, self.hold.1)
        } else if let Some(rate) = self.rate_per_s {
            // Open loop: the next arrival of the schedule (the first one after `start_after`);
            // one already past leaves at once.
            let gap = crate::bench::open_loop::poisson_gap(rng.unit_f64(), rate);
            let at = match self.arrivals.last() {
                Some(&last) => last + gap,
                None => now + self.start_after + gap,
            };
            self.arrivals.push(at);
            at.saturating_sub(now)
        } else {
            rng.range_u64(self.think.0, self.think.1)
        };
        if self.acquires == 1 && self.rate_per_s.is_none() {
            think += self.start_after;
        }
        self.acquire_at = now.saturating_add(think);
        let cmd = LockCmd::Acquire {
            resource,
            mode,
            wait_timeout_ms: Some(self.wait_timeout_ms),
            lease_ms: self.lease_ms,
        };
        Some((ClientOp::Cmd(cmd), think))
    }

    fn on_result(&mut self, op: &ClientOp<LockCmd>, result: &ClientResult<LockOutput>) {
        if self.passive {
            return;
        }
        match (op, result) {
            (
                ClientOp::Cmd(LockCmd::Acquire { lease_ms, .. }),
                ClientResult::Ok(LockOutput::Granted {
                    resource,
                    lock_id,
                    acquired_at,
                    ..
                }),
            ) if !self.holding.iter().any(|h| h.1 == *lock_id) => {
                // A re-entrant answer or an upgrade keeps the first grant's (earlier) validity.
                let until = self
                    .trust(self.acquire_at, *acquired_at, *lease_ms)
                    .unwrap_or(Time::MAX);
                self.holding.push((resource.clone(), *lock_id, until));
            }
            (ClientOp::Cmd(LockCmd::Release { lock_id, .. }), _) => {
                self.holding.retain(|h| h.1 != *lock_id);
            }
            _ => {}
        }
    }
}

/// A lock cluster: `servers` Raft servers (ids `0..servers`) and one client per workload.
pub fn lock_cluster(
    seed: u64,
    servers: usize,
    link: LinkConfig,
    raft: &RaftConfig,
    workloads: Vec<LockWorkload>,
) -> Result<Sim<LockProcess>, ConfigError> {
    let cfg = SimConfig {
        seed,
        servers,
        link,
        ..SimConfig::default()
    };
    Sim::new(cfg, Process::cluster(servers, raft, workloads))
}

/// Converts one client's recorded history into checker events (status reads included, through
/// the log or by ReadIndex; other reads are skipped; an answer other than `Ok` counts as unknown).
/// The client recorded its times on its own clock; `real` turns them into true time, which is
/// what the checker compares across clients.
/// `trust` is the client's rule (`LockWorkload::trust`, on its own clock), from which each
/// grant's `valid_until` follows.
pub fn history_to_events(
    history: &[HistoryEntry<LockCmd, LockOutput>],
    real: impl Fn(Time) -> Time,
    trust: impl Fn(Time, Time, u64) -> Option<Time>,
) -> Vec<LockEvent> {
    history
        .iter()
        .filter_map(|h| {
            let op = match &h.op {
                ClientOp::Cmd(LockCmd::Acquire {
                    resource,
                    mode,
                    lease_ms,
                    ..
                }) => LockOp::Acquire {
                    resource: resource.clone(),
                    mode: *mode,
                    lease_ms: *lease_ms,
                },
                ClientOp::Cmd(LockCmd::Release { resource, lock_id }) => LockOp::Release {
                    resource: resource.clone(),
                    lock_id: *lock_id,
                },
                ClientOp::Cmd(LockCmd::Status { resource })
                | ClientOp::Read(LockCmd::Status { resource }) => LockOp::Status {
                    resource: resource.clone(),
                },
                _ => return None,
            };
            let result = match &h.result {
                Some(ClientResult::Ok(o)) => Some(o.clone()),
                _ => None,
            };
            let completed = result.as_ref().and(h.completed).map(&real);
            let valid_until = match (&op, &result) {
                (
                    LockOp::Acquire { lease_ms, .. },
                    Some(LockOutput::Granted { acquired_at, .. }),
                ) => trust(h.invoked, *acquired_at, *lease_ms).map(&real),
                _ => None,
            };
            Some(LockEvent {
                client: h.client,
                op,
                invoked: real(h.invoked),
                completed,
                result,
                valid_until,
            })
        })
        .collect()
}

/// Every client's history of a lock cluster, as checker events in true time.
pub fn cluster_events<A: Actor + Part<LockProcess>>(sim: &Sim<A>) -> Vec<LockEvent> {
    sim.actors()
        .iter()
        .enumerate()
        .filter_map(|(id, p)| p.part().client().map(|c| (id, c)))
        .flat_map(|(id, c)| {
            history_to_events(
                c.history(),
                |t| sim.real_time(id, t),
                |sent, at, lease| c.workload.trust(sent, at, lease),
            )
        })
        .collect()
}

/// `(server, applied index, state digest)` of every running server.
pub fn replica_digests<A: Actor + Part<LockProcess>>(sim: &Sim<A>) -> Vec<(ActorId, u64, u64)> {
    (0..sim.servers())
        .filter(|&id| sim.node_state(id) == NodeState::Up)
        .filter_map(|id| {
            sim.actor(id)
                .part()
                .server()
                .map(|s| (id, s.applied_index(), s.state_machine().digest()))
        })
        .collect()
}

/// Checks that replicas that applied the same prefix have the same digest; returns a message
/// naming the first disagreement.
pub fn replicas_agree<A: Actor + Part<LockProcess>>(sim: &Sim<A>) -> Result<(), String> {
    let digests = replica_digests(sim);
    for a in &digests {
        if let Some(b) = digests.iter().find(|b| b.1 == a.1 && b.2 != a.2) {
            return Err(format!(
                "n{} and n{} applied {} entries but differ: {:x} vs {:x}",
                a.0 + 1,
                b.0 + 1,
                a.1,
                a.2,
                b.2
            ));
        }
    }
    Ok(())
}
