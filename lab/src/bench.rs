//! One benchmark suite in the lab worker: the core's chunked `BenchRun`, in slices of a few
//! milliseconds between which the worker reads its messages (so Cancel is answered), with
//! wall-clock stamps on every finished run. The clock is passed in: the core has none, and
//! natively (the tests) any counter will do.

use syncsim_core::bench::{
    series_csv, to_csv, BenchRun, Outcome, Progress, ScenarioParams, Timing,
};

/// Wall time one `step_chunk` should take: its event budget adapts to it.
pub const TARGET_CHUNK_MS: f64 = 10.0;
const FIRST_BUDGET: u64 = 2_000;
const MIN_BUDGET: u64 = 100;
const MAX_BUDGET: u64 = 5_000_000;

/// The next event budget: scale the last one towards the target, at most doubling or halving
/// per chunk so one slow chunk (a run being built, a GC pause) does not swing it wildly.
pub fn next_budget(budget: u64, chunk_ms: f64) -> u64 {
    let factor = if chunk_ms <= 0.05 {
        2.0
    } else {
        (TARGET_CHUNK_MS / chunk_ms).clamp(0.5, 2.0)
    };
    ((budget as f64 * factor) as u64).clamp(MIN_BUDGET, MAX_BUDGET)
}

/// A suite in progress.
pub struct Session {
    bench: BenchRun,
    budget: u64,
    started_ms: f64,
    run_started_ms: f64,
    walls: Vec<f64>,
    busy_ms: f64,
    chunks: u64,
}

impl Session {
    /// `params` is the JSON of the page's `ScenarioParams` (the page validated its form; the
    /// core validates again, so a bad request is an error, never a panic).
    pub fn start(params: &str, now_ms: f64) -> Result<Session, String> {
        let params: ScenarioParams = serde_json::from_str(params)
            .map_err(|e| format!("the benchmark's parameters could not be read: {e}"))?;
        Ok(Session {
            bench: BenchRun::new(params)?,
            budget: FIRST_BUDGET,
            started_ms: now_ms,
            run_started_ms: now_ms,
            walls: Vec::new(),
            busy_ms: 0.0,
            chunks: 0,
        })
    }

    /// Chunks until `slice_ms` of wall time have passed or the suite is done.
    pub fn slice(&mut self, slice_ms: f64, now: &dyn Fn() -> f64) -> Progress {
        let start = now();
        let mut t1 = start;
        loop {
            let t0 = t1;
            let progress = self.bench.step_chunk(self.budget);
            t1 = now();
            self.busy_ms += t1 - t0;
            self.chunks += 1;
            self.budget = next_budget(self.budget, t1 - t0);
            while self.walls.len() < self.bench.results().len() {
                self.walls.push(t1 - self.run_started_ms);
                self.run_started_ms = t1;
            }
            if progress.done || t1 - start >= slice_ms {
                return progress;
            }
        }
    }

    /// The finished runs, stamped with their wall time, and their charts.
    pub fn finish(self, cancelled: bool, now_ms: f64) -> Outcome {
        let mut error = self.bench.error().map(str::to_string);
        let progress = self.bench.progress();
        let warmup = self.bench.params().warmup_s;
        let mut suite = self.bench.finish();
        for (run, wall) in suite.runs.iter_mut().zip(&self.walls) {
            run.wall_ms = Some(*wall);
        }
        let simulated_s = suite.runs.iter().map(|r| r.duration_s + warmup).sum();
        let charts = if suite.runs.is_empty() {
            Vec::new()
        } else {
            syncsim_charts::suite_charts(&suite).unwrap_or_else(|e| {
                error.get_or_insert(e);
                Vec::new()
            })
        };
        let exports = vec![
            ("results.json".to_string(), suite.to_json()),
            ("results.csv".to_string(), to_csv(&suite)),
            ("series.csv".to_string(), series_csv(&suite)),
        ];
        Outcome {
            suite,
            timing: Timing {
                elapsed_ms: now_ms - self.started_ms,
                busy_ms: self.busy_ms,
                chunks: self.chunks,
                simulated_s,
            },
            cancelled,
            error,
            progress,
            charts,
            exports,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use syncsim_core::bench::{Form, ScenarioKind};

    #[test]
    fn budget_grows_when_chunks_are_fast_and_shrinks_when_slow() {
        assert_eq!(next_budget(1_000, 5.0), 2_000);
        assert_eq!(next_budget(1_000, 0.0), 2_000);
        assert_eq!(next_budget(1_000, 40.0), 500);
        assert_eq!(next_budget(1_000, 12.5), 800);
    }

    #[test]
    fn budget_stays_within_bounds() {
        assert_eq!(next_budget(MAX_BUDGET, 1.0), MAX_BUDGET);
        assert_eq!(next_budget(MIN_BUDGET, 1_000.0), MIN_BUDGET);
    }

    fn quick_params() -> String {
        let params = Form::new(ScenarioKind::QuickLocks).params().unwrap();
        serde_json::to_string(&params).unwrap()
    }

    /// A clock that advances 1 ms per reading.
    fn ticking() -> impl Fn() -> f64 {
        let t = Cell::new(0.0);
        move || {
            t.set(t.get() + 1.0);
            t.get()
        }
    }

    #[test]
    fn a_session_gives_the_suite_a_direct_run_gives_with_its_charts() {
        let json = quick_params();
        let params: ScenarioParams = serde_json::from_str(&json).unwrap();
        let direct = syncsim_core::bench::run_suite(params).unwrap();
        let mut session = Session::start(&json, 0.0).unwrap();
        let clock = ticking();
        let mut slices = 0;
        while !session.slice(5.0, &clock).done {
            slices += 1;
            assert!(slices < 1_000_000, "the suite never finished");
        }
        let outcome = session.finish(false, clock());
        let mut suite = outcome.suite.clone();
        assert!(suite.runs.iter().all(|r| r.wall_ms.is_some()));
        for r in &mut suite.runs {
            r.wall_ms = None;
        }
        assert_eq!(suite.to_json(), direct.to_json());
        let json = &outcome
            .exports
            .iter()
            .find(|(n, _)| n == "results.json")
            .unwrap()
            .1;
        assert_eq!(*json, outcome.suite.to_json());
        let names: Vec<&str> = outcome.exports.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["results.json", "results.csv", "series.csv"]);
        assert!(!outcome.cancelled && outcome.error.is_none());
        assert!(outcome.timing.chunks > 1 && outcome.timing.simulated_s > 0.0);
        let ids: Vec<&str> = outcome.charts.iter().map(|c| c.id.as_str()).collect();
        assert!(ids.contains(&"locks_latency_histogram"), "{ids:?}");
        assert!(outcome.charts.iter().all(|c| c.svg.starts_with("<svg")));
        // What the page reads back is what the worker wrote.
        assert_eq!(Outcome::from_json(&outcome.to_json()), Ok(outcome));
    }

    #[test]
    fn a_cancelled_session_keeps_no_unfinished_run_and_draws_nothing_without_runs() {
        let mut session = Session::start(&quick_params(), 0.0).unwrap();
        session.slice(0.0, &ticking());
        let outcome = session.finish(true, 5.0);
        assert!(outcome.cancelled);
        assert!(outcome.suite.runs.is_empty() && outcome.charts.is_empty());
        assert_eq!(outcome.timing.elapsed_ms, 5.0);
    }

    #[test]
    fn bad_parameters_are_an_error_that_says_so() {
        let e = Session::start("{\"scenario\":1}", 0.0).err().unwrap();
        assert!(e.contains("parameters could not be read"), "{e}");
        let mut params = Form::new(ScenarioKind::QuickLocks).params().unwrap();
        params.nodes.clear();
        let e = Session::start(&serde_json::to_string(&params).unwrap(), 0.0)
            .err()
            .unwrap();
        assert!(!e.is_empty());
    }
}
