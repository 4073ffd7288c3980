//! The queue's benchmark parameters: what its two scenarios need on top of the generic ones
//! (cluster sizes, clients, duration, network). Validated field by field, set from the same
//! `--key value` text as the CLI and the form.
//!
//! - Queue throughput ([`QueueParams`]): `clients` is the number of producers, and as many
//!   consumers run beside them.
//! - Ring quality ([`RingParams`]): pure computation on the queue's ring (`ring::metrics`),
//!   for every vnode count in `vnodes` and every cluster size in `nodes`.

use serde::{Deserialize, Serialize};

use crate::bench::open_loop;
use crate::bench::params::{FieldError, ParamText};

pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
pub const MAX_KEYS: u64 = 1_000_000;
pub const MAX_VNODES: u32 = 1_000;
pub const MAX_RING_KEYS: usize = 1_000_000;
/// At most this many vnode counts in one ring-quality run.
pub const MAX_VNODE_COUNTS: usize = 12;

/// Keys of the queue-throughput scenario, with their help text.
pub const QUEUE_KEYS: &[(&str, &str)] = &[
    ("message-bytes", "queue message body size in bytes"),
    ("keys", "distinct routing keys the producers cycle through"),
    (
        "consumer-think-ms",
        "consumer pause between operations in ms, `lo-hi` or one value",
    ),
    (
        "drain",
        "most seconds allowed after the run to drain the queue (the loss check)",
    ),
];

/// Keys of the ring-quality scenario, with their help text.
pub const RING_KEYS: &[(&str, &str)] = &[
    (
        "vnodes",
        "vnode counts per node, comma separated, e.g. 1,10,100",
    ),
    ("ring-keys", "sample keys placed on the ring"),
];

/// The queue-throughput workload: closed-loop producers (no think time: a producer sends its
/// next message as soon as the previous one is acknowledged) and consumers (dequeue, then ack).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueParams {
    /// Body size of every message.
    pub message_bytes: usize,
    /// Producers route their messages over `routing_keys` keys, in turn.
    pub routing_keys: u64,
    /// Consumer think time, uniform in `[lo, hi)` ms: a consumer handles a delivery for half
    /// of it, then acks it in the background as its next dequeue starts; after an empty scan
    /// it waits twice the think time.
    pub consumer_think_ms: (u64, u64),
    /// After the measured time, producers stop and the queue is drained for at most this long
    /// (it stops as soon as every acknowledged message came out); what is still undelivered
    /// then is lost.
    pub drain_s: f64,
    /// Open loop (`bench::open_loop`): producers enqueue at these offered loads, messages per
    /// second over all producers, one run each (consumers are unchanged). Empty: closed-loop
    /// producers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offered_rates: Vec<f64>,
}

impl Default for QueueParams {
    fn default() -> Self {
        QueueParams {
            message_bytes: 1024,
            routing_keys: 1000,
            consumer_think_ms: (0, 0),
            drain_s: 600.0,
            offered_rates: Vec::new(),
        }
    }
}

fn range_text(&(lo, hi): &(u64, u64)) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}-{hi}")
    }
}

fn bad(out: &mut Vec<FieldError>, field: &str, message: String) {
    out.push(FieldError {
        field: Some(field.to_string()),
        message,
    })
}

impl QueueParams {
    /// Set one of `QUEUE_KEYS`; `None` when `key` is not one of them.
    pub fn set(&mut self, t: &ParamText<'_>) -> Option<Result<(), String>> {
        let r = match t.key {
            "message-bytes" => t.num("a number of bytes").map(|v| {
                self.message_bytes = usize::try_from(v).unwrap_or(usize::MAX);
            }),
            "keys" => t.num("a count").map(|v| self.routing_keys = v),
            "consumer-think-ms" => t.range().map(|v| self.consumer_think_ms = v),
            "drain" => t.float("a number of seconds").map(|v| self.drain_s = v),
            "offered-rates" => open_loop::set(&mut self.offered_rates, t),
            _ => return None,
        };
        Some(r)
    }

    /// The value of `key`, written the way `set` reads it back.
    pub fn text(&self, key: &str) -> Option<String> {
        Some(match key {
            "message-bytes" => self.message_bytes.to_string(),
            "keys" => self.routing_keys.to_string(),
            "consumer-think-ms" => range_text(&self.consumer_think_ms),
            "drain" => self.drain_s.to_string(),
            "offered-rates" => open_loop::text(&self.offered_rates),
            _ => return None,
        })
    }

    pub fn validate_fields(&self, out: &mut Vec<FieldError>) {
        if !(1..=MAX_MESSAGE_BYTES).contains(&self.message_bytes) {
            let m = format!("{} is outside 1..={MAX_MESSAGE_BYTES}", self.message_bytes);
            bad(out, "message-bytes", m);
        }
        if !(1..=MAX_KEYS).contains(&self.routing_keys) {
            let m = format!("{} is outside 1..={MAX_KEYS}", self.routing_keys);
            bad(out, "keys", m);
        }
        let (lo, hi) = self.consumer_think_ms;
        if lo > hi || hi > 60_000 {
            let m = format!("{lo}-{hi} must satisfy lo <= hi <= 60000");
            bad(out, "consumer-think-ms", m);
        }
        if !(self.drain_s >= 1.0 && self.drain_s <= 3600.0) {
            let m = format!("{} s is outside 1..=3600", self.drain_s);
            bad(out, "drain", m);
        }
        open_loop::validate(&self.offered_rates, out);
    }

    /// One run per offered load (their labels); none in closed loop.
    pub fn variants(&self) -> Vec<String> {
        open_loop::labels(&self.offered_rates)
    }

    /// These parameters narrowed to variant `i` (one offered load).
    pub fn for_variant(&self, i: usize) -> QueueParams {
        QueueParams {
            offered_rates: open_loop::narrow(&self.offered_rates, i),
            ..self.clone()
        }
    }
}

/// The ring-quality table's axes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RingParams {
    /// Virtual nodes per physical node, one table row each.
    pub vnodes: Vec<u32>,
    /// Sample keys ("key-0", "key-1", ...) placed on the ring.
    pub ring_keys: usize,
}

impl Default for RingParams {
    fn default() -> Self {
        RingParams {
            vnodes: vec![1, 10, 50, 100, 200],
            ring_keys: 100_000,
        }
    }
}

impl RingParams {
    /// Set one of `RING_KEYS`; `None` when `key` is not one of them.
    pub fn set(&mut self, t: &ParamText<'_>) -> Option<Result<(), String>> {
        let r = match t.key {
            "vnodes" => t.list().map(|v| {
                self.vnodes = v
                    .into_iter()
                    .map(|x| u32::try_from(x).unwrap_or(u32::MAX))
                    .collect();
            }),
            "ring-keys" => t.num("a count").map(|v| {
                self.ring_keys = usize::try_from(v).unwrap_or(usize::MAX);
            }),
            _ => return None,
        };
        Some(r)
    }

    /// The value of `key`, written the way `set` reads it back.
    pub fn text(&self, key: &str) -> Option<String> {
        Some(match key {
            "vnodes" => {
                let v: Vec<String> = self.vnodes.iter().map(u32::to_string).collect();
                v.join(",")
            }
            "ring-keys" => self.ring_keys.to_string(),
            _ => return None,
        })
    }

    pub fn validate_fields(&self, out: &mut Vec<FieldError>) {
        if self.vnodes.is_empty() || self.vnodes.len() > MAX_VNODE_COUNTS {
            let m = format!("give 1 to {MAX_VNODE_COUNTS} vnode counts");
            bad(out, "vnodes", m);
        } else if let Some(v) = self
            .vnodes
            .iter()
            .find(|&&v| !(1..=MAX_VNODES).contains(&v))
        {
            bad(out, "vnodes", format!("{v} is outside 1..={MAX_VNODES}"));
        }
        if !(100..=MAX_RING_KEYS).contains(&self.ring_keys) {
            let m = format!("{} is outside 100..={MAX_RING_KEYS}", self.ring_keys);
            bad(out, "ring-keys", m);
        }
    }
}
