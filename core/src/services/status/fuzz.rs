//! The status service in the generic fuzzer: every server heartbeats every other. After every
//! event: no up server suspects a peer it heard from within one heartbeat period (accuracy
//! under timely delivery). At the end, after healing and a quiet period: every up server trusts
//! every up peer again (phi fell back) and connected_peers lists them all (completeness of
//! recovery).

use super::StatusActor;
use crate::base::SimRng;
use crate::net::NetProfile;
use crate::service::fuzz::FuzzTarget;
use crate::sim::{NodeState, Sim, SimConfig};

pub struct StatusFuzz {
    servers: usize,
}

impl FuzzTarget for StatusFuzz {
    type A = StatusActor;

    fn build(seed: u64, rng: &mut SimRng) -> Result<(Sim<StatusActor>, Self), String> {
        let servers = [3, 5, 7][rng.range_u64(0, 3) as usize];
        let ids: Vec<usize> = (0..servers).collect();
        let actors = ids
            .iter()
            .map(|&i| StatusActor::server(i, ids.clone()))
            .collect();
        let cfg = SimConfig {
            seed,
            servers,
            link: NetProfile::Localhost.link(),
            ..SimConfig::default()
        };
        let sim = Sim::new(cfg, actors).map_err(|e| e.0)?;
        Ok((sim, StatusFuzz { servers }))
    }

    fn servers(&self) -> usize {
        self.servers
    }

    fn check_event(&mut self, sim: &Sim<StatusActor>) -> Result<(), String> {
        let now = sim.now();
        for i in 0..self.servers {
            if sim.node_state(i) != NodeState::Up {
                continue;
            }
            let s = sim.actor(i);
            for p in s.peers() {
                let (Some(phi), Some(heard)) = (s.phi(p, now), s.last_heard(p)) else {
                    continue;
                };
                if now.saturating_sub(heard) <= s.cfg.heartbeat_every && phi >= s.cfg.phi.threshold
                {
                    return Err(format!(
                        "n{} suspects n{} (phi {phi:.2}) {} µs after hearing from it",
                        i + 1,
                        p + 1,
                        now - heard
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_end(&mut self, sim: &Sim<StatusActor>) -> Result<u64, String> {
        let now = sim.now();
        let mut beats = 0;
        for i in 0..self.servers {
            let doc = sim.actor(i).doc(now);
            let want = self.servers - 1;
            if doc.node.connected_peers.len() != want {
                return Err(format!(
                    "after healing n{} is connected to {:?}, not all {want} peers (phi {:?})",
                    i + 1,
                    doc.node.connected_peers,
                    doc.phi
                ));
            }
            beats += (0..self.servers)
                .filter(|&p| sim.actor(i).last_heard(p).is_some())
                .count() as u64;
        }
        Ok(beats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::fuzz::{run_seeds, FuzzOptions};

    #[test]
    fn status_fuzz_seeds_pass() {
        let (stats, failures) = run_seeds::<StatusFuzz>(0, 30, &FuzzOptions::default());
        assert!(failures.is_empty(), "{}", failures[0]);
        assert!(stats.checks > 10_000, "{stats:?}");
    }
}
