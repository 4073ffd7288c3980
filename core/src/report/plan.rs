//! What the report runs: the seeds' quick run, their four scenarios (node failure for each
//! primitive), scaling, and single node against distributed for each primitive, all at the seeds' defaults (`ScenarioParams::defaults`)
//! except where a section says otherwise.

use crate::bench::{ScenarioKind, ScenarioParams};
use crate::services::BenchParams;

/// One suite of the report.
#[derive(Clone, Debug)]
pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub params: ScenarioParams,
}

pub const SECTION_IDS: [&str; 16] = [
    "quick-locks",
    "quick-queue",
    "quick-cache",
    "lock-contention",
    "queue-throughput",
    "cache-hit-miss",
    "node-failure",
    "queue-node-failure",
    "cache-node-failure",
    "scaling",
    "locks-single-vs-distributed",
    "queue-single-vs-distributed",
    "cache-single-vs-distributed",
    "offered-load-locks",
    "offered-load-queue",
    "offered-load-cache",
];

/// An open-loop sweep (`bench::open_loop`): `rates` straddle the primitive's capacity on 3
/// nodes with `clients` clients, so latency against offered load shows its knee. Short runs:
/// the sweep must not slow the report down. The capacities (measured with `syncsim bench
/// ... --offered-rates`, seed 1): about 250 acquires/s (5 contended resources), 3100
/// enqueues/s (40 producers), 4000 cache requests/s (20 clients, 500 keys).
fn offered_load(
    kind: ScenarioKind,
    seed: u64,
    clients: usize,
    duration_s: f64,
    rates: &[f64],
) -> ScenarioParams {
    let mut p = ScenarioParams {
        nodes: vec![3],
        clients: vec![clients],
        duration_s,
        ..with_seed(kind, seed)
    };
    match &mut p.service {
        BenchParams::Lock(l) => l.offered_rates = rates.to_vec(),
        BenchParams::Queue(q) => {
            q.offered_rates = rates.to_vec();
            // Past the knee the producers' backlog never drains; the loss check is the
            // queue-throughput section's.
            q.drain_s = 1.0;
        }
        BenchParams::Cache(c) => {
            c.offered_rates = rates.to_vec();
            c.working_sets = vec![500];
        }
        BenchParams::Ring(_) => {}
    }
    p
}

fn with_seed(kind: ScenarioKind, seed: u64) -> ScenarioParams {
    ScenarioParams {
        seed,
        ..ScenarioParams::defaults(kind)
    }
}

/// The sections, in run order.
pub fn plan(seed: u64) -> Vec<Section> {
    // `distributed_http_benchmark.py --queue 50`: one producer sends 50 messages, one consumer
    // takes them.
    let quick_queue = ScenarioParams {
        clients: vec![1],
        ops_per_client: Some(50),
        ..with_seed(ScenarioKind::QueueThroughput, seed)
    };
    // `--cache 50`: 40 PUTs (the warm-up writes the 40-key working set), then 50 GETs.
    let mut quick_cache = ScenarioParams {
        clients: vec![1],
        ops_per_client: Some(50),
        ..with_seed(ScenarioKind::CacheHitMiss, seed)
    };
    if let BenchParams::Cache(c) = &mut quick_cache.service {
        c.working_sets = vec![40];
        c.write_fraction = 0.0;
    }
    let queue_svd = ScenarioParams {
        nodes: vec![1, 3],
        clients: vec![10],
        duration_s: 30.0,
        ..with_seed(ScenarioKind::QueueThroughput, seed)
    };
    vec![
        Section {
            id: SECTION_IDS[0],
            title: "Quick run: 50 lock operations",
            params: with_seed(ScenarioKind::QuickLocks, seed),
        },
        Section {
            id: SECTION_IDS[1],
            title: "Quick run: 50 queue messages",
            params: quick_queue,
        },
        Section {
            id: SECTION_IDS[2],
            title: "Quick run: 40 cache PUTs, then 50 GETs",
            params: quick_cache,
        },
        Section {
            id: SECTION_IDS[3],
            title: "Lock contention",
            params: with_seed(ScenarioKind::LockContention, seed),
        },
        Section {
            id: SECTION_IDS[4],
            title: "Queue throughput",
            params: with_seed(ScenarioKind::QueueThroughput, seed),
        },
        Section {
            id: SECTION_IDS[5],
            title: "Cache hit/miss",
            params: with_seed(ScenarioKind::CacheHitMiss, seed),
        },
        Section {
            id: SECTION_IDS[6],
            title: "Node failure (locks)",
            params: with_seed(ScenarioKind::NodeFailure, seed),
        },
        Section {
            id: SECTION_IDS[7],
            title: "Node failure (queue)",
            params: with_seed(ScenarioKind::QueueNodeFailure, seed),
        },
        Section {
            id: SECTION_IDS[8],
            title: "Node failure (cache)",
            params: with_seed(ScenarioKind::CacheNodeFailure, seed),
        },
        Section {
            id: SECTION_IDS[9],
            title: "Scaling: 1, 2, 3, 5, 10 nodes (locks)",
            params: with_seed(ScenarioKind::Scaling, seed),
        },
        Section {
            id: SECTION_IDS[10],
            title: "Locks: single node vs 3 nodes",
            params: with_seed(ScenarioKind::SingleVsDistributed, seed),
        },
        Section {
            id: SECTION_IDS[11],
            title: "Queue: single node vs 3 nodes",
            params: queue_svd,
        },
        Section {
            id: SECTION_IDS[12],
            title: "Cache: single node vs 3 nodes",
            params: with_seed(ScenarioKind::CacheSingleVsDistributed, seed),
        },
        Section {
            id: SECTION_IDS[13],
            title: "Latency against offered load (locks, open loop)",
            params: offered_load(
                ScenarioKind::LockContention,
                seed,
                50,
                5.0,
                &[50.0, 100.0, 200.0, 250.0, 300.0, 400.0],
            ),
        },
        Section {
            id: SECTION_IDS[14],
            title: "Latency against offered load (queue, open loop)",
            params: offered_load(
                ScenarioKind::QueueThroughput,
                seed,
                40,
                2.0,
                &[1000.0, 2000.0, 2500.0, 3000.0, 3500.0, 4500.0],
            ),
        },
        Section {
            id: SECTION_IDS[15],
            title: "Latency against offered load (cache, open loop)",
            params: offered_load(
                ScenarioKind::CacheHitMiss,
                seed,
                20,
                2.0,
                &[1000.0, 2000.0, 3000.0, 4000.0, 5000.0, 6000.0],
            ),
        },
    ]
}
