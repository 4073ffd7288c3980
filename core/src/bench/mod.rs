//! Benchmarks in simulated time: scenarios ([`scenario`]) run by a chunked runner
//! ([`runner::BenchRun`]), measured by an HDR-histogram [`metrics::Recorder`] into serde result
//! types ([`result`]), exported as CSV ([`export`]) or JSON. See lib.rs for the module map.

pub mod export;
pub(crate) mod fault;
pub mod form;
pub mod metrics;
pub mod open_loop;
pub mod outcome;
pub mod params;
pub mod result;
pub mod runner;
pub mod scenario;
pub mod target;

#[cfg(test)]
mod scenario_tests;
#[cfg(test)]
mod tests;

pub use export::{parse_csv, series_csv, to_csv};
pub use form::{Field, Form, FormErrors, Input};
pub use metrics::Recorder;
pub use outcome::{ChartSvg, Outcome, Timing};
pub use params::{
    FieldError, GENERIC_PARAM_KEYS, MAX_CLIENTS, MAX_DURATION_S, MAX_RUNS, PARAM_KEYS,
};
pub use result::*;
pub use runner::{run_suite, BenchRun, Progress};
pub use scenario::{FaultAction, FaultPlan, FaultTarget, RunSpec, ScenarioKind, ScenarioParams};
