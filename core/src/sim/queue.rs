//! The kernel's event queue: events popped in (time, sequence number) order. Why not a plain
//! `BinaryHeap<Scheduled<M>>`: an event carries its message, and the node's message enum (every
//! service's messages, some with entries or bodies inline) is large, so every sift of the heap
//! moved hundreds of bytes; that was the largest single cost of the benchmarks in the profile.
//! The heap here holds small keys and the events wait in a slab, so a sift moves 24 bytes.
//! The order is the same: (time, sequence number) is unique, so any heap pops the same sequence.
//! Most keys do not even reach the heap: those due within the next 4 ms (deliveries on a
//! LAN-like link, CPU wake-ups) wait in a timing wheel (`wheel.rs`), and a pop takes the
//! earlier of the wheel's first key and the heap's.
//!
//! The messages themselves wait apart, "parked" in a second slab from the send until the
//! receiver's handler takes them (through the event, the CPU queue of a busy receiver, ...):
//! an event or an inbox entry carries the message's slot, and the message moves twice (in and
//! out), where each hand-over of the kernel copied it (issue 14: ~7 % of the seeds' report was
//! `memmove` of events and inputs).

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::marker::PhantomData;

use super::kernel::{Ev, Scheduled};
use super::wheel::{First, Wheel};
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

#[derive(Clone, Debug)]
pub(super) struct EventQueue<M> {
    /// Events due within the next few milliseconds (`wheel.rs`): most of them.
    wheel: Wheel,
    /// The others: timers far ahead, anything before the wheel's window.
    heap: BinaryHeap<Key>,
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

    /// The first key, and the wheel's place of it if it waits there: the earlier of the
    /// wheel's first and the heap's.
    #[inline]
    fn first(&self) -> Option<(Key, Option<First>)> {
        let wheel = self.wheel.first().map(|f| {
            let key = Key {
                at: f.at,
                seq: f.seq,
                slot: f.slot,
            };
            (key, Some(f))
        });
        match (wheel, self.heap.peek()) {
            (Some((w, _)), Some(h)) if h.order() < w.order() => Some((*h, None)),
            (Some(w), _) => Some(w),
            (None, Some(h)) => Some((*h, None)),
            (None, None) => None,
        }
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
    /// at the wheel and the heap (the event loop's every step).
    #[inline]
    pub(super) fn pop_due(&mut self, limit: Time) -> Option<Scheduled<M>> {
        let (first, in_wheel) = self.first()?;
        if first.at > limit {
            return None;
        }
        let k = match in_wheel {
            Some(f) => {
                self.wheel.pop(f);
                first
            }
            None => self.heap.pop()?,
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
        self.wheel.len() + self.heap.len()
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
            .copied()
            .chain(wheel)
            .filter_map(|k| self.events.get(k.slot).map(|ev| (k.at, ev)))
    }

    /// Removes the events matching `pred`; returns them sorted by (time, seq).
    pub(super) fn remove_where(&mut self, pred: impl Fn(&Ev<M>) -> bool) -> Vec<Scheduled<M>> {
        let mut keys = std::mem::take(&mut self.heap).into_vec();
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

    /// The wheel and the heap as one queue, with the clock moving: events near "now" (the
    /// wheel), far ahead or behind it (the heap), sequence numbers out of order (re-armed
    /// timers), pops between pushes, and a `remove_where` midway. Every pop is checked against
    /// a sorted reference.
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
                    q.push(at, s, timer(s as u32));
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
                    let mut seen: Vec<(Time, u64)> = q
                        .iter()
                        .map(|(at, ev)| match ev {
                            Ev::Timer { kind, .. } => (at, *kind as u64),
                            _ => unreachable!(),
                        })
                        .collect();
                    let mut want: Vec<(Time, u64)> =
                        reference.iter().map(|&(at, s)| (at, tk(s))).collect();
                    seen.sort();
                    want.sort();
                    assert_eq!(seen, want, "iter lists every queued event with its time");
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
            q.push(at, seq as u64, timer(seq as u32));
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
