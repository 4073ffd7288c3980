//! The seeds' cache hit/miss benchmark (issue 13, "Benchmarks"): `nodes` cache servers with
//! `cache_size` lines each, and `clients` closed-loop clients (`bench_client.rs`) spread
//! round-robin over them. During the warm-up every client PUTs its share of the working set;
//! from `warmup_s` on, for `duration_s`, they send GETs and PUTs (`write_fraction`) on keys
//! drawn uniformly from it. Measured: PUT and GET throughput and latency, the GET hit rate and
//! the latency of hits and misses apart, and the servers' counters over the window
//! (evictions, invalidations, write-backs, directory messages).
//!
//! Why the hit rate falls on several nodes: a PUT on one node invalidates the copies on the
//! others, whose next GET misses (the seeds' "lower hit rate due to coherence"). On one node
//! a working set that fits in the cache hits on every GET after the warm-up.

use crate::base::sorted::SortedMap;

use super::actor::{CacheActor, CacheConfig};
use super::bench_client::{BenchOpKind, BenchSpec};
use super::msg::CacheStats;
use super::params::CacheParams;
use crate::bench::fault::{nodes_up, Fault};
use crate::bench::metrics::{round_to, Recorder};
use crate::bench::result::{BenchResult, Measured};
use crate::bench::scenario::{secs, RunSpec, ScenarioParams};
use crate::bench::target::RunDriver;
use crate::service::Part;
use crate::sim::{Actor, ActorId, Sim, SimConfig, Time, MS, SEC};

/// The highest GET hit rate any write-invalidate protocol (MESI, MOESI) can reach when each
/// operation picks one of `nodes` nodes and is a PUT with probability `write_fraction`,
/// independently (this benchmark's closed-loop mix), with no cold misses or evictions.
///
/// A GET on node X hits only if no other node wrote the key since X's last access to it: a
/// foreign write invalidates X's copy (single writer), and X's own read or write leaves a valid
/// one. Walking back over the key's earlier operations, each is X's own with probability
/// `1/n` (a hit) or another node's, which is a PUT with probability `w` (a miss) or a GET
/// (look further back):  bound = (1/n) / (1 − (1 − 1/n)(1 − w)).
/// On 3 nodes with the seeds' 20 % writes that is 71.4 %; on one node, 100 %.
pub fn coherence_hit_bound(nodes: usize, write_fraction: f64) -> f64 {
    let n = nodes.max(1) as f64;
    let w = write_fraction.clamp(0.0, 1.0);
    let foreign_read = (1.0 - 1.0 / n) * (1.0 - w);
    (1.0 / n) / (1.0 - foreign_read)
}

/// One-way hops on the critical path of a PUT that must invalidate other copies: client →
/// node, node → home (BusRdX/BusUpgr), home → sharers (invalidate), sharers → home (acks),
/// home → node (fill), node → client. The network alone puts a floor under its latency.
pub const PUT_INVALIDATE_HOPS: u32 = 6;

/// How often the driver looks whether an ops-limited run is over.
const CHECK: Time = 100 * MS;
/// A client gives up on an answer after this long (the node itself answers 504 after 1 s).
const CLIENT_TIMEOUT: Time = 2 * SEC;

/// One cache hit/miss run. `A` is the world's actor: the playground's `Node` (so the page
/// carries one copy of the kernel), with the other services quiet.
pub(crate) struct CacheRun<A: Actor + Part<CacheActor>> {
    spec: RunSpec,
    params: ScenarioParams,
    cp: CacheParams,
    sim: Sim<A>,
    t0: Time,
    end: Time,
    /// When measurement stopped (`end`, or earlier for an ops-limited run that finished).
    measured_end: Time,
    next_check: Time,
    /// The servers' summed counters when the window opened.
    at_t0: Option<CacheStats>,
    /// The fault plan (node failure). The cache has no leader and no failover: the keys whose
    /// home is the dead node stay unavailable (504) until it comes back, so there is no
    /// election to time, and recovery may never come.
    fault: Option<Fault>,
    done: bool,
}

impl<A: Actor + Part<CacheActor>> CacheRun<A> {
    /// `host` puts each cache actor (servers, then clients) into the world's actor.
    pub fn new(
        params: &ScenarioParams,
        spec: RunSpec,
        host: impl Fn(ActorId, CacheActor) -> A,
    ) -> Result<Self, String> {
        let params = params.for_run(&spec);
        let cp = params
            .service
            .cache()
            .ok_or_else(|| format!("{}: not a cache scenario", spec.label))?
            .clone();
        let keys = cp.working_sets.first().copied().unwrap_or(0);
        let (n, c) = (spec.nodes, spec.clients);
        let ids: Vec<ActorId> = (0..n).collect();
        let cfg = CacheConfig {
            capacity: cp.cache_size,
            protocol: cp.protocol,
            default_ttl_ms: (cp.ttl_s * 1000.0).round() as u64,
            // Nothing reads a benchmark cache's event log (it is the cache tab's).
            log_capacity: 0,
            ..CacheConfig::default()
        };
        let t0 = secs(params.warmup_s);
        let mut actors: Vec<A> = ids
            .iter()
            .map(|&i| host(i, CacheActor::server(i, ids.clone(), cfg.clone())))
            .collect();
        actors.extend((0..c).map(|k| {
            let spec = BenchSpec {
                node: k % n,
                // Client k warms keys k, k + c, k + 2c, ...: the working set once in all.
                warm: (k as u64..keys).step_by(c).collect(),
                keys,
                servers: n,
                write_fraction: cp.write_fraction,
                ttl_ms: cfg.default_ttl_ms,
                mix_from: t0,
                limit: params.ops_per_client,
                timeout: CLIENT_TIMEOUT,
                // The offered load is shared evenly by the clients.
                rate_per_s: crate::bench::open_loop::per_client(&cp.offered_rates, c),
            };
            host(n + k, CacheActor::bench_client(n + k, ids.clone(), spec))
        }));
        let sim_cfg = SimConfig {
            seed: params.seed,
            servers: n,
            link: params.profile.link(),
            cpu_service_us: params.cpu_service_us,
            // Benchmarks read histories, never the event ring or its hash: keep neither.
            trace_capacity: 0,
        };
        let mut sim = Sim::new(sim_cfg, actors).map_err(|e| format!("{}: {}", spec.label, e.0))?;
        sim.skip_trace_hash();
        let end = t0 + secs(params.duration_s);
        let fault = params
            .fault
            .map(|plan| Fault::new(plan, t0, params.duration_s));
        Ok(CacheRun {
            fault,
            spec,
            params,
            cp,
            sim,
            t0,
            end,
            measured_end: end,
            next_check: t0,
            at_t0: None,
            done: false,
        })
    }

    fn part(&self, id: ActorId) -> &CacheActor {
        self.sim.actor(id).part()
    }

    fn clients(&self) -> impl Iterator<Item = &CacheActor> + '_ {
        (self.spec.nodes..self.spec.nodes + self.spec.clients).map(|i| self.part(i))
    }

    /// Every client's samples, by client (tests check which node served what).
    #[cfg(test)]
    pub(super) fn samples(&self) -> Vec<Vec<super::bench_client::BenchSample>> {
        self.clients()
            .map(|c| c.bench().map_or_else(Vec::new, |b| b.samples().to_vec()))
            .collect()
    }

    /// The servers' counters, summed.
    fn server_stats(&self) -> CacheStats {
        let mut total = CacheStats::default();
        for i in 0..self.spec.nodes {
            total.add(self.part(i).stats());
        }
        total
    }

    /// Advance by about `budget` events.
    fn step(&mut self, budget: u64) {
        let start = self.sim.events_processed();
        while !self.done && self.sim.events_processed() - start < budget {
            let fault_at = self.fault.as_ref().and_then(Fault::next_time);
            let at = self.next_check.min(fault_at.unwrap_or(Time::MAX));
            let left = budget - (self.sim.events_processed() - start);
            // Nothing here looks at the simulation between two check times.
            if self.sim.run_until_budget(at, left) {
                if let Some(f) = &mut self.fault {
                    // No leader, and no role to name: every node is the home of its keys.
                    f.act(&mut self.sim, at, None, |_| None);
                }
                if at >= self.next_check {
                    self.check(at);
                }
            }
        }
    }

    fn check(&mut self, now: Time) {
        if self.at_t0.is_none() {
            self.at_t0 = Some(self.server_stats());
        }
        let limited_done = self.params.ops_per_client.is_some()
            && self.clients().all(|c| c.bench().is_none_or(|b| b.idle()));
        if now >= self.end || limited_done {
            self.measured_end = now.min(self.end);
            self.done = true;
        }
        self.next_check = (now + CHECK).min(self.end);
    }

    fn fraction(&self) -> f64 {
        if self.done {
            1.0
        } else {
            (self.sim.now() as f64 / self.end.max(1) as f64).min(1.0)
        }
    }

    fn finish(self) -> BenchResult {
        let mut rec = Recorder::new(self.t0);
        // Hits and misses apart, for the seeds' "hit p95" and "avg latency hit/miss".
        let mut split = Recorder::new(self.t0);
        let (mut warm_puts, mut warm_done, mut unfinished) = (0u64, 0 as Time, 0u64);
        for c in self.clients() {
            let Some(b) = c.bench() else { continue };
            for s in b.samples() {
                if s.kind == BenchOpKind::WarmPut {
                    warm_puts += 1;
                    warm_done = warm_done.max(s.completed);
                    continue;
                }
                if s.completed > self.measured_end {
                    continue;
                }
                let outcome = s.failure.map_or(Ok(()), Err);
                let kind = if s.kind == BenchOpKind::Put {
                    "put"
                } else {
                    "get"
                };
                rec.record(kind, s.invoked, s.completed, outcome);
                if s.kind == BenchOpKind::Get && outcome.is_ok() {
                    let which = if s.hit { "hit" } else { "miss" };
                    split.record(which, s.invoked, s.completed, Ok(()));
                }
            }
            unfinished += b.waiting() as u64;
        }
        let duration_s = (self.measured_end.max(self.t0 + 1) - self.t0) as f64 / SEC as f64;
        let (ops, overall) = rec.op_stats(duration_s);
        let (split_ops, _) = split.op_stats(duration_s);
        let mut extra = SortedMap::new();
        let mut put = |k: &str, v: f64| {
            extra.insert(k.to_string(), v);
        };
        let (mut hits, mut misses) = (0u64, 0u64);
        for o in &split_ops {
            let l = &o.latency_ms;
            for (name, v) in [
                ("p50_ms", l.p50),
                ("p95_ms", l.p95),
                ("p99_ms", l.p99),
                ("mean_ms", l.mean),
            ] {
                put(&format!("get_{}_{name}", o.op), v);
            }
            if o.op == "hit" {
                hits = o.count;
            } else {
                misses = o.count;
            }
        }
        let gets = hits + misses;
        put(
            "hit_rate",
            round_to(
                if gets == 0 {
                    0.0
                } else {
                    hits as f64 / gets as f64
                },
                1e6,
            ),
        );
        put(
            "hit_rate_bound",
            round_to(
                coherence_hit_bound(self.spec.nodes, self.cp.write_fraction),
                1e6,
            ),
        );
        put("write_fraction", self.cp.write_fraction);
        if let Some(ms) = self
            .params
            .profile
            .link()
            .hops_quantile_ms(PUT_INVALIDATE_HOPS, 0.95)
        {
            put("put_hops_p95_ms", round_to(ms, 1e3));
        }
        if let Some(&rate) = self.cp.offered_rates.first() {
            put("offered_rate", rate);
        }
        put("get_hits", hits as f64);
        put("get_misses", misses as f64);
        put(
            "working_set",
            self.cp.working_sets.first().copied().unwrap_or(0) as f64,
        );
        put("cache_size", self.cp.cache_size as f64);
        put("clients", self.spec.clients as f64);
        put("warm_puts", warm_puts as f64);
        // When the last warm-up PUT was answered: above `warmup_s`, the warm-up overran.
        put("warm_s", round_to(warm_done as f64 / SEC as f64, 1e3));
        put("sim_events", self.sim.events_processed() as f64);
        put("unfinished_ops", unfinished as f64);
        let mut entries = 0;
        for i in 0..self.spec.nodes {
            entries += self.part(i).store().len();
        }
        put(
            "entries_per_node",
            (entries / self.spec.nodes.max(1)) as f64,
        );
        let now = self.server_stats();
        let before = self.at_t0.clone().unwrap_or_default();
        let delta = |f: fn(&CacheStats) -> u64| f(&now).saturating_sub(f(&before)) as f64;
        put("evictions", delta(|s| s.evictions));
        put("expirations", delta(|s| s.expirations));
        put("invalidations", delta(|s| s.invalidations));
        put("write_backs", delta(|s| s.write_backs));
        put("cache_to_cache", delta(|s| s.cache_to_cache));
        put("memory_reads", delta(|s| s.memory_reads));
        put("directory_messages", delta(|s| s.messages));
        let failover = self.fault.as_ref().and_then(|f| {
            let node = f.interval().and(f.node())?;
            // The working set's keys the dead node is home to: they fail until it is back.
            let keys = self.cp.working_sets.first().copied().unwrap_or(0);
            let homed = (0..keys)
                .filter(|k| self.part(0).home_of(&format!("k{k}")) == node)
                .count();
            put("keys_homed_on_failed", homed as f64);
            put("nodes_up", nodes_up(&self.sim) as f64);
            Some(rec.failover(f.at(), self.measured_end, None))
        });
        BenchResult::of_run(
            &self.params,
            &self.spec,
            duration_s,
            Measured {
                ops,
                overall,
                series: rec.series(duration_s),
                faults: Fault::intervals_of(self.fault),
                failover,
                extra,
            },
        )
    }
}

impl<A: Actor + Part<CacheActor>> RunDriver for CacheRun<A> {
    fn step(&mut self, budget: u64) {
        CacheRun::step(self, budget);
    }
    fn done(&self) -> bool {
        self.done
    }
    fn fraction(&self) -> f64 {
        CacheRun::fraction(self)
    }
    fn events(&self) -> u64 {
        self.sim.events_processed()
    }
    fn finish(self: Box<Self>) -> BenchResult {
        CacheRun::finish(*self)
    }
}
