//! The results view: the timing line and the per run × operation summary table.

use std::fmt::Write;

use syncsim_core::bench::{BenchResult, OpStats};
use yew::prelude::*;

use syncsim_core::bench::Outcome;
use syncsim_uikit::markup::{esc, raw};

/// A number with as many decimals as its size deserves (tables stay narrow and readable).
pub fn fmt(v: f64) -> String {
    let a = v.abs();
    if a >= 1_000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The timing line: wall time, simulated seconds per wall second, chunking.
pub fn timing_line(outcome: &Outcome) -> Html {
    let t = &outcome.timing;
    let runs = outcome.suite.runs.len();
    let busy = if t.elapsed_ms > 0.0 {
        100.0 * t.busy_ms / t.elapsed_ms
    } else {
        0.0
    };
    html! {
        <p class="bench-timing" data-testid="bench-timing"
            data-wall-ms={format!("{:.0}", t.elapsed_ms)}
            data-sim-per-wall={format!("{:.3}", t.sim_per_wall())}>
            { format!("{runs} run{} · {} simulated s in {:.2} s of wall time · ",
                if runs == 1 { "" } else { "s" }, fmt(t.simulated_s), t.elapsed_ms / 1e3) }
            <strong>{ format!("{} simulated s per wall s", fmt(t.sim_per_wall())) }</strong>
            { format!(" · {} chunk{} of {:.1} ms on average, simulating {:.0}% of the time",
                t.chunks, if t.chunks == 1 { "" } else { "s" }, t.mean_chunk_ms(), busy) }
        </p>
    }
}

/// One operation's cells (the run's header and wall cells come from `run_rows`).
fn op_cells(out: &mut String, op: &OpStats) {
    let l = &op.latency_ms;
    let _ = write!(
        out,
        r#"<td class="op">{}</td><td>{}</td><td>{:.1}%</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"#,
        esc(&op.op),
        op.count,
        op.success_rate * 100.0,
        fmt(op.throughput_per_s),
        fmt(l.p50),
        fmt(l.p95),
        fmt(l.p99),
        fmt(l.max)
    );
}

/// One `<tbody>` per run: a row per operation, the "all" row last.
fn run_rows(out: &mut String, run: &BenchResult, warmup_s: f64) {
    let ops: Vec<&OpStats> = run
        .ops
        .iter()
        .chain(std::iter::once(&run.overall))
        .collect();
    let span = ops.len();
    let wall = run
        .wall_ms
        .map_or("–".to_string(), |w| format!("{w:.0} ms"));
    let ratio = run
        .wall_ms
        .filter(|w| *w > 0.0)
        .map_or("–".to_string(), |w| {
            fmt((run.duration_s + warmup_s) / (w / 1e3))
        });
    out.push_str("<tbody>");
    for (i, op) in ops.iter().enumerate() {
        out.push_str(if i + 1 == ops.len() {
            r#"<tr class="overall">"#
        } else {
            "<tr>"
        });
        if i == 0 {
            let _ = write!(
                out,
                r#"<th rowspan="{span}" scope="row">{}"#,
                esc(&run.label)
            );
            if !run.label.contains("node") {
                let _ = write!(
                    out,
                    r#"<span class="nodes">{} node{}</span>"#,
                    run.nodes,
                    if run.nodes == 1 { "" } else { "s" }
                );
            }
            out.push_str("</th>");
        }
        op_cells(out, op);
        if i == 0 {
            let _ = write!(
                out,
                r#"<td rowspan="{span}" class="wall">{}<span class="ratio">{}</span></td>"#,
                esc(&wall),
                esc(&ratio)
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody>");
}

/// Election and recovery figures of the runs that had a fault.
fn failover_notes(outcome: &Outcome) -> Vec<Html> {
    let ms = |v: Option<f64>| v.map_or("none".to_string(), |v| format!("{v:.0} ms"));
    outcome
        .suite
        .runs
        .iter()
        .filter_map(|run| {
            let f = run.failover.as_ref()?;
            let faults: Vec<&str> = run.faults.iter().map(|f| f.label.as_str()).collect();
            Some(html! {
                <li data-testid="bench-failover">
                    <strong>{ &run.label }</strong>
                    { format!(" ({}): election {}, recovery {}, throughput {} → {} ops/s",
                        faults.join(", "), ms(f.election_ms), ms(f.recovery_ms),
                        fmt(f.throughput_before), fmt(f.throughput_after)) }
                </li>
            })
        })
        .collect()
}

/// The summary table (one block of rows per run, the "all" row last in each), written as
/// markup text: it has no listeners (see `markup.rs`). The scrolling wrapper stays in `html!`.
pub fn results_table(outcome: &Outcome, warmup_s: f64) -> Html {
    let notes = failover_notes(outcome);
    let mut table = String::from(
        r#"<table class="bench-table" data-testid="bench-table"><thead><tr><th>Run</th><th>Op</th><th>Count</th><th>Success</th><th>Ops/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th><th title="wall-clock time, and simulated seconds per wall-clock second">Wall</th></tr></thead>"#,
    );
    for r in &outcome.suite.runs {
        run_rows(&mut table, r, warmup_s);
    }
    table.push_str("</table>");
    html! {
        <>
            <div class="bench-table-wrap">{ raw(table) }</div>
            if !notes.is_empty() {
                <ul class="bench-failover">{ for notes }</ul>
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::fmt;

    #[test]
    fn numbers_get_fewer_decimals_as_they_grow() {
        assert_eq!(fmt(0.123), "0.12");
        assert_eq!(fmt(12.345), "12.35");
        assert_eq!(fmt(123.45), "123.5");
        assert_eq!(fmt(12_345.6), "12346");
    }
}
