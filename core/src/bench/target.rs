//! What the generic runner asks of a service's benchmark: one run (one `nodes × clients`
//! combination) that it can advance a budget of events at a time and then turn into a result.
//! Which service runs a scenario is the scenario's business (`ScenarioKind::service`); the
//! service registry (`services::bench_run`) builds the driver. The runner names no service.

use super::result::BenchResult;

pub trait RunDriver {
    /// Process about `budget` simulator events.
    fn step(&mut self, budget: u64);
    fn done(&self) -> bool;
    /// Share of this run done, 0..=1.
    fn fraction(&self) -> f64;
    /// Simulator events processed so far.
    fn events(&self) -> u64;
    fn finish(self: Box<Self>) -> BenchResult;
}
