//! The cache benchmark's parameters: what the seeds' hit/miss scenario needs on top of the
//! generic ones (cluster sizes, clients, duration, network). Validated field by field, set
//! from the same `--key value` text as the CLI and the form.
//!
//! The working sets are a third axis of the suite (after nodes and clients): one run per
//! working set, so the default suite is the seeds' 3 × 3 grid.

use serde::{Deserialize, Serialize};

use super::protocol::Protocol;
use crate::bench::open_loop;
use crate::bench::params::{FieldError, ParamText};

pub const MAX_CACHE_SIZE: usize = 100_000;
pub const MAX_WORKING_SET: u64 = 1_000_000;
/// At most this many working sets in one suite.
pub const MAX_WORKING_SETS: usize = 6;
/// TTL bounds in seconds: at least one simulated millisecond, at most a day.
pub const MIN_TTL_S: f64 = 0.001;
pub const MAX_TTL_S: f64 = 86_400.0;

/// Keys of the cache scenarios, with their help text.
pub const CACHE_KEYS: &[(&str, &str)] = &[
    ("cache-size", "lines per node's cache (LRU beyond it)"),
    (
        "working-sets",
        "working-set sizes in keys, comma separated, one run each, e.g. 100,500,1000",
    ),
    (
        "write-fraction",
        "share of PUTs after the warm-up PUTs (the rest are GETs), 0..1",
    ),
    ("ttl", "TTL of every PUT, in seconds"),
    ("coherence", "coherence protocol: mesi or moesi"),
];

/// The seeds' cache hit/miss workload: every client first PUTs its share of the working set
/// (the warm-up), then runs closed-loop GETs and PUTs on keys drawn uniformly from it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CacheParams {
    /// Lines per node (the seeds' "1000-entry cache").
    pub cache_size: usize,
    /// Distinct keys the clients use, one run per entry.
    pub working_sets: Vec<u64>,
    /// Share of PUTs in the measured mix. The seeds' single-vs-distributed table is "80% read,
    /// 20% write".
    pub write_fraction: f64,
    pub ttl_s: f64,
    pub protocol: Protocol,
    /// Open loop (Maelstrom's and Jepsen's fixed arrival rate): offered loads in ops/s over
    /// all clients, one run each (a fourth axis, after the working sets). Requests leave on a
    /// Poisson schedule whether or not earlier ones were answered, so latency shows queueing
    /// that closed-loop clients hide by slowing down. Empty: closed-loop clients.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offered_rates: Vec<f64>,
}

impl Default for CacheParams {
    fn default() -> Self {
        CacheParams {
            cache_size: 1000,
            working_sets: vec![100, 500, 1000],
            write_fraction: 0.2,
            ttl_s: 3600.0,
            protocol: Protocol::Mesi,
            offered_rates: Vec::new(),
        }
    }
}

fn bad(out: &mut Vec<FieldError>, field: &str, message: String) {
    out.push(FieldError {
        field: Some(field.to_string()),
        message,
    })
}

impl CacheParams {
    /// Set one of `CACHE_KEYS`; `None` when `key` is not one of them.
    pub fn set(&mut self, t: &ParamText<'_>) -> Option<Result<(), String>> {
        let r = match t.key {
            "cache-size" => t.num("a number of lines").map(|v| {
                self.cache_size = usize::try_from(v).unwrap_or(usize::MAX);
            }),
            "working-sets" => t.list().map(|v| {
                self.working_sets = v.into_iter().map(|x| x as u64).collect();
            }),
            "write-fraction" => t.float("a fraction").map(|v| self.write_fraction = v),
            "ttl" => t.float("a number of seconds").map(|v| self.ttl_s = v),
            "coherence" => Protocol::parse(t.value.trim())
                .map(|p| self.protocol = p)
                .ok_or_else(|| t.bad("mesi or moesi")),
            "offered-rates" => open_loop::set(&mut self.offered_rates, t),
            _ => return None,
        };
        Some(r)
    }

    /// The value of `key`, written the way `set` reads it back.
    pub fn text(&self, key: &str) -> Option<String> {
        Some(match key {
            "cache-size" => self.cache_size.to_string(),
            "working-sets" => {
                let v: Vec<String> = self.working_sets.iter().map(u64::to_string).collect();
                v.join(",")
            }
            "write-fraction" => self.write_fraction.to_string(),
            "ttl" => self.ttl_s.to_string(),
            "coherence" => self.protocol.name().to_ascii_lowercase(),
            "offered-rates" => open_loop::text(&self.offered_rates),
            _ => return None,
        })
    }

    pub fn validate_fields(&self, out: &mut Vec<FieldError>) {
        if !(1..=MAX_CACHE_SIZE).contains(&self.cache_size) {
            let m = format!("{} is outside 1..={MAX_CACHE_SIZE}", self.cache_size);
            bad(out, "cache-size", m);
        }
        if self.working_sets.is_empty() || self.working_sets.len() > MAX_WORKING_SETS {
            let m = format!("give 1 to {MAX_WORKING_SETS} working-set sizes");
            bad(out, "working-sets", m);
        } else if let Some(w) = self
            .working_sets
            .iter()
            .find(|&&w| !(1..=MAX_WORKING_SET).contains(&w))
        {
            bad(
                out,
                "working-sets",
                format!("{w} is outside 1..={MAX_WORKING_SET}"),
            );
        }
        if !(0.0..=1.0).contains(&self.write_fraction) {
            let m = format!("{} is outside 0..=1", self.write_fraction);
            bad(out, "write-fraction", m);
        }
        if !(MIN_TTL_S..=MAX_TTL_S).contains(&self.ttl_s) {
            let m = format!("{} s is outside {MIN_TTL_S}..={MAX_TTL_S}", self.ttl_s);
            bad(out, "ttl", m);
        }
        open_loop::validate(&self.offered_rates, out);
    }

    /// One run per working set and offered load: their labels ("500 keys", or "500 keys,
    /// 2000 ops/s offered").
    pub fn variants(&self) -> Vec<String> {
        let rates = open_loop::axis(&self.offered_rates);
        let mut out = Vec::new();
        for w in &self.working_sets {
            let keys = format!("{w} {}", if *w == 1 { "key" } else { "keys" });
            for r in &rates {
                out.push(match r {
                    Some(r) => format!("{keys}, {}", open_loop::label(*r)),
                    None => keys.clone(),
                });
            }
        }
        out
    }

    /// These parameters narrowed to variant `i` (what one run records): working set
    /// `i / rates`, offered load `i % rates`.
    pub fn for_variant(&self, i: usize) -> CacheParams {
        let rates = open_loop::axis(&self.offered_rates).len();
        CacheParams {
            working_sets: self
                .working_sets
                .get(i / rates)
                .map(|&w| vec![w])
                .unwrap_or_default(),
            offered_rates: open_loop::narrow(&self.offered_rates, i % rates),
            ..self.clone()
        }
    }
}
