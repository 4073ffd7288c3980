//! The parameter form's model: one text per `ScenarioParams::set` key, turned into parameters
//! (or per-field error messages) by the core's own setter and validator, so the form accepts
//! exactly what the CLI accepts.

use std::collections::BTreeMap;

use syncsim_core::bench::{FaultAction, FaultTarget, ScenarioKind, ScenarioParams};
use syncsim_core::net::NetProfile;

/// How a field is edited.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Input {
    Text,
    /// A fixed set of choices.
    Select(&'static [&'static str]),
}

/// One form field: a `ScenarioParams::set` key with a human label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub input: Input,
}

const PROFILES: &[&str] = &["localhost", "lan", "datacenter", "wan", "flaky"];
const FAULTS: &[&str] = &["none", "crash", "isolate", "pause"];

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
    text("think-ms", "Think time (ms)"),
    text("hold-ms", "Hold time (ms)"),
    text("wait-timeout-ms", "Wait timeout (ms)"),
    text("lease-ms", "Lease (ms)"),
    text("cpu-us", "CPU per message (µs)"),
];

fn join(list: &[usize]) -> String {
    list.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn range(&(lo, hi): &(u64, u64)) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}-{hi}")
    }
}

/// `params`' value for `key`, written the way `ScenarioParams::set` reads it back.
pub fn param_text(params: &ScenarioParams, key: &str) -> String {
    let fault = params.fault.as_ref();
    match key {
        "seed" => params.seed.to_string(),
        "profile" => NetProfile::name(params.profile).to_string(),
        "nodes" => join(&params.nodes),
        "clients" => join(&params.clients),
        "resources" => params.resources.to_string(),
        "shared" => params.shared_fraction.to_string(),
        "duration" => params.duration_s.to_string(),
        "warmup" => params.warmup_s.to_string(),
        "ops" => params
            .ops_per_client
            .map_or("none".to_string(), |n| n.to_string()),
        "think-ms" => range(&params.think_ms),
        "hold-ms" => range(&params.hold_ms),
        "wait-timeout-ms" => params.wait_timeout_ms.to_string(),
        "lease-ms" => params.lease_ms.to_string(),
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
        _ => String::new(),
    }
}

/// What is wrong with the form: messages per field key, and ones that concern no single field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormErrors {
    pub fields: BTreeMap<&'static str, String>,
    pub general: Vec<String>,
}

impl FormErrors {
    /// Every message, field ones first, for the summary box.
    pub fn all(&self) -> Vec<String> {
        let mut out: Vec<String> = self.fields.values().cloned().collect();
        out.extend(self.general.iter().cloned());
        out
    }
}

/// The form's state: a scenario and the text of every field.
#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub kind: ScenarioKind,
    values: BTreeMap<&'static str, String>,
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
        let values = all_fields()
            .map(|f| (f.key, param_text(&defaults, f.key)))
            .collect();
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
            .chain(fault_details);
        for field in order {
            if let Err(e) = params.set(field.key, self.value(field.key)) {
                errors.fields.insert(field.key, tidy(&e));
            }
        }
        if errors.fields.is_empty() {
            if let Err(e) = params.validate() {
                match owning_field(&e) {
                    Some(key) => {
                        errors.fields.insert(key, e);
                    }
                    None => errors.general.push(e),
                }
            }
        }
        if errors == FormErrors::default() {
            Ok(params)
        } else {
            Err(errors)
        }
    }
}

/// The setter's messages name CLI flags (`--clients: ...`); the form shows them next to the
/// field, so the flag prefix only gets in the way.
fn tidy(message: &str) -> String {
    message.strip_prefix("--").unwrap_or(message).to_string()
}

/// The field a validation message is about: the core starts them with `key:`.
fn owning_field(message: &str) -> Option<&'static str> {
    let (head, _) = message.split_once(':')?;
    all_fields().map(|f| f.key).find(|k| *k == head.trim())
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
        assert!(errors.fields["clients"].contains("`abc`"), "{errors:?}");
        assert!(errors.fields.contains_key("shared"));
        assert!(errors.general.is_empty());
    }

    #[test]
    fn out_of_range_values_are_caught_by_validation_and_attributed() {
        let mut form = Form::new(ScenarioKind::QuickLocks);
        form.set_value("nodes", "0".into());
        let errors = form.params().unwrap_err();
        assert!(errors.fields["nodes"].contains("outside"), "{errors:?}");

        let mut form = Form::new(ScenarioKind::Scaling);
        form.set_value("clients", "1,2,3,4,5".into());
        let errors = form.params().unwrap_err();
        assert_eq!(errors.general.len(), 1, "{errors:?}");
    }

    #[test]
    fn fault_details_are_ignored_without_a_fault() {
        let mut form = Form::new(ScenarioKind::LockContention);
        form.set_value("fault-target", "nonsense".into());
        assert_eq!(form.params().map(|p| p.fault), Ok(None));
    }
}
