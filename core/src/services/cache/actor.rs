//! The cache service's actor. On a server it is two things at once: a **cache** (the
//! processor's side: `requester.rs`) and the **home** of the keys the ring gives it
//! (`home.rs`: memory plus the directory that serialises each line's transactions). On a client
//! it is the console (or a benchmark/fuzz workload) that sends requests to one node.
//!
//! Failure semantics (documented choices):
//! - Memory and the directory live in the home's durable store, so a home crash loses nothing;
//!   its transaction in progress is persisted too and resumes on restart.
//! - Caches are volatile. An M or O copy is the only copy of the latest write until it is
//!   written back (write-back policy), so a crashed owner loses its last write(s): the home
//!   finds out at the next transaction on the line (the owner answers from a new boot, with no
//!   data) and logs a `Lost` record, which the checker counts as "write lost in the write-back
//!   window", never as a stale read. `write_through` closes the window: a write is acknowledged
//!   only once memory has it (the line then goes M → E).
//! - A directory waits for every copy it must invalidate or ask: a line whose holder is cut off
//!   or down is unavailable until it answers. The requesting node answers its client 504 after
//!   `op_timeout`, naming the home and the bus request; it never returns a value it cannot
//!   prove current.
//! - Every message may be lost, duplicated or delayed: requests, snoops, fills, write-backs and
//!   write-throughs are retransmitted until acknowledged, and carry ids that make repeats
//!   harmless (request ids per boot, transaction numbers per line, an epoch per reset).

use crate::base::sorted::{SortedMap, SortedSet};
use crate::base::strmap::StrMap;
use crate::base::text::Text;
use std::collections::VecDeque;

use super::bench_client::{BenchClient, BenchSpec};
use super::home::HomeLine;
use super::msg::*;
use super::protocol::{mutant_bug, Bug, Protocol};
use super::reasons::TxnFacts;
use super::store::{Data, LineStore};
use crate::base::{Time, MS, SEC};
use crate::ring::Ring;
use crate::service::Service;
use crate::sim::{Actor, ActorId, Ctx, Durable, Message, TimerKind};

pub const TIMER_TICK: TimerKind = 0;
pub const TIMER_CLIENT: TimerKind = 1;
pub const TIMER_WORKLOAD: TimerKind = 2;

/// Virtual nodes per server on the ring that picks each key's home.
pub const RING_VNODES: u32 = 16;

#[derive(Clone, Debug, PartialEq)]
pub struct CacheConfig {
    /// Lines per cache.
    pub capacity: usize,
    pub protocol: Protocol,
    pub write_through: bool,
    /// Retransmission period of every unacknowledged coherence message.
    pub retry_every: Time,
    /// A node answers 504 when its home has not completed a request in this time.
    pub op_timeout: Time,
    /// A console client gives up (504) after this long.
    pub request_timeout: Time,
    /// TTL of a `set` without one (the seeds' benchmark uses 3600 s).
    pub default_ttl_ms: u64,
    /// Records kept per node for the transaction log and the lights.
    pub log_capacity: usize,
    /// A protocol bug to inject (tests, the fuzzer's kill tests); `None` in every normal run.
    pub bug: Option<Bug>,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            capacity: 8,
            protocol: Protocol::Mesi,
            write_through: false,
            retry_every: 25 * MS,
            op_timeout: SEC,
            request_timeout: 2 * SEC,
            default_ttl_ms: 3_600_000,
            log_capacity: 400,
            bug: None,
        }
    }
}

/// What survives a crash: the home's memory and directory, the boot counter, the run's settings.
#[derive(Clone, Debug, Default)]
pub struct CacheDurable {
    pub boot: u64,
    pub epoch: u64,
    pub settings: Option<(Protocol, bool)>,
    pub lines: StrMap<HomeLine>,
}

#[derive(Clone, Debug)]
pub enum CacheDurableOp {
    Boot(u64),
    /// A line's new state. The key is a `Text` (from the message being handled): a line is
    /// persisted at each change, and a `String` copy of its key was one allocation each time.
    Put(Text, Box<HomeLine>),
    Reset {
        epoch: u64,
        protocol: Protocol,
        write_through: bool,
    },
}

impl Durable for CacheDurable {
    type Op = CacheDurableOp;
    fn apply(&mut self, op: CacheDurableOp) {
        match op {
            CacheDurableOp::Boot(b) => self.boot = b,
            CacheDurableOp::Put(k, l) => match self.lines.get_str_mut(&k) {
                Some(line) => *line = *l,
                None => {
                    self.lines.insert_str(k.as_str().to_owned(), *l);
                }
            },
            CacheDurableOp::Reset {
                epoch,
                protocol,
                write_through,
            } => {
                self.epoch = epoch;
                self.settings = Some((protocol, write_through));
                self.lines.clear();
            }
        }
    }
}

pub type CacheCtx<'a, 'b> = Ctx<'a, CacheMsg, CacheDurable>;

/// A client operation a server is working on.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientOp {
    pub client: ActorId,
    pub seq: u64,
    pub op: CacheOp,
}

#[derive(Clone, Debug)]
pub struct Pending {
    pub op: ClientOp,
    pub req: ReqId,
    pub bus: crate::services::cache::protocol::BusOp,
    pub proc: ProcAction,
    pub prev: crate::services::cache::protocol::LineState,
    pub started: Time,
    pub sent: Time,
    pub tries: u32,
}

/// When the next retransmission of something first sent at `sent` and retried `tries` times
/// is due: the period doubles up to 16× (without backoff, a long pause or partition ends in a
/// retransmission storm that the receiver's CPU queue never drains).
pub fn retry_due(base: Time, sent: Time, tries: u32) -> Time {
    sent + (base << tries.min(4))
}

/// Dirty data that left this cache (eviction, expiry, or a snoop that took it), kept until
/// the home acknowledges it.
#[derive(Clone, Debug, PartialEq)]
pub struct Handoff {
    pub data: Data,
    pub reason: ProcAction,
    /// The transaction that granted the copy.
    pub txn: u64,
    pub sent: Time,
    pub tries: u32,
}

#[derive(Clone, Debug)]
pub struct WtPending {
    pub op: ClientOp,
    pub data: Data,
    pub sent: Time,
    pub tries: u32,
}

/// One console request and its answer.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheRecord {
    pub seq: u64,
    pub target: ActorId,
    pub op: CacheOp,
    pub invoked: Time,
    pub completed: Option<Time>,
    pub reply: Option<CacheReply>,
}

/// A workload client's settings (the fuzzer, the benchmark).
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    pub keys: u64,
    pub think: (Time, Time),
    pub ttl_ms: (u64, u64),
    pub set_p: f64,
    pub invalidate_p: f64,
}

#[derive(Clone, Debug)]
pub struct CacheActor {
    pub(super) id: ActorId,
    pub(super) servers: Vec<ActorId>,
    pub(super) is_server: bool,
    pub cfg: CacheConfig,
    pub(super) ring: Ring,
    // Server, volatile (a crash forgets it; the run's settings come back from the disk).
    pub(super) protocol: Protocol,
    pub(super) write_through: bool,
    pub(super) epoch: u64,
    pub(super) boot: u64,
    pub(super) next_req: u64,
    pub(super) store: LineStore,
    pub(super) pending: StrMap<Pending>,
    pub(super) waiting: StrMap<VecDeque<ClientOp>>,
    pub(super) wb: StrMap<Handoff>,
    pub(super) wt: StrMap<WtPending>,
    pub(super) last_done: StrMap<ReqId>,
    /// The home's lines: a mirror of the durable store (every change is persisted).
    pub(super) home: StrMap<HomeLine>,
    pub(super) queue: StrMap<VecDeque<super::home::BusRequest>>,
    pub(super) tick_at: Option<Time>,
    // Observations: kept across crashes (they are what the user saw).
    pub(super) stats: CacheStats,
    pub(super) log: VecDeque<Record>,
    pub(super) logged: u64,
    // Client side.
    next_seq: u64,
    history: Vec<CacheRecord>,
    reset_wait: Option<(u64, u64, SortedSet<ActorId>)>,
    workload: Option<Workload>,
    /// The benchmark's closed-loop client (`bench_client.rs`), boxed: most actors have none.
    bench: Option<Box<BenchClient>>,
    pub(super) answered: u64,
}

impl CacheActor {
    pub fn server(id: ActorId, servers: Vec<ActorId>, cfg: CacheConfig) -> Self {
        Self::new(id, servers, true, cfg)
    }
    pub fn client(id: ActorId, servers: Vec<ActorId>) -> Self {
        Self::new(id, servers, false, CacheConfig::default())
    }
    pub fn workload_client(id: ActorId, servers: Vec<ActorId>, w: Workload) -> Self {
        let mut c = Self::new(id, servers, false, CacheConfig::default());
        c.workload = Some(w);
        c
    }
    pub fn bench_client(id: ActorId, servers: Vec<ActorId>, spec: BenchSpec) -> Self {
        let mut c = Self::new(id, servers, false, CacheConfig::default());
        c.bench = Some(Box::new(BenchClient::new(spec)));
        c
    }
    fn new(id: ActorId, servers: Vec<ActorId>, is_server: bool, cfg: CacheConfig) -> Self {
        CacheActor {
            id,
            ring: Ring::with_nodes(RING_VNODES, servers.iter().copied()),
            servers,
            is_server,
            protocol: cfg.protocol,
            write_through: cfg.write_through,
            store: LineStore::new(cfg.capacity),
            cfg,
            epoch: 0,
            boot: 0,
            next_req: 0,
            pending: StrMap::new(),
            waiting: StrMap::new(),
            wb: StrMap::new(),
            wt: StrMap::new(),
            last_done: StrMap::new(),
            home: StrMap::new(),
            queue: StrMap::new(),
            tick_at: None,
            stats: CacheStats::default(),
            log: VecDeque::new(),
            logged: 0,
            next_seq: 0,
            history: Vec::new(),
            reset_wait: None,
            workload: None,
            bench: None,
            answered: 0,
        }
    }

    // --- read access (views, checkers) ---
    pub fn is_server(&self) -> bool {
        self.is_server
    }
    /// This incarnation (1 at first start, +1 per restart).
    pub fn boot(&self) -> u64 {
        self.boot
    }
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }
    pub fn write_through(&self) -> bool {
        self.write_through
    }
    pub fn store(&self) -> &LineStore {
        &self.store
    }
    pub fn home_lines(&self) -> &SortedMap<String, HomeLine> {
        &self.home
    }
    pub fn handoffs(&self) -> &SortedMap<String, Handoff> {
        &self.wb
    }
    pub fn write_through_pending(&self, key: &str) -> bool {
        self.wt.contains_key(key)
    }
    pub fn pending_keys(&self) -> impl Iterator<Item = &String> {
        self.pending.keys()
    }
    pub fn stats(&self) -> &CacheStats {
        &self.stats
    }
    pub fn records(&self) -> &VecDeque<Record> {
        &self.log
    }
    /// Records ever logged on this node (the log keeps the last `log_capacity`).
    pub fn logged(&self) -> u64 {
        self.logged
    }
    pub fn history(&self) -> &[CacheRecord] {
        &self.history
    }
    /// A benchmark client's state and samples.
    pub fn bench(&self) -> Option<&BenchClient> {
        self.bench.as_deref()
    }
    /// Workload operations answered (any status).
    pub fn answered(&self) -> u64 {
        self.answered
    }
    /// The home node of `key`: its primary on the ring of the servers.
    pub fn home_of(&self, key: &str) -> ActorId {
        self.ring.primary(key).unwrap_or(0)
    }
    pub(super) fn bug(&self) -> Option<Bug> {
        self.cfg.bug.or_else(mutant_bug)
    }

    // --- helpers shared by the cache and the home ---
    /// A coherence message: counted in the directory traffic.
    pub(super) fn send(&mut self, ctx: &mut CacheCtx<'_, '_>, to: ActorId, msg: CacheMsg) {
        self.stats.messages += 1;
        self.stats.bytes += u64::from(msg.size_bytes());
        ctx.send(to, msg);
    }
    /// Log a record. `kind` is built only if the log keeps records: a benchmark's caches keep
    /// none (`log_capacity` 0), and building one copied the key and the value on every access
    /// (issue 14: ~5 % of a cache benchmark in allocation, copying and freeing).
    pub(super) fn record(&mut self, now: Time, kind: impl FnOnce() -> RecordKind) {
        self.logged += 1;
        if self.cfg.log_capacity == 0 {
            return;
        }
        self.log.push_back(Record {
            t: now,
            seq: self.logged,
            node: self.id,
            kind: kind(),
        });
        while self.log.len() > self.cfg.log_capacity {
            self.log.pop_front();
        }
    }
    /// Note a transaction's reason and log its record, built (copying the key, the value and
    /// the transitions) only if the log keeps records.
    pub(super) fn log_txn(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        f: &TxnFacts<'_>,
        key: &str,
        value: Option<&str>,
    ) {
        if ctx.notes() {
            ctx.note(super::reasons::facts(f));
        }
        self.record(ctx.now, || RecordKind::Txn(f.record(key, value)));
    }
    pub(super) fn reply(&mut self, ctx: &mut CacheCtx<'_, '_>, op: &ClientOp, reply: CacheReply) {
        ctx.send(op.client, CacheMsg::Response { seq: op.seq, reply });
    }
    /// Make sure the housekeeping timer fires by `at` (it only ever moves earlier, so steady
    /// traffic cannot starve it).
    pub(super) fn arm_at(&mut self, ctx: &mut CacheCtx<'_, '_>, at: Time) {
        if self.tick_at.is_none_or(|t| at < t) {
            self.tick_at = Some(at);
            ctx.set_timer(TIMER_TICK, at.saturating_sub(ctx.now));
        }
    }
    pub(super) fn arm(&mut self, ctx: &mut CacheCtx<'_, '_>) {
        let retry_at = ctx.now + self.cfg.retry_every;
        // `arm_at` ignores a time no earlier than the armed one: skip the busy test (a scan of
        // every home line, the hottest line of a loaded cache run) when it could change nothing.
        let useful = self.tick_at.is_none_or(|t| retry_at < t);
        let busy = useful
            && (!self.pending.is_empty()
                || !self.wb.is_empty()
                || !self.wt.is_empty()
                || self.home.values().any(|l| l.busy.is_some()));
        if busy {
            self.arm_at(ctx, retry_at);
        }
        if let Some(t) = self.store.next_expiry() {
            self.arm_at(ctx, t.max(ctx.now));
        }
    }

    fn on_reset(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        from: ActorId,
        epoch: u64,
        (protocol, write_through): (Protocol, bool),
        memory: Vec<(String, String)>,
    ) {
        if epoch != self.epoch {
            self.epoch = epoch;
            self.protocol = protocol;
            self.write_through = write_through;
            self.store.clear();
            self.pending.clear();
            self.waiting.clear();
            self.wb.clear();
            self.wt.clear();
            self.last_done.clear();
            self.home.clear();
            self.queue.clear();
            self.stats = CacheStats::default();
            self.log.clear();
            ctx.persist(CacheDurableOp::Reset {
                epoch,
                protocol,
                write_through,
            });
            for (key, value) in memory {
                if self.home_of(&key) == self.id {
                    let line = HomeLine {
                        memory: Some(Data {
                            value: value.into(),
                            version: 1,
                            ttl_ms: self.cfg.default_ttl_ms,
                        }),
                        ..HomeLine::default()
                    };
                    ctx.persist(CacheDurableOp::Put(
                        key.as_str().into(),
                        Box::new(line.clone()),
                    ));
                    let kind = || RecordKind::Memory {
                        key: key.clone(),
                        value: line
                            .memory
                            .as_ref()
                            .map(|d| d.value.as_str().to_owned())
                            .unwrap_or_default(),
                    };
                    self.record(ctx.now, kind);
                    self.home.insert(key, line);
                }
            }
        }
        ctx.send(from, CacheMsg::ResetAck { epoch });
    }

    // --- the client side ---
    fn client_command(&mut self, ctx: &mut CacheCtx<'_, '_>, target: ActorId, op: CacheOp) {
        self.next_seq += 1;
        let seq = self.next_seq;
        self.history.push(CacheRecord {
            seq,
            target,
            op: op.clone(),
            invoked: ctx.now,
            completed: None,
            reply: None,
        });
        ctx.note(crate::sim::Note::Invoke { op: seq });
        match op {
            CacheOp::Reset {
                protocol,
                write_through,
                memory,
            } => {
                let epoch = ctx.now + 1;
                self.reset_wait = Some((seq, epoch, SortedSet::new()));
                for &s in &self.servers {
                    ctx.send(
                        s,
                        CacheMsg::Reset {
                            epoch,
                            protocol,
                            write_through,
                            memory: memory.clone(),
                        },
                    );
                }
            }
            op => ctx.send(target, CacheMsg::Request { seq, op }),
        }
        ctx.set_timer(TIMER_CLIENT, self.cfg.request_timeout);
    }

    fn complete(&mut self, ctx: &mut CacheCtx<'_, '_>, seq: u64, reply: CacheReply) {
        if let Some(r) = self.history.iter_mut().find(|r| r.seq == seq) {
            if r.completed.is_none() {
                let ok = !matches!(reply, CacheReply::Error { .. });
                r.completed = Some(ctx.now);
                r.reply = Some(reply);
                ctx.note(crate::sim::Note::Complete { op: seq, ok });
            }
        }
    }

    fn client_timeouts(&mut self, ctx: &mut CacheCtx<'_, '_>) {
        let timeout = self.cfg.request_timeout;
        let due: Vec<(u64, ActorId, bool)> = self
            .history
            .iter()
            .filter(|r| r.completed.is_none() && ctx.now >= r.invoked + timeout)
            .map(|r| (r.seq, r.target, matches!(r.op, CacheOp::Reset { .. })))
            .collect();
        for (seq, target, reset) in due {
            let message = if reset {
                let acked = self
                    .reset_wait
                    .as_ref()
                    .map(|w| w.2.clone())
                    .unwrap_or_default();
                let missing: Vec<String> = self
                    .servers
                    .iter()
                    .filter(|s| !acked.contains(s))
                    .map(|&s| crate::raft::msg::node_name(s))
                    .collect();
                format!("timeout: the reset did not reach {}", missing.join(", "))
            } else {
                format!(
                    "timeout: no answer from {} in {} ms",
                    crate::raft::msg::node_name(target),
                    timeout / MS
                )
            };
            self.complete(
                ctx,
                seq,
                CacheReply::Error {
                    status: 504,
                    message,
                },
            );
        }
        if let Some(next) = self
            .history
            .iter()
            .filter(|r| r.completed.is_none())
            .map(|r| r.invoked + timeout)
            .min()
        {
            ctx.set_timer(TIMER_CLIENT, next.saturating_sub(ctx.now).max(1));
        }
    }

    fn workload_op(&mut self, ctx: &mut CacheCtx<'_, '_>) {
        let Some(w) = self.workload.clone() else {
            return;
        };
        let target = self.servers[ctx.rng.range_u64(0, self.servers.len() as u64) as usize];
        let key = format!("k{}", ctx.rng.range_u64(0, w.keys));
        self.next_seq += 1;
        let seq = self.next_seq;
        let roll = ctx.rng.unit_f64();
        let op = if roll < w.invalidate_p {
            CacheOp::Invalidate { key }
        } else if roll < w.invalidate_p + w.set_p {
            let ttl_ms = ctx.rng.range_u64(w.ttl_ms.0, w.ttl_ms.1 + 1);
            CacheOp::Set {
                key,
                value: format!("c{}-{seq}", self.id),
                ttl_ms,
            }
        } else {
            CacheOp::Get { key }
        };
        ctx.send(target, CacheMsg::Request { seq, op });
        let think = ctx.rng.range_u64(w.think.0, w.think.1 + 1);
        ctx.set_timer(TIMER_WORKLOAD, think);
    }
}

impl Actor for CacheActor {
    type Msg = CacheMsg;
    type Durable = CacheDurable;
    type Cmd = CacheCmd;

    fn on_start(&mut self, ctx: &mut CacheCtx<'_, '_>) {
        if self.is_server {
            self.boot = ctx.durable.boot + 1;
            ctx.persist(CacheDurableOp::Boot(self.boot));
            self.epoch = ctx.durable.epoch;
            if let Some((p, wt)) = ctx.durable.settings {
                self.protocol = p;
                self.write_through = wt;
            }
            self.home = ctx.durable.lines.clone();
            self.arm(ctx);
        } else if let Some(b) = &mut self.bench {
            b.on_start(ctx);
        } else if let Some(w) = &self.workload {
            let first = ctx.rng.range_u64(w.think.0, w.think.1 + 1);
            ctx.set_timer(TIMER_WORKLOAD, first);
        }
    }

    fn on_message(&mut self, ctx: &mut CacheCtx<'_, '_>, from: ActorId, msg: CacheMsg) {
        if !self.is_server {
            match msg {
                CacheMsg::Response { seq, reply } => {
                    self.answered += 1;
                    match &mut self.bench {
                        Some(b) => b.on_response(ctx, seq, &reply),
                        None => self.complete(ctx, seq, reply),
                    }
                }
                CacheMsg::ResetAck { epoch } => {
                    let n = self.servers.len();
                    let mut done = None;
                    if let Some((seq, e, acked)) = &mut self.reset_wait {
                        if *e == epoch {
                            acked.insert(from);
                            if acked.len() == n {
                                done = Some(*seq);
                            }
                        }
                    }
                    if let Some(seq) = done {
                        let op = self
                            .history
                            .iter()
                            .find(|r| r.seq == seq)
                            .map(|r| r.op.clone());
                        if let Some(CacheOp::Reset {
                            protocol,
                            write_through,
                            ..
                        }) = op
                        {
                            let reply = CacheReply::ResetDone {
                                protocol,
                                write_through,
                                nodes: n,
                            };
                            self.complete(ctx, seq, reply);
                        }
                    }
                }
                _ => {}
            }
            return;
        }
        match msg {
            CacheMsg::Request { seq, op } => self.client_op(
                ctx,
                ClientOp {
                    client: from,
                    seq,
                    op,
                },
            ),
            CacheMsg::Reset {
                epoch,
                protocol,
                write_through,
                memory,
            } => self.on_reset(ctx, from, epoch, (protocol, write_through), memory),
            m => self.coherence(ctx, from, m),
        }
        self.arm(ctx);
    }

    fn on_timer(&mut self, ctx: &mut CacheCtx<'_, '_>, kind: TimerKind) {
        match kind {
            TIMER_TICK if self.is_server => {
                self.tick_at = None;
                self.tick(ctx);
                self.arm(ctx);
            }
            TIMER_CLIENT => match &mut self.bench {
                Some(b) => b.on_timeout_check(ctx),
                None => self.client_timeouts(ctx),
            },
            TIMER_WORKLOAD => match &mut self.bench {
                Some(b) => b.on_mix_start(ctx),
                None => self.workload_op(ctx),
            },
            _ => {}
        }
    }

    fn on_command(&mut self, ctx: &mut CacheCtx<'_, '_>, cmd: CacheCmd) {
        let CacheCmd::Request { target, op } = cmd;
        if !self.is_server {
            self.client_command(ctx, target, op);
        }
    }

    fn on_crash(&mut self) {
        self.store.clear();
        self.pending.clear();
        self.waiting.clear();
        self.wb.clear();
        self.wt.clear();
        self.last_done.clear();
        self.queue.clear();
        self.tick_at = None;
        self.reset_wait = None;
        // `home` mirrors the durable store and is reloaded from it on restart; the stats, the
        // log and a client's history are observations, kept like the console's.
    }
}

impl Service for CacheActor {
    const NAME: &'static str = "cache";
    const TIMERS: u8 = 3;

    fn memory_estimate(&self) -> usize {
        96 + self.store.len() * 128 + self.home.len() * 160
    }
}

/// The ms → µs of a TTL.
pub(super) fn ttl_us(ttl_ms: u64) -> Time {
    ttl_ms.saturating_mul(MS)
}
