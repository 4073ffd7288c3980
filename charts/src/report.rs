//! The seeds' report (issue 14) as charts and as one self-contained HTML page. Which suite of
//! a [`Report`] each chart draws is decided here, once, for the page and the CLI alike. The
//! first eight files are the seed report's appendix A.2, with its exact names.

use std::fmt::Write as _;

use syncsim_core::bench::{BenchResult, Suite};
use syncsim_core::report::Report;

/// One chart file of the report: its name, the chart (an id of [`crate::CHARTS`]) and the
/// report section it draws (`None`: the headline runs of the three primitives together, or for
/// the offered-load chart their open-loop sections).
#[derive(Clone, Copy, Debug)]
pub struct ReportChart {
    pub file: &'static str,
    pub chart: &'static str,
    pub section: Option<&'static str>,
    pub caption: &'static str,
}

const fn rc(
    file: &'static str,
    chart: &'static str,
    section: Option<&'static str>,
    caption: &'static str,
) -> ReportChart {
    ReportChart {
        file,
        chart,
        section,
        caption,
    }
}

pub const REPORT_CHARTS: &[ReportChart] = &[
    rc(
        "locks_latency_histogram",
        "locks_latency_histogram",
        Some("quick-locks"),
        "Quick run: latency of 50 lock acquire/release pairs on 3 nodes.",
    ),
    rc(
        "locks_summary_bar",
        "locks_summary_bar",
        Some("lock-contention"),
        "Lock contention at 10, 50 and 100 clients: success rate and throughput.",
    ),
    rc(
        "cache_hit_rate",
        "cache_hit_rate",
        Some("cache-hit-miss"),
        "Cache GET hit rate per clients and working set, 1000-entry MESI caches on 3 nodes.",
    ),
    rc(
        "cache_latency_histograms",
        "cache_latency_histograms",
        Some("cache-hit-miss"),
        "Cache PUT and GET latency distributions.",
    ),
    rc(
        "cache_single_vs_distributed",
        "cache_single_vs_distributed",
        Some("cache-single-vs-distributed"),
        "Cache on 1 node against 3 nodes (100 clients, 500 keys).",
    ),
    rc(
        "locks_single_vs_distributed",
        "locks_single_vs_distributed",
        Some("locks-single-vs-distributed"),
        "Locks on 1 node against 3 nodes.",
    ),
    rc(
        "latency_percentiles_comparison",
        "latency_percentiles_comparison",
        None,
        "p50/p95/p99 per primitive, in the runs the targets are read from.",
    ),
    rc(
        "throughput_comparison",
        "throughput_comparison",
        None,
        "Throughput per primitive, in the runs the targets are read from.",
    ),
    rc(
        "queue_single_vs_distributed",
        "locks_single_vs_distributed",
        Some("queue-single-vs-distributed"),
        "Queue on 1 node against 3 nodes (10 producers + 10 consumers).",
    ),
    rc(
        "queue_throughput",
        "queue_throughput",
        Some("queue-throughput"),
        "Queue throughput at 5, 10 and 20 producers (as many consumers).",
    ),
    rc(
        "node_failure_timeline",
        "throughput_latency_over_time",
        Some("node-failure"),
        "Node failure: n2 stops at t = 30 s (shaded); lock throughput and latency per second.",
    ),
    rc(
        "queue_node_failure_timeline",
        "throughput_latency_over_time",
        Some("queue-node-failure"),
        "Node failure (queue): n2 stops at t = 30 s (shaded); enqueue, dequeue and ack \
         throughput and latency per second, while the partition groups it led re-elect.",
    ),
    rc(
        "cache_node_failure_timeline",
        "throughput_latency_over_time",
        Some("cache-node-failure"),
        "Node failure (cache): n2 stops at t = 30 s (shaded); GET and PUT throughput and latency \
         per second. The keys it is home to, and the lines it held, stay unavailable: the cache \
         has no failover.",
    ),
    rc(
        "scaling",
        "scaling",
        Some("scaling"),
        "Lock throughput and latency on 1, 2, 3, 5 and 10 nodes.",
    ),
    rc(
        "latency_vs_offered_load",
        "latency_vs_offered_load",
        None,
        "Open loop on 3 nodes: p50 (dashed) and p95 latency against the offered load (Poisson \
         arrivals, latency counted from each arrival). Lock acquires (50 clients, 5 contended \
         resources), queue enqueues (40 producers), cache GETs and PUTs (20 clients, 500 keys); \
         the knee is each primitive's capacity.",
    ),
];

/// The open-loop sections the offered-load chart draws together.
const OFFERED_LOAD_SECTIONS: &[&str] = &[
    "offered-load-locks",
    "offered-load-queue",
    "offered-load-cache",
];

/// The node-failure section of each primitive, and its name in the report.
const NODE_FAILURE_SECTIONS: &[(&str, &str)] = &[
    ("node-failure", "locks"),
    ("queue-node-failure", "queue"),
    ("cache-node-failure", "cache"),
];

/// The op kinds the headline comparison shows, per primitive.
const HEADLINE: &[(&str, &str, &[&str])] = &[
    ("lock-contention", "locks", &["acquire", "release"]),
    ("queue-throughput", "queue", &["enqueue", "dequeue"]),
    ("cache-hit-miss", "cache", &["put", "get"]),
];

/// The run of `section` a target row named as its source (so the comparison charts show
/// exactly the runs the table reads).
fn source_run<'a>(report: &'a Report, section: &str) -> Option<&'a BenchResult> {
    let source = report
        .targets
        .iter()
        .find(|t| t.source.starts_with(section))?;
    let label = source
        .source
        .strip_prefix(section)?
        .trim_start_matches(", ");
    report
        .section(section)?
        .runs
        .iter()
        .find(|r| r.label == label)
}

/// The suite chart `c` draws, if its runs are in the report.
pub fn chart_suite(report: &Report, c: &ReportChart) -> Option<Suite> {
    let suite = match c.section {
        Some(id) => report.section(id)?.clone(),
        None if c.chart == "latency_vs_offered_load" => Suite {
            name: "open loop".into(),
            runs: OFFERED_LOAD_SECTIONS
                .iter()
                .filter_map(|id| report.section(id))
                .flat_map(|s| s.runs.iter().cloned())
                .collect(),
        },
        None => Suite {
            name: "headline".into(),
            runs: HEADLINE
                .iter()
                .filter_map(|(section, name, ops)| {
                    let mut run = source_run(report, section)?.clone();
                    run.label = (*name).to_string();
                    run.ops.retain(|o| ops.contains(&o.op.as_str()));
                    Some(run)
                })
                .collect(),
        },
    };
    (!suite.runs.is_empty()).then_some(suite)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn num(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// The report as one HTML page with every chart's SVG inline (`svgs`: file name and SVG), no
/// external asset, printable. `wall` is the wall-time line of the machine that ran it.
pub fn report_html(report: &Report, svgs: &[(String, String)], wall: &str) -> String {
    let m = &report.meta;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>syncsim: the seeds' report, seed {seed}</title><style>\
         body{{font:14px/1.4 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}}\
         table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left}}\
         tr[data-pass=true] td.v{{background:#e3f6e3}}tr[data-pass=false] td.v{{background:#fbe2e2}}\
         figure{{margin:1.5em 0;page-break-inside:avoid}}figure svg{{max-width:100%;height:auto}}\
         @media print{{body{{margin:0}}}}</style></head><body>\n\
         <h1>The seeds' report, reproduced by syncsim</h1>\n<ul>\
         <li>seed: {seed}</li><li>syncsim: {ver}</li><li>network profile: {net}</li>\
         <li>CPU model: {cpu}</li><li>{wall}</li></ul>\n<p>{note}</p>\n",
        seed = m.seed,
        ver = esc(&m.syncsim_version),
        net = esc(&m.network_profile),
        cpu = esc(&m.cpu_model),
        wall = esc(wall),
        note = esc(&m.note),
    );
    h.push_str(
        "<h2>Targets</h2>\n<table><tr><th>primitive</th><th>metric</th><th>seeds reported</th>\
         <th>seeds' target</th><th>syncsim</th><th>pass</th><th>syncsim's run</th></tr>\n",
    );
    for t in &report.targets {
        let value = t
            .syncsim
            .map_or("–".to_string(), |v| format!("{} {}", num(v), t.unit));
        let _ = writeln!(
            h,
            "<tr data-target=\"{}\" data-pass=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"v\">{}</td><td>{}</td><td>{}{}</td></tr>",
            esc(&t.id),
            t.pass,
            esc(&t.primitive),
            esc(&t.metric),
            esc(&t.seeds_reported),
            esc(&t.target),
            esc(&value),
            if t.pass { "pass" } else { "FAIL" },
            esc(&t.source),
            if t.note.is_empty() {
                String::new()
            } else {
                format!("<br><small>{}</small>", esc(&t.note))
            },
        );
    }
    h.push_str("</table>\n");
    node_failure_html(&mut h, report);
    offered_load_html(&mut h, report);
    if !report.errors.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Sections that did not run</h2><pre>{}</pre>",
            esc(&report.errors.join("\n"))
        );
    }
    h.push_str("<h2>Charts</h2>\n");
    for (file, svg) in svgs {
        let caption = REPORT_CHARTS
            .iter()
            .find(|c| c.file == file)
            .map_or("", |c| c.caption);
        let _ = writeln!(
            h,
            "<figure data-chart=\"{}\">{svg}<figcaption>{}: {}</figcaption></figure>",
            esc(file),
            esc(file),
            esc(caption)
        );
    }
    h.push_str("</body></html>\n");
    h
}

/// The node-failure sections of the three primitives, as one table: what the fault did
/// (`failover` of each section's run) beside the seeds' figures for the locks.
fn node_failure_html(h: &mut String, report: &Report) {
    let rows: Vec<(&str, &BenchResult)> = NODE_FAILURE_SECTIONS
        .iter()
        .filter_map(|(id, name)| Some((*name, report.section(id)?.runs.first()?)))
        .filter(|(_, run)| run.failover.is_some())
        .collect();
    if rows.is_empty() {
        return;
    }
    h.push_str(
        "<h2>Node failure</h2>\n<table><tr><th>primitive</th><th>fault</th><th>election</th>\
         <th>recovery</th><th>throughput before → after (ops/s)</th><th>failed ops</th></tr>\n",
    );
    let ms = |v: Option<f64>| v.map_or("none".to_string(), |v| format!("{} ms", num(v)));
    for (name, run) in rows {
        let Some(f) = &run.failover else { continue };
        let fault = run.faults.first().map_or("", |i| i.label.as_str());
        let _ = writeln!(
            h,
            "<tr data-node-failure=\"{name}\"><td>{name}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{} → {}</td><td>{}</td></tr>",
            esc(fault),
            ms(f.election_ms),
            ms(f.recovery_ms),
            num(f.throughput_before),
            num(f.throughput_after),
            run.overall.failed,
        );
    }
    h.push_str(
        "</table>\n<p>Election: until every Raft group the dead node led has a new leader (the \
         queue runs one group per partition; the cache has none). Recovery: until throughput \
         over one second is back to 90% of its level before the fault; none if it never is. \
         The seeds (locks): election about 4 s, recovery about 12 s, 400 → 280 ops/s.</p>\n",
    );
}

/// The open-loop sections as one table: per primitive and offered load, what was served and
/// the p50/p95 latency of its requests (the figures of `latency_vs_offered_load`).
fn offered_load_html(h: &mut String, report: &Report) {
    const OPS: &[&str] = &["acquire", "enqueue", "get", "put"];
    let mut rows = String::new();
    for id in OFFERED_LOAD_SECTIONS {
        let Some(suite) = report.section(id) else {
            continue;
        };
        for run in &suite.runs {
            let Some(rate) = run.extra.get("offered_rate") else {
                continue;
            };
            for o in run.ops.iter().filter(|o| OPS.contains(&o.op.as_str())) {
                let _ = writeln!(
                    rows,
                    "<tr data-offered=\"{id}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                     <td>{} ms</td><td>{} ms</td></tr>",
                    esc(&run.scenario),
                    esc(&o.op),
                    num(*rate),
                    num(o.throughput_per_s),
                    num(o.latency_ms.p50),
                    num(o.latency_ms.p95),
                );
            }
        }
    }
    if rows.is_empty() {
        return;
    }
    h.push_str(
        "<h2>Latency against offered load</h2>\n<p>Open loop: requests arrive on a Poisson \
         schedule at the offered load (over all clients) whether or not earlier ones were \
         answered, and latency counts from each arrival. Below capacity the served rate matches \
         the offered one and latency stays on its floor; past the knee the served rate stops \
         growing and latency climbs. Offered and served rates are per operation kind for the \
         cache (the offered load is GETs and PUTs together).</p>\n<table><tr><th>scenario</th>\
         <th>operation</th><th>offered (ops/s)</th><th>served (ops/s)</th><th>p50</th>\
         <th>p95</th></tr>\n",
    );
    h.push_str(&rows);
    h.push_str("</table>\n");
}

/// Every file of the report but the PNGs, as `(name, bytes)`: `results.json`, the CSVs, each
/// chart's SVG (drawn by `svg`, which the caller builds on its own SVG backend) and
/// `report.html`. Charts that cannot be drawn are listed in the HTML and left out.
pub fn report_files(
    report: &Report,
    svg: impl Fn(&ReportChart, &Suite) -> Result<String, String>,
    wall: &str,
) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("results.json".to_string(), report.to_json().into_bytes()),
        ("results.csv".to_string(), report.results_csv().into_bytes()),
        ("targets.csv".to_string(), report.targets_csv().into_bytes()),
    ];
    let mut svgs = Vec::new();
    let mut failed = Vec::new();
    for c in REPORT_CHARTS {
        match chart_suite(report, c).ok_or_else(|| "its runs are missing".to_string()) {
            Ok(suite) => match svg(c, &suite) {
                Ok(text) => svgs.push((c.file.to_string(), text)),
                Err(e) => failed.push(format!("{}: {e}", c.file)),
            },
            Err(e) => failed.push(format!("{}: {e}", c.file)),
        }
    }
    let mut html = report_html(report, &svgs, wall);
    if !failed.is_empty() {
        let note = format!(
            "<p>Charts not drawn: {}</p></body>",
            esc(&failed.join("; "))
        );
        html = html.replace("</body>", &note);
    }
    for (name, text) in svgs {
        files.push((format!("{name}.svg"), text.into_bytes()));
    }
    files.push(("report.html".to_string(), html.into_bytes()));
    files
}

#[cfg(test)]
mod tests {
    use plotters::prelude::*;
    use syncsim_core::report::ReportRun;

    use super::*;

    /// A report of the three quick sections only: the charts of missing sections are listed as
    /// not drawn, the others are inline in the HTML, and every target has a row.
    #[test]
    fn partial_report_files_have_inline_charts_and_every_target_row() {
        let mut run = ReportRun::new(2);
        while run.progress().finished < 3 {
            run.step_chunk(50_000);
        }
        let report = run.finish();
        let files = report_files(
            &report,
            |c, suite| {
                let mut svg = String::new();
                {
                    let root = SVGBackend::with_string(&mut svg, (400, 300)).into_drawing_area();
                    crate::draw_chart(c.chart, &root, suite)?;
                    root.present().map_err(|e| e.to_string())?;
                }
                Ok(svg)
            },
            "wall time: test",
        );
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert!(names.contains(&"locks_latency_histogram.svg"), "{names:?}");
        assert!(!names.contains(&"cache_hit_rate.svg"), "{names:?}");
        let html = String::from_utf8(files.last().unwrap().1.clone()).unwrap();
        assert!(html.contains("<figure data-chart=\"locks_latency_histogram\"><svg"));
        assert!(html.contains("Charts not drawn: "));
        assert_eq!(
            html.matches("<tr data-target=").count(),
            report.targets.len()
        );
        assert!(!html.contains("src=\"http"), "no external assets");
    }
}
