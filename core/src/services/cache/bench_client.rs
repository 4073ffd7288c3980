//! The cache benchmark's client: closed loop (the next request leaves the moment the previous
//! one is answered) or, with an offered rate, open loop (requests leave on a Poisson schedule,
//! however many are still unanswered). Requests go to one node. A request its node leaves
//! unanswered for `timeout` (the node is down or cut off: a live node answers 504 itself after
//! its own 1 s) counts as a `timeout` failure, and the client moves to the next node round
//! robin, as the lock's clients do on a timeout; unlike them it does not resend the request
//! there (a cache request is one measured sample, its failure included). In open loop each
//! request in flight remembers its node, so each timeout moves the client past the node that
//! failed it. The client first PUTs its share of the working set (the warm-up that fills
//! memory and the caches, always closed loop), waits for the measured window to open, then
//! sends GETs and PUTs on keys drawn uniformly from the working set. Each answer becomes one
//! compact sample (the benchmark driver reads them at the end), with the node's word on
//! whether a GET was a hit.

use super::actor::{CacheCtx, TIMER_CLIENT, TIMER_WORKLOAD};
use super::msg::{CacheMsg, CacheOp, CacheReply};
use crate::base::{Time, MS};
use crate::bench::open_loop;
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
    /// The node the request was sent to.
    pub node: ActorId,
    /// `None` for a 200; else the reason, in the benchmarks' snake_case words.
    pub failure: Option<&'static str>,
}

/// What a benchmark client does.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchSpec {
    /// The server requests go to first.
    pub node: ActorId,
    /// Servers (ids `0..servers`) the client moves through when its node does not answer.
    pub servers: usize,
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
    /// Open loop: this client's mean arrival rate, requests per simulated second. `None`:
    /// closed loop.
    pub rate_per_s: Option<f64>,
}

/// A request awaiting its answer.
#[derive(Clone, Copy, Debug)]
struct InFlight {
    seq: u64,
    kind: BenchOpKind,
    invoked: Time,
    node: ActorId,
}

#[derive(Clone, Debug)]
pub struct BenchClient {
    spec: BenchSpec,
    /// Where requests go now (`spec.node` until a timeout moves it on).
    node: ActorId,
    warm_next: usize,
    mixed: u64,
    seq: u64,
    /// The requests awaiting their answers, oldest first: at most one in closed loop, any
    /// number in open loop.
    in_flight: Vec<InFlight>,
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
            node: spec.node,
            spec,
            warm_next: 0,
            mixed: 0,
            seq: 0,
            in_flight: Vec::new(),
            samples: Vec::new(),
        }
    }

    pub fn samples(&self) -> &[BenchSample] {
        &self.samples
    }

    /// Nothing in flight and nothing left to send (an ops-limited client that finished).
    pub fn idle(&self) -> bool {
        self.in_flight.is_empty() && !self.warming() && self.used_up()
    }

    /// How many requests are awaiting their answers.
    pub fn waiting(&self) -> usize {
        self.in_flight.len()
    }

    fn warming(&self) -> bool {
        self.warm_next < self.spec.warm.len()
    }

    fn used_up(&self) -> bool {
        self.spec.keys == 0 || self.spec.limit.is_some_and(|l| self.mixed >= l)
    }

    pub fn on_start(&mut self, ctx: &mut CacheCtx<'_, '_>) {
        ctx.set_timer(TIMER_CLIENT, TIMEOUT_CHECK);
        if self.spec.rate_per_s.is_some() && !self.warming() {
            self.on_mix_start(ctx);
        } else {
            self.next(ctx);
        }
    }

    pub fn on_response(&mut self, ctx: &mut CacheCtx<'_, '_>, seq: u64, reply: &CacheReply) {
        // A late answer to a request already counted as a timeout is ignored.
        let Some(i) = self.in_flight.iter().position(|r| r.seq == seq) else {
            return;
        };
        let req = self.in_flight.remove(i);
        let hit = matches!(reply, CacheReply::Value { hit: true, .. });
        self.finish(ctx, req, hit, failure(reply));
    }

    pub fn on_timeout_check(&mut self, ctx: &mut CacheCtx<'_, '_>) {
        // Oldest first: the requests behind the first one still in time are younger.
        while let Some(&req) = self.in_flight.first() {
            if ctx.now < req.invoked + self.spec.timeout {
                break;
            }
            self.in_flight.remove(0);
            self.node = (req.node + 1) % self.spec.servers.max(1);
            self.finish(ctx, req, false, Some("timeout"));
        }
        ctx.set_timer(TIMER_CLIENT, TIMEOUT_CHECK);
    }

    /// `TIMER_WORKLOAD`: the measured window opened, or (open loop) the next arrival is due.
    pub fn on_mix_start(&mut self, ctx: &mut CacheCtx<'_, '_>) {
        match self.spec.rate_per_s {
            // Arrivals do not wait for answers; the warm-up PUTs (closed loop) come first.
            Some(rate) if !self.warming() => {
                if ctx.now < self.spec.mix_from {
                    ctx.set_timer(TIMER_WORKLOAD, self.spec.mix_from - ctx.now);
                } else if !self.used_up() {
                    self.next(ctx);
                    let gap = open_loop::poisson_gap(ctx.rng.unit_f64(), rate);
                    ctx.set_timer(TIMER_WORKLOAD, gap);
                }
            }
            _ if self.in_flight.is_empty() => self.next(ctx),
            _ => {}
        }
    }

    fn finish(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        req: InFlight,
        hit: bool,
        failure: Option<&'static str>,
    ) {
        self.samples.push(BenchSample {
            kind: req.kind,
            invoked: req.invoked,
            completed: ctx.now,
            hit,
            node: req.node,
            failure,
        });
        match self.spec.rate_per_s {
            // Open loop: the arrival timer sends the measured requests; an answer only moves
            // the warm-up on (and starts the arrivals after its last PUT).
            Some(_) if self.warming() => self.next(ctx),
            Some(_) if req.kind == BenchOpKind::WarmPut => self.on_mix_start(ctx),
            Some(_) => {}
            None => self.next(ctx),
        }
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
        let key = numbered("k", key, None);
        let op = match kind {
            BenchOpKind::Get => CacheOp::Get { key },
            BenchOpKind::Put | BenchOpKind::WarmPut => CacheOp::Set {
                key,
                value: numbered("c", ctx.me as u64, Some(self.seq)),
                ttl_ms: self.spec.ttl_ms,
            },
        };
        self.in_flight.push(InFlight {
            seq: self.seq,
            kind,
            invoked: ctx.now,
            node: self.node,
        });
        ctx.send(self.node, CacheMsg::Request { seq: self.seq, op });
    }
}

/// `format!("{prefix}{a}")`, or `format!("{prefix}{a}-{b}")` with a `b`, without the
/// formatting machinery: every benchmark operation names a key and most a value (issue 14).
fn numbered(prefix: &str, a: u64, b: Option<u64>) -> String {
    fn push(s: &mut String, mut n: u64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        s.extend(digits[i..].iter().map(|&d| char::from(d)));
    }
    let mut s = String::with_capacity(prefix.len() + 24);
    s.push_str(prefix);
    push(&mut s, a);
    if let Some(b) = b {
        s.push('-');
        push(&mut s, b);
    }
    s
}

#[cfg(test)]
mod numbered_tests {
    #[test]
    fn numbered_spells_like_format() {
        for a in [0, 7, 42, 1000, u64::MAX] {
            assert_eq!(super::numbered("x", a, None), format!("x{a}"));
            for b in [0, 1, 65_536, u64::MAX] {
                assert_eq!(super::numbered("x", a, Some(b)), format!("x{a}-{b}"));
            }
        }
    }
}
