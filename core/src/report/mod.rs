//! The seeds' report (issue 14): one set of benchmark suites (the seeds' quick run, their four
//! scenarios, scaling, and single node against distributed for the three primitives), run a
//! chunk at a time like a single suite, then turned into a [`Report`]: every suite, the table
//! of the seeds' target figures against syncsim's ([`targets`]), and what the run depended on
//! (seed, network profile, simulated CPU, version). The seeds' figures appear only in that
//! table, never in the suites.
//!
//! The JSON is deterministic: it holds no wall-clock figure (the page and the CLI show their
//! wall time beside it), so the same seed gives byte-identical JSON natively and in WASM.

pub mod jobs;
pub mod plan;
pub mod targets;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::bench::{BenchResult, Suite};
pub use jobs::{heaviest_first, Job, JobResult, JobRun, Parts};
pub use plan::{plan, Section, SECTION_IDS};
pub use targets::{targets, TargetRow};

/// The syncsim version, and the git commit when the build knew it (`build.rs`).
pub fn version() -> String {
    let commit = option_env!("SYNCSIM_COMMIT").unwrap_or("unknown");
    format!("{} ({commit})", env!("CARGO_PKG_VERSION"))
}

/// What a report ran under, so anyone can reproduce it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub seed: u64,
    pub syncsim_version: String,
    pub network_profile: String,
    /// The simulated server CPU (what bounds throughput), not the machine's.
    pub cpu_model: String,
    pub note: String,
}

/// One finished section of the set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionResult {
    pub id: String,
    pub title: String,
    pub suite: Suite,
}

/// What the page's lab worker draws and writes of a finished report (the page draws the
/// charts on its canvases and zips the files with their PNGs). A chart's `id` is its file name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportAssets {
    pub charts: Vec<crate::bench::ChartSvg>,
    /// Every file of the report but the PNGs, as `(name, text)`.
    pub files: Vec<(String, String)>,
}

impl ReportAssets {
    /// Reads the worker's answer, the JSON of `Result<ReportAssets, String>`. Through
    /// `serde_json::Value`, as the page's other JSON (docs/size.md).
    pub fn from_answer(text: &str) -> Result<ReportAssets, String> {
        serde_json::from_str(text)
            .and_then(serde_json::from_value::<Result<ReportAssets, String>>)
            .map_err(|e| format!("the report worker's answer could not be read: {e}"))?
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub meta: Meta,
    pub sections: Vec<SectionResult>,
    pub targets: Vec<TargetRow>,
    /// Sections that could not run (their error), so a partial report says why.
    pub errors: Vec<String>,
}

impl Report {
    pub fn section(&self, id: &str) -> Option<&Suite> {
        self.sections.iter().find(|s| s.id == id).map(|s| &s.suite)
    }

    /// Simulator events over every run of the report (each run's `sim_events`). The count is
    /// the same for a seed on any machine, so events per second of wall time compares the
    /// speed of machines and builds where seconds alone cannot (issue 14's speed bar).
    pub fn sim_events(&self) -> u64 {
        self.sections
            .iter()
            .flat_map(|s| &s.suite.runs)
            .map(BenchResult::sim_events)
            .sum()
    }

    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Report, String> {
        serde_json::from_str(text).map_err(|e| format!("not a syncsim report: {e}"))
    }

    /// Every run of every section as CSV (one row per run and operation kind).
    pub fn results_csv(&self) -> String {
        let all = Suite {
            name: "report".into(),
            runs: self
                .sections
                .iter()
                .flat_map(|s| s.suite.runs.clone())
                .collect(),
        };
        crate::bench::to_csv(&all)
    }

    /// The targets table as CSV.
    pub fn targets_csv(&self) -> String {
        let mut out = String::from(
            "target,primitive,metric,source,seeds_reported,seeds_target,syncsim,unit,pass,note\n",
        );
        for t in &self.targets {
            let value = t.syncsim.map_or(String::new(), |v| format!("{v}"));
            let cells = [
                t.id.as_str(),
                &t.primitive,
                &t.metric,
                &t.source,
                &t.seeds_reported,
                &t.target,
                &value,
                &t.unit,
                if t.pass { "true" } else { "false" },
                &t.note,
            ];
            let quoted: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&quoted.join(","));
            out.push('\n');
        }
        out
    }
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Where the report set stands after a chunk.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportProgress {
    pub done: bool,
    /// Estimated share of the work done, 0..=1 (sections weighted by simulated time × actors).
    pub fraction: f64,
    /// Section in progress and its run label ("" when done).
    pub section: String,
    pub label: String,
    /// Sections finished so far.
    pub finished: usize,
    pub sections: usize,
}

/// The report set run one job after another (`jobs`): the CLI's and the tests' runner, and
/// the page's when it cannot start Web Workers.
pub struct ReportRun {
    parts: Parts,
    /// The next job to build, or the one in `current`.
    index: usize,
    current: Option<JobRun>,
}

/// The page's seed field, read as the CLI's `--seed` and the benchmark form's seed are (an
/// unsigned 64-bit integer); the error names the field.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    let mut p = crate::bench::ScenarioParams::defaults(crate::bench::ScenarioKind::QuickLocks);
    p.set("seed", text)
        .map(|()| p.seed)
        .map_err(|e| e.trim_start_matches("--").to_string())
}

impl ReportRun {
    pub fn new(seed: u64) -> ReportRun {
        let mut run = ReportRun {
            parts: Parts::new(seed),
            index: 0,
            current: None,
        };
        run.start_next();
        run
    }

    /// Builds the job at `index`, skipping the rest of a section that stopped at an error
    /// (as `BenchRun` does) and recording any job that cannot be built.
    fn start_next(&mut self) {
        while let Some(job) = self.parts.jobs().get(self.index) {
            if self.parts.section_stopped(job.section) {
                // Never run (`BenchRun` stops a suite there): the section's first error stands.
                self.parts.put(
                    self.index,
                    Err("skipped after an earlier run failed".into()),
                );
                self.index += 1;
                continue;
            }
            match JobRun::of(&self.parts.plan()[job.section], job.run) {
                Ok(run) => {
                    self.current = Some(run);
                    return;
                }
                Err(e) => {
                    self.parts.put(self.index, Err(e));
                    self.index += 1;
                }
            }
        }
    }

    pub fn is_done(&self) -> bool {
        self.current.is_none()
    }

    /// Process about `budget` simulator events.
    pub fn step_chunk(&mut self, budget: u64) -> ReportProgress {
        if let Some(run) = &mut self.current {
            if run.step_chunk(budget) {
                let run = self.current.take().expect("checked above");
                self.parts.put(self.index, Ok(run.finish()));
                self.index += 1;
                self.start_next();
            }
        }
        self.progress()
    }

    pub fn progress(&self) -> ReportProgress {
        let running = self
            .current
            .as_ref()
            .map(|run| (self.index, run.fraction()));
        self.parts.progress(running.into_iter())
    }

    /// The report of the sections finished so far.
    pub fn report(&self) -> Report {
        self.parts.finish()
    }

    /// The report of the finished sections (a section still running is left out).
    pub fn finish(self) -> Report {
        self.parts.finish()
    }

    pub fn run_to_end(mut self) -> Report {
        while !self.step_chunk(200_000).done {}
        self.finish()
    }
}

fn meta(seed: u64) -> Meta {
    let p = crate::bench::ScenarioParams::defaults(crate::bench::ScenarioKind::QuickLocks);
    Meta {
        seed,
        syncsim_version: version(),
        network_profile: format!("{}: {}", p.profile.name(), p.profile.description()),
        cpu_model: format!(
            "simulated: every server handles one message or timer at a time, {} µs of CPU each",
            p.cpu_service_us
        ),
        note: "Every syncsim figure comes from the deterministic simulation (virtual time); the \
               seeds' figures are quoted from their report for comparison only."
            .into(),
    }
}
