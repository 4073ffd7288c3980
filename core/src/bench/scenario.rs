//! Benchmark scenarios: what to run (cluster sizes, clients, workload, network, faults) and the
//! seeds' defaults. Validation and the `key = value` setter live in `params.rs`.

use serde::{Deserialize, Serialize};

use crate::net::NetProfile;
use crate::sim::{Time, SEC};

/// Simulated seconds (a parameter) as virtual time, rounded to the microsecond.
pub fn secs(s: f64) -> Time {
    (s * SEC as f64).round() as Time
}

/// The scenarios of the seeds (lock, queue and cache parts) and the ring-quality table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScenarioKind {
    QuickLocks,
    LockContention,
    NodeFailure,
    QueueNodeFailure,
    CacheNodeFailure,
    Scaling,
    SingleVsDistributed,
    QueueThroughput,
    RingQuality,
    CacheHitMiss,
    CacheSingleVsDistributed,
}

impl ScenarioKind {
    pub const ALL: [ScenarioKind; 11] = [
        ScenarioKind::QuickLocks,
        ScenarioKind::LockContention,
        ScenarioKind::NodeFailure,
        ScenarioKind::QueueNodeFailure,
        ScenarioKind::CacheNodeFailure,
        ScenarioKind::Scaling,
        ScenarioKind::SingleVsDistributed,
        ScenarioKind::QueueThroughput,
        ScenarioKind::RingQuality,
        ScenarioKind::CacheHitMiss,
        ScenarioKind::CacheSingleVsDistributed,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ScenarioKind::QuickLocks => "quick-locks",
            ScenarioKind::LockContention => "lock-contention",
            ScenarioKind::NodeFailure => "node-failure",
            ScenarioKind::QueueNodeFailure => "queue-node-failure",
            ScenarioKind::CacheNodeFailure => "cache-node-failure",
            ScenarioKind::Scaling => "scaling",
            ScenarioKind::SingleVsDistributed => "single-vs-distributed",
            ScenarioKind::QueueThroughput => "queue-throughput",
            ScenarioKind::RingQuality => "ring-quality",
            ScenarioKind::CacheHitMiss => "cache-hit-miss",
            ScenarioKind::CacheSingleVsDistributed => "cache-single-vs-distributed",
        }
    }

    /// The service this scenario measures (the registry builds its runs).
    pub fn service(self) -> &'static str {
        match self {
            ScenarioKind::QuickLocks
            | ScenarioKind::LockContention
            | ScenarioKind::NodeFailure
            | ScenarioKind::Scaling
            | ScenarioKind::SingleVsDistributed => "lock",
            ScenarioKind::QueueThroughput
            | ScenarioKind::QueueNodeFailure
            | ScenarioKind::RingQuality => "queue",
            ScenarioKind::CacheHitMiss
            | ScenarioKind::CacheNodeFailure
            | ScenarioKind::CacheSingleVsDistributed => "cache",
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
            ScenarioKind::QueueNodeFailure => {
                "3 nodes, 10 producers + 10 consumers; n2 crashes at t = 30 s; 120 s; re-election of every partition group it led, recovery time, then a drain checks that nothing acknowledged was lost"
            }
            ScenarioKind::CacheNodeFailure => {
                "3 nodes, 10 cache clients, 500 keys, 80% GET / 20% PUT; n2 crashes at t = 30 s; 120 s; the keys it was home to stay unavailable (no election: the cache has no failover)"
            }
            ScenarioKind::Scaling => "the same lock load on 1, 2, 3, 5 and 10 nodes, 30 s each",
            ScenarioKind::SingleVsDistributed => "the same lock load on 1 node and on 3 nodes",
            ScenarioKind::QueueThroughput => {
                "5/10/20 producers and as many consumers, 1 KB messages, 60 s, 3 nodes; then a drain checks that nothing acknowledged was lost"
            }
            ScenarioKind::RingQuality => {
                "the queue's ring on 10 nodes, 100k keys: balance (CV, max/mean) at 1-200 vnodes, keys moved on a join and a leave against 1/N and modulo hashing"
            }
            ScenarioKind::CacheHitMiss => {
                "10/50/100 clients × working sets of 100/500/1000 keys, 1000-entry MESI caches on 3 nodes, TTL 3600 s: PUTs warm the cache, then 80% GET / 20% PUT for 60 s"
            }
            ScenarioKind::CacheSingleVsDistributed => {
                "the cache hit/miss load (100 clients, 500 keys) on 1 node and on 3 nodes: coherence invalidations lower the hit rate"
            }
        }
    }

    /// The node-failure scenario of one of the three primitives (a fault plan by default).
    pub fn is_node_failure(self) -> bool {
        matches!(
            self,
            ScenarioKind::NodeFailure
                | ScenarioKind::QueueNodeFailure
                | ScenarioKind::CacheNodeFailure
        )
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

impl FaultPlan {
    /// The seeds' node failure: n2 stops at t = 30 s and stays down.
    pub const NODE_FAILURE: FaultPlan = FaultPlan {
        target: FaultTarget::Node(2),
        action: FaultAction::Crash,
        at_s: 30.0,
        until_s: None,
    };
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
    /// Measured simulated seconds (warm-up excluded). With `ops_per_client` it is the limit.
    pub duration_s: f64,
    /// Simulated seconds before measurement (leader election); clients start after it.
    pub warmup_s: f64,
    /// Operations per client (for locks, acquire/release pairs); `None` = keep going for
    /// `duration_s`.
    pub ops_per_client: Option<u64>,
    /// Server CPU time per message or timer (what makes throughput finite).
    pub cpu_service_us: u64,
    pub fault: Option<FaultPlan>,
    /// The measured service's own parameters (the lock workload's resources, hold times...),
    /// flattened into the same JSON object.
    #[serde(flatten)]
    pub service: crate::services::BenchParams,
}

impl ScenarioParams {
    /// The seeds' defaults for `kind`.
    pub fn defaults(kind: ScenarioKind) -> Self {
        let base = ScenarioParams {
            scenario: kind,
            seed: 1,
            profile: NetProfile::Localhost,
            nodes: vec![3],
            clients: vec![10],
            duration_s: 30.0,
            warmup_s: 1.0,
            ops_per_client: None,
            cpu_service_us: 150,
            fault: None,
            service: crate::services::BenchParams::defaults(kind),
        };
        match kind {
            ScenarioKind::QuickLocks => ScenarioParams {
                clients: vec![1],
                duration_s: 60.0,
                ops_per_client: Some(50),
                ..base
            },
            ScenarioKind::LockContention => ScenarioParams {
                clients: vec![10, 50, 100],
                duration_s: 60.0,
                ..base
            },
            ScenarioKind::NodeFailure => ScenarioParams {
                duration_s: 120.0,
                fault: Some(FaultPlan::NODE_FAILURE),
                ..base
            },
            // The same fault under the queue's load; the partition groups elect in the warm-up.
            ScenarioKind::QueueNodeFailure => ScenarioParams {
                duration_s: 120.0,
                warmup_s: 2.0,
                fault: Some(FaultPlan::NODE_FAILURE),
                ..base
            },
            // The same fault under the cache's load; the warm-up PUTs the working set.
            ScenarioKind::CacheNodeFailure => ScenarioParams {
                duration_s: 120.0,
                warmup_s: 2.0,
                fault: Some(FaultPlan::NODE_FAILURE),
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
            // The partition groups elect within about a second (elections 450-900 ms).
            ScenarioKind::QueueThroughput => ScenarioParams {
                clients: vec![5, 10, 20],
                duration_s: 60.0,
                warmup_s: 2.0,
                ..base
            },
            // The warm-up PUTs the whole working set (1000 keys take well under a second).
            ScenarioKind::CacheHitMiss => ScenarioParams {
                clients: vec![10, 50, 100],
                duration_s: 60.0,
                warmup_s: 2.0,
                ..base
            },
            ScenarioKind::CacheSingleVsDistributed => ScenarioParams {
                nodes: vec![1, 3],
                clients: vec![100],
                warmup_s: 2.0,
                ..base
            },
            // Pure computation: one run per cluster size, no clients, no simulated time.
            ScenarioKind::RingQuality => ScenarioParams {
                nodes: vec![10],
                clients: vec![1],
                duration_s: 1.0,
                warmup_s: 0.0,
                ..base
            },
        }
    }

    /// The runs of the suite: every `nodes × clients` pair, times the service's own variants
    /// (the cache's working sets), in the given order.
    pub fn runs(&self) -> Vec<RunSpec> {
        let variants = self.service.variants();
        let variants: Vec<Option<&String>> = if variants.is_empty() {
            vec![None]
        } else {
            variants.iter().map(Some).collect()
        };
        let mut out = Vec::new();
        for &nodes in &self.nodes {
            for &clients in &self.clients {
                let node_word = if nodes == 1 { "node" } else { "nodes" };
                let who = match self.scenario {
                    // Producers, and as many consumers.
                    ScenarioKind::QueueThroughput | ScenarioKind::QueueNodeFailure => {
                        format!("{clients} + {clients}")
                    }
                    _ => format!("{clients} {}", plural(clients, "client")),
                };
                let label = match (self.nodes.len() > 1, self.clients.len() > 1) {
                    // The ring-quality table has no clients.
                    _ if self.scenario == ScenarioKind::RingQuality => {
                        format!("{nodes} {node_word}")
                    }
                    (true, false) => format!("{nodes} {node_word}"),
                    (false, true) => who,
                    _ => format!("{nodes} {node_word}, {who}"),
                };
                for (variant, name) in variants.iter().enumerate() {
                    let label = match name {
                        Some(name) if variants.len() > 1 => format!("{label}, {name}"),
                        _ => label.clone(),
                    };
                    out.push(RunSpec {
                        label,
                        nodes,
                        clients,
                        variant,
                    });
                }
            }
        }
        out
    }

    /// These parameters narrowed to one run (what `BenchResult::params` records).
    pub fn for_run(&self, run: &RunSpec) -> ScenarioParams {
        ScenarioParams {
            nodes: vec![run.nodes],
            clients: vec![run.clients],
            service: self.service.for_variant(run.variant),
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
    /// Which of the service's own variants (`BenchParams::variants`), 0 when it has none.
    #[serde(default)]
    pub variant: usize,
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}
