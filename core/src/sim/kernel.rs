//! The event loop: one queue ordered by (time, sequence number), actors fed one input at a time,
//! their effects applied through the link model, a CPU service queue per server node, and every
//! step recorded in the trace. Effects and the link model are in `wire.rs`, read-only views in
//! `view.rs`, faults and user actions in `faults.rs`.

use std::collections::VecDeque;

use crate::base::sorted::{SortedMap, SortedSet};

use super::clock::NodeClock;
use super::queue::{EventQueue, Parked};
use super::timers::Timers;
use super::trace::{DropReason, Trace, TraceEvent, TraceKind};
use super::{
    Actor, ActorId, Ctx, Durable, Effect, Message, NodeState, SimConfig, SimRng, Time, TimerKind,
    MAX_ACTORS,
};
use crate::net::{ConfigError, LinkConfig};

/// A queued event. Messages travel inside their delivery event.
#[derive(Clone, Debug)]
pub(super) enum Ev<M> {
    Deliver {
        id: u64,
        from: ActorId,
        to: ActorId,
        sent_at: Time,
        msg: Parked<M>,
    },
    Timer {
        actor: ActorId,
        kind: TimerKind,
        gen: u64,
    },
    /// The node's CPU became free and its inbox is not empty.
    Wake { actor: ActorId },
}

#[derive(Clone, Debug)]
pub(super) struct Scheduled<M> {
    pub(super) at: Time,
    pub(super) seq: u64,
    pub(super) ev: Ev<M>,
}

/// An input waiting for the node's CPU (busy) or for the node itself (paused).
#[derive(Clone, Debug)]
pub(super) enum Input<M> {
    Msg {
        id: u64,
        from: ActorId,
        msg: Parked<M>,
    },
    Timer {
        kind: TimerKind,
        gen: u64,
    },
}

/// The simulator's bookkeeping for one actor.
#[derive(Clone, Debug)]
pub(super) struct NodeRt<M> {
    pub(super) state: NodeState,
    pub(super) incarnation: u64,
    pub(super) busy_until: Time,
    pub(super) inbox: VecDeque<Input<M>>,
    pub(super) wake_pending: bool,
    /// Generation per timer kind, and re-armed timers not queued yet (`timers.rs`).
    pub(super) timers: Timers,
    /// The node's own clock (`clock.rs`): what `Ctx::now` reads and timers count on.
    pub(super) clock: NodeClock,
}

type Effects<A> = Vec<Effect<<A as Actor>::Msg, <<A as Actor>::Durable as Durable>::Op>>;

/// A deterministic simulation. `Clone` is the checkpoint: it copies actors, durable stores, the
/// queue and the PRNG; the trace ring is shared copy-on-write.
#[derive(Clone)]
pub struct Sim<A: Actor> {
    pub(super) cfg: SimConfig,
    pub(super) now: Time,
    pub(super) next_seq: u64,
    pub(super) next_msg_id: u64,
    pub(super) processed: u64,
    pub(super) queue: EventQueue<A::Msg>,
    pub(super) rng: SimRng,
    pub(super) actors: Vec<A>,
    pub(super) durables: Vec<A::Durable>,
    pub(super) nodes: Vec<NodeRt<A::Msg>>,
    /// The link of every pair without an override (starts as `cfg.link`).
    pub(super) default_link: LinkConfig,
    // Sorted vectors rather than B-trees: the same lookups and key order, a fraction of the
    // WebAssembly (see `base::sorted`).
    pub(super) overrides: SortedMap<(ActorId, ActorId), LinkConfig>,
    pub(super) cuts: SortedSet<(ActorId, ActorId)>,
    /// When each bandwidth-limited link finishes transmitting its last message.
    pub(super) link_free_at: SortedMap<(ActorId, ActorId), Time>,
    pub(super) trace: Trace,
    pub(super) out: Effects<A>,
}

impl<A: Actor> std::fmt::Debug for Sim<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("now", &self.now)
            .field("events_processed", &self.processed)
            .field("queued", &self.queue.len())
            .field("actors", &self.actors.len())
            .field("trace_hash", &self.trace_hash_hex())
            .finish()
    }
}

impl<A: Actor> Sim<A> {
    /// `actors[0..cfg.servers]` are the servers "n1".."nN"; the rest are clients. Every actor's
    /// `on_start` runs at t = 0, in id order.
    pub fn new(cfg: SimConfig, actors: Vec<A>) -> Result<Self, ConfigError> {
        cfg.validate()?;
        if actors.len() < cfg.servers {
            return Err(ConfigError(format!(
                "{} server nodes configured but only {} actors given",
                cfg.servers,
                actors.len()
            )));
        }
        if actors.len() > MAX_ACTORS {
            return Err(ConfigError(format!(
                "{} actors given; the limit is {MAX_ACTORS}",
                actors.len()
            )));
        }
        let n = actors.len();
        let node = NodeRt {
            state: NodeState::Up,
            incarnation: 0,
            busy_until: 0,
            inbox: VecDeque::new(),
            wake_pending: false,
            timers: Timers::default(),
            clock: NodeClock::default(),
        };
        let mut sim = Sim {
            rng: SimRng::new(cfg.seed),
            trace: Trace::new(cfg.trace_capacity),
            default_link: cfg.link.clone(),
            cfg,
            now: 0,
            next_seq: 0,
            next_msg_id: 1,
            processed: 0,
            queue: EventQueue::default(),
            actors,
            durables: vec![A::Durable::default(); n],
            nodes: vec![node; n],
            overrides: SortedMap::new(),
            cuts: SortedSet::new(),
            link_free_at: SortedMap::new(),
            out: Vec::new(),
        };
        for id in 0..n {
            sim.start_actor(id);
        }
        Ok(sim)
    }

    /// Process exactly one event; false when the queue is empty.
    pub fn step(&mut self) -> bool {
        self.step_bounded(Time::MAX)
    }

    /// Process one event if there is one at time ≤ `limit` (stale timers are skipped).
    pub(super) fn step_bounded(&mut self, limit: Time) -> bool {
        while let Some(s) = self.queue.pop_due(limit) {
            if self.dispatch(s) {
                self.processed += 1;
                return true;
            }
        }
        false
    }

    /// Process every event with time ≤ `t`, then set the clock to `t` (never backwards).
    pub fn run_until(&mut self, t: Time) {
        self.run_until_budget(t, u64::MAX);
    }

    /// `run_until(t)` a budget at a time: processes the events due by `t` until `budget` of
    /// them have counted, and says whether it got to `t` (the clock then reads `t`, as after
    /// `run_until`). The order is the same however the budgets fall. Why: a benchmark driver
    /// that needs nothing between its own check times ran to the next event's time, one
    /// timestamp per call, to stay within its chunk (3 % of a cache run in V8).
    pub fn run_until_budget(&mut self, t: Time, budget: u64) -> bool {
        let stop = self.processed.saturating_add(budget);
        while self.processed < stop {
            let Some(s) = self.queue.pop_due(t) else {
                self.now = self.now.max(t);
                return true;
            };
            if self.dispatch(s) {
                self.processed += 1;
            }
        }
        false
    }

    pub fn run_for(&mut self, dt: Time) {
        self.run_until(self.now.saturating_add(dt));
    }

    /// Process up to `n` events; returns how many were processed.
    pub fn run_events(&mut self, n: u64) -> u64 {
        let mut done = 0;
        while done < n && self.step() {
            done += 1;
        }
        done
    }

    /// An actor, mutably, between events: for a driver that trims what the actor keeps only
    /// for its readers (the queue benchmark drops history bodies it has checked). Whatever it
    /// changes must be something the actor's behaviour never reads, or determinism is lost;
    /// inputs go through `apply`.
    pub fn actor_mut(&mut self, id: ActorId) -> &mut A {
        &mut self.actors[id]
    }

    /// Move the clock forward without processing anything (replay of a recorded position).
    pub(super) fn set_clock(&mut self, t: Time) {
        self.now = self.now.max(t);
    }

    pub(super) fn schedule(&mut self, at: Time, ev: Ev<A::Msg>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.queue.push(at, seq, ev);
    }

    /// Arm timer `kind` of `actor` for `at`: queued now, or when its kind's earlier entry pops
    /// (`timers.rs`). The sequence number is taken now either way.
    pub(super) fn set_timer(&mut self, actor: ActorId, kind: TimerKind, at: Time) {
        let seq = self.next_seq;
        self.next_seq += 1;
        if let Some(gen) = self.nodes[actor].timers.set(kind, (at, seq)) {
            self.queue.push(at, seq, Ev::Timer { actor, kind, gen });
        }
    }

    /// Handle one popped event; false if it was stale and should not count.
    fn dispatch(&mut self, s: Scheduled<A::Msg>) -> bool {
        match s.ev {
            Ev::Deliver {
                id, from, to, msg, ..
            } => {
                self.now = s.at;
                self.arrive(id, from, to, msg);
                true
            }
            Ev::Timer { actor, kind, gen } => {
                if let Some(((at, seq), gen)) = self.nodes[actor].timers.popped(kind, (s.at, s.seq))
                {
                    self.queue.push(at, seq, Ev::Timer { actor, kind, gen });
                }
                if !self.nodes[actor].timers.is_live(kind, gen) {
                    return false;
                }
                self.now = s.at;
                self.input(actor, Input::Timer { kind, gen });
                true
            }
            Ev::Wake { actor } => {
                self.nodes[actor].wake_pending = false;
                if self.nodes[actor].state != NodeState::Up {
                    return false;
                }
                self.now = s.at;
                self.drain_inbox(actor)
            }
        }
    }

    pub(super) fn trace_drop(
        &mut self,
        id: u64,
        from: ActorId,
        to: ActorId,
        kind: &'static str,
        why: DropReason,
    ) {
        let mut e = TraceEvent::new(self.now, TraceKind::Drop, from);
        e.peer = to;
        e.msg_kind = kind;
        e.msg_id = id;
        e.drop = Some(why);
        self.trace.record(e);
    }

    fn arrive(&mut self, id: u64, from: ActorId, to: ActorId, msg: Parked<A::Msg>) {
        if !self.cuts.is_empty() && self.cuts.contains(&(from, to)) {
            let kind = self.queue.unpark(msg).kind();
            self.trace_drop(id, from, to, kind, DropReason::LinkCut);
        } else if self.nodes[to].state == NodeState::Crashed {
            let kind = self.queue.unpark(msg).kind();
            self.trace_drop(id, from, to, kind, DropReason::ReceiverCrashed);
        } else {
            self.input(to, Input::Msg { id, from, msg });
        }
    }

    /// Hand an input to a node now, or queue it while the node is busy or paused.
    fn input(&mut self, actor: ActorId, inp: Input<A::Msg>) {
        let now = self.now;
        let node = &mut self.nodes[actor];
        if node.state == NodeState::Paused || node.busy_until > now || !node.inbox.is_empty() {
            node.inbox.push_back(inp);
            self.ensure_wake(actor);
            return;
        }
        self.handle(actor, inp);
    }

    /// Schedule a CPU wake-up for an up node with a non-empty inbox, unless one is pending.
    pub(super) fn ensure_wake(&mut self, actor: ActorId) {
        let node = &mut self.nodes[actor];
        if node.state == NodeState::Up && !node.wake_pending && !node.inbox.is_empty() {
            node.wake_pending = true;
            let at = node.busy_until.max(self.now);
            let seq = self.next_seq;
            self.next_seq += 1;
            self.queue.push(at, seq, Ev::Wake { actor });
        }
    }

    /// Handle the first live input of the inbox; false if the inbox held only stale timers.
    fn drain_inbox(&mut self, actor: ActorId) -> bool {
        while let Some(inp) = self.nodes[actor].inbox.pop_front() {
            if self.handle(actor, inp) {
                self.ensure_wake(actor);
                return true;
            }
        }
        false
    }

    /// Run the actor's handler; its effects take place when its CPU service ends.
    fn handle(&mut self, actor: ActorId, inp: Input<A::Msg>) -> bool {
        let start = self.now;
        let cost = if actor < self.cfg.servers {
            self.cfg.cpu_service_us
        } else {
            0
        };
        let end = start + cost;
        let mut ctx = Ctx {
            now: self.nodes[actor].clock.read(start),
            me: actor,
            rng: &mut self.rng,
            durable: &self.durables[actor],
            out: &mut self.out,
            notes: self.trace.keeps_events(),
        };
        match inp {
            Input::Msg { id, from, msg } => {
                let msg = self.queue.unpark(msg);
                self.trace.record_with(|| {
                    let mut e = TraceEvent::new(start, TraceKind::Deliver, actor);
                    e.peer = from;
                    e.msg_kind = msg.kind();
                    e.msg_id = id;
                    e
                });
                self.actors[actor].on_message(&mut ctx, from, msg);
            }
            Input::Timer { kind, gen } => {
                if !self.nodes[actor].timers.is_live(kind, gen) {
                    return false;
                }
                self.trace.record_with(|| {
                    let mut e = TraceEvent::new(start, TraceKind::Timer, actor);
                    e.value = kind as u64;
                    e
                });
                self.actors[actor].on_timer(&mut ctx, kind);
            }
        }
        self.nodes[actor].busy_until = end;
        self.apply_effects(actor, end);
        true
    }

    /// Boot (or reboot) an actor: `on_start` costs no CPU.
    pub(super) fn start_actor(&mut self, id: ActorId) {
        let mut ctx = Ctx {
            now: self.nodes[id].clock.read(self.now),
            me: id,
            rng: &mut self.rng,
            durable: &self.durables[id],
            out: &mut self.out,
            notes: self.trace.keeps_events(),
        };
        self.actors[id].on_start(&mut ctx);
        self.apply_effects(id, self.now);
    }

    /// Run `on_command` now; on a server it occupies the CPU after any work in progress.
    pub(super) fn run_command(&mut self, to: ActorId, cmd: A::Cmd) {
        let start = self.nodes[to].busy_until.max(self.now);
        let cost = if to < self.cfg.servers {
            self.cfg.cpu_service_us
        } else {
            0
        };
        let mut ctx = Ctx {
            now: self.nodes[to].clock.read(self.now),
            me: to,
            rng: &mut self.rng,
            durable: &self.durables[to],
            out: &mut self.out,
            notes: self.trace.keeps_events(),
        };
        self.actors[to].on_command(&mut ctx, cmd);
        self.nodes[to].busy_until = start + cost;
        self.apply_effects(to, start + cost);
    }
}
