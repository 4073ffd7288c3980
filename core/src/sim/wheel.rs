//! A timing wheel for the events due soon: one bucket per microsecond over the next `SPAN`
//! microseconds, each bucket a list in sequence order. Why (issue 14): a message is delivered
//! 1–2 ms after it is sent (the seeds' localhost profile), so nearly every event of a loaded
//! benchmark lands in that window, and the binary heap's pop, a sift through 7–8 levels of a
//! heap of 100–180 keys, was 9 % of a cache benchmark in V8. Here a push is an append and a
//! pop is a scan of a bitmap, usually within one word.
//!
//! The queue (`queue.rs`) keeps its heap for the rest (timers far ahead, anything below the
//! window) and pops whichever holds the smaller (time, sequence number), so the order is the
//! same as one heap's, exactly, wherever an event waits.
//!
//! The invariant that makes a bucket's time unambiguous: every event in the wheel is due in
//! `[base, base + SPAN)`, where `base` only grows and never passes the earliest queued event
//! (the queue moves it to each popped event's time, which no queued event precedes).

use super::Time;

const SPAN_BITS: u32 = 12;
/// Width of the window, in microseconds: covers a send's CPU service and link latency on
/// every profile up to LAN (0.15 ms + at most 2 ms); slower links go through the heap.
const SPAN: usize = 1 << SPAN_BITS;
const MASK: usize = SPAN - 1;
const WORDS: usize = SPAN / 64;
const NIL: u32 = u32::MAX;

/// An event's place in its bucket's list, by the queue's event slot.
#[derive(Clone, Copy, Debug)]
struct Link {
    seq: u64,
    next: u32,
    /// In a bucket's first link only: the bucket's last slot. Why here rather than in an
    /// array of tails: a `Sim` is cloned for every time-travel checkpoint, and the wheel's
    /// arrays are most of what it adds to one (16 KB with heads only).
    last: u32,
}

#[derive(Clone, Debug)]
pub(super) struct Wheel {
    base: Time,
    /// First event slot of each bucket (`NIL`: empty).
    head: Vec<u32>,
    /// One bit per non-empty bucket.
    occupied: Vec<u64>,
    /// By event slot; meaningful only for slots in the wheel.
    links: Vec<Link>,
    len: usize,
}

impl Default for Wheel {
    fn default() -> Self {
        Wheel {
            base: 0,
            head: vec![NIL; SPAN],
            occupied: vec![0; WORDS],
            links: Vec::new(),
            len: 0,
        }
    }
}

/// The first event of the wheel: its time, sequence number, slot and bucket.
#[derive(Clone, Copy, Debug)]
pub(super) struct First {
    pub(super) at: Time,
    pub(super) seq: u64,
    pub(super) slot: u32,
    bucket: usize,
}

impl Wheel {
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Whether an event due at `at` may wait here.
    #[inline]
    pub(super) fn fits(&self, at: Time) -> bool {
        at >= self.base && at - self.base < SPAN as Time
    }

    /// Move the window's start to `t`, the time of an event just popped (no queued event is
    /// earlier). Never backwards.
    #[inline]
    pub(super) fn advance(&mut self, t: Time) {
        debug_assert!(
            self.first().is_none_or(|f| f.at >= t),
            "an event before {t} is queued"
        );
        if t > self.base {
            self.base = t;
        }
    }

    /// Add an event that `fits`.
    pub(super) fn insert(&mut self, at: Time, seq: u64, slot: u32) {
        debug_assert!(self.fits(at));
        let b = at as usize & MASK;
        let s = slot as usize;
        if self.links.len() <= s {
            self.links.resize(
                s + 1,
                Link {
                    seq: 0,
                    next: NIL,
                    last: NIL,
                },
            );
        }
        self.links[s] = Link {
            seq,
            next: NIL,
            last: slot,
        };
        self.len += 1;
        let head = self.head[b];
        if head == NIL {
            self.head[b] = slot;
            self.occupied[b / 64] |= 1 << (b % 64);
            return;
        }
        let last = self.links[head as usize].last;
        if self.links[last as usize].seq < seq {
            // The usual case: sequence numbers are taken in order.
            self.links[last as usize].next = slot;
            self.links[head as usize].last = slot;
        } else {
            self.insert_sorted(b, seq, slot);
        }
    }

    /// Insert into bucket `b` before its first later sequence number (a re-armed timer keeps
    /// the number it was given when set).
    fn insert_sorted(&mut self, b: usize, seq: u64, slot: u32) {
        let head = self.head[b];
        let mut prev = NIL;
        let mut cur = head;
        while self.links[cur as usize].seq < seq {
            prev = cur;
            cur = self.links[cur as usize].next;
        }
        // `cur` is a later one (the last is, or `insert` would have appended).
        self.links[slot as usize].next = cur;
        if prev == NIL {
            self.links[slot as usize].last = self.links[head as usize].last;
            self.head[b] = slot;
        } else {
            self.links[prev as usize].next = slot;
        }
    }

    /// The earliest event: the first non-empty bucket from `base` on, round the ring.
    #[inline]
    pub(super) fn first(&self) -> Option<First> {
        if self.len == 0 {
            return None;
        }
        let start = self.base as usize & MASK;
        let (w0, bit0) = (start / 64, start % 64);
        let mut bucket = None;
        let high = self.occupied[w0] & (u64::MAX << bit0);
        if high != 0 {
            bucket = Some(w0 * 64 + high.trailing_zeros() as usize);
        } else {
            for i in 1..=WORDS {
                let w = (w0 + i) % WORDS;
                let bits = self.occupied[w];
                if bits != 0 {
                    bucket = Some(w * 64 + bits.trailing_zeros() as usize);
                    break;
                }
            }
        }
        let bucket = bucket.expect("a wheel with events has an occupied bucket");
        let slot = self.head[bucket];
        Some(First {
            at: self.base + ((bucket.wrapping_sub(start)) & MASK) as Time,
            seq: self.links[slot as usize].seq,
            slot,
            bucket,
        })
    }

    /// Remove the event `first` returned.
    #[inline]
    pub(super) fn pop(&mut self, f: First) {
        let b = f.bucket;
        let Link { next, last, .. } = self.links[f.slot as usize];
        self.head[b] = next;
        if next == NIL {
            self.occupied[b / 64] &= !(1 << (b % 64));
        } else {
            self.links[next as usize].last = last;
        }
        self.len -= 1;
    }

    /// Every event as (time, sequence number, slot), in order; the wheel is left empty.
    pub(super) fn drain(&mut self) -> Vec<(Time, u64, u32)> {
        let all = self.events();
        for &(at, _, _) in &all {
            let b = at as usize & MASK;
            self.head[b] = NIL;
        }
        self.occupied.fill(0);
        self.len = 0;
        all
    }

    /// Every event as (time, sequence number, slot), in order. Only the occupied buckets are
    /// read (the page draws the messages in flight from this on every frame).
    pub(super) fn events(&self) -> Vec<(Time, u64, u32)> {
        let start = self.base as usize & MASK;
        let mut all = Vec::with_capacity(self.len);
        let mut buckets: Vec<usize> = Vec::new();
        for (w, &bits) in self.occupied.iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                buckets.push(w * 64 + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
        // From `base` on, round the ring: time order.
        crate::base::sort::sort_by_key(&mut buckets, |&b| b.wrapping_sub(start) & MASK);
        for b in buckets {
            let at = self.base + (b.wrapping_sub(start) & MASK) as Time;
            let mut cur = self.head[b];
            while cur != NIL {
                let l = self.links[cur as usize];
                all.push((at, l.seq, cur));
                cur = l.next;
            }
        }
        all
    }
}
