//! Queue charts: throughput and latency against the seeds' targets, depth and the delivery
//! check (queue-throughput), and the ring-quality table (balance and keys moved against the
//! vnode count).

use plotters::coord::Shift;
use plotters::prelude::*;
use syncsim_core::bench::{BenchResult, OpStats, Suite};

use crate::common::{fmt_num, grouped_bars, grouped_bars_with_refs, titled, BarSeries, RefLine};

/// The seeds' target figures for the queue (their performance analysis, "once fixed").
pub const ENQUEUE_TARGET_PER_S: f64 = 1000.0;
pub const DEQUEUE_TARGET_PER_S: f64 = 800.0;
pub const ENQUEUE_P95_TARGET_MS: f64 = 20.0;
pub const DEQUEUE_P95_TARGET_MS: f64 = 30.0;

/// The seeds' reported throughput (msg/s) at a producer count, where they reported one.
pub fn seeds_reported(producers: usize) -> Option<f64> {
    match producers {
        10 => Some(260.0),
        20 => Some(481.7),
        _ => None,
    }
}

/// Runs of the queue-throughput scenario (they record enqueues).
pub fn queue_runs(suite: &Suite) -> Vec<&BenchResult> {
    suite
        .runs
        .iter()
        .filter(|r| r.op("enqueue").is_some())
        .collect()
}

/// Runs of the ring-quality scenario, each with its vnode counts (ascending).
pub fn ring_runs(suite: &Suite) -> Vec<(&BenchResult, Vec<u32>)> {
    suite
        .runs
        .iter()
        .filter_map(|r| {
            let mut v: Vec<u32> = r
                .extra
                .keys()
                .filter_map(|k| k.strip_prefix("cv_v")?.parse().ok())
                .collect();
            syncsim_core::base::sort::sort(&mut v);
            (!v.is_empty()).then_some((r, v))
        })
        .collect()
}

fn extra(r: &BenchResult, key: &str) -> f64 {
    r.extra.get(key).copied().unwrap_or(0.0)
}

fn op_value(r: &BenchResult, op: &str, f: fn(&OpStats) -> f64) -> f64 {
    r.op(op).map_or(0.0, f)
}

/// A run's category label, with the seeds' figure when they reported one at its size.
fn run_category(r: &BenchResult) -> String {
    let producers = extra(r, "producers") as usize;
    match seeds_reported(producers) {
        Some(s) => format!("{} (seeds: {} msg/s)", r.label, fmt_num(s)),
        None => r.label.clone(),
    }
}

/// Enqueue and dequeue (delivered) messages per simulated second, per run, against the seeds'
/// targets; categories name the seeds' reported figure where there is one.
pub fn draw_queue_throughput<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let runs = queue_runs(suite);
    let cats: Vec<String> = runs.iter().map(|r| run_category(r)).collect();
    let series = |name: &str, op: &str| BarSeries {
        name: name.into(),
        values: runs
            .iter()
            .map(|r| op_value(r, op, |o| o.throughput_per_s))
            .collect(),
    };
    let refs = [
        RefLine {
            label: format!("target: enqueue > {} msg/s", fmt_num(ENQUEUE_TARGET_PER_S)),
            value: ENQUEUE_TARGET_PER_S,
        },
        RefLine {
            label: format!("target: dequeue > {} msg/s", fmt_num(DEQUEUE_TARGET_PER_S)),
            value: DEQUEUE_TARGET_PER_S,
        },
    ];
    grouped_bars_with_refs(
        &body,
        "",
        "producers + consumers",
        "messages / simulated s",
        &cats,
        &[series("enqueue", "enqueue"), series("dequeue", "dequeue")],
        None,
        &refs,
    )
}

/// Enqueue and dequeue latency (p50, p95, p99) per run, against the seeds' p95 targets.
pub fn draw_queue_latency<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let runs = queue_runs(suite);
    let cats: Vec<String> = runs.iter().map(|r| r.label.clone()).collect();
    let series = |name: &str, op: &str, f: fn(&OpStats) -> f64| BarSeries {
        name: name.into(),
        values: runs.iter().map(|r| op_value(r, op, f)).collect(),
    };
    let all = [
        series("enqueue p50", "enqueue", |o| o.latency_ms.p50),
        series("enqueue p95", "enqueue", |o| o.latency_ms.p95),
        series("enqueue p99", "enqueue", |o| o.latency_ms.p99),
        series("dequeue p50", "dequeue", |o| o.latency_ms.p50),
        series("dequeue p95", "dequeue", |o| o.latency_ms.p95),
        series("dequeue p99", "dequeue", |o| o.latency_ms.p99),
    ];
    let refs = [
        RefLine {
            label: format!(
                "target: enqueue p95 < {} ms",
                fmt_num(ENQUEUE_P95_TARGET_MS)
            ),
            value: ENQUEUE_P95_TARGET_MS,
        },
        RefLine {
            label: format!(
                "target: dequeue p95 < {} ms",
                fmt_num(DEQUEUE_P95_TARGET_MS)
            ),
            value: DEQUEUE_P95_TARGET_MS,
        },
    ];
    grouped_bars_with_refs(
        &body,
        "",
        "producers + consumers",
        "latency (ms)",
        &cats,
        &all,
        None,
        &refs,
    )
}

/// Left: peak depth (ready, in flight) per run; right: the delivery check after the drain
/// (lost must be 0; duplicates are deliveries beyond the first).
pub fn draw_queue_depth<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let panels = body.split_evenly((1, 2));
    let runs = queue_runs(suite);
    let cats: Vec<String> = runs.iter().map(|r| r.label.clone()).collect();
    let series = |name: &str, key: &str| BarSeries {
        name: name.into(),
        values: runs.iter().map(|r| extra(r, key)).collect(),
    };
    grouped_bars(
        &panels[0],
        "Peak depth",
        "producers + consumers",
        "messages",
        &cats,
        &[
            series("ready", "peak_depth"),
            series("in flight", "peak_in_flight"),
        ],
        None,
    )?;
    grouped_bars(
        &panels[1],
        "Delivery check after the drain",
        "producers + consumers",
        "messages",
        &cats,
        &[series("lost", "lost"), series("duplicates", "duplicates")],
        None,
    )
}

/// Left: the coefficient of variation of keys per node against V; right: max/mean against V
/// (1 is perfect). One series per cluster size.
pub fn draw_ring_balance<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let panels = body.split_evenly((1, 2));
    let runs = ring_runs(suite);
    let mut vs: Vec<u32> = runs.iter().flat_map(|(_, v)| v.iter().copied()).collect();
    syncsim_core::base::sort::sort(&mut vs);
    vs.dedup();
    let cats: Vec<String> = vs.iter().map(|v| format!("V={v}")).collect();
    let series = |figure: &str| -> Vec<BarSeries> {
        runs.iter()
            .map(|(r, _)| BarSeries {
                name: r.label.clone(),
                values: vs
                    .iter()
                    .map(|&v| extra(r, &format!("{figure}_v{v}")))
                    .collect(),
            })
            .collect()
    };
    grouped_bars(
        &panels[0],
        "CV = σ / mean",
        "virtual nodes per node",
        "coefficient of variation",
        &cats,
        &series("cv"),
        None,
    )?;
    grouped_bars_with_refs(
        &panels[1],
        "max / mean",
        "virtual nodes per node",
        "peak-to-average load",
        &cats,
        &series("max_over_mean"),
        None,
        &[RefLine {
            label: "perfect balance".into(),
            value: 1.0,
        }],
    )
}

/// Share of keys moved (%) on a join and a leave against V, with modulo hashing beside it and
/// the ideal (1/(N+1) on a join, 1/N on a leave) as lines. One panel per cluster size.
pub fn draw_ring_moved<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let runs = ring_runs(suite);
    let panels = body.split_evenly((runs.len().max(1), 1));
    for ((r, vs), panel) in runs.iter().zip(&panels) {
        let cats: Vec<String> = vs.iter().map(|v| format!("V={v}")).collect();
        let series = |name: &str, figure: &str| BarSeries {
            name: name.into(),
            values: vs
                .iter()
                .map(|&v| 100.0 * extra(r, &format!("{figure}_v{v}")))
                .collect(),
        };
        let (join, leave) = (extra(r, "join_ideal"), extra(r, "leave_ideal"));
        let refs = [
            RefLine {
                label: format!("ideal join 1/(N+1) = {}%", fmt_num(100.0 * join)),
                value: 100.0 * join,
            },
            RefLine {
                label: format!("ideal leave 1/N = {}%", fmt_num(100.0 * leave)),
                value: 100.0 * leave,
            },
        ];
        grouped_bars_with_refs(
            panel,
            &r.label,
            "virtual nodes per node",
            "keys moved (%)",
            &cats,
            &[
                series("join", "join_moved"),
                series("leave", "leave_moved"),
                series("modulo join", "modulo_join_moved"),
                series("modulo leave", "modulo_leave_moved"),
            ],
            // Room above the modulo bars (about 90 %) for the legend.
            Some(135.0),
            &refs,
        )?;
    }
    Ok(())
}
