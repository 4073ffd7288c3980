//! The queue state machine's commands and outputs (one partition's Raft log speaks these).

use serde::{Deserialize, Serialize};

pub use super::list::List;
/// A message body or routing key: shared, as the cache's keys and values are.
pub use crate::base::text::Text as Body;
use crate::ring::NodeId;
use crate::sim::Time;

/// Priorities: 10 is the most urgent (RabbitMQ's direction), 1 the least.
pub const MIN_PRIORITY: u8 = 1;
pub const MAX_PRIORITY: u8 = 10;

/// A command of one partition's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueCmd {
    /// Store a message. `max_receive`: after that many failed deliveries, the next expiry
    /// moves it to the dead-letter queue.
    Enqueue {
        body: Body,
        key: Body,
        priority: u8,
        max_receive: u32,
    },
    /// Hand the most urgent ready message to the caller, invisible for `visibility_ms`.
    Dequeue { visibility_ms: u64 },
    /// Delete a delivered message: `seq` is the message's number in its partition.
    Ack { seq: u64, delivery_id: u64 },
    /// A consumer's background acks for this partition, `(seq, delivery_id)` each, applied in
    /// order as if each were an `Ack` (SQS `DeleteMessageBatch`, RabbitMQ's `multiple`). They
    /// have their own exactly-once session per client, so a client can keep one batch in
    /// flight per partition beside its foreground operation (see `QueueSm::apply`).
    AckBatch { acks: List<(u64, u64)> },
    /// Counts and ready ids (a read, served by ReadIndex).
    Status,
    /// Housekeeping: deliveries whose visibility timeout passed become ready again (or dead).
    Expire,
    /// The ring's membership, version `epoch` (the highest `(epoch, members)` wins, so every
    /// partition converges on the same ring whatever the order it hears of changes).
    SetRing {
        epoch: u64,
        members: Vec<NodeId>,
        change: RingChange,
    },
}

/// The change that produced a ring version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RingChange {
    #[default]
    Initial,
    Join(NodeId),
    Leave(NodeId),
}

/// Why an ack was refused (REFERENCES §4.1: the message's state is unchanged).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AckError {
    /// The message was already acknowledged (a double ack).
    AlreadyAcked,
    /// The delivery id is not the message's current delivery: its visibility timeout passed
    /// (it was made visible again, possibly redelivered) or it is in the dead-letter queue.
    StaleDelivery,
    /// No such message in this partition.
    UnknownMessage,
}

impl AckError {
    pub fn reason(self) -> &'static str {
        match self {
            AckError::AlreadyAcked => "already acknowledged: this delivery was acked before",
            AckError::StaleDelivery => {
                "stale delivery: its visibility timeout passed and the message was made visible again (or dead-lettered); ack the newest delivery_id"
            }
            AckError::UnknownMessage => "unknown message_id in this partition",
        }
    }
    /// 409 for a conflict with the message's state, 404 for an unknown message.
    pub fn status(self) -> u16 {
        match self {
            AckError::UnknownMessage => 404,
            _ => 409,
        }
    }
}

/// A delivered message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub seq: u64,
    pub body: Body,
    pub priority: u8,
    pub dequeued_at: Time,
    pub delivery_id: u64,
    pub redelivered: bool,
    pub receive_count: u32,
}

/// A partition's counts (the status read).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionStatus {
    pub ready: u64,
    pub in_flight: u64,
    pub dead: u64,
    /// Ready messages' seqs in dequeue order (capped).
    pub pending: Vec<u64>,
}

/// What applying a command answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueOutput {
    Enqueued {
        seq: u64,
        enqueued_at: Time,
    },
    Delivered(Delivery),
    Empty,
    Acked {
        seq: u64,
    },
    AckRefused {
        seq: u64,
        error: AckError,
    },
    /// One outcome per ack of an `AckBatch`, in its order: `None` acked, else why not.
    AckBatch(List<(u64, Option<AckError>)>),
    Status(PartitionStatus),
    Ring {
        epoch: u64,
        members: Vec<NodeId>,
    },
}

/// "p3-17": a message id names its partition and its number there, so an ack finds its
/// partition without asking anyone.
pub fn message_id(partition: u32, seq: u64) -> String {
    // By hand, not `format!`: a client writes one for every answer it reads. Byte by byte
    // rather than through `decimal::push`, whose UTF-8 check of the digits cost as much as
    // the rest.
    let mut id = String::with_capacity(24);
    id.push('p');
    push_digits(&mut id, u64::from(partition));
    id.push('-');
    push_digits(&mut id, seq);
    id
}

fn push_digits(out: &mut String, v: u64) {
    let mut buf = [0; 20];
    for &d in crate::base::decimal::digits(v, &mut buf) {
        out.push(char::from(d));
    }
}

/// The inverse of [`message_id`]. On bytes: `split_once`'s char search cost more than the
/// numbers (a client and the benchmark's ledger parse an id per answer).
pub fn parse_message_id(id: &str) -> Option<(u32, u64)> {
    let rest = id.as_bytes().strip_prefix(b"p")?;
    let dash = rest.iter().position(|&b| b == b'-')?;
    let p = u32::try_from(parse_decimal(&rest[..dash])?).ok()?;
    (p < super::PARTITIONS).then_some(())?;
    Some((p, parse_decimal(&rest[dash + 1..])?))
}

/// `str::parse::<u64>().ok()` on `s`, without the generic parser's machinery: an optional
/// '+', then at least one ASCII digit, `None` on anything else or on overflow, exactly as
/// `u64::from_str` answers.
fn parse_decimal(s: &[u8]) -> Option<u64> {
    let digits = match s {
        [b'+', rest @ ..] => rest,
        all => all,
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(v)
}

#[cfg(test)]
mod id_tests {
    use super::*;

    /// Hand-written parsing answers exactly as `str::parse` does, on ids and on junk.
    #[test]
    fn message_ids_parse_as_the_standard_parser_would() {
        let std = |id: &str| -> Option<(u32, u64)> {
            let (p, s) = id.strip_prefix('p')?.split_once('-')?;
            let p: u32 = p.parse().ok()?;
            (p < super::super::PARTITIONS).then_some(())?;
            Some((p, s.parse().ok()?))
        };
        let cases = [
            "p0-1",
            "p7-18446744073709551615",
            "p7-18446744073709551616",
            "p8-1",
            "p+1-+2",
            "p+-1",
            "p1-+",
            "p1-",
            "p-1",
            "p",
            "",
            "q1-2",
            "p1-2-3",
            "p01-007",
            "p1- 2",
            "p4294967296-1",
            "p4294967295-1",
            "p1-٣",
            "p١-1",
            "p1-2x",
            "p1--2",
        ];
        for id in cases {
            assert_eq!(parse_message_id(id), std(id), "{id:?}");
        }
        for (p, seq) in [(0, 0), (3, 17), (7, u64::MAX)] {
            let id = message_id(p, seq);
            assert_eq!(id, format!("p{p}-{seq}"));
            assert_eq!(parse_message_id(&id), Some((p, seq)));
        }
    }
}
