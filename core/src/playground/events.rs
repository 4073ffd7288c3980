//! The event log: trace events turned into short sentences a student can read.

use super::actions::{EventCategory, EventView};
use super::Playground;
use crate::service::ServiceSet;
use crate::services::Node;
use crate::sim::{DropReason, FaultKind, Note, TraceEvent, TraceKind, NO_PEER};

impl Playground {
    /// The most recent trace events worth showing (not every send and delivery), newest last.
    /// `include_messages` adds sends, deliveries and drops.
    pub fn events(&self, limit: usize, include_messages: bool) -> Vec<EventView> {
        let mut out: Vec<EventView> = self
            .sim()
            .trace()
            .iter()
            .rev()
            .filter_map(|e| self.describe(e, include_messages))
            .take(limit)
            .collect();
        out.reverse();
        out
    }

    fn describe(&self, e: &TraceEvent, include_messages: bool) -> Option<EventView> {
        let who = self.actor_label(e.actor);
        let peer = || self.actor_label(e.peer);
        let mut reason = None;
        let (category, text) = match e.kind {
            TraceKind::Note => match e.note? {
                Note::Why(mut w) => {
                    let (slot, code) = Node::note_owner(w.code)?;
                    w.code = code;
                    let label = |id: u64| self.actor_label(id as usize);
                    let (cat, r) = self.services()[slot].describe_why(&who, &w, &label)?;
                    reason = Some(r.code.to_string());
                    (cat, r.text)
                }
                Note::Proto { code, a, b } => {
                    let (slot, code) = Node::note_owner(code)?;
                    self.services()[slot].describe_note(&who, code, a, b)?
                }
                Note::Invoke { op } => (
                    EventCategory::Client,
                    format!("client {who} sends request #{op}"),
                ),
                Note::Complete { op, ok } => (
                    EventCategory::Client,
                    format!(
                        "client {who} gets an answer to #{op}{}",
                        if ok { "" } else { " (failed)" }
                    ),
                ),
            },
            TraceKind::Crash => (EventCategory::Fault, format!("{who} crashed")),
            TraceKind::Restart => (EventCategory::Fault, format!("{who} restarted")),
            TraceKind::Pause => (EventCategory::Fault, format!("{who} paused")),
            TraceKind::Resume => (EventCategory::Fault, format!("{who} resumed")),
            TraceKind::Fault => (EventCategory::Fault, self.describe_fault(e)),
            TraceKind::Send if include_messages => (
                EventCategory::Message,
                format!("{who} → {}: {}", peer(), e.msg_kind),
            ),
            TraceKind::Deliver if include_messages => (
                EventCategory::Message,
                format!("{} → {who}: {} delivered", peer(), e.msg_kind),
            ),
            TraceKind::Drop if include_messages || e.drop == Some(DropReason::ByUser) => (
                EventCategory::Message,
                format!(
                    "{who} → {}: {} dropped ({})",
                    peer(),
                    e.msg_kind,
                    drop_reason(e.drop)
                ),
            ),
            _ => return None,
        };
        Some(EventView {
            seq: e.seq,
            t: e.t,
            category,
            text,
            reason,
        })
    }
}

fn drop_reason(r: Option<DropReason>) -> &'static str {
    match r {
        Some(DropReason::LinkCut) => "link cut",
        Some(DropReason::Loss) => "lost",
        Some(DropReason::ReceiverCrashed) => "receiver down",
        Some(DropReason::SenderCrashed) => "sender crashed",
        Some(DropReason::ByUser) => "dropped by you",
        _ => "dropped",
    }
}

impl Playground {
    fn describe_fault(&self, e: &TraceEvent) -> String {
        let a = self.actor_label(e.actor);
        let b = if e.peer == NO_PEER {
            String::new()
        } else {
            self.actor_label(e.peer)
        };
        match e.fault {
            Some(FaultKind::Cut) => format!("link {a} → {b} cut"),
            Some(FaultKind::Heal) => format!("link {a} → {b} healed"),
            Some(FaultKind::CutBoth) => format!("link {a} ↔ {b} cut"),
            Some(FaultKind::HealBoth) => format!("link {a} ↔ {b} healed"),
            Some(FaultKind::Isolate) => format!("{a} isolated from the other nodes"),
            Some(FaultKind::Split) => {
                let group: Vec<String> = (0..self.servers())
                    .filter(|i| e.value & (1u64 << i) != 0)
                    .map(|i| self.actor_label(i))
                    .collect();
                format!("partition: {{{}}} | the rest", group.join(", "))
            }
            Some(FaultKind::HealAll) => "all links healed".into(),
            Some(FaultKind::SetClock) => format!(
                "{a}'s clock set to {}{} ms, {:+} ppm drift",
                if (e.value as i64) < 0 { "" } else { "+" },
                crate::base::decimal::Fixed(e.value as i64 as f64 / 1_000.0, 1),
                e.msg_id as i64
            ),
            _ => "link settings changed".into(),
        }
    }
}
