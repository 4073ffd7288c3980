//! One node's timers: a generation per timer kind (an event fires only if its generation is
//! current), and re-armed timers kept out of the event queue until they could be due.
//!
//! Why (issue 14): a Raft follower re-arms its election timer on every AppendEntries, a client
//! its request timeout on every request. Each re-arm pushed an event onto the queue's heap and
//! left the previous one behind as a stale entry, popped and skipped when its time came: about a
//! quarter of all pops in the seeds' report, and a heap that many entries larger.
//!
//! So a timer kind keeps at most one entry of its own in the heap, its `anchor`. A re-arm due
//! no earlier than the anchor waits here (`pending`, with the sequence number it was given when
//! it was set) and is pushed when the anchor pops. The order of events is unchanged: the queue
//! pops by (time, sequence number), which is unique, and the pending entry's key is larger
//! than its anchor's, so it is in the heap before anything larger pops. `next_event_time` is
//! unchanged too: the first key of the heap never was a pending entry (its anchor is smaller).

use super::{Time, TimerKind};

/// A queue key: (time, sequence number).
type Key = (Time, u64);

#[derive(Clone, Debug, Default)]
struct Slot {
    gen: u64,
    /// The key of this kind's entry in the event queue that pops first, if any.
    anchor: Option<Key>,
    /// The current generation's event, not yet in the queue: due no earlier than `anchor`.
    pending: Option<Key>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Timers {
    slots: Vec<Slot>,
}

impl Timers {
    fn slot(&mut self, kind: TimerKind) -> &mut Slot {
        let i = kind as usize;
        if self.slots.len() <= i {
            self.slots.resize(i + 1, Slot::default());
        }
        &mut self.slots[i]
    }

    /// Whether an event of `kind` and `gen` is the current one.
    pub(super) fn is_live(&self, kind: TimerKind, gen: u64) -> bool {
        self.slots.get(kind as usize).is_some_and(|s| s.gen == gen)
    }

    /// Arms `kind` for `key`: the generation of its event, if the caller must queue it now
    /// (`None`: it waits for the anchor).
    pub(super) fn set(&mut self, kind: TimerKind, key: Key) -> Option<u64> {
        let s = self.slot(kind);
        s.gen += 1;
        match s.anchor {
            Some(anchor) if anchor < key => {
                s.pending = Some(key);
                None
            }
            _ => {
                s.anchor = Some(key);
                s.pending = None;
                Some(s.gen)
            }
        }
    }

    pub(super) fn cancel(&mut self, kind: TimerKind) {
        let s = self.slot(kind);
        s.gen += 1;
        s.pending = None;
    }

    /// An event of `kind` with `key` left the queue: the pending event to queue in its place,
    /// with its generation, if it was the anchor.
    pub(super) fn popped(&mut self, kind: TimerKind, key: Key) -> Option<(Key, u64)> {
        let s = self.slots.get_mut(kind as usize)?;
        if s.anchor != Some(key) {
            return None;
        }
        s.anchor = s.pending.take();
        s.anchor.map(|k| (k, s.gen))
    }

    /// A crash: no timer of this incarnation may fire, and the queue lost all its entries.
    pub(super) fn crash(&mut self) {
        for s in &mut self.slots {
            s.gen += 1;
            s.anchor = None;
            s.pending = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_rearm_waits_for_the_anchor_and_an_earlier_one_is_queued() {
        let mut t = Timers::default();
        assert_eq!(t.set(0, (100, 1)), Some(1));
        // Later than the anchor: waits, and is the live generation.
        assert_eq!(t.set(0, (150, 2)), None);
        assert_eq!(t.set(0, (170, 3)), None);
        assert!(!t.is_live(0, 1) && t.is_live(0, 3));
        // The anchor pops (stale): the last re-arm takes its place, with its own key.
        assert_eq!(t.popped(0, (100, 1)), Some(((170, 3), 3)));
        // Earlier than the anchor: queued at once, and becomes the anchor.
        assert_eq!(t.set(0, (120, 4)), Some(4));
        assert_eq!(t.popped(0, (170, 3)), None);
        assert_eq!(t.popped(0, (120, 4)), None);
        // A cancel drops the pending event; a crash forgets the anchor.
        assert_eq!(t.set(1, (10, 5)), Some(1));
        assert_eq!(t.set(1, (20, 6)), None);
        t.cancel(1);
        assert_eq!(t.set(1, (30, 7)), None);
        assert!(t.is_live(1, 4));
        t.crash();
        assert!(!t.is_live(1, 4));
        assert_eq!(t.set(1, (40, 8)), Some(6));
    }
}
