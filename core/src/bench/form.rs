//! The benchmark form's model, for any UI: which fields exist (with labels and choices), their
//! text, and the parameters they describe or the problems with them, as `(field, message)`
//! pairs. It uses the same setter and validator as the CLI, so the form accepts exactly what
//! the CLI accepts, and the UI only renders it.

use crate::base::sorted::SortedMap;

use serde::{Deserialize, Serialize};

use super::params::FieldError;
use super::{FaultAction, FaultTarget, ScenarioKind, ScenarioParams};
use crate::net::NetProfile;

/// How a field is edited.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Input {
    Text,
    /// A fixed set of choices.
    Select(&'static [&'static str]),
}

/// One form field: a `ScenarioParams::set` key with a human label.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub input: Input,
}

/// Network profile choices (`NetProfile::ALL` but the page's teaching pace, by name; a test
/// keeps them in step).
pub const PROFILES: &[&str] = &["localhost", "lan", "datacenter", "wan", "flaky"];
/// Coherence protocol choices (`Protocol::parse` reads them; a test keeps them in step).
pub const COHERENCE: &[&str] = &["mesi", "moesi"];
/// Fault choices: none, or a `FaultAction` (a test keeps them in step with `set("fault")`).
pub const FAULTS: &[&str] = &["none", "crash", "isolate", "pause"];

const fn text(key: &'static str, label: &'static str) -> Field {
    Field {
        key,
        label,
        input: Input::Text,
    }
}

/// Always shown.
pub const MAIN_FIELDS: &[Field] = &[
    text("seed", "Seed"),
    text("clients", "Clients"),
    text("nodes", "Nodes"),
    text("duration", "Duration (s)"),
    text("resources", "Resources"),
    text("shared", "Shared fraction"),
    text("message-bytes", "Message size (bytes)"),
    text("vnodes", "Vnodes per node"),
    text("ring-keys", "Sample keys"),
    text("cache-size", "Cache size (lines per node)"),
    text("working-sets", "Working sets (keys)"),
    Field {
        key: "profile",
        label: "Network",
        input: Input::Select(PROFILES),
    },
    Field {
        key: "fault",
        label: "Fault",
        input: Input::Select(FAULTS),
    },
];

/// Shown only when a fault is chosen.
pub const FAULT_FIELDS: &[Field] = &[
    text("fault-target", "Fault target"),
    text("fault-at", "Fault at (s)"),
    text("fault-until", "Fault until (s)"),
];

/// Behind an "Advanced" disclosure.
pub const ADVANCED_FIELDS: &[Field] = &[
    text("warmup", "Warm-up (s)"),
    text("ops", "Ops per client"),
    text("offered-rates", "Offered loads (ops/s, open loop)"),
    text("think-ms", "Think time (ms)"),
    text("hold-ms", "Hold time (ms)"),
    text("wait-timeout-ms", "Wait timeout (ms)"),
    text("lease-ms", "Lease (ms)"),
    text("keys", "Routing keys"),
    text("consumer-think-ms", "Consumer think time (ms)"),
    text("drain", "Drain limit (s)"),
    text("write-fraction", "PUT fraction"),
    text("ttl", "TTL (s)"),
    Field {
        key: "coherence",
        label: "Coherence protocol",
        input: Input::Select(COHERENCE),
    },
    text("cpu-us", "CPU per message (µs)"),
];

/// Whether scenario `kind` reads parameter `key`: every generic one for a simulated
/// scenario (but no fault plan for queue throughput or cache hit/miss), only the cluster sizes for the ring-quality
/// table, and the scenario's own service keys.
pub fn shows(kind: ScenarioKind, key: &str) -> bool {
    let generic = super::GENERIC_PARAM_KEYS.iter().any(|(k, _)| *k == key);
    match kind {
        _ if !generic => crate::services::BenchParams::defaults(kind).owns(key),
        ScenarioKind::RingQuality => key == "nodes",
        // The fault plan belongs to the node-failure scenarios (the runs accept one anyway:
        // the CLI can still set it).
        ScenarioKind::QueueThroughput
        | ScenarioKind::CacheHitMiss
        | ScenarioKind::CacheSingleVsDistributed => !key.starts_with("fault"),
        _ => true,
    }
}

fn join(list: &[usize]) -> String {
    list.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// `params`' value for `key`, written the way `ScenarioParams::set` reads it back.
pub fn param_text(params: &ScenarioParams, key: &str) -> String {
    let fault = params.fault.as_ref();
    match key {
        "seed" => params.seed.to_string(),
        "profile" => NetProfile::name(params.profile).to_string(),
        "nodes" => join(&params.nodes),
        "clients" => join(&params.clients),
        "duration" => params.duration_s.to_string(),
        "warmup" => params.warmup_s.to_string(),
        "ops" => params
            .ops_per_client
            .map_or("none".to_string(), |n| n.to_string()),
        "cpu-us" => params.cpu_service_us.to_string(),
        "fault" => match fault.map(|f| f.action) {
            None => "none",
            Some(FaultAction::Crash) => "crash",
            Some(FaultAction::Isolate) => "isolate",
            Some(FaultAction::Pause) => "pause",
        }
        .to_string(),
        // Without a fault these show what choosing one would start from (the core's defaults).
        "fault-target" => match fault.map_or(FaultTarget::Node(2), |f| f.target) {
            FaultTarget::Node(k) => format!("n{k}"),
            FaultTarget::Leader => "leader".to_string(),
            FaultTarget::Follower => "follower".to_string(),
        },
        "fault-at" => fault
            .map_or((params.duration_s / 4.0).floor(), |f| f.at_s)
            .to_string(),
        "fault-until" => fault
            .and_then(|f| f.until_s)
            .map_or("never".to_string(), |u| u.to_string()),
        _ => params.service.text(key).unwrap_or_default(),
    }
}

/// What is wrong with the form: `(field key, message)` pairs, and messages that concern no
/// single field (such as too many runs).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FormErrors {
    pub fields: Vec<(String, String)>,
    pub general: Vec<String>,
}

impl FormErrors {
    /// The message for one field, if it has one.
    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, m)| m.as_str())
    }
    /// Every message, field ones first, for the summary box.
    pub fn all(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .fields
            .iter()
            .map(|(k, m)| format!("{k}: {m}"))
            .collect();
        out.extend(self.general.iter().cloned());
        out
    }
    fn push(&mut self, e: FieldError) {
        match e.field {
            Some(k) if self.field(&k).is_none() => self.fields.push((k, e.message)),
            Some(_) => {}
            None => self.general.push(e.message),
        }
    }
}

/// The form's state: a scenario and the text of every field.
#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub kind: ScenarioKind,
    values: SortedMap<&'static str, String>,
}

fn all_fields() -> impl Iterator<Item = &'static Field> {
    MAIN_FIELDS
        .iter()
        .chain(FAULT_FIELDS)
        .chain(ADVANCED_FIELDS)
}

impl Form {
    /// The scenario's defaults, as text.
    pub fn new(kind: ScenarioKind) -> Self {
        let defaults = ScenarioParams::defaults(kind);
        // Inserted one by one: collecting into a map sorts (one more sort instance in the page).
        let mut values = SortedMap::new();
        for f in all_fields() {
            values.insert(f.key, param_text(&defaults, f.key));
        }
        Form { kind, values }
    }

    pub fn value(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }

    pub fn set_value(&mut self, key: &str, text: String) {
        if let Some(slot) = self.values.iter_mut().find(|(k, _)| **k == key) {
            *slot.1 = text;
        }
    }

    /// Whether this form's scenario reads field `key` (the others are not shown).
    pub fn shows(&self, key: &str) -> bool {
        shows(self.kind, key)
    }

    pub fn has_fault(&self) -> bool {
        self.value("fault").trim() != "none"
    }

    /// The parameters the form describes, or every problem with it.
    pub fn params(&self) -> Result<ScenarioParams, FormErrors> {
        let mut params = ScenarioParams::defaults(self.kind);
        let mut errors = FormErrors::default();
        let fault_details = if self.has_fault() { FAULT_FIELDS } else { &[] };
        // "fault" before its details: the setter creates the fault plan the details edit.
        let order = MAIN_FIELDS
            .iter()
            .chain(ADVANCED_FIELDS)
            .chain(fault_details)
            .filter(|f| self.shows(f.key));
        for field in order {
            if let Err(e) = params.set(field.key, self.value(field.key)) {
                errors.push(FieldError {
                    field: Some(field.key.to_string()),
                    message: tidy(field.key, &e),
                });
            }
        }
        if errors.fields.is_empty() {
            for e in params.validate_fields() {
                errors.push(e);
            }
        }
        if errors == FormErrors::default() {
            Ok(params)
        } else {
            Err(errors)
        }
    }
}

/// The setter's messages name CLI flags (`--clients: ...`); next to the field, the flag prefix
/// only gets in the way.
fn tidy(key: &str, message: &str) -> String {
    let m = message.strip_prefix("--").unwrap_or(message);
    m.strip_prefix(key)
        .and_then(|r| r.strip_prefix(':'))
        .map_or(m, str::trim_start)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenarios_defaults_round_trip_through_the_form() {
        for kind in ScenarioKind::ALL {
            let form = Form::new(kind);
            assert_eq!(
                form.params(),
                Ok(ScenarioParams::defaults(kind)),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn edited_lists_and_faults_reach_the_parameters() {
        let mut form = Form::new(ScenarioKind::LockContention);
        form.set_value("clients", "5, 7".into());
        form.set_value("fault", "pause".into());
        form.set_value("fault-target", "leader".into());
        form.set_value("fault-until", "20".into());
        let p = form.params().expect("valid");
        assert_eq!(p.clients, vec![5, 7]);
        let fault = p.fault.expect("a fault");
        assert_eq!(fault.action, FaultAction::Pause);
        assert_eq!(fault.target, FaultTarget::Leader);
        assert_eq!(fault.until_s, Some(20.0));
    }

    #[test]
    fn bad_text_is_reported_on_its_own_field() {
        let mut form = Form::new(ScenarioKind::QuickLocks);
        form.set_value("clients", "abc".into());
        form.set_value("shared", "half".into());
        let errors = form.params().unwrap_err();
        assert!(
            errors.field("clients").unwrap().contains("`abc`"),
            "{errors:?}"
        );
        assert!(errors.field("shared").is_some());
        assert!(!errors.field("clients").unwrap().starts_with("--"));
        assert!(errors.general.is_empty());
    }

    #[test]
    fn out_of_range_values_are_caught_by_validation_and_attributed() {
        let mut form = Form::new(ScenarioKind::QuickLocks);
        form.set_value("nodes", "0".into());
        let errors = form.params().unwrap_err();
        assert!(
            errors.field("nodes").unwrap().contains("outside"),
            "{errors:?}"
        );
        assert_eq!(errors.field("nodes"), Some("0 is outside 1..=16"));

        let mut form = Form::new(ScenarioKind::Scaling);
        form.set_value("clients", "1,2,3,4,5".into());
        let errors = form.params().unwrap_err();
        assert_eq!(errors.general.len(), 1, "{errors:?}");
    }

    #[test]
    fn every_problem_is_reported_at_once_on_its_field() {
        let mut form = Form::new(ScenarioKind::QuickLocks);
        form.set_value("resources", "0".into());
        form.set_value("shared", "2".into());
        form.set_value("lease-ms", "9999999".into());
        let errors = form.params().unwrap_err();
        let keys: Vec<&str> = errors.fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["resources", "shared", "lease-ms"], "{errors:?}");
    }

    #[test]
    fn choice_lists_match_the_core() {
        let names: Vec<&str> = NetProfile::ALL
            .iter()
            .filter(|p| **p != NetProfile::Teaching)
            .map(|p| p.name())
            .collect();
        assert_eq!(PROFILES, names.as_slice());
        for f in FAULTS {
            let mut p = ScenarioParams::defaults(ScenarioKind::LockContention);
            assert!(p.set("fault", f).is_ok(), "{f}");
        }
        let mut p = ScenarioParams::defaults(ScenarioKind::CacheHitMiss);
        for c in COHERENCE {
            p.set("coherence", c).unwrap();
            assert_eq!(
                param_text(&p, "coherence"),
                *c,
                "the select shows what was set"
            );
        }
    }

    #[test]
    fn each_scenario_shows_its_own_fields() {
        let lock = Form::new(ScenarioKind::LockContention);
        let queue = Form::new(ScenarioKind::QueueThroughput);
        let ring = Form::new(ScenarioKind::RingQuality);
        assert!(lock.shows("resources") && !lock.shows("message-bytes"));
        assert!(queue.shows("message-bytes") && queue.shows("clients"));
        assert!(!queue.shows("resources") && !queue.shows("fault"));
        assert!(ring.shows("vnodes") && ring.shows("nodes") && !ring.shows("clients"));
        let cache = Form::new(ScenarioKind::CacheHitMiss);
        assert!(cache.shows("working-sets") && cache.shows("cache-size") && cache.shows("ttl"));
        assert!(!cache.shows("fault") && !cache.shows("resources") && !lock.shows("ttl"));
        // Every field belongs to some scenario.
        for f in all_fields() {
            assert!(
                ScenarioKind::ALL.iter().any(|&k| shows(k, f.key)),
                "{}",
                f.key
            );
        }
        // The open-loop option belongs to the three primitives' workloads, not the ring table.
        assert!(lock.shows("offered-rates") && queue.shows("offered-rates"));
        assert!(cache.shows("offered-rates") && !ring.shows("offered-rates"));
        assert_eq!(lock.value("offered-rates"), "none");
        let mut open = Form::new(ScenarioKind::CacheHitMiss);
        open.set_value("offered-rates", "1000,2000".into());
        let p = open.params().unwrap();
        assert_eq!(p.service.cache().unwrap().offered_rates, [1000.0, 2000.0]);
        open.set_value("offered-rates", "0".into());
        assert!(open.params().unwrap_err().field("offered-rates").is_some());
        let mut queue = queue;
        queue.set_value("message-bytes", "0".into());
        let errors = queue.params().unwrap_err();
        assert!(errors.field("message-bytes").is_some(), "{errors:?}");
    }

    #[test]
    fn fault_details_are_ignored_without_a_fault() {
        let mut form = Form::new(ScenarioKind::LockContention);
        form.set_value("fault-target", "nonsense".into());
        assert_eq!(form.params().map(|p| p.fault), Ok(None));
    }
}
