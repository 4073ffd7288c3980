//! The lock manager in the generic fuzzer: four closed-loop lock clients (shared and exclusive,
//! nested holdings that make deadlocks possible, leases) on 3 or 5 Raft servers. After every
//! event: Raft's `SafetyMonitor` (election safety, log matching, leader completeness, state
//! machine safety) and mutual exclusion on every replica's table. At the end: replicas that
//! applied the same prefix agree, and the clients' history passes the lock checker (exclusion,
//! fencing order, linearizability, client-side lease safety).
//!
//! Clocks: the lock service promises safety under [`LOCK_CLOCK_BOUND`]; the generic fuzzer skews
//! half the seeds' clocks inside it, and the clients' lease margins assume it.

use super::checker::{check_history_within, Verdict, DEFAULT_STEP_BUDGET};
use super::cluster::{cluster_events, lock_cluster, replicas_agree, LockProcess, LockWorkload};
use super::table::LockTable;
use super::types::LockCmd;
use super::types::LockMode;
use crate::base::SimRng;
use crate::net::NetProfile;
use crate::raft::check::SafetyMonitor;
use crate::raft::RaftConfig;
use crate::raft::{ProcessCmd, ServerCmd};
use crate::service::fuzz::FuzzTarget;
use crate::service::Service;
use crate::sim::{Action, ClockBound, ClockModel, NodeState, Sim, MS};

/// The clock bound the lock service is safe under (ARCHITECTURE.md, Checking): every clock within
/// ±50 ms of true time (any two within ε = 100 ms) and a rate within 1 ± 1000 ppm.
pub const LOCK_CLOCK_BOUND: ClockBound = ClockBound {
    skew_us: 100 * MS,
    drift_ppm: 1_000,
};

pub struct LockFuzz {
    servers: usize,
    monitor: SafetyMonitor<LockTable>,
}

impl FuzzTarget for LockFuzz {
    type A = LockProcess;

    fn build(seed: u64, rng: &mut SimRng) -> Result<(Sim<LockProcess>, Self), String> {
        let servers = if rng.chance(0.5) { 3 } else { 5 };
        let depth = if rng.chance(0.5) { 1 } else { 2 };
        let mut workloads = fault_workloads(depth);
        // Half the seeds have long jobs that use a grant until its validity ends: the sharp
        // test of lease margins (check 5). Its own stream keeps the other draws as they were.
        let long = SimRng::new(seed ^ 0x0010_c640_10d5).chance(0.5);
        for w in &mut workloads {
            w.clock_bound = LOCK_CLOCK_BOUND;
            w.hold_to_validity = if long { 0.2 } else { 0.0 };
        }
        let raft = RaftConfig {
            pre_vote: rng.chance(0.75),
            check_quorum: rng.chance(0.75),
            snapshot_every: if rng.chance(0.25) { 40 } else { 1000 },
            ..RaftConfig::default()
        };
        let sim = lock_cluster(
            seed,
            servers,
            NetProfile::Localhost.link(),
            &raft,
            workloads,
        )
        .map_err(|e| e.0)?;
        Ok((
            sim,
            LockFuzz {
                servers,
                monitor: SafetyMonitor::new(),
            },
        ))
    }

    fn servers(&self) -> usize {
        self.servers
    }

    fn clock_bound(&self) -> Option<ClockBound> {
        Some(LOCK_CLOCK_BOUND)
    }

    fn check_event(&mut self, sim: &Sim<LockProcess>) -> Result<(), String> {
        self.monitor.check_sim(sim)?;
        for i in 0..self.servers {
            if sim.node_state(i) == NodeState::Crashed {
                continue;
            }
            let Some(s) = sim.actor(i).server() else {
                continue;
            };
            mutual_exclusion(s.state_machine()).map_err(|e| format!("n{} replica: {e}", i + 1))?;
        }
        Ok(())
    }

    /// Raft's own faults on the lock group: a leadership transfer, a forced election timeout,
    /// or a membership change (remove a voter while at least three remain, or add one back).
    fn service_action(
        &mut self,
        sim: &Sim<LockProcess>,
        rng: &mut SimRng,
    ) -> Option<Action<ProcessCmd<LockCmd>>> {
        let (leader, _) = crate::service::leader_of(sim, |a| a.consensus())?;
        let voters = sim.actor(leader).server()?.voters().to_vec();
        let other = rng.range_u64(0, self.servers as u64) as usize;
        let cmd = match rng.range_u64(0, 4) {
            0 => ServerCmd::TransferLeadership { to: other },
            1 => {
                return Some(Action::Command {
                    to: other,
                    cmd: ProcessCmd::Server(ServerCmd::ForceTimeout),
                })
            }
            _ if !voters.contains(&other) => ServerCmd::AddServer { id: other },
            _ if voters.len() > 3 && other != leader => ServerCmd::RemoveServer { id: other },
            _ => ServerCmd::TransferLeadership { to: other },
        };
        Some(Action::Command {
            to: leader,
            cmd: ProcessCmd::Server(cmd),
        })
    }

    fn check_end(&mut self, sim: &Sim<LockProcess>) -> Result<u64, String> {
        replicas_agree(sim)?;
        let events = cluster_events(sim);
        // Skewed seeds are checked under the bound they were drawn in; the others exactly.
        let skewed = (0..sim.actors().len()).any(|i| sim.clock(i) != ClockModel::PERFECT);
        let bound = if skewed {
            LOCK_CLOCK_BOUND
        } else {
            ClockBound::NONE
        };
        match check_history_within(&events, DEFAULT_STEP_BUDGET, bound) {
            Verdict::Ok => {}
            Verdict::Unknown => return Err("checker budget exhausted".into()),
            Verdict::Violation(why) => return Err(why),
        }
        Ok(events.iter().filter(|e| e.known_result().is_some()).count() as u64)
    }
}

/// Four closed-loop clients on three resources, half shared, with leases and staggered wait
/// timeouts; `depth` 2 lets a holder take a second lock (deadlocks become possible). One request
/// in six is a status read by ReadIndex, checked against the lock model (stale reads). The last
/// client uses try-locks (`Conflict` answers are checked against the spec).
pub fn fault_workloads(depth: usize) -> Vec<LockWorkload> {
    (0..4)
        .map(|k| {
            let mut w = LockWorkload::new(&["a", "b", "c"], 0.5);
            w.lease_ms = 1_500;
            w.depth = depth;
            w.wait_timeout_ms = if k == 3 { 0 } else { 1_000 + 300 * k };
            w.status_fraction = 1.0 / 6.0;
            w
        })
        .collect()
}

/// No resource has an exclusive holder together with any other holder.
pub fn mutual_exclusion(t: &LockTable) -> Result<(), String> {
    for r in t.resources() {
        let x = r
            .holders
            .iter()
            .filter(|h| h.mode == LockMode::Exclusive)
            .count();
        if x > 1 || (x == 1 && r.holders.len() > 1) {
            return Err(format!(
                "resource {} has {} holders, {x} exclusive",
                r.resource,
                r.holders.len()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::fuzz::{run_seeds, FuzzOptions};

    #[test]
    fn lock_fuzz_seeds_pass_with_checks_after_every_event() {
        let (stats, failures) = run_seeds::<LockFuzz>(0, 12, &FuzzOptions::default());
        assert!(failures.is_empty(), "{}", failures[0]);
        assert!(stats.checks > 10_000 && stats.acked > 100, "{stats:?}");
        assert!(stats.skewed > 0 && stats.skewed < 12, "{stats:?}");
    }
}
