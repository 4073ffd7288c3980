//! What a host measured around a suite and drew of it. The core has no clock, so the wall-clock
//! figures come from the host: in the browser, the lab worker (`lab/`) that runs the suite. The
//! page and that worker exchange these as JSON, so both sides share one definition.

use serde::{Deserialize, Serialize};

use super::result::Suite;
use super::runner::Progress;

/// Wall-clock figures of a finished (or cancelled) suite.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// From the start of the suite to its last chunk, yields between chunks included.
    pub elapsed_ms: f64,
    /// Time spent inside `BenchRun::step_chunk` only.
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

/// A chart of a suite, drawn as an SVG document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartSvg {
    /// The chart's id, also its export file name (without extension).
    pub id: String,
    pub title: String,
    /// One line under the chart: what it shows.
    pub description: String,
    pub svg: String,
}

/// How a suite ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub suite: Suite,
    pub timing: Timing,
    /// Set when the user cancelled (the suite then holds the runs that had finished).
    pub cancelled: bool,
    /// Set when a later run of the suite could not be built.
    pub error: Option<String>,
    /// Where the suite stood when it ended (the progress bar's last state).
    pub progress: Progress,
    /// The suite's charts, in the charts crate's order (only those with data).
    pub charts: Vec<ChartSvg>,
    /// The suite's files as `(name, text)`, written where the suite ran: `results.json`,
    /// `results.csv`, `series.csv`. The page exports these rather than writing them again from
    /// what it parsed and shows, so one place writes every result file, as the CLI does.
    pub exports: Vec<(String, String)>,
}

impl Outcome {
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parsed through `serde_json::Value`, as the page's other JSON: one parser in the `.wasm`
    /// (docs/size.md).
    pub fn from_json(text: &str) -> Result<Outcome, String> {
        serde_json::from_str(text)
            .and_then(serde_json::from_value)
            .map_err(|e| format!("the benchmark worker's answer could not be read: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn an_outcome_survives_its_json_round_trip() {
        let o = Outcome {
            suite: Suite {
                name: "s".into(),
                runs: Vec::new(),
            },
            timing: Timing {
                elapsed_ms: 1.5,
                busy_ms: 0.1,
                chunks: 3,
                simulated_s: 18.066666666666666,
            },
            cancelled: true,
            error: Some("x".into()),
            progress: Progress {
                done: false,
                fraction: 0.25,
                run: 1,
                runs: 4,
                label: "3 nodes".into(),
                events: 99,
            },
            charts: vec![ChartSvg {
                id: "a".into(),
                title: "A".into(),
                description: "d".into(),
                svg: "<svg/>".into(),
            }],
            exports: vec![("results.json".into(), "{}".into())],
        };
        assert_eq!(Outcome::from_json(&o.to_json()), Ok(o));
        assert!(Outcome::from_json("{}")
            .unwrap_err()
            .contains("could not be read"));
    }
}
