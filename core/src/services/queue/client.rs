//! A queue client: runs one queue operation at a time (closed loop) over the partition groups.
//!
//! - An enqueue goes to its key's partition, an ack to the partition named in its message id.
//! - A dequeue **scans partitions** starting at the client's cursor, which advances by one after
//!   every dequeue, so each partition gets a turn at the head of the scan; the first message
//!   found is returned (204 if every partition answered empty). Ordering is therefore
//!   guaranteed per partition only (priority, then FIFO); across partitions a lower priority
//!   message can come out before a higher one that lives in a partition later in the scan.
//! - A status read visits every partition and sums; a ring change writes the new ring to
//!   every partition (the servers copy it to any partition it missed).
//!
//! Per partition the client finds the leader (the last one that answered, else the ring's
//! replicas, else any server), follows NotLeader redirects and retries with the same request
//! id (the state machine applies a request once). A partition that does not answer within
//! `partition_timeout` is unavailable: no leader with a quorum. An enqueue or an ack then
//! fails with 503 and that reason; a dequeue or a status read skips it and says so.

use std::collections::VecDeque;

mod acks;
pub use acks::{ACK_BATCH, TIMER_ACKS};

use serde::{Deserialize, Serialize};

use super::placement::{partition_of, placement, PARTITIONS};
use super::server::{QCtx, QueueWire};
use super::sm::QueueSm;
use super::types::*;
pub use super::workload::QueueWorkload;
use crate::raft::{ClientOp, ClientResult, RequestId, Wire};
use crate::ring::NodeId;
use crate::service::groups::GroupMsg;
use crate::sim::{ActorId, Note, Time, TimerKind, MS, SEC};

/// One queue operation, as the console or a workload asks for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueOp {
    Enqueue {
        message: Body,
        priority: u8,
        key: Option<String>,
        /// Deliveries allowed before the dead-letter queue (None: the client's default).
        max_receive: Option<u32>,
    },
    Dequeue {
        /// Visibility timeout in ms (None: the client's default).
        visibility_ms: Option<u64>,
    },
    Ack {
        message_id: String,
        delivery_id: u64,
    },
    Status,
    /// Join or leave a physical node.
    Ring {
        change: RingChange,
    },
}

/// What an operation produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum QueueResult {
    Enqueued {
        message_id: String,
        enqueued_at: Time,
    },
    Delivered {
        message_id: String,
        message: Body,
        priority: u8,
        dequeued_at: Time,
        delivery_id: u64,
        redelivered: bool,
        receive_count: u32,
    },
    Empty,
    Acked {
        message_id: String,
    },
    AckRefused {
        message_id: String,
        error: AckError,
    },
    Status {
        queue_length: u64,
        pending: Vec<String>,
        in_flight: u64,
        dead_letter: u64,
    },
    Ring {
        epoch: u64,
        before: Vec<NodeId>,
        after: Vec<NodeId>,
        change: RingChange,
        /// Partitions that did not take the new ring yet (the servers copy it later).
        lagging: Vec<u32>,
    },
    /// Refused by the client before reaching a server (e.g. joining a member): status, reason.
    Refused {
        status: u16,
        reason: String,
    },
    /// 503: no leader with a quorum answered in time.
    Unavailable {
        reason: String,
    },
}

/// One operation and its outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueRecord {
    pub op: QueueOp,
    /// The node the console sent it to (the first partition's first attempt).
    pub target: Option<ActorId>,
    pub invoked: Time,
    pub completed: Option<Time>,
    pub result: Option<QueueResult>,
}

/// What a client sent, for the benchmark's profile of the request path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientCounters {
    /// Partitions a dequeue scan asked (one per partition visited, retries not counted).
    pub dequeue_visits: u64,
    /// Background ack batches started, and the acks they carried.
    pub ack_batches: u64,
    pub batched_acks: u64,
    /// Requests sent to servers, retries and both lanes included.
    pub requests: u64,
}

/// The client's knobs.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueClientConfig {
    /// Wait this long for one server before trying another.
    pub attempt_timeout: Time,
    /// Give up on a partition after this long: it has no leader with a quorum.
    pub partition_timeout: Time,
    /// Pause before retrying a server that had no leader to name.
    pub backoff: Time,
    pub visibility_ms: u64,
    pub max_receive: u32,
}

impl Default for QueueClientConfig {
    fn default() -> Self {
        QueueClientConfig {
            attempt_timeout: 300 * MS,
            partition_timeout: 2 * SEC,
            backoff: 50 * MS,
            visibility_ms: 10_000,
            max_receive: 3,
        }
    }
}

/// A console command: run `op`, sending the first attempt to `target`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submit {
    pub target: Option<ActorId>,
    pub op: QueueOp,
}

pub const TIMER_ATTEMPT: TimerKind = 0;
pub const TIMER_RETRY: TimerKind = 1;
pub const TIMER_NEXT: TimerKind = 2;

/// The operation in progress.
#[derive(Clone, Debug)]
struct Running {
    record: usize,
    visit: Vec<u32>,
    at: usize,
    seq: u64,
    attempt: usize,
    target: ActorId,
    deadline: Time,
    unavailable: Vec<u32>,
    status: PartitionStatus,
    pending: Vec<String>,
    /// A ring change: the proposed version and members, the ring it changes, retries left.
    ring: Option<(u64, Vec<NodeId>, Vec<NodeId>)>,
    ring_retries: u32,
    lagging: Vec<u32>,
}

#[derive(Clone, Debug)]
pub struct QueueClient {
    id: ActorId,
    servers: Vec<ActorId>,
    pub cfg: QueueClientConfig,
    pub workload: Option<QueueWorkload>,
    seq: u64,
    cursor: u32,
    leaders: Vec<Option<ActorId>>,
    /// The newest ring this client heard of: (version, members).
    ring: (u64, Vec<NodeId>),
    submitted: VecDeque<Submit>,
    planned: Option<QueueOp>,
    running: Option<Running>,
    /// A workload consumer's acks, sent in the background (`acks.rs`).
    acks: acks::AckLanes,
    pub counters: ClientCounters,
    history: Vec<QueueRecord>,
}

impl QueueClient {
    pub fn new(id: ActorId, servers: Vec<ActorId>, workload: Option<QueueWorkload>) -> Self {
        QueueClient {
            id,
            ring: (0, servers.clone()),
            servers,
            cfg: QueueClientConfig::default(),
            workload,
            seq: 0,
            cursor: (id as u32) % PARTITIONS,
            leaders: vec![None; PARTITIONS as usize],
            submitted: VecDeque::new(),
            planned: None,
            running: None,
            acks: acks::AckLanes::default(),
            counters: ClientCounters::default(),
            history: Vec::new(),
        }
    }

    pub fn history(&self) -> &[QueueRecord] {
        &self.history
    }
    /// Replace the message bodies of the completed records in `records` by an empty one, for a
    /// benchmark driver that has checked them: a long run would otherwise hold every message
    /// ever sent or delivered until its end. A running record keeps its body: retries resend it.
    pub fn blank_bodies(&mut self, records: std::ops::Range<usize>) {
        let blank = Body::default();
        for r in &mut self.history[records] {
            if r.completed.is_none() {
                continue;
            }
            if let QueueOp::Enqueue { message, .. } = &mut r.op {
                *message = blank.clone();
            }
            if let Some(QueueResult::Delivered { message, .. }) = &mut r.result {
                *message = blank.clone();
            }
        }
    }
    /// Running a foreground operation (background acks do not count).
    pub fn is_busy(&self) -> bool {
        self.running.is_some()
    }
    /// Background acks not answered yet.
    pub fn acks_outstanding(&self) -> usize {
        self.acks.outstanding()
    }
    /// The newest ring this client knows: (version, members).
    pub fn known_ring(&self) -> &(u64, Vec<NodeId>) {
        &self.ring
    }

    pub fn on_start(&mut self, ctx: &mut QCtx<'_>) {
        self.schedule_next(ctx);
    }

    pub fn on_crash(&mut self) {
        self.running = None;
        self.planned = None;
        // Unsent acks die with the client: their messages come back after the timeout.
        self.acks = acks::AckLanes::default();
        self.leaders = vec![None; PARTITIONS as usize];
    }

    pub fn submit(&mut self, ctx: &mut QCtx<'_>, s: Submit) {
        self.submitted.push_back(s);
        self.schedule_next(ctx);
    }

    fn schedule_next(&mut self, ctx: &mut QCtx<'_>) {
        if self.running.is_some() || self.planned.is_some() {
            return;
        }
        if let Some(s) = self.submitted.pop_front() {
            self.start(ctx, s.op, s.target);
        } else if let Some(w) = &mut self.workload {
            if let Some((op, think)) = w.next(self.id, ctx.rng) {
                self.planned = Some(op);
                ctx.set_timer(TIMER_NEXT, think);
            }
        }
    }

    fn start(&mut self, ctx: &mut QCtx<'_>, op: QueueOp, target: Option<ActorId>) {
        ctx.note(Note::Invoke {
            op: self.history.len() as u64 + 1,
        });
        let visit = match &op {
            QueueOp::Enqueue { message, key, .. } => {
                Ok(vec![partition_of(key.as_deref().unwrap_or(message))])
            }
            QueueOp::Ack { message_id, .. } => match parse_message_id(message_id) {
                Some((p, _)) => Ok(vec![p]),
                None => Err(format!(
                    "message_id: `{message_id}` is not a queue message id"
                )),
            },
            QueueOp::Dequeue { .. } => {
                let start = self.cursor;
                self.cursor = (self.cursor + 1) % PARTITIONS;
                Ok((0..PARTITIONS).map(|k| (start + k) % PARTITIONS).collect())
            }
            QueueOp::Status => Ok((0..PARTITIONS).collect()),
            // A ring change first asks partition 0 which ring is current (a `SetRing` of
            // version 0, which never wins), then writes the next version everywhere.
            QueueOp::Ring { .. } => Ok(vec![0]),
        };
        // The op moves into its record (a copy cost a key per message): every attempt reads
        // it from there.
        self.history.push(QueueRecord {
            op,
            target,
            invoked: ctx.now,
            completed: None,
            result: None,
        });
        let record = self.history.len() - 1;
        let visit = match visit {
            Ok(visit) => visit,
            Err(reason) => {
                return self.complete(
                    ctx,
                    QueueResult::Refused {
                        status: 400,
                        reason,
                    },
                )
            }
        };
        let ring = None;
        self.running = Some(Running {
            record,
            visit,
            at: 0,
            seq: 0,
            attempt: 0,
            target: target.unwrap_or(0),
            deadline: 0,
            unavailable: Vec::new(),
            status: PartitionStatus::default(),
            pending: Vec::new(),
            ring,
            ring_retries: 4,
            lagging: Vec::new(),
        });
        self.begin_partition(ctx, target);
    }

    /// The next ring version for `change` on the newest ring this client knows.
    fn propose_ring(&self, change: RingChange) -> Result<(u64, Vec<NodeId>, Vec<NodeId>), String> {
        let (epoch, before) = &self.ring;
        let mut after = before.clone();
        match change {
            RingChange::Join(n) => {
                if !self.servers.contains(&n) {
                    return Err(format!("node: there is no node n{}", n + 1));
                }
                if after.contains(&n) {
                    return Err(format!("n{} is already in the ring", n + 1));
                }
                after.push(n);
                crate::base::sort::sort(&mut after);
            }
            RingChange::Leave(n) => {
                if !after.contains(&n) {
                    return Err(format!("n{} is not in the ring", n + 1));
                }
                if after.len() == 1 {
                    return Err("the last node cannot leave the ring".into());
                }
                after.retain(|&m| m != n);
            }
            RingChange::Initial => return Err("not a ring change".into()),
        }
        Ok((epoch + 1, before.clone(), after))
    }

    fn partition(&self) -> Option<u32> {
        let r = self.running.as_ref()?;
        r.visit.get(r.at).copied()
    }

    /// Start on the current partition with a fresh request id.
    fn begin_partition(&mut self, ctx: &mut QCtx<'_>, first: Option<ActorId>) {
        let Some(p) = self.partition() else { return };
        self.seq += 1;
        let seq = self.seq;
        let guess = first
            .or(self.leaders[p as usize])
            .unwrap_or_else(|| self.guesses(p)[0]);
        let deadline = ctx.now + self.cfg.partition_timeout;
        let Some(r) = &mut self.running else { return };
        if matches!(self.history[r.record].op, QueueOp::Dequeue { .. }) {
            self.counters.dequeue_visits += 1;
        }
        r.seq = seq;
        r.attempt = 0;
        r.deadline = deadline;
        r.target = guess;
        self.send_attempt(ctx);
    }

    /// Where partition `p`'s leader may be: its replicas on the newest ring known, then the
    /// other servers.
    fn guesses(&self, p: u32) -> Vec<ActorId> {
        let mut g = placement(&self.ring.1, p, None);
        for &s in &self.servers {
            if !g.contains(&s) {
                g.push(s);
            }
        }
        if g.is_empty() {
            g.push(0);
        }
        g
    }

    fn next_target(&mut self, hint: Option<ActorId>) {
        let Some(p) = self.partition() else { return };
        let guesses = self.guesses(p);
        let Some(r) = &mut self.running else { return };
        r.attempt += 1;
        r.target = hint.unwrap_or(guesses[r.attempt % guesses.len()]);
    }

    fn command(&self) -> Option<ClientOp<QueueCmd>> {
        let r = self.running.as_ref()?;
        let op = &self.history[r.record].op;
        let cmd = match op {
            QueueOp::Enqueue {
                message,
                priority,
                key,
                max_receive,
            } => QueueCmd::Enqueue {
                body: message.clone(),
                key: key.as_deref().map_or_else(|| message.clone(), Body::from),
                priority: *priority,
                max_receive: max_receive.unwrap_or(self.cfg.max_receive),
            },
            QueueOp::Dequeue { visibility_ms } => QueueCmd::Dequeue {
                visibility_ms: visibility_ms.unwrap_or(self.cfg.visibility_ms),
            },
            QueueOp::Ack {
                message_id,
                delivery_id,
            } => QueueCmd::Ack {
                seq: parse_message_id(message_id).map_or(0, |(_, s)| s),
                delivery_id: *delivery_id,
            },
            QueueOp::Status => return Some(ClientOp::Read(QueueCmd::Status)),
            QueueOp::Ring { change } => {
                let (epoch, after) = match r.ring.as_ref() {
                    Some((epoch, _, after)) => (*epoch, after.clone()),
                    None => (0, Vec::new()),
                };
                QueueCmd::SetRing {
                    epoch,
                    members: after,
                    change: *change,
                }
            }
        };
        Some(ClientOp::Cmd(cmd))
    }

    fn send_attempt(&mut self, ctx: &mut QCtx<'_>) {
        let (Some(p), Some(op)) = (self.partition(), self.command()) else {
            return;
        };
        let Some(r) = &self.running else { return };
        let id = RequestId {
            client: self.id,
            seq: r.seq,
        };
        let msg: Wire<QueueSm> = Wire::Request { id, op };
        ctx.send(r.target, GroupMsg { group: p, msg });
        self.counters.requests += 1;
        ctx.set_timer(TIMER_ATTEMPT, self.cfg.attempt_timeout);
    }

    /// Retry the current partition (now, or after the backoff), or give up on it.
    fn retry(&mut self, ctx: &mut QCtx<'_>, hint: Option<ActorId>, later: bool) {
        let Some(r) = &self.running else { return };
        if ctx.now >= r.deadline {
            return self.partition_failed(ctx);
        }
        self.next_target(hint);
        if later {
            ctx.cancel_timer(TIMER_ATTEMPT);
            ctx.set_timer(TIMER_RETRY, self.cfg.backoff);
        } else {
            self.send_attempt(ctx);
        }
    }

    fn partition_failed(&mut self, ctx: &mut QCtx<'_>) {
        let Some(p) = self.partition() else { return };
        let Some(r) = &mut self.running else { return };
        r.unavailable.push(p);
        let op = &self.history[r.record].op;
        if matches!(op, QueueOp::Enqueue { .. } | QueueOp::Ack { .. }) {
            let ack = matches!(op, QueueOp::Ack { .. });
            let timeout_ms = self.cfg.partition_timeout / MS;
            ctx.note(super::reasons::unavailable(p, timeout_ms, ack));
            let reason = format!(
                "partition p{p}: no leader with a quorum answered within {} ms (its replicas are down or cut off)",
                self.cfg.partition_timeout / MS
            );
            return self.complete(ctx, QueueResult::Unavailable { reason });
        }
        if let Some(r) = &mut self.running {
            r.lagging.push(p);
        }
        self.advance(ctx);
    }

    /// Move on to the next partition of a scan, or finish.
    fn advance(&mut self, ctx: &mut QCtx<'_>) {
        let Some(r) = &mut self.running else { return };
        r.at += 1;
        if r.at < r.visit.len() {
            return self.begin_partition(ctx, None);
        }
        let op = &self.history[r.record].op;
        let names = |v: &[u32]| {
            v.iter()
                .map(|p| format!("p{p}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let down = names(&r.unavailable);
        let result = match op {
            QueueOp::Ring { .. } if r.ring.is_none() => QueueResult::Unavailable {
                reason: format!(
                    "partition p0 did not answer within {} ms: the current ring is unknown",
                    self.cfg.partition_timeout / MS
                ),
            },
            QueueOp::Ring { change } => {
                let (epoch, before, after) = r.ring.clone().unwrap_or_default();
                QueueResult::Ring {
                    epoch,
                    before,
                    after,
                    change: *change,
                    lagging: r.lagging.clone(),
                }
            }
            _ if !r.unavailable.is_empty() => QueueResult::Unavailable {
                reason: format!(
                    "partitions {down}: no leader with a quorum answered within {} ms",
                    self.cfg.partition_timeout / MS
                ),
            },
            QueueOp::Status => QueueResult::Status {
                queue_length: r.status.ready,
                pending: std::mem::take(&mut r.pending),
                in_flight: r.status.in_flight,
                dead_letter: r.status.dead,
            },
            _ => QueueResult::Empty,
        };
        self.complete(ctx, result);
    }

    fn complete(&mut self, ctx: &mut QCtx<'_>, result: QueueResult) {
        let record = self
            .running
            .take()
            .map_or(self.history.len() - 1, |r| r.record);
        ctx.cancel_timer(TIMER_ATTEMPT);
        ctx.cancel_timer(TIMER_RETRY);
        if let Some(w) = &mut self.workload {
            w.on_result(&result, ctx.rng);
        }
        self.close_record(ctx, record, result);
        self.schedule_next(ctx);
    }

    /// Record the outcome of history record `record`.
    fn close_record(&mut self, ctx: &mut QCtx<'_>, record: usize, result: QueueResult) {
        let ok = !matches!(
            result,
            QueueResult::Unavailable { .. } | QueueResult::Refused { .. }
        );
        ctx.note(Note::Complete {
            op: record as u64 + 1,
            ok,
        });
        let h = &mut self.history[record];
        h.completed = Some(ctx.now);
        h.result = Some(result);
    }

    /// A partition answered the current request.
    fn on_output(&mut self, ctx: &mut QCtx<'_>, p: u32, out: QueueOutput) {
        let Some(r) = &mut self.running else { return };
        match out {
            QueueOutput::Enqueued { seq, enqueued_at } => {
                let message_id = message_id(p, seq);
                self.complete(
                    ctx,
                    QueueResult::Enqueued {
                        message_id,
                        enqueued_at,
                    },
                )
            }
            QueueOutput::Delivered(d) => self.complete(
                ctx,
                QueueResult::Delivered {
                    message_id: message_id(p, d.seq),
                    message: d.body,
                    priority: d.priority,
                    dequeued_at: d.dequeued_at,
                    delivery_id: d.delivery_id,
                    redelivered: d.redelivered,
                    receive_count: d.receive_count,
                },
            ),
            QueueOutput::Empty => self.advance(ctx),
            QueueOutput::Acked { seq } => self.complete(
                ctx,
                QueueResult::Acked {
                    message_id: message_id(p, seq),
                },
            ),
            QueueOutput::AckRefused { seq, error } => self.complete(
                ctx,
                QueueResult::AckRefused {
                    message_id: message_id(p, seq),
                    error,
                },
            ),
            // Only the background lanes send `AckBatch` (answered in `acks.rs`).
            QueueOutput::AckBatch(_) => {}
            QueueOutput::Status(s) => {
                r.status.ready += s.ready;
                r.status.in_flight += s.in_flight;
                r.status.dead += s.dead;
                r.pending
                    .extend(s.pending.iter().map(|&seq| message_id(p, seq)));
                self.advance(ctx)
            }
            QueueOutput::Ring { epoch, members } => {
                // Version 0 is the initial ring: every server.
                let members = if epoch == 0 {
                    self.servers.clone()
                } else {
                    members
                };
                if (epoch, &members) > (self.ring.0, &self.ring.1) {
                    self.ring = (epoch, members.clone());
                }
                let proposed = r.ring.as_ref().map(|(e, _, m)| (*e, m.clone()));
                if proposed == Some((epoch, members)) {
                    return self.advance(ctx);
                }
                // The probe's answer, or a newer ring won: (re)compute the change on the
                // newest ring known and write it from the first partition.
                let change = match &self.history[r.record].op {
                    QueueOp::Ring { change } => *change,
                    _ => return,
                };
                if r.ring_retries == 0 {
                    let reason = "the ring kept changing under this request".to_string();
                    return self.complete(
                        ctx,
                        QueueResult::Refused {
                            status: 409,
                            reason,
                        },
                    );
                }
                r.ring_retries -= 1;
                match self.propose_ring(change) {
                    Ok(next) => {
                        let Some(r) = &mut self.running else { return };
                        r.ring = Some(next);
                        r.visit = (0..PARTITIONS).collect();
                        r.at = 0;
                        r.lagging.clear();
                        r.unavailable.clear();
                        self.begin_partition(ctx, None);
                    }
                    Err(reason) => self.complete(
                        ctx,
                        QueueResult::Refused {
                            status: 409,
                            reason,
                        },
                    ),
                }
            }
        }
    }

    pub fn on_message(&mut self, ctx: &mut QCtx<'_>, from: ActorId, msg: QueueWire) {
        if self.on_ack_response(ctx, from, &msg) {
            return;
        }
        let Wire::Response { id, result } = msg.msg else {
            return;
        };
        let Some(r) = &self.running else { return };
        if id.client != self.id || id.seq != r.seq || self.partition() != Some(msg.group) {
            return; // an answer to an earlier attempt
        }
        let p = msg.group;
        match result {
            ClientResult::Ok(out) => {
                self.leaders[p as usize] = Some(from);
                self.on_output(ctx, p, out);
            }
            ClientResult::NotLeader { leader } => {
                let hint = leader.filter(|&l| l != from);
                self.leaders[p as usize] = hint;
                self.retry(ctx, hint, hint.is_none());
            }
            ClientResult::Busy => self.retry(ctx, Some(from), true),
            ClientResult::Status(_) => {}
        }
    }

    pub fn on_timer(&mut self, ctx: &mut QCtx<'_>, kind: TimerKind) {
        match kind {
            TIMER_NEXT => {
                // The consumer is done with its last delivery: its ack goes in the background,
                // and the next dequeue starts now, without waiting for it.
                if let Some((id, d)) = self.workload.as_mut().and_then(QueueWorkload::take_ack) {
                    self.ack_in_background(ctx, id, d);
                }
                if let Some(op) = self.planned.take() {
                    self.start(ctx, op, None);
                }
            }
            TIMER_ACKS => self.on_ack_timer(ctx),
            TIMER_ATTEMPT => {
                if let Some(p) = self.partition() {
                    self.leaders[p as usize] = None;
                }
                self.retry(ctx, None, false);
            }
            TIMER_RETRY => {
                let late = self.running.as_ref().is_some_and(|r| ctx.now >= r.deadline);
                if late {
                    self.partition_failed(ctx);
                } else {
                    self.send_attempt(ctx);
                }
            }
            _ => {}
        }
    }
}
