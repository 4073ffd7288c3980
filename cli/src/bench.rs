//! `syncsim bench <scenario> [--seed S] [--out DIR] [--<param> value ...]`: runs a benchmark
//! scenario in simulated time, prints a summary table, and writes `results.json`,
//! `results.csv`, `series.csv` and one SVG per available chart into DIR
//! (default `out/bench/<scenario>`). Wall-clock time is measured here, never in the core.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use syncsim_core::bench::{
    series_csv, to_csv, BenchRun, ScenarioKind, ScenarioParams, Suite, PARAM_KEYS,
};

/// `syncsim bench <scenario> [--out DIR] [--quiet] [--<param> VALUE ...]`
#[derive(clap::Args, Debug)]
#[command(after_help = scenarios_help())]
pub struct BenchArgs {
    /// Scenario to run (see below), or `list` to show this help
    #[arg(value_name = "SCENARIO", value_parser = parse_target)]
    pub scenario: Target,
    /// Output directory [default: out/bench/<SCENARIO>]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress lines on stderr
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub params: ParamArgs,
}

/// What `bench` was asked for: a scenario, or the list of scenarios and parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    List,
    Scenario(ScenarioKind),
}

fn parse_target(s: &str) -> Result<Target, String> {
    if s.trim().eq_ignore_ascii_case("list") {
        Ok(Target::List)
    } else {
        ScenarioKind::parse(s).map(Target::Scenario)
    }
}

fn scenarios_help() -> String {
    let mut s = String::from("Scenarios:\n");
    for k in ScenarioKind::ALL {
        let _ = writeln!(s, "  {:<22} {}", k.id(), k.description());
    }
    s
}

/// The scenario parameters: one `--<key> VALUE` option per entry of [`PARAM_KEYS`], generated
/// at run time, forwarded to [`ScenarioParams::set`] in command-line order (some depend on
/// others, e.g. the default fault time on `--duration`).
#[derive(Debug, Default)]
pub struct ParamArgs {
    /// `(key, value)` pairs in the order given.
    pub pairs: Vec<(String, String)>,
}

impl clap::Args for ParamArgs {
    fn augment_args(mut cmd: clap::Command) -> clap::Command {
        for (key, help) in PARAM_KEYS.iter() {
            cmd = cmd.arg(
                clap::Arg::new(*key)
                    .long(*key)
                    .value_name("VALUE")
                    .help(*help)
                    .help_heading("Scenario parameters")
                    // Repeats apply in order, the last one winning; values may start with `-`.
                    .action(clap::ArgAction::Append)
                    .allow_hyphen_values(true),
            );
        }
        cmd
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl clap::FromArgMatches for ParamArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut indexed = Vec::new();
        for (key, _) in PARAM_KEYS.iter() {
            if let (Some(indices), Some(values)) =
                (matches.indices_of(key), matches.get_many::<String>(key))
            {
                indexed.extend(indices.zip(values).map(|(i, v)| (i, key, v.clone())));
            }
        }
        indexed.sort_by_key(|(i, _, _)| *i);
        Ok(ParamArgs {
            pairs: indexed
                .into_iter()
                .map(|(_, k, v)| (k.to_string(), v))
                .collect(),
        })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

pub fn run(kind: ScenarioKind, args: &BenchArgs) -> Result<(), String> {
    let mut params = ScenarioParams::defaults(kind);
    for (key, value) in &args.params.pairs {
        params.set(key, value)?;
    }
    params.validate()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("out/bench/{}", kind.id())));

    let suite = run_suite(params, args.quiet)?;
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
        // A run that measures no operations (the ring-quality table) has no rows here.
        let ops = if r.ops.is_empty() {
            &[][..]
        } else {
            &r.ops[..]
        };
        let overall = (!r.ops.is_empty()).then_some(&r.overall);
        for op in ops.iter().chain(overall) {
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
        queue_lines(&mut s, r);
        cache_lines(&mut s, r);
        let _ = writeln!(
            s,
            "{:<22} simulated {:.1} s, {} events",
            "",
            r.duration_s,
            r.sim_events()
        );
    }
    s
}

/// The cache hit/miss figures, when the run has them.
fn cache_lines(s: &mut String, r: &syncsim_core::bench::BenchResult) {
    let x = |k: &str| r.extra.get(k).copied().unwrap_or(0.0);
    if !r.extra.contains_key("hit_rate") {
        return;
    }
    let _ = writeln!(
        s,
        "{:<22} GET hit rate {:.1}% ({} hits, {} misses); hit p95 {:.2} ms, miss p95 {:.2} ms; evictions {}, invalidations {}, write-backs {}, directory messages {}; warm-up PUTs {} done at {} s",
        "",
        100.0 * x("hit_rate"),
        x("get_hits"),
        x("get_misses"),
        x("get_hit_p95_ms"),
        x("get_miss_p95_ms"),
        x("evictions"),
        x("invalidations"),
        x("write_backs"),
        x("directory_messages"),
        x("warm_puts"),
        x("warm_s"),
    );
}

/// The queue-throughput delivery check and the ring-quality table, when the run has them.
fn queue_lines(s: &mut String, r: &syncsim_core::bench::BenchResult) {
    let x = |k: &str| r.extra.get(k).copied();
    if let (Some(lost), Some(dup)) = (x("lost"), x("duplicates")) {
        let n = |k: &str| x(k).unwrap_or(0.0);
        let _ = writeln!(
            s,
            "{:<22} enqueued {}, delivered {}, lost {lost}, duplicates {dup}, corrupted {}; peak depth {} ready + {} in flight; drained in {} s",
            "",
            n("enqueued"),
            n("delivered"),
            n("corrupted"),
            n("peak_depth"),
            n("peak_in_flight"),
            n("drain_s"),
        );
    }
    let mut vnodes: Vec<u32> = r
        .extra
        .keys()
        .filter_map(|k| k.strip_prefix("cv_v")?.parse().ok())
        .collect();
    vnodes.sort_unstable();
    if vnodes.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "{:<22} {:>6} {:>8} {:>9} {:>8} {:>8} {:>10} {:>10}   ideal join {:.4}, leave {:.4}",
        "",
        "V",
        "CV",
        "max/mean",
        "join",
        "leave",
        "mod join",
        "mod leave",
        x("join_ideal").unwrap_or(0.0),
        x("leave_ideal").unwrap_or(0.0)
    );
    for v in vnodes {
        let f = |name: &str| x(&format!("{name}_v{v}")).unwrap_or(0.0);
        let _ = writeln!(
            s,
            "{:<22} {:>6} {:>8.4} {:>9.3} {:>8.4} {:>8.4} {:>10.4} {:>10.4}",
            r.label,
            v,
            f("cv"),
            f("max_over_mean"),
            f("join_moved"),
            f("leave_moved"),
            f("modulo_join_moved"),
            f("modulo_leave_moved")
        );
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn write_outputs(suite: &Suite, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write_file(&dir.join("results.json"), &suite.to_json())?;
    write_file(&dir.join("results.csv"), &to_csv(suite))?;
    write_file(&dir.join("series.csv"), &series_csv(suite))?;
    let raster = crate::png::Rasterizer::new();
    for spec in syncsim_charts::CHARTS
        .iter()
        .filter(|c| (c.available)(suite))
    {
        let svg = syncsim_charts::chart_svg(spec.id, suite)?;
        write_file(&dir.join(format!("{}.svg", spec.id)), &svg)?;
        let png = raster.png(&svg).map_err(|e| format!("{}: {e}", spec.id))?;
        let path = dir.join(format!("{}.png", spec.id));
        std::fs::write(&path, png).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
