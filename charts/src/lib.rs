//! Benchmark charts: one drawing function per chart, generic over the plotters backend, so the
//! same code draws on a `<canvas>` in the browser (plotters-canvas) and to SVG natively.
//!
//! Every chart reads only a [`Suite`] (the serde result types of `syncsim_core::bench`). The UI
//! and the CLI iterate over [`CHARTS`], skip the charts whose `available` test fails for the
//! suite at hand, and call [`draw_chart`].
//!
//! Fonts: plotters is built without default features, so natively it uses its "naive" font
//! (a size estimate only, no font files, no fontconfig); the SVG backend writes `<text>` elements
//! and the viewer renders them. In WASM the canvas backend uses the browser's fonts.

mod bars;
mod cache;
mod common;
mod knee;
mod queue;
pub mod report;
mod svg;
mod time;

use plotters::coord::Shift;
use plotters::prelude::*;
use syncsim_core::bench::Suite;

pub use bars::{
    draw_latency_histogram, draw_latency_percentiles, draw_single_vs_distributed, draw_summary_bar,
    draw_throughput_comparison,
};
pub use cache::{
    draw_cache_hit_rate, draw_cache_latency_histograms, draw_cache_single_vs_distributed,
    draw_cache_throughput, seeds_hit_rate_at, GET_HIT_P95_TARGET_MS, GET_TARGET_PER_S,
    HIT_RATE_TARGET, PUT_P95_TARGET_MS, PUT_TARGET_PER_S, SEEDS_HIT_RATE, SEEDS_REQ_PER_S,
};
pub use knee::draw_latency_vs_offered_load;
pub use queue::{
    draw_queue_depth, draw_queue_latency, draw_queue_throughput, draw_ring_balance,
    draw_ring_moved, seeds_reported, DEQUEUE_P95_TARGET_MS, DEQUEUE_TARGET_PER_S,
    ENQUEUE_P95_TARGET_MS, ENQUEUE_TARGET_PER_S,
};
pub use svg::{chart_svg, suite_charts};
pub use time::{draw_over_time, draw_scaling};

/// Default pixel size for exported charts.
pub const DEFAULT_SIZE: (u32, u32) = (900, 560);

/// One chart the UI and the CLI can offer.
#[derive(Clone, Copy, Debug)]
pub struct ChartSpec {
    /// Stable id, also the export file name (`<id>.svg`). Follows the seed report's names.
    pub id: &'static str,
    /// The title drawn on the chart.
    pub title: &'static str,
    /// One line for tooltips and docs.
    pub description: &'static str,
    /// Whether the chart has something meaningful to show for this suite.
    pub available: fn(&Suite) -> bool,
}

fn has_ops(s: &Suite) -> bool {
    s.runs.iter().any(|r| r.overall.count > 0)
}
fn has_series(s: &Suite) -> bool {
    s.runs
        .iter()
        .any(|r| r.series.iter().any(|p| p.ok + p.failed > 0))
}
fn one_and_several_nodes(s: &Suite) -> bool {
    s.runs.iter().any(|r| r.nodes == 1) && s.runs.iter().any(|r| r.nodes > 1)
}
/// The lock service's comparison; a cache suite has its own (`cache_single_vs_distributed`).
fn single_and_distributed(s: &Suite) -> bool {
    has_ops(s) && one_and_several_nodes(s) && !has_cache_runs(s)
}
fn has_cache_runs(s: &Suite) -> bool {
    !cache::cache_runs(s).is_empty()
}
fn cache_single_and_distributed(s: &Suite) -> bool {
    has_cache_runs(s) && one_and_several_nodes(s)
}
fn has_queue_runs(s: &Suite) -> bool {
    !queue::queue_runs(s).is_empty()
}
fn has_ring_runs(s: &Suite) -> bool {
    !queue::ring_runs(s).is_empty()
}
fn several_sizes(s: &Suite) -> bool {
    // Distinct sizes, without collecting into a set (which sorts: one more sort instance).
    let mut sizes: Vec<usize> = Vec::new();
    for r in &s.runs {
        if !sizes.contains(&r.nodes) {
            sizes.push(r.nodes);
        }
    }
    has_ops(s) && sizes.len() >= 3
}

pub const CHARTS: &[ChartSpec] = &[
    ChartSpec {
        id: "locks_latency_histogram",
        title: "Latency histogram",
        description: "How many operations completed within each latency bucket (log buckets).",
        available: has_ops,
    },
    ChartSpec {
        id: "locks_summary_bar",
        title: "Success rate and throughput",
        description: "Success rate (%) and successful operations per simulated second.",
        available: has_ops,
    },
    ChartSpec {
        id: "locks_single_vs_distributed",
        title: "Single node vs distributed",
        description: "Throughput and latency of a 1-node cluster against replicated clusters.",
        available: single_and_distributed,
    },
    ChartSpec {
        id: "latency_percentiles_comparison",
        title: "Latency percentiles per operation",
        description: "p50, p95 and p99 latency for each operation kind.",
        available: has_ops,
    },
    ChartSpec {
        id: "throughput_comparison",
        title: "Throughput comparison",
        description: "Successful operations per simulated second, per operation kind and run.",
        available: has_ops,
    },
    ChartSpec {
        id: "throughput_latency_over_time",
        title: "Throughput and latency over time",
        description: "Per simulated second, with fault intervals shaded.",
        available: has_series,
    },
    ChartSpec {
        id: "scaling",
        title: "Scaling with cluster size",
        description: "Throughput and latency against the number of nodes.",
        available: several_sizes,
    },
    ChartSpec {
        id: "queue_throughput",
        title: "Queue throughput against the targets",
        description: "Enqueued and delivered messages per simulated second, per run, with the seeds' targets and reported figures.",
        available: has_queue_runs,
    },
    ChartSpec {
        id: "queue_latency",
        title: "Queue latency against the targets",
        description: "Enqueue and dequeue p50/p95/p99 per run, with the seeds' p95 targets.",
        available: has_queue_runs,
    },
    ChartSpec {
        id: "queue_depth_loss",
        title: "Queue depth and delivery check",
        description: "Peak ready and in-flight depth; messages lost (must be 0) and duplicates after the drain.",
        available: has_queue_runs,
    },
    ChartSpec {
        id: "ring_balance",
        title: "Ring balance against virtual nodes",
        description: "Coefficient of variation and max/mean of keys per node, per vnode count.",
        available: has_ring_runs,
    },
    ChartSpec {
        id: "ring_moved",
        title: "Keys moved on a join and a leave",
        description: "Share of keys moved per vnode count, against the ideal 1/N and modulo hashing.",
        available: has_ring_runs,
    },
    ChartSpec {
        id: "cache_hit_rate",
        title: "Cache GET hit rate",
        description: "Share of GETs a node served from its own cache, per clients and working set, with the seeds' target and reported figure.",
        available: has_cache_runs,
    },
    ChartSpec {
        id: "cache_latency_histograms",
        title: "Cache PUT and GET latency",
        description: "Share of PUTs and GETs per latency bucket, with each run's p95 and the seeds' p95 targets.",
        available: has_cache_runs,
    },
    ChartSpec {
        id: "cache_throughput",
        title: "Cache throughput against the targets",
        description: "PUT, GET and all requests per simulated second, with the seeds' targets and reported figure.",
        available: has_cache_runs,
    },
    ChartSpec {
        id: "cache_single_vs_distributed",
        title: "Cache: single node vs distributed",
        description: "Throughput, GET hit rate and p95 latency on one node and on several, against the seeds' targets and figures.",
        available: cache_single_and_distributed,
    },
    ChartSpec {
        id: "latency_vs_offered_load",
        title: "Latency against offered load",
        description: "Open loop: p50 (dashed) and p95 latency of each primitive's requests against the offered load; the knee is where latency leaves its floor.",
        available: knee::has_offered_load,
    },
];

/// Look a chart up by id.
pub fn chart(id: &str) -> Option<&'static ChartSpec> {
    CHARTS.iter().find(|c| c.id == id)
}

/// Draw chart `id` of `suite` onto `area` (which it fills with a white background first).
/// Does not call `present()`: the caller owns the backend.
pub fn draw_chart<DB: DrawingBackend>(
    id: &str,
    area: &DrawingArea<DB, Shift>,
    suite: &Suite,
) -> Result<(), String> {
    let spec = chart(id).ok_or_else(|| {
        let ids: Vec<&str> = CHARTS.iter().map(|c| c.id).collect();
        format!("unknown chart `{id}`; known charts: {}", ids.join(", "))
    })?;
    if suite.runs.is_empty() {
        return Err(format!(
            "chart `{id}`: the suite `{}` has no runs",
            suite.name
        ));
    }
    area.fill(&WHITE).map_err(common::err)?;
    let t = spec.title;
    match spec.id {
        "locks_latency_histogram" => draw_latency_histogram(area, t, suite),
        "locks_summary_bar" => draw_summary_bar(area, t, suite),
        "locks_single_vs_distributed" => draw_single_vs_distributed(area, t, suite),
        "latency_percentiles_comparison" => draw_latency_percentiles(area, t, suite),
        "throughput_comparison" => draw_throughput_comparison(area, t, suite),
        "throughput_latency_over_time" => draw_over_time(area, t, suite),
        "scaling" => draw_scaling(area, t, suite),
        "queue_throughput" => draw_queue_throughput(area, t, suite),
        "queue_latency" => draw_queue_latency(area, t, suite),
        "queue_depth_loss" => draw_queue_depth(area, t, suite),
        "ring_balance" => draw_ring_balance(area, t, suite),
        "ring_moved" => draw_ring_moved(area, t, suite),
        "cache_hit_rate" => draw_cache_hit_rate(area, t, suite),
        "cache_latency_histograms" => draw_cache_latency_histograms(area, t, suite),
        "cache_throughput" => draw_cache_throughput(area, t, suite),
        "cache_single_vs_distributed" => draw_cache_single_vs_distributed(area, t, suite),
        "latency_vs_offered_load" => draw_latency_vs_offered_load(area, t, suite),
        _ => Err(format!("chart `{id}` has no drawing function")),
    }
}

#[cfg(test)]
mod tests;
