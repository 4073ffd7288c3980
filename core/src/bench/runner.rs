//! The chunked benchmark runner: runs a suite (every run of a scenario, one after the other)
//! a budget of simulator events at a time, so the browser can do one chunk per animation frame,
//! draw a progress bar and never freeze. Natively, `run_to_end` does the same in a loop.

use serde::{Deserialize, Serialize};

use super::result::{BenchResult, Suite};
use super::scenario::{RunSpec, ScenarioParams};
use super::target::RunDriver;
use crate::services::bench_run;

/// Where a suite stands after a chunk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// True once every run has finished (or a run could not be built; see `BenchRun::error`).
    pub done: bool,
    /// Estimated share of the work done, 0..=1 (runs weighted by simulated time × actors).
    pub fraction: f64,
    /// Index of the run in progress (== `runs` when done).
    pub run: usize,
    pub runs: usize,
    /// Label of the run in progress ("" when done).
    pub label: String,
    /// Simulator events processed so far over all runs.
    pub events: u64,
}

pub struct BenchRun {
    params: ScenarioParams,
    specs: Vec<RunSpec>,
    weights: Vec<f64>,
    current: Option<Box<dyn RunDriver>>,
    /// Index of the run in `current` (or the next one to build).
    index: usize,
    results: Vec<BenchResult>,
    events_done: u64,
    error: Option<String>,
}

impl BenchRun {
    /// Validates the parameters and builds the first run.
    pub fn new(params: ScenarioParams) -> Result<Self, String> {
        params.validate()?;
        let specs = params.runs();
        let span = params.warmup_s + params.duration_s;
        let weights = specs
            .iter()
            .map(|s| span * (s.nodes + s.clients) as f64)
            .collect();
        let first = bench_run(&params, specs[0].clone())?;
        Ok(BenchRun {
            params,
            specs,
            weights,
            current: Some(first),
            index: 0,
            results: Vec::new(),
            events_done: 0,
            error: None,
        })
    }

    pub fn params(&self) -> &ScenarioParams {
        &self.params
    }

    /// Runs that have finished, in order (the UI can show them while the rest runs).
    pub fn results(&self) -> &[BenchResult] {
        &self.results
    }

    /// Why the suite stopped early, if a later run could not be built.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn is_done(&self) -> bool {
        self.current.is_none()
    }

    /// Process about `budget_events` simulator events (at least one step of progress), finishing
    /// and starting runs as needed. A finished run consumes the rest of the chunk's budget.
    pub fn step_chunk(&mut self, budget_events: u64) -> Progress {
        if let Some(run) = &mut self.current {
            run.step(budget_events.max(1));
            if run.done() {
                let run = self.current.take().expect("checked above");
                self.events_done += run.events();
                self.results.push(run.finish());
                self.index += 1;
                if let Some(spec) = self.specs.get(self.index) {
                    match bench_run(&self.params, spec.clone()) {
                        Ok(next) => self.current = Some(next),
                        Err(e) => self.error = Some(e),
                    }
                }
            }
        }
        self.progress()
    }

    pub fn progress(&self) -> Progress {
        let total: f64 = self.weights.iter().sum();
        let done: f64 = self.weights[..self.index.min(self.weights.len())]
            .iter()
            .sum();
        let (partial, label, events) = match &self.current {
            Some(run) => (
                self.weights[self.index] * run.fraction(),
                self.specs[self.index].label.clone(),
                self.events_done + run.events(),
            ),
            None => (0.0, String::new(), self.events_done),
        };
        let finished = self.current.is_none();
        Progress {
            done: finished,
            fraction: if finished {
                1.0
            } else {
                ((done + partial) / total).min(1.0)
            },
            run: self.index,
            runs: self.specs.len(),
            label,
            events,
        }
    }

    /// The suite of finished runs (a run still in progress is left out).
    pub fn finish(self) -> Suite {
        Suite {
            name: self.params.scenario.id().to_string(),
            runs: self.results,
        }
    }

    /// Run every remaining run to its end and return the suite.
    pub fn run_to_end(mut self) -> Suite {
        while !self.step_chunk(100_000).done {}
        self.finish()
    }
}

/// Validate `params` and run the whole suite (convenience for tests and the CLI).
pub fn run_suite(params: ScenarioParams) -> Result<Suite, String> {
    let run = BenchRun::new(params)?;
    let suite = run.run_to_end();
    Ok(suite)
}
