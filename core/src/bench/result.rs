//! Benchmark result types. Plain serde data: the CLI writes them as JSON, the UI keeps them in
//! memory, and the charts read only these (never the simulator).
//!
//! Units: every latency is in **milliseconds** (`f64`), every time on a series in **simulated
//! seconds** since the start of measurement, throughput in **operations per simulated second**.

use crate::base::sorted::SortedMap;

use serde::{Deserialize, Serialize};

/// Latency summary of one operation kind, in milliseconds. All zero when nothing was recorded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

/// Summary of one operation kind ("acquire", "release", "enqueue", "get"...) or of all of them
/// together (`op == "all"`, see [`OVERALL_OP`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OpStats {
    pub op: String,
    /// Completed operations (ok + failed). Operations still in flight at the end are not counted.
    pub count: u64,
    pub ok: u64,
    pub failed: u64,
    /// Failure reason (e.g. "timeout", "conflict", "not_found") -> count. Sums to `failed`.
    pub failure_reasons: SortedMap<String, u64>,
    /// `ok / count` in [0, 1]; 0 when `count == 0`.
    pub success_rate: f64,
    /// Successful operations per simulated second (goodput) over the measured duration.
    pub throughput_per_s: f64,
    /// Latency of every completed operation, failed ones included: a timeout is a real wait
    /// the caller suffered (the seeds' report shows exactly this bimodal shape).
    pub latency_ms: Percentiles,
    /// `(bucket upper bound in ms, count)` on a 1-2-5 log scale, trimmed to the populated range.
    /// A sample falls in the first bucket whose bound is >= its latency.
    pub histogram: Vec<(f64, u64)>,
}

/// The `op` name of the all-operations summary.
pub const OVERALL_OP: &str = "all";

/// One simulated second of a run (operations bucketed by completion time).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// Start of the one-second window, in simulated seconds since measurement began.
    pub t_s: f64,
    /// Successful operations completed in this window (ops/s, since the window is one second).
    pub throughput: f64,
    /// Latency percentiles of the operations completed in this window (0 if none).
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub ok: u64,
    pub failed: u64,
}

/// A fault that was active during `[start_s, end_s)`; charts shade it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultInterval {
    pub start_s: f64,
    pub end_s: f64,
    /// Human label, e.g. "n2 stopped" or "n1 isolated".
    pub label: String,
}

/// What a fault did to the service (node-failure scenarios).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailoverStats {
    /// From the fault to the first moment a leader (of a later term) was serving again, in ms.
    /// `None` when no new election was needed (a follower failed) or none completed.
    pub election_ms: Option<f64>,
    /// From the fault until throughput first got back to 90% of its pre-fault level (one-second
    /// windows), in ms. `None` if it never did before the end of the run.
    pub recovery_ms: Option<f64>,
    /// Mean throughput (ops/s) over the windows before the fault / after recovery.
    pub throughput_before: f64,
    pub throughput_after: f64,
}

/// What a run measured: the part of its `BenchResult` that its driver computes.
pub struct Measured {
    pub ops: Vec<OpStats>,
    pub overall: OpStats,
    pub series: Vec<SeriesPoint>,
    pub faults: Vec<FaultInterval>,
    pub failover: Option<FailoverStats>,
    pub extra: SortedMap<String, f64>,
}

/// The outcome of one benchmark run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchResult {
    /// Scenario id, e.g. "lock-contention".
    pub scenario: String,
    /// Short label that tells this run apart inside its suite, e.g. "50 clients" or "3 nodes".
    pub label: String,
    /// The exact parameters of this run (scenario-specific shape), so a run can be reproduced.
    pub params: serde_json::Value,
    pub seed: u64,
    pub nodes: usize,
    /// Measured simulated duration in seconds (warm-up excluded).
    pub duration_s: f64,
    /// Per operation kind, sorted by name.
    pub ops: Vec<OpStats>,
    /// All operation kinds together (`op == "all"`).
    pub overall: OpStats,
    /// One point per simulated second.
    pub series: Vec<SeriesPoint>,
    pub faults: Vec<FaultInterval>,
    pub failover: Option<FailoverStats>,
    /// Scenario-specific scalar metrics, e.g. "hit_rate", "evictions", "leader_changes",
    /// "sim_events". Sorted by name so the JSON is stable.
    pub extra: SortedMap<String, f64>,
    /// Wall-clock time of the run in ms. Filled by the caller (CLI/UI); the core has no clock.
    pub wall_ms: Option<f64>,
}

impl BenchResult {
    /// The simulator events the run processed (its `sim_events` metric; 0 if absent).
    pub fn sim_events(&self) -> u64 {
        self.extra.get("sim_events").map_or(0, |&e| e as u64)
    }

    /// The result of run `spec` of a suite with `params`: every service's driver ends with
    /// this, so the identification fields are filled the same way everywhere. The wall time
    /// is the caller's (the core has no clock).
    pub fn of_run(
        params: &super::scenario::ScenarioParams,
        spec: &super::scenario::RunSpec,
        duration_s: f64,
        m: Measured,
    ) -> BenchResult {
        BenchResult {
            scenario: params.scenario.id().to_string(),
            label: spec.label.clone(),
            params: serde_json::to_value(params).unwrap_or_default(),
            seed: params.seed,
            nodes: spec.nodes,
            duration_s,
            ops: m.ops,
            overall: m.overall,
            series: m.series,
            faults: m.faults,
            failover: m.failover,
            extra: m.extra,
            wall_ms: None,
        }
    }

    /// Stats of one operation kind, if it was recorded.
    pub fn op(&self, op: &str) -> Option<&OpStats> {
        self.ops.iter().find(|o| o.op == op)
    }
}

/// A named group of runs (one run, or e.g. contention at 10/50/100 clients).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suite {
    pub name: String,
    pub runs: Vec<BenchResult>,
}

impl Suite {
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Suite, String> {
        serde_json::from_str(text).map_err(|e| format!("not a syncsim benchmark suite: {e}"))
    }
}
