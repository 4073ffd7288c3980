//! The queue's benchmark (issue 12, "Benchmarks"):
//!
//! - [`QueueRun`], the seeds' queue-throughput scenario: `clients` closed-loop producers and as
//!   many consumers on a cluster of queue servers (one Raft group per partition). Producers are
//!   console clients whose submission queue the driver keeps topped up, so each sends its next
//!   message (of `message_bytes`, routed by key) the moment the previous one is acknowledged;
//!   consumers are the queue's own workload clients (dequeue, then ack every delivery in the
//!   background while the next dequeue runs, `client/acks.rs`). After
//!   the measured time producers stop and the queue is drained, by the consumers and by the
//!   producers turned consumers (dequeue, then ack): every message whose enqueue was
//!   acknowledged must come out at least once (loss), and deliveries beyond the first are
//!   counted (duplicates). Operations completed during the drain are not measured. Peak depth
//!   is sampled from the partition leaders.
//!
//! The ring-quality table is `ring_bench.rs`.

use std::collections::BTreeMap;

use crate::base::sorted::SortedMap;

use super::actor::QueueActorCmd;
use super::actor::{queue_console_client, queue_server, queue_workload_client, QueueActor};
use super::bench_fault::QueueFault;
use super::client::{ClientCounters, QueueOp, QueueResult, QueueWorkload, Submit};
use super::params::QueueParams;
use super::placement::PARTITIONS;
use super::types::{parse_message_id, AckError, Body};
use super::world::partition_replica;
use crate::bench::metrics::{round_to, Recorder};
use crate::bench::open_loop;
use crate::bench::result::{BenchResult, Measured};
use crate::bench::scenario::{secs, RunSpec, ScenarioParams};
use crate::bench::target::RunDriver;
use crate::service::{command_for, Hosts, World};
use crate::sim::{Actor, ActorId, Sim, SimConfig, Time, MS, SEC};

/// How often the driver tops up the producers' submission queues.
const TICK: Time = 10 * MS;
/// How often it samples the depth and reads the new history records.
const SAMPLE: Time = 100 * MS;
/// Messages kept queued at every producer beyond the one it is sending (an enqueue takes at
/// least two network round trips, far longer than a tick, so a producer never waits for one).
const QUEUED: u64 = 3;

/// A message's identity: (partition, number in the partition).
type MsgId = (u32, u64);

/// What starts producer `k`'s `n`th message's body: "m{k}-{n}|". Written by hand into a buffer:
/// the ledger rebuilds one per delivery, and `format!` cost more than the rest of its reading.
struct MessageHead {
    /// "m", two u64s of at most 20 digits, "-" and "|".
    buf: [u8; 43],
    len: usize,
}

impl MessageHead {
    fn new(k: usize, n: u64) -> Self {
        let mut h = MessageHead {
            buf: [0; 43],
            len: 0,
        };
        h.push(b'm');
        h.decimal(k as u64);
        h.push(b'-');
        h.decimal(n);
        h.push(b'|');
        h
    }

    fn push(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    fn decimal(&mut self, v: u64) {
        let mut buf = [0; 20];
        for &b in crate::base::decimal::digits(v, &mut buf) {
            self.push(b);
        }
    }

    /// The head, cut to a body of `bytes`.
    fn cut(&self, bytes: usize) -> &[u8] {
        &self.buf[..self.len.min(bytes)]
    }
}

/// The body of producer `k`'s `n`th message: its head padded with dots to `bytes`.
pub fn message_body(k: usize, n: u64, bytes: usize) -> String {
    let mut body = String::new();
    write_message_body(&mut body, k, n, &".".repeat(bytes));
    body
}

/// `message_body(k, n, dots.len())`, written over `out`. The dots are copied from `dots`
/// rather than validated as UTF-8 byte by byte (a kilobyte per message sent).
fn write_message_body(out: &mut String, k: usize, n: u64, dots: &str) {
    let head = MessageHead::new(k, n);
    // The head is ASCII ("m", digits, "-", "|"), so any cut of it is a `str`.
    let head = std::str::from_utf8(head.cut(dots.len())).unwrap_or_default();
    out.clear();
    out.push_str(head);
    out.push_str(&dots[head.len()..]);
}

/// Whether `body` is `message_body(k, n, dots.len())`, given that many dots, without building
/// it (the ledger checks every delivery).
pub(super) fn is_message_body(body: &str, k: usize, n: u64, dots: &str) -> bool {
    let head = MessageHead::new(k, n);
    let head = head.cut(dots.len());
    let body = body.as_bytes();
    body.len() == dots.len() && body.starts_with(head) && all_dots(&body[head.len()..])
}

/// Whether every byte is a '.'. Why not `== dots[..]`: the bodies are 0.5 to 2 KiB, and in
/// WebAssembly the slice comparison is a byte-at-a-time `memcmp` (about 2 % of the seeds'
/// report in V8); eight bytes at a time is the same test.
fn all_dots(bytes: &[u8]) -> bool {
    const DOTS: u64 = u64::from_ne_bytes([b'.'; 8]);
    let mut words = bytes.chunks_exact(8);
    words
        .by_ref()
        .all(|w| w.try_into().is_ok_and(|w| u64::from_ne_bytes(w) == DOTS))
        && words.remainder().iter().all(|&b| b == b'.')
}

/// The op kind and outcome of one answered queue operation, for the recorder. Empty scans are
/// their own kind, so that "dequeue" counts deliveries only.
fn classify(op: &QueueOp, result: &QueueResult) -> (&'static str, Result<(), &'static str>) {
    let kind = match op {
        QueueOp::Enqueue { .. } => "enqueue",
        QueueOp::Dequeue { .. } if matches!(result, QueueResult::Empty) => "dequeue_empty",
        QueueOp::Dequeue { .. } => "dequeue",
        QueueOp::Ack { .. } => "ack",
        QueueOp::Status => "status",
        QueueOp::Ring { .. } => "ring",
    };
    let outcome = match result {
        QueueResult::Unavailable { .. } => Err("unavailable"),
        QueueResult::Refused { .. } => Err("refused"),
        QueueResult::AckRefused { error, .. } => Err(match error {
            AckError::AlreadyAcked => "double_ack",
            AckError::StaleDelivery => "stale_delivery",
            AckError::UnknownMessage => "unknown_message",
        }),
        _ => Ok(()),
    };
    (kind, outcome)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Producers and consumers run; operations completed now are measured.
    Measuring,
    /// Producers stopped; consumers deliver what is left.
    Draining,
    Done,
}

/// Something per message, found by indexing: a partition numbers its messages 1, 2, 3... so
/// a table per partition indexed by number replaces a search. Why not a B-tree: its look-ups
/// (three or four per delivery) were most of the driver's reading, 5 % of job 8.
#[derive(Clone, Debug)]
pub(super) struct MsgTable<T> {
    parts: Vec<Vec<Option<T>>>,
    len: usize,
}

impl<T> Default for MsgTable<T> {
    fn default() -> Self {
        MsgTable {
            parts: (0..PARTITIONS).map(|_| Vec::new()).collect(),
            len: 0,
        }
    }
}

impl<T> MsgTable<T> {
    /// Messages with a value.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn get(&self, (p, seq): MsgId) -> Option<&T> {
        self.parts
            .get(p as usize)?
            .get(usize::try_from(seq).ok()?)?
            .as_ref()
    }

    /// Set the value of `id`; whether it had none (`BTreeMap::insert(..).is_none()`).
    pub(super) fn insert(&mut self, id: MsgId, value: T) -> bool {
        let first = slot(&mut self.parts, id).replace(value).is_none();
        self.len += usize::from(first);
        first
    }

    /// The value of `id`, set to `value` first if it had none.
    pub(super) fn get_or_insert(&mut self, id: MsgId, value: T) -> &mut T {
        let slot = slot(&mut self.parts, id);
        if slot.is_none() {
            self.len += 1;
        }
        slot.get_or_insert(value)
    }
}

/// The slot of message `id`, grown to hold it (numbers arrive nearly in order, so the table
/// stays dense). Ids come from `parse_message_id`, whose partition is in range.
fn slot<T>(parts: &mut [Vec<Option<T>>], (p, seq): MsgId) -> &mut Option<T> {
    let part = &mut parts[p as usize];
    let i = usize::try_from(seq).expect("a message number fits in memory");
    if i >= part.len() {
        part.resize_with(i + 1, || None);
    }
    &mut part[i]
}

/// What the driver learnt from the clients' histories so far (read incrementally, bodies
/// checked as they are read, so that the driver can drop them: `QueueRun::read_histories`).
#[derive(Clone, Debug, Default)]
pub(super) struct Ledger {
    /// Next history record to read, per client (producers, then consumers).
    pub(super) cursor: Vec<usize>,
    /// As many dots as a message has bytes: every body sent is its head over these.
    pub(super) dots: String,
    /// Messages whose enqueue was acknowledged: their producer (slot) and number there, which
    /// is the producer's history record (it is handed one enqueue per record, in order).
    pub(super) enqueued: MsgTable<(usize, u64)>,
    /// Deliveries per message.
    pub(super) delivered: MsgTable<u32>,
    /// Bodies delivered before their producer heard the enqueue's ack: checked when it does.
    pub(super) early: BTreeMap<MsgId, Vec<Body>>,
    /// Acknowledged messages not delivered yet.
    pub(super) undelivered: u64,
    pub(super) deliveries: u64,
    pub(super) redelivered: u64,
    /// Deliveries of an acknowledged message whose body differs from what its producer sent.
    pub(super) corrupted: u64,
}

impl Ledger {
    pub(super) fn read(&mut self, slot: usize, records: &[super::client::QueueRecord]) {
        // A client runs one foreground operation at a time, so those records complete in
        // order; a consumer's background acks complete later, and say nothing about loss.
        while let Some(r) = records
            .get(self.cursor[slot])
            .filter(|r| r.completed.is_some() || matches!(r.op, QueueOp::Ack { .. }))
        {
            let n = self.cursor[slot] as u64;
            self.cursor[slot] += 1;
            match &r.result {
                Some(QueueResult::Enqueued { message_id, .. }) => {
                    let Some(id) = parse_message_id(message_id) else {
                        continue;
                    };
                    debug_assert!(matches!(&r.op, QueueOp::Enqueue { message, .. }
                        if is_message_body(message, slot, n, &self.dots)));
                    let first = self.enqueued.insert(id, (slot, n));
                    if first && self.delivered.get(id).is_none() {
                        self.undelivered += 1;
                    }
                    for body in self.early.remove(&id).unwrap_or_default() {
                        self.check(id, &body);
                    }
                }
                Some(QueueResult::Delivered {
                    message_id,
                    message,
                    redelivered,
                    ..
                }) => {
                    let Some(id) = parse_message_id(message_id) else {
                        continue;
                    };
                    self.deliveries += 1;
                    self.redelivered += u64::from(*redelivered);
                    let n = self.delivered.get_or_insert(id, 0);
                    *n += 1;
                    let first = *n == 1;
                    // A consumer can be handed a message before its producer hears the ack.
                    if self.enqueued.get(id).is_some() {
                        if first {
                            self.undelivered -= 1;
                        }
                        self.check(id, message);
                    } else {
                        self.early.entry(id).or_default().push(message.clone());
                    }
                }
                _ => {}
            }
        }
    }

    /// Count a delivery of acknowledged message `id` whose body is not the one sent.
    fn check(&mut self, id: MsgId, body: &str) {
        let Some(&(k, n)) = self.enqueued.get(id) else {
            return;
        };
        if !is_message_body(body, k, n, &self.dots) {
            self.corrupted += 1;
        }
    }
}

/// Depth of the queue over all partitions, as their leaders (or best replicas) see it.
#[derive(Clone, Copy, Debug, Default)]
struct Depth {
    peak_ready: u64,
    peak_in_flight: u64,
    peak_total: u64,
    last_ready: u64,
}

/// One queue-throughput run. `A` is the world's actor: the playground's `Node` (so the page
/// carries one copy of the kernel), with the other services quiet.
pub(crate) struct QueueRun<A: Actor + Hosts<QueueActor>> {
    spec: RunSpec,
    params: ScenarioParams,
    qp: QueueParams,
    sim: Sim<A>,
    t0: Time,
    end: Time,
    drain_end: Time,
    /// When measurement stopped (`end`, or earlier for an ops-limited run that finished).
    measured_end: Time,
    /// When the drain found every acknowledged message delivered.
    drained_at: Option<Time>,
    producers: Vec<ActorId>,
    consumers: Vec<ActorId>,
    /// Messages handed to each producer so far.
    submitted: Vec<u64>,
    /// Drain operations (dequeues and acks) handed to each producer so far.
    drain_ops: Vec<u64>,
    next_tick: Time,
    next_sample: Time,
    ledger: Ledger,
    /// Scratch space for the next message body (`submit`).
    body_buf: String,
    depth: Depth,
    phase: Phase,
    /// The consumers' request counters when the measured time ended (the drain's empty scans
    /// would blur the profile).
    measured_counters: Option<ClientCounters>,
    /// The fault plan (node failure) and the partition groups' re-election.
    fault: Option<QueueFault>,
    /// Open loop: the producers' arrival schedules (messages are submitted as they arrive
    /// instead of topped up); `None`: closed loop.
    arrivals: Option<open_loop::Schedules>,
}

impl<A: Actor + Hosts<QueueActor>> QueueRun<A> {
    /// `host` puts each queue actor (servers, then producers, then consumers) into the world's
    /// actor.
    pub fn new(
        params: &ScenarioParams,
        spec: RunSpec,
        host: impl Fn(ActorId, QueueActor) -> A,
    ) -> Result<Self, String> {
        let params = params.for_run(&spec);
        let qp = params
            .service
            .queue()
            .ok_or_else(|| format!("{}: not a queue-throughput scenario", spec.label))?
            .clone();
        let (n, c) = (spec.nodes, spec.clients);
        let ids: Vec<ActorId> = (0..n).collect();
        let producers: Vec<ActorId> = (n..n + c).collect();
        let consumers: Vec<ActorId> = (n + c..n + 2 * c).collect();
        let (lo, hi) = qp.consumer_think_ms;
        let mut actors: Vec<A> = ids
            .iter()
            .map(|&i| host(i, queue_server(i, &ids)))
            .collect();
        actors.extend(
            producers
                .iter()
                .map(|&i| host(i, queue_console_client(i, &ids))),
        );
        actors.extend(consumers.iter().map(|&i| {
            let mut w = QueueWorkload::consumer(1.0);
            w.think = (lo * MS, hi * MS);
            host(i, queue_workload_client(i, &ids, w))
        }));
        let cfg = SimConfig {
            seed: params.seed,
            servers: n,
            link: params.profile.link(),
            cpu_service_us: params.cpu_service_us,
            // Benchmarks read histories, never the event ring or its hash: keep neither.
            trace_capacity: 0,
        };
        let mut sim = Sim::new(cfg, actors).map_err(|e| format!("{}: {}", spec.label, e.0))?;
        sim.skip_trace_hash();
        let t0 = secs(params.warmup_s);
        let end = t0 + secs(params.duration_s);
        let fault = params
            .fault
            .map(|plan| QueueFault::new(plan, t0, params.duration_s));
        let arrivals = open_loop::per_client(&qp.offered_rates, c)
            .map(|rate| open_loop::Schedules::new(params.seed, rate, c, t0));
        Ok(QueueRun {
            fault,
            arrivals,
            drain_end: end + secs(qp.drain_s),
            measured_end: end,
            drained_at: None,
            submitted: vec![0; c],
            drain_ops: vec![0; c],
            ledger: Ledger {
                cursor: vec![0; 2 * c],
                dots: ".".repeat(qp.message_bytes),
                ..Ledger::default()
            },
            body_buf: String::new(),
            next_tick: t0,
            next_sample: t0,
            depth: Depth::default(),
            phase: Phase::Measuring,
            measured_counters: None,
            spec,
            params,
            qp,
            sim,
            t0,
            end,
            producers,
            consumers,
        })
    }

    fn done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Share of the measured time covered (the drain, usually short, shows as 100 %).
    fn fraction(&self) -> f64 {
        if self.done() {
            1.0
        } else {
            (self.sim.now() as f64 / self.end.max(1) as f64).min(1.0)
        }
    }

    fn events(&self) -> u64 {
        self.sim.events_processed()
    }

    fn client(&self, id: ActorId) -> &super::client::QueueClient {
        self.sim
            .actor(id)
            .part()
            .client()
            .expect("producers and consumers are queue clients")
    }

    /// Advance by about `budget` events.
    fn step(&mut self, budget: u64) {
        let start = self.sim.events_processed();
        while !self.done() && self.sim.events_processed() - start < budget {
            let fault_at = self.fault.as_ref().and_then(QueueFault::next_time);
            let arrival = self
                .arrivals
                .as_ref()
                .filter(|_| self.phase == Phase::Measuring)
                .and_then(open_loop::Schedules::next_time)
                // Arrivals stop with the measured time (else the driver would stop there).
                .filter(|&t| t < self.end);
            let driver = self
                .next_tick
                .min(self.next_sample)
                .min(fault_at.unwrap_or(Time::MAX))
                .min(arrival.unwrap_or(Time::MAX));
            let reached = if self.fault.as_ref().is_some_and(QueueFault::watching) {
                // While groups wait for a leader, the watcher looks after every timestamp.
                match self.sim.next_event_time() {
                    Some(t) if t < driver => {
                        self.sim.run_until(t);
                        false
                    }
                    _ => {
                        self.sim.run_until(driver);
                        true
                    }
                }
            } else {
                let left = budget - (self.sim.events_processed() - start);
                self.sim.run_until_budget(driver, left)
            };
            if reached {
                self.driver_act(driver);
            }
            if let Some(f) = &mut self.fault {
                f.watch(&self.sim, self.spec.nodes);
            }
        }
    }

    fn driver_act(&mut self, now: Time) {
        if let Some(f) = &mut self.fault {
            f.act(&mut self.sim, self.spec.nodes, now);
        }
        if self.phase == Phase::Measuring && now < self.end {
            if let Some(a) = &mut self.arrivals {
                let limit = self.params.ops_per_client.unwrap_or(u64::MAX);
                for k in a.due(now) {
                    if self.submitted[k] < limit {
                        self.submit(k);
                    }
                }
            }
        }
        if now >= self.next_tick {
            self.next_tick = now + TICK;
            if self.phase == Phase::Measuring && now < self.end {
                if self.arrivals.is_none() {
                    self.top_up();
                }
            } else if self.phase == Phase::Draining {
                self.drain_with_producers();
            }
        }
        if now >= self.next_sample {
            self.next_sample = now + SAMPLE;
            self.read_histories();
            self.sample_depth(now);
            self.advance_phase(now);
        }
    }

    /// Keep `QUEUED` messages waiting at every producer (fewer near an ops limit).
    fn top_up(&mut self) {
        let limit = self.params.ops_per_client.unwrap_or(u64::MAX);
        for k in 0..self.producers.len() {
            let id = self.producers[k];
            // An idle producer starts a submitted message at once, so count again each time.
            while self.submitted[k] < limit
                && self.submitted[k] < self.client(id).history().len() as u64 + QUEUED
            {
                self.submit(k);
            }
        }
    }

    /// Hand producer `k` its next message.
    fn submit(&mut self, k: usize) {
        let n = self.submitted[k];
        self.submitted[k] += 1;
        // "k{r}", by hand (base/decimal.rs): one per message sent.
        let mut key = String::with_capacity(8);
        key.push('k');
        let r = (n * self.producers.len() as u64 + k as u64) % self.qp.routing_keys;
        crate::base::decimal::push(&mut key, r);
        // Written in a reused buffer, then copied once into the shared body.
        let body = &mut self.body_buf;
        write_message_body(body, k, n, &self.ledger.dots);
        let op = QueueOp::Enqueue {
            message: Body::from(body.as_str()),
            priority: 1 + ((n + k as u64) % 10) as u8,
            key: Some(key),
            max_receive: None,
        };
        let cmd = QueueActorCmd::Submit(Submit { target: None, op });
        // Clients never crash in this benchmark, so the command is always accepted.
        let _ = self
            .sim
            .apply(command_for::<A, QueueActor>(self.producers[k], cmd));
    }

    /// During the drain, every producer that has nothing left to do consumes: it acks its last
    /// delivery, if any, and dequeues again.
    fn drain_with_producers(&mut self) {
        for k in 0..self.producers.len() {
            let id = self.producers[k];
            let c = self.client(id);
            let issued = self.submitted[k] + self.drain_ops[k];
            if c.is_busy() || (c.history().len() as u64) < issued {
                continue;
            }
            let mut ops = Vec::new();
            if let Some(QueueResult::Delivered {
                message_id,
                delivery_id,
                ..
            }) = c.history().last().and_then(|r| r.result.as_ref())
            {
                ops.push(QueueOp::Ack {
                    message_id: message_id.clone(),
                    delivery_id: *delivery_id,
                });
            }
            // Queued behind the ack, so it starts the moment the ack is answered.
            ops.push(QueueOp::Dequeue {
                visibility_ms: None,
            });
            for op in ops {
                self.drain_ops[k] += 1;
                let cmd = QueueActorCmd::Submit(Submit { target: None, op });
                let _ = self.sim.apply(command_for::<A, QueueActor>(id, cmd));
            }
        }
    }

    /// Read the clients' new history records, then drop the bodies just checked: kept to the
    /// end, they were most of a long run's memory (nothing after the ledger reads them).
    fn read_histories(&mut self) {
        for (slot, &id) in self.producers.iter().chain(&self.consumers).enumerate() {
            let Some(c) = self.sim.actor_mut(id).part_mut().client_mut() else {
                continue;
            };
            let from = self.ledger.cursor[slot];
            self.ledger.read(slot, c.history());
            c.blank_bodies(from..self.ledger.cursor[slot]);
        }
    }

    fn sample_depth(&mut self, now: Time) {
        let world = World {
            sim: &self.sim,
            servers: self.spec.nodes,
            console: &[],
            actions: &[],
        };
        let (mut ready, mut in_flight) = (0u64, 0u64);
        for p in 0..PARTITIONS {
            if let Some((_, s)) = partition_replica(&world, p) {
                ready += s.state_machine().ready_count() as u64;
                in_flight += s.state_machine().in_flight_count() as u64;
            }
        }
        let d = &mut self.depth;
        d.last_ready = ready;
        if now >= self.t0 && now <= self.measured_end {
            d.peak_ready = d.peak_ready.max(ready);
            d.peak_in_flight = d.peak_in_flight.max(in_flight);
            d.peak_total = d.peak_total.max(ready + in_flight);
        }
    }

    /// Every message handed to a producer has its answer.
    fn producers_idle(&self) -> bool {
        self.producers.iter().enumerate().all(|(k, &id)| {
            let n = self.submitted[k] as usize;
            // Records complete in order: the last enqueue's answer is enough.
            n == 0
                || self
                    .client(id)
                    .history()
                    .get(n - 1)
                    .is_some_and(|r| r.completed.is_some())
        })
    }

    fn advance_phase(&mut self, now: Time) {
        match self.phase {
            Phase::Measuring if now >= self.end => {
                self.measured_counters = Some(self.consumer_counters());
                self.phase = Phase::Draining;
            }
            Phase::Measuring => {
                // An ops-limited run ends once every producer sent its messages and every one
                // of them came out.
                if let Some(limit) = self.params.ops_per_client {
                    let all_sent = self.submitted.iter().all(|&s| s >= limit);
                    if all_sent && self.producers_idle() && self.ledger.undelivered == 0 {
                        self.measured_end = now;
                        self.drained_at = Some(now);
                        self.phase = Phase::Done;
                    }
                }
            }
            Phase::Draining => {
                let drained = self.producers_idle() && self.ledger.undelivered == 0;
                if drained {
                    self.drained_at = Some(now);
                }
                if drained || now >= self.drain_end {
                    self.phase = Phase::Done;
                }
            }
            Phase::Done => {}
        }
    }

    /// The consumers' dequeues invoked by `until`, and those of them that delivered.
    fn consumer_deliveries(&self, until: Time) -> (u64, u64) {
        let (mut dequeues, mut delivered) = (0, 0);
        for &id in &self.consumers {
            for r in self.client(id).history() {
                if matches!(r.op, QueueOp::Dequeue { .. }) && r.invoked <= until {
                    dequeues += 1;
                    delivered += u64::from(matches!(r.result, Some(QueueResult::Delivered { .. })));
                }
            }
        }
        (dequeues, delivered)
    }

    /// The consumers' request counters, summed.
    fn consumer_counters(&self) -> ClientCounters {
        let mut t = ClientCounters::default();
        for &id in &self.consumers {
            let c = self.client(id).counters;
            t.dequeue_visits += c.dequeue_visits;
            t.ack_batches += c.ack_batches;
            t.batched_acks += c.batched_acks;
            t.requests += c.requests;
        }
        t
    }

    fn finish(mut self) -> BenchResult {
        self.read_histories();
        let mut rec = Recorder::new(self.t0);
        let mut unfinished = 0u64;
        let mut acked = 0u64;
        for (slot, &id) in self.producers.iter().chain(&self.consumers).enumerate() {
            // Open loop: producer `slot`'s n-th enqueue counts from its n-th arrival (the wait
            // behind its earlier messages included).
            let mut arrived = self
                .arrivals
                .as_ref()
                .map_or(&[][..], |a| a.arrived(slot))
                .iter();
            for h in self.client(id).history() {
                acked += u64::from(matches!(h.result, Some(QueueResult::Acked { .. })));
                let invoked = match h.op {
                    QueueOp::Enqueue { .. } => {
                        arrived.next().map_or(h.invoked, |&a| a.min(h.invoked))
                    }
                    _ => h.invoked,
                };
                match (&h.result, h.completed) {
                    (Some(result), Some(done)) if done <= self.measured_end => {
                        let (kind, outcome) = classify(&h.op, result);
                        rec.record(kind, invoked, done, outcome);
                    }
                    (_, None) if h.invoked <= self.measured_end => unfinished += 1,
                    _ => {}
                }
            }
        }
        let duration_s = (self.measured_end.max(self.t0 + 1) - self.t0) as f64 / SEC as f64;
        let (ops, overall) = rec.op_stats(duration_s);
        let l = &self.ledger;
        let unique = l.delivered.len() as u64;
        let drain_s = self.drained_at.map_or(-1.0, |t| {
            round_to(t.saturating_sub(self.end) as f64 / SEC as f64, 1e3)
        });
        let mut extra = SortedMap::new();
        let mut put = |k: &str, v: f64| {
            extra.insert(k.to_string(), v);
        };
        put("sim_events", self.sim.events_processed() as f64);
        put("unfinished_ops", unfinished as f64);
        put("producers", self.producers.len() as f64);
        if let Some(&rate) = self.qp.offered_rates.first() {
            put("offered_rate", rate);
        }
        put("consumers", self.consumers.len() as f64);
        put("message_bytes", self.qp.message_bytes as f64);
        put("enqueued", l.enqueued.len() as f64);
        put("delivered", unique as f64);
        put("deliveries", l.deliveries as f64);
        put("duplicates", (l.deliveries - unique) as f64);
        put("redelivered", l.redelivered as f64);
        put("acked", acked as f64);
        put("lost", l.undelivered as f64);
        put("corrupted", l.corrupted as f64);
        put("peak_depth", self.depth.peak_ready as f64);
        put("peak_in_flight", self.depth.peak_in_flight as f64);
        put("peak_total", self.depth.peak_total as f64);
        put("final_depth", self.depth.last_ready as f64);
        // Seconds after the measured time until everything acknowledged was delivered;
        // -1 when the drain ran out of time.
        put("drain_s", drain_s);
        // The consumers' request path while measured: partitions a dequeue asked (above 1:
        // empty partitions probed), acks per background batch, and requests (retries
        // included) per message delivered to a consumer.
        let c = self
            .measured_counters
            .unwrap_or_else(|| self.consumer_counters());
        let consumed = self.consumer_deliveries(self.measured_end);
        let ratio = |a: u64, b: u64| round_to(a as f64 / b.max(1) as f64, 1e3);
        put(
            "dequeue_visits_per_dequeue",
            ratio(c.dequeue_visits, consumed.0),
        );
        put("acks_per_batch", ratio(c.batched_acks, c.ack_batches));
        put("requests_per_delivery", ratio(c.requests, consumed.1));
        let (failover, fault) = match self.fault {
            Some(f) => f.finish(&rec, self.measured_end, &self.sim, &mut extra),
            None => (None, None),
        };
        BenchResult::of_run(
            &self.params,
            &self.spec,
            duration_s,
            Measured {
                ops,
                overall,
                series: rec.series(duration_s),
                faults: fault.into_iter().collect(),
                failover,
                extra,
            },
        )
    }
}

impl<A: Actor + Hosts<QueueActor>> RunDriver for QueueRun<A> {
    fn step(&mut self, budget: u64) {
        QueueRun::step(self, budget);
    }
    fn done(&self) -> bool {
        QueueRun::done(self)
    }
    fn fraction(&self) -> f64 {
        QueueRun::fraction(self)
    }
    fn events(&self) -> u64 {
        QueueRun::events(self)
    }
    fn finish(self: Box<Self>) -> BenchResult {
        QueueRun::finish(*self)
    }
}
