//! The results view: the timing line and the per run × operation summary table.

use syncsim_core::bench::{BenchResult, OpStats};
use yew::prelude::*;

use super::driver::Outcome;

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

fn op_cells(op: &OpStats) -> Html {
    let l = &op.latency_ms;
    html! {
        <>
            <td class="op">{ &op.op }</td>
            <td>{ op.count }</td>
            <td>{ format!("{:.1}%", op.success_rate * 100.0) }</td>
            <td>{ fmt(op.throughput_per_s) }</td>
            <td>{ fmt(l.p50) }</td>
            <td>{ fmt(l.p95) }</td>
            <td>{ fmt(l.p99) }</td>
            <td>{ fmt(l.max) }</td>
        </>
    }
}

fn run_rows(run: &BenchResult, warmup_s: f64) -> Html {
    let ops: Vec<&OpStats> = run
        .ops
        .iter()
        .chain(std::iter::once(&run.overall))
        .collect();
    let span = ops.len().to_string();
    let wall = run
        .wall_ms
        .map_or("–".to_string(), |w| format!("{w:.0} ms"));
    let ratio = run
        .wall_ms
        .filter(|w| *w > 0.0)
        .map_or("–".to_string(), |w| {
            fmt((run.duration_s + warmup_s) / (w / 1e3))
        });
    ops.iter()
        .enumerate()
        .map(|(i, op)| {
            let class = if i + 1 == ops.len() { "overall" } else { "" };
            html! {
                <tr class={class}>
                    if i == 0 {
                        <th rowspan={span.clone()} scope="row">
                            { &run.label }
                            if !run.label.contains("node") {
                                <span class="nodes">{ format!("{} node{}", run.nodes,
                                    if run.nodes == 1 { "" } else { "s" }) }</span>
                            }
                        </th>
                    }
                    { op_cells(op) }
                    if i == 0 {
                        <td rowspan={span.clone()} class="wall">
                            { wall.clone() }<span class="ratio">{ ratio.clone() }</span>
                        </td>
                    }
                </tr>
            }
        })
        .collect()
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

/// The summary table (one block of rows per run, the "all" row last in each).
pub fn results_table(outcome: &Outcome, warmup_s: f64) -> Html {
    let notes = failover_notes(outcome);
    html! {
        <>
            <div class="bench-table-wrap">
                <table class="bench-table" data-testid="bench-table">
                    <thead>
                        <tr>
                            <th>{ "Run" }</th><th>{ "Op" }</th><th>{ "Count" }</th>
                            <th>{ "Success" }</th><th>{ "Ops/s" }</th>
                            <th>{ "p50 ms" }</th><th>{ "p95 ms" }</th><th>{ "p99 ms" }</th>
                            <th>{ "max ms" }</th>
                            <th title="wall-clock time, and simulated seconds per wall-clock second">
                                { "Wall" }</th>
                        </tr>
                    </thead>
                    { for outcome.suite.runs.iter().map(|r| html! {
                        <tbody>{ run_rows(r, warmup_s) }</tbody>
                    }) }
                </table>
            </div>
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
