//! `syncsim fuzz --service raft|lock|status|queue|cache` (randomized fault runs with the service's safety
//! checks after every event) and `syncsim raftbench` (commit throughput with batching +
//! pipelining on vs off).

use std::time::Instant;

use syncsim_core::lock::fuzz::LockFuzz;
use syncsim_core::raft::fuzz::{run_seed, FuzzConfig, KvProcess, KvWorkload};
use syncsim_core::raft::{ClientResult, Process, RaftConfig, Role};
use syncsim_core::service::fuzz::{run_seeds, FuzzOptions, FuzzTarget};
use syncsim_core::services::cache::fuzz::CacheFuzz;
use syncsim_core::services::queue::fuzz::QueueFuzz;
use syncsim_core::services::status::fuzz::StatusFuzz;
use syncsim_core::sim::{NodeState, Sim, SimConfig, MS, SEC};

/// The services `fuzz --service` can target.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// Raft on its own fuzzer (membership changes and transfers included)
    Raft,
    /// The lock manager through the generic service fuzzer
    Lock,
    /// The status service through the generic service fuzzer
    Status,
    /// The distributed queue (partition Raft groups on the ring) through the generic fuzzer
    Queue,
    /// The MESI/MOESI cache through the generic service fuzzer
    Cache,
}

/// `syncsim fuzz [--service raft|lock|status|queue] [--seeds N] [--from S] [--chaos-ms T] [--faults N]`
#[derive(clap::Args, Debug)]
pub struct FuzzArgs {
    /// Service to fuzz
    #[arg(long, value_enum, default_value_t = Service::Raft)]
    pub service: Service,
    /// Number of seeds to run
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub seeds: u64,
    /// First seed
    #[arg(
        long,
        value_name = "S",
        allow_negative_numbers = true,
        default_value_t = 0
    )]
    pub from: u64,
    /// Length of the fault phase in ms (raft only)
    #[arg(
        long,
        value_name = "T",
        allow_negative_numbers = true,
        default_value_t = 2000
    )]
    pub chaos_ms: u64,
    /// Raft only: turn swarm testing off (one uniform fault mix, unbroken chaos, no BUGGIFY),
    /// the fuzzer as it was before, for comparison
    #[arg(long)]
    pub no_swarm: bool,
    /// Fault actions per seed (the generic fuzzer's services: lock, status, queue, ...)
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        default_value_t = 20
    )]
    pub faults: u32,
}

pub fn run(args: &FuzzArgs) -> Result<(), String> {
    match args.service {
        Service::Raft => run_raft(args),
        Service::Lock => run_service::<LockFuzz>("lock", args),
        Service::Status => run_service::<StatusFuzz>("status", args),
        Service::Queue => run_service::<QueueFuzz>("queue", args),
        Service::Cache => run_service::<CacheFuzz>("cache", args),
    }
}

/// Any service through the generic fuzzer (`service::fuzz`).
fn run_service<T: FuzzTarget>(name: &str, args: &FuzzArgs) -> Result<(), String> {
    let (seeds, from, faults) = (args.seeds, args.from, args.faults);
    let opts = FuzzOptions {
        faults,
        ..FuzzOptions::default()
    };
    let start = Instant::now();
    let (total, failures) = run_seeds::<T>(from, seeds, &opts);
    let wall = start.elapsed().as_secs_f64();
    for f in &failures {
        println!("FAIL {f}");
    }
    println!(
        "fuzz --service {name}: {seeds} seeds from {from}, {faults} faults each: {} failed; {} on skewed clocks; {} events, {} safety checks, {} acknowledged ops, {} fault actions ({} of the service's own), {:.0} simulated s, {wall:.1} s wall ({:.0} seeds/s, {:.0} events/s)",
        failures.len(),
        total.skewed,
        total.events,
        total.checks,
        total.acked,
        total.faults,
        total.service_actions,
        total.virtual_time as f64 / SEC as f64,
        seeds as f64 / wall.max(1e-9),
        total.events as f64 / wall.max(1e-9),
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{} seeds failed", failures.len()))
    }
}

/// Raft on its own fuzzer (membership changes and transfers included).
fn run_raft(args: &FuzzArgs) -> Result<(), String> {
    let (seeds, from, chaos_ms) = (args.seeds, args.from, args.chaos_ms);
    // Keep the clients busy for the whole fault phase (about one op per 20 ms each).
    let fc = FuzzConfig {
        chaos: chaos_ms * MS,
        ops_per_client: (chaos_ms / 20).max(40),
        swarm: !args.no_swarm,
        ..FuzzConfig::default()
    };
    let start = Instant::now();
    let mut mix = std::collections::BTreeMap::new();
    let (mut failures, mut events, mut acked, mut checks) = (0u64, 0u64, 0u64, 0u64);
    let mut worst_recovery = (0, 0);
    let mut config_changes = 0u64;
    for seed in from..from.saturating_add(seeds) {
        match run_seed(seed, &fc) {
            Ok(s) => {
                events += s.events;
                acked += s.acked;
                checks += s.checks;
                worst_recovery = worst_recovery.max((s.recovery, seed));
                config_changes += s.config_changes;
                for (k, n) in s.mix {
                    *mix.entry(k).or_insert(0u64) += n;
                }
            }
            Err(f) => {
                failures += 1;
                println!("FAIL {f}");
            }
        }
    }
    let wall = start.elapsed().as_secs_f64();
    println!(
        "fuzz: {seeds} seeds from {from}, chaos {chaos_ms} ms{}: {failures} failed; {events} events, {checks} safety checks, {acked} acknowledged ops, {wall:.1} s wall ({:.0} seeds/s, {:.0} events/s)",
        if args.no_swarm { ", no swarm" } else { ", swarm" },
        seeds as f64 / wall.max(1e-9),
        events as f64 / wall.max(1e-9),
    );
    let faults: u64 = mix.values().sum();
    let mix: Vec<String> = mix.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("fault mix ({faults} faults): {}", mix.join(", "));
    println!("membership changes committed: {config_changes}");
    println!(
        "slowest recovery after healing: {:.0} ms (seed {})",
        worst_recovery.0 as f64 / MS as f64,
        worst_recovery.1
    );
    if failures > 0 {
        Err(format!("{failures} seeds failed"))
    } else {
        Ok(())
    }
}

struct BenchResult {
    commits: u64,
    sim_secs: f64,
    wall_secs: f64,
}

fn bench_once(
    servers: usize,
    clients: usize,
    cfg: RaftConfig,
    warmup: u64,
    measure: u64,
) -> Result<BenchResult, String> {
    let workload = KvWorkload {
        remaining: u64::MAX,
        keys: 16,
        read_ratio: 0.0,
        think_min: 0,
        think_max: 0,
    };
    let mut actors: Vec<KvProcess> = Process::cluster(servers, &cfg, vec![workload; clients]);
    for a in &mut actors {
        if let Process::Client(c) = a {
            // Long enough that a queue of 100 requests does not time out and get re-proposed.
            c.config.request_timeout = 5 * SEC;
        }
    }
    let sc = SimConfig {
        seed: 42,
        servers,
        trace_capacity: 0,
        ..SimConfig::default()
    };
    let mut sim = Sim::new(sc, actors).map_err(|e| e.0)?;
    let acked = |sim: &Sim<KvProcess>| -> u64 {
        sim.actors()
            .iter()
            .filter_map(|p| p.client())
            .map(|c| {
                c.history()
                    .iter()
                    .filter(|h| matches!(h.result, Some(ClientResult::Ok(_))))
                    .count() as u64
            })
            .sum()
    };
    let start = Instant::now();
    sim.run_until(warmup);
    let before = acked(&sim);
    let t0 = Instant::now();
    sim.run_until(warmup + measure);
    let wall_secs = t0.elapsed().as_secs_f64().max(1e-9);
    let _ = start;
    let leader_ok = (0..servers).any(|i| {
        sim.node_state(i) == NodeState::Up
            && sim
                .actor(i)
                .server()
                .is_some_and(|s| s.role() == Role::Leader)
    });
    if !leader_ok {
        return Err("no leader at the end of the benchmark".into());
    }
    Ok(BenchResult {
        commits: acked(&sim) - before,
        sim_secs: measure as f64 / SEC as f64,
        wall_secs,
    })
}

/// `syncsim raftbench [--clients N] [--secs S]`
#[derive(clap::Args, Debug)]
pub struct RaftbenchArgs {
    /// Closed-loop clients (no think time)
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = 100,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub clients: usize,
    /// Measured simulated seconds per configuration
    #[arg(long, value_name = "S", allow_negative_numbers = true, default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub secs: u64,
}

pub fn raftbench(args: &RaftbenchArgs) -> Result<(), String> {
    let (clients, secs) = (args.clients, args.secs);
    println!("raftbench: closed loop, {clients} clients (no think time), localhost profile, 150 µs CPU/msg, KV increments");
    println!(
        "{:<7} {:<28} {:>14} {:>16} {:>12}",
        "nodes", "mode", "commits/sim s", "commits/wall s", "sim s/wall s"
    );
    for servers in [3, 5] {
        for (mode, cfg) in [
            ("batching+pipelining ON", RaftConfig::default()),
            ("batching+pipelining OFF", RaftConfig::default().unbatched()),
        ] {
            let r = bench_once(servers, clients, cfg, SEC, secs * SEC)?;
            println!(
                "{:<7} {:<28} {:>14.0} {:>16.0} {:>12.2}",
                servers,
                mode,
                r.commits as f64 / r.sim_secs,
                r.commits as f64 / r.wall_secs,
                r.sim_secs / r.wall_secs
            );
        }
    }
    Ok(())
}
