//! A producer or a consumer that drives a queue client on its own (the fuzzer's and the
//! throughput benchmark's workload).

use super::client::{QueueOp, QueueResult};
use crate::sim::{ActorId, Time, MS};

/// A producer or consumer driving a client on its own (the fuzzer's workload).
#[derive(Clone, Debug, PartialEq)]
pub struct QueueWorkload {
    /// Messages still to enqueue (a producer), each with a random priority and one of `keys`.
    pub produce: u64,
    pub keys: u64,
    /// Dequeue forever (a consumer), acking a delivery with this probability (the rest are
    /// "forgotten", as by a consumer that died: the visibility timeout must bring them back).
    /// A consumer handles a delivery during the think time before its next dequeue, then acks
    /// it in the background as that dequeue starts (`client/acks.rs`).
    pub consume: bool,
    pub ack_chance: f64,
    pub think: (Time, Time),
    produced: u64,
    to_ack: Option<(String, u64)>,
    idle: bool,
}

impl QueueWorkload {
    pub fn producer(messages: u64, keys: u64) -> Self {
        QueueWorkload {
            produce: messages,
            keys,
            consume: false,
            ack_chance: 0.0,
            think: (20 * MS, 120 * MS),
            produced: 0,
            to_ack: None,
            idle: false,
        }
    }
    pub fn consumer(ack_chance: f64) -> Self {
        QueueWorkload {
            consume: true,
            ack_chance,
            ..QueueWorkload::producer(0, 1)
        }
    }

    pub(super) fn next(
        &mut self,
        me: ActorId,
        rng: &mut crate::base::SimRng,
    ) -> Option<(QueueOp, Time)> {
        let think = rng.range_u64(self.think.0, self.think.1.max(self.think.0 + 1));
        if self.produced < self.produce {
            self.produced += 1;
            let op = QueueOp::Enqueue {
                message: format!("c{me}-{}", self.produced).into(),
                priority: rng.range_u64(1, 11) as u8,
                key: Some(format!("k{}", rng.range_u64(0, self.keys.max(1)))),
                max_receive: None,
            };
            return Some((op, think));
        }
        if !self.consume {
            return None;
        }
        let wait = if self.idle { think * 2 } else { think / 2 };
        Some((
            QueueOp::Dequeue {
                visibility_ms: None,
            },
            wait,
        ))
    }

    /// The delivery to ack now, if the consumer chose to ack it.
    pub(super) fn take_ack(&mut self) -> Option<(String, u64)> {
        self.to_ack.take()
    }

    pub(super) fn on_result(&mut self, result: &QueueResult, rng: &mut crate::base::SimRng) {
        self.idle = matches!(result, QueueResult::Empty | QueueResult::Unavailable { .. });
        if let QueueResult::Delivered {
            message_id,
            delivery_id,
            ..
        } = result
        {
            if rng.chance(self.ack_chance) {
                self.to_ack = Some((message_id.clone(), *delivery_id));
            }
        }
    }
}
