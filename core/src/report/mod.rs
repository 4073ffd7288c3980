//! The seeds' report (issue 14): one set of benchmark suites (the seeds' quick run, their four
//! scenarios, scaling, and single node against distributed for the three primitives), run a
//! chunk at a time like a single suite, then turned into a [`Report`]: every suite, the table
//! of the seeds' target figures against syncsim's ([`targets`]), and what the run depended on
//! (seed, network profile, simulated CPU, version). The seeds' figures appear only in that
//! table, never in the suites.
//!
//! The JSON is deterministic: it holds no wall-clock figure (the page and the CLI show their
//! wall time beside it), so the same seed gives byte-identical JSON natively and in WASM.

pub mod plan;
pub mod targets;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::bench::{BenchRun, Suite};
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

/// The report set in progress: one section's [`BenchRun`] at a time.
pub struct ReportRun {
    seed: u64,
    plan: Vec<Section>,
    weights: Vec<f64>,
    index: usize,
    current: Option<BenchRun>,
    done: Vec<SectionResult>,
    errors: Vec<String>,
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
        let plan = plan(seed);
        let weights = plan.iter().map(|s| s.weight()).collect();
        let mut run = ReportRun {
            seed,
            plan,
            weights,
            index: 0,
            current: None,
            done: Vec::new(),
            errors: Vec::new(),
        };
        run.start_next();
        run
    }

    /// Builds the section at `index` (skipping, with its error, any that cannot be built).
    fn start_next(&mut self) {
        while self.index < self.plan.len() {
            match BenchRun::new(self.plan[self.index].params.clone()) {
                Ok(run) => {
                    self.current = Some(run);
                    return;
                }
                Err(e) => {
                    self.errors
                        .push(format!("{}: {e}", self.plan[self.index].id));
                    self.index += 1;
                }
            }
        }
    }

    pub fn is_done(&self) -> bool {
        self.current.is_none()
    }

    /// Sections finished so far (the page draws their charts while the rest runs).
    pub fn finished(&self) -> &[SectionResult] {
        &self.done
    }

    /// Process about `budget` simulator events.
    pub fn step_chunk(&mut self, budget: u64) -> ReportProgress {
        if let Some(run) = &mut self.current {
            if run.step_chunk(budget).done {
                let run = self.current.take().expect("checked above");
                if let Some(e) = run.error() {
                    self.errors
                        .push(format!("{}: {e}", self.plan[self.index].id));
                }
                let section = &self.plan[self.index];
                self.done.push(SectionResult {
                    id: section.id.to_string(),
                    title: section.title.to_string(),
                    suite: run.finish(),
                });
                self.index += 1;
                self.start_next();
            }
        }
        self.progress()
    }

    pub fn progress(&self) -> ReportProgress {
        let total: f64 = self.weights.iter().sum();
        let before: f64 = self.weights[..self.index.min(self.weights.len())]
            .iter()
            .sum();
        let (partial, section, label) = match &self.current {
            Some(run) => {
                let p = run.progress();
                (
                    self.weights[self.index] * p.fraction,
                    self.plan[self.index].title.to_string(),
                    p.label,
                )
            }
            None => (0.0, String::new(), String::new()),
        };
        let done = self.current.is_none();
        ReportProgress {
            done,
            fraction: if done {
                1.0
            } else {
                ((before + partial) / total).min(1.0)
            },
            section,
            label,
            finished: self.done.len(),
            sections: self.plan.len(),
        }
    }

    /// The report of the finished sections (a section still running is left out).
    pub fn finish(self) -> Report {
        let meta = meta(self.seed);
        let targets = targets(&self.done);
        Report {
            meta,
            sections: self.done,
            targets,
            errors: self.errors,
        }
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
