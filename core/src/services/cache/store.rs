//! One node's cache: `capacity` lines, least-recently-used eviction and a TTL per line on the
//! simulator's clock.
//!
//! Why not the `lru` crate (REFERENCES §1.4 recommends it): it is built on a hash map with a
//! randomly seeded hasher, the views and the TTL sweep want the lines in key order, and the
//! page would carry another dependency.
//!
//! Layout (issue 14, the benchmark's caches hold 1000 lines and every access touches one):
//! - `slots` holds the lines; a freed slot is reused (`free`), so a line's slot number stays
//!   put while it is cached.
//! - `index` hashes each key to its slot (the key itself stays in the slot). The views' key
//!   order (`iter`, `expired`) is a sort when asked for: those are rare, while the sorted map
//!   this replaced shifted a thousand entries on every insertion and eviction.
//! - The slots form a doubly-linked list by last use, least recent at `head`: a touch or an
//!   eviction is a relink, where a sorted vector of last uses shifted half its entries.
//! - `expiry` is a min-heap of deadlines. A removed or replaced line leaves its entry behind
//!   (it names the line's `born` number, which no later line reuses) and `settle` drops such
//!   entries once they reach the top, so the top is always a cached line's deadline. Why a
//!   heap: the oldest line is usually both the next to expire and the LRU victim, and taking
//!   it off the front of a sorted vector moved every other entry.
//! - `last` remembers the slot of the previous lookup: one request asks for the same key
//!   several times in a row (state, touch, data), and a string comparison is cheaper than a
//!   binary search over the keys.

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::base::strindex::StrIndex;
use crate::base::text::Text;

use serde::{Deserialize, Serialize};

use super::protocol::LineState;
use crate::base::Time;

/// A value with its version (1 for the first write of a key, +1 per write: the checker's
/// "latest write") and the TTL, in milliseconds, a cache keeps it for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Data {
    pub value: Text,
    pub version: u64,
    pub ttl_ms: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub state: LineState,
    pub data: Data,
    /// When the TTL runs out (virtual time). Set by `Line::new` only: the store indexes it.
    pub expires_at: Time,
    /// The home's transaction that filled this copy: a snoop of an older transaction, delayed
    /// or duplicated by the network, must not touch it.
    pub fill_txn: u64,
    used: u64,
}

impl Line {
    pub fn new(state: LineState, data: Data, expires_at: Time, fill_txn: u64) -> Self {
        Line {
            state,
            data,
            expires_at,
            fill_txn,
            used: 0,
        }
    }
}

/// Where a cached line is (from `LineStore::find`), valid until the store's next insertion or
/// removal. Why: a request reads its line several times (expiry, state, touch, data) and a
/// snoop more; each read by key was a lookup, ~5 % of a cache benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At(u32);

/// No slot (end of the LRU list).
const NIL: u32 = u32::MAX;

#[derive(Clone, Debug)]
struct Slot {
    key: String,
    line: Line,
    /// The store's clock when the line was inserted: names this line in `expiry`.
    born: u64,
    /// Neighbours in the LRU list (towards `head`, the least recently used, and away from it).
    prev: u32,
    next: u32,
}

/// The key of the line in slot `at` (how the index reads the keys it does not store).
fn key_at(slots: &[Option<Slot>], at: u32) -> &str {
    slots[at as usize].as_ref().map_or("", |s| &s.key)
}

#[derive(Clone, Debug)]
pub struct LineStore {
    capacity: usize,
    index: StrIndex,
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
    head: u32,
    tail: u32,
    expiry: BinaryHeap<Reverse<(Time, u64, u32)>>,
    clock: u64,
    last: Cell<u32>,
}

impl Default for LineStore {
    fn default() -> Self {
        LineStore {
            capacity: 0,
            index: StrIndex::new(),
            slots: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            expiry: BinaryHeap::new(),
            clock: 0,
            last: Cell::new(NIL),
        }
    }
}

impl LineStore {
    pub fn new(capacity: usize) -> Self {
        LineStore {
            capacity: capacity.max(1),
            ..LineStore::default()
        }
    }
    pub fn capacity(&self) -> usize {
        self.capacity
    }
    pub fn len(&self) -> usize {
        self.index.len()
    }
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
    pub fn is_full(&self) -> bool {
        self.index.len() >= self.capacity
    }
    /// The slot of `key`, if cached.
    fn slot_of(&self, key: &str) -> Option<u32> {
        let last = self.last.get();
        if let Some(Some(s)) = self.slots.get(last as usize) {
            if s.key == key {
                return Some(last);
            }
        }
        let at = self.index.get(key, |at| key_at(&self.slots, at))?;
        self.last.set(at);
        Some(at)
    }
    fn slot(&self, at: u32) -> &Slot {
        self.slots[at as usize].as_ref().expect("indexed slot")
    }
    fn slot_mut(&mut self, at: u32) -> &mut Slot {
        self.slots[at as usize].as_mut().expect("indexed slot")
    }
    /// Take slot `at` out of the LRU list.
    fn unlink(&mut self, at: u32) {
        let (prev, next) = {
            let s = self.slot(at);
            (s.prev, s.next)
        };
        match prev {
            NIL => self.head = next,
            p => self.slot_mut(p).next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.slot_mut(n).prev = prev,
        }
    }
    /// Put slot `at` at the most recently used end of the list.
    fn push_back(&mut self, at: u32) {
        let tail = self.tail;
        {
            let s = self.slot_mut(at);
            s.prev = tail;
            s.next = NIL;
        }
        match tail {
            NIL => self.head = at,
            t => self.slot_mut(t).next = at,
        }
        self.tail = at;
    }
    /// Drop the deadlines of lines no longer cached from the top of `expiry`, and rebuild it
    /// when such entries make up most of it (they are few: a line leaves one per removal).
    fn settle(&mut self) {
        let slots = &self.slots;
        let live = |&Reverse((_, born, at)): &Reverse<(Time, u64, u32)>| matches!(slots.get(at as usize), Some(Some(s)) if s.born == born);
        while self.expiry.peek().is_some_and(|e| !live(e)) {
            self.expiry.pop();
        }
        if self.expiry.len() > 2 * self.index.len() + 64 {
            self.expiry.retain(live);
        }
    }
    /// Where `key`'s line is, if cached.
    pub fn find(&self, key: &str) -> Option<At> {
        self.slot_of(key).map(At)
    }
    /// The line at `at` (from `find`, no insertion or removal since).
    pub fn line(&self, at: At) -> &Line {
        &self.slot(at.0).line
    }
    /// Look without promoting (views, snoops).
    pub fn peek(&self, key: &str) -> Option<&Line> {
        self.find(key).map(|at| self.line(at))
    }
    pub fn state(&self, key: &str) -> LineState {
        self.peek(key).map_or(LineState::I, |l| l.state)
    }
    /// A snoop or an acknowledgement changes a line's state (nothing else of it).
    pub fn set_state(&mut self, key: &str, state: LineState) {
        if let Some(at) = self.find(key) {
            self.set_state_at(at, state);
        }
    }
    /// `set_state` of the line at `at`.
    pub fn set_state_at(&mut self, at: At, state: LineState) {
        self.slot_mut(at.0).line.state = state;
    }
    /// A processor access: the line becomes the most recently used.
    pub fn touch(&mut self, key: &str) {
        if let Some(at) = self.find(key) {
            self.touch_at(at);
        }
    }
    /// `touch` of the line at `at`.
    pub fn touch_at(&mut self, At(at): At) {
        self.clock += 1;
        self.slot_mut(at).line.used = self.clock;
        if self.tail != at {
            self.unlink(at);
            self.push_back(at);
        }
    }
    /// Insert or replace (the caller made room first, see `victim`), most recently used.
    pub fn insert(&mut self, key: &str, mut line: Line) {
        let key = match self.remove_entry(key) {
            Some((k, _)) => k,
            None => key.to_string(),
        };
        self.clock += 1;
        line.used = self.clock;
        let born = self.clock;
        let expires_at = line.expires_at;
        let at = self.free.pop().unwrap_or_else(|| {
            self.slots.push(None);
            (self.slots.len() - 1) as u32
        });
        self.index.insert(&key, at);
        self.slots[at as usize] = Some(Slot {
            key,
            line,
            born,
            prev: NIL,
            next: NIL,
        });
        self.push_back(at);
        self.expiry.push(Reverse((expires_at, born, at)));
        self.last.set(at);
    }
    pub fn remove(&mut self, key: &str) -> Option<Line> {
        self.remove_entry(key).map(|(_, l)| l)
    }
    /// `remove` of the line at `at`.
    pub fn remove_at(&mut self, at: At) -> Line {
        self.take(at.0).1
    }
    /// Remove `key`'s line; its key string comes back for reuse.
    fn remove_entry(&mut self, key: &str) -> Option<(String, Line)> {
        self.slot_of(key).map(|at| self.take(at))
    }
    /// Remove the line in slot `at`; its key and line.
    fn take(&mut self, at: u32) -> (String, Line) {
        let key = key_at(&self.slots, at);
        self.index.remove(key, |at| key_at(&self.slots, at));
        self.unlink(at);
        let s = self.slots[at as usize].take().expect("indexed slot");
        self.free.push(at);
        self.settle();
        (s.key, s.line)
    }
    /// The least recently used line that `pinned` does not protect (a line with a bus request
    /// in flight stays until it completes).
    pub fn victim(&self, pinned: impl Fn(&str) -> bool) -> Option<String> {
        let mut at = self.head;
        while at != NIL {
            let s = self.slot(at);
            if !pinned(&s.key) {
                return Some(s.key.clone());
            }
            at = s.next;
        }
        None
    }
    /// Keys whose TTL has run out at `now`, in key order (the order their write-backs leave
    /// in, as before the deadline index).
    pub fn expired(&self, now: Time) -> Vec<String> {
        if self.next_expiry().is_none_or(|t| t > now) {
            return Vec::new();
        }
        let mut keys: Vec<String> = self
            .live()
            .filter(|s| s.line.expires_at <= now)
            .map(|s| s.key.clone())
            .collect();
        // Through the shared sort instance (base/sort.rs: a sort per type costs the page ~3 KB).
        crate::base::sort::sort(&mut keys);
        keys
    }
    /// Lines by key.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Line)> {
        let mut live: Vec<&Slot> = self.live().collect();
        crate::base::sort::sort_by(&mut live, |a, b| a.key.cmp(&b.key));
        live.into_iter().map(|s| (&s.key, &s.line))
    }
    /// The cached lines, in slot order.
    fn live(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter().flatten()
    }
    /// Earliest expiry, if any line is cached.
    pub fn next_expiry(&self) -> Option<Time> {
        self.expiry.peek().map(|Reverse((t, _, _))| *t)
    }
    pub fn clear(&mut self) {
        self.index.clear();
        self.slots.clear();
        self.free.clear();
        self.head = NIL;
        self.tail = NIL;
        self.expiry.clear();
        self.last.set(NIL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(v: u64) -> Line {
        let data = Data {
            value: v.to_string().into(),
            version: v,
            ttl_ms: 1000,
        };
        Line::new(LineState::S, data, 5, 0)
    }

    #[test]
    fn the_least_recently_used_unpinned_line_is_the_victim() {
        let mut s = LineStore::new(3);
        s.insert("a", line(1));
        s.insert("b", line(2));
        s.insert("c", line(3));
        assert!(s.is_full());
        assert_eq!(s.victim(|_| false).as_deref(), Some("a"));
        s.touch("a");
        assert_eq!(s.victim(|_| false).as_deref(), Some("b"));
        assert_eq!(s.victim(|k| k == "b").as_deref(), Some("c"));
        s.remove("b");
        assert_eq!(s.len(), 2);
        assert_eq!(s.victim(|_| false).as_deref(), Some("c"));
        assert_eq!(s.expired(5), vec!["a".to_string(), "c".into()]);
        assert!(s.expired(4).is_empty());
        assert_eq!(s.next_expiry(), Some(5));
        // Replacing a line moves its deadline; removing it forgets it.
        s.insert("a", Line::new(LineState::S, line(1).data, 9, 0));
        assert_eq!(s.expired(5), vec!["c".to_string()]);
        s.remove("c");
        assert_eq!(
            (s.next_expiry(), s.expired(9)),
            (Some(9), vec!["a".to_string()])
        );
        s.clear();
        assert_eq!(s.next_expiry(), None);
    }

    /// The store against a plain list in use order (what the sorted-vector version kept): the
    /// same victims, deadlines, expired keys and key order after any mix of operations.
    #[test]
    fn agrees_with_a_list_in_use_order() {
        let mut rng = crate::base::SimRng::new(14);
        let mut s = LineStore::new(6);
        // (key, deadline), least recently used first.
        let mut model: Vec<(String, Time)> = Vec::new();
        for step in 0..20_000u64 {
            let key = format!("k{}", rng.range_u64(0, 10));
            let now = step / 4;
            match rng.range_u64(0, 5) {
                0 | 1 if !s.is_full() || s.peek(&key).is_some() => {
                    let exp = now + rng.range_u64(0, 40);
                    s.insert(&key, Line::new(LineState::S, line(step).data, exp, 0));
                    model.retain(|(k, _)| *k != key);
                    model.push((key.clone(), exp));
                }
                2 => {
                    s.touch(&key);
                    if let Some(i) = model.iter().position(|(k, _)| *k == key) {
                        let e = model.remove(i);
                        model.push(e);
                    }
                }
                3 => {
                    let gone = s.remove(&key).map(|l| l.expires_at);
                    let i = model.iter().position(|(k, _)| *k == key);
                    assert_eq!(gone, i.map(|i| model.remove(i).1));
                }
                _ if step % 500 == 0 => {
                    s.clear();
                    model.clear();
                }
                _ => {}
            }
            let pin = rng.range_u64(0, 10);
            let pinned = |k: &str| k == format!("k{pin}");
            let want = model.iter().map(|(k, _)| k).find(|k| !pinned(k)).cloned();
            assert_eq!(s.victim(pinned), want);
            assert_eq!(s.next_expiry(), model.iter().map(|(_, t)| *t).min());
            let mut keys: Vec<String> = model.iter().map(|(k, _)| k.clone()).collect();
            keys.sort();
            assert!(s.iter().map(|(k, _)| k).eq(keys.iter()));
            let mut due: Vec<String> = model
                .iter()
                .filter(|(_, t)| *t <= now + 10)
                .map(|(k, _)| k.clone())
                .collect();
            due.sort();
            assert_eq!(s.expired(now + 10), due);
            assert_eq!(s.state(&key).valid(), model.iter().any(|(k, _)| *k == key));
        }
    }
}
