//! The trace: every event the kernel processes, hashed incrementally (the determinism proof) and
//! kept in a bounded ring for animation, the event log and export. The ring is stored in shared,
//! copy-on-write chunks so that cloning a `Sim` (a checkpoint) does not copy it.

use std::collections::VecDeque;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{ActorId, Note, Time};
use crate::base::StableHasher;

/// `peer` of events that have no peer (timers, crashes, notes...).
pub const NO_PEER: ActorId = ActorId::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TraceKind {
    Send,
    Deliver,
    Drop,
    Duplicate,
    Timer,
    Crash,
    Restart,
    Pause,
    Resume,
    Fault,
    Command,
    Note,
    Persist,
}

/// Why a message was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DropReason {
    /// The directed link was cut when the message was sent or when it arrived.
    LinkCut,
    /// Random loss of the link model.
    Loss,
    /// The receiver was crashed when the message arrived (or crashed while it waited for CPU).
    ReceiverCrashed,
    /// The sender crashed while the message was in flight.
    SenderCrashed,
    /// `Action::DropMessage`.
    ByUser,
    /// The destination id does not exist (a protocol bug, reported instead of panicking).
    UnknownReceiver,
}

/// Which link fault an `Fault` event records (mirrors the `Action` variants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FaultKind {
    Cut,
    Heal,
    CutBoth,
    HealBoth,
    Isolate,
    Split,
    HealAll,
    SetLink,
    SetAllLinks,
    /// `actor`'s clock was set; `value` = the offset in µs (two's complement), `peer` unused.
    SetClock,
}

/// One trace event. Field use by kind:
/// - Send / Duplicate / Drop: `actor` = sender, `peer` = receiver, `msg_kind`, `msg_id`
///   (a Duplicate is the extra copy, with its own id; its `value` is the original's id);
///   Drop has `drop`.
/// - Deliver: `actor` = receiver, `peer` = sender. `t` is when handling starts.
/// - Timer: `actor`, `value` = timer kind. Note: `note`. Persist: `actor`.
/// - Fault: `fault`, `actor`/`peer` = link ends or node; for Split `value` = bitmask of the group;
///   for SetClock `value` = the new offset in µs as two's complement, `msg_id` = the drift in ppm
///   likewise.
/// - Send `t` is the departure time (after the sender's CPU service), so it may exceed the
///   time of the events recorded just after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceEvent {
    pub seq: u64,
    pub t: Time,
    pub kind: TraceKind,
    /// Serialised as `null` when it is `NO_PEER`, so JSON does not depend on the pointer width.
    #[serde(serialize_with = "ser_actor")]
    pub actor: ActorId,
    #[serde(serialize_with = "ser_actor")]
    pub peer: ActorId,
    pub msg_kind: &'static str,
    pub msg_id: u64,
    pub note: Option<Note>,
    pub drop: Option<DropReason>,
    pub fault: Option<FaultKind>,
    pub value: u64,
}

fn ser_actor<S: serde::Serializer>(a: &ActorId, s: S) -> Result<S::Ok, S::Error> {
    if *a == NO_PEER {
        s.serialize_none()
    } else {
        s.serialize_some(&(*a as u64))
    }
}

impl TraceEvent {
    pub fn new(t: Time, kind: TraceKind, actor: ActorId) -> Self {
        TraceEvent {
            seq: 0,
            t,
            kind,
            actor,
            peer: NO_PEER,
            msg_kind: "",
            msg_id: 0,
            note: None,
            drop: None,
            fault: None,
            value: 0,
        }
    }
}

/// The trace hash: the core's `StableHasher` fed one 64-bit word per field (every field as an
/// explicit u64, never usize-width dependent). See `base::hash` for the word step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceHasher(StableHasher);

impl TraceHasher {
    #[inline]
    pub fn word(&mut self, w: u64) {
        self.0.word(w);
    }

    pub fn str(&mut self, s: &str) {
        self.0.word_str(s);
    }

    pub fn finish(&self) -> u64 {
        self.0.finish()
    }

    fn actor(&mut self, a: ActorId) {
        self.word(if a == NO_PEER { u64::MAX } else { a as u64 });
    }

    fn note(&mut self, n: &Option<Note>) {
        match *n {
            None => self.word(0),
            Some(Note::Proto { code, a, b }) => {
                self.word(1);
                self.word(code as u64);
                self.word(a);
                self.word(b);
            }
            Some(Note::Invoke { op }) => {
                self.word(3);
                self.word(op);
            }
            Some(Note::Complete { op, ok }) => {
                self.word(4);
                self.word(op);
                self.word(ok as u64);
            }
            Some(Note::Why(w)) => {
                self.word(5);
                self.word(w.code as u64);
                for v in w.v {
                    self.word(u64::from(v));
                }
            }
        }
    }

    pub fn event(&mut self, e: &TraceEvent) {
        self.word(e.seq);
        self.word(e.t);
        self.word(e.kind as u64);
        self.actor(e.actor);
        self.actor(e.peer);
        self.str(e.msg_kind);
        self.word(e.msg_id);
        self.note(&e.note);
        self.word(e.drop.map_or(0, |d| d as u64 + 1));
        self.word(e.fault.map_or(0, |f| f as u64 + 1));
        self.word(e.value);
    }
}

const CHUNK: usize = 256;

/// Recent trace events (oldest first) plus the running hash and count of all events ever.
#[derive(Clone, Debug)]
pub struct Trace {
    chunks: VecDeque<Arc<Vec<TraceEvent>>>,
    /// Events stored in `chunks` (may exceed `capacity` by less than one chunk).
    stored: usize,
    capacity: usize,
    total: u64,
    hasher: TraceHasher,
    /// Off only for runs that never read the hash (benchmarks: see `Sim::skip_trace_hash`).
    hashing: bool,
}

impl Trace {
    pub fn new(capacity: usize) -> Self {
        Trace {
            chunks: VecDeque::new(),
            stored: 0,
            capacity,
            total: 0,
            hasher: TraceHasher::default(),
            hashing: true,
        }
    }

    /// Stop hashing: `hash` is then meaningless. Why: a benchmark run keeps no ring and reads
    /// only its histories, yet the hash (a serial chain of a dozen multiplies per event) was
    /// 6 % of the seeds' report (issue 14).
    pub(crate) fn stop_hashing(&mut self) {
        self.hashing = false;
    }

    /// Stamp `e` with the next sequence number, hash it and keep it.
    pub(crate) fn record(&mut self, mut e: TraceEvent) {
        e.seq = self.total;
        self.total += 1;
        if self.hashing {
            self.hasher.event(&e);
        }
        if self.capacity == 0 {
            return;
        }
        let need_new = match self.chunks.back() {
            None => true,
            Some(c) => c.len() >= CHUNK,
        };
        if need_new {
            self.chunks.push_back(Arc::new(Vec::with_capacity(CHUNK)));
        }
        // Copy-on-write: only the newest chunk is ever copied after a checkpoint clone.
        let last = self.chunks.back_mut().expect("a chunk was just ensured");
        Arc::make_mut(last).push(e);
        self.stored += 1;
        while self.stored - self.chunks[0].len() >= self.capacity {
            let old = self.chunks.pop_front().expect("non-empty");
            self.stored -= old.len();
        }
    }

    /// `record(make())`, unless nothing would read the event (no ring, no hash): then only
    /// the count moves. Why: a benchmark's kernel built an event and asked the message its
    /// kind for every send and delivery only to drop it (~2 % of the seeds' report).
    #[inline]
    pub(crate) fn record_with(&mut self, make: impl FnOnce() -> TraceEvent) {
        if self.keeps_events() {
            self.record(make());
        } else {
            self.total += 1;
        }
    }

    /// Whether a recorded event goes anywhere: into the ring or into the hash.
    #[inline]
    pub(crate) fn keeps_events(&self) -> bool {
        self.hashing || self.capacity > 0
    }

    /// Number of events retained (at most the capacity).
    pub fn len(&self) -> usize {
        self.stored.min(self.capacity)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Retained events, oldest first (`.rev()` gives newest first).
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &TraceEvent> + '_ {
        // Only the oldest chunk can hold events beyond the capacity (see `record`).
        let skip = self.stored - self.len();
        self.chunks.iter().enumerate().flat_map(move |(i, c)| {
            let events: &[TraceEvent] = if i == 0 { &c[skip..] } else { &c[..] };
            events.iter()
        })
    }

    /// The last `n` retained events, oldest first.
    pub fn last(&self, n: usize) -> Vec<TraceEvent> {
        let len = self.len();
        self.iter().skip(len.saturating_sub(n)).cloned().collect()
    }

    /// Events recorded since the run started (retained or not).
    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn hash(&self) -> u64 {
        self.hasher.finish()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_keeps_exactly_the_newest_events_and_hashes_all() {
        let mut tr = Trace::new(600);
        for i in 0..2000u64 {
            tr.record(TraceEvent::new(i, TraceKind::Timer, 0));
        }
        assert_eq!(tr.len(), 600);
        assert_eq!(tr.total(), 2000);
        let ts: Vec<u64> = tr.iter().map(|e| e.t).collect();
        assert_eq!(ts, (1400..2000).collect::<Vec<_>>());
        assert_eq!(tr.iter().next_back().unwrap().t, 1999);
        assert_eq!(tr.iter().rev().count(), 600);
        assert_eq!(
            tr.last(2).iter().map(|e| e.seq).collect::<Vec<_>>(),
            [1998, 1999]
        );

        let mut small = Trace::new(0);
        for i in 0..2000u64 {
            small.record(TraceEvent::new(i, TraceKind::Timer, 0));
        }
        assert!(small.is_empty());
        assert_eq!(small.hash(), tr.hash(), "the hash ignores the ring size");
    }

    #[test]
    fn json_marks_missing_peers_as_null() {
        let mut e = TraceEvent::new(5, TraceKind::Timer, 2);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["actor"], 2);
        assert!(json["peer"].is_null());
        e.peer = 3;
        assert_eq!(serde_json::to_value(&e).unwrap()["peer"], 3);
    }

    #[test]
    fn clone_shares_chunks_and_diverges_on_write() {
        let mut a = Trace::new(1000);
        for i in 0..300u64 {
            a.record(TraceEvent::new(i, TraceKind::Timer, 0));
        }
        let mut b = a.clone();
        a.record(TraceEvent::new(999, TraceKind::Timer, 1));
        b.record(TraceEvent::new(999, TraceKind::Timer, 2));
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.iter().last().unwrap().actor, 1);
        assert_eq!(b.iter().last().unwrap().actor, 2);
        assert_eq!(a.len(), 301);
    }
}
