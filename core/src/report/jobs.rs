//! The report set cut into independent jobs: one run of one section each. A run builds its own
//! simulation from its section's parameters and its `RunSpec` (its own seeded PRNG, nothing
//! shared), so jobs can run in any order, one after another (`ReportRun`, the CLI) or side by
//! side (the page's Web Workers, the CLI's threads), and [`Parts`] puts their results back in
//! plan order. The report is therefore the same bytes however it was run.

use serde::{Deserialize, Serialize};

use super::plan::{plan, Section};
use super::{meta, targets, Report, ReportProgress, SectionResult};
use crate::bench::target::RunDriver;
use crate::bench::{BenchResult, Suite};
use crate::services::bench_run;

/// One run of one section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Index into `plan(seed)`.
    pub section: usize,
    /// Index into that section's `params.runs()`.
    pub run: usize,
    /// Relative cost, for the progress bar and for scheduling: simulated time × actors × the
    /// service's `relative_cost`.
    pub weight: f64,
    pub label: String,
}

/// Every job of `plan`, in plan order.
pub fn jobs_of(plan: &[Section]) -> Vec<Job> {
    let mut out = Vec::new();
    for (section, s) in plan.iter().enumerate() {
        let p = &s.params;
        let span = p.warmup_s + p.duration_s;
        for (run, spec) in p.runs().into_iter().enumerate() {
            out.push(Job {
                section,
                run,
                weight: span * (spec.nodes + spec.clients) as f64 * p.service.relative_cost(),
                label: spec.label,
            });
        }
    }
    out
}

/// Job indices, heaviest first: started in that order on N workers, the longest runs do not
/// end up last on one worker while the others idle (longest-processing-time-first).
pub fn heaviest_first(jobs: &[Job]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    crate::base::sort::sort_by(&mut order, |&a, &b| {
        jobs[b].weight.total_cmp(&jobs[a].weight).then(a.cmp(&b))
    });
    order
}

/// What one job gave: its run's result, or why the run could not be built (the section's
/// parameters are invalid, or this run's configuration is).
pub type JobResult = Result<BenchResult, String>;

/// One job in progress, a chunk of simulator events at a time.
pub struct JobRun {
    driver: Box<dyn RunDriver>,
}

impl JobRun {
    /// Builds job `index` of the report set for `seed` (the same numbering as [`Parts::jobs`]).
    pub fn new(seed: u64, index: usize) -> Result<JobRun, String> {
        let plan = plan(seed);
        let jobs = jobs_of(&plan);
        let job = jobs
            .get(index)
            .ok_or_else(|| format!("job: {index} is out of range (the set has {})", jobs.len()))?;
        Self::of(&plan[job.section], job.run)
    }

    pub fn of(section: &Section, run: usize) -> Result<JobRun, String> {
        section.params.validate()?;
        let spec = section
            .params
            .runs()
            .into_iter()
            .nth(run)
            .ok_or_else(|| format!("run: {run} is out of range"))?;
        Ok(JobRun {
            driver: bench_run(&section.params, spec)?,
        })
    }

    /// Process about `budget` events; true once the run is over.
    pub fn step_chunk(&mut self, budget: u64) -> bool {
        if !self.driver.done() {
            self.driver.step(budget.max(1));
        }
        self.driver.done()
    }

    /// Share of the run done, 0..=1.
    pub fn fraction(&self) -> f64 {
        self.driver.fraction()
    }

    pub fn finish(self) -> BenchResult {
        self.driver.finish()
    }

    /// Runs job `index` to its end (a Web Worker's or a thread's whole task). `progress` gets
    /// the run's fraction after each chunk.
    pub fn run_to_end(seed: u64, index: usize, mut progress: impl FnMut(f64)) -> JobResult {
        let mut run = JobRun::new(seed, index)?;
        while !run.step_chunk(100_000) {
            progress(run.fraction());
        }
        Ok(run.finish())
    }
}

/// The report set's results as they come in, in any order.
pub struct Parts {
    seed: u64,
    plan: Vec<Section>,
    jobs: Vec<Job>,
    results: Vec<Option<JobResult>>,
}

impl Parts {
    pub fn new(seed: u64) -> Parts {
        let plan = plan(seed);
        let jobs = jobs_of(&plan);
        let results = jobs.iter().map(|_| None).collect();
        Parts {
            seed,
            plan,
            jobs,
            results,
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn plan(&self) -> &[Section] {
        &self.plan
    }

    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    /// Job `index`'s result; a second result for the same job is ignored.
    pub fn put(&mut self, index: usize, result: JobResult) {
        if let Some(slot @ None) = self.results.get_mut(index) {
            *slot = Some(result);
        }
    }

    pub fn has(&self, index: usize) -> bool {
        matches!(self.results.get(index), Some(Some(_)))
    }

    pub fn is_complete(&self) -> bool {
        self.results.iter().all(Option::is_some)
    }

    /// True once a run of `section` could not be built: a suite stops there.
    pub fn section_stopped(&self, section: usize) -> bool {
        matches!(self.section(section), SectionState::Stopped(..))
    }

    /// Where the set stands, with `running` (job index, fraction done) still in progress.
    pub fn progress(&self, running: impl Iterator<Item = (usize, f64)>) -> ReportProgress {
        let total: f64 = self.jobs.iter().map(|j| j.weight).sum();
        let mut done: f64 = self
            .jobs
            .iter()
            .zip(&self.results)
            .filter(|(_, r)| r.is_some())
            .map(|(j, _)| j.weight)
            .sum();
        let mut first = None;
        for (index, fraction) in running {
            if let Some(job) = self.jobs.get(index) {
                done += job.weight * fraction.clamp(0.0, 1.0);
                first.get_or_insert(job);
            }
        }
        let complete = self.is_complete();
        ReportProgress {
            done: complete,
            fraction: if complete {
                1.0
            } else {
                (done / total).min(1.0)
            },
            section: first.map_or(String::new(), |j| self.plan[j.section].title.to_string()),
            label: first.map_or(String::new(), |j| j.label.clone()),
            finished: self.finished_sections(),
            sections: self.plan.len(),
        }
    }

    /// Sections whose every run is in (or that stopped at an error).
    pub fn finished_sections(&self) -> usize {
        (0..self.plan.len())
            .filter(|&s| !matches!(self.section(s), SectionState::Incomplete))
            .count()
    }

    fn section(&self, section: usize) -> SectionState<'_> {
        let mut runs = Vec::new();
        for (job, result) in self.jobs.iter().zip(&self.results) {
            if job.section != section {
                continue;
            }
            match result {
                None => return SectionState::Incomplete,
                Some(Ok(r)) => runs.push(r),
                // A suite stops at the first run that cannot be built (`BenchRun`).
                Some(Err(e)) => return SectionState::Stopped(runs, e),
            }
        }
        SectionState::Done(runs)
    }

    /// The report of the finished sections, in plan order: a section with a run still
    /// missing is left out (a cancelled report), as `BenchRun` leaves out a run in progress.
    pub fn finish(&self) -> Report {
        let mut sections = Vec::new();
        let mut errors = Vec::new();
        for (i, s) in self.plan.iter().enumerate() {
            let (runs, error) = match self.section(i) {
                SectionState::Incomplete => continue,
                SectionState::Done(runs) => (runs, None),
                SectionState::Stopped(runs, e) => (runs, Some(e)),
            };
            if let Some(e) = error {
                errors.push(format!("{}: {e}", s.id));
            }
            // A section whose first run could not be built has no suite at all.
            if runs.is_empty() && error.is_some() {
                continue;
            }
            sections.push(SectionResult {
                id: s.id.to_string(),
                title: s.title.to_string(),
                suite: Suite {
                    name: s.params.scenario.id().to_string(),
                    runs: runs.into_iter().cloned().collect(),
                },
            });
        }
        let targets = targets(&sections);
        Report {
            meta: meta(self.seed),
            sections,
            targets,
            errors,
        }
    }
}

enum SectionState<'a> {
    Incomplete,
    Done(Vec<&'a BenchResult>),
    Stopped(Vec<&'a BenchResult>, &'a String),
}
