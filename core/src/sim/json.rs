//! The kernel's types in a share link (`Action`, `Recorded`, link and clock settings), read by
//! hand from a parsed JSON value (`base::json_read` says why).

use serde_json::Value;

use super::{Action, ClockModel, Recorded};
use crate::base::json_read::{array, f64_of, i64_of, u64_of, usize_of, FromJson, Reader, R};
use crate::net::{Jitter, LinkConfig};

impl<C: FromJson> FromJson for Action<C> {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "Action")?;
        let action = match f.name() {
            "Command" => Action::Command {
                to: f.val("to", usize_of),
                cmd: f.req("cmd", C::from_json)?,
            },
            "Cut" => Action::Cut {
                from: f.val("from", usize_of),
                to: f.val("to", usize_of),
            },
            "Heal" => Action::Heal {
                from: f.val("from", usize_of),
                to: f.val("to", usize_of),
            },
            "CutBoth" => Action::CutBoth {
                a: f.val("a", usize_of),
                b: f.val("b", usize_of),
            },
            "HealBoth" => Action::HealBoth {
                a: f.val("a", usize_of),
                b: f.val("b", usize_of),
            },
            "Isolate" => Action::Isolate {
                node: f.val("node", usize_of),
            },
            "Split" => Action::Split {
                group: f.val("group", |v| array(v, usize_of)),
            },
            "HealAll" => f.unit(Action::HealAll),
            "DropMessage" => Action::DropMessage {
                id: f.val("id", u64_of),
            },
            "Crash" => Action::Crash {
                node: f.val("node", usize_of),
            },
            "Restart" => Action::Restart {
                node: f.val("node", usize_of),
            },
            "Pause" => Action::Pause {
                node: f.val("node", usize_of),
            },
            "Resume" => Action::Resume {
                node: f.val("node", usize_of),
            },
            "SetLink" => Action::SetLink {
                from: f.val("from", usize_of),
                to: f.val("to", usize_of),
                link: f.req("link", LinkConfig::from_json)?,
            },
            "SetAllLinks" => Action::SetAllLinks {
                link: f.req("link", LinkConfig::from_json)?,
            },
            "SetClock" => Action::SetClock {
                node: f.val("node", usize_of),
                clock: f.val("clock", ClockModel::from_json),
            },
            _ => return Err(f.unknown()),
        };
        f.done(action)
    }
}

impl<C: FromJson> FromJson for Recorded<C> {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::of_struct(v, &["at", "after_events", "action"], false)?;
        let recorded = Recorded {
            at: f.val("at", u64_of),
            after_events: f.val("after_events", u64_of),
            action: f.req("action", Action::<C>::from_json)?,
        };
        f.done(recorded)
    }
}

impl FromJson for LinkConfig {
    fn from_json(v: &Value) -> R<Self> {
        let names = &[
            "base_latency_us",
            "jitter",
            "loss",
            "duplicate",
            "bandwidth_bytes_per_sec",
        ];
        let mut f = Reader::of_struct(v, names, false)?;
        let link = LinkConfig {
            base_latency_us: f.val("base_latency_us", u64_of),
            jitter: f.req("jitter", Jitter::from_json)?,
            loss: f.val("loss", f64_of),
            duplicate: f.val("duplicate", f64_of),
            bandwidth_bytes_per_sec: f.opt("bandwidth_bytes_per_sec", u64_of),
        };
        f.done(link)
    }
}

impl FromJson for Jitter {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "Jitter")?;
        let jitter = match f.name() {
            "Constant" => f.unit(Jitter::Constant),
            "Uniform" => Jitter::Uniform {
                max_us: f.val("max_us", u64_of),
            },
            "Exponential" => Jitter::Exponential {
                mean_us: f.val("mean_us", u64_of),
            },
            _ => return Err(f.unknown()),
        };
        f.done(jitter)
    }
}

impl FromJson for ClockModel {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::of_struct(v, &["offset_us", "drift_ppm"], false)?;
        let clock = ClockModel {
            offset_us: f.val("offset_us", i64_of),
            drift_ppm: f.val("drift_ppm", i64_of),
        };
        f.done(clock)
    }
}
