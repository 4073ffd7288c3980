//! CSV export of benchmark suites: pure string building (the caller writes the file or offers
//! the download). JSON is `Suite::to_json` / `Suite::from_json`.
//!
//! Format: RFC 4180 (comma separated, `\n` line ends, fields quoted when they contain a comma,
//! quote or newline; quotes doubled). Numbers are written with Rust's shortest round-trip form.

use std::fmt::Write;

use super::result::{OpStats, Suite};

/// Header of [`to_csv`].
pub const SUMMARY_HEADER: &[&str] = &[
    "suite",
    "run",
    "label",
    "scenario",
    "seed",
    "nodes",
    "duration_s",
    "op",
    "count",
    "ok",
    "failed",
    "success_rate",
    "throughput_per_s",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
    "mean_ms",
    "failure_reasons",
    "wall_ms",
];

/// Header of [`series_csv`].
pub const SERIES_HEADER: &[&str] = &[
    "suite",
    "run",
    "label",
    "t_s",
    "throughput",
    "p50_ms",
    "p99_ms",
    "ok",
    "failed",
];

/// Quote a field if it needs it.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn push_row(out: &mut String, fields: &[String]) {
    let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    out.push_str(&row.join(","));
    out.push('\n');
}

/// "timeout=3;conflict=1" (sorted by reason).
fn reasons(op: &OpStats) -> String {
    let parts: Vec<String> = op
        .failure_reasons
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    parts.join(";")
}

/// One row per run × operation kind, plus one `op = "all"` row per run.
pub fn to_csv(suite: &Suite) -> String {
    let mut out = String::new();
    push_row(
        &mut out,
        &SUMMARY_HEADER
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>(),
    );
    for (i, run) in suite.runs.iter().enumerate() {
        for op in run.ops.iter().chain(std::iter::once(&run.overall)) {
            let l = &op.latency_ms;
            push_row(
                &mut out,
                &[
                    suite.name.clone(),
                    i.to_string(),
                    run.label.clone(),
                    run.scenario.clone(),
                    run.seed.to_string(),
                    run.nodes.to_string(),
                    run.duration_s.to_string(),
                    op.op.clone(),
                    op.count.to_string(),
                    op.ok.to_string(),
                    op.failed.to_string(),
                    op.success_rate.to_string(),
                    op.throughput_per_s.to_string(),
                    l.p50.to_string(),
                    l.p95.to_string(),
                    l.p99.to_string(),
                    l.max.to_string(),
                    l.mean.to_string(),
                    reasons(op),
                    run.wall_ms.map(|w| w.to_string()).unwrap_or_default(),
                ],
            );
        }
    }
    out
}

/// One row per run × simulated second.
pub fn series_csv(suite: &Suite) -> String {
    let mut out = String::new();
    push_row(
        &mut out,
        &SERIES_HEADER
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>(),
    );
    for (i, run) in suite.runs.iter().enumerate() {
        for p in &run.series {
            let mut line = String::new();
            // Only the suite name and label can need quoting.
            let _ = write!(
                line,
                "{},{},{},{},{},{},{},{},{}",
                csv_field(&suite.name),
                i,
                csv_field(&run.label),
                p.t_s,
                p.throughput,
                p.p50_ms,
                p.p99_ms,
                p.ok,
                p.failed
            );
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Parse CSV text produced by this module back into rows of fields (for tests and imports).
/// Returns an error on an unterminated quote.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (in_quotes, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => in_quotes = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => in_quotes = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if in_quotes {
        return Err("CSV ends inside a quoted field".into());
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}
