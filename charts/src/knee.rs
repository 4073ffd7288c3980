//! Latency against offered load (open-loop runs, `syncsim_core::bench::open_loop`): one panel
//! per primitive with the p50 (dashed) and p95 latency of its requests against the offered
//! load. Below capacity latency stays on its floor; the knee is where it leaves it, as the
//! requests the system cannot serve queue up.

use plotters::coord::Shift;
use plotters::prelude::*;
use syncsim_core::bench::{BenchResult, OpStats, Suite};

use crate::common::titled;
use crate::time::{line_panel, nice_ticks, Line};

/// Each primitive's panel: its scenarios' prefix, caption and requests (not the background
/// operations: lock releases, queue dequeues and acks).
const KNEE_OPS: &[(&str, &str, &[&str])] = &[
    ("lock", "Locks: acquire", &["acquire"]),
    ("queue", "Queue: enqueue", &["enqueue"]),
    ("cache", "Cache: GET and PUT", &["get", "put"]),
];

fn offered(r: &BenchResult) -> Option<f64> {
    r.extra.get("offered_rate").copied()
}

/// The suite has an open-loop run with answered requests.
pub(crate) fn has_offered_load(s: &Suite) -> bool {
    s.runs
        .iter()
        .any(|r| offered(r).is_some() && r.overall.count > 0)
}

struct Panel {
    caption: &'static str,
    /// The highest offered load.
    top: f64,
    lines: Vec<Line>,
}

/// The panels, in `KNEE_OPS` order, with the runs in suite order (the rates as given).
/// Not generic over the backend, so the page carries one copy.
fn panels(suite: &Suite) -> Vec<Panel> {
    let mut out = Vec::new();
    for &(prefix, caption, ops) in KNEE_OPS {
        let runs: Vec<(f64, &BenchResult)> = suite
            .runs
            .iter()
            .filter(|r| r.scenario.split('-').next() == Some(prefix))
            .filter_map(|r| Some((offered(r)?, r)))
            .collect();
        if runs.is_empty() {
            continue;
        }
        let mut lines = Vec::new();
        for (i, &op) in ops.iter().enumerate() {
            let points = |f: fn(&OpStats) -> f64| -> Vec<(f64, f64)> {
                runs.iter()
                    .filter_map(|(rate, r)| Some((*rate, f(r.op(op)?))))
                    .collect()
            };
            let name = op.to_uppercase();
            let name = if prefix == "cache" {
                name
            } else {
                op.to_string()
            };
            lines.push(Line {
                name: format!("{name} p50 (dashed)"),
                color: i,
                points: points(|o| o.latency_ms.p50),
                dashed: true,
            });
            lines.push(Line {
                name: format!("{name} p95"),
                color: i,
                points: points(|o| o.latency_ms.p95),
                dashed: false,
            });
        }
        out.push(Panel {
            caption,
            top: runs.iter().map(|(rate, _)| *rate).fold(0.0, f64::max),
            lines,
        });
    }
    out
}

/// One panel per primitive side by side: latency (ms) against offered load (ops/s).
pub fn draw_latency_vs_offered_load<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let panels = panels(suite);
    if panels.is_empty() {
        // Closed-loop runs only: empty axes that say why.
        let none = "no open-loop runs (set offered-rates)";
        return line_panel(
            &body,
            none,
            "offered load (ops/s)",
            "latency (ms)",
            (0.0, 1.0),
            None,
            &[],
            &[],
        );
    }
    let areas = body.split_evenly((1, panels.len()));
    for (p, a) in panels.iter().zip(&areas) {
        // Round ticks, not the rates: close rates near the knee would print over each other.
        let hi = p.top * 1.08;
        line_panel(
            a,
            p.caption,
            "offered load (ops/s)",
            "latency (ms)",
            (0.0, hi),
            Some(nice_ticks(0.0, hi, 4)),
            &p.lines,
            &[],
        )?;
    }
    Ok(())
}
