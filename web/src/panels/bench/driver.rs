//! Runs a benchmark suite in the browser without freezing the page: one `step_chunk` per timer
//! tick, with an event budget adapted so that each chunk takes about `TARGET_CHUNK_MS` of wall
//! time, and wall-clock stamps (from `performance.now()`) on every finished run.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use syncsim_core::bench::{BenchRun, Progress, ScenarioParams, Suite};

use crate::shell::clock::now_ms;

/// Wall time one chunk should take: long enough to amortise the timer, short enough that the
/// page answers clicks and repaints the progress bar smoothly.
pub const TARGET_CHUNK_MS: f64 = 10.0;
const FIRST_BUDGET: u64 = 2_000;
const MIN_BUDGET: u64 = 100;
const MAX_BUDGET: u64 = 5_000_000;
/// The progress bar is redrawn at most this often: a re-render and repaint after every chunk
/// would cost about as much wall time as the chunk itself.
const PROGRESS_EVERY_MS: f64 = 50.0;

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

/// Wall-clock figures of a finished (or cancelled) suite.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timing {
    /// From the click on Run to the last chunk, yields to the browser included.
    pub elapsed_ms: f64,
    /// Time spent inside `step_chunk` only.
    pub busy_ms: f64,
    pub chunks: u64,
    /// Simulated seconds covered by the finished runs (warm-up included).
    pub simulated_s: f64,
}

impl Timing {
    pub fn sim_per_wall(&self) -> f64 {
        if self.elapsed_ms > 0.0 {
            self.simulated_s / (self.elapsed_ms / 1e3)
        } else {
            0.0
        }
    }
    pub fn mean_chunk_ms(&self) -> f64 {
        if self.chunks > 0 {
            self.busy_ms / self.chunks as f64
        } else {
            0.0
        }
    }
}

/// How a suite ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub suite: Suite,
    pub timing: Timing,
    /// Set when the user cancelled (the suite then holds the runs that had finished).
    pub cancelled: bool,
    /// Set when a later run of the suite could not be built.
    pub error: Option<String>,
    /// Where the suite stood when it ended (the progress bar's last state).
    pub progress: Progress,
}

/// A suite in progress.
pub struct Driver {
    bench: BenchRun,
    budget: u64,
    started_ms: f64,
    run_started_ms: f64,
    walls: Vec<f64>,
    busy_ms: f64,
    chunks: u64,
}

impl Driver {
    pub fn new(params: ScenarioParams) -> Result<Self, String> {
        let bench = BenchRun::new(params)?;
        let now = now_ms();
        Ok(Driver {
            bench,
            budget: FIRST_BUDGET,
            started_ms: now,
            run_started_ms: now,
            walls: Vec::new(),
            busy_ms: 0.0,
            chunks: 0,
        })
    }

    /// One chunk of simulation.
    pub fn chunk(&mut self) -> Progress {
        let t0 = now_ms();
        let progress = self.bench.step_chunk(self.budget);
        let t1 = now_ms();
        self.busy_ms += t1 - t0;
        self.chunks += 1;
        self.budget = next_budget(self.budget, t1 - t0);
        while self.walls.len() < self.bench.results().len() {
            self.walls.push(t1 - self.run_started_ms);
            self.run_started_ms = t1;
        }
        progress
    }

    /// The finished runs, stamped with their wall time.
    pub fn finish(self, cancelled: bool) -> Outcome {
        let error = self.bench.error().map(str::to_string);
        let progress = self.bench.progress();
        let warmup = self.bench.params().warmup_s;
        let elapsed_ms = now_ms() - self.started_ms;
        let mut suite = self.bench.finish();
        for (run, wall) in suite.runs.iter_mut().zip(&self.walls) {
            run.wall_ms = Some(*wall);
        }
        let simulated_s = suite.runs.iter().map(|r| r.duration_s + warmup).sum();
        Outcome {
            suite,
            timing: Timing {
                elapsed_ms,
                busy_ms: self.busy_ms,
                chunks: self.chunks,
                simulated_s,
            },
            cancelled,
            error,
            progress,
        }
    }
}

/// The run loop: owns the driver and the pending timer. Dropping it (or `cancel`) stops it.
/// Ticks are zero-delay timeouts. A `MessageChannel` (no 4 ms clamp) was tried: in headless
/// Chromium on a loaded machine it once left 333 ms between two animation frames, so no.
pub struct Loop {
    driver: RefCell<Option<Driver>>,
    last_report_ms: std::cell::Cell<f64>,
    timer: RefCell<Option<Timeout>>,
    on_progress: Box<dyn Fn(Progress)>,
    on_done: Box<dyn Fn(Outcome)>,
}

impl Loop {
    /// Starts `driver` on the next timer tick.
    pub fn start(
        driver: Driver,
        on_progress: impl Fn(Progress) + 'static,
        on_done: impl Fn(Outcome) + 'static,
    ) -> Rc<Loop> {
        let this = Rc::new(Loop {
            driver: RefCell::new(Some(driver)),
            last_report_ms: std::cell::Cell::new(f64::NEG_INFINITY),
            timer: RefCell::new(None),
            on_progress: Box::new(on_progress),
            on_done: Box::new(on_done),
        });
        Loop::schedule(&this);
        this
    }

    fn schedule(this: &Rc<Loop>) {
        // A weak link: once the owner drops the loop, a pending tick finds nothing to do.
        let weak = Rc::downgrade(this);
        let timer = Timeout::new(0, move || {
            if let Some(this) = weak.upgrade() {
                Loop::tick(&this);
            }
        });
        *this.timer.borrow_mut() = Some(timer);
    }

    fn tick(this: &Rc<Loop>) {
        let progress = {
            let mut slot = this.driver.borrow_mut();
            match slot.as_mut() {
                Some(driver) => driver.chunk(),
                None => return,
            }
        };
        if progress.done {
            let driver = this.driver.borrow_mut().take();
            if let Some(driver) = driver {
                (this.on_done)(driver.finish(false));
            }
        } else {
            let now = now_ms();
            if now - this.last_report_ms.get() >= PROGRESS_EVERY_MS {
                this.last_report_ms.set(now);
                (this.on_progress)(progress);
            }
            Loop::schedule(this);
        }
    }

    /// Stops the loop and reports the runs that had finished.
    pub fn cancel(&self) {
        self.timer.borrow_mut().take();
        let driver = self.driver.borrow_mut().take();
        if let Some(driver) = driver {
            (self.on_done)(driver.finish(true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn timing_ratios_handle_empty_runs() {
        let t = Timing::default();
        assert_eq!(t.sim_per_wall(), 0.0);
        assert_eq!(t.mean_chunk_ms(), 0.0);
        let t = Timing {
            elapsed_ms: 2_000.0,
            busy_ms: 100.0,
            chunks: 10,
            simulated_s: 61.0,
        };
        assert_eq!(t.sim_per_wall(), 30.5);
        assert_eq!(t.mean_chunk_ms(), 10.0);
    }
}
