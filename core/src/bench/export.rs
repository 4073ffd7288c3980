//! CSV export of benchmark suites, into memory only (the caller writes
//! the file or offers the download). JSON is `Suite::to_json` / `Suite::from_json`.
//!
//! Format: RFC 4180 (comma separated, `\n` line ends, fields quoted when they contain a comma,
//! quote, `\r` or `\n`; quotes doubled). Numbers are written with Rust's shortest round-trip
//! form.

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

/// Append one record: fields separated by `,`, then `\n`. A field is quoted only when it
/// contains a comma, quote, `\r` or `\n` (quotes doubled), and a record that would be empty (one
/// empty field) is written as `""` so that it is not a blank line. This is exactly what the `csv`
/// crate's default writer produces; written by hand because that writer (with its error types
/// and its float parser for `QuoteStyle::NonNumeric`) cost the page about 6 KB gzipped.
fn push_record<I, T>(out: &mut String, fields: I)
where
    I: IntoIterator<Item = T>,
    T: AsRef<str>,
{
    let start = out.len();
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field.as_ref());
    }
    if out.len() == start {
        out.push_str("\"\"");
    }
    out.push('\n');
}

fn push_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Quote a field if it needs it (the quoting [`to_csv`] and [`series_csv`] apply).
pub fn csv_field(s: &str) -> String {
    let mut field = String::new();
    push_field(&mut field, s);
    field
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
    let mut w = String::new();
    push_record(&mut w, SUMMARY_HEADER);
    for (i, run) in suite.runs.iter().enumerate() {
        for op in run.ops.iter().chain(std::iter::once(&run.overall)) {
            let l = &op.latency_ms;
            push_record(
                &mut w,
                [
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
    w
}

/// One row per run × simulated second.
pub fn series_csv(suite: &Suite) -> String {
    let mut w = String::new();
    push_record(&mut w, SERIES_HEADER);
    for (i, run) in suite.runs.iter().enumerate() {
        for p in &run.series {
            push_record(
                &mut w,
                [
                    suite.name.clone(),
                    i.to_string(),
                    run.label.clone(),
                    p.t_s.to_string(),
                    p.throughput.to_string(),
                    p.p50_ms.to_string(),
                    p.p99_ms.to_string(),
                    p.ok.to_string(),
                    p.failed.to_string(),
                ],
            );
        }
    }
    w
}

/// Parse CSV text produced by this module back into rows of fields (for tests and imports).
/// Rows may differ in length; blank lines are skipped. Returns an error on an unterminated quote.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    // The `csv` reader ends a quoted field silently at the end of the input. To notice an
    // unterminated quote, append a line holding only a marker: it comes back as a record of its
    // own unless the text ended inside quotes, which swallows it into the last field.
    const END: &str = "\u{0}end of syncsim CSV";
    let guarded = format!("{text}\n{END}");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(guarded.as_bytes());
    let mut rows = reader
        .records()
        .map(|r| {
            r.map(|rec| rec.iter().map(str::to_string).collect::<Vec<_>>())
                .map_err(|e| format!("bad CSV: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    match rows.pop() {
        Some(last) if last == [END] => Ok(rows),
        _ => Err("CSV ends inside a quoted field".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The record the `csv` crate's default writer produces (what this module wrote before).
    fn csv_crate(fields: &[&str]) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(fields).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn records_match_the_csv_crate() {
        let samples = [
            "",
            "plain",
            "a,b",
            "say \"hi\"",
            "\"",
            "\"\"",
            "line\nbreak",
            "cr\rhere",
            "\r\n",
            " spaced ",
            "#comment",
            "é ü 中",
            "1.5",
            "-0",
            "tab\there",
            "'single'",
            ";",
            ",",
        ];
        let mut records: Vec<Vec<&str>> = vec![vec![], vec![""], vec!["", ""], vec!["", "x"]];
        for a in samples {
            records.push(vec![a]);
            for b in samples {
                records.push(vec![a, b]);
                records.push(vec![b, "", a]);
            }
        }
        for fields in records {
            let mut ours = String::new();
            push_record(&mut ours, &fields);
            assert_eq!(ours, csv_crate(&fields), "{fields:?}");
            if let [one] = fields[..] {
                if !one.is_empty() {
                    assert_eq!(format!("{}\n", csv_field(one)), csv_crate(&fields));
                }
            }
        }
    }
}
