//! Named network profiles, so the UI, the URL and the benchmarks can say "wan" instead of five
//! numbers. Localhost is the default because the seeds measured a docker-on-localhost cluster.
//! It is calibrated on the seeds' own measurement: a cache PUT or GET, one HTTP round trip on
//! that cluster, took about 3.2 ms, and a lock operation (a round trip plus a Raft round) about
//! 6.3 ms at p50. Two hops of 1–2 ms (mean 1.5 ms) give 3 ms; four give 6 ms.

use serde::{Deserialize, Serialize};

use super::{ConfigError, Jitter, LinkConfig};
use crate::base::MS;

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum NetProfile {
    #[default]
    Localhost,
    Lan,
    Datacenter,
    Wan,
    Flaky,
    /// Slow enough to watch: a hop takes 22–34 ms, 15–23 % of the 150 ms minimum election
    /// timeout (RaftScope shows messages at about 10–20 %). The page's default; the benchmarks
    /// keep their own profiles.
    Teaching,
}

impl NetProfile {
    pub const ALL: [NetProfile; 6] = [
        NetProfile::Teaching,
        NetProfile::Localhost,
        NetProfile::Lan,
        NetProfile::Datacenter,
        NetProfile::Wan,
        NetProfile::Flaky,
    ];

    pub fn name(self) -> &'static str {
        match self {
            NetProfile::Localhost => "localhost",
            NetProfile::Lan => "lan",
            NetProfile::Datacenter => "datacenter",
            NetProfile::Wan => "wan",
            NetProfile::Flaky => "flaky",
            NetProfile::Teaching => "teaching",
        }
    }

    /// Case-insensitive; the error lists the valid names.
    pub fn parse(s: &str) -> Result<Self, ConfigError> {
        let wanted = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|p| p.name() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|p| p.name()).collect();
                ConfigError(format!(
                    "unknown network profile `{s}`; expected one of: {}",
                    names.join(", ")
                ))
            })
    }

    pub fn link(self) -> LinkConfig {
        let (base, jitter, loss, duplicate) = match self {
            NetProfile::Localhost => (MS, Jitter::Uniform { max_us: MS }, 0.0, 0.0),
            NetProfile::Lan => (500, Jitter::Uniform { max_us: 1500 }, 0.0, 0.0),
            NetProfile::Datacenter => (100, Jitter::Uniform { max_us: 400 }, 0.0, 0.0),
            NetProfile::Wan => (30 * MS, Jitter::Uniform { max_us: 50 * MS }, 0.0, 0.0),
            NetProfile::Flaky => (500, Jitter::Exponential { mean_us: MS }, 0.05, 0.01),
            NetProfile::Teaching => (22 * MS, Jitter::Uniform { max_us: 12 * MS }, 0.0, 0.0),
        };
        LinkConfig {
            base_latency_us: base,
            jitter,
            loss,
            duplicate,
            bandwidth_bytes_per_sec: None,
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            NetProfile::Localhost => {
                "docker on one host, as in the seeds: 1–2 ms per hop (1 ms + uniform 0–1 ms)"
            }
            NetProfile::Lan => "local network: 0.5–2 ms per hop (0.5 ms + uniform 0–1.5 ms)",
            NetProfile::Datacenter => {
                "one datacenter: 0.1–0.5 ms per hop (0.1 ms + uniform 0–0.4 ms)"
            }
            NetProfile::Wan => "across regions: 30–80 ms per hop (30 ms + uniform 0–50 ms)",
            NetProfile::Flaky => {
                "lossy LAN: 0.5 ms + exponential jitter (mean 1 ms), 5% loss, 1% duplication"
            }
            NetProfile::Teaching => {
                "teaching pace: 22–34 ms per hop, 15–23% of the election timeout, so every message can be watched"
            }
        }
    }
}

impl std::fmt::Display for NetProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_links_are_valid() {
        for p in NetProfile::ALL {
            assert_eq!(NetProfile::parse(p.name()).unwrap(), p);
            p.link().validate().unwrap();
            assert!(!p.description().is_empty());
        }
        assert_eq!(NetProfile::parse(" WAN ").unwrap(), NetProfile::Wan);
        let err = NetProfile::parse("moon").unwrap_err();
        assert!(err.0.contains("moon") && err.0.contains("localhost"));
        assert_eq!(NetProfile::default(), NetProfile::Localhost);
    }

    /// A teaching hop is a visible 10–25 % of the Raft election timeout (RaftScope: 10–20 %).
    #[test]
    fn a_teaching_hop_is_a_visible_fraction_of_the_election_timeout() {
        let link = NetProfile::Teaching.link();
        let et = crate::raft::RaftConfig::default().election_min as f64;
        let Jitter::Uniform { max_us } = link.jitter else {
            panic!("uniform jitter")
        };
        let (lo, hi) = (
            link.base_latency_us as f64,
            (link.base_latency_us + max_us) as f64,
        );
        assert!(lo / et >= 0.10 && hi / et <= 0.25, "{lo} {hi} {et}");
    }
}
