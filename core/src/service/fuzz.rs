//! One fuzzer for every service: a seeded fault schedule (crashes, restarts, isolation, one-way
//! cuts, pauses, lossy and duplicating links) played against any service's world and workload,
//! with the service's safety checks after **every** event, then a heal-and-quiet phase and the
//! service's end-of-run checks (histories, replica agreement, liveness). A failure carries its
//! seed and the actions taken, so `syncsim fuzz --service S --from SEED --seeds 1` replays it.
//!
//! Each seed draws its own fault mix (swarm testing, Groce et al. 2012): some seeds never
//! crash, some never cut, some are loss-heavy, so that one fault kind does not mask another.
//!
//! Clock skew: a target that states the clock bound it is safe under (`clock_bound`) gets, on
//! half of its seeds, a clock per actor (servers and clients) drawn inside that bound: a drift
//! within ±ρ and an offset such that the clock stays within ±ε/2 of true time for the whole run
//! (`draw_clocks`). Targets without a bound run on perfect clocks, as before.

use crate::base::{SimRng, Time, MS, SEC};
use crate::net::NetProfile;
use crate::sim::{Action, Actor, ActorId, ClockBound, ClockModel, NodeState, Sim};

/// A failed seed: everything needed to reproduce and read it.
#[derive(Clone, Debug)]
pub struct FuzzFailure {
    pub seed: u64,
    pub message: String,
    pub actions: Vec<(Time, String)>,
}

impl std::fmt::Display for FuzzFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "seed {}: {}", self.seed, self.message)?;
        for (t, a) in &self.actions {
            writeln!(f, "  t={:>8.3} ms  {a}", *t as f64 / MS as f64)?;
        }
        Ok(())
    }
}

/// What a service plugs into the fuzzer.
pub trait FuzzTarget: Sized {
    type A: Actor;
    /// Build the world for `seed`: servers are actors `0..servers()`, clients follow.
    fn build(seed: u64, rng: &mut SimRng) -> Result<(Sim<Self::A>, Self), String>;
    fn servers(&self) -> usize;
    /// Safety, checked after every event.
    fn check_event(&mut self, sim: &Sim<Self::A>) -> Result<(), String>;
    /// After healing and a quiet period: histories, agreement, liveness. Returns the number of
    /// acknowledged operations, for the report.
    fn check_end(&mut self, sim: &Sim<Self::A>) -> Result<u64, String>;
    /// A fault of the service's own (a leadership transfer, a membership change, a node join),
    /// drawn as often as the seed's swarm says. `None`: nothing to do now.
    fn service_action(
        &mut self,
        _sim: &Sim<Self::A>,
        _rng: &mut SimRng,
    ) -> Option<Action<<Self::A as Actor>::Cmd>> {
        None
    }
    /// The clock bound the service promises to be safe under; `Some` lets the fuzzer skew the
    /// clocks of half the seeds within it (its checks must then hold on skewed clocks).
    fn clock_bound(&self) -> Option<ClockBound> {
        None
    }
}

#[derive(Clone, Debug)]
pub struct FuzzOptions {
    /// Number of fault decisions per seed.
    pub faults: u32,
    /// Calm time after healing before the end checks.
    pub quiet: Time,
}

impl Default for FuzzOptions {
    fn default() -> Self {
        FuzzOptions {
            faults: 20,
            quiet: 3 * SEC,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeedStats {
    pub events: u64,
    pub checks: u64,
    pub acked: u64,
    pub faults: u64,
    /// Of `faults`, the target's own actions (`service_action`) the kernel accepted.
    pub service_actions: u64,
    pub virtual_time: Time,
    /// Seeds that ran on skewed clocks (0 or 1 per seed).
    pub skewed: u64,
}

/// The seed's fault mix: a weight per kind (0 = this seed never does it).
#[derive(Clone, Debug, PartialEq)]
pub struct Swarm {
    pub crash: u64,
    pub isolate: u64,
    pub cut_one_way: u64,
    pub pause: u64,
    pub lossy: u64,
    /// The target's own actions (`FuzzTarget::service_action`).
    pub service: u64,
    pub heal: u64,
}

impl Swarm {
    pub fn draw(rng: &mut SimRng) -> Self {
        let mut w = || {
            if rng.chance(0.3) {
                0
            } else {
                rng.range_u64(1, 5)
            }
        };
        Swarm {
            crash: w(),
            isolate: w(),
            cut_one_way: w(),
            pause: w(),
            lossy: w(),
            service: w(),
            heal: 2,
        }
    }
}

struct Run<T: FuzzTarget> {
    sim: Sim<T::A>,
    target: T,
    actions: Vec<(Time, String)>,
    checks: u64,
    /// Crashes leave the messages already sent in flight (`Sim::crash_keeping_sent`): after a
    /// restart the old incarnation's messages still arrive. Half the seeds, drawn from a stream
    /// of its own so that every seed's fault schedule stayed as it was.
    stale_messages: bool,
}

impl<T: FuzzTarget> Run<T> {
    /// Process events up to `t`, checking safety after each.
    fn run_until(&mut self, t: Time) -> Result<(), String> {
        while self.sim.next_event_time().is_some_and(|nt| nt <= t) {
            self.sim.step();
            self.checks += 1;
            self.target.check_event(&self.sim)?;
        }
        self.sim.run_until(t);
        Ok(())
    }

    fn act(&mut self, a: Action<<T::A as Actor>::Cmd>) {
        let mut label = format!("{a:?}");
        let ok = match a {
            Action::Crash { node } if self.stale_messages => {
                label.push_str(" (its messages stay in flight)");
                self.sim.crash_keeping_sent(node).is_ok()
            }
            a => self.sim.apply(a).is_ok(),
        };
        if ok {
            self.actions.push((self.sim.now(), label));
        }
    }
}

/// Run one seed. Deterministic: the same seed gives the same run.
pub fn run_seed<T: FuzzTarget>(seed: u64, opts: &FuzzOptions) -> Result<SeedStats, FuzzFailure> {
    let mut rng = SimRng::new(seed ^ 0x5e41_ce5f_0220_1e57);
    let (sim, target) = T::build(seed, &mut rng).map_err(|message| FuzzFailure {
        seed,
        message,
        actions: Vec::new(),
    })?;
    let mut run = Run {
        sim,
        target,
        actions: Vec::new(),
        checks: 0,
        stale_messages: SimRng::new(seed ^ 0x57a1_e0ff_11e5).chance(0.5),
    };
    // Its own stream too, so that every seed's fault schedule stays as it was.
    let mut clock_rng = SimRng::new(seed ^ 0xc10c_5e3d_d21f);
    let clocks = match run.target.clock_bound() {
        Some(bound) if clock_rng.chance(0.5) => {
            let actors = run.sim.actors().len();
            draw_clocks(&mut clock_rng, bound, actors, longest_run(opts))
        }
        _ => Vec::new(),
    };
    let skewed = !clocks.is_empty();
    for (node, clock) in clocks.into_iter().enumerate() {
        run.act(Action::SetClock { node, clock });
    }
    let result = drive(&mut run, &mut rng, opts);
    let stats = SeedStats {
        events: run.sim.events_processed(),
        checks: run.checks,
        acked: 0,
        faults: run.actions.len() as u64,
        service_actions: run
            .actions
            .iter()
            .filter(|(_, a)| a.starts_with("Command"))
            .count() as u64,
        virtual_time: run.sim.now(),
        skewed: skewed as u64,
    };
    match result {
        Ok(acked) => Ok(SeedStats { acked, ..stats }),
        Err(message) => Err(FuzzFailure {
            seed,
            message,
            actions: run.actions,
        }),
    }
}

fn drive<T: FuzzTarget>(
    run: &mut Run<T>,
    rng: &mut SimRng,
    opts: &FuzzOptions,
) -> Result<u64, String> {
    let servers = run.target.servers();
    let swarm = Swarm::draw(rng);
    let weights = [
        swarm.crash,
        swarm.crash, // restart, as often as crash
        swarm.isolate,
        swarm.cut_one_way,
        swarm.pause,
        swarm.lossy,
        swarm.service,
        swarm.heal,
    ];
    let total: u64 = weights.iter().sum();
    let minority = (servers - 1) / 2;
    let mut down: Vec<ActorId> = Vec::new();
    // Let the cluster settle first.
    run.run_until(run.sim.now() + 500 * MS)?;
    for _ in 0..opts.faults {
        let mut pick = rng.range_u64(0, total.max(1));
        let kind = weights
            .iter()
            .position(|&w| {
                if pick < w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .unwrap_or(7);
        let node = rng.range_u64(0, servers as u64) as ActorId;
        match kind {
            0 if down.len() < minority && !down.contains(&node) => {
                down.push(node);
                run.act(Action::Crash { node });
            }
            1 if !down.is_empty() => {
                let n = down.remove(0);
                match run.sim.node_state(n) {
                    NodeState::Paused => run.act(Action::Resume { node: n }),
                    _ => run.act(Action::Restart { node: n }),
                }
            }
            2 => run.act(Action::Isolate { node }),
            3 => {
                let to = rng.range_u64(0, servers as u64) as ActorId;
                if to != node {
                    run.act(Action::Cut { from: node, to });
                }
            }
            4 if down.len() < minority && !down.contains(&node) => {
                down.push(node);
                run.act(Action::Pause { node });
            }
            5 => {
                let mut link = NetProfile::Localhost.link();
                link.loss = rng.unit_f64() * 0.1;
                link.duplicate = rng.unit_f64() * 0.05;
                run.act(Action::SetAllLinks { link });
            }
            6 => {
                if let Some(a) = run.target.service_action(&run.sim, rng) {
                    run.act(a);
                }
            }
            _ => run.act(Action::HealAll),
        }
        let calm = rng.range_u64(50, 600) * MS;
        run.run_until(run.sim.now() + calm)?;
    }
    // Heal: every link, every node, default links; then a quiet period.
    run.act(Action::HealAll);
    run.act(Action::SetAllLinks {
        link: NetProfile::Localhost.link(),
    });
    for n in down {
        match run.sim.node_state(n) {
            NodeState::Paused => run.act(Action::Resume { node: n }),
            _ => run.act(Action::Restart { node: n }),
        }
    }
    run.run_until(run.sim.now() + opts.quiet)?;
    run.target.check_end(&run.sim)
}

/// The longest true time a seed can run: the settling, every fault's calm period at its
/// longest, and the quiet period (see `drive`).
pub fn longest_run(opts: &FuzzOptions) -> Time {
    500 * MS + opts.faults as Time * 600 * MS + opts.quiet
}

/// One clock per actor inside `bound` for a run of at most `horizon`: a drift within ±ρ (at
/// most the rate that uses half of ε/2 over the horizon, so that drift alone cannot leave the
/// bound), and an offset that keeps `|offset| + |drift|·horizon ≤ ε/2`, half the time right at
/// that edge (the pairs of clocks furthest apart are where a lease margin is tested).
pub fn draw_clocks(
    rng: &mut SimRng,
    bound: ClockBound,
    actors: usize,
    horizon: Time,
) -> Vec<ClockModel> {
    let half = bound.skew_us as i64 / 2;
    let rate_cap = (half as i128 / 2 * 1_000_000 / horizon.max(1) as i128) as i64;
    let rho = (bound.drift_ppm as i64).min(rate_cap);
    (0..actors)
        .map(|_| {
            let drift_ppm = rng.range_u64(0, 2 * rho as u64 + 1) as i64 - rho;
            let used = ((drift_ppm.abs() as i128 * horizon as i128 + 999_999) / 1_000_000) as i64;
            let room = (half - used).max(0);
            let offset_us = if rng.chance(0.5) {
                if rng.chance(0.5) {
                    room
                } else {
                    -room
                }
            } else {
                rng.range_u64(0, 2 * room as u64 + 1) as i64 - room
            };
            ClockModel {
                offset_us,
                drift_ppm,
            }
        })
        .collect()
}

/// Run `seeds` seeds from `from`; returns the totals and the failures.
pub fn run_seeds<T: FuzzTarget>(
    from: u64,
    seeds: u64,
    opts: &FuzzOptions,
) -> (SeedStats, Vec<FuzzFailure>) {
    let mut total = SeedStats::default();
    let mut failures = Vec::new();
    for seed in from..from.saturating_add(seeds) {
        match run_seed::<T>(seed, opts) {
            Ok(s) => {
                total.events += s.events;
                total.checks += s.checks;
                total.acked += s.acked;
                total.faults += s.faults;
                total.service_actions += s.service_actions;
                total.virtual_time += s.virtual_time;
                total.skewed += s.skewed;
            }
            Err(f) => failures.push(f),
        }
    }
    (total, failures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::echo::echo_sim;

    /// Every drawn clock keeps within ±ε/2 of true time over the longest run and drifts within
    /// ±ρ; some sit at the edge.
    #[test]
    fn drawn_clocks_stay_inside_the_bound_for_the_whole_run() {
        let bound = ClockBound {
            skew_us: 100 * MS,
            drift_ppm: 1_000,
        };
        let opts = FuzzOptions::default();
        let horizon = longest_run(&opts);
        let mut rng = SimRng::new(5);
        let mut at_edge = 0;
        for _ in 0..50 {
            let clocks = draw_clocks(&mut rng, bound, 5, horizon);
            let mut sim = echo_sim(1);
            for (node, clock) in clocks.iter().enumerate() {
                assert!(clock.drift_ppm.abs() <= 1_000, "{clock:?}");
                sim.apply(Action::SetClock {
                    node,
                    clock: *clock,
                })
                .unwrap();
            }
            let edge = |c: &ClockModel| {
                c.offset_us.abs() + (c.drift_ppm.abs() * horizon as i64).div_euclid(1_000_000)
            };
            at_edge += clocks.iter().filter(|c| edge(c) >= 49 * MS as i64).count();
            for t in [0, horizon / 3, horizon] {
                sim.run_until(t);
                for (node, clock) in clocks.iter().enumerate() {
                    let off = sim.local_time(node) as i64 - t as i64;
                    assert!(off.abs() <= 50 * MS as i64, "{clock:?} at {t}: {off}");
                }
            }
        }
        assert!(at_edge > 50, "only {at_edge} of 250 clocks at the edge");
    }
}
