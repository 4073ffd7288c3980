//! `syncsim bench <scenario> [--seed S] [--out DIR] [--<param> value ...]`: runs a benchmark
//! scenario in simulated time, prints a summary table, and writes `results.json`,
//! `results.csv`, `series.csv` and one SVG per available chart into DIR
//! (default `out/bench/<scenario>`). Wall-clock time is measured here, never in the core.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use plotters::prelude::*;
use syncsim_core::bench::{
    series_csv, to_csv, BenchRun, ScenarioKind, ScenarioParams, Suite, PARAM_KEYS,
};

fn usage() -> String {
    let mut s = String::from(
        "usage: syncsim bench <scenario> [--out DIR] [--quiet] [--<param> VALUE ...]\n\
         scenarios:\n",
    );
    for k in ScenarioKind::ALL {
        let _ = writeln!(s, "  {:<22} {}", k.id(), k.description());
    }
    s.push_str("params:\n");
    for (key, help) in PARAM_KEYS {
        let _ = writeln!(s, "  --{key:<18} {help}");
    }
    s
}

pub fn run(args: &[String]) -> Result<(), String> {
    let Some(name) = args.first() else {
        return Err(usage());
    };
    if matches!(name.as_str(), "-h" | "--help" | "list") {
        println!("{}", usage());
        return Ok(());
    }
    let kind = ScenarioKind::parse(name)?;
    let mut params = ScenarioParams::defaults(kind);
    let mut out = PathBuf::from(format!("out/bench/{}", kind.id()));
    let mut quiet = false;
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let key = flag
            .strip_prefix("--")
            .ok_or_else(|| format!("expected a --flag, got `{flag}`\n{}", usage()))?;
        if key == "quiet" {
            quiet = true;
            continue;
        }
        let value = rest
            .next()
            .ok_or_else(|| format!("--{key} needs a value"))?;
        match key {
            "out" => out = PathBuf::from(value),
            _ => params.set(key, value)?,
        }
    }
    params.validate()?;

    let suite = run_suite(params, quiet)?;
    print!("{}", summary_table(&suite));
    write_outputs(&suite, &out)?;
    println!("wrote {}", out.display());
    Ok(())
}

/// Run the suite chunk by chunk, timing each run with the wall clock.
fn run_suite(params: ScenarioParams, quiet: bool) -> Result<Suite, String> {
    let mut bench = BenchRun::new(params)?;
    let mut walls = Vec::new();
    let mut run_started = Instant::now();
    let mut last_tenth = -1i64;
    loop {
        let p = bench.step_chunk(200_000);
        if bench.results().len() > walls.len() {
            walls.push(run_started.elapsed().as_secs_f64() * 1e3);
            run_started = Instant::now();
        }
        let tenth = (p.fraction * 10.0).floor() as i64;
        if !quiet && tenth != last_tenth {
            eprintln!(
                "  {:>3.0}%  run {}/{} {}",
                p.fraction * 100.0,
                p.run.min(p.runs - 1) + 1,
                p.runs,
                p.label
            );
            last_tenth = tenth;
        }
        if p.done {
            break;
        }
    }
    if let Some(e) = bench.error() {
        return Err(format!("the suite stopped early: {e}"));
    }
    let mut suite = bench.finish();
    for (run, wall) in suite.runs.iter_mut().zip(walls) {
        run.wall_ms = Some(wall);
    }
    Ok(suite)
}

fn summary_table(suite: &Suite) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n{:<22} {:<8} {:>7} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "run", "op", "count", "success", "ops/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "wall ms"
    );
    for r in &suite.runs {
        for op in r.ops.iter().chain(std::iter::once(&r.overall)) {
            let l = &op.latency_ms;
            let _ = writeln!(
                s,
                "{:<22} {:<8} {:>7} {:>7.1}% {:>9.1} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9}",
                r.label,
                op.op,
                op.count,
                op.success_rate * 100.0,
                op.throughput_per_s,
                l.p50,
                l.p95,
                l.p99,
                l.max,
                if op.op == "all" {
                    r.wall_ms.map_or(String::new(), |w| format!("{w:.0}"))
                } else {
                    String::new()
                }
            );
        }
        if !r.overall.failure_reasons.is_empty() {
            let _ = writeln!(s, "{:<22} failures: {:?}", "", r.overall.failure_reasons);
        }
        if let Some(f) = &r.failover {
            let ms = |v: Option<f64>| v.map_or("none".to_string(), |v| format!("{v:.0} ms"));
            let _ = writeln!(
                s,
                "{:<22} fault {}: election {}, recovery {}, throughput {:.1} -> {:.1} ops/s",
                "",
                r.faults.first().map_or("", |f| f.label.as_str()),
                ms(f.election_ms),
                ms(f.recovery_ms),
                f.throughput_before,
                f.throughput_after
            );
        }
        let _ = writeln!(
            s,
            "{:<22} simulated {:.1} s, {} events",
            "",
            r.duration_s,
            r.extra.get("sim_events").copied().unwrap_or(0.0)
        );
    }
    s
}

fn write_file(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn write_outputs(suite: &Suite, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write_file(&dir.join("results.json"), &suite.to_json())?;
    write_file(&dir.join("results.csv"), &to_csv(suite))?;
    write_file(&dir.join("series.csv"), &series_csv(suite))?;
    for spec in syncsim_charts::CHARTS
        .iter()
        .filter(|c| (c.available)(suite))
    {
        let mut svg = String::new();
        {
            let root =
                SVGBackend::with_string(&mut svg, syncsim_charts::DEFAULT_SIZE).into_drawing_area();
            syncsim_charts::draw_chart(spec.id, &root, suite)?;
            root.present()
                .map_err(|e| format!("chart {}: {e}", spec.id))?;
        }
        write_file(&dir.join(format!("{}.svg", spec.id)), &svg)?;
    }
    Ok(())
}
