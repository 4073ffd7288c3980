//! The cache service in the generic fuzzer: 3–5 servers with small caches (2–4 lines for 3–6
//! keys, so LRU evictions are constant), short TTLs (expiries), MESI or MOESI, write-back or
//! write-through, and three workload clients sending random gets, sets and invalidations to
//! random nodes, under the fuzzer's crashes, cuts, pauses, loss and duplication. After every
//! event: the state invariants (`check::check_states`) and the value checker (every read
//! returns the latest write; losses only in the write-back window, none acknowledged under
//! write-through). At the end, after healing: no line is stuck in a transaction.

use std::cell::Cell;

use super::actor::{CacheActor, CacheConfig, Workload};
use super::check::{check_states, ValueChecker};
use super::protocol::{Bug, Protocol};
use crate::base::{SimRng, MS, SEC};
use crate::net::NetProfile;
use crate::service::fuzz::FuzzTarget;
use crate::sim::{Sim, SimConfig};

thread_local! {
    static INJECT: Cell<Option<Bug>> = const { Cell::new(None) };
}

/// Run `f` with `bug` built into every fuzz world this thread builds (the kill tests; the
/// mutation suite uses the `mutants` feature instead).
pub fn with_bug<R>(bug: Option<Bug>, f: impl FnOnce() -> R) -> R {
    let old = INJECT.with(|c| c.replace(bug));
    let r = f();
    INJECT.with(|c| c.set(old));
    r
}

pub struct CacheFuzz {
    servers: usize,
    write_through: bool,
    values: ValueChecker,
}

impl CacheFuzz {
    pub fn lost(&self) -> (u64, u64) {
        (self.values.lost, self.values.lost_acked)
    }
}

impl FuzzTarget for CacheFuzz {
    type A = CacheActor;

    fn build(seed: u64, rng: &mut SimRng) -> Result<(Sim<CacheActor>, Self), String> {
        let servers = rng.range_u64(3, 6) as usize;
        let write_through = rng.chance(0.25);
        let cfg = CacheConfig {
            capacity: rng.range_u64(2, 5) as usize,
            protocol: if rng.chance(0.5) {
                Protocol::Mesi
            } else {
                Protocol::Moesi
            },
            write_through,
            bug: INJECT.with(|c| c.get()),
            ..CacheConfig::default()
        };
        let keys = rng.range_u64(3, 7);
        let ids: Vec<usize> = (0..servers).collect();
        let mut actors: Vec<CacheActor> = ids
            .iter()
            .map(|&i| CacheActor::server(i, ids.clone(), cfg.clone()))
            .collect();
        for c in 0..3 {
            let w = Workload {
                keys,
                think: (10 * MS, 60 * MS),
                ttl_ms: (150, 3000),
                set_p: 0.4,
                invalidate_p: 0.05,
            };
            actors.push(CacheActor::workload_client(servers + c, ids.clone(), w));
        }
        let sim_cfg = SimConfig {
            seed,
            servers,
            link: NetProfile::Localhost.link(),
            ..SimConfig::default()
        };
        let sim = Sim::new(sim_cfg, actors).map_err(|e| e.0)?;
        Ok((
            sim,
            CacheFuzz {
                servers,
                write_through,
                values: ValueChecker::new(),
            },
        ))
    }

    fn servers(&self) -> usize {
        self.servers
    }

    fn check_event(&mut self, sim: &Sim<CacheActor>) -> Result<(), String> {
        let servers = self.servers;
        let explain = |e: String| format!("{e}\n{}", recent(sim, servers, 300));
        check_states(sim, servers).map_err(|v| {
            let t = sim.now() as f64 / MS as f64;
            explain(format!("t={t:.3} ms: {}: {}", v.invariant, v.detail))
        })?;
        self.values.consume(sim, servers).map_err(explain)?;
        if self.write_through && self.values.lost_acked > 0 {
            return Err("write-through lost an acknowledged write".into());
        }
        Ok(())
    }

    fn check_end(&mut self, sim: &Sim<CacheActor>) -> Result<u64, String> {
        let now = sim.now();
        for i in 0..self.servers {
            for (k, l) in sim.actor(i).home_lines() {
                if let Some(t) = &l.busy {
                    if now.saturating_sub(t.started) > 2 * SEC {
                        return Err(format!(
                            "after healing, n{}'s line `{k}` is still in transaction {} ({}) \
                             started at {} ms: requester n{}, waiting for {:?}, fill {:?}\n{}",
                            i + 1,
                            t.txn,
                            t.bus.name(),
                            t.started / MS,
                            t.requester + 1,
                            t.waiting,
                            t.fill.as_ref().map(|f| f.0),
                            debug_node(sim, &t.waiting.iter().copied().chain([i]).collect(), k)
                        ));
                    }
                }
            }
        }
        Ok((self.servers..sim.actors().len())
            .map(|c| sim.actor(c).answered())
            .sum())
    }
}

fn debug_node(
    sim: &Sim<CacheActor>,
    nodes: &std::collections::BTreeSet<usize>,
    key: &str,
) -> String {
    nodes
        .iter()
        .map(|&n| {
            let a = sim.actor(n);
            format!(
                "n{} {:?}: line {:?}, tick_at {:?}, pending {:?}, home busy {:?}",
                n + 1,
                sim.node_state(n),
                a.store().peek(key),
                a.tick_at,
                a.pending_keys().collect::<Vec<_>>(),
                a.home_lines()
                    .iter()
                    .filter(|(_, l)| l.busy.is_some())
                    .map(|(k, _)| k.clone())
                    .collect::<Vec<_>>()
            )
        })
        .chain(nodes.iter().flat_map(|&n| {
            sim.trace()
                .iter()
                .rev()
                .filter(move |e| e.actor == n)
                .take(8)
                .map(|e| {
                    format!(
                        "   trace t={} {:?} peer {} {} v{}",
                        e.t, e.kind, e.peer, e.msg_kind, e.value
                    )
                })
        }))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The last `n` records of every node, merged by time: what a failure report shows.
pub fn recent(sim: &Sim<CacheActor>, servers: usize, n: usize) -> String {
    let mut all: Vec<_> = (0..servers)
        .flat_map(|i| sim.actor(i).records().iter())
        .collect();
    all.sort_by_key(|r| (r.t, r.node, r.seq));
    let skip = all.len().saturating_sub(n);
    all[skip..]
        .iter()
        .map(|r| {
            format!(
                "  {:>9.3} ms n{} {:?}",
                r.t as f64 / MS as f64,
                r.node + 1,
                r.kind
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::fuzz::{run_seeds, FuzzOptions};

    #[test]
    fn cache_fuzz_seeds_pass() {
        let (stats, failures) = run_seeds::<CacheFuzz>(0, 40, &FuzzOptions::default());
        assert!(failures.is_empty(), "{}", failures[0]);
        assert!(stats.checks > 10_000 && stats.acked > 1000, "{stats:?}");
    }

    /// Seed 9698 found a write-back from before a lost write overwriting memory (2 of 10,000
    /// seeds failed); 760 and 7774 broke the first fix, which forgot the grant a refused
    /// upgrade's copy carries (see `home_tests.rs`).
    #[test]
    fn the_write_back_grant_seeds_pass() {
        for seed in [9698, 760, 7774] {
            if let Err(f) =
                crate::service::fuzz::run_seed::<CacheFuzz>(seed, &FuzzOptions::default())
            {
                panic!("{f}");
            }
        }
    }

    #[test]
    fn the_fuzzer_kills_every_injected_bug() {
        for bug in Bug::ALL {
            let killed = with_bug(Some(bug), || {
                (0..40).find(|&seed| {
                    crate::service::fuzz::run_seed::<CacheFuzz>(seed, &FuzzOptions::default())
                        .is_err()
                })
            });
            assert!(killed.is_some(), "{bug:?} survived 40 seeds");
        }
    }
}
