//! The kernel's event queue: events popped in (time, sequence number) order. Why not a plain
//! `BinaryHeap<Scheduled<M>>`: an event carries its message, and the node's message enum (every
//! service's messages, some with entries or bodies inline) is large, so every sift of the heap
//! moved hundreds of bytes; that was the largest single cost of the benchmarks in the profile.
//! The heap here holds small keys and the events wait in a slab, so a sift moves 24 bytes.
//! The order is the same: (time, sequence number) is unique, so any heap pops the same sequence.
//!
//! The messages themselves wait apart, "parked" in a second slab from the send until the
//! receiver's handler takes them (through the event, the CPU queue of a busy receiver, ...):
//! an event or an inbox entry carries the message's slot, and the message moves twice (in and
//! out), where each hand-over of the kernel copied it (issue 14: ~7 % of the seeds' report was
//! `memmove` of events and inputs).

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::marker::PhantomData;

use super::kernel::{Ev, Scheduled};
use super::wheel::Wheel;
use super::Time;

/// Where an event waits, ordered for the max-heap so that the smallest (time, seq) pops first.
#[derive(Clone, Copy, Debug)]
struct Key {
    at: Time,
    seq: u64,
    slot: u32,
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        other.order().cmp(&self.order())
    }
}
impl Key {
    /// (time, seq) as one number. Why: the heap's sifts compare keys at every level, and one
    /// wide comparison has no branch on "same time?", which the tuple's had (the pop was 11 %
    /// of a cache benchmark).
    #[inline]
    fn order(&self) -> u128 {
        (u128::from(self.at) << 64) | u128::from(self.seq)
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}
impl Eq for Key {}

/// A parked message: its slot in `EventQueue::parked`. Exactly one event or inbox entry owns
/// it, and `unpark` consumes it; it is cloned only with the whole `Sim` (a checkpoint), whose
/// copy of the slab it then names.
#[derive(Debug)]
pub(super) struct Parked<M>(u32, PhantomData<fn() -> M>);

impl<M> Clone for Parked<M> {
    fn clone(&self) -> Self {
        Parked(self.0, PhantomData)
    }
}

/// Values by slot number; `None` marks a free slot, listed in `free` (reused last freed first,
/// so the slot numbers, like everything else here, depend only on the calls made).
#[derive(Clone, Debug)]
struct Slab<T> {
    slots: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    fn insert(&mut self, value: T) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(value);
                slot
            }
            None => {
                self.slots.push(Some(value));
                (self.slots.len() - 1) as u32
            }
        }
    }

    fn get(&self, slot: u32) -> Option<&T> {
        self.slots[slot as usize].as_ref()
    }

    /// Empties `slot`; `None` if it was free.
    fn take(&mut self, slot: u32) -> Option<T> {
        let value = self.slots[slot as usize].take()?;
        self.free.push(slot);
        Some(value)
    }
}

/// Where the first event waits.
#[derive(Clone, Copy, Debug)]
enum Source {
    Wheel(super::wheel::First),
    Heap,
    Lane,
}

#[derive(Clone, Debug)]
pub(super) struct EventQueue<M> {
    /// Events due within the next few milliseconds (`wheel.rs`): most of them.
    wheel: Wheel,
    /// The others.
    heap: BinaryHeap<Key>,
    /// Keys in ascending order, beside the heap: see `push_steady`.
    lane: VecDeque<Key>,
    /// The queued events, by the slot their key names.
    events: Slab<Ev<M>>,
    /// The parked messages.
    parked: Slab<M>,
}

impl<M> Default for EventQueue<M> {
    fn default() -> Self {
        EventQueue {
            wheel: Wheel::default(),
            heap: BinaryHeap::new(),
            lane: VecDeque::new(),
            events: Slab::default(),
            parked: Slab::default(),
        }
    }
}

impl<M> EventQueue<M> {
    /// Keep `msg` until `unpark`.
    pub(super) fn park(&mut self, msg: M) -> Parked<M> {
        Parked(self.parked.insert(msg), PhantomData)
    }

    pub(super) fn parked(&self, p: &Parked<M>) -> &M {
        self.parked
            .get(p.0)
            .expect("a parked message's slot is full")
    }

    /// Take a parked message back (to handle it, or to drop it).
    pub(super) fn unpark(&mut self, p: Parked<M>) -> M {
        self.parked
            .take(p.0)
            .expect("a parked message's slot is full")
    }

    pub(super) fn push(&mut self, at: Time, seq: u64, ev: Ev<M>) {
        let slot = self.events.insert(ev);
        if self.wheel.fits(at) {
            self.wheel.insert(at, seq, slot);
        } else {
            self.heap.push(Key { at, seq, slot });
        }
    }

    /// Like `push`, for an event due a fixed delay after "now" (a busy server's CPU wake-up,
    /// one service time ahead). Such keys arrive in ascending order, so they queue in `lane`,
    /// a plain FIFO, at the cost of one comparison, instead of a heap push and a heap pop (a
    /// loaded server takes every input through a wake-up: 40 % of a cache benchmark's events).
    /// A key below the lane's last one goes to the heap, so the order stays exact whatever
    /// the caller passes.
    pub(super) fn push_steady(&mut self, at: Time, seq: u64, ev: Ev<M>) {
        let slot = self.events.insert(ev);
        let key = Key { at, seq, slot };
        match self.lane.back() {
            Some(last) if last.order() > key.order() => self.heap.push(key),
            _ => self.lane.push_back(key),
        }
    }

    /// The first key, and where it waits: the earliest of the wheel's, the heap's and the
    /// lane's.
    #[inline]
    fn first(&self) -> Option<(Key, Source)> {
        let mut best = self.wheel.first().map(|f| {
            let key = Key {
                at: f.at,
                seq: f.seq,
                slot: f.slot,
            };
            (key, Source::Wheel(f))
        });
        for (k, src) in [
            (self.heap.peek(), Source::Heap),
            (self.lane.front(), Source::Lane),
        ] {
            if let Some(k) = k {
                if best.is_none_or(|(b, _)| k.order() < b.order()) {
                    best = Some((*k, src));
                }
            }
        }
        best
    }

    /// Time of the first event.
    pub(super) fn peek_at(&self) -> Option<Time> {
        self.first().map(|(k, _)| k.at)
    }

    #[cfg(test)]
    pub(super) fn pop(&mut self) -> Option<Scheduled<M>> {
        self.pop_due(Time::MAX)
    }

    /// The first event if it is due at or before `limit`: `peek_at` and `pop` with one look
    /// at the heap and the lane (the event loop's every step).
    #[inline]
    pub(super) fn pop_due(&mut self, limit: Time) -> Option<Scheduled<M>> {
        let (first, source) = self.first()?;
        if first.at > limit {
            return None;
        }
        let k = match source {
            Source::Wheel(f) => {
                self.wheel.pop(f);
                first
            }
            Source::Heap => self.heap.pop()?,
            Source::Lane => self.lane.pop_front()?,
        };
        self.wheel.advance(k.at);
        let ev = self
            .events
            .take(k.slot)
            .expect("a queued key names a full slot");
        Some(Scheduled {
            at: k.at,
            seq: k.seq,
            ev,
        })
    }

    pub(super) fn len(&self) -> usize {
        self.wheel.len() + self.heap.len() + self.lane.len()
    }

    /// Every queued event with its time, in no particular order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (Time, &Ev<M>)> + '_ {
        let wheel = self
            .wheel
            .events()
            .into_iter()
            .map(|(at, seq, slot)| Key { at, seq, slot });
        self.heap
            .iter()
            .chain(&self.lane)
            .copied()
            .chain(wheel)
            .filter_map(|k| self.events.get(k.slot).map(|ev| (k.at, ev)))
    }

    /// Removes the events matching `pred`; returns them sorted by (time, seq).
    pub(super) fn remove_where(&mut self, pred: impl Fn(&Ev<M>) -> bool) -> Vec<Scheduled<M>> {
        let mut keys = std::mem::take(&mut self.heap).into_vec();
        keys.extend(std::mem::take(&mut self.lane));
        keys.extend(
            self.wheel
                .drain()
                .into_iter()
                .map(|(at, seq, slot)| Key { at, seq, slot }),
        );
        let mut keep = Vec::with_capacity(keys.len());
        let mut removed = Vec::new();
        for k in keys {
            if self.events.get(k.slot).is_some_and(&pred) {
                let ev = self.events.take(k.slot).expect("checked above");
                removed.push(Scheduled {
                    at: k.at,
                    seq: k.seq,
                    ev,
                });
            } else {
                keep.push(k);
            }
        }
        self.heap = BinaryHeap::from(keep);
        crate::base::sort::sort_by_key(&mut removed, |s| (s.at, s.seq));
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timer(kind: u32) -> Ev<()> {
        Ev::Timer {
            actor: 0,
            kind: kind as _,
            gen: 0,
        }
    }

    fn kind(s: &Scheduled<()>) -> u64 {
        match s.ev {
            Ev::Timer { kind, .. } => kind as u64,
            _ => u64::MAX,
        }
    }

    #[test]
    fn pops_by_time_then_sequence_and_reuses_slots() {
        let mut q = EventQueue::default();
        q.push(20, 0, timer(0));
        q.push(10, 1, timer(1));
        q.push(10, 2, timer(2));
        assert_eq!(q.peek_at(), Some(10));
        let first = q.pop().unwrap();
        assert_eq!((first.at, first.seq, kind(&first)), (10, 1, 1));
        q.push(5, 3, timer(3));
        assert_eq!(q.events.slots.len(), 3, "the freed slot is reused");
        let order: Vec<(Time, u64, u64)> = std::iter::from_fn(|| q.pop())
            .map(|s| (s.at, s.seq, kind(&s)))
            .collect();
        assert_eq!(order, vec![(5, 3, 3), (10, 2, 2), (20, 0, 0)]);
        assert_eq!(q.len(), 0);
        assert!(q.pop().is_none());
    }

    /// Steady keys, in order or not, mixed with heap keys: one exact (time, seq) order.
    #[test]
    fn the_steady_lane_and_the_heap_pop_as_one_queue() {
        let mut q = EventQueue::default();
        let mut rng = crate::base::SimRng::new(7);
        let mut want = Vec::new();
        for seq in 0..400u64 {
            let at = rng.range_u64(0, 50);
            if rng.chance(0.5) {
                q.push_steady(at, seq, timer(seq as u32));
            } else {
                q.push(at, seq, timer(seq as u32));
            }
            want.push((at, seq));
        }
        want.sort();
        assert_eq!(q.len(), 400);
        assert_eq!(q.iter().count(), 400);
        let got: Vec<(Time, u64)> = std::iter::from_fn(|| {
            let at = q.peek_at();
            q.pop().inspect(|s| assert_eq!(Some(s.at), at))
        })
        .map(|s| (s.at, s.seq))
        .collect();
        assert_eq!(got, want);
    }

    /// The wheel, the heap and the lane as one queue, with the clock moving: events near "now"
    /// (the wheel), far ahead or behind it (the heap), steady ones (the lane), sequence numbers
    /// out of order (re-armed timers), pops between pushes, and a `remove_where` midway. Every
    /// pop is checked against a sorted reference.
    #[test]
    fn every_place_an_event_waits_pops_in_one_exact_order() {
        // The timer kind each event carries: its sequence number, cut to the kind's width.
        let tk = |s: u64| match timer(s as u32) {
            Ev::Timer { kind, .. } => kind as u64,
            _ => unreachable!(),
        };
        let mut rng = crate::base::SimRng::new(11);
        for round in 0..20 {
            let mut q = EventQueue::default();
            let mut reference: Vec<(Time, u64)> = Vec::new();
            let mut now: Time = 0;
            let mut seq = 0u64;
            for step in 0..3000 {
                if rng.chance(0.55) {
                    let at = match rng.range_u64(0, 10) {
                        0 => now + rng.range_u64(4000, 300_000),
                        1 => now.saturating_sub(rng.range_u64(0, 5)),
                        // A few crowded microseconds: buckets with several events.
                        2..=4 => now + rng.range_u64(0, 4),
                        _ => now + rng.range_u64(0, 4200),
                    };
                    // A tenth of the numbers are older ones (a timer keeps its number).
                    let s = if seq > 10 && rng.chance(0.1) {
                        seq - rng.range_u64(1, 10)
                    } else {
                        seq += 10;
                        seq
                    };
                    if reference.iter().any(|&(_, r)| r == s) {
                        continue;
                    }
                    if rng.chance(0.2) {
                        q.push_steady(at, s, timer(s as u32));
                    } else {
                        q.push(at, s, timer(s as u32));
                    }
                    reference.push((at, s));
                } else if let Some(got) = q.pop() {
                    reference.sort();
                    let want = reference.remove(0);
                    assert_eq!((got.at, got.seq), want, "round {round}, step {step}");
                    assert_eq!(kind(&got), tk(want.1));
                    now = now.max(got.at);
                } else {
                    assert!(reference.is_empty());
                }
                assert_eq!(q.len(), reference.len());
                if step == 1500 {
                    assert_eq!(q.iter().count(), reference.len());
                    let removed = q.remove_where(
                        |ev| matches!(ev, Ev::Timer { kind, .. } if (*kind as u64).is_multiple_of(3)),
                    );
                    let mut gone: Vec<(Time, u64)> =
                        removed.iter().map(|s| (s.at, s.seq)).collect();
                    let mut want: Vec<(Time, u64)> = reference
                        .iter()
                        .copied()
                        .filter(|&(_, s)| tk(s).is_multiple_of(3))
                        .collect();
                    want.sort();
                    assert_eq!(gone, want, "removed in order");
                    gone.clear();
                    reference.retain(|&(_, s)| !tk(s).is_multiple_of(3));
                }
            }
            reference.sort();
            let rest: Vec<(Time, u64)> = std::iter::from_fn(|| q.pop())
                .map(|s| (s.at, s.seq))
                .collect();
            assert_eq!(rest, reference);
        }
    }

    #[test]
    fn remove_where_returns_the_matches_in_order_and_keeps_the_rest() {
        let mut q = EventQueue::default();
        for (seq, at) in [30, 10, 20, 40].into_iter().enumerate() {
            if seq % 2 == 0 {
                q.push(at, seq as u64, timer(seq as u32));
            } else {
                q.push_steady(at, seq as u64, timer(seq as u32));
            }
        }
        let removed = q.remove_where(|ev| matches!(ev, Ev::Timer { kind, .. } if *kind % 2 == 0));
        let got: Vec<(Time, u64)> = removed.iter().map(|s| (s.at, s.seq)).collect();
        assert_eq!(got, vec![(20, 2), (30, 0)]);
        assert_eq!(q.len(), 2);
        assert_eq!(q.iter().count(), 2);
        let rest: Vec<u64> = std::iter::from_fn(|| q.pop()).map(|s| s.seq).collect();
        assert_eq!(rest, vec![1, 3]);
    }
}
