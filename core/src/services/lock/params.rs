//! The lock service's benchmark parameters: what its workload needs on top of the generic
//! scenario (cluster sizes, clients, duration, faults). Validated field by field, set from the
//! same `--key value` text as the CLI and the form.

use serde::{Deserialize, Serialize};

use crate::bench::open_loop;
use crate::bench::params::{FieldError, ParamText};
use crate::bench::ScenarioKind;

pub const MAX_RESOURCES: usize = 1000;

/// Keys this service adds to `ScenarioParams::set`, with their help text.
pub const KEYS: &[(&str, &str)] = &[
    ("resources", "number of lock resources"),
    ("shared", "fraction of shared acquires, 0..1"),
    ("think-ms", "think time range in ms, `lo-hi` or one value"),
    ("hold-ms", "hold time range in ms, `lo-hi` or one value"),
    ("wait-timeout-ms", "acquire wait timeout in ms"),
    ("lease-ms", "lease length in ms (0 = none)"),
];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LockParams {
    pub resources: usize,
    /// Probability that an acquire is shared, in [0, 1].
    pub shared_fraction: f64,
    /// Client think time before each acquire, uniform in `[lo, hi)` ms.
    pub think_ms: (u64, u64),
    /// How long a granted lock is held, uniform in `[lo, hi)` ms.
    pub hold_ms: (u64, u64),
    pub wait_timeout_ms: u64,
    pub lease_ms: u64,
    /// Open loop (`bench::open_loop`): acquire/release cycles start at these offered loads,
    /// acquires per second over all clients, one run each; the think time is then unused.
    /// Empty: closed-loop clients.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offered_rates: Vec<f64>,
}

impl LockParams {
    /// The seeds' defaults for `kind`.
    pub fn defaults(kind: ScenarioKind) -> Self {
        let base = LockParams {
            resources: 5,
            shared_fraction: 0.5,
            think_ms: (0, 20),
            hold_ms: (5, 30),
            wait_timeout_ms: 2_000,
            lease_ms: 5_000,
            offered_rates: Vec::new(),
        };
        match kind {
            ScenarioKind::QuickLocks => LockParams {
                resources: 1,
                shared_fraction: 0.0,
                think_ms: (0, 0),
                hold_ms: (0, 0),
                ..base
            },
            _ => base,
        }
    }

    /// Set one of `KEYS`; `None` when `key` is not this service's.
    pub fn set(&mut self, t: &ParamText<'_>) -> Option<Result<(), String>> {
        let r = match t.key {
            "resources" => t.num("a count").map(|v| self.resources = v as usize),
            "shared" => t.float("a fraction").map(|v| self.shared_fraction = v),
            "think-ms" => t.range().map(|v| self.think_ms = v),
            "hold-ms" => t.range().map(|v| self.hold_ms = v),
            "wait-timeout-ms" => t.num("milliseconds").map(|v| self.wait_timeout_ms = v),
            "lease-ms" => t.num("milliseconds").map(|v| self.lease_ms = v),
            "offered-rates" => open_loop::set(&mut self.offered_rates, t),
            _ => return None,
        };
        Some(r)
    }

    /// `params`' value for `key`, written the way `set` reads it back.
    pub fn text(&self, key: &str) -> Option<String> {
        let range = |&(lo, hi): &(u64, u64)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}-{hi}")
            }
        };
        Some(match key {
            "resources" => self.resources.to_string(),
            "shared" => self.shared_fraction.to_string(),
            "think-ms" => range(&self.think_ms),
            "hold-ms" => range(&self.hold_ms),
            "wait-timeout-ms" => self.wait_timeout_ms.to_string(),
            "lease-ms" => self.lease_ms.to_string(),
            "offered-rates" => open_loop::text(&self.offered_rates),
            _ => return None,
        })
    }

    pub fn validate_fields(&self, out: &mut Vec<FieldError>) {
        let mut bad = |field: &str, message: String| {
            out.push(FieldError {
                field: Some(field.to_string()),
                message,
            })
        };
        if !(1..=MAX_RESOURCES).contains(&self.resources) {
            bad(
                "resources",
                format!("{} is outside 1..={MAX_RESOURCES}", self.resources),
            );
        }
        if !(0.0..=1.0).contains(&self.shared_fraction) {
            bad(
                "shared",
                format!("{} is not a fraction in 0..1", self.shared_fraction),
            );
        }
        for (name, (lo, hi)) in [("think-ms", self.think_ms), ("hold-ms", self.hold_ms)] {
            if lo > hi || hi > 60_000 {
                bad(name, format!("{lo}-{hi} must satisfy lo <= hi <= 60000"));
            }
        }
        if self.wait_timeout_ms > 600_000 {
            bad("wait-timeout-ms", "must be <= 600000".into());
        }
        if self.lease_ms > 3_600_000 {
            bad("lease-ms", "must be <= 3600000".into());
        }
        open_loop::validate(&self.offered_rates, out);
    }

    /// One run per offered load (their labels); none in closed loop.
    pub fn variants(&self) -> Vec<String> {
        open_loop::labels(&self.offered_rates)
    }

    /// These parameters narrowed to variant `i` (one offered load).
    pub fn for_variant(&self, i: usize) -> LockParams {
        LockParams {
            offered_rates: open_loop::narrow(&self.offered_rates, i),
            ..self.clone()
        }
    }
}
