//! One directed link's configuration and the latency sampler. Kept separate from the simulator so
//! that the UI and the benchmarks can validate and describe links without running anything.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::base::math::ln_portable;
use crate::base::{SimRng, Time};

/// Latencies (base, jitter bound or mean) above one minute are rejected as absurd: they are
/// almost certainly a unit mistake (ms or ns typed as µs).
pub const MAX_LATENCY_US: Time = 60_000_000;

/// Exponential jitter samples are capped at this multiple of the mean, so one unlucky draw cannot
/// hold a message for an unbounded time (and the tail stays testable).
pub const EXP_JITTER_CAP: f64 = 20.0;

/// A configuration value that cannot be used, with a message meant for the user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The random part of a link's latency, added to `base_latency_us`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Jitter {
    /// No jitter: every message takes exactly the base latency (so no reordering).
    Constant,
    /// Uniform in `[0, max_us]`.
    Uniform { max_us: Time },
    /// Exponential with the given mean, capped at `EXP_JITTER_CAP` × mean.
    Exponential { mean_us: Time },
}

/// The behaviour of one directed link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkConfig {
    pub base_latency_us: Time,
    pub jitter: Jitter,
    /// Probability that a message is lost, in `[0, 1]`.
    pub loss: f64,
    /// Probability that a message is delivered twice (the copy has its own latency), in `[0, 1]`.
    pub duplicate: f64,
    /// Serialisation rate of the link; `None` means infinite bandwidth.
    pub bandwidth_bytes_per_sec: Option<u64>,
}

impl Default for LinkConfig {
    fn default() -> Self {
        super::NetProfile::Localhost.link()
    }
}

fn check_probability(name: &str, p: f64) -> Result<(), ConfigError> {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return Err(ConfigError(format!(
            "{name} probability must be between 0 and 1, got {}",
            crate::base::decimal::Short(p, 6)
        )));
    }
    Ok(())
}

fn check_latency(name: &str, us: Time) -> Result<(), ConfigError> {
    if us > MAX_LATENCY_US {
        return Err(ConfigError(format!(
            "{name} of {us} µs is absurd (limit {MAX_LATENCY_US} µs = 60 s); latencies are in microseconds"
        )));
    }
    Ok(())
}

impl LinkConfig {
    /// A link with a fixed latency and nothing else: handy in tests.
    pub fn constant(latency_us: Time) -> Self {
        LinkConfig {
            base_latency_us: latency_us,
            jitter: Jitter::Constant,
            loss: 0.0,
            duplicate: 0.0,
            bandwidth_bytes_per_sec: None,
        }
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        check_probability("loss", self.loss)?;
        check_probability("duplicate", self.duplicate)?;
        check_latency("base latency", self.base_latency_us)?;
        match self.jitter {
            Jitter::Constant => {}
            Jitter::Uniform { max_us } => check_latency("uniform jitter maximum", max_us)?,
            Jitter::Exponential { mean_us } => check_latency("exponential jitter mean", mean_us)?,
        }
        if self.bandwidth_bytes_per_sec == Some(0) {
            return Err(ConfigError(
                "bandwidth must be at least 1 byte/s (use none for unlimited)".into(),
            ));
        }
        Ok(())
    }

    /// Propagation delay of one message: base plus one jitter sample. Draws from `rng` only when
    /// the jitter is random, so a constant link consumes no randomness.
    pub fn sample_latency(&self, rng: &mut SimRng) -> Time {
        let jitter = match self.jitter {
            Jitter::Constant => 0,
            Jitter::Uniform { max_us } => rng.range_u64(0, max_us.saturating_add(1)),
            Jitter::Exponential { mean_us } => {
                if mean_us == 0 {
                    0
                } else {
                    // Inverse CDF: -mean·ln(1-u). `1-u` is in (0, 1], so ln is finite.
                    let u = rng.unit_f64();
                    let x = -(mean_us as f64) * ln_portable(1.0 - u);
                    x.min(EXP_JITTER_CAP * mean_us as f64) as Time
                }
            }
        };
        self.base_latency_us.saturating_add(jitter)
    }

    /// Time to push `size_bytes` onto the wire (0 with unlimited bandwidth), rounded up.
    pub fn transmit_time(&self, size_bytes: u32) -> Time {
        match self.bandwidth_bytes_per_sec {
            None => 0,
            Some(bw) => (size_bytes as u64 * 1_000_000).div_ceil(bw.max(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_rejects_bad_values_with_messages() {
        let mut l = LinkConfig::constant(1000);
        assert!(l.validate().is_ok());
        l.loss = 1.5;
        assert!(l.validate().unwrap_err().0.contains("loss"));
        l.loss = f64::NAN;
        assert!(l.validate().is_err());
        l.loss = 0.0;
        l.duplicate = -0.1;
        assert!(l.validate().unwrap_err().0.contains("duplicate"));
        l.duplicate = 0.0;
        l.base_latency_us = MAX_LATENCY_US + 1;
        assert!(l.validate().unwrap_err().0.contains("absurd"));
        l.base_latency_us = 1;
        l.bandwidth_bytes_per_sec = Some(0);
        assert!(l.validate().unwrap_err().0.contains("bandwidth"));
    }

    #[test]
    fn transmit_time_rounds_up() {
        let mut l = LinkConfig::constant(0);
        assert_eq!(l.transmit_time(1000), 0);
        l.bandwidth_bytes_per_sec = Some(1_000_000);
        assert_eq!(l.transmit_time(1000), 1000);
        l.bandwidth_bytes_per_sec = Some(3_000_000);
        assert_eq!(l.transmit_time(1), 1);
    }
}
