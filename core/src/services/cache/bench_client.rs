//! The cache benchmark's client: closed loop (the next request leaves the moment the previous
//! one is answered), always to the same node. It first PUTs its share of the working set (the
//! warm-up that fills memory and the caches), waits for the measured window to open, then
//! sends GETs and PUTs on keys drawn uniformly from the working set. Each answer becomes one
//! compact sample (the benchmark driver reads them at the end), with the node's word on
//! whether a GET was a hit.

use super::actor::{CacheCtx, TIMER_CLIENT, TIMER_WORKLOAD};
use super::msg::{CacheMsg, CacheOp, CacheReply};
use crate::base::{Time, MS};
use crate::sim::ActorId;

/// How often a client looks for a request that was never answered (a lost response).
const TIMEOUT_CHECK: Time = 250 * MS;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchOpKind {
    /// A PUT of the warm-up (not measured).
    WarmPut,
    Put,
    Get,
}

/// One answered (or timed-out) request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BenchSample {
    pub kind: BenchOpKind,
    pub invoked: Time,
    pub completed: Time,
    /// A GET the node served from its own cache (no bus transaction).
    pub hit: bool,
    /// `None` for a 200; else the reason, in the benchmarks' snake_case words.
    pub failure: Option<&'static str>,
}

/// What a benchmark client does.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchSpec {
    /// The server every request goes to.
    pub node: ActorId,
    /// Keys (numbers) to PUT first, in order.
    pub warm: Vec<u64>,
    /// The working set: keys `k0..k{keys-1}`.
    pub keys: u64,
    pub write_fraction: f64,
    pub ttl_ms: u64,
    /// The measured mix starts here (the end of the warm-up), or as soon as the warm-up PUTs
    /// are done if they take longer.
    pub mix_from: Time,
    /// Measured requests per client; `None`: until the run ends.
    pub limit: Option<u64>,
    /// A request unanswered for this long counts as a timeout, and the next one leaves.
    pub timeout: Time,
}

#[derive(Clone, Debug)]
pub struct BenchClient {
    spec: BenchSpec,
    warm_next: usize,
    mixed: u64,
    seq: u64,
    /// `(seq, kind, invoked)` of the request awaiting its answer.
    in_flight: Option<(u64, BenchOpKind, Time)>,
    samples: Vec<BenchSample>,
}

/// The failure word for a reply, `None` when it is a success.
fn failure(reply: &CacheReply) -> Option<&'static str> {
    match reply {
        CacheReply::NotFound { .. } => Some("not_found"),
        CacheReply::Error { status: 503, .. } => Some("unavailable"),
        CacheReply::Error { status: 504, .. } => Some("timeout"),
        CacheReply::Error { .. } => Some("error"),
        _ => None,
    }
}

impl BenchClient {
    pub fn new(spec: BenchSpec) -> Self {
        BenchClient {
            spec,
            warm_next: 0,
            mixed: 0,
            seq: 0,
            in_flight: None,
            samples: Vec::new(),
        }
    }

    pub fn samples(&self) -> &[BenchSample] {
        &self.samples
    }

    /// Nothing in flight and nothing left to send (an ops-limited client that finished).
    pub fn idle(&self) -> bool {
        self.in_flight.is_none() && self.warm_next >= self.spec.warm.len() && self.used_up()
    }

    /// A request is awaiting its answer.
    pub fn waiting(&self) -> bool {
        self.in_flight.is_some()
    }

    fn used_up(&self) -> bool {
        self.spec.keys == 0 || self.spec.limit.is_some_and(|l| self.mixed >= l)
    }

    pub fn on_start(&mut self, ctx: &mut CacheCtx<'_, '_>) {
        ctx.set_timer(TIMER_CLIENT, TIMEOUT_CHECK);
        self.next(ctx);
    }

    pub fn on_response(&mut self, ctx: &mut CacheCtx<'_, '_>, seq: u64, reply: &CacheReply) {
        // A late answer to a request already counted as a timeout is ignored.
        let Some((s, kind, invoked)) = self.in_flight else {
            return;
        };
        if s != seq {
            return;
        }
        let hit = matches!(reply, CacheReply::Value { hit: true, .. });
        self.finish(ctx, kind, invoked, hit, failure(reply));
    }

    pub fn on_timeout_check(&mut self, ctx: &mut CacheCtx<'_, '_>) {
        if let Some((_, kind, invoked)) = self.in_flight {
            if ctx.now >= invoked + self.spec.timeout {
                self.finish(ctx, kind, invoked, false, Some("timeout"));
            }
        }
        ctx.set_timer(TIMER_CLIENT, TIMEOUT_CHECK);
    }

    /// The measured window opened (`TIMER_WORKLOAD`).
    pub fn on_mix_start(&mut self, ctx: &mut CacheCtx<'_, '_>) {
        if self.in_flight.is_none() {
            self.next(ctx);
        }
    }

    fn finish(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        kind: BenchOpKind,
        invoked: Time,
        hit: bool,
        failure: Option<&'static str>,
    ) {
        self.in_flight = None;
        self.samples.push(BenchSample {
            kind,
            invoked,
            completed: ctx.now,
            hit,
            failure,
        });
        self.next(ctx);
    }

    /// Send the next request: a warm-up PUT, or (once the window is open) a GET or a PUT.
    fn next(&mut self, ctx: &mut CacheCtx<'_, '_>) {
        let (kind, key) = if let Some(&k) = self.spec.warm.get(self.warm_next) {
            self.warm_next += 1;
            (BenchOpKind::WarmPut, k)
        } else if ctx.now < self.spec.mix_from {
            ctx.set_timer(TIMER_WORKLOAD, self.spec.mix_from - ctx.now);
            return;
        } else if self.used_up() {
            return;
        } else {
            self.mixed += 1;
            let put = ctx.rng.unit_f64() < self.spec.write_fraction;
            let key = ctx.rng.range_u64(0, self.spec.keys);
            (
                if put {
                    BenchOpKind::Put
                } else {
                    BenchOpKind::Get
                },
                key,
            )
        };
        self.seq += 1;
        let key = format!("k{key}");
        let op = match kind {
            BenchOpKind::Get => CacheOp::Get { key },
            BenchOpKind::Put | BenchOpKind::WarmPut => CacheOp::Set {
                key,
                value: format!("c{}-{}", ctx.me, self.seq),
                ttl_ms: self.spec.ttl_ms,
            },
        };
        self.in_flight = Some((self.seq, kind, ctx.now));
        ctx.send(self.spec.node, CacheMsg::Request { seq: self.seq, op });
    }
}
