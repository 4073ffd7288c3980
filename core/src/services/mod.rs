//! The services every simulated node runs, and their registration: the one place that lists
//! them. Adding a service is a module here plus one line in `node_services!` below (see
//! `ARCHITECTURE.md`, "How to add a service"); nothing else changes.

pub mod cache;
pub mod lock;
#[cfg(feature = "mutants")]
pub mod mutants;
pub mod queue;
pub mod status;

use cache::{CacheActor, CacheApi};
use lock::{LockApi, LockProcess};
use queue::{QueueActor, QueueApi};
use status::{StatusActor, StatusApi};

crate::node_services! {
    /// One simulated process of the playground's world: every service's actor, in registration
    /// order (a service's slot is its position: it namespaces its timers and trace notes).
    pub struct Node / NodeMsg / NodeCmd / NodeDurable / NodeOp {
        0: lock: Lock => LockProcess, api: LockApi;
        1: status: Status => StatusActor, api: StatusApi;
        2: queue: Queue => QueueActor, api: QueueApi;
        3: cache: Cache => CacheActor, api: CacheApi;
    }
}

/// World-wide settings the services' constructors read.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldOptions {
    pub pre_vote: bool,
    pub check_quorum: bool,
}

/// `servers` nodes (ids `0..servers`) and `clients` console clients after them, each running
/// every registered service in the server or the client role.
pub fn world(servers: usize, clients: usize, opts: &WorldOptions) -> Vec<Node> {
    let ids: Vec<usize> = (0..servers).collect();
    let server = |i| Node {
        lock: lock::service_server(i, &ids, opts),
        status: StatusActor::server(i, ids.clone()),
        queue: queue::queue_server(i, &ids),
        cache: CacheActor::server(i, ids.clone(), cache::CacheConfig::default()),
    };
    let client = |i| Node {
        lock: lock::service_console_client(i, &ids),
        status: StatusActor::client(i, ids.clone()),
        queue: queue::queue_console_client(i, &ids),
        cache: CacheActor::client(i, ids.clone()),
    };
    (0..servers)
        .map(server)
        .chain((servers..servers + clients).map(client))
        .collect()
}

/// The benchmark run for one `nodes × clients` combination of a scenario, by the service the
/// scenario measures (`ScenarioKind::service`).
pub fn bench_run(
    params: &crate::bench::ScenarioParams,
    spec: crate::bench::RunSpec,
) -> Result<Box<dyn crate::bench::target::RunDriver>, String> {
    match params.scenario.service() {
        // The benchmark world is the playground's `Node`, with every other service quiet (a
        // status client with no peers sends nothing), so the page carries one copy of the
        // kernel and the lock figures are those of the lock service alone.
        "lock" => Ok(Box::new(lock::bench::LockRun::new(
            params,
            spec,
            |id, lock| Node {
                lock,
                status: StatusActor::client(id, Vec::new()),
                queue: queue::queue_console_client(id, &[]),
                cache: CacheActor::client(id, Vec::new()),
            },
        )?)),
        // The same quiet `Node` around the queue's actors; the ring-quality table simulates
        // nothing.
        "queue" if params.scenario == crate::bench::ScenarioKind::RingQuality => {
            Ok(Box::new(queue::ring_bench::RingRun::new(params, spec)?))
        }
        "queue" => Ok(Box::new(queue::bench::QueueRun::new(
            params,
            spec,
            |id, queue| Node {
                lock: lock::service_console_client(id, &[]),
                status: StatusActor::client(id, Vec::new()),
                queue,
                cache: CacheActor::client(id, Vec::new()),
            },
        )?)),
        // The same quiet `Node` around the cache's servers and benchmark clients.
        "cache" => Ok(Box::new(cache::bench::CacheRun::new(
            params,
            spec,
            |id, cache| Node {
                lock: lock::service_console_client(id, &[]),
                status: StatusActor::client(id, Vec::new()),
                queue: queue::queue_console_client(id, &[]),
                cache,
            },
        )?)),
        other => Err(format!("no benchmark for service `{other}`")),
    }
}

/// The measured service's benchmark parameters, by scenario (flattened into `ScenarioParams`).
/// Untagged: each variant has its own required field names, so a JSON object names its variant.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum BenchParams {
    Lock(lock::params::LockParams),
    Queue(queue::params::QueueParams),
    Ring(queue::params::RingParams),
    Cache(cache::params::CacheParams),
}

impl BenchParams {
    pub fn defaults(kind: crate::bench::ScenarioKind) -> Self {
        use crate::bench::ScenarioKind;
        match kind {
            ScenarioKind::QueueThroughput | ScenarioKind::QueueNodeFailure => {
                BenchParams::Queue(Default::default())
            }
            ScenarioKind::RingQuality => BenchParams::Ring(Default::default()),
            ScenarioKind::CacheHitMiss => BenchParams::Cache(Default::default()),
            // One working set: the node-failure run's time chart shows one line.
            ScenarioKind::CacheSingleVsDistributed | ScenarioKind::CacheNodeFailure => {
                BenchParams::Cache(cache::params::CacheParams {
                    working_sets: vec![500],
                    ..Default::default()
                })
            }
            _ => BenchParams::Lock(lock::params::LockParams::defaults(kind)),
        }
    }
    /// Wall-clock cost of one simulated actor-second of this service's benchmark, relative to
    /// the queue's: it weights the report's progress bar and the order its jobs start in
    /// (`report::jobs`). Measured with `syncsim report --seed 1 --threads 1` (seconds per
    /// actor-second of each run): a queue run moves 1 KB messages through Raft at thousands per
    /// second; the cache answers most GETs from a local line; the lock runs are held to a few
    /// hundred operations per second by contention.
    pub fn relative_cost(&self) -> f64 {
        match self {
            BenchParams::Queue(_) | BenchParams::Ring(_) => 1.0,
            BenchParams::Cache(_) => 0.1,
            BenchParams::Lock(_) => 0.02,
        }
    }
    /// Every service's parameter keys, with their help text.
    pub fn all_keys() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
        lock::params::KEYS
            .iter()
            .chain(queue::params::QUEUE_KEYS)
            .chain(queue::params::RING_KEYS)
            .chain(cache::params::CACHE_KEYS)
            .chain(crate::bench::open_loop::KEYS)
    }
    /// Whether `key` is one of this scenario's own parameters.
    pub fn owns(&self, key: &str) -> bool {
        self.text(key).is_some()
    }
    pub fn lock(&self) -> Option<&lock::params::LockParams> {
        match self {
            BenchParams::Lock(p) => Some(p),
            _ => None,
        }
    }
    pub fn queue(&self) -> Option<&queue::params::QueueParams> {
        match self {
            BenchParams::Queue(p) => Some(p),
            _ => None,
        }
    }
    pub fn ring(&self) -> Option<&queue::params::RingParams> {
        match self {
            BenchParams::Ring(p) => Some(p),
            _ => None,
        }
    }
    pub fn cache(&self) -> Option<&cache::params::CacheParams> {
        match self {
            BenchParams::Cache(p) => Some(p),
            _ => None,
        }
    }
    /// The scenario's own variants, one run each on top of `nodes × clients` (the cache's
    /// working sets); empty when it has none.
    pub fn variants(&self) -> Vec<String> {
        match self {
            BenchParams::Cache(p) => p.variants(),
            BenchParams::Lock(p) => p.variants(),
            BenchParams::Queue(p) => p.variants(),
            BenchParams::Ring(_) => Vec::new(),
        }
    }
    /// What the variants are, for messages ("working sets").
    pub fn variant_axis(&self) -> Option<&'static str> {
        match self {
            BenchParams::Cache(p) if p.offered_rates.is_empty() => Some("working sets"),
            BenchParams::Cache(_) => Some("working sets × offered loads"),
            BenchParams::Lock(p) if !p.offered_rates.is_empty() => Some("offered loads"),
            BenchParams::Queue(p) if !p.offered_rates.is_empty() => Some("offered loads"),
            _ => None,
        }
    }
    /// These parameters narrowed to variant `i` (what one run records).
    pub fn for_variant(&self, i: usize) -> Self {
        match self {
            BenchParams::Cache(p) => BenchParams::Cache(p.for_variant(i)),
            BenchParams::Lock(p) => BenchParams::Lock(p.for_variant(i)),
            BenchParams::Queue(p) => BenchParams::Queue(p.for_variant(i)),
            BenchParams::Ring(p) => BenchParams::Ring(p.clone()),
        }
    }
    /// Set one of this scenario's keys; `None` when the key is not its.
    pub fn set(&mut self, t: &crate::bench::params::ParamText<'_>) -> Option<Result<(), String>> {
        match self {
            BenchParams::Lock(p) => p.set(t),
            BenchParams::Queue(p) => p.set(t),
            BenchParams::Ring(p) => p.set(t),
            BenchParams::Cache(p) => p.set(t),
        }
    }
    pub fn text(&self, key: &str) -> Option<String> {
        match self {
            BenchParams::Lock(p) => p.text(key),
            BenchParams::Queue(p) => p.text(key),
            BenchParams::Ring(p) => p.text(key),
            BenchParams::Cache(p) => p.text(key),
        }
    }
    pub fn validate_fields(&self, out: &mut Vec<crate::bench::FieldError>) {
        match self {
            BenchParams::Lock(p) => p.validate_fields(out),
            BenchParams::Queue(p) => p.validate_fields(out),
            BenchParams::Ring(p) => p.validate_fields(out),
            BenchParams::Cache(p) => p.validate_fields(out),
        }
    }
}
