//! Applying an actor's effects: timers, persistence, notes, and sends through the link model
//! (cuts, loss, duplication, bandwidth serialisation, latency sampling).

use super::kernel::Ev;
use super::trace::{DropReason, TraceEvent, TraceKind};
use super::{Actor, ActorId, Durable, Effect, Message, Sim, Time};

impl<A: Actor> Sim<A> {
    /// Apply the effects buffered by a handler of `actor`; sends leave at `depart`.
    pub(super) fn apply_effects(&mut self, actor: ActorId, depart: Time) {
        let mut out = std::mem::take(&mut self.out);
        for eff in out.drain(..) {
            match eff {
                Effect::Send { to, msg } => self.send(actor, to, msg, depart),
                Effect::SetTimer { kind, after } => {
                    // `after` is local time: the node's clock decides when it has passed.
                    let at = self.nodes[actor].clock.timer_at(depart, after);
                    self.set_timer(actor, kind, at);
                }
                Effect::CancelTimer { kind } => self.nodes[actor].timers.cancel(kind),
                Effect::Persist(op) => {
                    // Synchronous fsync model: durable the moment the handler asks.
                    self.durables[actor].apply(op);
                    let now = self.now;
                    self.trace
                        .record_with(|| TraceEvent::new(now, TraceKind::Persist, actor));
                }
                Effect::Note(note) => {
                    let now = self.now;
                    self.trace.record_with(|| {
                        let mut e = TraceEvent::new(now, TraceKind::Note, actor);
                        e.note = Some(note);
                        e
                    });
                }
            }
        }
        self.out = out;
    }

    fn send(&mut self, from: ActorId, to: ActorId, msg: A::Msg, depart: Time) {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        if to >= self.actors.len() {
            self.trace_drop(id, from, to, msg.kind(), DropReason::UnknownReceiver);
            return;
        }
        self.trace.record_with(|| {
            let mut e = TraceEvent::new(depart, TraceKind::Send, from);
            e.peer = to;
            e.msg_kind = msg.kind();
            e.msg_id = id;
            e
        });
        if !self.cuts.is_empty() && self.cuts.contains(&(from, to)) {
            self.trace_drop(id, from, to, msg.kind(), DropReason::LinkCut);
            return;
        }
        let link = self
            .overrides
            .get(&(from, to))
            .unwrap_or(&self.default_link);
        if link.loss > 0.0 && self.rng.chance(link.loss) {
            self.trace_drop(id, from, to, msg.kind(), DropReason::Loss);
            return;
        }
        if link.duplicate > 0.0 && self.rng.chance(link.duplicate) {
            let copy_id = self.next_msg_id;
            self.next_msg_id += 1;
            let mut e = TraceEvent::new(depart, TraceKind::Duplicate, from);
            e.peer = to;
            e.msg_kind = msg.kind();
            e.msg_id = copy_id;
            e.value = id;
            self.trace.record(e);
            self.launch(copy_id, from, to, depart, msg.clone());
        }
        self.launch(id, from, to, depart, msg);
    }

    /// Put one copy on the wire: serialisation behind earlier messages of a bandwidth-limited
    /// link, then propagation (base latency + jitter).
    fn launch(&mut self, id: u64, from: ActorId, to: ActorId, depart: Time, msg: A::Msg) {
        let link = self
            .overrides
            .get(&(from, to))
            .unwrap_or(&self.default_link);
        let latency = link.sample_latency(&mut self.rng);
        let mut on_wire = depart;
        if link.bandwidth_bytes_per_sec.is_some() {
            let tx = link.transmit_time(msg.size_bytes());
            let free = self.link_free_at.get_or_insert_with((from, to), || 0);
            on_wire = on_wire.max(*free) + tx;
            *free = on_wire;
        }
        let at = on_wire.saturating_add(latency);
        let msg = self.queue.park(msg);
        self.schedule(
            at,
            Ev::Deliver {
                id,
                from,
                to,
                sent_at: depart,
                msg,
            },
        );
    }
}
