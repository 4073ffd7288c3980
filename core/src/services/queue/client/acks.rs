//! Background acks: a workload consumer does not wait for its ack before its next dequeue.
//!
//! Why: an ack is a Raft write (a log entry on a majority), one full round trip. Waiting for it
//! doubled a consumer's time per message (dequeue ≈ 14 ms, then ack ≈ 14 ms on the localhost
//! profile), and that alone held the benchmark's dequeue rate at half the enqueue rate.
//! Real clients do not wait either: RabbitMQ's `basic.ack` is asynchronous, Kafka has
//! `commitAsync`, SQS has `DeleteMessageBatch`.
//!
//! How: one lane per partition. A lane keeps at most one request in flight; the acks that
//! arrive meanwhile wait and go together in the next `AckBatch` (at most [`ACK_BATCH`]), so a
//! lane keeps up however fast deliveries come. Each ack still has its own history record,
//! completed when its batch is answered (`Acked`, `AckRefused`, or 503 after
//! `partition_timeout`), so the records of a consumer with acks in flight complete out of
//! order. Retries keep the request id (the state machine's ack sessions answer a retry from
//! its record, so a retried batch is never taken for a double ack).
//!
//! Semantics are unchanged: a message is deleted only by an ack of its current delivery, and
//! an ack that never arrives (lost with a crashed client, or later than the visibility
//! timeout) means a redelivery, as before.

use std::collections::VecDeque;

use super::{parse_message_id, QueueClient, QueueOp, QueueRecord, QueueResult};
use crate::raft::{ClientOp, ClientResult, RequestId, Wire};
use crate::service::groups::GroupMsg;
use crate::sim::{ActorId, Note, Time, TimerKind};

use super::super::placement::PARTITIONS;
use super::super::server::{QCtx, QueueWire};
use super::super::sm::QueueSm;
use super::super::types::{message_id, QueueCmd, QueueOutput};

/// The lanes' one timer: the earliest retry or attempt timeout among them.
pub const TIMER_ACKS: TimerKind = 3;
/// At most this many acks in one request (SQS's `DeleteMessageBatch` limit).
pub const ACK_BATCH: usize = 10;

/// An ack waiting for its batch: its history record and what it acknowledges.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pending {
    record: usize,
    seq: u64,
    delivery_id: u64,
}

/// A lane's request in flight.
#[derive(Clone, Debug)]
struct Flight {
    acks: Vec<Pending>,
    /// Its request id's seq, kept across retries.
    seq: u64,
    attempt: usize,
    target: ActorId,
    /// When to act: send (after a backoff) or give up on `target` (attempt timeout).
    due: Time,
    sent: bool,
    /// 503 for the whole batch after this.
    deadline: Time,
}

/// The per-partition lanes of one client.
#[derive(Clone, Debug)]
pub(super) struct AckLanes {
    waiting: Vec<VecDeque<Pending>>,
    flying: Vec<Option<Flight>>,
}

impl Default for AckLanes {
    fn default() -> Self {
        AckLanes {
            waiting: vec![VecDeque::new(); PARTITIONS as usize],
            flying: vec![None; PARTITIONS as usize],
        }
    }
}

impl AckLanes {
    /// Acks not answered yet (waiting or in flight).
    pub(super) fn outstanding(&self) -> usize {
        let waiting: usize = self.waiting.iter().map(VecDeque::len).sum();
        let flying: usize = self.flying.iter().flatten().map(|f| f.acks.len()).sum();
        waiting + flying
    }
}

impl QueueClient {
    /// Acknowledge a delivery without waiting: a history record now, the answer later.
    pub(super) fn ack_in_background(
        &mut self,
        ctx: &mut QCtx<'_>,
        message_id: String,
        delivery_id: u64,
    ) {
        let record = self.history.len();
        ctx.note(Note::Invoke {
            op: record as u64 + 1,
        });
        let parsed = parse_message_id(&message_id);
        self.history.push(QueueRecord {
            op: QueueOp::Ack {
                message_id,
                delivery_id,
            },
            target: None,
            invoked: ctx.now,
            completed: None,
            result: None,
        });
        let Some((p, seq)) = parsed else {
            let reason = "message_id: not a queue message id".to_string();
            return self.close_record(
                ctx,
                record,
                QueueResult::Refused {
                    status: 400,
                    reason,
                },
            );
        };
        self.acks.waiting[p as usize].push_back(Pending {
            record,
            seq,
            delivery_id,
        });
        self.launch_batch(ctx, p);
        self.arm_ack_timer(ctx);
    }

    /// Send partition `p`'s waiting acks, if its lane is free.
    fn launch_batch(&mut self, ctx: &mut QCtx<'_>, p: u32) {
        let lane = p as usize;
        if self.acks.flying[lane].is_some() || self.acks.waiting[lane].is_empty() {
            return;
        }
        let n = self.acks.waiting[lane].len().min(ACK_BATCH);
        let acks: Vec<Pending> = self.acks.waiting[lane].drain(..n).collect();
        self.seq += 1;
        self.counters.ack_batches += 1;
        self.counters.batched_acks += acks.len() as u64;
        let target = self.leaders[lane].unwrap_or_else(|| self.guesses(p)[0]);
        self.acks.flying[lane] = Some(Flight {
            acks,
            seq: self.seq,
            attempt: 0,
            target,
            due: 0,
            sent: false,
            deadline: ctx.now + self.cfg.partition_timeout,
        });
        self.send_batch(ctx, p);
    }

    fn send_batch(&mut self, ctx: &mut QCtx<'_>, p: u32) {
        let timeout = self.cfg.attempt_timeout;
        let Some(f) = &mut self.acks.flying[p as usize] else {
            return;
        };
        let acks = f.acks.iter().map(|a| (a.seq, a.delivery_id)).collect();
        let msg: Wire<QueueSm> = Wire::Request {
            id: RequestId {
                client: self.id,
                seq: f.seq,
            },
            op: ClientOp::Cmd(QueueCmd::AckBatch { acks }),
        };
        ctx.send(f.target, GroupMsg { group: p, msg });
        self.counters.requests += 1;
        f.sent = true;
        f.due = ctx.now + timeout;
    }

    /// Try partition `p` again: at `hint` now, or at the next guess after a backoff (no
    /// leader named), or give the whole batch up past its deadline.
    fn retry_batch(&mut self, ctx: &mut QCtx<'_>, p: u32, hint: Option<ActorId>, later: bool) {
        let guesses = self.guesses(p);
        let (now, backoff) = (ctx.now, self.cfg.backoff);
        let Some(f) = &mut self.acks.flying[p as usize] else {
            return;
        };
        if now >= f.deadline {
            return self.fail_batch(ctx, p);
        }
        f.attempt += 1;
        f.target = hint.unwrap_or(guesses[f.attempt % guesses.len()]);
        if later {
            f.sent = false;
            f.due = now + backoff;
        } else {
            self.send_batch(ctx, p);
        }
    }

    /// No leader with a quorum answered in time: every ack of the batch fails with 503 (it
    /// may still have applied: the outcome is unknown, as for a foreground ack).
    fn fail_batch(&mut self, ctx: &mut QCtx<'_>, p: u32) {
        let Some(f) = self.acks.flying[p as usize].take() else {
            return;
        };
        let timeout_ms = self.cfg.partition_timeout / super::MS;
        // One reason for the batch, not one per ack in it.
        ctx.note(super::super::reasons::unavailable(p, timeout_ms, true));
        let reason = format!(
            "partition p{p}: no leader with a quorum answered within {timeout_ms} ms (its replicas are down or cut off)"
        );
        for a in f.acks {
            let result = QueueResult::Unavailable {
                reason: reason.clone(),
            };
            self.close_record(ctx, a.record, result);
        }
        self.launch_batch(ctx, p);
    }

    /// An answer to a lane's request; false if it is not one (the foreground's, or stale).
    pub(super) fn on_ack_response(
        &mut self,
        ctx: &mut QCtx<'_>,
        from: ActorId,
        msg: &QueueWire,
    ) -> bool {
        let Wire::Response { id, result } = &msg.msg else {
            return false;
        };
        let p = msg.group;
        let ours = self.acks.flying.get(p as usize).and_then(Option::as_ref);
        if id.client != self.id || ours.is_none_or(|f| f.seq != id.seq) {
            return false;
        }
        match result {
            ClientResult::Ok(QueueOutput::AckBatch(outcomes)) => {
                self.leaders[p as usize] = Some(from);
                let f = self.acks.flying[p as usize].take().expect("checked above");
                for (a, (_, error)) in f.acks.iter().zip(outcomes) {
                    let message_id = message_id(p, a.seq);
                    let result = match error {
                        None => QueueResult::Acked { message_id },
                        Some(error) => QueueResult::AckRefused {
                            message_id,
                            error: *error,
                        },
                    };
                    self.close_record(ctx, a.record, result);
                }
                self.launch_batch(ctx, p);
            }
            ClientResult::NotLeader { leader } => {
                let hint = leader.filter(|&l| l != from);
                self.leaders[p as usize] = hint;
                self.retry_batch(ctx, p, hint, hint.is_none());
            }
            ClientResult::Busy => self.retry_batch(ctx, p, Some(from), true),
            // The state machine answers an `AckBatch` only with `AckBatch`.
            ClientResult::Ok(_) | ClientResult::Status(_) => {}
        }
        self.arm_ack_timer(ctx);
        true
    }

    /// The lanes' timer: send what waited out a backoff, move on from silent servers.
    pub(super) fn on_ack_timer(&mut self, ctx: &mut QCtx<'_>) {
        for p in 0..PARTITIONS {
            let Some(f) = &self.acks.flying[p as usize] else {
                continue;
            };
            if f.due > ctx.now {
                continue;
            }
            if f.sent {
                self.leaders[p as usize] = None;
                self.retry_batch(ctx, p, None, false);
            } else if ctx.now >= f.deadline {
                self.fail_batch(ctx, p);
            } else {
                self.send_batch(ctx, p);
            }
        }
        self.arm_ack_timer(ctx);
    }

    fn arm_ack_timer(&self, ctx: &mut QCtx<'_>) {
        match self.acks.flying.iter().flatten().map(|f| f.due).min() {
            Some(due) => ctx.set_timer(TIMER_ACKS, due.saturating_sub(ctx.now)),
            None => ctx.cancel_timer(TIMER_ACKS),
        }
    }
}

#[cfg(test)]
#[path = "acks_tests.rs"]
mod tests;
