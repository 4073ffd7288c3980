//! Benchmark scenarios: what to run (cluster sizes, clients, workload, network, faults), with
//! the seeds' defaults, validation with clear messages, and a `key = value` setter shared by the
//! CLI flags and the UI's form fields.

use serde::{Deserialize, Serialize};

use crate::net::NetProfile;
use crate::sim::{MAX_ACTORS, MAX_CPU_SERVICE_US, MAX_SERVERS};

/// The scenarios of the seeds (lock part).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScenarioKind {
    QuickLocks,
    LockContention,
    NodeFailure,
    Scaling,
    SingleVsDistributed,
}

impl ScenarioKind {
    pub const ALL: [ScenarioKind; 5] = [
        ScenarioKind::QuickLocks,
        ScenarioKind::LockContention,
        ScenarioKind::NodeFailure,
        ScenarioKind::Scaling,
        ScenarioKind::SingleVsDistributed,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ScenarioKind::QuickLocks => "quick-locks",
            ScenarioKind::LockContention => "lock-contention",
            ScenarioKind::NodeFailure => "node-failure",
            ScenarioKind::Scaling => "scaling",
            ScenarioKind::SingleVsDistributed => "single-vs-distributed",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            ScenarioKind::QuickLocks => {
                "the seeds' quick run: 50 sequential exclusive acquire/release pairs on 3 nodes"
            }
            ScenarioKind::LockContention => {
                "10/50/100 clients, 5 resources, 50% shared / 50% exclusive, 60 s, 3 nodes"
            }
            ScenarioKind::NodeFailure => {
                "3 nodes under lock load; n2 crashes at t = 30 s; 120 s; election and recovery time"
            }
            ScenarioKind::Scaling => "the same lock load on 1, 2, 3, 5 and 10 nodes, 30 s each",
            ScenarioKind::SingleVsDistributed => "the same lock load on 1 node and on 3 nodes",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let wanted = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|k| k.id() == wanted)
            .ok_or_else(|| {
                let ids: Vec<&str> = Self::ALL.iter().map(|k| k.id()).collect();
                format!(
                    "unknown scenario `{s}`; expected one of: {}",
                    ids.join(", ")
                )
            })
    }
}

/// Which server a fault hits, resolved when the fault fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultTarget {
    /// A fixed server, 1-based as the UI names it ("n2" is `Node(2)`).
    Node(usize),
    /// Whoever leads when the fault fires.
    Leader,
    /// The lowest-numbered running follower when the fault fires.
    Follower,
}

/// What happens to the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultAction {
    /// Stop the node (volatile state lost); `until_s` restarts it.
    Crash,
    /// Cut it from every other server; `until_s` heals all links.
    Isolate,
    /// Freeze it (state kept); `until_s` resumes it.
    Pause,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultPlan {
    pub target: FaultTarget,
    pub action: FaultAction,
    /// Seconds after measurement starts (the charts' time axis).
    pub at_s: f64,
    /// When the fault is undone (restart / heal / resume); `None` = never.
    pub until_s: Option<f64>,
}

/// Everything a scenario run depends on. A suite runs every `nodes × clients` combination.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioParams {
    pub scenario: ScenarioKind,
    pub seed: u64,
    pub profile: NetProfile,
    /// Cluster sizes to run.
    pub nodes: Vec<usize>,
    /// Numbers of closed-loop clients to run.
    pub clients: Vec<usize>,
    pub resources: usize,
    /// Probability that an acquire is shared, in [0, 1].
    pub shared_fraction: f64,
    /// Measured simulated seconds (warm-up excluded). With `ops_per_client` it is the limit.
    pub duration_s: f64,
    /// Simulated seconds before measurement (leader election); clients start after it.
    pub warmup_s: f64,
    /// Acquire/release pairs per client; `None` = keep going for `duration_s`.
    pub ops_per_client: Option<u64>,
    /// Client think time before each acquire, uniform in `[lo, hi)` ms.
    pub think_ms: (u64, u64),
    /// How long a granted lock is held, uniform in `[lo, hi)` ms.
    pub hold_ms: (u64, u64),
    pub wait_timeout_ms: u64,
    pub lease_ms: u64,
    /// Server CPU time per message or timer (what makes throughput finite).
    pub cpu_service_us: u64,
    pub fault: Option<FaultPlan>,
}

/// Keys accepted by [`ScenarioParams::set`] (CLI flags without the leading `--`).
pub const PARAM_KEYS: &[(&str, &str)] = &[
    ("seed", "PRNG seed (u64)"),
    (
        "profile",
        "network profile: localhost, lan, datacenter, wan, flaky",
    ),
    ("nodes", "cluster sizes, comma separated, e.g. 1,3,5"),
    ("clients", "client counts, comma separated, e.g. 10,50,100"),
    ("resources", "number of lock resources"),
    ("shared", "fraction of shared acquires, 0..1"),
    ("duration", "measured simulated seconds"),
    ("warmup", "simulated seconds before measurement"),
    ("ops", "acquire/release pairs per client, or `none`"),
    ("think-ms", "think time range in ms, `lo-hi` or one value"),
    ("hold-ms", "hold time range in ms, `lo-hi` or one value"),
    ("wait-timeout-ms", "acquire wait timeout in ms"),
    ("lease-ms", "lease length in ms (0 = none)"),
    ("cpu-us", "server CPU service time per message, µs"),
    ("fault", "none, crash, isolate or pause"),
    ("fault-target", "n<k> (e.g. n2), leader or follower"),
    ("fault-at", "fault time, seconds after measurement starts"),
    (
        "fault-until",
        "when the fault is undone, seconds, or `never`",
    ),
];

pub const MAX_CLIENTS: usize = 400;
pub const MAX_RUNS: usize = 20;
pub const MAX_DURATION_S: f64 = 3600.0;
pub const MAX_RESOURCES: usize = 1000;

impl ScenarioParams {
    /// The seeds' defaults for `kind`.
    pub fn defaults(kind: ScenarioKind) -> Self {
        let base = ScenarioParams {
            scenario: kind,
            seed: 1,
            profile: NetProfile::Localhost,
            nodes: vec![3],
            clients: vec![10],
            resources: 5,
            shared_fraction: 0.5,
            duration_s: 30.0,
            warmup_s: 1.0,
            ops_per_client: None,
            think_ms: (0, 20),
            hold_ms: (5, 30),
            wait_timeout_ms: 2_000,
            lease_ms: 5_000,
            cpu_service_us: 150,
            fault: None,
        };
        match kind {
            ScenarioKind::QuickLocks => ScenarioParams {
                clients: vec![1],
                resources: 1,
                shared_fraction: 0.0,
                duration_s: 60.0,
                ops_per_client: Some(50),
                think_ms: (0, 0),
                hold_ms: (0, 0),
                ..base
            },
            ScenarioKind::LockContention => ScenarioParams {
                clients: vec![10, 50, 100],
                duration_s: 60.0,
                ..base
            },
            ScenarioKind::NodeFailure => ScenarioParams {
                duration_s: 120.0,
                fault: Some(FaultPlan {
                    target: FaultTarget::Node(2),
                    action: FaultAction::Crash,
                    at_s: 30.0,
                    until_s: None,
                }),
                ..base
            },
            ScenarioKind::Scaling => ScenarioParams {
                nodes: vec![1, 2, 3, 5, 10],
                ..base
            },
            ScenarioKind::SingleVsDistributed => ScenarioParams {
                nodes: vec![1, 3],
                ..base
            },
        }
    }

    /// Checks every field; the message names the field and the allowed range.
    pub fn validate(&self) -> Result<(), String> {
        if self.nodes.is_empty() || self.clients.is_empty() {
            return Err("give at least one node count and one client count".into());
        }
        if let Some(&n) = self
            .nodes
            .iter()
            .find(|&&n| !(1..=MAX_SERVERS).contains(&n))
        {
            return Err(format!("nodes: {n} is outside 1..={MAX_SERVERS}"));
        }
        let max_clients = MAX_CLIENTS.min(MAX_ACTORS - MAX_SERVERS);
        if let Some(&c) = self
            .clients
            .iter()
            .find(|&&c| !(1..=max_clients).contains(&c))
        {
            return Err(format!("clients: {c} is outside 1..={max_clients}"));
        }
        let runs = self.nodes.len() * self.clients.len();
        if runs > MAX_RUNS {
            return Err(format!(
                "{runs} runs (nodes × clients) requested; the limit is {MAX_RUNS}"
            ));
        }
        if !(1..=MAX_RESOURCES).contains(&self.resources) {
            return Err(format!(
                "resources: {} is outside 1..={MAX_RESOURCES}",
                self.resources
            ));
        }
        if !(0.0..=1.0).contains(&self.shared_fraction) {
            return Err(format!(
                "shared: {} is not a fraction in 0..1",
                self.shared_fraction
            ));
        }
        if !(self.duration_s > 0.0 && self.duration_s <= MAX_DURATION_S) {
            return Err(format!(
                "duration: {} s is outside (0, {MAX_DURATION_S}]",
                self.duration_s
            ));
        }
        if !(0.0..=60.0).contains(&self.warmup_s) {
            return Err(format!("warmup: {} s is outside 0..=60", self.warmup_s));
        }
        if self.ops_per_client == Some(0) {
            return Err("ops: give at least 1 pair per client, or `none`".into());
        }
        for (name, (lo, hi)) in [("think-ms", self.think_ms), ("hold-ms", self.hold_ms)] {
            if lo > hi || hi > 60_000 {
                return Err(format!("{name}: {lo}-{hi} must satisfy lo <= hi <= 60000"));
            }
        }
        if self.wait_timeout_ms > 600_000 || self.lease_ms > 3_600_000 {
            return Err("wait-timeout-ms must be <= 600000 and lease-ms <= 3600000".into());
        }
        if self.cpu_service_us > MAX_CPU_SERVICE_US {
            return Err(format!(
                "cpu-us: {} exceeds {MAX_CPU_SERVICE_US}",
                self.cpu_service_us
            ));
        }
        if let Some(f) = &self.fault {
            self.validate_fault(f)?;
        }
        Ok(())
    }

    fn validate_fault(&self, f: &FaultPlan) -> Result<(), String> {
        let smallest = self.nodes.iter().copied().min().unwrap_or(1);
        if !(f.at_s >= 0.0 && f.at_s < self.duration_s) {
            return Err(format!(
                "fault-at: {} s must be inside the measured {} s",
                f.at_s, self.duration_s
            ));
        }
        if let Some(u) = f.until_s {
            if u.is_nan() || u <= f.at_s {
                return Err(format!(
                    "fault-until: {u} s must come after fault-at {} s",
                    f.at_s
                ));
            }
        }
        match f.target {
            FaultTarget::Node(k) if k == 0 || k > smallest => Err(format!(
                "fault-target: n{k} does not exist in a {smallest}-node cluster"
            )),
            FaultTarget::Follower if smallest < 2 => {
                Err("fault-target: a 1-node cluster has no follower".into())
            }
            FaultTarget::Leader | FaultTarget::Follower | FaultTarget::Node(_)
                if f.action == FaultAction::Isolate && smallest < 2 =>
            {
                Err("fault: isolating a node needs at least 2 nodes".into())
            }
            _ => Ok(()),
        }
    }

    /// Set one parameter from text (CLI flag or form field). Errors name the key and value.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let v = value.trim();
        let bad = |what: &str| format!("--{key}: `{value}` is not {what}");
        let num = |what: &str| v.parse::<u64>().map_err(|_| bad(what));
        let float = |what: &str| {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad(what))
        };
        let list = || -> Result<Vec<usize>, String> {
            v.split(',')
                .map(|p| {
                    p.trim()
                        .parse::<usize>()
                        .map_err(|_| bad("a comma-separated list of counts"))
                })
                .collect()
        };
        let range = || -> Result<(u64, u64), String> {
            let (a, b) = v.split_once('-').unwrap_or((v, v));
            let p = |s: &str| s.trim().parse::<u64>().map_err(|_| bad("`lo-hi` in ms"));
            Ok((p(a)?, p(b)?))
        };
        match key {
            "seed" => self.seed = num("an unsigned integer")?,
            "profile" => self.profile = NetProfile::parse(v).map_err(|e| e.0)?,
            "nodes" => self.nodes = list()?,
            "clients" => self.clients = list()?,
            "resources" => self.resources = num("a count")? as usize,
            "shared" => self.shared_fraction = float("a fraction")?,
            "duration" => self.duration_s = float("a number of seconds")?,
            "warmup" => self.warmup_s = float("a number of seconds")?,
            "ops" if v == "none" => self.ops_per_client = None,
            "ops" => self.ops_per_client = Some(num("a count or `none`")?),
            "think-ms" => self.think_ms = range()?,
            "hold-ms" => self.hold_ms = range()?,
            "wait-timeout-ms" => self.wait_timeout_ms = num("milliseconds")?,
            "lease-ms" => self.lease_ms = num("milliseconds")?,
            "cpu-us" => self.cpu_service_us = num("microseconds")?,
            "fault" => {
                let action = match v {
                    "none" => {
                        self.fault = None;
                        return Ok(());
                    }
                    "crash" | "stop" => FaultAction::Crash,
                    "isolate" => FaultAction::Isolate,
                    "pause" => FaultAction::Pause,
                    _ => return Err(bad("none, crash, isolate or pause")),
                };
                self.fault_mut().action = action;
            }
            "fault-target" => {
                let target = match v {
                    "leader" => FaultTarget::Leader,
                    "follower" => FaultTarget::Follower,
                    _ => v
                        .strip_prefix('n')
                        .and_then(|k| k.parse().ok())
                        .map(FaultTarget::Node)
                        .ok_or_else(|| bad("n<k>, leader or follower"))?,
                };
                self.fault_mut().target = target;
            }
            "fault-at" => self.fault_mut().at_s = float("a number of seconds")?,
            "fault-until" if v == "never" => self.fault_mut().until_s = None,
            "fault-until" => self.fault_mut().until_s = Some(float("seconds or `never`")?),
            _ => {
                let keys: Vec<&str> = PARAM_KEYS.iter().map(|k| k.0).collect();
                return Err(format!(
                    "unknown parameter `{key}`; known: {}",
                    keys.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The fault plan, created with the node-failure defaults if there is none yet.
    fn fault_mut(&mut self) -> &mut FaultPlan {
        self.fault.get_or_insert(FaultPlan {
            target: FaultTarget::Node(2),
            action: FaultAction::Crash,
            at_s: (self.duration_s / 4.0).floor(),
            until_s: None,
        })
    }

    /// The runs of the suite: every `nodes × clients` pair, in the given order.
    pub fn runs(&self) -> Vec<RunSpec> {
        let mut out = Vec::new();
        for &nodes in &self.nodes {
            for &clients in &self.clients {
                let node_word = if nodes == 1 { "node" } else { "nodes" };
                let label = match (self.nodes.len() > 1, self.clients.len() > 1) {
                    (true, false) => format!("{nodes} {node_word}"),
                    (false, true) => format!("{clients} {}", plural(clients, "client")),
                    _ => format!(
                        "{nodes} {node_word}, {clients} {}",
                        plural(clients, "client")
                    ),
                };
                out.push(RunSpec {
                    label,
                    nodes,
                    clients,
                });
            }
        }
        out
    }

    /// These parameters narrowed to one run (what `BenchResult::params` records).
    pub fn for_run(&self, run: &RunSpec) -> ScenarioParams {
        ScenarioParams {
            nodes: vec![run.nodes],
            clients: vec![run.clients],
            ..self.clone()
        }
    }
}

/// One run of a suite.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSpec {
    pub label: String,
    pub nodes: usize,
    pub clients: usize,
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}
