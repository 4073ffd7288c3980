//! Simulation settings, their limits and the kernel's error type. Validation lives here so that a
//! bad setting from the UI, a URL or a file becomes a message instead of a panic.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Time;
use crate::net::{ConfigError, LinkConfig, NetProfile};

/// Most server nodes a simulation may have (the UI draws them on a circle).
pub const MAX_SERVERS: usize = 16;
/// Most actors (servers plus simulated clients).
pub const MAX_ACTORS: usize = 512;
/// Largest CPU service time per message (one second); more is a unit mistake.
pub const MAX_CPU_SERVICE_US: Time = 1_000_000;
/// Largest trace ring buffer.
pub const MAX_TRACE_CAPACITY: usize = 10_000_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Seed of the one PRNG of the run.
    pub seed: u64,
    /// Number of server nodes ("n1".."nN"); the other actors are clients.
    pub servers: usize,
    /// The link used between every pair of actors unless overridden by `Action::SetLink`.
    pub link: LinkConfig,
    /// CPU time a server spends on each message or timer; without it, throughput is infinite.
    /// Clients cost nothing.
    pub cpu_service_us: Time,
    /// How many recent trace events are kept (all of them are hashed regardless).
    pub trace_capacity: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            servers: 5,
            link: NetProfile::Localhost.link(),
            cpu_service_us: 150,
            trace_capacity: 20_000,
        }
    }
}

impl SimConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.servers == 0 {
            return Err(ConfigError(
                "a simulation needs at least 1 server node".into(),
            ));
        }
        if self.servers > MAX_SERVERS {
            return Err(ConfigError(format!(
                "{} server nodes requested; the limit is {MAX_SERVERS}",
                self.servers
            )));
        }
        if self.cpu_service_us > MAX_CPU_SERVICE_US {
            return Err(ConfigError(format!(
                "CPU service time of {} µs per message is absurd (limit {MAX_CPU_SERVICE_US} µs)",
                self.cpu_service_us
            )));
        }
        if self.trace_capacity > MAX_TRACE_CAPACITY {
            return Err(ConfigError(format!(
                "trace capacity {} exceeds the limit of {MAX_TRACE_CAPACITY} events",
                self.trace_capacity
            )));
        }
        self.link.validate()
    }
}

/// An action the simulator refused (unknown node, restart of a running node, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimError(pub String);

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SimError {}

impl From<ConfigError> for SimError {
    fn from(e: ConfigError) -> Self {
        SimError(e.0)
    }
}
