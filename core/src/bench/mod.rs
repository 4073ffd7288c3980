//! Benchmarks in simulated time: result types ([`result`]), the HDR-histogram [`metrics::Recorder`],
//! and CSV export ([`export`]). See lib.rs for the module map.

pub mod export;
pub mod metrics;
pub mod result;

#[cfg(test)]
mod tests;

pub use export::{parse_csv, series_csv, to_csv};
pub use metrics::Recorder;
pub use result::*;
