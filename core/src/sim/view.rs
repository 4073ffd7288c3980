//! Read-only views of a running simulation, for the UI, tests and drivers. Kept apart from the
//! event loop so that the loop stays readable.

use super::kernel::Ev;
use super::trace::Trace;
use super::{Actor, ActorId, ClockModel, InFlight, Message, NodeState, Sim, SimConfig, Time};
use crate::net::LinkConfig;

impl<A: Actor> Sim<A> {
    pub fn now(&self) -> Time {
        self.now
    }
    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }
    pub fn servers(&self) -> usize {
        self.cfg.servers
    }
    pub fn actor(&self, id: ActorId) -> &A {
        &self.actors[id]
    }
    pub fn actors(&self) -> &[A] {
        &self.actors
    }
    pub fn durable(&self, id: ActorId) -> &A::Durable {
        &self.durables[id]
    }
    /// "n1".."nN" for servers, "c1".. for clients.
    pub fn actor_name(&self, id: ActorId) -> String {
        if id < self.cfg.servers {
            format!("n{}", id + 1)
        } else {
            format!("c{}", id - self.cfg.servers + 1)
        }
    }
    /// Queue events processed so far: message arrivals, timer firings and CPU wake-ups
    /// (cancelled or replaced timers are skipped and not counted).
    pub fn events_processed(&self) -> u64 {
        self.processed
    }
    /// The clock model `id` runs on now (`ClockModel::PERFECT` unless set).
    pub fn clock(&self, id: ActorId) -> ClockModel {
        self.nodes[id].clock.model()
    }
    /// What `id`'s clock reads now (its `Ctx::now`).
    pub fn local_time(&self, id: ActorId) -> Time {
        self.nodes[id].clock.read(self.now)
    }
    /// The earliest true time at which `id`'s clock read `local` or more: turns times an actor
    /// recorded on its own clock (a client's history) back into true time, for checkers that
    /// compare them across nodes. Exact, except within a moment the clock stood still (a
    /// negative drift's 1 µs rounding, a clock set back), which maps to the moment's start.
    pub fn real_time(&self, id: ActorId, local: Time) -> Time {
        self.nodes[id].clock.real_time(local)
    }
    pub fn node_state(&self, id: ActorId) -> NodeState {
        self.nodes[id].state
    }
    /// How many times `id` has been restarted after a crash.
    pub fn incarnation(&self, id: ActorId) -> u64 {
        self.nodes[id].incarnation
    }
    pub fn link_up(&self, from: ActorId, to: ActorId) -> bool {
        !self.cuts.contains(&(from, to))
    }
    /// The configuration currently used by the directed link `from → to`.
    pub fn link_config(&self, from: ActorId, to: ActorId) -> &LinkConfig {
        self.overrides
            .get(&(from, to))
            .unwrap_or(&self.default_link)
    }
    /// The link of every pair without a per-link override (changed by `SetAllLinks`).
    pub fn default_link(&self) -> &LinkConfig {
        &self.default_link
    }
    /// Every cut directed link, in order.
    pub fn cut_links(&self) -> Vec<(ActorId, ActorId)> {
        self.cuts.iter().copied().collect()
    }
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    /// For runs that never read `trace_hash` (benchmarks): stop computing it. Nothing the
    /// actors see or do changes; `trace_hash` is meaningless afterwards.
    pub fn skip_trace_hash(&mut self) {
        self.trace.stop_hashing();
    }

    pub fn trace_hash(&self) -> u64 {
        self.trace.hash()
    }
    pub fn trace_hash_hex(&self) -> String {
        format!("{:016x}", self.trace.hash())
    }
    pub fn trace_total(&self) -> u64 {
        self.trace.total()
    }
    /// Time of the next queued event, if any (it may be a cancelled timer).
    pub fn next_event_time(&self) -> Option<Time> {
        self.queue.peek_at()
    }
    pub fn queued_events(&self) -> usize {
        self.queue.len()
    }

    /// Messages on the wire, sorted by (arrives_at, id).
    pub fn in_flight(&self) -> Vec<InFlight> {
        let mut v: Vec<InFlight> = self
            .queue
            .iter()
            .filter_map(|(at, ev)| match ev {
                Ev::Deliver {
                    id,
                    from,
                    to,
                    sent_at,
                    msg,
                } => Some(InFlight {
                    id: *id,
                    from: *from,
                    to: *to,
                    kind: self.queue.parked(msg).kind(),
                    sent_at: *sent_at,
                    arrives_at: at,
                }),
                _ => None,
            })
            .collect();
        crate::base::sort::sort_by_key(&mut v, |m| (m.arrives_at, m.id));
        v
    }
}
