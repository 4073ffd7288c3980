//! `syncsim report --out DIR [--seed S]`: runs the seeds' report set (`core::report`) and
//! writes `results.json` (byte-identical to the page's for the same seed), the CSVs, every
//! chart as SVG and a self-contained `report.html`. PNGs are made by the page only: plotters'
//! bitmap backend needs the `image` crate's encoders, which this workspace does not carry.

use std::path::PathBuf;
use std::time::Instant;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use syncsim_charts::report::report_files;
use syncsim_core::bench::BenchResult;
use syncsim_core::report::{heaviest_first, JobRun, Parts, Report, SECTION_IDS};

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Output directory
    #[arg(long, value_name = "DIR", default_value = "out/report")]
    pub out: PathBuf,
    /// Seed of every run
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// No progress lines on stderr
    #[arg(long)]
    pub quiet: bool,
    /// Threads that run the set's jobs side by side (default: the machine's cores). The
    /// report is the same bytes for any number.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Print each job's wall time, simulator events and events per second (stdout), to see
    /// where the set's time goes; the report itself is unchanged.
    #[arg(long)]
    pub timings: bool,
}

/// One job's wall time, as its thread measured it.
struct JobTime {
    job: usize,
    secs: f64,
    events: u64,
}

/// The `--timings` table: the jobs in plan order, then the totals.
fn print_timings(parts: &Parts, times: &mut [JobTime]) {
    times.sort_by_key(|t| t.job);
    println!("job  section                         run      events  wall s  M events/s  label");
    for t in times.iter() {
        let job = &parts.jobs()[t.job];
        println!(
            "{:>3}  {:<30}  {:>3}  {:>10}  {:>6.3}  {:>10.2}  {}",
            t.job,
            SECTION_IDS.get(job.section).copied().unwrap_or("?"),
            job.run,
            t.events,
            t.secs,
            t.events as f64 / t.secs.max(1e-9) / 1e6,
            job.label
        );
    }
    let (events, secs) = times
        .iter()
        .fold((0u64, 0f64), |(e, s), t| (e + t.events, s + t.secs));
    println!(
        "all  {} jobs: {events} events in {secs:.2} s of thread time, {:.2} M events/s per thread",
        times.len(),
        events as f64 / secs.max(1e-9) / 1e6
    );
}

/// Runs the set's jobs (`core::report::jobs`) on `--threads` threads, heaviest first, and puts
/// the results back in plan order.
fn run_jobs(args: &ReportArgs) -> Result<Report, String> {
    let mut parts = Parts::new(args.seed);
    let threads = match args.threads {
        Some(0) => return Err("--threads: must be at least 1".into()),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let order = heaviest_first(parts.jobs());
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    let seed = args.seed;
    let mut times = Vec::new();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(order.len()) {
            let (tx, next, order) = (tx.clone(), &next, &order);
            scope.spawn(move || {
                while let Some(&job) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let start = Instant::now();
                    let result = JobRun::run_to_end(seed, job, |_| {});
                    let secs = start.elapsed().as_secs_f64();
                    if tx.send((job, result, secs)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut shown = usize::MAX;
        for (job, result, secs) in rx {
            // None if the job could not run.
            let events = result.as_ref().map_or(0, BenchResult::sim_events);
            times.push(JobTime { job, secs, events });
            parts.put(job, result);
            let p = parts.progress(std::iter::empty());
            if !args.quiet && p.finished != shown {
                shown = p.finished;
                eprintln!(
                    "  {:>3.0}%  {}/{} sections done",
                    p.fraction * 100.0,
                    p.finished,
                    p.sections
                );
            }
        }
    });
    if args.timings {
        print_timings(&parts, &mut times);
    }
    Ok(parts.finish())
}

pub fn run(args: &ReportArgs) -> Result<(), String> {
    let start = Instant::now();
    let report = run_jobs(args)?;
    let wall = start.elapsed().as_secs_f64();
    let events = report.sim_events() as f64;
    let wall_line = format!(
        "wall time: {wall:.2} s natively (syncsim report) · {:.2} M simulator events, {:.2} M per second of wall time",
        events / 1e6,
        events / wall.max(1e-3) / 1e6
    );
    let files = report_files(
        &report,
        |c, suite| syncsim_charts::chart_svg(c.chart, suite),
        &wall_line,
    );
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let raster = crate::png::Rasterizer::new();
    for (name, bytes) in &files {
        let path = args.out.join(name);
        std::fs::write(&path, bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        // Every chart as PNG too, as in the page's ZIP.
        if let Some(stem) = name.strip_suffix(".svg") {
            let svg = String::from_utf8_lossy(bytes);
            let png = raster.png(&svg).map_err(|e| format!("{name}: {e}"))?;
            let path = args.out.join(format!("{stem}.png"));
            std::fs::write(&path, png)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    if !raster.has_fonts {
        eprintln!(
            "note: no fonts found on this machine, so the PNG charts have no text (the SVGs do)"
        );
    }
    println!(
        "{:<20} {:<18} {:<30} {:<16} {:>12}  pass",
        "primitive", "metric", "seeds reported", "seeds' target", "syncsim"
    );
    for t in &report.targets {
        let v = t
            .syncsim
            .map_or("-".into(), |v| format!("{v:.2} {}", t.unit));
        println!(
            "{:<20} {:<18} {:<30} {:<16} {:>12}  {}",
            t.primitive,
            t.metric,
            t.seeds_reported,
            t.target,
            v,
            if t.pass { "pass" } else { "FAIL" }
        );
    }
    for e in &report.errors {
        eprintln!("section error: {e}");
    }
    println!("{wall_line}");
    println!("wrote {} files to {}", files.len(), args.out.display());
    Ok(())
}
