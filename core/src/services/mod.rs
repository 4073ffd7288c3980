//! The services every simulated node runs, and their registration: the one place that lists
//! them. Adding a service is a module here plus one line in `node_services!` below (see
//! `ARCHITECTURE.md`, "How to add a service"); nothing else changes.

pub mod lock;
#[cfg(feature = "mutants")]
pub mod mutants;
pub mod queue;
pub mod status;

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
        queue: queue::queue_server(i, &ids, opts.pre_vote, opts.check_quorum),
    };
    let client = |i| Node {
        lock: lock::service_console_client(i, &ids),
        status: StatusActor::client(i, ids.clone()),
        queue: queue::queue_console_client(i, &ids),
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
            },
        )?)),
        other => Err(format!("no benchmark for service `{other}`")),
    }
}

/// The measured service's benchmark parameters, by scenario (flattened into `ScenarioParams`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum BenchParams {
    Lock(lock::params::LockParams),
}

impl BenchParams {
    pub fn defaults(kind: crate::bench::ScenarioKind) -> Self {
        // Every scenario measures the lock service today (`kind.service()` is "lock"); a
        // second benchmarked service matches on it here.
        BenchParams::Lock(lock::params::LockParams::defaults(kind))
    }
    /// Every service's parameter keys, with their help text.
    pub fn all_keys() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
        lock::params::KEYS.iter()
    }
    pub fn lock(&self) -> Option<&lock::params::LockParams> {
        match self {
            BenchParams::Lock(p) => Some(p),
        }
    }
    /// Set one of this service's keys; `None` when the key is not its.
    pub fn set(&mut self, t: &crate::bench::params::ParamText<'_>) -> Option<Result<(), String>> {
        match self {
            BenchParams::Lock(p) => p.set(t),
        }
    }
    pub fn text(&self, key: &str) -> Option<String> {
        match self {
            BenchParams::Lock(p) => p.text(key),
        }
    }
    pub fn validate_fields(&self, out: &mut Vec<crate::bench::FieldError>) {
        match self {
            BenchParams::Lock(p) => p.validate_fields(out),
        }
    }
}
