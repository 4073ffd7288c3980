//! Actions from outside the simulated world: commands, link faults, partitions, crashes, pauses,
//! clock settings and message drops. Every action is validated before anything changes, so a refused action
//! leaves the simulation untouched (which keeps recorded histories replayable).

use super::kernel::{Ev, Input, Scheduled};
use super::trace::{DropReason, FaultKind, TraceEvent, TraceKind};
use super::{Action, Actor, ActorId, Message, NodeState, Sim, SimError};

impl<A: Actor> Sim<A> {
    /// Apply one action at the current time.
    pub fn apply(&mut self, action: Action<A::Cmd>) -> Result<(), SimError> {
        match action {
            Action::Command { to, cmd } => {
                self.check_actor(to)?;
                match self.nodes[to].state {
                    NodeState::Up => {}
                    state => {
                        return Err(SimError(format!(
                            "cannot send a command to {}: it is {state:?}",
                            self.actor_name(to)
                        )))
                    }
                }
                self.trace
                    .record(TraceEvent::new(self.now, TraceKind::Command, to));
                self.run_command(to, cmd);
            }
            Action::Cut { from, to } => {
                self.check_link(from, to)?;
                self.cuts.add((from, to));
                self.trace_fault(FaultKind::Cut, from, to, 0);
            }
            Action::Heal { from, to } => {
                self.check_link(from, to)?;
                self.cuts.remove(&(from, to));
                self.trace_fault(FaultKind::Heal, from, to, 0);
            }
            Action::CutBoth { a, b } => {
                self.check_link(a, b)?;
                self.cuts.add((a, b));
                self.cuts.add((b, a));
                self.trace_fault(FaultKind::CutBoth, a, b, 0);
            }
            Action::HealBoth { a, b } => {
                self.check_link(a, b)?;
                self.cuts.remove(&(a, b));
                self.cuts.remove(&(b, a));
                self.trace_fault(FaultKind::HealBoth, a, b, 0);
            }
            Action::Isolate { node } => {
                self.check_server(node)?;
                for other in (0..self.cfg.servers).filter(|&s| s != node) {
                    self.cuts.add((node, other));
                    self.cuts.add((other, node));
                }
                self.trace_fault(FaultKind::Isolate, node, super::NO_PEER, 0);
            }
            Action::Split { group } => self.split(&group)?,
            Action::HealAll => {
                self.cuts.clear();
                self.trace_fault(FaultKind::HealAll, super::NO_PEER, super::NO_PEER, 0);
            }
            Action::DropMessage { id } => self.drop_message(id)?,
            Action::Crash { node } => self.crash(node)?,
            Action::Restart { node } => {
                self.check_actor(node)?;
                if self.nodes[node].state != NodeState::Crashed {
                    return Err(SimError(format!(
                        "cannot restart {}: it is running (crash it first)",
                        self.actor_name(node)
                    )));
                }
                let n = &mut self.nodes[node];
                n.state = NodeState::Up;
                n.incarnation += 1;
                n.busy_until = self.now;
                self.trace
                    .record(TraceEvent::new(self.now, TraceKind::Restart, node));
                self.start_actor(node);
            }
            Action::Pause { node } => {
                self.check_actor(node)?;
                if self.nodes[node].state != NodeState::Up {
                    return Err(SimError(format!(
                        "cannot pause {}: it is {:?}",
                        self.actor_name(node),
                        self.nodes[node].state
                    )));
                }
                self.nodes[node].state = NodeState::Paused;
                self.trace
                    .record(TraceEvent::new(self.now, TraceKind::Pause, node));
            }
            Action::Resume { node } => {
                self.check_actor(node)?;
                if self.nodes[node].state != NodeState::Paused {
                    return Err(SimError(format!(
                        "cannot resume {}: it is not paused",
                        self.actor_name(node)
                    )));
                }
                self.nodes[node].state = NodeState::Up;
                self.trace
                    .record(TraceEvent::new(self.now, TraceKind::Resume, node));
                // Held inputs run in arrival order, starting now.
                self.ensure_wake(node);
            }
            Action::SetLink { from, to, link } => {
                self.check_link(from, to)?;
                link.validate()?;
                self.overrides.insert((from, to), link);
                self.trace_fault(FaultKind::SetLink, from, to, 0);
            }
            Action::SetAllLinks { link } => {
                link.validate()?;
                self.default_link = link;
                self.overrides.clear();
                self.trace_fault(FaultKind::SetAllLinks, super::NO_PEER, super::NO_PEER, 0);
            }
            Action::SetClock { node, clock } => {
                self.check_actor(node)?;
                clock.validate()?;
                self.nodes[node].clock.set(self.now, clock);
                let mut e = TraceEvent::new(self.now, TraceKind::Fault, node);
                e.fault = Some(FaultKind::SetClock);
                e.value = clock.offset_us as u64;
                e.msg_id = clock.drift_ppm as u64;
                self.trace.record(e);
            }
        }
        Ok(())
    }

    fn check_actor(&self, id: usize) -> Result<(), SimError> {
        if id >= self.actors.len() {
            return Err(SimError(format!(
                "unknown node id {id}: there are {} actors (ids 0..{})",
                self.actors.len(),
                self.actors.len().saturating_sub(1)
            )));
        }
        Ok(())
    }

    fn check_server(&self, id: usize) -> Result<(), SimError> {
        if id >= self.cfg.servers {
            return Err(SimError(format!(
                "unknown server id {id}: there are {} servers (ids 0..{})",
                self.cfg.servers,
                self.cfg.servers - 1
            )));
        }
        Ok(())
    }

    fn check_link(&self, from: ActorId, to: ActorId) -> Result<(), SimError> {
        self.check_actor(from)?;
        self.check_actor(to)?;
        if from == to {
            return Err(SimError(format!(
                "a link needs two different nodes, got {} twice",
                self.actor_name(from)
            )));
        }
        Ok(())
    }

    fn trace_fault(&mut self, kind: FaultKind, actor: ActorId, peer: ActorId, value: u64) {
        let mut e = TraceEvent::new(self.now, TraceKind::Fault, actor);
        e.peer = peer;
        e.fault = Some(kind);
        e.value = value;
        self.trace.record(e);
    }

    fn split(&mut self, group: &[ActorId]) -> Result<(), SimError> {
        for &g in group {
            self.check_server(g)?;
        }
        let servers = self.cfg.servers;
        let mut inside = vec![false; servers];
        for &g in group {
            inside[g] = true;
        }
        let count = inside.iter().filter(|&&b| b).count();
        if count == 0 || count == servers {
            return Err(SimError(format!(
                "a split needs servers on both sides; the group has {count} of {servers}"
            )));
        }
        self.cuts.retain(|&(a, b)| a >= servers || b >= servers);
        for a in 0..servers {
            for b in 0..servers {
                if inside[a] != inside[b] {
                    self.cuts.add((a, b));
                }
            }
        }
        let mask = (0..servers)
            .filter(|&s| inside[s])
            .fold(0u64, |m, s| m | 1 << s);
        self.trace_fault(FaultKind::Split, super::NO_PEER, super::NO_PEER, mask);
        Ok(())
    }

    fn drop_message(&mut self, id: u64) -> Result<(), SimError> {
        let found = self
            .queue
            .iter()
            .any(|(_, ev)| matches!(ev, Ev::Deliver { id: m, .. } if *m == id));
        if !found {
            return Err(SimError(format!("message {id} is not in flight")));
        }
        let removed = self.remove_events(|ev| matches!(ev, Ev::Deliver { id: m, .. } if *m == id));
        for s in removed {
            if let Ev::Deliver {
                id, from, to, msg, ..
            } = s.ev
            {
                let kind = self.queue.unpark(msg).kind();
                self.trace_drop(id, from, to, kind, DropReason::ByUser);
            }
        }
        Ok(())
    }

    /// Remove queued events matching `pred`; returns them sorted by (time, seq).
    fn remove_events(&mut self, pred: impl Fn(&Ev<A::Msg>) -> bool) -> Vec<Scheduled<A::Msg>> {
        self.queue.remove_where(pred)
    }

    /// A crash that leaves the messages this incarnation already sent in flight: they still
    /// arrive, possibly after a restart, as an old incarnation's messages (unless a cut or the
    /// receiver's crash drops them), as a real network would deliver them. Opt-in, for the
    /// fuzzers: `Action::Crash` drops them, so recorded runs (and the playground) replay as before.
    pub fn crash_keeping_sent(&mut self, node: ActorId) -> Result<(), SimError> {
        self.crash_with(node, true)
    }

    fn crash(&mut self, node: ActorId) -> Result<(), SimError> {
        self.crash_with(node, false)
    }

    fn crash_with(&mut self, node: ActorId, keep_sent: bool) -> Result<(), SimError> {
        self.check_actor(node)?;
        if self.nodes[node].state == NodeState::Crashed {
            return Err(SimError(format!(
                "{} is already crashed",
                self.actor_name(node)
            )));
        }
        self.actors[node].on_crash();
        self.trace
            .record(TraceEvent::new(self.now, TraceKind::Crash, node));
        let rt = &mut self.nodes[node];
        rt.state = NodeState::Crashed;
        rt.busy_until = self.now;
        rt.wake_pending = false;
        // Timers of this incarnation must never fire, even if an event slipped through.
        rt.timers.crash();
        let held: Vec<_> = rt.inbox.drain(..).collect();
        for inp in held {
            if let Input::Msg { id, from, msg } = inp {
                let kind = self.queue.unpark(msg).kind();
                self.trace_drop(id, from, node, kind, DropReason::ReceiverCrashed);
            }
        }
        let removed = self.remove_events(|ev| match ev {
            Ev::Deliver { from, .. } => !keep_sent && *from == node,
            Ev::Timer { actor, .. } | Ev::Wake { actor } => *actor == node,
        });
        for s in removed {
            if let Ev::Deliver {
                id, from, to, msg, ..
            } = s.ev
            {
                let kind = self.queue.unpark(msg).kind();
                self.trace_drop(id, from, to, kind, DropReason::SenderCrashed);
            }
        }
        Ok(())
    }
}
