//! One benchmark run of the lock manager: builds a Raft lock cluster with closed-loop clients,
//! advances it in event budgets, fires the fault plan at its time, watches for the re-election,
//! and turns the clients' histories into a `BenchResult`.

use crate::base::sorted::SortedMap;

use crate::bench::fault::{nodes_up, ElectionWatch, Fault};
use crate::bench::metrics::Recorder;
use crate::bench::result::{BenchResult, Measured};
use crate::bench::scenario::{secs, RunSpec, ScenarioParams};
use crate::bench::target::RunDriver;
use crate::lock::cluster::replicas_agree;
use crate::lock::{LockCmd, LockOutput, LockProcess, LockWorkload};
use crate::raft::{ClientOp, ClientResult, Process, RaftConfig};
use crate::service::{Part, Service};
use crate::sim::{Actor, ActorId, Sim, SimConfig, Time, MS, SEC};

/// Events between two checks of "have all clients finished their ops".
const DONE_CHECK_EVERY: u64 = 2_048;

/// The op kind of a lock command, for the per-kind stats.
fn op_kind(op: &ClientOp<LockCmd>) -> &'static str {
    match op {
        ClientOp::Cmd(LockCmd::Acquire { .. }) => "acquire",
        ClientOp::Cmd(LockCmd::Release { .. }) => "release",
        ClientOp::Cmd(LockCmd::Status { .. }) => "status",
        _ => "other",
    }
}

/// `Ok` or a failure reason for one answered request.
fn outcome(result: &ClientResult<LockOutput>) -> Result<(), &'static str> {
    match result {
        ClientResult::Ok(LockOutput::Conflict { .. }) => Err("conflict"),
        ClientResult::Ok(LockOutput::Timeout) => Err("timeout"),
        ClientResult::Ok(LockOutput::Deadlock) => Err("deadlock"),
        ClientResult::Ok(LockOutput::NotFound) => Err("not_found"),
        ClientResult::Ok(LockOutput::NotOwner) => Err("not_owner"),
        ClientResult::Ok(_) | ClientResult::Status(_) => Ok(()),
        ClientResult::NotLeader { .. } => Err("not_leader"),
        ClientResult::Busy => Err("busy"),
    }
}

/// One lock benchmark run. `A` is the world's actor: the playground's `Node` in the browser and
/// the CLI (so the page carries one copy of the kernel), with the other services quiet.
pub(crate) struct LockRun<A: Actor + Part<LockProcess>> {
    spec: RunSpec,
    params: ScenarioParams,
    sim: Sim<A>,
    t0: Time,
    end: Time,
    fault: Option<Fault>,
    /// The re-election when the fault took the leader (the lock's one Raft group).
    election: ElectionWatch,
    /// When an ops-limited run saw every client finish.
    finished_early: bool,
    since_done_check: u64,
    done: bool,
}

impl<A: Actor + Part<LockProcess>> LockRun<A> {
    /// `host` puts each lock process (servers first, then clients) into the world's actor.
    pub fn new(
        params: &ScenarioParams,
        spec: RunSpec,
        host: impl Fn(ActorId, LockProcess) -> A,
    ) -> Result<Self, String> {
        let params = params.for_run(&spec);
        let t0 = secs(params.warmup_s);
        let lp = params
            .service
            .lock()
            .ok_or_else(|| format!("{}: not a lock scenario", spec.label))?
            .clone();
        let resources: Vec<String> = (1..=lp.resources).map(|i| format!("r{i}")).collect();
        let names: Vec<&str> = resources.iter().map(String::as_str).collect();
        let workloads = (0..spec.clients)
            .map(|_| {
                let mut w = LockWorkload::new(&names, lp.shared_fraction);
                w.think = (lp.think_ms.0 * MS, lp.think_ms.1 * MS);
                w.hold = (lp.hold_ms.0 * MS, lp.hold_ms.1 * MS);
                w.wait_timeout_ms = lp.wait_timeout_ms;
                w.lease_ms = lp.lease_ms;
                w.max_acquires = params.ops_per_client;
                w.start_after = t0;
                w.rate_per_s = crate::bench::open_loop::per_client(&lp.offered_rates, spec.clients);
                w
            })
            .collect();
        let cfg = SimConfig {
            seed: params.seed,
            servers: spec.nodes,
            link: params.profile.link(),
            cpu_service_us: params.cpu_service_us,
            // Benchmarks read histories, never the event ring or its hash: keep neither.
            trace_capacity: 0,
        };
        let actors = Process::cluster(spec.nodes, &RaftConfig::default(), workloads)
            .into_iter()
            .enumerate()
            .map(|(i, p)| host(i, p))
            .collect();
        let mut sim = Sim::new(cfg, actors).map_err(|e| format!("{}: {}", spec.label, e.0))?;
        sim.skip_trace_hash();
        let fault = params
            .fault
            .map(|plan| Fault::new(plan, t0, params.duration_s));
        Ok(LockRun {
            end: t0 + secs(params.duration_s),
            spec,
            params,
            sim,
            t0,
            fault,
            election: ElectionWatch::default(),
            finished_early: false,
            since_done_check: 0,
            done: false,
        })
    }

    pub(crate) fn done(&self) -> bool {
        self.done
    }

    /// Share of this run's simulated time already covered.
    pub(crate) fn fraction(&self) -> f64 {
        if self.done {
            1.0
        } else {
            (self.sim.now() as f64 / self.end.max(1) as f64).min(1.0)
        }
    }

    pub(crate) fn events(&self) -> u64 {
        self.sim.events_processed()
    }

    /// The running leader with the highest term.
    fn leader(&self) -> Option<(ActorId, u64)> {
        crate::service::leader_of(&self.sim, |a| a.part().consensus())
    }

    /// The next time the driver itself must act (fault, undo, end).
    fn next_driver_time(&self) -> Time {
        let mut t = self.end;
        if let Some(f) = self.fault.as_ref().and_then(Fault::next_time) {
            t = t.min(f);
        }
        t
    }

    /// Advance by about `budget` events; returns how many were processed.
    pub(crate) fn step(&mut self, budget: u64) -> u64 {
        let start = self.sim.events_processed();
        while !self.done && self.sim.events_processed() - start < budget {
            let driver = self.next_driver_time();
            match self.sim.next_event_time() {
                Some(t) if t <= driver => {
                    let before = self.sim.events_processed();
                    self.sim.run_until(t);
                    self.since_done_check += self.sim.events_processed() - before;
                }
                _ => {
                    self.sim.run_until(driver);
                    self.driver_act(driver);
                }
            }
            if self.election.waiting() {
                let leader = self.leader();
                self.election.check(self.sim.now(), &[leader]);
            }
            if self.params.ops_per_client.is_some() && self.since_done_check >= DONE_CHECK_EVERY {
                self.check_all_finished();
            }
        }
        // No extra "all finished?" check at the end of the chunk: where a chunk ends depends
        // on the caller (the page slices by wall time), so the run must notice its end only at
        // points fixed by its own event count, or the same seed would give different results.
        self.sim.events_processed() - start
    }

    fn driver_act(&mut self, now: Time) {
        if now >= self.end {
            self.done = true;
            return;
        }
        let leader = self.leader();
        let Some(f) = &mut self.fault else { return };
        let role = |node| {
            let role = if leader.is_some_and(|l| l.0 == node) {
                "leader"
            } else {
                "follower"
            };
            Some(role.to_string())
        };
        if let Some(node) = f.act(&mut self.sim, now, leader.map(|l| l.0), role) {
            self.election.fault_hit(node, &[leader]);
        }
    }

    /// Ops-limited runs end as soon as every client has issued all its acquires and released
    /// everything it was granted.
    fn check_all_finished(&mut self) {
        self.since_done_check = 0;
        let Some(max) = self.params.ops_per_client else {
            return;
        };
        let all_done = self
            .sim
            .actors()
            .iter()
            .filter_map(|p| p.part().client())
            .all(|c| {
                // Cheap tests first: most checks stop here while clients are still busy.
                if c.workload.acquires_issued() < max || c.is_busy() {
                    return false;
                }
                let granted = c
                    .history()
                    .iter()
                    .filter(|h| {
                        matches!(h.result, Some(ClientResult::Ok(LockOutput::Granted { .. })))
                    })
                    .count();
                let released = c
                    .history()
                    .iter()
                    .filter(|h| op_kind(&h.op) == "release")
                    .count();
                released >= granted
            });
        if all_done {
            self.finished_early = true;
            self.done = true;
        }
    }

    pub(crate) fn finish(self) -> BenchResult {
        let mut rec = Recorder::new(self.t0);
        let mut last_completion = self.t0;
        let mut unfinished = 0u64;
        for client in self.sim.actors().iter().filter_map(|p| p.part().client()) {
            // Open loop: the k-th acquire's latency counts from its k-th scheduled arrival.
            let mut arrivals = client.workload.arrivals().iter();
            for h in client.history() {
                let kind = op_kind(&h.op);
                let arrived = match kind {
                    "acquire" => arrivals.next().copied(),
                    _ => None,
                };
                let invoked = arrived.map_or(h.invoked, |a| a.min(h.invoked));
                match (&h.result, h.completed) {
                    (Some(result), Some(done)) => {
                        rec.record(kind, invoked, done, outcome(result));
                        last_completion = last_completion.max(done);
                    }
                    _ => unfinished += 1,
                }
            }
        }
        let end = if self.finished_early {
            last_completion.max(self.t0 + 1)
        } else {
            self.end
        };
        let duration_s = (end - self.t0) as f64 / SEC as f64;
        let (ops, overall) = rec.op_stats(duration_s);
        let failover = self.fault.as_ref().and_then(|f| {
            f.interval()
                .map(|_| rec.failover(f.at(), end, self.election.election_ms(f.at())))
        });
        let max_term = (0..self.sim.servers())
            .filter_map(|id| self.sim.actor(id).part().server().map(|s| s.term()))
            .max()
            .unwrap_or(0);
        let mut extra = SortedMap::new();
        extra.insert("sim_events".to_string(), self.sim.events_processed() as f64);
        extra.insert("unfinished_ops".to_string(), unfinished as f64);
        extra.insert("final_term".to_string(), max_term as f64);
        extra.insert("clients".to_string(), self.spec.clients as f64);
        if let Some(lp) = self.params.service.lock() {
            if let Some(&rate) = lp.offered_rates.first() {
                extra.insert("offered_rate".to_string(), rate);
            }
        }
        extra.insert("nodes_up".to_string(), nodes_up(&self.sim) as f64);
        extra.insert(
            "replicas_agree".to_string(),
            f64::from(u8::from(replicas_agree(&self.sim).is_ok())),
        );
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

impl<A: Actor + Part<LockProcess>> RunDriver for LockRun<A> {
    fn step(&mut self, budget: u64) {
        LockRun::step(self, budget);
    }
    fn done(&self) -> bool {
        LockRun::done(self)
    }
    fn fraction(&self) -> f64 {
        LockRun::fraction(self)
    }
    fn events(&self) -> u64 {
        LockRun::events(self)
    }
    fn finish(self: Box<Self>) -> BenchResult {
        LockRun::finish(*self)
    }
}
