//! One partition's queue as a Raft state machine (REFERENCES §4.1).
//!
//! Lifecycle: `Ready → InFlight(delivery_id, deadline) → acked (deleted)`; at the deadline the
//! message is `Ready` again in its original place (RabbitMQ requeues to the original position),
//! and the next delivery carries `redelivered: true`. Every delivery counts one receive; when a
//! delivery expires with `receive_count > max_receive` the message goes to the dead-letter queue
//! instead (so `max_receive = 3`: the 4th failed delivery dead-letters it).
//!
//! Order: ready messages by (priority descending, partition sequence ascending): 10 first,
//! FIFO within a priority. Time is the leader-stamped `ApplyCtx::time`, never a clock; expiry
//! runs when a `Dequeue` applies (lazily) and when the leader's housekeeping proposes `Expire`.

use crate::base::fifo::{FifoMap, FifoSet};
use std::cmp::Reverse;

use super::types::*;
use crate::base::StableHasher;
use crate::mutants::{active, Mutant};
use crate::raft::sessions::{Admit, Sessions};
use crate::raft::{ApplyCtx, Reply, RequestId, StateMachine};
use crate::ring::NodeId;
use crate::sim::{Time, MS};

/// Where a stored message is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MsgState {
    Ready,
    InFlight { delivery_id: u64, deadline: Time },
    Dead,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMsg {
    pub body: Body,
    pub key: Body,
    pub priority: u8,
    pub enqueued_at: Time,
    pub max_receive: u32,
    pub receive_count: u32,
    pub state: MsgState,
}

/// The ring as this partition last heard of it (`epoch` 0: the initial ring, every server).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RingState {
    pub epoch: u64,
    pub members: Vec<NodeId>,
    pub before: Vec<NodeId>,
    pub change: RingChange,
}

/// Monotonic counters of one partition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub enqueued: u64,
    pub delivered: u64,
    pub acked: u64,
    pub redelivered: u64,
    pub dead_lettered: u64,
}

/// How many acked message numbers a partition remembers, to tell a double ack from an
/// unknown id (older ones answer "unknown").
pub const ACKED_MEMORY: usize = 256;

#[derive(Clone, Debug, Default)]
pub struct QueueSm {
    // Ring buffers rather than sorted vectors (`base::fifo`): messages arrive with increasing
    // numbers and leave from the front, so a sorted `Vec` shifted the backlog on every
    // dequeue and ack.
    pub messages: FifoMap<u64, StoredMsg>,
    /// Ready messages in dequeue order.
    ready: FifoSet<(Reverse<u8>, u64)>,
    /// In-flight deliveries by deadline.
    deadlines: FifoSet<(Time, u64)>,
    /// Recently acked message numbers (bounded by `ACKED_MEMORY`, oldest first).
    acked: FifoSet<u64>,
    next_seq: u64,
    next_delivery: u64,
    pub counters: Counters,
    pub ring: RingState,
    sessions: Sessions<QueueOutput>,
    /// The background-ack lane's sessions (`AckBatch` only). A session admits one request at
    /// a time and treats a lower seq as stale, so a batch in flight beside a dequeue from the
    /// same client needs its own: sharing one, whichever applied second would be dropped.
    ack_sessions: Sessions<QueueOutput>,
}

impl QueueSm {
    pub fn ready_count(&self) -> usize {
        self.ready.len()
    }
    pub fn in_flight_count(&self) -> usize {
        self.deadlines.len()
    }
    pub fn dead_count(&self) -> usize {
        self.messages.len() - self.ready.len() - self.deadlines.len()
    }
    /// Ready message numbers in dequeue order.
    pub fn ready_order(&self) -> impl Iterator<Item = u64> + '_ {
        self.ready.iter().map(|(_, s)| *s)
    }
    /// Whether message `seq` was stored here and is still here or was acked recently.
    pub fn knows(&self, seq: u64) -> bool {
        self.messages.contains_key(&seq) || self.acked.contains(&seq)
    }
    /// Whether message `seq` was acked (within the remembered window).
    pub fn was_acked(&self, seq: u64) -> bool {
        self.acked.contains(&seq)
    }
    /// Messages stored so far (the next one gets `stored() + 1`).
    pub fn stored(&self) -> u64 {
        self.next_seq
    }
    /// The deliveries whose deadline is at or before `now`, as `(seq, receive count, max
    /// receive)`, in the order `expire` handles them.
    pub fn expiring(&self, now: Time) -> Vec<(u64, u64, u64)> {
        self.deadlines
            .iter()
            .take_while(|(t, _)| *t <= now)
            .filter_map(|(_, seq)| self.messages.get(seq).map(|m| (*seq, m)))
            .map(|(seq, m)| (seq, u64::from(m.receive_count), u64::from(m.max_receive)))
            .collect()
    }

    /// Whether a client request `r` would run (not a retry): see `Sessions::would_run`.
    pub fn sessions_would_run(&self, r: RequestId) -> bool {
        self.sessions.would_run(r)
    }

    /// The earliest visibility deadline.
    pub fn next_deadline(&self) -> Option<Time> {
        self.deadlines.first().map(|(t, _)| *t)
    }

    /// Every index agrees with the message table: each ready entry names a ready message of
    /// that priority, each deadline an in-flight message with that deadline, and nothing is
    /// in two places. The fuzzer checks it on every replica after every event.
    pub fn check_indexes(&self) -> Result<(), String> {
        for (Reverse(p), seq) in &self.ready {
            match self.messages.get(seq) {
                Some(m) if m.state == MsgState::Ready && m.priority == *p => {}
                _ => return Err(format!("ready index names message {seq} wrongly")),
            }
        }
        for (t, seq) in &self.deadlines {
            match self.messages.get(seq).map(|m| &m.state) {
                Some(MsgState::InFlight { deadline, .. }) if deadline == t => {}
                _ => return Err(format!("deadline index names message {seq} wrongly")),
            }
        }
        let ready = self
            .messages
            .values()
            .filter(|m| m.state == MsgState::Ready);
        if ready.count() != self.ready.len() {
            return Err("a ready message is missing from the ready index".into());
        }
        Ok(())
    }

    fn enqueue(&mut self, ctx: &ApplyCtx, body: &Body, key: &Body, priority: u8, max: u32) -> u64 {
        self.next_seq += 1;
        let seq = self.next_seq;
        let priority = priority.clamp(MIN_PRIORITY, MAX_PRIORITY);
        self.messages.insert(
            seq,
            StoredMsg {
                body: body.clone(),
                key: key.clone(),
                priority,
                enqueued_at: ctx.time,
                max_receive: max.max(1),
                receive_count: 0,
                state: MsgState::Ready,
            },
        );
        self.ready.insert((Reverse(priority), seq));
        self.counters.enqueued += 1;
        seq
    }

    fn dequeue(&mut self, ctx: &ApplyCtx, visibility_ms: u64) -> QueueOutput {
        self.expire(ctx.time);
        let Some((Reverse(priority), seq)) = self.ready.pop_first() else {
            return QueueOutput::Empty;
        };
        self.next_delivery += 1;
        let delivery_id = self.next_delivery;
        let deadline = ctx.time + visibility_ms.max(1) * MS;
        let m = self
            .messages
            .get_mut(&seq)
            .expect("ready index names a message");
        m.receive_count += 1;
        m.state = MsgState::InFlight {
            delivery_id,
            deadline,
        };
        self.deadlines.insert((deadline, seq));
        let redelivered = m.receive_count > 1;
        self.counters.delivered += 1;
        if redelivered {
            self.counters.redelivered += 1;
        }
        QueueOutput::Delivered(Delivery {
            seq,
            body: m.body.clone(),
            priority,
            dequeued_at: ctx.time,
            delivery_id,
            redelivered,
            receive_count: m.receive_count,
        })
    }

    fn ack(&mut self, seq: u64, delivery_id: u64) -> QueueOutput {
        let current = |m: &StoredMsg| matches!(m.state, MsgState::InFlight { delivery_id: d, .. } if d == delivery_id);
        let error = match self.messages.remove_if(&seq, current) {
            Ok(m) => {
                if let MsgState::InFlight { deadline, .. } = m.state {
                    self.deadlines.remove(&(deadline, seq));
                }
                self.acked.insert(seq);
                if self.acked.len() > ACKED_MEMORY {
                    self.acked.pop_first();
                }
                self.counters.acked += 1;
                return QueueOutput::Acked { seq };
            }
            Err(true) => AckError::StaleDelivery,
            Err(false) if self.acked.contains(&seq) => AckError::AlreadyAcked,
            Err(false) => AckError::UnknownMessage,
        };
        QueueOutput::AckRefused { seq, error }
    }

    /// Deliveries whose deadline is at or before `now` become ready again, or dead once they
    /// have failed more than `max_receive` times.
    fn expire(&mut self, now: Time) {
        if active(Mutant::QueueNeverRedeliver) {
            return;
        }
        while let Some(&(deadline, seq)) = self.deadlines.first() {
            if deadline > now {
                break;
            }
            self.deadlines.pop_first();
            let m = self
                .messages
                .get_mut(&seq)
                .expect("deadline names a message");
            if m.receive_count > m.max_receive {
                m.state = MsgState::Dead;
                self.counters.dead_lettered += 1;
            } else {
                m.state = MsgState::Ready;
                self.ready.insert((Reverse(m.priority), seq));
            }
        }
    }

    /// The sessions that decide whether `cmd` runs (exactly once per client and seq).
    fn lane(&mut self, cmd: &QueueCmd) -> &mut Sessions<QueueOutput> {
        match cmd {
            QueueCmd::AckBatch { .. } => &mut self.ack_sessions,
            _ => &mut self.sessions,
        }
    }

    fn status(&self) -> PartitionStatus {
        PartitionStatus {
            ready: self.ready_count() as u64,
            in_flight: self.in_flight_count() as u64,
            dead: self.dead_count() as u64,
            pending: self.ready_order().take(50).collect(),
        }
    }

    fn set_ring(&mut self, epoch: u64, members: &[NodeId], change: RingChange) -> QueueOutput {
        let mut sorted = members.to_vec();
        crate::base::sort::sort(&mut sorted);
        sorted.dedup();
        if (epoch, &sorted) > (self.ring.epoch, &self.ring.members) {
            let before = std::mem::replace(&mut self.ring.members, sorted);
            self.ring.before = before;
            self.ring.epoch = epoch;
            self.ring.change = change;
        }
        QueueOutput::Ring {
            epoch: self.ring.epoch,
            members: self.ring.members.clone(),
        }
    }

    fn run(&mut self, ctx: &ApplyCtx, cmd: &QueueCmd) -> Option<QueueOutput> {
        Some(match cmd {
            QueueCmd::Enqueue {
                body,
                key,
                priority,
                max_receive,
            } => {
                let seq = self.enqueue(ctx, body, key, *priority, *max_receive);
                QueueOutput::Enqueued {
                    seq,
                    enqueued_at: ctx.time,
                }
            }
            QueueCmd::Dequeue { visibility_ms } => self.dequeue(ctx, *visibility_ms),
            QueueCmd::Ack { seq, delivery_id } => self.ack(*seq, *delivery_id),
            QueueCmd::AckBatch { acks } => QueueOutput::AckBatch(
                acks.iter()
                    .map(|&(seq, d)| match self.ack(seq, d) {
                        QueueOutput::AckRefused { error, .. } => (seq, Some(error)),
                        _ => (seq, None),
                    })
                    .collect(),
            ),
            QueueCmd::Status => QueueOutput::Status(self.status()),
            QueueCmd::Expire => {
                self.expire(ctx.time);
                return None;
            }
            QueueCmd::SetRing {
                epoch,
                members,
                change,
            } => self.set_ring(*epoch, members, *change),
        })
    }
}

impl StateMachine for QueueSm {
    type Cmd = QueueCmd;
    type Output = QueueOutput;

    fn apply(
        &mut self,
        ctx: &ApplyCtx,
        req: Option<RequestId>,
        cmd: &QueueCmd,
        replies: &mut Vec<Reply<QueueOutput>>,
    ) {
        // Exactly once per (client, seq): a retried enqueue must not store the message twice.
        let Some(r) = req else {
            self.run(ctx, cmd);
            return;
        };
        // The lane's table is moved out while the command runs (`run` never reads sessions),
        // so the session found by `admit` can take the output without a second search.
        let mut sessions = std::mem::take(self.lane(cmd));
        let (admit, session) = sessions.admit_session(r);
        match admit {
            Admit::Run { .. } => {
                if let Some(output) = self.run(ctx, cmd) {
                    session.record(r.seq, &output);
                    replies.push(Reply { to: r, output });
                }
            }
            Admit::Replay(output) => replies.push(Reply { to: r, output }),
            Admit::Pending | Admit::Stale => {}
        }
        *self.lane(cmd) = sessions;
    }

    fn why(
        &self,
        ctx: &ApplyCtx,
        req: Option<RequestId>,
        cmd: &QueueCmd,
        replies: Option<&[Reply<QueueOutput>]>,
        out: &mut Vec<crate::sim::Why>,
    ) {
        super::reasons::explain(self, ctx, req, cmd, replies, out);
    }

    fn housekeeping(&self, now: Time) -> Option<QueueCmd> {
        self.next_deadline()
            .filter(|&d| d <= now)
            .map(|_| QueueCmd::Expire)
    }

    fn query(&self, _ctx: &ApplyCtx, _req: RequestId, cmd: &QueueCmd) -> Option<QueueOutput> {
        match cmd {
            QueueCmd::Status => Some(QueueOutput::Status(self.status())),
            _ => None,
        }
    }

    fn label(cmd: &QueueCmd) -> String {
        match cmd {
            QueueCmd::Enqueue { body, priority, .. } => {
                let short: String = body.chars().take(12).collect();
                format!("enq {short} p{priority}")
            }
            QueueCmd::Dequeue { .. } => "deq".into(),
            QueueCmd::Ack { seq, delivery_id } => format!("ack {seq} d{delivery_id}"),
            QueueCmd::AckBatch { acks } => match acks.as_slice() {
                [(seq, d)] => format!("ack {seq} d{d}"),
                _ => format!("ack ×{}", acks.len()),
            },
            QueueCmd::Status => "status".into(),
            QueueCmd::Expire => "expire".into(),
            QueueCmd::SetRing { epoch, .. } => format!("ring v{epoch}"),
        }
    }

    fn digest(&self) -> u64 {
        let mut h = StableHasher::default();
        h.u64(self.next_seq);
        h.u64(self.next_delivery);
        h.u64(self.messages.len() as u64);
        for (seq, m) in &self.messages {
            h.u64(*seq);
            h.str(&m.body);
            h.str(&m.key);
            h.u64(u64::from(m.priority));
            h.u64(m.enqueued_at);
            h.u64(u64::from(m.max_receive));
            h.u64(u64::from(m.receive_count));
            match m.state {
                MsgState::Ready => h.u64(0),
                MsgState::InFlight {
                    delivery_id,
                    deadline,
                } => {
                    h.u64(1);
                    h.u64(delivery_id);
                    h.u64(deadline);
                }
                MsgState::Dead => h.u64(2),
            }
        }
        for a in &self.acked {
            h.u64(*a);
        }
        h.u64(self.ring.epoch);
        for m in &self.ring.members {
            h.u64(*m as u64);
        }
        h.finish()
    }

    fn approx_size(&self) -> usize {
        64 + self
            .messages
            .values()
            .map(|m| 96 + m.body.len() + m.key.len())
            .sum::<usize>()
    }
}
