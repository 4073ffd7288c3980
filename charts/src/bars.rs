//! Bar charts: latency histogram, summary, single vs distributed, percentiles, throughput.

use plotters::coord::Shift;
use plotters::prelude::*;
use syncsim_core::bench::{OpStats, Suite};

use crate::common::{fmt_num, grouped_bars, op_groups, runs_by_nodes, titled, BarSeries};

/// The stats a whole-run comparison uses: the run's overall stats, labelled by run.
fn run_overalls(suite: &Suite) -> Vec<(String, &OpStats)> {
    suite
        .runs
        .iter()
        .map(|r| (r.label.clone(), &r.overall))
        .collect()
}

/// Single run: each op kind (or the overall stats if there is one kind); several runs: the
/// overall stats of each run.
fn summary_groups(suite: &Suite) -> Vec<(String, &OpStats)> {
    if suite.runs.len() == 1 {
        op_groups(suite)
    } else {
        run_overalls(suite)
    }
}

fn names(groups: &[(String, &OpStats)]) -> Vec<String> {
    groups.iter().map(|g| g.0.clone()).collect()
}

fn percentile_series(groups: &[(String, &OpStats)]) -> Vec<BarSeries> {
    let series = |name: &str, f: fn(&OpStats) -> f64| BarSeries {
        name: name.to_string(),
        values: groups.iter().map(|g| f(g.1)).collect(),
    };
    vec![
        series("p50", |o| o.latency_ms.p50),
        series("p95", |o| o.latency_ms.p95),
        series("p99", |o| o.latency_ms.p99),
    ]
}

/// Count of operations per latency bucket (1-2-5 log buckets), one bar series per op kind
/// (single run) or per run.
pub fn draw_latency_histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let groups = summary_groups(suite);
    // Union of populated bucket bounds, in order.
    let mut bounds: Vec<f64> = groups
        .iter()
        .flat_map(|g| g.1.histogram.iter().map(|b| b.0))
        .collect();
    syncsim_core::base::sort::sort_by(&mut bounds, f64::total_cmp);
    bounds.dedup();
    let cats: Vec<String> = bounds.iter().map(|b| format!("≤{}", fmt_num(*b))).collect();
    let series: Vec<BarSeries> = groups
        .iter()
        .map(|(name, op)| BarSeries {
            name: name.clone(),
            values: bounds
                .iter()
                .map(|b| {
                    op.histogram
                        .iter()
                        .find(|h| h.0 == *b)
                        .map_or(0.0, |h| h.1 as f64)
                })
                .collect(),
        })
        .collect();
    grouped_bars(
        &body,
        "",
        "latency bucket, upper bound (ms)",
        "operations (count)",
        &cats,
        &series,
        None,
    )
}

/// Success rate (%) and throughput (ops/s), side by side.
pub fn draw_summary_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let panels = body.split_evenly((1, 2));
    let groups = summary_groups(suite);
    let cats = names(&groups);
    let success = BarSeries {
        name: "success rate".into(),
        values: groups.iter().map(|g| g.1.success_rate * 100.0).collect(),
    };
    let throughput = BarSeries {
        name: "throughput".into(),
        values: groups.iter().map(|g| g.1.throughput_per_s).collect(),
    };
    grouped_bars(
        &panels[0],
        "Success rate",
        "",
        "success (%)",
        &cats,
        &[success],
        Some(110.0),
    )?;
    grouped_bars(
        &panels[1],
        "Throughput",
        "",
        "successful ops / simulated s",
        &cats,
        &[throughput],
        None,
    )
}

/// Throughput and latency percentiles of each run, ordered by node count.
pub fn draw_single_vs_distributed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let panels = body.split_evenly((1, 2));
    let runs = runs_by_nodes(suite);
    let groups: Vec<(String, &OpStats)> =
        runs.iter().map(|r| (r.label.clone(), &r.overall)).collect();
    let cats = names(&groups);
    let throughput = BarSeries {
        name: "throughput".into(),
        values: groups.iter().map(|g| g.1.throughput_per_s).collect(),
    };
    grouped_bars(
        &panels[0],
        "Throughput",
        "",
        "successful ops / simulated s",
        &cats,
        &[throughput],
        None,
    )?;
    grouped_bars(
        &panels[1],
        "Latency",
        "",
        "latency (ms)",
        &cats,
        &percentile_series(&groups),
        None,
    )
}

/// p50/p95/p99 per operation kind (and per run when there are several).
pub fn draw_latency_percentiles<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let groups = op_groups(suite);
    grouped_bars(
        &body,
        "",
        "operation",
        "latency (ms)",
        &names(&groups),
        &percentile_series(&groups),
        None,
    )
}

/// Successful operations per simulated second, per operation kind (and run).
pub fn draw_throughput_comparison<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let groups = op_groups(suite);
    let series = BarSeries {
        name: "throughput".into(),
        values: groups.iter().map(|g| g.1.throughput_per_s).collect(),
    };
    grouped_bars(
        &body,
        "",
        "operation",
        "successful ops / simulated s",
        &names(&groups),
        &[series],
        None,
    )
}
