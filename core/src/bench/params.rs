//! Checking and editing scenario parameters: `validate` (clear messages naming the field and
//! its allowed range) and `set` (one `key = value` from a CLI flag or a UI form field).

use super::scenario::{FaultAction, FaultPlan, FaultTarget, ScenarioParams};
use crate::net::NetProfile;
use crate::sim::{MAX_ACTORS, MAX_CPU_SERVICE_US, MAX_SERVERS};

/// The generic keys of [`ScenarioParams::set`] (CLI flags without the leading `--`); each
/// service adds its own (see [`PARAM_KEYS`]).
pub const GENERIC_PARAM_KEYS: &[(&str, &str)] = &[
    ("seed", "PRNG seed (u64)"),
    (
        "profile",
        "network profile: localhost, lan, datacenter, wan, flaky",
    ),
    ("nodes", "cluster sizes, comma separated, e.g. 1,3,5"),
    ("clients", "client counts, comma separated, e.g. 10,50,100"),
    ("duration", "measured simulated seconds"),
    ("warmup", "simulated seconds before measurement"),
    (
        "ops",
        "operations per client (a lock's acquire/release pair counts as one), or `none`",
    ),
    ("cpu-us", "server CPU service time per message, µs"),
    ("fault", "none, crash, isolate or pause"),
    ("fault-target", "n<k> (e.g. n2), leader or follower"),
    ("fault-at", "fault time, seconds after measurement starts"),
    (
        "fault-until",
        "when the fault is undone, seconds, or `never`",
    ),
];

pub const MAX_CLIENTS: usize = 400;
pub const MAX_RUNS: usize = 20;
pub const MAX_DURATION_S: f64 = 3600.0;

/// Every key `ScenarioParams::set` accepts, with its help text: the generic ones, then every
/// service's (built once, on first use).
pub static PARAM_KEYS: std::sync::LazyLock<Vec<(&'static str, &'static str)>> =
    std::sync::LazyLock::new(|| {
        GENERIC_PARAM_KEYS
            .iter()
            .chain(crate::services::BenchParams::all_keys())
            .copied()
            .collect()
    });

/// One `--key value` being parsed, with the parsers every parameter set shares. Errors name the
/// key and the value.
pub struct ParamText<'a> {
    pub key: &'a str,
    pub value: &'a str,
}

impl ParamText<'_> {
    pub fn bad(&self, what: &str) -> String {
        format!("--{}: `{}` is not {what}", self.key, self.value)
    }
    pub fn num(&self, what: &str) -> Result<u64, String> {
        self.value.trim().parse::<u64>().map_err(|_| self.bad(what))
    }
    pub fn float(&self, what: &str) -> Result<f64, String> {
        // `parse::<f64>`, without its 10 KB table in the page (see `base::float`).
        crate::base::float::parse_f64(self.value.trim())
            .filter(|x| x.is_finite())
            .ok_or_else(|| self.bad(what))
    }
    /// Comma-separated finite numbers (e.g. rates).
    pub fn float_list(&self, what: &str) -> Result<Vec<f64>, String> {
        self.value
            .trim()
            .split(',')
            .map(|p| {
                crate::base::float::parse_f64(p.trim())
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| self.bad(what))
            })
            .collect()
    }
    pub fn list(&self) -> Result<Vec<usize>, String> {
        self.value
            .trim()
            .split(',')
            .map(|p| {
                p.trim()
                    .parse::<usize>()
                    .map_err(|_| self.bad("a comma-separated list of counts"))
            })
            .collect()
    }
    /// `lo-hi` or one value, in ms.
    pub fn range(&self) -> Result<(u64, u64), String> {
        let v = self.value.trim();
        let (a, b) = v.split_once('-').unwrap_or((v, v));
        let p = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| self.bad("`lo-hi` in ms"))
        };
        Ok((p(a)?, p(b)?))
    }
}

/// One problem with the parameters: the field it belongs to (a `set` key), if any, and what is
/// wrong, in words that make sense next to that field.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(k) => write!(f, "{k}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl ScenarioParams {
    /// Checks every field; the message names the field and the allowed range.
    pub fn validate(&self) -> Result<(), String> {
        match self.validate_fields().into_iter().next() {
            Some(e) => Err(e.to_string()),
            None => Ok(()),
        }
    }

    /// Every problem at once, each attributed to its field (for forms).
    pub fn validate_fields(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let mut bad = |field: Option<&str>, message: String| {
            out.push(FieldError {
                field: field.map(str::to_string),
                message,
            })
        };
        if self.nodes.is_empty() {
            bad(Some("nodes"), "give at least one node count".into());
        }
        if self.clients.is_empty() {
            bad(Some("clients"), "give at least one client count".into());
        }
        if let Some(&n) = self
            .nodes
            .iter()
            .find(|&&n| !(1..=MAX_SERVERS).contains(&n))
        {
            bad(Some("nodes"), format!("{n} is outside 1..={MAX_SERVERS}"));
        }
        let max_clients = MAX_CLIENTS.min(MAX_ACTORS - MAX_SERVERS);
        if let Some(&c) = self
            .clients
            .iter()
            .find(|&&c| !(1..=max_clients).contains(&c))
        {
            bad(Some("clients"), format!("{c} is outside 1..={max_clients}"));
        }
        let variants = self.service.variants().len();
        let runs = self.nodes.len() * self.clients.len() * variants.max(1);
        if runs > MAX_RUNS {
            let axes = match self.service.variant_axis() {
                Some(axis) if variants > 0 => format!("nodes × clients × {axis}"),
                _ => "nodes × clients".to_string(),
            };
            bad(
                None,
                format!("{runs} runs ({axes}) requested; the limit is {MAX_RUNS}"),
            );
        }
        if !(self.duration_s > 0.0 && self.duration_s <= MAX_DURATION_S) {
            bad(
                Some("duration"),
                format!("{} s is outside (0, {MAX_DURATION_S}]", self.duration_s),
            );
        }
        if !(0.0..=60.0).contains(&self.warmup_s) {
            bad(
                Some("warmup"),
                format!("{} s is outside 0..=60", self.warmup_s),
            );
        }
        if self.ops_per_client == Some(0) {
            bad(
                Some("ops"),
                "give at least 1 pair per client, or `none`".into(),
            );
        }
        if self.cpu_service_us > MAX_CPU_SERVICE_US {
            bad(
                Some("cpu-us"),
                format!("{} exceeds {MAX_CPU_SERVICE_US}", self.cpu_service_us),
            );
        }
        if let Some(f) = &self.fault {
            if let Some((field, message)) = self.fault_problem(f) {
                bad(Some(field), message);
            }
        }
        self.service.validate_fields(&mut out);
        out
    }

    fn fault_problem(&self, f: &FaultPlan) -> Option<(&'static str, String)> {
        let smallest = self.nodes.iter().copied().min().unwrap_or(1);
        if !(f.at_s >= 0.0 && f.at_s < self.duration_s) {
            return Some((
                "fault-at",
                format!(
                    "{} s must be inside the measured {} s",
                    f.at_s, self.duration_s
                ),
            ));
        }
        if let Some(u) = f.until_s {
            if u.is_nan() || u <= f.at_s {
                return Some((
                    "fault-until",
                    format!("{u} s must come after fault-at {} s", f.at_s),
                ));
            }
        }
        match f.target {
            FaultTarget::Leader | FaultTarget::Follower if self.scenario.service() == "cache" => {
                Some((
                    "fault-target",
                    "the cache has no leader or followers (every node is the home of its own \
                     keys): name a node, e.g. n2"
                        .into(),
                ))
            }
            FaultTarget::Node(k) if k == 0 || k > smallest => Some((
                "fault-target",
                format!("n{k} does not exist in a {smallest}-node cluster"),
            )),
            FaultTarget::Follower if smallest < 2 => {
                Some(("fault-target", "a 1-node cluster has no follower".into()))
            }
            FaultTarget::Leader | FaultTarget::Follower | FaultTarget::Node(_)
                if f.action == FaultAction::Isolate && smallest < 2 =>
            {
                Some(("fault", "isolating a node needs at least 2 nodes".into()))
            }
            _ => None,
        }
    }

    /// Set one parameter from text (CLI flag or form field). Errors name the key and value.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let t = ParamText { key, value };
        let v = value.trim();
        let bad = |what: &str| t.bad(what);
        let num = |what: &str| t.num(what);
        let float = |what: &str| t.float(what);
        let list = || t.list();
        match key {
            "seed" => self.seed = num("an unsigned integer")?,
            "profile" => self.profile = NetProfile::parse(v).map_err(|e| e.0)?,
            "nodes" => self.nodes = list()?,
            "clients" => self.clients = list()?,
            "duration" => self.duration_s = float("a number of seconds")?,
            "warmup" => self.warmup_s = float("a number of seconds")?,
            "ops" if v == "none" => self.ops_per_client = None,
            "ops" => self.ops_per_client = Some(num("a count or `none`")?),
            "cpu-us" => self.cpu_service_us = num("microseconds")?,
            "fault" => {
                let action = match v {
                    "none" => {
                        self.fault = None;
                        return Ok(());
                    }
                    "crash" | "stop" => FaultAction::Crash,
                    "isolate" => FaultAction::Isolate,
                    "pause" => FaultAction::Pause,
                    _ => return Err(bad("none, crash, isolate or pause")),
                };
                self.fault_mut().action = action;
            }
            "fault-target" => {
                let target = match v {
                    "leader" => FaultTarget::Leader,
                    "follower" => FaultTarget::Follower,
                    _ => v
                        .strip_prefix('n')
                        .and_then(|k| k.parse().ok())
                        .map(FaultTarget::Node)
                        .ok_or_else(|| bad("n<k>, leader or follower"))?,
                };
                self.fault_mut().target = target;
            }
            "fault-at" => self.fault_mut().at_s = float("a number of seconds")?,
            "fault-until" if v == "never" => self.fault_mut().until_s = None,
            "fault-until" => self.fault_mut().until_s = Some(float("seconds or `never`")?),
            _ => {
                if let Some(r) = self.service.set(&t) {
                    return r;
                }
                let keys: Vec<&str> = PARAM_KEYS.iter().map(|k| k.0).collect();
                return Err(format!(
                    "unknown parameter `{key}`; known: {}",
                    keys.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The fault plan, created with the node-failure defaults if there is none yet.
    fn fault_mut(&mut self) -> &mut FaultPlan {
        self.fault.get_or_insert(FaultPlan {
            target: FaultTarget::Node(2),
            action: FaultAction::Crash,
            at_s: (self.duration_s / 4.0).floor(),
            until_s: None,
        })
    }
}
