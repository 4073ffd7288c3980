//! Every chart renders to well-formed SVG with its title, for single- and multi-run suites.

use syncsim_core::base::sorted::SortedMap;

use plotters::prelude::*;
use syncsim_core::bench::{BenchResult, FaultInterval, Recorder, Suite};
use syncsim_core::sim::{MS, SEC};

use super::*;

/// A run recorded through the real `Recorder`: `rate` acquire/release pairs per second for
/// `secs` seconds, slower and partly failing while a fault is active in [10 s, 13 s).
fn run(label: &str, nodes: usize, rate: u64, secs: u64) -> BenchResult {
    let mut r = Recorder::new(0);
    for i in 0..rate * secs {
        let start = i * SEC / rate;
        let faulty = (10 * SEC..13 * SEC).contains(&start);
        let lat = if faulty {
            400 * MS
        } else {
            (2 + i % 17 + nodes as u64) * MS
        };
        let outcome = if faulty && i % 3 == 0 {
            Err("timeout")
        } else {
            Ok(())
        };
        r.record("acquire", start, start + lat, outcome);
        r.record("release", start + lat, start + lat + lat / 2, Ok(()));
    }
    let (ops, overall) = r.op_stats(secs as f64);
    BenchResult {
        scenario: "test".into(),
        label: label.into(),
        params: Default::default(),
        seed: 1,
        nodes,
        duration_s: secs as f64,
        ops,
        overall,
        series: r.series(secs as f64),
        faults: vec![FaultInterval {
            start_s: 10.0,
            end_s: 13.0,
            label: "n2 stopped".into(),
        }],
        failover: None,
        extra: SortedMap::new(),
        wall_ms: None,
    }
}

fn single() -> Suite {
    Suite {
        name: "node-failure".into(),
        runs: vec![run("3 nodes", 3, 20, 30)],
    }
}

fn scaling() -> Suite {
    let runs = [1, 2, 3, 5, 10]
        .iter()
        .map(|&n| run(&format!("{n} nodes"), n, 40 / n as u64 + 5, 20))
        .collect();
    Suite {
        name: "scaling".into(),
        runs,
    }
}

fn render(id: &str, suite: &Suite) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, DEFAULT_SIZE).into_drawing_area();
        draw_chart(id, &root, suite)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Minimal XML well-formedness: every start tag is closed in order, nothing dangles.
fn check_balanced(svg: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>').ok_or("unterminated tag")?;
        let tag = &after[..close];
        rest = &after[close + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let top = stack
                .pop()
                .ok_or(format!("</{name}> without an open tag"))?;
            if top != name.trim() {
                return Err(format!("</{name}> closes <{top}>"));
            }
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().ok_or("empty tag")?;
            stack.push(name.to_string());
        }
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed tags: {stack:?}"))
    }
}

#[test]
fn the_balance_check_can_fail() {
    assert!(check_balanced("<svg><g></svg>").is_err());
    assert!(check_balanced("<svg><text>a</text>").is_err());
    assert!(check_balanced("<svg><rect x=\"1\"/><text>a</text></svg>").is_ok());
}

#[test]
fn every_chart_renders_well_formed_svg_with_its_title() {
    for suite in [single(), scaling()] {
        for spec in CHARTS {
            if !(spec.available)(&suite) {
                continue;
            }
            let svg = render(spec.id, &suite).unwrap_or_else(|e| panic!("{}: {e}", spec.id));
            check_balanced(&svg).unwrap_or_else(|e| panic!("{} on {}: {e}", spec.id, suite.name));
            assert!(svg.starts_with("<svg"), "{}", spec.id);
            assert!(svg.contains(spec.title), "{} lacks its title", spec.id);
            assert!(
                svg.contains(&suite.name),
                "{} lacks the suite name",
                spec.id
            );
            assert!(
                svg.matches("<text").count() >= 8,
                "{} has too few labels",
                spec.id
            );
        }
    }
}

#[test]
fn availability_matches_the_suite_shape() {
    let single = single();
    let scaling = scaling();
    let avail = |id: &str, s: &Suite| (chart(id).unwrap().available)(s);
    assert!(!avail("scaling", &single));
    assert!(avail("scaling", &scaling));
    assert!(!avail("locks_single_vs_distributed", &single));
    assert!(avail("locks_single_vs_distributed", &scaling));
    assert!(avail("throughput_latency_over_time", &single));
    // Every chart but the queue's drawn on the scaling suite, including the single-run ones.
    let drawn = CHARTS.iter().filter(|c| (c.available)(&scaling)).count();
    assert_eq!(
        drawn,
        CHARTS.len() - QUEUE_CHARTS.len() - CACHE_CHARTS.len() - OPEN_LOOP_CHARTS.len()
    );
    for id in QUEUE_CHARTS
        .iter()
        .chain(&CACHE_CHARTS)
        .chain(&OPEN_LOOP_CHARTS)
    {
        assert!(!avail(id, &scaling), "{id} on a lock suite");
    }
}

/// The queue-throughput and ring-quality charts (drawn only for their own scenarios).
const QUEUE_CHARTS: [&str; 5] = [
    "queue_throughput",
    "queue_latency",
    "queue_depth_loss",
    "ring_balance",
    "ring_moved",
];

/// The charts of open-loop runs (drawn only when a run has an offered load).
const OPEN_LOOP_CHARTS: [&str; 1] = ["latency_vs_offered_load"];

/// The cache hit/miss charts (drawn only for the cache scenarios).
const CACHE_CHARTS: [&str; 4] = [
    "cache_hit_rate",
    "cache_latency_histograms",
    "cache_throughput",
    "cache_single_vs_distributed",
];

/// A real (short) cache suite: `nodes` × 100 clients × working sets of 100 and 500 keys.
fn cache_suite(nodes: &str) -> Suite {
    use syncsim_core::bench::{run_suite, ScenarioKind, ScenarioParams};
    let mut p = ScenarioParams::defaults(ScenarioKind::CacheHitMiss);
    p.set("nodes", nodes).unwrap();
    p.set("clients", "100").unwrap();
    p.set("working-sets", "100,500").unwrap();
    p.set("duration", "1").unwrap();
    run_suite(p).unwrap()
}

/// `label` in the SVG, whose text may have `>`, `<` and `'` escaped.
fn has_text(svg: &str, label: &str) -> bool {
    let escaped = label
        .replace('>', "&gt;")
        .replace('<', "&lt;")
        .replace('\'', "&apos;");
    svg.contains(label) || svg.contains(&escaped)
}

#[test]
fn cache_charts_draw_real_cache_suites_with_the_seeds_figures() {
    let grid = cache_suite("3");
    let both = cache_suite("1,3");
    let avail = |id: &str, s: &Suite| (chart(id).unwrap().available)(s);
    for id in &CACHE_CHARTS[..3] {
        assert!(
            avail(id, &grid) && avail(id, &both) && !avail(id, &single()),
            "{id}"
        );
    }
    assert!(!avail("cache_single_vs_distributed", &grid));
    assert!(avail("cache_single_vs_distributed", &both));
    assert!(
        !avail("locks_single_vs_distributed", &both),
        "the cache has its own"
    );
    for suite in [&grid, &both] {
        for spec in CHARTS.iter().filter(|c| (c.available)(suite)) {
            let svg = render(spec.id, suite).unwrap_or_else(|e| panic!("{}: {e}", spec.id));
            check_balanced(&svg).unwrap_or_else(|e| panic!("{}: {e}", spec.id));
        }
    }
    let svg = render("cache_hit_rate", &grid).unwrap();
    for label in [
        "target > 80%",
        "seeds' report: 87.3% (100 clients, 500 keys)",
        "100 keys",
        "500 keys",
        "100 clients",
    ] {
        assert!(has_text(&svg, label), "hit-rate chart lacks {label}");
    }
    let svg = render("cache_latency_histograms", &grid).unwrap();
    for label in [
        "PUT, 100 clients · target p95 < 10 ms",
        "target hit p95 < 5 ms",
        "miss p95",
    ] {
        assert!(has_text(&svg, label), "latency chart lacks {label}");
    }
    let svg = render("cache_throughput", &grid).unwrap();
    for label in [
        "target > 500",
        "target > 1000",
        "613",
        "100 clients, 500 keys",
    ] {
        assert!(has_text(&svg, label), "throughput chart lacks {label}");
    }
    let svg = render("cache_single_vs_distributed", &both).unwrap();
    for label in [
        "1 node",
        "3 nodes",
        "seeds' report",
        "PUT < 10 ms",
        "hit < 5 ms",
        "target > 80%",
    ] {
        assert!(
            has_text(&svg, label),
            "single-vs-distributed chart lacks {label}"
        );
    }
    // The measured hit rates are drawn: 100 on one node (nothing invalidates its copies).
    let one = both.runs.iter().find(|r| r.nodes == 1).unwrap();
    assert_eq!(one.extra["hit_rate"], 1.0);
    assert!(svg.contains(">100<") || svg.contains(">\n100\n<") || svg.contains("100\n</text>"));
}

fn queue_suite() -> Suite {
    use syncsim_core::bench::{run_suite, ScenarioKind, ScenarioParams};
    let mut p = ScenarioParams::defaults(ScenarioKind::QueueThroughput);
    p.set("clients", "2,10").unwrap();
    p.set("duration", "2").unwrap();
    p.set("message-bytes", "64").unwrap();
    run_suite(p).unwrap()
}

fn ring_suite() -> Suite {
    use syncsim_core::bench::{run_suite, ScenarioKind, ScenarioParams};
    let mut p = ScenarioParams::defaults(ScenarioKind::RingQuality);
    p.set("ring-keys", "5000").unwrap();
    p.set("nodes", "5,10").unwrap();
    run_suite(p).unwrap()
}

#[test]
fn queue_charts_draw_real_queue_and_ring_suites() {
    let queue = queue_suite();
    let ring = ring_suite();
    let avail = |id: &str, s: &Suite| (chart(id).unwrap().available)(s);
    for id in &QUEUE_CHARTS[..3] {
        assert!(
            avail(id, &queue) && !avail(id, &ring),
            "{id}: {:?}",
            queue
                .runs
                .iter()
                .map(|r| (&r.ops, &r.extra))
                .collect::<Vec<_>>()
        );
    }
    for id in &QUEUE_CHARTS[3..] {
        assert!(avail(id, &ring) && !avail(id, &queue), "{id}");
    }
    // The ring table has no operations: the lock charts stay away from it.
    let ring_charts: Vec<&str> = CHARTS
        .iter()
        .filter(|c| (c.available)(&ring))
        .map(|c| c.id)
        .collect();
    assert_eq!(ring_charts, ["ring_balance", "ring_moved"]);
    for (suite, ids) in [(&queue, &QUEUE_CHARTS[..3]), (&ring, &QUEUE_CHARTS[3..])] {
        for id in ids {
            let svg = render(id, suite).unwrap_or_else(|e| panic!("{id}: {e}"));
            check_balanced(&svg).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert!(svg.contains(chart(id).unwrap().title), "{id}");
        }
    }
    let svg = render("queue_throughput", &queue).unwrap();
    for label in [
        "target: enqueue > 1000 msg/s",
        "target: dequeue > 800 msg/s",
    ] {
        // The legend text may be written with `>` escaped.
        let escaped = label.replace('>', "&gt;");
        assert!(
            svg.contains(label) || svg.contains(&escaped),
            "throughput chart lacks {label}"
        );
    }
    assert!(
        svg.contains("10 + 10 (seeds: 260 msg/s)"),
        "the seeds' figure"
    );
    let svg = render("queue_latency", &queue).unwrap();
    assert!(svg.contains("target: enqueue p95 &lt; 20 ms") || svg.contains("p95 < 20 ms"));
    assert!(svg.contains("dequeue p95"));
    let svg = render("queue_depth_loss", &queue).unwrap();
    assert!(svg.contains("lost") && svg.contains("duplicates") && svg.contains("Peak depth"));
    let svg = render("ring_moved", &ring).unwrap();
    assert!(svg.contains("ideal join 1/(N+1) = 9.09%"), "N = 10");
    assert!(svg.contains("ideal leave 1/N = 20%"), "N = 5");
    assert!(svg.contains("V=200") && svg.contains("modulo join"));
    let svg = render("ring_balance", &ring).unwrap();
    assert!(svg.contains("10 nodes") && svg.contains("perfect balance"));
}

#[test]
fn charts_show_the_data_they_are_given() {
    let suite = single();
    let svg = render("throughput_latency_over_time", &suite).unwrap();
    assert!(svg.contains("n2 stopped"), "fault label shown");
    assert!(svg.contains("simulated time (s)"));
    let svg = render("latency_percentiles_comparison", &suite).unwrap();
    for label in ["acquire", "release", "p50", "p95", "p99", "latency (ms)"] {
        assert!(svg.contains(label), "percentiles chart lacks {label}");
    }
    let svg = render("scaling", &scaling()).unwrap();
    assert!(svg.contains("nodes in the cluster"));
    assert!(svg.contains(">\n10\n</text>") || svg.contains(">10\n</text>") || svg.contains(">10<"));
}

#[test]
fn bad_requests_are_errors_not_panics() {
    let e = render("no_such_chart", &single()).unwrap_err();
    assert!(e.contains("unknown chart") && e.contains("scaling"), "{e}");
    let empty = Suite {
        name: "empty".into(),
        runs: vec![],
    };
    assert!(render("scaling", &empty).unwrap_err().contains("no runs"));
    // A run with no operations still draws (empty axes), it does not panic.
    let mut idle = single();
    idle.runs[0] = run("idle", 3, 0, 5);
    for spec in CHARTS {
        render(spec.id, &idle).unwrap_or_else(|e| panic!("{}: {e}", spec.id));
    }
}

/// Writes every chart of the sample suites to `$SYNCSIM_CHART_PREVIEW` (a directory) for a
/// visual check; does nothing when the variable is unset.
#[test]
fn preview_when_asked() {
    let Ok(dir) = std::env::var("SYNCSIM_CHART_PREVIEW") else {
        return;
    };
    for suite in [
        single(),
        scaling(),
        queue_suite(),
        ring_suite(),
        cache_suite("1,3"),
    ] {
        for spec in CHARTS.iter().filter(|c| (c.available)(&suite)) {
            let svg = render(spec.id, &suite).unwrap();
            std::fs::write(format!("{dir}/{}-{}.svg", suite.name, spec.id), svg).unwrap();
        }
    }
}

#[test]
fn charts_draw_a_real_node_failure_suite() {
    use syncsim_core::bench::{run_suite, ScenarioKind, ScenarioParams};
    let mut p = ScenarioParams::defaults(ScenarioKind::NodeFailure);
    p.set("duration", "6").unwrap();
    p.set("fault-at", "2").unwrap();
    let suite = run_suite(p).unwrap();
    let mut drawn = 0;
    for spec in CHARTS.iter().filter(|c| (c.available)(&suite)) {
        let svg = render(spec.id, &suite).unwrap_or_else(|e| panic!("{}: {e}", spec.id));
        check_balanced(&svg).unwrap();
        drawn += 1;
    }
    // One closed-loop 3-node lock run: everything but the multi-size, the queue, the cache
    // and the open-loop charts.
    assert_eq!(
        drawn,
        CHARTS.len() - 2 - QUEUE_CHARTS.len() - CACHE_CHARTS.len() - OPEN_LOOP_CHARTS.len()
    );
    let svg = render("throughput_latency_over_time", &suite).unwrap();
    assert!(svg.contains("n2 crashed"), "the fault is labelled");
}

/// The queue's and the cache's node-failure runs draw the time chart with the fault shaded
/// and labelled, as the locks' does.
#[test]
fn the_time_chart_shades_the_queue_and_cache_node_failures() {
    use syncsim_core::bench::{run_suite, ScenarioKind, ScenarioParams};
    for (kind, label) in [
        (ScenarioKind::QueueNodeFailure, "n2 crashed (led "),
        (ScenarioKind::CacheNodeFailure, "n2 crashed"),
    ] {
        let mut p = ScenarioParams::defaults(kind);
        p.set("clients", "2").unwrap();
        p.set("duration", "4").unwrap();
        p.set("fault-at", "2").unwrap();
        let suite = run_suite(p).unwrap();
        assert_eq!(suite.runs[0].faults.len(), 1, "{kind:?}");
        let svg = render("throughput_latency_over_time", &suite).unwrap();
        check_balanced(&svg).unwrap();
        assert!(svg.contains(label), "{kind:?}: the fault is labelled");
    }
}

#[test]
fn the_offered_load_chart_draws_one_panel_per_primitive_with_its_knee() {
    use syncsim_core::bench::{run_suite, ScenarioKind, ScenarioParams};
    let open = |kind, clients: &str, rates: &str| {
        let mut p = ScenarioParams::defaults(kind);
        for (k, v) in [
            ("nodes", "3"),
            ("clients", clients),
            ("duration", "1"),
            ("offered-rates", rates),
        ] {
            p.set(k, v).unwrap();
        }
        if kind == ScenarioKind::CacheHitMiss {
            p.set("working-sets", "100").unwrap();
        }
        run_suite(p).unwrap()
    };
    let locks = open(ScenarioKind::LockContention, "8", "40,80");
    let cache = open(ScenarioKind::CacheHitMiss, "4", "200,400");
    let avail = |s: &Suite| (chart("latency_vs_offered_load").unwrap().available)(s);
    assert!(avail(&locks) && avail(&cache));
    assert!(
        !avail(&cache_suite("3")),
        "a closed-loop suite has no offered load"
    );
    let both = Suite {
        name: "open loop".into(),
        runs: locks.runs.into_iter().chain(cache.runs).collect(),
    };
    let svg = render("latency_vs_offered_load", &both).unwrap();
    check_balanced(&svg).unwrap();
    for label in [
        "Locks: acquire",
        "Cache: GET and PUT",
        "acquire p95",
        "GET p50 (dashed)",
        "PUT p95",
        "offered load (ops/s)",
    ] {
        assert!(has_text(&svg, label), "no `{label}`");
    }
    assert!(
        !has_text(&svg, "Queue: enqueue"),
        "no queue runs, no queue panel"
    );
    // Closed-loop runs only: empty axes that say why, not an error.
    let empty = render("latency_vs_offered_load", &single()).unwrap();
    assert!(has_text(&empty, "no open-loop runs"));
}
