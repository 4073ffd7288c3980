//! Cache charts (the seeds' hit/miss scenario), under the seed report's names: the GET hit
//! rate per clients × working set, PUT and GET latency histograms, single node against
//! distributed, and throughput against the targets. The seeds' targets and reported figures
//! are drawn for comparison; they are not syncsim's measurements.

use plotters::coord::Shift;
use plotters::prelude::*;
use syncsim_core::bench::{BenchResult, OpStats, Suite};

use crate::common::{fmt_num, grouped_bars_with_refs, runs_by_nodes, titled, BarSeries, RefLine};

/// The seeds' targets for the cache (their performance analysis, "once fixed").
pub const PUT_TARGET_PER_S: f64 = 500.0;
pub const PUT_P95_TARGET_MS: f64 = 10.0;
pub const GET_TARGET_PER_S: f64 = 1000.0;
pub const GET_HIT_P95_TARGET_MS: f64 = 5.0;
pub const HIT_RATE_TARGET: f64 = 0.8;
/// The seeds' report at 100 clients and a 500-key working set.
pub const SEEDS_REQ_PER_S: f64 = 613.3;
pub const SEEDS_HIT_RATE: f64 = 0.873;
/// The seeds' single node against 3 nodes ("due to coherence").
pub fn seeds_hit_rate_at(nodes: usize) -> Option<f64> {
    match nodes {
        1 => Some(0.85),
        3 => Some(0.82),
        _ => None,
    }
}

/// Runs of the cache scenarios (they report a GET hit rate).
pub fn cache_runs(suite: &Suite) -> Vec<&BenchResult> {
    suite
        .runs
        .iter()
        .filter(|r| r.extra.contains_key("hit_rate"))
        .collect()
}

fn extra(r: &BenchResult, key: &str) -> f64 {
    r.extra.get(key).copied().unwrap_or(0.0)
}

fn op_value(r: &BenchResult, op: &str, f: fn(&OpStats) -> f64) -> f64 {
    r.op(op).map_or(0.0, f)
}

fn keys_word(w: f64) -> String {
    format!("{} keys", fmt_num(w))
}

/// The runs as a grid: categories are the (nodes, clients) pairs, series the working sets,
/// both in the suite's order; `value` fills the cells (0 where a pair lacks a working set).
/// (Not generic, like every helper here that sorts or loops: one copy in the page.)
fn grid(
    runs: &[&BenchResult],
    value: &dyn Fn(&BenchResult) -> f64,
) -> (Vec<String>, Vec<BarSeries>) {
    let mut pairs: Vec<(usize, f64)> = Vec::new();
    let mut sets: Vec<f64> = Vec::new();
    for r in runs {
        let pair = (r.nodes, extra(r, "clients"));
        if !pairs.contains(&pair) {
            pairs.push(pair);
        }
        if !sets.contains(&extra(r, "working_set")) {
            sets.push(extra(r, "working_set"));
        }
    }
    let several_sizes = pairs.iter().any(|p| p.0 != pairs[0].0);
    let cats = pairs
        .iter()
        .map(|&(n, c)| {
            let clients = format!("{} clients", fmt_num(c));
            if several_sizes {
                format!("{n} node{}, {clients}", if n == 1 { "" } else { "s" })
            } else {
                clients
            }
        })
        .collect();
    let series = sets
        .iter()
        .map(|&w| BarSeries {
            name: keys_word(w),
            values: pairs
                .iter()
                .map(|&(n, c)| {
                    runs.iter()
                        .find(|r| {
                            (r.nodes, extra(r, "clients"), extra(r, "working_set")) == (n, c, w)
                        })
                        .map_or(0.0, |r| value(r))
                })
                .collect(),
        })
        .collect();
    (cats, series)
}

fn x_desc(runs: &[&BenchResult]) -> String {
    let n = runs.first().map_or(0, |r| r.nodes);
    if runs.iter().all(|r| r.nodes == n) {
        format!(
            "closed-loop clients, on {n} node{}",
            if n == 1 { "" } else { "s" }
        )
    } else {
        "cluster and clients".into()
    }
}

fn seeds_hit_line() -> RefLine {
    RefLine {
        label: format!(
            "seeds' report: {}% (100 clients, 500 keys)",
            fmt_num(100.0 * SEEDS_HIT_RATE)
        ),
        value: 100.0 * SEEDS_HIT_RATE,
    }
}

fn hit_target_line() -> RefLine {
    RefLine {
        label: format!("target > {}%", fmt_num(100.0 * HIT_RATE_TARGET)),
        value: 100.0 * HIT_RATE_TARGET,
    }
}

/// GET hit rate (%) per clients × working set, against the target and the seeds' figure.
pub fn draw_cache_hit_rate<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let runs = cache_runs(suite);
    let (cats, series) = grid(&runs, &|r| 100.0 * extra(r, "hit_rate"));
    // Target, bound, seeds: each label then takes the end its neighbour leaves free.
    let mut refs = vec![hit_target_line()];
    refs.extend(bound_line(&runs));
    refs.push(seeds_hit_line());
    grouped_bars_with_refs(
        &body,
        "",
        &x_desc(&runs),
        "GETs served from the node's own cache (%)",
        &cats,
        &series,
        // Room above 100 % for the legend.
        Some(125.0),
        &refs,
    )
}

/// The coherence bound (`hit_rate_bound`), when every run shares one: the most any
/// write-invalidate protocol can hit on this mix, so the bars are read against it.
fn bound_line(runs: &[&BenchResult]) -> Option<RefLine> {
    let first = runs.first()?;
    let bound = *first.extra.get("hit_rate_bound")?;
    let same = runs
        .iter()
        .all(|r| r.extra.get("hit_rate_bound") == Some(&bound));
    let writes = first.extra.get("write_fraction").copied().unwrap_or(0.0);
    same.then(|| RefLine {
        label: format!(
            "coherence bound {}% ({} nodes, {}% PUTs)",
            fmt_num((1000.0 * bound).round() / 10.0),
            first.nodes,
            fmt_num(100.0 * writes)
        ),
        value: 100.0 * bound,
    })
}

/// The runs a latency histogram shows: all of them when few, else those with the most
/// clients (one per working set and cluster size), so that the bars stay readable.
fn histogram_runs<'a>(runs: &[&'a BenchResult]) -> Vec<&'a BenchResult> {
    if runs.len() <= 4 {
        return runs.to_vec();
    }
    let most = runs.iter().map(|r| extra(r, "clients")).fold(0.0, f64::max);
    runs.iter()
        .copied()
        .filter(|r| extra(r, "clients") == most)
        .collect()
}

/// The share of `op`'s requests per latency bucket: the buckets any run populated, one
/// series per run.
fn histogram_grid(
    runs: &[&BenchResult],
    op: &str,
    name: &dyn Fn(&BenchResult) -> String,
) -> (Vec<String>, Vec<BarSeries>) {
    let hists: Vec<&[(f64, u64)]> = runs
        .iter()
        .map(|r| r.op(op).map_or(&[][..], |o| o.histogram.as_slice()))
        .collect();
    let mut bounds: Vec<f64> = hists.iter().flat_map(|h| h.iter().map(|b| b.0)).collect();
    syncsim_core::base::sort::sort_by(&mut bounds, f64::total_cmp);
    bounds.dedup();
    let cats = bounds.iter().map(|b| format!("≤{}", fmt_num(*b))).collect();
    let series = runs
        .iter()
        .zip(&hists)
        .map(|(r, h)| {
            let total: u64 = h.iter().map(|b| b.1).sum();
            BarSeries {
                name: name(r),
                values: bounds
                    .iter()
                    .map(|b| {
                        let n = h.iter().find(|x| x.0 == *b).map_or(0, |x| x.1);
                        100.0 * n as f64 / total.max(1) as f64
                    })
                    .collect(),
            }
        })
        .collect();
    (cats, series)
}

fn histogram_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    (cats, series): (Vec<String>, Vec<BarSeries>),
) -> Result<(), String> {
    grouped_bars_with_refs(
        area,
        caption,
        "latency bucket, upper bound (ms)",
        "share of requests (%)",
        &cats,
        &series,
        Some(125.0),
        &[],
    )
}

/// PUT and GET latency histograms (share of requests per 1-2-5 bucket), with each run's p95
/// in the legend and the seeds' p95 targets in the captions.
pub fn draw_cache_latency_histograms<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    // One above the other: each panel gets the full width, so the bars keep their numbers.
    let panels = body.split_evenly((2, 1));
    let all = cache_runs(suite);
    let runs = histogram_runs(&all);
    // Name a run by what differs between the runs shown.
    let same_pair = runs
        .iter()
        .all(|r| (r.nodes, extra(r, "clients")) == (runs[0].nodes, extra(runs[0], "clients")));
    let who = |r: &BenchResult| {
        if same_pair {
            keys_word(extra(r, "working_set"))
        } else {
            r.label.clone()
        }
    };
    let clients = match runs.first() {
        Some(r) if same_pair => format!(", {} clients", fmt_num(extra(r, "clients"))),
        _ => String::new(),
    };
    let put_name = |r: &BenchResult| {
        let p95 = op_value(r, "put", |o| o.latency_ms.p95);
        format!("{}: p95 {} ms", who(r), fmt_num(p95))
    };
    histogram_panel(
        &panels[0],
        &format!(
            "PUT{clients} · target p95 < {} ms",
            fmt_num(PUT_P95_TARGET_MS)
        ),
        histogram_grid(&runs, "put", &put_name),
    )?;
    let get_name = |r: &BenchResult| {
        format!(
            "{}: hit p95 {} ms, miss p95 {} ms",
            who(r),
            fmt_num(extra(r, "get_hit_p95_ms")),
            fmt_num(extra(r, "get_miss_p95_ms"))
        )
    };
    histogram_panel(
        &panels[1],
        &format!(
            "GET{clients} · target hit p95 < {} ms",
            fmt_num(GET_HIT_P95_TARGET_MS)
        ),
        histogram_grid(&runs, "get", &get_name),
    )
}

/// The runs at the seeds' reported point (100 clients, 500 keys).
fn at_seeds_point<'a>(runs: &[&'a BenchResult]) -> Vec<&'a BenchResult> {
    runs.iter()
        .copied()
        .filter(|r| extra(r, "clients") == 100.0 && extra(r, "working_set") == 500.0)
        .collect()
}

/// PUT and GET requests per simulated second, per clients × working set, against the
/// targets; beside them, all requests at the seeds' reported point against their figure.
pub fn draw_cache_throughput<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let runs = cache_runs(suite);
    let seeds_point = at_seeds_point(&runs);
    let (w, _) = body.dim_in_pixel();
    let (main, side) = if seeds_point.is_empty() {
        (body, None)
    } else {
        // Room for the axis and about 65 px per bar label ("3 nodes", "seeds").
        let side_w = (100 + 65 * (seeds_point.len() as u32 + 1)).min(w / 2);
        let (a, b) = body.split_horizontally(w - side_w);
        (a, Some(b))
    };
    let panels = main.split_evenly((1, 2));
    let x = x_desc(&runs);
    for (panel, (name, op, target)) in panels.iter().zip([
        ("PUT", "put", PUT_TARGET_PER_S),
        ("GET", "get", GET_TARGET_PER_S),
    ]) {
        let (cats, series) = grid(&runs, &|r| op_value(r, op, |o| o.throughput_per_s));
        let refs = [RefLine {
            label: format!("target > {}", fmt_num(target)),
            value: target,
        }];
        let y = format!("{name} requests / simulated s");
        grouped_bars_with_refs(panel, name, &x, &y, &cats, &series, None, &refs)?;
    }
    let Some(side) = side else { return Ok(()) };
    let mut cats: Vec<String> = seeds_point
        .iter()
        .map(|r| format!("{} node{}", r.nodes, if r.nodes == 1 { "" } else { "s" }))
        .collect();
    cats.push("seeds".into());
    let mut values: Vec<f64> = seeds_point
        .iter()
        .map(|r| r.overall.throughput_per_s)
        .collect();
    values.push(SEEDS_REQ_PER_S);
    let all = BarSeries {
        name: "all requests".into(),
        values,
    };
    grouped_bars_with_refs(
        &side,
        "100 clients, 500 keys",
        "",
        "all requests / simulated s",
        &cats,
        &[all],
        None,
        &[],
    )
}

/// One node against several: throughput, GET hit rate (beside the seeds' 85 % / 82 %) and
/// p95 latency, each against the seeds' targets.
pub fn draw_cache_single_vs_distributed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let panels = body.split_evenly((1, 3));
    let runs: Vec<&BenchResult> = runs_by_nodes(suite)
        .into_iter()
        .filter(|r| r.extra.contains_key("hit_rate"))
        .collect();
    let cats: Vec<String> = runs
        .iter()
        .map(|r| format!("{} node{}", r.nodes, if r.nodes == 1 { "" } else { "s" }))
        .collect();
    let series = |name: &str, f: &dyn Fn(&BenchResult) -> f64| BarSeries {
        name: name.into(),
        values: runs.iter().map(|r| f(r)).collect(),
    };
    let thr = |op: &'static str| move |r: &BenchResult| op_value(r, op, |o| o.throughput_per_s);
    grouped_bars_with_refs(
        &panels[0],
        "Throughput",
        "",
        "requests / simulated s",
        &cats,
        &[series("PUT", &thr("put")), series("GET", &thr("get"))],
        None,
        &[
            RefLine {
                label: format!("PUT > {}", fmt_num(PUT_TARGET_PER_S)),
                value: PUT_TARGET_PER_S,
            },
            RefLine {
                label: format!("GET > {}", fmt_num(GET_TARGET_PER_S)),
                value: GET_TARGET_PER_S,
            },
        ],
    )?;
    let mut hit = vec![series("syncsim", &|r| 100.0 * extra(r, "hit_rate"))];
    if runs.iter().all(|r| seeds_hit_rate_at(r.nodes).is_some()) {
        hit.push(series("seeds' report", &|r| {
            100.0 * seeds_hit_rate_at(r.nodes).unwrap_or(0.0)
        }));
    }
    grouped_bars_with_refs(
        &panels[1],
        "GET hit rate",
        "",
        "hits (%)",
        &cats,
        &hit,
        Some(125.0),
        &[hit_target_line()],
    )?;
    grouped_bars_with_refs(
        &panels[2],
        "p95 latency",
        "",
        "latency (ms)",
        &cats,
        &[
            series("PUT", &|r| op_value(r, "put", |o| o.latency_ms.p95)),
            series("GET hit", &|r| extra(r, "get_hit_p95_ms")),
            series("GET miss", &|r| extra(r, "get_miss_p95_ms")),
        ],
        None,
        &[
            RefLine {
                label: format!("PUT < {} ms", fmt_num(PUT_P95_TARGET_MS)),
                value: PUT_P95_TARGET_MS,
            },
            RefLine {
                label: format!("hit < {} ms", fmt_num(GET_HIT_P95_TARGET_MS)),
                value: GET_HIT_P95_TARGET_MS,
            },
        ],
    )
}
